"""`QiskitBackend`: Q-Store circuits on Qiskit Aer, a whole batch per primitive call.

Each circuit is translated once (see translate.py; cached per Circuit) into a parametrised
``QuantumCircuit``. A batch of parameter rows becomes ONE primitive call whose PUB carries a
``BindingsArray`` of all rows:

* exact mode: Aer's ``EstimatorV2`` with precision 0 (exact expectation values, no added noise);
  the PUB's observables have shape ``(1, n_observables)`` and its bindings ``(rows, 1)``, so the
  result broadcasts to ``(rows, n_observables)``;
* shots: Aer's ``SamplerV2`` seeded with ``seed``; one PUB per measurement setting (see
  measurement.py), all in the same call.

Both primitives bind the rows inside Aer's C++ engine (``runtime_parameter_bind_enable``, see
``AerOptions.run_options`` for why the 'automatic' method does not).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final, TypeVar

import attrs
import numpy as np
from numpy.typing import NDArray
from qiskit.circuit import QuantumCircuit
from qiskit.exceptions import QiskitError
from qiskit.quantum_info import SparsePauliOp
from qiskit_aer.primitives import EstimatorV2, SamplerV2

from q_store import BackendCapabilities, Circuit, LRUCache, PauliString, QuantumBackend
from q_store.errors import ArgumentError, BackendError
from q_store_qiskit.measurement import bits_by_wire, estimate, group_by_basis
from q_store_qiskit.options import AerOptions, Method, Precision
from q_store_qiskit.translate import (
    MEASUREMENT_REGISTER,
    SUPPORTED_GATES,
    TranslatedCircuit,
    measured_circuit,
    to_sparse_pauli_op,
    translate_circuit,
)

__all__ = ["QiskitBackend"]

#: Aer's ``seed_simulator`` is a signed 64-bit integer.
_MAX_SEED: Final = 2**63 - 1
#: Translations kept per backend (a training loop uses two: the layer and its shifted form).
_CACHE_SIZE: Final = 64

T = TypeVar("T")


class QiskitBackend(QuantumBackend):
    """Qiskit Aer behind ``DatabaseConfig(quantum_sdk='qiskit')``.

    Options (``DatabaseConfig(backend_options={...})``):
        method: Aer simulation method: 'statevector' (default: what Aer's 'automatic' picks for
            circuits with arbitrary rotations), 'density_matrix', 'matrix_product_state' or
            'automatic' (Aer chooses per row; slower, see ``AerOptions.run_options``).
        precision: 'double' (default) or 'single'.
        device: 'CPU' (default) or another device of this Aer build ('GPU' with qiskit-aer-gpu).
        max_qubits: refuse circuits wider than this (default and upper bound: what Aer accepts
            for the method on this machine).
    """

    name = "qiskit"
    #: For listings. Each instance declares the limit Aer reports for its own method on the
    #: machine it runs on (statevector: 30 qubits with 24 GiB; matrix_product_state: 63).
    capabilities = BackendCapabilities(
        max_qubits=30,
        exact=True,
        supports_shots=True,
        supports_samples=True,
        gates=SUPPORTED_GATES,
    )

    def __init__(
        self,
        *,
        method: Method = "statevector",
        precision: Precision = "double",
        device: str = "CPU",
        max_qubits: int | None = None,
    ) -> None:
        self.options = AerOptions.validate(
            method=method, precision=precision, device=device, max_qubits=max_qubits
        )
        self.capabilities = attrs.evolve(QiskitBackend.capabilities, max_qubits=self.options.max_qubits)
        self._primitive_options: dict[str, Any] = {
            "backend_options": self.options.simulator_options(),
            "run_options": self.options.run_options(),
        }
        self._estimator = EstimatorV2(options={"default_precision": 0.0, **self._primitive_options})
        self._translations: LRUCache[Circuit, TranslatedCircuit] = LRUCache(_CACHE_SIZE)
        self._measured: LRUCache[tuple[Circuit, tuple[tuple[int, str], ...]], QuantumCircuit] = LRUCache(
            _CACHE_SIZE
        )
        self._operators: LRUCache[tuple[int, tuple[PauliString, ...]], list[SparsePauliOp]] = LRUCache(
            _CACHE_SIZE
        )

    def __repr__(self) -> str:
        o = self.options
        return (
            f"QiskitBackend(method={o.method!r}, precision={o.precision!r}, device={o.device!r}, "
            f"max_qubits={o.max_qubits})"
        )

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
        rows = parameters.shape[0]
        if rows == 0 or not observables:
            return np.zeros((rows, len(observables)))
        translated = self._translations.get_or_create(circuit, lambda: translate_circuit(circuit))
        if shots is None:
            return self._exact(translated, parameters, observables)
        return self._from_shots(circuit, translated, parameters, observables, shots, _aer_seed(seed))

    def sample(
        self, circuit: Circuit, parameters: NDArray[np.float64], *, shots: int, seed: int | None
    ) -> NDArray[np.uint8]:
        rows = parameters.shape[0]
        if rows == 0:
            return np.zeros((0, shots, circuit.n_qubits), dtype=np.uint8)
        translated = self._translations.get_or_create(circuit, lambda: translate_circuit(circuit))
        [bits] = self._measure(circuit, translated, parameters, [()], shots, _aer_seed(seed))
        return bits.astype(np.uint8)

    # ------------------------------------------------------------------ exact values

    def _exact(
        self,
        translated: TranslatedCircuit,
        parameters: NDArray[np.float64],
        observables: Sequence[PauliString],
    ) -> NDArray[np.float64]:
        n = translated.circuit.num_qubits
        key = (n, tuple(observables))
        operators = [
            self._operators.get_or_create(key, lambda: [to_sparse_pauli_op(o, n) for o in observables])
        ]
        if translated.is_parametrised:
            # Observables (1, n_observables) against bindings (rows, 1): a (rows, n_observables) grid.
            pub: tuple[Any, ...] = (
                translated.circuit,
                operators,
                translated.bindings(parameters, observable_axis=True),
            )
        else:
            # Every row runs the same circuit: one exact evaluation serves them all (Aer also
            # refuses a parameter-free PUB with several bindings).
            pub = (translated.circuit, operators)
        result = self._call(lambda: self._estimator.run([pub], precision=0.0).result())
        values = np.asarray(result[0].data.evs, dtype=np.float64)
        return np.array(np.broadcast_to(values, (parameters.shape[0], len(observables))))

    # ------------------------------------------------------------------ shots

    def _from_shots(
        self,
        circuit: Circuit,
        translated: TranslatedCircuit,
        parameters: NDArray[np.float64],
        observables: Sequence[PauliString],
        shots: int,
        seed: int | None,
    ) -> NDArray[np.float64]:
        groups = group_by_basis(observables)
        measured = self._measure(circuit, translated, parameters, [g.rotations for g in groups], shots, seed)
        values = np.empty((parameters.shape[0], len(observables)))
        for group, bits in zip(groups, measured, strict=True):
            for index in group.members:
                values[:, index] = estimate(bits, observables[index])
        return values

    def _measure(
        self,
        circuit: Circuit,
        translated: TranslatedCircuit,
        parameters: NDArray[np.float64],
        bases: Sequence[tuple[tuple[int, str], ...]],
        shots: int,
        seed: int | None,
    ) -> list[NDArray[np.bool_]]:
        """Bits ``(rows, shots, n_qubits)`` for each measurement basis, from ONE sampler call."""
        rows = parameters.shape[0]
        circuits = [self._measured_circuit(circuit, translated, basis) for basis in bases]
        if translated.is_parametrised:
            bindings = translated.bindings(parameters, observable_axis=False)
            pubs: list[tuple[Any, ...]] = [(c, bindings, shots) for c in circuits]
        else:
            # Without parameters every row is the same experiment: rows * shots independent shots
            # of one circuit, split into rows, are distributed exactly like per-row shots.
            pubs = [(c, None, rows * shots) for c in circuits]
        sampler = SamplerV2(seed=seed, options=self._primitive_options)
        results = self._call(lambda: sampler.run(pubs).result())
        return [bits_by_wire(r.data[MEASUREMENT_REGISTER], rows, shots) for r in results]

    def _measured_circuit(
        self, circuit: Circuit, translated: TranslatedCircuit, basis: tuple[tuple[int, str], ...]
    ) -> QuantumCircuit:
        return self._measured.get_or_create(
            (circuit, basis), lambda: measured_circuit(translated.circuit, basis)
        )

    # ------------------------------------------------------------------ errors

    def _call(self, job: Callable[[], T]) -> T:
        """Run a primitive job; Qiskit's and Aer's failures become BackendError."""
        try:
            return job()
        except QiskitError as exc:
            raise BackendError(
                f"backend 'qiskit' (Aer method {self.options.method!r}, device {self.options.device!r}) "
                f"failed: {exc}"
            ) from exc


def _aer_seed(seed: int | None) -> int | None:
    if seed is not None and seed > _MAX_SEED:
        raise ArgumentError("seed", f"Aer takes seeds from 0 to 2**63 - 1; got {seed}")
    return None if seed is None else int(seed)
