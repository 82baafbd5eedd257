"""The Milvus store (embedded milvus-lite, exact FLAT index) passes the shared store contract."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from q_store_contract_tests import VectorStoreContract
from q_store_milvus import MilvusStore

StoreFactory = Callable[..., MilvusStore]


class TestMilvusStore(VectorStoreContract):
    @pytest.fixture
    def make_store(self, make_milvus: StoreFactory) -> StoreFactory:
        def make(metric: str = "cosine") -> MilvusStore:
            return make_milvus(metric)

        return make
