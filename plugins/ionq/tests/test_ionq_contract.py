"""The IonQ backend passes the shared backend contract against the loopback IonQ server.

Shots mode: the backend is not exact (``exact=False``, ``default_shots`` set); the suite holds its
estimates to 5 standard errors of the dense-matrix reference.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from q_store_contract_tests import QuantumBackendContract
from q_store_ionq import IonQBackend


class TestIonQLoopback(QuantumBackendContract):
    @pytest.fixture
    def backend(self, make_backend: Callable[..., IonQBackend]) -> IonQBackend:
        return make_backend()


class TestIonQLoopbackOneCircuitPerJob(QuantumBackendContract):
    """Every circuit in its own job: results must still come back in row order."""

    @pytest.fixture
    def backend(self, make_backend: Callable[..., IonQBackend]) -> IonQBackend:
        return make_backend(circuits_per_job=1)
