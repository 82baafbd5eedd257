"""The in-memory store passes the shared store contract, for every metric it declares."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from q_store_contract_tests import VectorStoreContract
from q_store_mock import MemoryStore


class TestMemoryStore(VectorStoreContract):
    @pytest.fixture
    def make_store(self) -> Callable[..., MemoryStore]:
        return lambda metric="cosine": MemoryStore(metric=metric)
