"""QuantumDatabase: superposition (contexts), ranking and collapse, against independent
computations of the documented formulas."""

from __future__ import annotations

import attrs
import numpy as np
import pytest
from db_helpers import ManualClock, cosine

from q_store import (
    ArgumentError,
    CapabilityError,
    DatabaseConfig,
    PluginNotFoundError,
    PluginRegistry,
    QuantumDatabase,
)
from q_store_mock import MemoryStore, MockBackend


def make_db(**config: object) -> QuantumDatabase:
    config.setdefault("enable_quantum", False)
    return QuantumDatabase(DatabaseConfig(**config), store=MemoryStore(), clock=ManualClock())  # type: ignore[arg-type]


def test_the_seed_calls_work_without_keys(rng: np.random.Generator) -> None:
    ml_db = QuantumDatabase(DatabaseConfig(enable_quantum=True, enable_superposition=True))
    embedding = rng.normal(size=32)
    ml_db.insert(
        id="example_1",
        vector=embedding,
        contexts=[("classification", 0.6), ("regression", 0.3), ("clustering", 0.1)],
    )
    ml_db.insert(
        id="bert_base", vector=rng.normal(size=32), metadata={"arch": "transformer", "params": "110M"}
    )
    [top] = ml_db.query(vector=embedding, context="classification", top_k=100)
    assert (top.id, top.context, top.context_probability) == (
        "example_1",
        "classification",
        pytest.approx(0.6),
    )
    assert ml_db.tunnel_search(query=embedding, barrier_threshold=0.7, top_k=10)[0].id == "example_1"
    assert ml_db.store.name == "memory"


def test_weights_are_normalised_never_replaced(rng: np.random.Generator) -> None:
    db = make_db()
    db.insert("a", rng.normal(size=8), contexts=[("x", 2.0), ("y", 1.0), ("z", 1.0)])
    db.insert("b", rng.normal(size=8), contexts={"x": 0.0, "y": 5.0})
    db.insert("c", rng.normal(size=8), contexts="solo")
    records = db.fetch(["a", "b", "c"])
    assert records["a"].contexts == pytest.approx({"x": 0.5, "y": 0.25, "z": 0.25})
    assert records["b"].contexts == pytest.approx({"x": 0.0, "y": 1.0})
    assert records["c"].contexts == {"solo": 1.0}


def test_context_query_ranks_by_relevance_times_probability(rng: np.random.Generator) -> None:
    db = make_db()
    vectors = rng.normal(size=(60, 8))
    weights = rng.uniform(0.01, 1.0, size=(60, 2))
    carries = rng.random(60) < 0.7
    for i in range(60):
        contexts = [("task", weights[i, 0]), ("other", weights[i, 1])] if carries[i] else [("other", 1.0)]
        db.insert(f"r{i}", vectors[i], contexts=contexts)
    query = rng.normal(size=8)
    # Independent computation of the documented score: (1 + cos) / 2 * p_task.
    expected = sorted(
        (
            ((1 + cosine(query, vectors[i])) / 2 * weights[i, 0] / weights[i].sum(), f"r{i}")
            for i in range(60)
            if carries[i]
        ),
        reverse=True,
    )[:10]
    results = db.query(query, context="task", top_k=10)
    assert [r.id for r in results] == [name for _, name in expected]
    assert [r.score for r in results] == pytest.approx([score for score, _ in expected], rel=1e-5)
    assert all(r.context == "task" for r in results)


def test_score_increases_with_context_probability() -> None:
    db = make_db()
    v = np.ones(4)
    db.insert("low", v, contexts=[("t", 0.2), ("u", 0.8)])
    db.insert("high", v, contexts=[("t", 0.9), ("u", 0.1)])
    assert [r.id for r in db.query(v, context="t", top_k=2)] == ["high", "low"]
    assert [r.id for r in db.query(v, context="u", top_k=2)] == ["low", "high"]


