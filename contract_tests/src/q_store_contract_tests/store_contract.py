"""`VectorStoreContract`: the tests every vector-store plugin must pass.

Usage in a plugin's test suite::

    class TestMyStore(VectorStoreContract):
        @pytest.fixture
        def make_store(self, tmp_path):
            # a factory of fresh, empty stores
            return lambda metric="cosine": MyStore(path=tmp_path / metric, metric=metric)

Expected results come from numpy brute force and from :func:`q_store.filters.matches` (the
reference semantics of the filter language), never from another store. Exact stores must
reproduce brute force; approximate ones must reach ``capabilities.min_recall`` at 10. Metrics the
store does not declare are skipped. A subclass may not silently replace a contract test.

Every test's docstring ends with a *Troubleshooting* note for plugin authors.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from q_store import (
    ArgumentError,
    DimensionMismatchError,
    FilterError,
    NonFiniteError,
    VectorStore,
)
from q_store.filters import matches, parse_filter
from q_store_contract_tests.guard import assert_no_silent_overrides

StoreFactory = Callable[..., VectorStore]
DIMENSION = 16


def brute_force(data: NDArray[np.float64], query: NDArray[np.float64], metric: str) -> NDArray[np.float64]:
    """Scores with the convention of q_store.vector_store (higher is better)."""
    if metric == "cosine":
        return (data @ query) / (np.linalg.norm(data, axis=1) * np.linalg.norm(query))
    if metric == "dot":
        return data @ query
    return -np.linalg.norm(data - query, axis=1)


def filter_dataset(
    count: int = 80, seed: int = 7
) -> tuple[list[str], NDArray[np.float32], list[dict[str, Any]]]:
    """Records whose metadata mixes every value type, with fields sometimes missing."""
    rng = np.random.default_rng(seed)
    ids = [f"r{i}" for i in range(count)]
    vectors = rng.normal(size=(count, DIMENSION)).astype(np.float32)
    metadata = []
    for i in range(count):
        meta: dict[str, Any] = {}
        if rng.random() < 0.8:
            meta["year"] = int(rng.integers(2000, 2010))
        if rng.random() < 0.7:
            meta["score"] = float(np.round(rng.uniform(-1, 1), 2))
        if rng.random() < 0.7:
            meta["genre"] = str(rng.choice(["drama", "comedy", "horror"]))
        if rng.random() < 0.6:
            meta["flag"] = bool(rng.random() < 0.5)
        if rng.random() < 0.6:
            meta["tags"] = [
                str(t) for t in rng.choice(["a", "b", "c", "d"], size=int(rng.integers(0, 3)), replace=False)
            ]
        if i % 11 == 0:
            meta["mixed"] = "7" if i % 2 else 7  # the same field as a string and as a number
        metadata.append(meta)
    return ids, vectors, metadata


def _values() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.integers(1999, 2010),
        st.sampled_from([-1.0, -0.5, 0.0, 0.25, 0.5, 1.0]),
        st.sampled_from(["drama", "comedy", "horror", "a", "b", "c", "7", "x\"' or 1=1 --"]),
        st.booleans(),
        st.just(7),
    )


def _comparisons() -> st.SearchStrategy[dict[str, Any]]:
    fields = st.sampled_from(["year", "score", "genre", "flag", "tags", "mixed", "absent"])
    numbers = st.one_of(st.integers(1999, 2010), st.sampled_from([-0.5, 0.0, 0.5]))
    return st.one_of(
        st.builds(lambda f, v: {f: v}, fields, _values()),
        st.builds(lambda f, o, v: {f: {o: v}}, fields, st.sampled_from(["$eq", "$ne"]), _values()),
        st.builds(
            lambda f, o, vs: {f: {o: vs}},
            fields,
            st.sampled_from(["$in", "$nin"]),
            st.lists(_values(), min_size=1, max_size=3),
        ),
        st.builds(
            lambda f, o, v: {f: {o: v}}, fields, st.sampled_from(["$gt", "$gte", "$lt", "$lte"]), numbers
        ),
        st.builds(lambda f, b: {f: {"$exists": b}}, fields, st.booleans()),
    )


def filter_documents() -> st.SearchStrategy[dict[str, Any]]:
    """Random filters of the core language: comparisons combined with $and / $or."""
    return st.recursive(
        _comparisons(),
        lambda children: st.one_of(
            st.builds(lambda xs: {"$and": xs}, st.lists(children, min_size=1, max_size=3)),
            st.builds(lambda xs: {"$or": xs}, st.lists(children, min_size=1, max_size=3)),
        ),
        max_leaves=6,
    )


class VectorStoreContract:
    """Base class of the store contract. Provide a ``make_store`` fixture: a factory
    ``make_store(metric='cosine') -> VectorStore`` of fresh, empty stores."""

    #: Property-test examples of the filter test (each is one store query).
    filter_examples: int = 120

    @pytest.fixture
    def make_store(self) -> StoreFactory:
        raise NotImplementedError("subclasses provide `make_store`: a factory of fresh stores")

    @pytest.fixture
    def store(self, make_store: StoreFactory) -> VectorStore:
        return make_store()

    # ------------------------------------------------------------------ basic semantics

    def test_fresh_store_is_empty(self, store: VectorStore) -> None:
        """A new store holds nothing, and querying it returns nothing.

        Troubleshooting: a persistent store must start from a fresh location in each test.
        """
        assert store.count() == 0
        assert store.stats().total == 0
        assert store.query(np.ones(DIMENSION), top_k=5) == []
        assert store.fetch(["anything"]) == {}

    def test_upsert_is_idempotent_and_overwrites(self, store: VectorStore) -> None:
        """Upserting the same id again replaces vector and metadata; the count does not grow.

        Troubleshooting: stores without native upsert must delete before inserting.
        """
        first = np.arange(1, DIMENSION + 1, dtype=np.float32)
        store.upsert(["a", "b"], np.stack([first, -first]), [{"v": 1}, {"v": 2}])
        store.upsert(["a", "b"], np.stack([first, -first]), [{"v": 1}, {"v": 2}])
        assert store.count() == 2
        second = first[::-1].copy()
        store.upsert(["a"], second[None, :], [{"v": 3}])
        assert store.count() == 2
        record = store.fetch(["a"])["a"]
        np.testing.assert_allclose(record.vector, second, rtol=1e-6)
        assert record.metadata == {"v": 3}

    def test_missing_ids_are_quietly_absent(self, store: VectorStore) -> None:
        """Deleting a missing id is a no-op; fetching missing ids returns nothing for them.

        Troubleshooting: do not raise for unknown ids.
        """
        store.upsert(["x"], np.ones((1, DIMENSION)))
        store.delete(["nope", "also-nope"])
        assert store.count() == 1
        assert set(store.fetch(["x", "nope"])) == {"x"}

    def test_delete_by_ids_by_filter_and_all(self, store: VectorStore) -> None:
        """delete(ids), delete(filter=...) and delete(delete_all=True) remove exactly their records.

        Troubleshooting: translate the filter like queries do.
        """
        rng = np.random.default_rng(1)
        ids = [f"d{i}" for i in range(10)]
        store.upsert(ids, rng.normal(size=(10, DIMENSION)), [{"n": i} for i in range(10)])
        store.delete(["d0", "d1"])
        assert store.count() == 8
        store.delete(filter={"n": {"$gte": 7}})
        assert sorted(store.fetch(ids)) == [f"d{i}" for i in range(2, 7)]
        store.delete(delete_all=True)
        assert store.count() == 0

    def test_values_and_metadata_round_trip(self, store: VectorStore) -> None:
        """Unicode ids and metadata of every allowed type come back exactly.

        Troubleshooting: keep float32 vectors; do not coerce ints to floats or lists to strings.
        """
        metadata = {"name": "Ωmega – 量子", "count": 3, "ratio": 0.25, "ok": True, "tags": ["é", "ü", "漢"]}
        vector = np.linspace(-1, 1, DIMENSION).astype(np.float32)
        store.upsert(["ключ-🔑"], vector[None, :], [metadata])
        record = store.fetch(["ключ-🔑"])["ключ-🔑"]
        assert record.metadata == metadata
        assert isinstance(record.metadata["count"], int)
        assert record.vector.dtype == np.float32
        np.testing.assert_allclose(record.vector, vector, rtol=1e-6)
        [match] = store.query(vector, top_k=1, include_values=True)
        assert match.id == "ключ-🔑"
        assert match.metadata == metadata
        assert match.vector is not None
        [bare] = store.query(vector, top_k=1, include_metadata=False)
        assert bare.metadata is None
        assert bare.vector is None

    # ------------------------------------------------------------------ ranking

    @pytest.mark.parametrize("metric", ["cosine", "dot", "euclidean"])
    def test_query_matches_brute_force(
        self, make_store: StoreFactory, store: VectorStore, metric: str
    ) -> None:
        """Ranking and scores equal numpy brute force (exact stores) or reach min_recall@10.

        Troubleshooting: scores are similarities, higher is better; euclidean is the NEGATIVE
        distance (not squared). Flush or build indexes before querying.
        """
        if metric not in store.capabilities.metrics:
            pytest.skip(f"store does not declare metric {metric!r}")
        if metric != store.metric:
            store = make_store(metric=metric)
        rng = np.random.default_rng(11)
        data = rng.normal(size=(500, DIMENSION)).astype(np.float32)
        store.upsert([f"v{i}" for i in range(500)], data)
        recalls = []
        for query in rng.normal(size=(20, DIMENSION)):
            expected_scores = brute_force(data.astype(np.float64), query, metric)
            expected = [f"v{i}" for i in np.argsort(-expected_scores)[:10]]
            got = store.query(query, top_k=10)
            recalls.append(len({m.id for m in got} & set(expected)) / 10)
            if store.capabilities.exact:
                assert [m.id for m in got] == expected
                np.testing.assert_allclose(
                    [m.score for m in got], np.sort(expected_scores)[::-1][:10], rtol=1e-4, atol=1e-4
                )
        assert np.mean(recalls) >= store.capabilities.min_recall

    # ------------------------------------------------------------------ filters

    def test_filters_select_exactly_what_the_reference_selects(self, store: VectorStore) -> None:
        """For random filters, the store returns exactly the records filters.matches() accepts.

        Troubleshooting: mind the edge cases of the language: $ne and $nin match records
        without the field; $eq on a list field tests membership; booleans are not numbers;
        string values must be quoted and escaped in query languages built from strings.
        """
        ids, vectors, metadata = filter_dataset()
        store.upsert(ids, vectors, metadata)
        probe = np.ones(DIMENSION, dtype=np.float32)

        @settings(
            max_examples=self.filter_examples,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )
        @given(document=filter_documents())
        def check(document: dict[str, Any]) -> None:
            parsed = parse_filter(document)
            expected = {i for i, meta in zip(ids, metadata, strict=True) if matches(parsed, meta)}
            got = {m.id for m in store.query(probe, top_k=len(ids), filter=document)}
            assert got == expected, f"filter {document}"

        check()

    def test_malformed_filters_are_typed_errors(self, store: VectorStore) -> None:
        """Unknown operators and ill-typed operands raise FilterError naming the part.

        Troubleshooting: validation happens in the core (parse_filter); do not bypass it.
        """
        store.upsert(["a"], np.ones((1, DIMENSION)))
        for bad in ({"a": {"$regex": "x"}}, {"a": {"$gt": "text"}}, {"$or": []}, {"a": {"$in": []}}):
            with pytest.raises(FilterError):
                store.query(np.ones(DIMENSION), filter=bad)

    # ------------------------------------------------------------------ namespaces

    def test_namespaces_are_isolated(self, store: VectorStore) -> None:
        """Records of one namespace are invisible to the others; counts are per namespace.

        Troubleshooting: map namespaces to the backend's partitions or to an indexed field.
        """
        store.upsert(["same"], np.ones((1, DIMENSION)), [{"ns": "a"}], namespace="alpha")
        store.upsert(
            ["same", "other"], -np.ones((2, DIMENSION)), [{"ns": "b"}, {"ns": "b"}], namespace="beta"
        )
        assert store.count(namespace="alpha") == 1
        assert store.count(namespace="beta") == 2
        assert store.count() == 0
        assert store.fetch(["same"], namespace="alpha")["same"].metadata == {"ns": "a"}
        assert [m.id for m in store.query(np.ones(DIMENSION), top_k=5, namespace="alpha")] == ["same"]
        store.delete(delete_all=True, namespace="beta")
        assert store.count(namespace="alpha") == 1
        assert store.stats().namespaces == {"alpha": 1}

    # ------------------------------------------------------------------ bad input

    def test_bad_input_raises_typed_errors_and_writes_nothing(self, store: VectorStore) -> None:
        """Wrong dimension, NaN/inf, duplicate or empty ids, bad metadata, bad top_k: typed errors,
        and the store's contents are unchanged.

        Troubleshooting: the base class validates everything before calling your _upsert.
        """
        store.upsert(["keep"], np.ones((1, DIMENSION)), [{"k": 1}])
        good = np.ones((2, DIMENSION))
        cases: list[tuple[type[Exception], Callable[[], object]]] = [
            (DimensionMismatchError, lambda: store.upsert(["a", "b"], np.ones((2, DIMENSION + 1)))),
            (NonFiniteError, lambda: store.upsert(["a", "b"], np.where(np.eye(2, DIMENSION), np.nan, 1.0))),
            (NonFiniteError, lambda: store.upsert(["a", "b"], np.where(np.eye(2, DIMENSION), np.inf, 1.0))),
            (ArgumentError, lambda: store.upsert(["a", "a"], good)),
            (ArgumentError, lambda: store.upsert(["a", ""], good)),
            (ArgumentError, lambda: store.upsert(["a", 3], good)),  # type: ignore[list-item]
            (ArgumentError, lambda: store.upsert(["a", "b"], good, [{"bad": {"nested": 1}}, {}])),
            (ArgumentError, lambda: store.upsert(["a", "b"], good, [{"$op": 1}, {}])),
            (NonFiniteError, lambda: store.upsert(["a", "b"], good, [{"x": float("nan")}, {}])),
            (DimensionMismatchError, lambda: store.query(np.ones(DIMENSION + 2))),
            (NonFiniteError, lambda: store.query(np.full(DIMENSION, np.nan))),
            (ArgumentError, lambda: store.query(np.ones(DIMENSION), top_k=0)),
            (ArgumentError, lambda: store.query(np.ones(DIMENSION), top_k=10_001)),
            (ArgumentError, lambda: store.delete()),
        ]
        for error, call in cases:
            with pytest.raises(error):
                call()
        assert store.count() == 1
        assert store.fetch(["keep"])["keep"].metadata == {"k": 1}
        assert store.fetch(["a", "b"]) == {}

    # ------------------------------------------------------------------ scale

    def test_large_batch_upsert(self, store: VectorStore) -> None:
        """A 10k-record batch is stored completely (chunk it if the service limits requests).

        Troubleshooting: check per-request limits (Pinecone: 1,000 vectors or 2 MB).
        """
        rng = np.random.default_rng(5)
        data = rng.normal(size=(10_000, DIMENSION)).astype(np.float32)
        ids = [f"bulk-{i}" for i in range(10_000)]
        store.upsert(ids, data, [{"i": i} for i in range(10_000)])
        assert store.count() == 10_000
        sample = store.fetch(["bulk-0", "bulk-4999", "bulk-9999"])
        assert sample["bulk-4999"].metadata == {"i": 4999}
        np.testing.assert_allclose(sample["bulk-9999"].vector, data[9999], rtol=1e-6)

    def test_contract_tests_are_not_silently_overridden(self) -> None:
        """A subclass that replaces a contract test must mark it xfail with a reason.

        Troubleshooting: mark the override ``@pytest.mark.xfail(reason=...)``.
        """
        assert_no_silent_overrides(type(self), VectorStoreContract)
