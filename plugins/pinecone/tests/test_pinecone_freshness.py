"""Read-your-writes: the loopback index answers queries from before the last write for a while
(as the eventually consistent service may), reporting how far it has caught up; the store asks
again until the answer reflects its own upserts."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from pinecone_support import FAST

from q_store.errors import VectorStoreError
from q_store_pinecone import PineconeStore
from q_store_pinecone.testing import LoopbackPinecone

_names = (f"lagging-{i}" for i in itertools.count())


def lagging_store(server: LoopbackPinecone, lag: int, **options: object) -> tuple[PineconeStore, str]:
    index = server.create_index(next(_names), 2, query_lag=lag)
    store = PineconeStore(api_key=server.api_key, host=index.host, **{**FAST, **options})  # type: ignore[arg-type]
    return store, index.name


def test_queries_wait_until_the_index_caught_up(server: LoopbackPinecone) -> None:
    store, index = lagging_store(server, lag=3)
    store.upsert(["old"], np.array([[1.0, 0.0]]))
    store.upsert(["new"], np.array([[0.0, 1.0]]))
    assert {m.id for m in store.query(np.array([0.0, 1.0]), top_k=5)} == {"old", "new"}
    assert len(server.requests_to(index, "/query")) == 4  # three stale answers, then a fresh one


def test_without_read_your_writes_a_stale_answer_is_returned(server: LoopbackPinecone) -> None:
    store, _ = lagging_store(server, lag=3, read_your_writes=False)
    store.upsert(["old"], np.array([[1.0, 0.0]]))
    assert store.query(np.array([1.0, 0.0])) == []  # the service had not caught up


def test_an_index_that_never_catches_up_is_a_typed_error(server: LoopbackPinecone) -> None:
    store, _ = lagging_store(server, lag=10_000, freshness_timeout=0.2)
    store.upsert(["x"], np.array([[1.0, 0.0]]))
    with pytest.raises(VectorStoreError, match="caught up"):
        store.query(np.array([1.0, 0.0]))
