"""QuantumDatabase end to end on the loopback Pinecone, configured as in the seed document:
``DatabaseConfig(pinecone_api_key=...)`` selects the store, which connects to the index 'q-store'
by name through the control plane."""

from __future__ import annotations

import numpy as np
import pytest
from pinecone_support import FAST

from q_store import DatabaseConfig, QuantumDatabase
from q_store.errors import ConfigError
from q_store_pinecone import PineconeStore
from q_store_pinecone.testing import LoopbackPinecone


def seed_config(server: LoopbackPinecone, **options: object) -> DatabaseConfig:
    # enable_quantum=False: the collapse is computed classically (no backend plugin needed here).
    return DatabaseConfig(
        pinecone_api_key=server.api_key,
        enable_quantum=False,
        vector_store_options={"controller_host": server.url, **FAST, **options},
    )


def test_a_pinecone_key_alone_selects_the_store_and_the_index_q_store(
    server: LoopbackPinecone, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.create_index("q-store", 4)
    monkeypatch.setenv("PINECONE_CONTROLLER_HOST", server.url)  # the control plane, redirected
    config = DatabaseConfig(pinecone_api_key=server.api_key, enable_quantum=False)
    assert config.resolved_vector_store == "pinecone"
    with QuantumDatabase(config) as db:
        assert isinstance(db.store, PineconeStore)
        assert (db.store.index_name, db.store.dimension) == ("q-store", 4)
    assert server.requests_to("control", "/indexes/q-store")


def test_without_the_index_the_error_names_it(server: LoopbackPinecone) -> None:
    with pytest.raises(ConfigError, match="'q-store'"):
        QuantumDatabase(seed_config(server))


def test_insert_query_with_context_and_tunnel_search(server: LoopbackPinecone) -> None:
    rng = np.random.default_rng(8)
    vectors = rng.normal(size=(40, 6))
    with QuantumDatabase(seed_config(server, create=True)) as db:
        for i, vector in enumerate(vectors):
            contexts = [("finance", 0.7), ("sports", 0.3)] if i % 2 else [("sports", 1.0)]
            db.insert(f"doc{i}", vector, contexts=contexts, metadata={"n": i})
        results = db.query(vectors[3], context="finance", top_k=5)
        assert results
        assert all(r.context == "finance" for r in results)
        assert all(int(r.id[3:]) % 2 == 1 for r in results)  # only records carrying 'finance'
        assert results[0].id == "doc3"
        assert results[0].context_probability == pytest.approx(0.7)
        assert results[0].metadata == {"n": 3}
        tunneled = db.tunnel_search(vectors[0], top_k=5)
        assert len(tunneled) == 5
        assert len({r.id for r in tunneled}) == 5
        assert db.stats().records == 40
        assert db.stats().store == "pinecone"

    # Persistent: a second database on the same index knows the contexts and the records.
    with QuantumDatabase(seed_config(server)) as again:
        assert set(again.stats().contexts) == {"finance", "sports"}
        assert again.fetch(["doc5"])["doc5"].contexts == pytest.approx({"finance": 0.7, "sports": 0.3})
