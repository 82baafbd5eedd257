"""q-store-pinecone: Q-Store's vector store on Pinecone, registered as ``pinecone``.

``DatabaseConfig(pinecone_api_key=...)`` selects it (as in the seed document) and connects to the
index ``pinecone_index_name`` ('q-store' by default) through the control plane. The loopback
server for offline tests lives in :mod:`q_store_pinecone.testing`.
"""

from __future__ import annotations

from q_store import hookimpl
from q_store.hookspecs import StoreRegistrar
from q_store_pinecone.options import PineconeOptions
from q_store_pinecone.store import PineconeStore

__all__ = ["PineconeOptions", "PineconeStore"]


@hookimpl
def q_store_register_vector_stores(register: StoreRegistrar) -> None:
    register("pinecone", PineconeStore)
