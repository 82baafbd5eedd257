"""Batched statevector kernels in torch, for a compiled :class:`~q_store_mock.program.Program`.

Layout: a batch of states is a tensor ``(2**n, rows)``: the basis index first, the row LAST.
With the row last, a block on wires ``[a, a+k)`` is a plain matrix product on the view
``(2**a, 2**k, rest)``, and a permutation of basis states gathers whole contiguous rows of
memory; with the row first, both need strided copies (measured 3x slower at 20 qubits).

Every function here is differentiable by torch's autograd (the 'backprop' method); ``adjoint.py``
reuses them to run the same steps without storing intermediate states.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from q_store import PauliString
from q_store_mock.program import Chunk, GateGrid, Monomial, PauliTable, Program, pauli_table


class _GridTensors:
    __slots__ = ("columns", "constant", "cos_part", "fixed", "sin_part")

    def __init__(
        self, grid: GateGrid, device: torch.device, cdtype: torch.dtype, column_offset: int = 0
    ) -> None:
        self.columns = torch.as_tensor(
            grid.columns - column_offset if grid.parametric else grid.columns, device=device
        )
        self.fixed = torch.as_tensor(grid.fixed, dtype=cdtype, device=device)
        self.cos_part = torch.as_tensor(grid.cos_part, dtype=cdtype, device=device)
        self.sin_part = torch.as_tensor(grid.sin_part, dtype=cdtype, device=device)
        # A grid of fixed gates is the same matrix on every call: multiply it out once.
        self.constant = None if grid.parametric else _moment_product(self.fixed)


def _moment_product(matrices: torch.Tensor) -> torch.Tensor:
    """``(..., M, W, 2, 2)`` -> ``(..., W, 2, 2)``: each wire's gates multiplied in time order."""
    moments = matrices.unbind(-4)
    product = moments[0]
    for matrix in moments[1:]:
        product = matrix @ product
    return product


# At 4 qubits a forward pass is a few dozen small kernels, so the helpers below are written for
# few Python-level torch calls (measured: torch.kron for one shared matrix is 2x faster than a
# loop of broadcast products; reshape-based broadcasting beats indexing with None).


def _kron(per_wire: torch.Tensor) -> torch.Tensor:
    """``(..., W, 2, 2)`` -> ``(..., 2**W, 2**W)``, first wire most significant."""
    factors = list(per_wire.unbind(-3))
    if per_wire.dim() == 3:
        while len(factors) > 1:  # a balanced tree of torch.kron
            pairs = [torch.kron(a, b) for a, b in zip(factors[0::2], factors[1::2], strict=False)]
            factors = pairs + factors[len(pairs) * 2 :]
        return factors[0]
    batch = per_wire.shape[:-3]
    matrix = factors[0]
    for factor in factors[1:]:
        d = matrix.shape[-1]
        matrix = (matrix.reshape(*batch, d, 1, d, 1) * factor.reshape(*batch, 1, 2, 1, 2)).reshape(
            *batch, 2 * d, 2 * d
        )
    return matrix


def _product_state(vectors: torch.Tensor) -> torch.Tensor:
    """``(rows, W, 2)`` one-qubit states -> their tensor product ``(2**W, rows)``, row last."""
    rows = vectors.shape[0]
    factors = vectors.permute(1, 2, 0).unbind(0)
    state = factors[0]
    for factor in factors[1:]:
        d = state.shape[0]
        state = (state.reshape(d, 1, rows) * factor.reshape(1, 2, rows)).reshape(2 * d, rows)
    return state


