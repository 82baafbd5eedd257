"""A minimal third-party-style backend for the tests: plain numpy, dense matrices, no torch.

It shows how little a backend needs (one method) and gives the layer a backend that shares no
code with the mock simulator, so that agreement between the two means something.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from q_store import BackendCapabilities, Circuit, PauliString, QuantumBackend
from q_store_contract_tests import reference


class DenseBackend(QuantumBackend):
    name = "dense"
    capabilities = BackendCapabilities(max_qubits=8, supports_shots=False)

    def __init__(self) -> None:
        self.calls: list[int] = []  # rows per execute call, for tests that count round trips

    def execute(
        self,
        circuit: Circuit,
        parameters: NDArray[np.float64],
        observables: Sequence[PauliString],
        *,
        shots: int | None,
        seed: int | None,
    ) -> NDArray[np.float64]:
        self.calls.append(parameters.shape[0])
        return reference.expectations(circuit, parameters, observables)
