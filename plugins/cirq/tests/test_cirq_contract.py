"""The Cirq backend passes the shared backend contract with each simulator and precision."""

from __future__ import annotations

import pytest

from q_store_cirq import CirqBackend
from q_store_contract_tests import QuantumBackendContract


class TestCirqBatched(QuantumBackendContract):
    """The default: all rows at once through cirq.apply_unitary, complex64."""

    @pytest.fixture
    def backend(self) -> CirqBackend:
        return CirqBackend()


class TestCirqBatchedDouble(QuantumBackendContract):
    exact_atol = 1e-10

    @pytest.fixture
    def backend(self) -> CirqBackend:
        return CirqBackend(dtype="complex128")


class TestCirqSparseSimulator(QuantumBackendContract):
    """cirq.Simulator over a parameter sweep, one simulation per row."""

    @pytest.fixture
    def backend(self) -> CirqBackend:
        return CirqBackend(simulator="sparse")
