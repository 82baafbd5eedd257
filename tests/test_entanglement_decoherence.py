"""Entanglement (correlated updates, partners in results, membership on delete) and decoherence
(exp(-age/T), invisibility, apply_decoherence, the sweep), with an injectable clock."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
from db_helpers import ManualClock, cosine

from q_store import ArgumentError, CapabilityError, DatabaseConfig, QuantumDatabase
from q_store_mock import MemoryStore


def make_db(metric: str = "cosine", **config: object) -> tuple[QuantumDatabase, ManualClock]:
    clock = ManualClock()
    db = QuantumDatabase(
        DatabaseConfig(enable_quantum=False, metric=metric, **config),  # type: ignore[arg-type]
        store=MemoryStore(metric=metric),
        clock=clock,
    )
    return db, clock


def unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v)


def test_update_moves_partners_by_the_documented_rule(rng: np.random.Generator) -> None:
    db, _ = make_db()
    a, b, c, d = rng.normal(size=(4, 6))
    db.insert_batch(["a", "b", "c", "d"], np.stack([a, b, c, d]))
    db.create_entangled_group("g", ["a", "b", "c"], correlation_strength=0.5)
    new = rng.normal(size=6)
    db.update("a", new)
    records = db.fetch(["a", "b", "c", "d"])
    np.testing.assert_allclose(records["a"].vector, new, rtol=1e-5)
    for name, old in (("b", b), ("c", c)):
        expected = unit(unit(old) + 0.5 * (unit(new) - unit(a)))
        np.testing.assert_allclose(records[name].vector, expected, atol=1e-5)
    np.testing.assert_allclose(records["d"].vector, d, rtol=1e-6)  # not entangled: untouched


def test_euclidean_updates_shift_partners_without_normalising(rng: np.random.Generator) -> None:
    db, _ = make_db("euclidean")
    a, b = rng.normal(size=(2, 4))
    db.insert_batch(["a", "b"], np.stack([a, b]))
    db.create_entangled_group("g", ["a", "b"], 0.85)
    new = a + 3.0
    db.update("a", new)
    np.testing.assert_allclose(db.fetch(["b"])["b"].vector, b + 0.85 * 3.0, rtol=1e-5)


def test_propagation_is_one_hop(rng: np.random.Generator) -> None:
    db, _ = make_db()
    a, b, c = rng.normal(size=(3, 5))
    db.insert_batch(["a", "b", "c"], np.stack([a, b, c]))
    db.create_entangled_group("ab", ["a", "b"], 1.0)
    db.create_entangled_group("bc", ["b", "c"], 1.0)
    db.update("a", rng.normal(size=5))
    np.testing.assert_allclose(db.fetch(["c"])["c"].vector, c, rtol=1e-6)


def test_query_adds_entangled_partners(rng: np.random.Generator) -> None:
    db, _ = make_db()
    q = np.ones(6)
    db.insert("close", q + 0.01)
    db.insert("partner", -q)  # far from the query
    db.insert("other", rng.normal(size=6))
    db.create_entangled_group("pair", ["close", "partner"], 0.85)
    plain = db.query(q, top_k=1)
    assert [r.id for r in plain] == ["close"]
    expanded = db.query(q, top_k=1, include_entangled=True)
    assert [r.id for r in expanded] == ["close", "partner"]
    partner = expanded[1]
    assert partner.entangled_with == "close"
    assert partner.score == pytest.approx(0.85 * expanded[0].score)
    assert partner.similarity == pytest.approx(cosine(q, -q))
    # Already present partners are not added twice.
    both = db.query(q, top_k=3, include_entangled=True)
    assert sorted(r.id for r in both) == ["close", "other", "partner"]


def test_group_validation_writes_nothing(rng: np.random.Generator) -> None:
    db, _ = make_db()
    db.insert_batch(["a", "b"], rng.normal(size=(2, 3)))
    with pytest.raises(ArgumentError, match=r"\['missing'\]") as info:
        db.create_entangled_group("g", ["a", "missing"])
    assert info.value.argument == "entity_ids"
    for strength in (0, 1.5, -0.1, float("nan")):
        with pytest.raises(ArgumentError) as info:
            db.create_entangled_group("g", ["a", "b"], strength)
        assert info.value.argument == "correlation_strength"
    assert db.stats().groups == ()
    assert db.fetch(["a"])["a"].groups == ()
    db.create_entangled_group("g", ["a", "b"])
    with pytest.raises(ArgumentError, match="already exists"):
        db.create_entangled_group("g", ["a", "b"])


def test_deleting_members_updates_and_dissolves_groups(rng: np.random.Generator) -> None:
    db, _ = make_db()
    db.insert_batch(["a", "b", "c"], rng.normal(size=(3, 4)))
    db.create_entangled_group("g", ["a", "b", "c"])
    assert db.delete("a") == 1
    group = db.entangled_group("g")
    assert group is not None
    assert group.members == ("b", "c")
    db.delete(["b", "never-existed"])
    assert db.entangled_group("g") is None
    assert db.fetch(["c"])["c"].groups == ()


def test_entanglement_switch(rng: np.random.Generator) -> None:
    db, _ = make_db(enable_entanglement=False)
    db.insert_batch(["a", "b"], rng.normal(size=(2, 3)))
    with pytest.raises(CapabilityError, match="entanglement"):
        db.create_entangled_group("g", ["a", "b"])


# ---------------------------------------------------------------------------- decoherence


def test_coherence_decays_exponentially_and_scales_the_score() -> None:
    db, clock = make_db()
    v = np.ones(4)
    db.insert("fading", v, coherence_time=1000)
    db.insert("forever", v, coherence_time=None)
    clock.advance(500)
    results = {r.id: r for r in db.query(v, top_k=2)}
    assert results["fading"].coherence == pytest.approx(math.exp(-0.5))
    assert results["fading"].score == pytest.approx(math.exp(-0.5) * results["forever"].score)
    assert results["forever"].coherence == 1.0
    assert db.fetch(["fading"])["fading"].coherence == pytest.approx(math.exp(-0.5))


def test_decohered_records_are_invisible_then_removed() -> None:
    db, clock = make_db(decoherence_threshold=0.05)
    v = np.ones(4)
    db.insert("short", v, coherence_time=100)
    db.insert("long", v, coherence_time=10_000)
    db.insert("never", v)
    # Invisible once exp(-age/T) < 0.05, i.e. after T ln 20 ~ 300 ms for the short one.
    clock.advance(290)
    assert {r.id for r in db.query(v, top_k=3)} == {"short", "long", "never"}
    clock.advance(20)
    assert {r.id for r in db.query(v, top_k=3)} == {"long", "never"}
    assert db.stats().records == 3  # invisible, not yet removed
    assert db.apply_decoherence() == 1
    assert db.stats().records == 2
    assert db.apply_decoherence() == 0


def test_default_coherence_time_applies_unless_overridden() -> None:
    db, clock = make_db(default_coherence_time=50)
    db.insert("default", np.ones(3))
    db.insert("explicit-never", np.ones(3), coherence_time=None)
    clock.advance(10_000)
    assert [r.id for r in db.query(np.ones(3), top_k=5)] == ["explicit-never"]


def test_the_sweep_removes_decohered_records() -> None:
    clock = ManualClock()
    db = QuantumDatabase(
        DatabaseConfig(enable_quantum=False), store=MemoryStore(), clock=clock, sweep_interval=0.01
    )
    try:
        db.insert("short", np.ones(3), coherence_time=1)
        clock.advance(1_000)
        deadline = time.monotonic() + 5
        while db.stats().records and time.monotonic() < deadline:
            time.sleep(0.01)
        assert db.stats().records == 0
    finally:
        db.close()


def test_decoherence_switch() -> None:
    db, clock = make_db(enable_decoherence=False, default_coherence_time=10)
    db.insert("a", np.ones(3))  # the default is ignored when decoherence is off
    clock.advance(1e6)
    assert [r.id for r in db.query(np.ones(3))] == ["a"]
    with pytest.raises(CapabilityError, match="decoherence"):
        db.insert("b", np.ones(3), coherence_time=5)
