"""Large requests are split under Pinecone's limits: 1,000 vectors or 2 MB per upsert, 1,000 ids
per fetch or delete, at most 1,000 matches with payloads per query."""

from __future__ import annotations

import itertools

import numpy as np
import orjson
import pytest
from pinecone_support import StoreFactory

from q_store.errors import ArgumentError
from q_store_pinecone.batching import upsert_batches
from q_store_pinecone.testing import LoopbackPinecone


def upserts(server: LoopbackPinecone, index: str) -> list[tuple[int, int]]:
    return [(r.vectors, r.body_bytes) for r in server.requests_to(index, "/vectors/upsert")]


def test_upserts_split_by_count(server: LoopbackPinecone, make_pinecone_store: StoreFactory) -> None:
    store = make_pinecone_store()
    data = np.random.default_rng(0).normal(size=(2500, 16))
    store.upsert([f"c{i}" for i in range(2500)], data)
    assert sorted(vectors for vectors, _ in upserts(server, store.index_name)) == [500, 1000, 1000]
    assert store.count() == 2500


def test_upserts_split_by_size(server: LoopbackPinecone, make_pinecone_store: StoreFactory) -> None:
    """1536-dimensional vectors: ~30 KB of JSON each, so 2 MB holds about 65 of them."""
    store = make_pinecone_store()
    data = np.random.default_rng(1).normal(size=(300, 1536)).astype(np.float32)
    store.upsert([f"w{i}" for i in range(300)], data, [{"n": i} for i in range(300)])
    requests = upserts(server, store.index_name)
    assert len(requests) >= 5
    assert all(body_bytes <= 2_000_000 for _, body_bytes in requests)
    assert sum(vectors for vectors, _ in requests) == 300
    assert store.count() == 300
    np.testing.assert_array_equal(store.fetch(["w299"])["w299"].vector, data[299])


def test_a_smaller_size_limit_is_honoured(
    server: LoopbackPinecone, make_pinecone_store: StoreFactory
) -> None:
    store = make_pinecone_store(max_request_bytes=20_000, upsert_concurrency=1)
    store.upsert([f"s{i}" for i in range(400)], np.ones((400, 16)), [{"text": "x" * 100}] * 400)
    requests = upserts(server, store.index_name)
    assert len(requests) == 5  # ~210 bytes a record: 94 records per 20 KB
    assert all(body_bytes <= 20_000 for _, body_bytes in requests)
    assert store.count() == 400


def test_a_record_too_large_for_one_request_is_refused_before_writing(
    server: LoopbackPinecone, make_pinecone_store: StoreFactory
) -> None:
    store = make_pinecone_store(max_request_bytes=4096)
    store.upsert(["keep"], np.ones((1, 4)))
    with pytest.raises(ArgumentError, match="bytes of JSON") as raised:
        store.upsert(["a", "b"], np.ones((2, 4)), [{}, {"big": "y" * 5000}])
    assert raised.value.argument == "vectors"
    assert len(upserts(server, store.index_name)) == 1
    assert store.count() == 1


def test_batches_measure_the_json_the_client_sends() -> None:
    records = [{"id": f"r{i}", "values": [0.1 * i] * 50, "metadata": {"i": i}} for i in range(200)]
    limit = 10_000
    batches = upsert_batches(records, "ns", max_vectors=1000, max_bytes=limit)
    assert [r for batch in batches for r in batch] == records
    for batch in batches:
        assert len(orjson.dumps({"vectors": batch, "namespace": "ns"})) <= limit
    # each batch is full: the next record would not have fitted
    for batch, following in itertools.pairwise(batches):
        assert len(orjson.dumps({"vectors": [*batch, following[0]], "namespace": "ns"})) > limit


def test_fetches_and_deletes_split_by_ids(
    server: LoopbackPinecone, make_pinecone_store: StoreFactory
) -> None:
    store = make_pinecone_store()
    ids = [f"identifier-{i:06d}" for i in range(2500)]
    store.upsert(ids, np.ones((2500, 4)))
    assert len(store.fetch(ids)) == 2500
    fetches = server.requests_to(store.index_name, "/vectors/fetch")
    assert len(fetches) >= 3
    store.delete(ids[:2200])
    assert len(server.requests_to(store.index_name, "/vectors/delete")) == 3
    assert store.count() == 300


def test_wide_queries_with_payloads_fetch_the_payloads(
    server: LoopbackPinecone, make_pinecone_store: StoreFactory
) -> None:
    """Pinecone answers at most 1,000 matches with metadata: 3,000 come as ids, then fetches."""
    store = make_pinecone_store(metric="dot")
    data = np.random.default_rng(2).normal(size=(3000, 8)).astype(np.float32)
    store.upsert([f"q{i}" for i in range(3000)], data, [{"i": i} for i in range(3000)])
    query = np.random.default_rng(3).normal(size=8)
    matches = store.query(query, top_k=3000, include_values=True)
    expected = np.argsort(-(data.astype(np.float64) @ query), kind="stable")
    assert [m.id for m in matches] == [f"q{i}" for i in expected]
    assert all(m.metadata == {"i": int(m.id[1:])} for m in matches)
    np.testing.assert_array_equal(matches[0].vector, data[expected[0]])
    assert server.requests_to(store.index_name, "/vectors/fetch")
