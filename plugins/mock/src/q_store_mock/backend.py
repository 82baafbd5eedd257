"""`MockBackend`: the exact local simulator behind ``DatabaseConfig(quantum_sdk='mock')``.

"Mock" is the name the seed document uses for the development backend; nothing here is faked.
It is an exact statevector simulator in torch: complex64 by default (complex128 with
``precision='double'`` or float64 inputs), on the device of the inputs, differentiable by backprop
or by the memory-lean adjoint method, and with a seeded shots mode that samples measurements the
way hardware does, so that code written for hardware can be exercised locally.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import attrs
import numpy as np
import torch
from numpy.typing import NDArray

from q_store import BackendCapabilities, Circuit, LRUCache, PauliString, QuantumBackend
from q_store.errors import ArgumentError, CapabilityError
from q_store_mock.adjoint import AdjointExecution
from q_store_mock.program import Program, compile_circuit
from q_store_mock.statevector import Runner

#: From this many qubits 'auto' picks the adjoint method. Measured on 2 cores (32 rows, depth 2):
#: the two are even at 12-14 qubits; at 16 the adjoint is 20% faster and keeps 3 states instead
#: of one per step.
ADJOINT_FROM_QUBITS = 15
#: Compiled programs kept per backend (a training loop uses one or two).
_CACHE_SIZE = 64

_HADAMARD = np.array([[1, 1], [1, -1]]) / math.sqrt(2)
_S_DAGGER = np.diag([1, -1j])
#: Rotations that turn an X or Y measurement into a Z measurement.
_TO_Z_BASIS = {"X": _HADAMARD, "Y": _HADAMARD @ _S_DAGGER}


class MockBackend(QuantumBackend):
    """Exact batched statevector simulator (torch), with backprop, adjoint and shots modes.

    Options (``DatabaseConfig(backend_options={...})``):
        precision: 'single' (complex64, default) or 'double' (complex128) for :meth:`execute`;
            :meth:`execute_torch` follows the dtype of its inputs.
        device: torch device of :meth:`execute` (default 'cpu'); :meth:`execute_torch` follows
            its inputs.
        max_qubits: largest circuit accepted (default 24: one complex64 state of 24 qubits is
            128 MiB per row).
    """

    name = "mock"
    capabilities = BackendCapabilities(
        max_qubits=24,
        exact=True,
        supports_shots=True,
        supports_samples=True,
        native_diff_methods=("backprop", "adjoint"),
    )

    def __init__(
        self,
        *,
        precision: Literal["single", "double"] = "single",
        device: str | torch.device = "cpu",
        max_qubits: int = 24,
    ) -> None:
        if precision not in ("single", "double"):
            raise ArgumentError("precision", f"must be 'single' or 'double', got {precision!r}")
        if isinstance(max_qubits, bool) or not isinstance(max_qubits, int) or not 1 <= max_qubits <= 30:
            raise ArgumentError("max_qubits", f"must be an integer from 1 to 30, got {max_qubits!r}")
        try:
            self.device = torch.device(device)
        except (RuntimeError, TypeError) as exc:
            raise ArgumentError("device", f"is not a torch device: {device!r} ({exc})") from None
        self.precision = precision
        self.capabilities = attrs.evolve(MockBackend.capabilities, max_qubits=max_qubits)
        self._programs: LRUCache[tuple[Circuit, str], Program] = LRUCache(_CACHE_SIZE)
        self._runners: LRUCache[tuple[Circuit, str, torch.device, torch.dtype], Runner] = LRUCache(
            _CACHE_SIZE
        )

    def preferred_diff_method(self, circuit: Circuit, *, shots: int | None) -> str:
        if shots is not None:
            return "parameter-shift"
        return "adjoint" if circuit.n_qubits >= ADJOINT_FROM_QUBITS else "backprop"

    # ------------------------------------------------------------------ compiled programs

    def _runner(self, circuit: Circuit, mode: str, device: torch.device, cdtype: torch.dtype) -> Runner:
        def compile_program() -> Program:
            if mode == "layer":  # inputs vary per row, weights are shared
                per_row = np.arange(circuit.n_parameters) < circuit.n_inputs
            else:  # every column may vary per row
                per_row = np.ones(circuit.n_parameters, dtype=bool)
            return compile_circuit(circuit, per_row)

        def make_runner() -> Runner:
            program = self._programs.get_or_create((circuit, mode), compile_program)
            return Runner(program, device, cdtype, circuit.n_inputs if mode == "layer" else 0)

        return self._runners.get_or_create((circuit, mode, device, cdtype), make_runner)

    @property
    def _cdtype(self) -> torch.dtype:
        return torch.complex128 if self.precision == "double" else torch.complex64

    def _final_state(self, circuit: Circuit, parameters: NDArray[np.float64]) -> tuple[Runner, torch.Tensor]:
        runner = self._runner(circuit, "rows", self.device, self._cdtype)
        rows = torch.as_tensor(parameters, dtype=runner.rdtype, device=self.device)
        with torch.no_grad():
            state = runner.initial_state(rows)
            state = runner.apply_steps(state, runner.step_matrices(rows, None))
        return runner, state

    # ------------------------------------------------------------------ the backend interface

    def execute(
        self,
        circuit: Circuit,
        parameters: NDArray[np.float64],
        observables: Sequence[PauliString],
        *,
        shots: int | None,
        seed: int | None,
    ) -> NDArray[np.float64]:
        if parameters.shape[0] == 0:
            return np.zeros((0, len(observables)))
        runner, state = self._final_state(circuit, parameters)
        with torch.no_grad():
            if shots is None:
                values = runner.expectations(state, runner.observables(tuple(observables)))
            else:
                values = self._sampled_expectations(runner, state, observables, shots, seed)
        return values.to("cpu", torch.float64).numpy()

    def sample(
        self, circuit: Circuit, parameters: NDArray[np.float64], *, shots: int, seed: int | None
    ) -> NDArray[np.uint8]:
        if parameters.shape[0] == 0:
            return np.zeros((0, shots, circuit.n_qubits), dtype=np.uint8)
        runner, state = self._final_state(circuit, parameters)
        with torch.no_grad():
            indices = self._draw(runner.probabilities(state), shots, seed)
            shifts = torch.arange(circuit.n_qubits - 1, -1, -1, device=indices.device)
            bits = (indices[..., None] >> shifts) & 1
        return bits.to("cpu", torch.uint8).numpy()

    def execute_torch(
        self,
        circuit: Circuit,
        inputs: torch.Tensor,
        weights: torch.Tensor,
        observables: Sequence[PauliString],
        *,
        diff_method: str,
    ) -> torch.Tensor:
        if diff_method not in self.capabilities.native_diff_methods:
            raise CapabilityError(f"backend 'mock' has no native method {diff_method!r}")
        cdtype = torch.complex128 if inputs.dtype == torch.float64 else torch.complex64
        runner = self._runner(circuit, "layer", inputs.device, cdtype)
        rows = inputs.shape[0]
        weights = weights.to(runner.rdtype)
        inputs = inputs.to(runner.rdtype)
        row_parameters = torch.cat([inputs, weights.expand(rows, -1)], dim=1)
        tables = runner.observables(tuple(observables))
        initial = runner.initial_state(row_parameters)
        matrices = runner.step_matrices(row_parameters, weights)
        if diff_method == "adjoint":
            values: torch.Tensor = AdjointExecution.apply(runner, tables, initial, *matrices)
        else:
            values = runner.expectations(runner.apply_steps(initial, matrices), tables)
        return values.to(inputs.dtype)

    # ------------------------------------------------------------------ shots

    def _draw(self, probabilities: torch.Tensor, shots: int, seed: int | None) -> torch.Tensor:
        """Basis-state indices ``(rows, shots)`` drawn from ``probabilities`` ``(2**n, rows)``."""
        generator = torch.Generator(device=probabilities.device)
        if seed is None:
            generator.seed()
        else:
            generator.manual_seed(seed)
        weights = probabilities.T.to(torch.float64).clamp_min(0)
        return torch.multinomial(weights, shots, replacement=True, generator=generator)

    def _sampled_expectations(
        self,
        runner: Runner,
        state: torch.Tensor,
        observables: Sequence[PauliString],
        shots: int,
        seed: int | None,
    ) -> torch.Tensor:
        """Estimate each observable from ``shots`` measurements, as hardware would.

        Diagonal observables share one set of computational-basis shots; each observable with X
        or Y factors gets its own shots after rotating those wires into the Z basis.
        """
        n = runner.n
        seeds = np.random.default_rng(seed).integers(2**62, size=len(observables) + 1)
        shifts = torch.arange(n - 1, -1, -1, device=state.device)
        columns: list[torch.Tensor] = []
        z_bits = None
        for k, observable in enumerate(observables):
            if observable.is_diagonal:
                if z_bits is None:
                    indices = self._draw(runner.probabilities(state), shots, int(seeds[-1]))
                    z_bits = (indices[..., None] >> shifts) & 1
                bits = z_bits
            else:
                rotated = state
                for wire, letter in observable.terms:
                    if letter != "Z":
                        matrix = torch.as_tensor(_TO_Z_BASIS[letter], dtype=state.dtype, device=state.device)
                        rotated = runner.apply_block(rotated, wire, 1, matrix)
                indices = self._draw(runner.probabilities(rotated), shots, int(seeds[k]))
                bits = (indices[..., None] >> shifts) & 1
            wires = list(observable.wires)
            parity = bits[..., wires].sum(-1) % 2 if wires else torch.zeros_like(bits[..., 0])
            columns.append((1 - 2 * parity).to(torch.float64).mean(dim=1))
        return torch.stack(columns, dim=1)