def test_reranking_never_misses_a_result_behind_the_store_ranking() -> None:
    # The 50 most similar records barely carry the context; a less similar one is all in it.
    db = make_db()
    rng = np.random.default_rng(4)
    close = np.ones(16) + rng.normal(scale=0.01, size=(50, 16))
    db.insert_batch([f"near{i}" for i in range(50)], close, contexts=[[("t", 0.01), ("u", 0.99)]] * 50)
    far = np.ones(16)
    far[:8] = -0.2
    db.insert("far", far, contexts="t")
    [top] = db.query(np.ones(16), context="t", top_k=1)
    assert top.id == "far"


def test_plain_query_is_similarity_order_with_the_most_probable_context(rng: np.random.Generator) -> None:
    db = make_db()
    vectors = rng.normal(size=(30, 6))
    for i in range(30):
        db.insert(
            f"r{i}", vectors[i], contexts=[("a", 0.3), ("b", 0.7)] if i % 2 else [("a", 0.5), ("b", 0.5)]
        )
    query = rng.normal(size=6)
    results = db.query(query, top_k=30)
    assert [r.id for r in results] == [f"r{i}" for i in np.argsort([-cosine(query, v) for v in vectors])]
    for r in results:
        index = int(r.id[1:])
        assert r.context == ("b" if index % 2 else "a")  # ties: the first one given
        assert r.similarity == pytest.approx(cosine(query, vectors[index]), abs=1e-5)


@pytest.mark.parametrize("quantum", [False, True])
def test_measured_collapse_follows_the_born_rule(quantum: bool) -> None:
    db = QuantumDatabase(
        DatabaseConfig(enable_quantum=quantum, seed=5), store=MemoryStore(), backend=MockBackend()
    )
    db.insert("r", np.ones(4), contexts=[("a", 0.6), ("b", 0.3), ("c", 0.1)])
    draws = [db.query(np.ones(4), top_k=1, collapse="measure")[0].context for _ in range(1500)]
    for name, p in (("a", 0.6), ("b", 0.3), ("c", 0.1)):
        frequency = draws.count(name) / len(draws)
        assert abs(frequency - p) <= 5 * np.sqrt(p * (1 - p) / len(draws))


def test_collapse_auto_measures_only_with_quantum() -> None:
    classical = make_db()
    classical.insert("r", np.ones(4), contexts=[("a", 0.4), ("b", 0.6)])
    assert {classical.query(np.ones(4), top_k=1)[0].context for _ in range(40)} == {"b"}
    quantum = QuantumDatabase(DatabaseConfig(enable_quantum=True, seed=1), store=MemoryStore())
    quantum.insert("r", np.ones(4), contexts=[("a", 0.4), ("b", 0.6)])
    assert {quantum.query(np.ones(4), top_k=1)[0].context for _ in range(40)} == {"a", "b"}


def test_seeded_databases_repeat_themselves() -> None:
    def draws(seed: int) -> list[str | None]:
        db = QuantumDatabase(DatabaseConfig(enable_quantum=True, seed=seed), store=MemoryStore())
        db.insert("r", np.ones(4), contexts=[("a", 0.5), ("b", 0.5)])
        return [db.query(np.ones(4), top_k=1)[0].context for _ in range(30)]

    assert draws(3) == draws(3)
    assert draws(3) != draws(4)


def test_filters_apply_to_user_metadata(rng: np.random.Generator) -> None:
    db = make_db()
    for i in range(20):
        db.insert(f"r{i}", rng.normal(size=4), metadata={"year": 2000 + i, "kind": "a" if i % 2 else "b"})
    results = db.query(np.ones(4), top_k=20, filter={"year": {"$gte": 2010}, "kind": "a"})
    assert sorted(int(r.id[1:]) for r in results) == [11, 13, 15, 17, 19]
    assert all("_qs_inserted_at" not in r.metadata for r in results)  # bookkeeping stays hidden


def test_superposition_switch() -> None:
    db = make_db(enable_superposition=False)
    db.insert("one", np.ones(3), contexts="only")
    with pytest.raises(CapabilityError, match="superposition"):
        db.insert("two", np.ones(3), contexts=[("a", 1.0), ("b", 1.0)])


