"""Bad input never changes the data: each bad call raises a typed error naming the argument, and
the store's contents (every record, vector and metadata, bookkeeping included) are unchanged."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from db_helpers import ManualClock, snapshot

from q_store import (
    ArgumentError,
    DatabaseConfig,
    DimensionMismatchError,
    FilterError,
    NonFiniteError,
    QStoreError,
    QuantumDatabase,
)
from q_store_mock import MemoryStore

GOOD = np.ones(4)


@pytest.fixture
def db() -> QuantumDatabase:
    database = QuantumDatabase(DatabaseConfig(enable_quantum=False), store=MemoryStore(), clock=ManualClock())
    database.insert("a", GOOD, contexts=[("x", 0.7), ("y", 0.3)], metadata={"k": 1}, coherence_time=10_000)
    database.insert("b", -GOOD, contexts="x")
    database.create_entangled_group("g", ["a", "b"], 0.5)
    return database


CASES: list[tuple[str, type[QStoreError], str, Callable[[QuantumDatabase], object]]] = [
    ("wrong dimension", DimensionMismatchError, "vectors", lambda d: d.insert("c", np.ones(5))),
    ("NaN", NonFiniteError, "vectors", lambda d: d.insert("c", [1, np.nan, 0, 0])),
    ("inf", NonFiniteError, "vectors", lambda d: d.insert("c", [1, np.inf, 0, 0])),
    ("zero vector", ArgumentError, "vectors", lambda d: d.insert("c", np.zeros(4))),
    ("empty id", ArgumentError, "ids", lambda d: d.insert("", GOOD)),
    ("non-string id", ArgumentError, "ids", lambda d: d.insert(7, GOOD)),  # type: ignore[arg-type]
    ("duplicate ids", ArgumentError, "ids", lambda d: d.insert_batch(["c", "c"], np.ones((2, 4)))),
    ("batch shape", ArgumentError, "vectors", lambda d: d.insert_batch(["c", "e"], np.ones((3, 4)))),
    (
        "negative weight",
        ArgumentError,
        "contexts",
        lambda d: d.insert("c", GOOD, contexts=[("x", -0.1), ("y", 1.0)]),
    ),
    (
        "all-zero weights",
        ArgumentError,
        "contexts",
        lambda d: d.insert("c", GOOD, contexts=[("x", 0.0), ("y", 0.0)]),
    ),
    ("NaN weight", ArgumentError, "contexts", lambda d: d.insert("c", GOOD, contexts=[("x", float("nan"))])),
    (
        "duplicate context",
        ArgumentError,
        "contexts",
        lambda d: d.insert("c", GOOD, contexts=[("x", 1), ("x", 2)]),
    ),
    ("empty context name", ArgumentError, "contexts", lambda d: d.insert("c", GOOD, contexts=[("", 1.0)])),
    (
        "reserved metadata",
        ArgumentError,
        "metadata",
        lambda d: d.insert("c", GOOD, metadata={"_qs_state": "x"}),
    ),
    (
        "nested metadata",
        ArgumentError,
        "metadata['m']",
        lambda d: d.insert("c", GOOD, metadata={"m": {"a": 1}}),
    ),
    ("negative coherence", ArgumentError, "coherence_time", lambda d: d.insert("c", GOOD, coherence_time=-5)),
    ("zero coherence", ArgumentError, "coherence_time", lambda d: d.insert("c", GOOD, coherence_time=0)),
    ("unknown context", ArgumentError, "context", lambda d: d.query(GOOD, context="nope")),
    ("top_k zero", ArgumentError, "top_k", lambda d: d.query(GOOD, top_k=0)),
    ("top_k negative", ArgumentError, "top_k", lambda d: d.query(GOOD, top_k=-3)),
    (
        "unknown filter operator",
        FilterError,
        "filter['k']['$regex']",
        lambda d: d.query(GOOD, filter={"k": {"$regex": "1"}}),
    ),
    ("query dimension", DimensionMismatchError, "vector", lambda d: d.query(np.ones(3))),
    ("bad collapse", ArgumentError, "collapse", lambda d: d.query(GOOD, collapse="sometimes")),  # type: ignore[arg-type]
    (
        "group with missing ids",
        ArgumentError,
        "entity_ids",
        lambda d: d.create_entangled_group("h", ["a", "zzz"]),
    ),
    ("group of one", ArgumentError, "entity_ids", lambda d: d.create_entangled_group("h", ["a"])),
    (
        "strength zero",
        ArgumentError,
        "correlation_strength",
        lambda d: d.create_entangled_group("h", ["a", "b"], 0.0),
    ),
    (
        "strength above one",
        ArgumentError,
        "correlation_strength",
        lambda d: d.create_entangled_group("h", ["a", "b"], 1.2),
    ),
    ("update unknown id", ArgumentError, "id", lambda d: d.update("zzz", GOOD)),
    ("update wrong dimension", DimensionMismatchError, "vector", lambda d: d.update("a", np.ones(7))),
    ("update bad contexts", ArgumentError, "contexts", lambda d: d.update("a", contexts=[("x", -1.0)])),
    (
        "barrier out of range",
        ArgumentError,
        "barrier_threshold",
        lambda d: d.tunnel_search(GOOD, barrier_threshold=1.5),
    ),
    (
        "negative strength",
        ArgumentError,
        "tunneling_strength",
        lambda d: d.tunnel_search(GOOD, tunneling_strength=-1),
    ),
    ("bad floor", ArgumentError, "min_similarity", lambda d: d.tunnel_search(GOOD, min_similarity=2)),
]


@pytest.mark.parametrize(("name", "error", "argument", "call"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_refused_and_changes_nothing(
    db: QuantumDatabase,
    name: str,
    error: type[QStoreError],
    argument: str,
    call: Callable[[QuantumDatabase], object],
) -> None:
    before = snapshot(db)
    with pytest.raises(error) as info:
        call(db)
    assert getattr(info.value, "argument", None) == argument
    assert snapshot(db) == before


def test_an_update_that_would_break_a_partner_writes_nothing() -> None:
    """Partners at 60 degrees with strength 1: moving u_a to u_a - u_b (a unit vector) would send
    partner b to u_b + (u_a - u_b) - u_a = 0, which has no direction. Refused, nothing written."""
    db = QuantumDatabase(DatabaseConfig(enable_quantum=False), store=MemoryStore(), clock=ManualClock())
    u_a = np.array([1.0, 0.0, 0.0])
    u_b = np.array([0.5, np.sqrt(3) / 2, 0.0])
    db.insert_batch(["a", "b"], np.stack([u_a, u_b]))
    db.create_entangled_group("tight", ["a", "b"], 1.0)
    before = snapshot(db)
    with pytest.raises(ArgumentError, match="without a direction") as info:
        db.update("a", u_a - u_b)
    assert info.value.argument == "vector"
    assert snapshot(db) == before
