"""The Qiskit backend passes the shared backend contract with each Aer simulation method."""

from __future__ import annotations

import pytest

from q_store_contract_tests import QuantumBackendContract
from q_store_qiskit import QiskitBackend


class TestQiskitDefault(QuantumBackendContract):
    """Statevector, double precision: rows bound inside Aer."""

    exact_atol = 1e-10

    @pytest.fixture
    def backend(self) -> QiskitBackend:
        return QiskitBackend()


class TestQiskitAutomatic(QuantumBackendContract):
    """Aer chooses the method per row (the rz-angles case starts with a Clifford row)."""

    exact_atol = 1e-10

    @pytest.fixture
    def backend(self) -> QiskitBackend:
        return QiskitBackend(method="automatic")


class TestQiskitStatevectorSingle(QuantumBackendContract):
    # complex64 amplitudes: ~1e-7 per gate, as for the mock's single precision.
    exact_atol = 1e-5

    @pytest.fixture
    def backend(self) -> QiskitBackend:
        return QiskitBackend(method="statevector", precision="single")


class TestQiskitDensityMatrix(QuantumBackendContract):
    exact_atol = 1e-10

    @pytest.fixture
    def backend(self) -> QiskitBackend:
        return QiskitBackend(method="density_matrix")


class TestQiskitMatrixProductState(QuantumBackendContract):
    # Aer's MPS truncates singular values below 1e-16 and its SVDs accumulate ~1e-11 (measured on
    # the contract's random circuits); far below any physical significance.
    exact_atol = 1e-9

    @pytest.fixture
    def backend(self) -> QiskitBackend:
        return QiskitBackend(method="matrix_product_state")
