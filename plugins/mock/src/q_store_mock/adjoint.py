"""The adjoint method: exact gradients with a constant number of states in memory.

Backprop keeps every intermediate state for the backward pass: at 20 qubits and 32 rows each one
is 256 MiB. The adjoint method keeps a handful. Forward runs the steps without recording;
backward walks the steps in reverse, *uncomputing* the state (``psi_{k-1} = U_k^dagger psi_k``,
exact since every step is unitary) while carrying the adjoint ``lambda = d(loss)/d(psi)``. At a
chunk with matrix ``U`` the gradient of the matrix is ``sum over other axes of lambda (x)
conj(psi_{k-1})`` (the backward of a matrix product); torch's autograd then carries it into the
angles that built ``U``, so gates never need derivative code of their own.

Two measured details make it fast at large sizes: the pass carries ``mu = conj(lambda)`` (updated
by ``U^T``), so no full state is ever conjugated, and states ping-pong between preallocated
buffers, because a fresh 256 MiB tensor costs as much in page faults as the matrix product.
"""

from __future__ import annotations

from typing import Any

import torch
from torch.autograd.function import once_differentiable

from q_store_mock.program import Chunk
from q_store_mock.statevector import Runner, _ObservableTables


class _PingPong:
    """Two preallocated contiguous buffers; ``free(state)`` is one that ``state`` is not."""

    def __init__(self, like: torch.Tensor) -> None:
        self.buffers = (
            torch.empty_like(like, memory_format=torch.contiguous_format),
            torch.empty_like(like, memory_format=torch.contiguous_format),
        )

    def free(self, state: torch.Tensor) -> torch.Tensor:
        return self.buffers[1] if state is self.buffers[0] else self.buffers[0]


def _run_forward(
    runner: Runner, initial: torch.Tensor, matrices: tuple[torch.Tensor | None, ...]
) -> torch.Tensor:
    buffers = _PingPong(initial)
    state = initial
    for index, (step, matrix) in enumerate(zip(runner.program.steps, matrices, strict=True)):
        if matrix is None:
            state = runner.apply_monomial(state, index, out=buffers.free(state))
        else:
            assert isinstance(step, Chunk)
            state = runner.apply_chunk(state, step, matrix, out=buffers.free(state))
    return state


class AdjointExecution(torch.autograd.Function):
    @staticmethod
    def forward(  # type: ignore[override]
        ctx: Any,
        runner: Runner,
        tables: _ObservableTables,
        initial_state: torch.Tensor,
        *matrices: torch.Tensor | None,
    ) -> torch.Tensor:
        final_state = _run_forward(runner, initial_state, matrices)
        values = runner.expectations(final_state, tables)
        ctx.runner = runner
        ctx.tables = tables
        ctx.matrix_slots = [m is not None for m in matrices]
        ctx.save_for_backward(final_state, *(m for m in matrices if m is not None))
        return values

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, grad_output: torch.Tensor) -> tuple[torch.Tensor | None, ...]:
        runner: Runner = ctx.runner
        state, *stored = ctx.saved_tensors
        stored_iter = iter(stored)
        matrices = [next(stored_iter) if present else None for present in ctx.matrix_slots]
        mu = runner.conjugate_expectation_adjoint(state, ctx.tables, grad_output)
        states, mus = _PingPong(state), _PingPong(mu)
        grads: list[torch.Tensor | None] = [None] * len(matrices)
        for index in reversed(range(len(matrices))):
            matrix = matrices[index]
            if matrix is None:
                before = runner.unapply_monomial(state, index, out=states.free(state))
                new_mu = runner.unapply_monomial(mu, index, out=mus.free(mu))
            else:
                step = runner.program.steps[index]
                assert isinstance(step, Chunk)
                inverse = matrix.conj().transpose(-1, -2)
                before = runner.apply_chunk(state, step, inverse, out=states.free(state))
                if ctx.needs_input_grad[3 + index]:
                    grads[index] = runner.conjugate_chunk_gradient(
                        step, mu, before, per_row=matrix.dim() == 3
                    )
                # conj(U^dagger lambda) = U^T conj(lambda)
                new_mu = runner.apply_chunk(mu, step, matrix.transpose(-1, -2), out=mus.free(mu))
            state, mu = before, new_mu
        return (None, None, mu.conj().resolve_conj(), *grads)
