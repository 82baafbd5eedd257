"""The loopback server, driven by the official client directly: it must behave as Pinecone
documents, or the plugin's tests against it would prove nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pinecone import ApiError, Index, NotFoundError, Pinecone, UnauthorizedError

from q_store_pinecone.testing import LoopbackPinecone


@pytest.fixture
def client(server: LoopbackPinecone) -> Iterator[Pinecone]:
    with Pinecone(api_key=server.api_key, host=server.url) as pc:
        yield pc


@pytest.fixture
def index(server: LoopbackPinecone, client: Pinecone) -> Index:
    model = client.indexes.create(name="raw", dimension=2, metric="euclidean", timeout=-1)
    assert model.status.ready
    assert model.host
    return client.index(host=model.host)


def test_control_plane(server: LoopbackPinecone, client: Pinecone, index: Index) -> None:
    described = client.indexes.describe("raw")
    assert (described.dimension, described.metric, described.host) == (2, "euclidean", index.host)
    assert [i.name for i in client.indexes.list()] == ["raw"]
    with pytest.raises(NotFoundError):
        client.indexes.describe("absent")
    assert server.api_versions == {"2026-07"}


def test_numbers_are_floats_and_euclidean_scores_squared(index: Index) -> None:
    index.upsert(vectors=[{"id": "a", "values": [3.0, 4.0], "metadata": {"n": 3, "tags": ["x"]}}])
    [match] = index.query(top_k=1, vector=[0.0, 0.0], include_metadata=True).matches
    assert match.score == 25.0
    assert match.metadata == {"n": 3.0, "tags": ["x"]}
    assert isinstance(match.metadata["n"], float)


def test_ne_does_not_match_records_without_the_field(index: Index) -> None:
    index.upsert(
        vectors=[
            {"id": "with", "values": [1, 0], "metadata": {"g": "a"}},
            {"id": "without", "values": [0, 1]},
        ]
    )
    found = index.query(top_k=5, vector=[1.0, 1.0], filter={"g": {"$ne": "b"}}).matches
    assert [m.id for m in found] == ["with"]


def test_limits(index: Index) -> None:
    with pytest.raises(ApiError, match="1000"):
        index.upsert(vectors=[{"id": f"v{i}", "values": [1.0, 1.0]} for i in range(1001)])
    with pytest.raises(ApiError, match="dimension"):
        index.upsert(vectors=[{"id": "v", "values": [1.0, 1.0, 1.0]}])
    with pytest.raises(ApiError, match="topK"):
        index.query(top_k=1001, vector=[1.0, 1.0], include_metadata=True)


def test_the_key_is_checked(server: LoopbackPinecone, index: Index) -> None:
    with Pinecone(api_key="wrong", host=server.url) as other, pytest.raises(UnauthorizedError):
        other.index(host=index.host).describe_index_stats()


def test_writes_report_log_positions(index: Index) -> None:
    written = index.upsert(vectors=[{"id": "a", "values": [1.0, 1.0]}])
    assert written.response_info is not None
    assert written.response_info.lsn_committed == 1
    answer = index.query(top_k=1, vector=[1.0, 1.0])
    assert answer.response_info is not None
    assert answer.response_info.is_reconciled(1)
