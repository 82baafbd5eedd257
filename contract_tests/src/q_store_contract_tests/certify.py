"""Certify any installed backend by name: ``pytest --pyargs q_store_contract_tests.certify
--q-store-backend NAME`` (or ``q-store-certify NAME``)."""

from __future__ import annotations

import pytest

from q_store import DatabaseConfig, QuantumBackend, create_backend
from q_store_contract_tests.backend_contract import QuantumBackendContract
from q_store_contract_tests.pytest_plugin import backend_under_certification


class TestCertifyBackend(QuantumBackendContract):
    @pytest.fixture
    def backend(self, request: pytest.FixtureRequest) -> QuantumBackend:
        name, options = backend_under_certification(request.config)
        if name is None:
            pytest.skip("no backend named: pass --q-store-backend NAME")
        return create_backend(DatabaseConfig(quantum_sdk=name, backend_options=options))
