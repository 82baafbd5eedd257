"""`CirqBackend`: Q-Store circuits on Google's Cirq, behind ``DatabaseConfig(quantum_sdk='cirq')``."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import ClassVar, Final, Protocol

import attrs
import numpy as np
from numpy.typing import NDArray

from q_store import BackendCapabilities, Circuit, PauliString, QuantumBackend
from q_store.errors import ArgumentError
from q_store_cirq.batched import BatchedEngine
from q_store_cirq.measurement import exact_expectations, sample_bitstrings, sampled_expectations
from q_store_cirq.sweep import SweepEngine
from q_store_cirq.translate import CirqProgram, translate

__all__ = ["CirqBackend"]

SIMULATORS: Final = ("batched", "sparse")
DTYPES: Final[Mapping[str, type[np.complexfloating]]] = {
    "complex64": np.complex64,
    "complex128": np.complex128,
}
#: Default and largest accepted ``max_qubits``. At 24 qubits one complex64 state is 128 MiB; the
#: engines hold three per chunk of rows. 28 (2 GiB per complex64 state) is the most a machine of
#: this project's class (24 GiB) can hold with room for the measurement copies.
DEFAULT_MAX_QUBITS: Final = 24
LARGEST_MAX_QUBITS: Final = 28
#: Amplitudes simulated at once: rows are processed in chunks of ``CHUNK_AMPLITUDES >> n`` so
#: that memory stays bounded (about 32 MiB per complex64 array) whatever the batch. The seed
#: layer's largest request (1280 rows of 16 amplitudes) is a single chunk.
CHUNK_AMPLITUDES: Final = 2**22


class StateEngine(Protocol):
    def final_states(
        self, program: CirqProgram, parameters: NDArray[np.float64]
    ) -> NDArray[np.complexfloating]: ...


class CirqBackend(QuantumBackend):
    """Exact and shot-based state-vector simulation with Cirq.

    Options (``DatabaseConfig(backend_options={...})``):
        simulator: 'batched' (default) simulates all parameter rows of a request at once through
            ``cirq.apply_unitary`` on a ``(rows, 2, ..., 2)`` tensor; 'sparse' runs
            ``cirq.Simulator`` (Cirq's sparse state-vector simulator) over a parameter sweep, one
            simulation per row, about 500 times slower on the seed layer.
        dtype: 'complex64' (default, as ``cirq.Simulator``) or 'complex128' (also
            ``np.complex64`` / ``np.complex128``).
        max_qubits: largest circuit accepted, 1 to 28 (default 24).
    """

    name: ClassVar[str] = "cirq"
    capabilities = BackendCapabilities(
        max_qubits=DEFAULT_MAX_QUBITS,
        exact=True,
        supports_shots=True,
        supports_samples=True,
    )

    def __init__(
        self,
        *,
        simulator: str = "batched",
        dtype: str | type[np.complexfloating] = "complex64",
        max_qubits: int = DEFAULT_MAX_QUBITS,
    ) -> None:
        if simulator not in SIMULATORS:
            raise ArgumentError("simulator", f"must be one of {', '.join(SIMULATORS)}; got {simulator!r}")
        complex_dtype = _complex_dtype(dtype)
        if (
            isinstance(max_qubits, bool)
            or not isinstance(max_qubits, int)
            or not 1 <= max_qubits <= LARGEST_MAX_QUBITS
        ):
            raise ArgumentError(
                "max_qubits", f"must be an integer from 1 to {LARGEST_MAX_QUBITS}, got {max_qubits!r}"
            )
        self.simulator = simulator
        self.dtype = complex_dtype
        self.capabilities = attrs.evolve(CirqBackend.capabilities, max_qubits=max_qubits)
        self._engine: StateEngine = (
            BatchedEngine(complex_dtype) if simulator == "batched" else SweepEngine(complex_dtype)
        )

    def __repr__(self) -> str:
        return f"CirqBackend(simulator={self.simulator!r}, dtype={np.dtype(self.dtype).name!r})"

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
        program = translate(circuit)
        observables = tuple(observables)
        values = np.empty((parameters.shape[0], len(observables)))
        rng = np.random.default_rng(seed)
        for rows, states in self._final_states(program, parameters):
            if shots is None:
                values[rows] = exact_expectations(states, observables)
            else:
                values[rows] = sampled_expectations(states, observables, shots, rng)
        return values

    def sample(
        self, circuit: Circuit, parameters: NDArray[np.float64], *, shots: int, seed: int | None
    ) -> NDArray[np.uint8]:
        program = translate(circuit)
        samples = np.empty((parameters.shape[0], shots, circuit.n_qubits), dtype=np.uint8)
        rng = np.random.default_rng(seed)
        for rows, states in self._final_states(program, parameters):
            samples[rows] = sample_bitstrings(states, shots, rng)
        return samples

    def _final_states(
        self, program: CirqProgram, parameters: NDArray[np.float64]
    ) -> Iterator[tuple[slice, NDArray[np.complexfloating]]]:
        """Final states chunk by chunk of rows, so that memory stays bounded."""
        chunk = max(1, CHUNK_AMPLITUDES >> program.n_qubits)
        for start in range(0, parameters.shape[0], chunk):
            rows = slice(start, start + chunk)
            yield rows, self._engine.final_states(program, parameters[rows])


def _complex_dtype(dtype: object) -> type[np.complexfloating]:
    for name, numpy_type in DTYPES.items():
        if dtype == name or dtype is numpy_type:
            return numpy_type
    raise ArgumentError("dtype", f"must be 'complex64' or 'complex128', got {dtype!r}")
