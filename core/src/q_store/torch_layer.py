"""`QuantumLayer`: a parametrised quantum circuit as a PyTorch ``nn.Module``."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from q_store.backend import QuantumBackend
from q_store.circuits import PauliString, build_ansatz, check_observables, pauli_z_observables
from q_store.config import DatabaseConfig
from q_store.errors import ArgumentError, NonFiniteError, ShapeError
from q_store.gradients import DEFAULT_SPSA_EPSILON, execute_differentiable, resolve_diff_method
from q_store.plugins import create_backend

__all__ = ["QuantumLayer"]


class QuantumLayer(nn.Module):
    """Angle-encode the inputs, apply ``depth`` trained layers, read out Pauli expectations.

    Input ``(batch, n_qubits)`` (or ``(n_qubits,)``); output ``(batch, n_outputs)`` (or
    ``(n_outputs,)``) on the input's device and dtype, where the outputs are ``<Z_q>`` per wire
    unless ``observables`` says otherwise. Values lie in [-1, 1].

    The circuit (see :func:`q_store.build_ansatz`): input ``x_q`` is the angle of a rotation
    about ``encoding_axis`` on wire ``q``; each layer applies ``rotations`` (one trainable angle
    each) to every wire, then CNOTs in the ``entanglement`` pattern.

    Args:
        n_qubits: wires of the circuit, and the width of the input.
        depth: number of trained layers.
        config: selects the backend (``config.quantum_sdk``), shots and seed; default: the exact
            local simulator ('mock').
        entanglement: 'linear', 'circular' or 'full'.
        encoding: 'angle'.
        encoding_axis: 'x', 'y' (default) or 'z'.
        rotations: trained gates per wire and layer, e.g. ``('rx', 'ry')``.
        observables: Pauli strings to read out; default ``<Z_q>`` for every wire.
        diff_method: 'auto', 'parameter-shift', 'spsa', or a native method of the backend such as
            'backprop' or 'adjoint'. 'auto' asks the backend for its best method.
        backend: an already constructed backend (overrides ``config.quantum_sdk``).
        spsa_epsilon: perturbation size of 'spsa'.
    """

    def __init__(
        self,
        n_qubits: int,
        depth: int = 2,
        config: DatabaseConfig | None = None,
        entanglement: str = "linear",
        *,
        encoding: str = "angle",
        encoding_axis: str = "y",
        rotations: Sequence[str] = ("rx", "ry"),
        observables: Sequence[PauliString] | None = None,
        diff_method: str = "auto",
        backend: QuantumBackend | None = None,
        spsa_epsilon: float = DEFAULT_SPSA_EPSILON,
    ) -> None:
        super().__init__()
        if config is not None and not isinstance(config, DatabaseConfig):
            raise ArgumentError("config", f"must be a DatabaseConfig or None, not {type(config).__name__}")
        if not (isinstance(spsa_epsilon, (int, float)) and 0 < spsa_epsilon < math.pi):
            raise ArgumentError("spsa_epsilon", f"must be a number in (0, pi), got {spsa_epsilon!r}")
        # Build (and so validate) the circuit before touching the backend: bad arguments fail
        # fast and nothing is allocated for a circuit that cannot run.
        circuit = build_ansatz(
            n_qubits,
            depth,
            entanglement=entanglement,
            encoding=encoding,
            encoding_axis=encoding_axis,
            rotations=rotations,
        )
        self.config = config if config is not None else DatabaseConfig()
        if backend is not None and not isinstance(backend, QuantumBackend):
            raise ArgumentError("backend", f"must be a QuantumBackend, not {type(backend).__name__}")
        self.backend = backend if backend is not None else create_backend(self.config)
        self.backend.check_circuit(circuit)
        if observables is None:
            observables = pauli_z_observables(n_qubits)
        self.observables = check_observables(observables, n_qubits)
        if not self.observables:
            raise ArgumentError("observables", "must contain at least one PauliString")
        self.circuit = circuit
        self.n_qubits = n_qubits
        self.depth = depth
        self.entanglement = entanglement
        self.rotations = tuple(rotations)
        self.diff_method = resolve_diff_method(self.backend, circuit, diff_method, shots=self.config.shots)
        self.spsa_epsilon = float(spsa_epsilon)
        self._rng = np.random.default_rng(self.config.seed)
        self.weights = nn.Parameter(torch.empty(depth, n_qubits, len(self.rotations)))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw every angle uniformly from [0, 2*pi) with torch's global generator."""
        with torch.no_grad():
            self.weights.uniform_(0.0, 2 * math.pi)

    @property
    def n_outputs(self) -> int:
        return len(self.observables)

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        if not isinstance(inputs, torch.Tensor):
            raise ArgumentError("inputs", f"must be a torch.Tensor, not {type(inputs).__name__}")
        unbatched = inputs.dim() == 1
        batch = inputs.unsqueeze(0) if unbatched else inputs
        if batch.dim() != 2 or batch.shape[1] != self.n_qubits:
            raise ShapeError(
                "inputs",
                f"must have shape (batch, {self.n_qubits}) or ({self.n_qubits},); got {tuple(inputs.shape)}",
            )
        if not batch.is_floating_point():
            raise ArgumentError("inputs", f"must be a floating-point tensor, got {inputs.dtype}")
        # A finite sum proves every element finite (NaN and inf propagate); only when the sum is
        # not finite (which huge finite values can also cause) is the element-wise test needed.
        if not bool(torch.isfinite(batch.sum())) and not bool(torch.isfinite(batch).all()):
            raise NonFiniteError("inputs", "contains NaN or infinity")
        if batch.shape[0] == 0:  # nothing to run; backends need not handle empty batches
            empty = batch.new_zeros(0, self.n_outputs)
            return empty.squeeze(0) if unbatched else empty
        weights = self.weights.reshape(-1).to(dtype=batch.dtype, device=batch.device)
        outputs = execute_differentiable(
            self.backend,
            self.circuit,
            batch,
            weights,
            self.observables,
            diff_method=self.diff_method,
            shots=self.config.shots,
            rng=self._rng,
            spsa_epsilon=self.spsa_epsilon,
        )
        return outputs.squeeze(0) if unbatched else outputs

    def extra_repr(self) -> str:
        return (
            f"n_qubits={self.n_qubits}, depth={self.depth}, entanglement={self.entanglement!r}, "
            f"backend={self.backend.name!r}, diff_method={self.diff_method!r}"
        )
