"""The shared store contract against the loopback server: connected by index name (the store
creates its index), connected by host, and with 20% of the data-plane requests failing."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from pinecone_support import FAST, StoreFactory, fresh_index_name

from q_store_contract_tests import VectorStoreContract
from q_store_contract_tests.store_contract import DIMENSION
from q_store_pinecone import PineconeStore
from q_store_pinecone.testing import FaultPlan, LoopbackPinecone


class TestPineconeStoreByName(VectorStoreContract):
    @pytest.fixture
    def make_store(self, make_pinecone_store: StoreFactory) -> Callable[..., PineconeStore]:
        return lambda metric="cosine": make_pinecone_store(metric=metric)


class TestPineconeStoreByHost(VectorStoreContract):
    """Indexes made beforehand; the store skips the control plane."""

    @pytest.fixture
    def make_store(self, server: LoopbackPinecone) -> Iterator[Callable[..., PineconeStore]]:
        stores: list[PineconeStore] = []

        def make(metric: str = "cosine") -> PineconeStore:
            pinecone_metric = {"dot": "dotproduct"}.get(metric, metric)
            index = server.create_index(fresh_index_name("host"), DIMENSION, pinecone_metric)
            stores.append(PineconeStore(api_key=server.api_key, metric=metric, host=index.host, **FAST))
            return stores[-1]

        yield make
        for store in stores:
            store.close()


class TestPineconeStoreUnderFaults(VectorStoreContract):
    """Every contract test again, while one data-plane request in five fails (429, 503, dropped
    connections before and after the server acted)."""

    filter_examples = 60

    @pytest.fixture
    def make_store(self, server: LoopbackPinecone, make_pinecone_store: StoreFactory) -> StoreFactory:
        server.set_faults(FaultPlan(rate=0.2, seed=20))
        return lambda metric="cosine": make_pinecone_store(metric=metric, max_attempts=12)
