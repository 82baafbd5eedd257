"""Scores in the core's convention, against numpy brute force (the loopback server searches
exactly, so ranking and scores must match): cosine similarity, dot product, and the NEGATIVE
euclidean distance although Pinecone returns the squared distance."""

from __future__ import annotations

import numpy as np
import pytest
from pinecone_support import StoreFactory


def brute_force(data: np.ndarray, query: np.ndarray, metric: str) -> np.ndarray:
    if metric == "cosine":
        return (data @ query) / (np.linalg.norm(data, axis=1) * np.linalg.norm(query))
    if metric == "dot":
        return data @ query
    return -np.sqrt(((data - query) ** 2).sum(axis=1))


@pytest.mark.parametrize("metric", ["cosine", "dot", "euclidean"])
def test_ranking_and_scores_equal_brute_force(make_pinecone_store: StoreFactory, metric: str) -> None:
    store = make_pinecone_store(metric=metric)
    rng = np.random.default_rng(17)
    data = rng.normal(size=(300, 12)).astype(np.float32)
    store.upsert([f"v{i}" for i in range(300)], data)
    for query in rng.normal(size=(10, 12)):
        expected = brute_force(data.astype(np.float64), query.astype(np.float32).astype(np.float64), metric)
        order = np.argsort(-expected, kind="stable")[:10]
        got = store.query(query, top_k=10)
        assert [m.id for m in got] == [f"v{i}" for i in order]
        np.testing.assert_allclose([m.score for m in got], expected[order], rtol=1e-6, atol=1e-6)


def test_a_stored_vector_is_at_distance_zero(make_pinecone_store: StoreFactory) -> None:
    store = make_pinecone_store(metric="euclidean")
    store.upsert(["here", "there"], np.array([[3.0, 4.0], [0.0, 0.0]]))
    [first, second] = store.query(np.array([3.0, 4.0]), top_k=2)
    assert (first.id, first.score) == ("here", 0.0)
    assert second.id == "there"
    assert second.score == pytest.approx(-5.0)
