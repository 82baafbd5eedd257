"""Backend-agnostic differentiation of circuit executions.

Three families of ``diff_method``:

* ``'parameter-shift'``: exact gradients of the expectation values from shifted executions,
  ``d<O>/d(theta) = (<O>(theta + pi/2) - <O>(theta - pi/2)) / 2`` for every rotation gate. All shifted
  rows of a batch go to the backend in ONE call (2 rows per gate occurrence and sample). Works on
  any backend, with or without shots.
* ``'spsa'``: simultaneous-perturbation estimates, two executions per sample whatever the number of
  parameters: ``g ~ (f(theta + c*D) - f(theta - c*D)) / (2c) * D`` with random signs ``D``. Unbiased
  to first order; the choice for paid hardware, where circuits cost money.
* a native method of the backend (``'backprop'``, ``'adjoint'``, ...), computed by the backend's
  own torch code via :meth:`~q_store.QuantumBackend.execute_torch`.

``'auto'`` asks the backend (:meth:`~q_store.QuantumBackend.preferred_diff_method`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import torch
from numpy.typing import NDArray

from q_store.backend import CORE_DIFF_METHODS, QuantumBackend
from q_store.circuits import Circuit, PauliString
from q_store.errors import ArgumentError, CapabilityError

__all__ = [
    "execute_differentiable",
    "parameter_shift_jacobian",
    "resolve_diff_method",
    "spsa_vjp",
]

SHIFT = math.pi / 2
DEFAULT_SPSA_EPSILON = 0.1


def resolve_diff_method(
    backend: QuantumBackend, circuit: Circuit, diff_method: str, *, shots: int | None
) -> str:
    """The concrete gradient method for ``diff_method`` on ``backend``, or a typed error."""
    native = backend.capabilities.native_diff_methods
    if diff_method == "auto":
        return backend.preferred_diff_method(circuit, shots=shots)
    if diff_method in CORE_DIFF_METHODS:
        return diff_method
    if diff_method in native:
        if shots is not None:
            raise CapabilityError(
                f"diff_method {diff_method!r} differentiates exact execution; with shots={shots} "
                f"use 'parameter-shift' or 'spsa'"
            )
        return diff_method
    allowed = ", ".join(("auto", *CORE_DIFF_METHODS, *native))
    raise ArgumentError(
        "diff_method",
        f"backend {backend.name!r} offers {allowed}; got {diff_method!r}",
    )


def parameter_shift_jacobian(
    backend: QuantumBackend,
    circuit: Circuit,
    parameters: NDArray[np.float64],
    observables: Sequence[PauliString],
    *,
    columns: NDArray[np.bool_] | None = None,
    shots: int | None = None,
    seed: int | None = None,
) -> NDArray[np.float64]:
    """``d<O_o>/d(theta_p)`` for every row: an array ``(rows, len(observables), n_parameters)``.

    ``columns`` (a boolean mask over parameter columns) limits the work to the columns whose
    gradient is needed; the others are zero. One backend call carries every shifted row.
    """
    rows = parameters.shape[0]
    expanded, source = circuit.unique_parameter_form
    wanted = np.ones(len(source), dtype=bool) if columns is None else columns[source]
    shifted_columns = np.flatnonzero(wanted)
    jacobian = np.zeros((rows, len(observables), circuit.n_parameters))
    if rows == 0 or shifted_columns.size == 0:
        return jacobian
    base = circuit.expand_parameters(parameters)  # (rows, K)
    k = shifted_columns.size
    shifts = np.zeros((2 * k, base.shape[1]))
    shifts[np.arange(k), shifted_columns] = SHIFT
    shifts[k + np.arange(k), shifted_columns] = -SHIFT
    batch = (base[:, None, :] + shifts[None, :, :]).reshape(rows * 2 * k, base.shape[1])
    values = backend.run(expanded, batch, observables, shots=shots, seed=seed)
    values = values.reshape(rows, 2, k, len(observables))
    per_gate = (values[:, 0] - values[:, 1]) / 2  # (rows, k, O)
    # A column read by several gates collects the gradient of each of them.
    gate_to_column = np.zeros((k, circuit.n_parameters))
    gate_to_column[np.arange(k), source[shifted_columns]] = 1.0
    jacobian[:] = np.einsum("rko,kp->rop", per_gate, gate_to_column)
    return jacobian


def spsa_vjp(
    backend: QuantumBackend,
    circuit: Circuit,
    parameters: NDArray[np.float64],
    observables: Sequence[PauliString],
    upstream: NDArray[np.float64],
    *,
    rng: np.random.Generator,
    epsilon: float = DEFAULT_SPSA_EPSILON,
    columns: NDArray[np.bool_] | None = None,
    shots: int | None = None,
    seed: int | None = None,
) -> NDArray[np.float64]:
    """SPSA estimate of ``upstream . d<O>/d(theta)`` per row: ``(rows, n_parameters)``.

    Two executions per row (one backend call for the whole batch), whatever the number of
    parameters. Perturbations are Rademacher signs drawn from ``rng``.
    """
    rows, n_parameters = parameters.shape
    mask = np.ones(n_parameters, dtype=bool) if columns is None else columns
    if rows == 0 or not mask.any():
        return np.zeros((rows, n_parameters))
    signs: NDArray[np.float64] = rng.choice((-1.0, 1.0), size=(rows, n_parameters)) * mask
    batch = np.concatenate([parameters + epsilon * signs, parameters - epsilon * signs])
    values = backend.run(circuit, batch, observables, shots=shots, seed=seed)
    difference = (values[:rows] - values[rows:]) / (2 * epsilon)  # (rows, O)
    directional: NDArray[np.float64] = np.einsum("ro,ro->r", upstream, difference)
    # For +-1 signs, 1 / sign == sign.
    return directional[:, None] * signs


@attrs.frozen
class _Request:
    backend: QuantumBackend
    circuit: Circuit
    observables: tuple[PauliString, ...]
    diff_method: str
    shots: int | None
    rng: np.random.Generator
    spsa_epsilon: float

    def next_seed(self) -> int | None:
        # A fresh seed per execution: reproducible from the configured seed, but successive
        # batches do not repeat the same sampling noise.
        return None if self.shots is None else int(self.rng.integers(2**31 - 1))


class _HostExecution(torch.autograd.Function):
    """Forward on the backend from numpy rows; backward by parameter shift or SPSA."""

    @staticmethod
    def forward(ctx: Any, inputs: torch.Tensor, weights: torch.Tensor, request: _Request) -> torch.Tensor:
        rows = _host_rows(inputs, weights)
        values = request.backend.run(
            request.circuit, rows, request.observables, shots=request.shots, seed=request.next_seed()
        )
        ctx.request = request
        ctx.rows = rows
        ctx.input_meta = (inputs.dtype, inputs.device)
        ctx.weight_meta = (weights.dtype, weights.device)
        return torch.as_tensor(values, dtype=inputs.dtype, device=inputs.device)

    @staticmethod
    def backward(
        ctx: Any, grad_output: torch.Tensor
    ) -> tuple[torch.Tensor | None, torch.Tensor | None, None]:
        request: _Request = ctx.request
        circuit = request.circuit
        need_inputs, need_weights = ctx.needs_input_grad[0], ctx.needs_input_grad[1]
        columns = np.zeros(circuit.n_parameters, dtype=bool)
        columns[: circuit.n_inputs] = need_inputs
        columns[circuit.n_inputs :] = need_weights
        upstream = grad_output.detach().to("cpu", torch.float64).numpy()
        if request.diff_method == "parameter-shift":
            jacobian = parameter_shift_jacobian(
                request.backend,
                circuit,
                ctx.rows,
                request.observables,
                columns=columns,
                shots=request.shots,
                seed=request.next_seed(),
            )
            per_row = np.einsum("ro,rop->rp", upstream, jacobian)
        else:
            per_row = spsa_vjp(
                request.backend,
                circuit,
                ctx.rows,
                request.observables,
                upstream,
                rng=request.rng,
                epsilon=request.spsa_epsilon,
                columns=columns,
                shots=request.shots,
                seed=request.next_seed(),
            )
        grad_inputs = grad_weights = None
        if need_inputs:
            dtype, device = ctx.input_meta
            grad_inputs = torch.as_tensor(per_row[:, : circuit.n_inputs], dtype=dtype, device=device)
        if need_weights:
            dtype, device = ctx.weight_meta
            # Weights are shared by every row of the batch: their gradient is the sum over rows.
            summed = per_row[:, circuit.n_inputs :].sum(axis=0)
            grad_weights = torch.as_tensor(summed, dtype=dtype, device=device)
        return grad_inputs, grad_weights, None


def _host_rows(inputs: torch.Tensor, weights: torch.Tensor) -> NDArray[np.float64]:
    host_inputs = inputs.detach().to("cpu", torch.float64).numpy()
    host_weights = weights.detach().to("cpu", torch.float64).numpy()
    return np.concatenate(
        [host_inputs, np.broadcast_to(host_weights, (host_inputs.shape[0], host_weights.size))], axis=1
    )


def execute_differentiable(
    backend: QuantumBackend,
    circuit: Circuit,
    inputs: torch.Tensor,
    weights: torch.Tensor,
    observables: Sequence[PauliString],
    *,
    diff_method: str,
    shots: int | None = None,
    rng: np.random.Generator | None = None,
    spsa_epsilon: float = DEFAULT_SPSA_EPSILON,
) -> torch.Tensor:
    """Run ``circuit`` for every row of ``inputs`` with shared ``weights``, differentiably.

    ``diff_method`` must already be resolved (see :func:`resolve_diff_method`). The result has
    shape ``(rows, len(observables))`` on the inputs' device and dtype.
    """
    if diff_method in CORE_DIFF_METHODS:
        request = _Request(
            backend,
            circuit,
            tuple(observables),
            diff_method,
            shots,
            rng if rng is not None else np.random.default_rng(),
            spsa_epsilon,
        )
        result: torch.Tensor = _HostExecution.apply(inputs, weights, request)  # type: ignore[no-untyped-call]
        return result
    return backend.execute_torch(circuit, inputs, weights, observables, diff_method=diff_method)
