"""Shared fixtures: stores on the loopback server (fixture ``pinecone_loopback`` comes from the
plugin's pytest plugin) with fast retry settings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pinecone_support import FAST, StoreFactory, fresh_index_name

from q_store_pinecone import PineconeStore
from q_store_pinecone.testing import LoopbackPinecone


@pytest.fixture
def server(pinecone_loopback: LoopbackPinecone) -> LoopbackPinecone:
    return pinecone_loopback


@pytest.fixture
def make_pinecone_store(server: LoopbackPinecone) -> Iterator[StoreFactory]:
    """Stores that each create a fresh index on the server; keyword arguments override."""
    stores: list[PineconeStore] = []

    def make(**overrides: Any) -> PineconeStore:
        arguments: dict[str, Any] = {
            "api_key": server.api_key,
            "index_name": fresh_index_name(),
            "controller_host": server.url,
            "create": True,
            **FAST,
            **overrides,
        }
        store = PineconeStore(**arguments)
        stores.append(store)
        return store

    yield make
    for store in stores:
        store.close()
