"""Certify any installed backend or vector store by name, with no code:
``q-store-certify NAME`` / ``q-store-certify --store NAME``, or
``pytest --pyargs q_store_contract_tests.certify --q-store-backend NAME``."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from q_store import DatabaseConfig, QuantumBackend, VectorStore, create_backend, create_vector_store
from q_store_contract_tests.backend_contract import QuantumBackendContract
from q_store_contract_tests.pytest_plugin import backend_under_certification, store_under_certification
from q_store_contract_tests.store_contract import VectorStoreContract


class TestCertifyBackend(QuantumBackendContract):
    @pytest.fixture
    def backend(self, request: pytest.FixtureRequest) -> QuantumBackend:
        name, options = backend_under_certification(request.config)
        if name is None:
            pytest.skip("no backend named: pass --q-store-backend NAME")
        return create_backend(DatabaseConfig(quantum_sdk=name, backend_options=options))


class TestCertifyVectorStore(VectorStoreContract):
    @pytest.fixture
    def make_store(self, request: pytest.FixtureRequest) -> Iterator[Callable[..., VectorStore]]:
        name, options_template = store_under_certification(request.config)
        if name is None:
            pytest.skip("no store named: pass --q-store-vector-store NAME")
        stores: list[VectorStore] = []
        with tempfile.TemporaryDirectory(prefix="q-store-certify-") as scratch:

            def make(metric: str = "cosine") -> VectorStore:
                folder = Path(scratch) / f"store-{len(stores)}"
                folder.mkdir()
                options = json.loads(options_template.replace("{tmp}", str(folder)))
                if not isinstance(options, dict):
                    raise pytest.UsageError("--q-store-vector-store-options must be a JSON object")
                config = DatabaseConfig(vector_store=name, vector_store_options=options, metric=metric)  # type: ignore[arg-type]
                stores.append(create_vector_store(config))
                return stores[-1]

            yield make
            for store in stores:
                store.close()