class Runner:
    """A program bound to a device and complex dtype: constant tables live on that device.

    Shared chunks read their angles from a vector of the shared columns only (the weights), whose
    first entry is column ``shared_offset`` of the circuit.
    """

    def __init__(
        self, program: Program, device: torch.device, cdtype: torch.dtype, shared_offset: int = 0
    ) -> None:
        self.program = program
        self.device = device
        self.cdtype = cdtype
        self.rdtype = torch.float64 if cdtype == torch.complex128 else torch.float32
        self.n = program.n_qubits
        self.product = _GridTensors(program.product, device, cdtype) if program.product is not None else None
        self.grids = [
            _GridTensors(step.grid, device, cdtype, 0 if step.per_row else shared_offset)
            if isinstance(step, Chunk)
            else None
            for step in program.steps
        ]
        self.gathers = [
            _index(step.gather, device) if isinstance(step, Monomial) else None for step in program.steps
        ]
        self.inverse_gathers = [
            _index(step.inverse_gather, device) if isinstance(step, Monomial) else None
            for step in program.steps
        ]
        self.phases = [
            torch.as_tensor(step.phase, dtype=self.rdtype, device=device)[:, None]
            if isinstance(step, Monomial) and step.phase is not None
            else None
            for step in program.steps
        ]
        # Undoing new = phase * old[gather] is old = (phase * new)[inverse] = new[inverse] * phase[inverse].
        self.inverse_phases = [
            phase if gather is None or phase is None else phase.index_select(0, gather)
            for phase, gather in zip(self.phases, self.inverse_gathers, strict=True)
        ]
        self._observable_cache: dict[tuple[PauliString, ...], _ObservableTables] = {}

    # ------------------------------------------------------------------ building matrices

    def _grid_matrices(self, grid: _GridTensors, parameters: torch.Tensor) -> torch.Tensor:
        """Each wire's gate product; ``parameters`` is ``(rows, P)`` or shared ``(P,)``."""
        if grid.constant is not None:
            return grid.constant
        theta = parameters[..., grid.columns]
        half = (theta * 0.5).reshape(*theta.shape, 1, 1)
        matrices = torch.addcmul(grid.fixed, torch.cos(half), grid.cos_part)
        matrices = torch.addcmul(matrices, torch.sin(half), grid.sin_part)
        return _moment_product(matrices)

    def initial_state(self, row_parameters: torch.Tensor) -> torch.Tensor:
        """The state after the product stage, ``(2**n, rows)``."""
        rows = row_parameters.shape[0]
        if self.product is None:
            state = torch.zeros(2**self.n, rows, dtype=self.cdtype, device=self.device)
            state[0] = 1
            return state
        per_wire = self._grid_matrices(self.product, row_parameters)
        if per_wire.dim() == 3:  # constant grid: the same vectors for every row
            per_wire = per_wire.expand(rows, -1, -1, -1)
        return _product_state(per_wire[..., :, 0])  # each wire's gates applied to |0>

    def step_matrices(
        self, row_parameters: torch.Tensor, shared_parameters: torch.Tensor | None
    ) -> list[torch.Tensor | None]:
        """Dense matrix of every chunk: ``(d, d)`` when shared, ``(rows, d, d)`` when per row.

        ``shared_parameters`` holds the shared columns (see the class docstring); None means every
        column varies by row.
        """
        matrices: list[torch.Tensor | None] = []
        for step, grid in zip(self.program.steps, self.grids, strict=True):
            if grid is None:
                matrices.append(None)
                continue
            assert isinstance(step, Chunk)
            shared = not step.per_row and shared_parameters is not None
            parameters = shared_parameters if shared else row_parameters
            assert parameters is not None
            matrices.append(_kron(self._grid_matrices(grid, parameters)))
        return matrices

    # ------------------------------------------------------------------ applying steps

    def apply_chunk(
        self, state: torch.Tensor, chunk: Chunk, matrix: torch.Tensor, out: torch.Tensor | None = None
    ) -> torch.Tensor:
        return self.apply_block(state, chunk.first, chunk.width, matrix, out)

    def apply_block(
        self,
        state: torch.Tensor,
        first: int,
        width: int,
        matrix: torch.Tensor,
        out: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Apply a ``(d, d)`` (shared) or ``(rows, d, d)`` matrix to wires ``[first, first+width)``.

        ``out``, a buffer shaped like ``state``, is used when the kernel can write into it (shared
        matrices): at 20 qubits a fresh 256 MiB result costs as much in page faults as the
        arithmetic. The result is returned either way.
        """
        rows = state.shape[1]
        left = 1 << first
        dim = 1 << width
        right = (1 << (self.n - first - width)) * rows
        if matrix.dim() == 3:
            view = state.reshape(left, dim, right // rows, rows)
            return torch.einsum("bij,ljrb->lirb", matrix, view).reshape(-1, rows)
        view = state.reshape(left, dim, right)
        if out is None:
            result = matrix @ view[0] if left == 1 else torch.matmul(matrix, view)
            return result.reshape(-1, rows)
        target = out.view(left, dim, right)  # buffers are contiguous (see adjoint._buffer_like)
        if left == 1:
            torch.mm(matrix, view[0], out=target[0])
        else:
            torch.matmul(matrix, view, out=target)
        return out

    def conjugate_chunk_gradient(
        self, chunk: Chunk, conj_adjoint: torch.Tensor, before: torch.Tensor, per_row: bool
    ) -> torch.Tensor:
        """d(loss)/d(matrix) of a chunk, ``sum over other axes of lambda (x) conj(before)``.

        Takes ``conj(lambda)`` and uses ``lambda b^H = conj(conj(lambda) b^T)``: conjugating the
        small result instead of a whole state saves a full pass (measured 2x at 20 qubits).
        """
        rows = before.shape[1]
        left = 1 << chunk.first
        dim = 1 << chunk.width
        right = 1 << (self.n - chunk.first - chunk.width)
        if per_row:
            shape = (left, dim, right, rows)
            return torch.einsum("lirb,ljrb->bij", conj_adjoint.reshape(shape), before.reshape(shape)).conj()
        shape = (left, dim, right * rows)
        a, b = conj_adjoint.reshape(shape), before.reshape(shape)
        if left == 1:
            return (a[0] @ b[0].T).conj()
        # Sum of per-block products, in slices that keep the (slice, d, d) partials small.
        step = max(1, (1 << 20) // (dim * dim))
        total = torch.zeros(dim, dim, dtype=a.dtype, device=a.device)
        for start in range(0, left, step):
            total += torch.bmm(a[start : start + step], b[start : start + step].transpose(1, 2)).sum(0)
        return total.conj()

    def apply_monomial(
        self, state: torch.Tensor, index: int, out: torch.Tensor | None = None
    ) -> torch.Tensor:
        return self._monomial(state, self.gathers[index], self.phases[index], out)

    def unapply_monomial(
        self, state: torch.Tensor, index: int, out: torch.Tensor | None = None
    ) -> torch.Tensor:
        return self._monomial(state, self.inverse_gathers[index], self.inverse_phases[index], out)

    @staticmethod
    def _monomial(
        state: torch.Tensor,
        gather: torch.Tensor | None,
        phase: torch.Tensor | None,
        out: torch.Tensor | None,
    ) -> torch.Tensor:
        if gather is not None:
            state = (
                torch.index_select(state, 0, gather, out=out)
                if out is not None
                else state.index_select(0, gather)
            )
            if phase is not None:
                state = state.mul_(phase) if out is not None else state * phase
            return state
        if phase is not None:
            return torch.mul(state, phase, out=out) if out is not None else state * phase
        return state

    def apply_steps(self, state: torch.Tensor, matrices: Sequence[torch.Tensor | None]) -> torch.Tensor:
        for index, (step, matrix) in enumerate(zip(self.program.steps, matrices, strict=True)):
            if isinstance(step, Monomial):
                state = self.apply_monomial(state, index)
            else:
                assert matrix is not None
                state = self.apply_chunk(state, step, matrix)
        return state

    # ------------------------------------------------------------------ measuring

    def observables(self, observables: tuple[PauliString, ...]) -> _ObservableTables:
        tables = self._observable_cache.get(observables)
        if tables is None:
            tables = _ObservableTables(observables, self.n, self.device, self.rdtype)
            self._observable_cache[observables] = tables
        return tables

    def expectations(self, state: torch.Tensor, tables: _ObservableTables) -> torch.Tensor:
        """``<psi|O|psi>`` for every row and observable: ``(rows, n_observables)``."""
        parts = []
        if tables.diagonal_signs is not None:
            parts.append(tables.diagonal_signs @ self.probabilities(state))  # (O_diag, rows)
        for table in tables.general:
            applied = _apply_pauli(state, table)
            parts.append((state.conj() * applied).real.sum(0, keepdim=True))
        values = parts[0] if len(parts) == 1 else torch.cat(parts)
        if tables.order is not None:
            values = values[tables.order]
        return values.T

    def conjugate_expectation_adjoint(
        self, state: torch.Tensor, tables: _ObservableTables, grad_output: torch.Tensor
    ) -> torch.Tensor:
        """``conj(d(loss)/d(state))`` for ``loss = sum(g * expectations(state))``.

        ``d(loss)/d(state) = 2 sum_o g_o O_o psi`` (torch's convention for complex gradients);
        its conjugate is what the adjoint pass carries (see ``conjugate_chunk_gradient``).
        """
        grad = (2 * grad_output.T).to(self.rdtype)
        if tables.inverse_order is not None:
            grad = grad[tables.inverse_order]
        conj_state = state.conj()
        result = torch.zeros_like(state)
        offset = 0
        if tables.diagonal_signs is not None:
            offset = tables.diagonal_signs.shape[0]
            weights = tables.diagonal_signs.T @ grad[:offset]  # (2**n, rows), real
            torch.mul(conj_state, weights, out=result)
        for k, table in enumerate(tables.general):
            applied = _apply_pauli(conj_state, table, conjugate_factor=True)
            result.add_(applied * grad[offset + k][None, :])
        return result

    def probabilities(self, state: torch.Tensor) -> torch.Tensor:
        return torch.view_as_real(state).square().sum(-1)


def _apply_pauli(
    state: torch.Tensor, table: _PauliTensors, *, conjugate_factor: bool = False
) -> torch.Tensor:
    source = state.index_select(0, table.gather) if table.gather is not None else state
    factor = table.factor.conjugate() if conjugate_factor else table.factor
    return (factor * table.sign) * source


class _PauliTensors:
    __slots__ = ("factor", "gather", "sign")

    def __init__(self, table: PauliTable, device: torch.device, rdtype: torch.dtype) -> None:
        self.gather = _index(table.gather, device)
        self.sign = torch.as_tensor(table.sign, dtype=rdtype, device=device)[:, None]
        self.factor = table.factor


class _ObservableTables:
    """Diagonal observables share one matrix product; others each need a gathered copy."""

    def __init__(
        self, observables: tuple[PauliString, ...], n: int, device: torch.device, rdtype: torch.dtype
    ) -> None:
        diagonal = [i for i, o in enumerate(observables) if o.is_diagonal]
        general = [i for i, o in enumerate(observables) if not o.is_diagonal]
        self.diagonal_signs = None
        if diagonal:
            signs = np.stack([pauli_table(observables[i], n).sign for i in diagonal])
            self.diagonal_signs = torch.as_tensor(signs, dtype=rdtype, device=device)
        self.general = [_PauliTensors(pauli_table(observables[i], n), device, rdtype) for i in general]
        permutation = diagonal + general
        self.order: torch.Tensor | None = None
        self.inverse_order: torch.Tensor | None = None
        if permutation != sorted(permutation):
            self.inverse_order = torch.as_tensor(permutation, device=device)
            self.order = torch.as_tensor(np.argsort(permutation), device=device)


def _index(array: np.ndarray | None, device: torch.device) -> torch.Tensor | None:
    return None if array is None else torch.as_tensor(array, dtype=torch.long, device=device)
