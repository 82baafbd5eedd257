"""q-store-mock: the exact local simulator and the in-memory vector store.

Both are registered through the same hooks as every third-party plugin.
"""

from __future__ import annotations

from q_store import hookimpl
from q_store.hookspecs import BackendRegistrar, StoreRegistrar
from q_store_mock.backend import MockBackend
from q_store_mock.memory_store import MemoryStore

__all__ = ["MemoryStore", "MockBackend"]


@hookimpl
def q_store_register_backends(register: BackendRegistrar) -> None:
    register("mock", MockBackend)


@hookimpl
def q_store_register_vector_stores(register: StoreRegistrar) -> None:
    register("memory", MemoryStore)
