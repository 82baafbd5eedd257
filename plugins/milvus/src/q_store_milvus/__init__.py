"""q-store-milvus: the Q-Store vector store on Milvus, embedded (milvus-lite) or on a server.

``DatabaseConfig(vector_store="milvus", vector_store_options={"uri": "./data.db"})``
"""

from __future__ import annotations

from q_store import hookimpl
from q_store.hookspecs import StoreRegistrar
from q_store_milvus.store import MilvusStore

__all__ = ["MilvusStore"]


@hookimpl
def q_store_register_vector_stores(register: StoreRegistrar) -> None:
    register("milvus", MilvusStore)
