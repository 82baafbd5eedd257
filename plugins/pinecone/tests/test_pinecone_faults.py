"""Faults: with one request in five failing, every operation completes, upserts stay idempotent
(no duplicates, although some writes were applied and their replies lost), and a service that
keeps failing ends in a typed error after a bounded number of attempts."""

from __future__ import annotations

import numpy as np
import pytest
from pinecone_support import StoreFactory

from q_store.errors import VectorStoreError
from q_store_pinecone.testing import FaultPlan, LoopbackPinecone

DIMENSION = 8
#: The client tries each request up to 4 times itself (while its retry budget lasts).
CLIENT_TRIES = 4


def test_every_operation_completes_with_20_percent_failures(
    server: LoopbackPinecone, make_pinecone_store: StoreFactory
) -> None:
    store = make_pinecone_store(metric="euclidean", max_attempts=12, max_batch_vectors=50)
    rng = np.random.default_rng(3)
    data = rng.normal(size=(1500, DIMENSION)).astype(np.float32)
    ids = [f"f{i}" for i in range(1500)]
    server.set_faults(FaultPlan(rate=0.2, seed=11))

    store.upsert(ids, data, [{"i": i} for i in range(1500)])
    store.upsert(ids[:500], data[:500], [{"i": i} for i in range(500)])  # again: overwrites

    assert store.count() == 1500
    stored = server.index(store.index_name).namespaces["__default__"].records
    assert sorted(stored) == sorted(ids)  # no duplicates, nothing lost
    fetched = store.fetch(ids[::7])
    assert set(fetched) == set(ids[::7])
    np.testing.assert_array_equal(fetched["f700"].vector, data[700])
    for query in data[:10]:
        expected = np.argsort(np.linalg.norm(data.astype(np.float64) - query, axis=1))[:5]
        assert [m.id for m in store.query(query, top_k=5)] == [f"f{i}" for i in expected]
    store.delete(ids[:100])
    store.delete(filter={"i": {"$gte": 1400}})
    assert store.count() == 1300

    injected = server.faults.injected if server.faults else {}
    assert all(injected[kind] > 0 for kind in ("429", "503", "reset", "lost_reply")), injected
    upserts = server.requests_to(store.index_name, "/vectors/upsert")
    assert len(upserts) > 40  # 40 batches, plus the retries of the failed ones


@pytest.mark.parametrize("kind", ["503", "429", "reset"])
def test_a_failing_service_ends_in_a_typed_error_after_bounded_attempts(
    server: LoopbackPinecone, make_pinecone_store: StoreFactory, kind: str
) -> None:
    store = make_pinecone_store(max_attempts=3)
    store.upsert(["a"], np.ones((1, DIMENSION)))
    server.set_faults(FaultPlan(rate=1.0, kinds=(kind,)))
    before = len(server.requests_to(store.index_name, "/query"))

    with pytest.raises(VectorStoreError, match=r"after 3 attempt\(s\)") as raised:
        store.query(np.ones(DIMENSION))

    attempts = len(server.requests_to(store.index_name, "/query")) - before
    assert 3 <= attempts <= 3 * CLIENT_TRIES
    assert store.index_name in str(raised.value)


def test_lost_replies_of_upserts_leave_no_duplicates(
    server: LoopbackPinecone, make_pinecone_store: StoreFactory
) -> None:
    """Every other upsert is applied but its reply is lost: the retries rewrite the same ids."""
    store = make_pinecone_store(max_attempts=20, max_batch_vectors=10)
    store.upsert(["seed"], np.ones((1, DIMENSION)))
    server.set_faults(FaultPlan(rate=0.5, kinds=("lost_reply",), seed=5))
    ids = [f"x{i}" for i in range(200)]
    store.upsert(ids, np.arange(200 * DIMENSION, dtype=np.float32).reshape(200, DIMENSION) + 1)
    server.set_faults(None)

    upserts = server.requests_to(store.index_name, "/vectors/upsert")
    assert sum(r.status == "lost_reply" for r in upserts) > 5
    assert store.count() == 201
    assert len(server.index(store.index_name).namespaces["__default__"].records) == 201