def test_unknown_context_is_an_error() -> None:
    db = make_db()
    db.insert("r", np.ones(3), contexts="known")
    with pytest.raises(ArgumentError, match="known: known") as info:
        db.query(np.ones(3), context="unknown")
    assert info.value.argument == "context"


def test_state_lives_in_the_store_and_survives_a_new_database_object() -> None:
    store = MemoryStore()
    first = QuantumDatabase(DatabaseConfig(enable_quantum=False), store=store)
    first.insert("a", np.ones(3), contexts=[("x", 0.25), ("y", 0.75)])
    first.insert("b", -np.ones(3), contexts="x")
    first.create_entangled_group("g", ["a", "b"], 0.5)
    second = QuantumDatabase(DatabaseConfig(enable_quantum=False), store=store)
    assert second.stats().contexts == ("x", "y")
    assert second.stats().groups == ("g",)
    assert second.stats().records == 2
    assert second.fetch(["a"])["a"].contexts == pytest.approx({"x": 0.25, "y": 0.75})


def test_insert_batch_and_stats(rng: np.random.Generator) -> None:
    db = make_db()
    count = db.insert_batch(
        [f"r{i}" for i in range(100)], rng.normal(size=(100, 5)), contexts=[[("c", 1.0)]] * 100
    )
    assert count == 100
    stats = db.stats()
    assert (stats.records, stats.dimension, stats.metric, stats.store) == (100, 5, "cosine", "memory")


class CountingStore(MemoryStore):
    """A memory store that records each query's top_k and filter."""

    def __init__(self) -> None:
        super().__init__()
        self.queries: list[tuple[int, object]] = []

    def query_checked(self, vector, top_k, filter, namespace="", include_values=False, include_metadata=True):  # type: ignore[no-untyped-def]
        if namespace == "":
            self.queries.append((top_k, filter))
        return super().query_checked(vector, top_k, filter, namespace, include_values, include_metadata)


def test_the_certificate_uses_the_context_bound(rng: np.random.Generator) -> None:
    """Every record is only half in the context: the bound p_max = 0.5 lets the first store
    query prove the ranking (a bound of 1 would fetch ever more, up to every record)."""
    store = CountingStore()
    db = QuantumDatabase(DatabaseConfig(enable_quantum=False), store=store, clock=ManualClock())
    db.insert_batch(
        [f"r{i}" for i in range(2000)], rng.normal(size=(2000, 8)), contexts=[[("a", 0.5), ("b", 0.5)]] * 2000
    )
    results = db.query(rng.normal(size=8), context="a", top_k=10)
    assert len(results) == 10
    assert [top_k for top_k, _ in store.queries] == [10]


def test_queries_skip_the_visibility_filter_until_something_can_expire() -> None:
    store = CountingStore()
    db = QuantumDatabase(DatabaseConfig(enable_quantum=False), store=store, clock=ManualClock())
    db.insert("forever", np.ones(3))
    db.query(np.ones(3))
    assert store.queries[-1][1] is None
    db.insert("fading", np.ones(3), coherence_time=100)
    db.query(np.ones(3))
    assert store.queries[-1][1] is not None
    # The flag is part of the store's catalog: a database opened later on the same store knows it.
    reopened = QuantumDatabase(DatabaseConfig(enable_quantum=False), store=store, clock=ManualClock())
    reopened.query(np.ones(3))
    assert store.queries[-1][1] is not None


def test_an_unknown_backend_fails_at_construction_not_at_the_first_query(
    registry: PluginRegistry,
) -> None:
    config = DatabaseConfig(enable_quantum=True, quantum_sdk="no-such-backend")
    with pytest.raises(PluginNotFoundError, match="no-such-backend"):
        QuantumDatabase(config, registry=registry)
    # Without quantum execution the backend is never needed, so the name is not looked up.
    classical = QuantumDatabase(attrs.evolve(config, enable_quantum=False), registry=registry)
    classical.insert("a", [1.0, 0.0], contexts=[("x", 0.5), ("y", 0.5)])
    assert [r.id for r in classical.query([1.0, 0.0])] == ["a"]
