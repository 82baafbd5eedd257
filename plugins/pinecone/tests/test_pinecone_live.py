"""Against the real Pinecone service: only with PINECONE_API_KEY set (``pytest -m live``).

Each test creates its own serverless index (PINECONE_LIVE_CLOUD / PINECONE_LIVE_REGION, default
aws / us-east-1) and deletes it afterwards. These tests check what the loopback server can only
assume: the filter semantics (the translation against the real evaluator), numbers stored as
floats, squared euclidean scores, typed errors for a bad key and a missing index.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from q_store.errors import ConfigError
from q_store.filters import matches, parse_filter
from q_store_contract_tests.store_contract import DIMENSION, filter_dataset, filter_documents
from q_store_pinecone import PineconeStore

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(not os.environ.get("PINECONE_API_KEY"), reason="needs PINECONE_API_KEY"),
]


@pytest.fixture
def live_store() -> Iterator[Callable[..., PineconeStore]]:
    from pinecone import Pinecone

    created: list[PineconeStore] = []

    def make(metric: str = "cosine") -> PineconeStore:
        store = PineconeStore(
            metric=metric,
            index_name=f"qs-test-{uuid.uuid4().hex[:10]}",
            create=True,
            dimension=DIMENSION,
            cloud=os.environ.get("PINECONE_LIVE_CLOUD", "aws"),
            region=os.environ.get("PINECONE_LIVE_REGION", "us-east-1"),
        )
        created.append(store)
        return store

    yield make
    with Pinecone() as client:
        for store in created:
            store.close()
            client.indexes.delete(store.index_name, timeout=-1)


def test_round_trip_and_scores(live_store: Callable[..., PineconeStore]) -> None:
    store = live_store(metric="euclidean")
    vectors = np.random.default_rng(0).normal(size=(20, DIMENSION)).astype(np.float32)
    store.upsert(
        [f"v{i}" for i in range(20)], vectors, [{"i": i, "ratio": 0.5, "ok": True} for i in range(20)]
    )
    [best] = store.query(vectors[4], top_k=1, include_values=True)
    assert best.id == "v4"
    assert best.score == pytest.approx(0.0, abs=1e-2)
    assert best.metadata == {"i": 4, "ratio": 0.5, "ok": True}
    assert isinstance(best.metadata["i"], int)
    other = store.query(vectors[4] + 1.0, top_k=1)[0]
    np.testing.assert_allclose(
        other.score, -np.linalg.norm(vectors[int(other.id[1:])] - vectors[4] - 1.0), rtol=1e-3
    )


def test_filters_select_what_the_reference_selects(live_store: Callable[..., PineconeStore]) -> None:
    store = live_store()
    ids, vectors, metadata = filter_dataset()
    store.upsert(ids, vectors, metadata)

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(document=filter_documents())
    def check(document: dict[str, Any]) -> None:
        parsed = parse_filter(document)
        expected = {i for i, meta in zip(ids, metadata, strict=True) if matches(parsed, meta)}
        assert {m.id for m in store.query(np.ones(DIMENSION), top_k=len(ids), filter=document)} == expected

    check()


def test_typed_errors_for_a_bad_key_and_a_missing_index() -> None:
    with pytest.raises(ConfigError) as bad_key:
        PineconeStore(api_key="pcsk_not_a_real_key_0000000000", index_name="q-store")
    assert bad_key.value.argument == "pinecone_api_key"
    with pytest.raises(ConfigError) as missing:
        PineconeStore(index_name=f"qs-absent-{uuid.uuid4().hex[:10]}")
    assert missing.value.argument == "pinecone_index_name"
