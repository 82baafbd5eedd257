"""The mock backend passes the shared backend contract, in single and double precision."""

from __future__ import annotations

import pytest

from q_store_contract_tests import QuantumBackendContract
from q_store_mock import MockBackend


class TestMockSingle(QuantumBackendContract):
    @pytest.fixture
    def backend(self) -> MockBackend:
        return MockBackend()


class TestMockDouble(QuantumBackendContract):
    exact_atol = 1e-10

    @pytest.fixture
    def backend(self) -> MockBackend:
        return MockBackend(precision="double")
