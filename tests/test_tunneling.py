"""Tunneling: the documented transmission formula, strength 0 == plain query, monotone basin
coverage, the relevance floor, and the landscape demonstration."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from db_helpers import cosine

from q_store import CapabilityError, DatabaseConfig, QuantumDatabase
from q_store.tunneling import basins, transmission
from q_store_mock import MemoryStore, MockBackend

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "tunneling_landscape.py"


@pytest.fixture(scope="module")
def example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("tunneling_landscape", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_transmission_formula_and_its_monotonicity() -> None:
    s, barrier, strength = 0.5, 0.8, 0.6
    expected = math.exp(-2 * math.sqrt(barrier - s) * (math.acos(s) - math.acos(barrier)) / strength)
    assert transmission(s, barrier, strength) == pytest.approx(expected)
    assert transmission(0.9, barrier, strength) == 1.0  # inside the barrier
    assert transmission(0.5, barrier, 0.0) == 0.0
    heights = [transmission(x, barrier, strength) for x in (0.7, 0.5, 0.3, 0.0, -0.5)]
    assert heights == sorted(heights, reverse=True)  # higher and wider barriers transmit less
    strengths = [transmission(0.4, barrier, lam) for lam in (0.1, 0.3, 1.0, 3.0)]
    assert strengths == sorted(strengths)


def test_basins_are_single_linkage_components() -> None:
    points = np.array([[1, 0, 0], [0.95, 0.31, 0], [0, 1, 0], [0, 0.96, 0.28], [0, 0, 1.0]])
    units = points / np.linalg.norm(points, axis=1, keepdims=True)
    labels = basins(units, 0.9)
    assert labels[0] == labels[1]
    assert labels[2] == labels[3]
    assert len(set(labels.tolist())) == 3


def test_plain_query_stays_in_the_local_basin_tunneling_reaches_the_better_one(example: ModuleType) -> None:
    db, query = example.build_database()
    plain = db.query(query, top_k=10)
    assert {r.metadata["basin"] for r in plain} == {"local (mediocre)"}
    results = db.tunnel_search(query, barrier_threshold=0.8, tunneling_strength=0.6, top_k=10, energy="loss")
    tunneled = [r for r in results if r.tunneled]
    assert tunneled
    assert {r.metadata["basin"] for r in tunneled} == {"far (better)"}
    assert min(r.metadata["loss"] for r in results) < min(r.metadata["loss"] for r in plain) - 0.1
    # The reported transmission is the formula applied to the basin's closest member.
    _, vectors, metadata, _ = example.landscape()
    far = [v for v, m in zip(vectors, metadata, strict=True) if m["basin"] == "far (better)"]
    entry = max(cosine(query, v) for v in far)
    assert tunneled[0].transmission == pytest.approx(transmission(entry, 0.8, 0.6), rel=1e-4)
    assert all(
        not r.tunneled and r.transmission == 1.0 for r in results if r.metadata["basin"] == "local (mediocre)"
    )


def test_strength_zero_is_exactly_the_plain_query(example: ModuleType, rng: np.random.Generator) -> None:
    db, query = example.build_database()
    for top_k in (1, 5, 10, 40):
        plain = db.query(query, top_k=top_k)
        tunneled = db.tunnel_search(query, barrier_threshold=0.8, tunneling_strength=0.0, top_k=top_k)
        assert [r.id for r in tunneled] == [r.id for r in plain]
        assert [r.score for r in tunneled] == pytest.approx([r.score for r in plain])
    random_db = QuantumDatabase(DatabaseConfig(enable_quantum=False), store=MemoryStore())
    random_db.insert_batch(
        [f"r{i}" for i in range(200)],
        rng.normal(size=(200, 12)),
        contexts=[[("c", float(i % 5 + 1)), ("d", 1.0)] for i in range(200)],
    )
    probe = rng.normal(size=12)
    assert [r.id for r in random_db.tunnel_search(probe, 0.5, 0.0, top_k=15, context="c")] == [
        r.id for r in random_db.query(probe, context="c", top_k=15)
    ]


def test_basin_coverage_never_shrinks_as_strength_grows(example: ModuleType) -> None:
    db, query = example.build_database()
    coverage = [
        len({r.metadata["basin"] for r in db.tunnel_search(query, 0.8, strength, top_k=10)})
        for strength in (0.0, 0.1, 0.2, 0.3, 0.45, 0.6, 0.8, 1.0, 1.5, 2.0, 4.0)
    ]
    assert coverage == sorted(coverage)
    assert coverage[0] == 1
    assert coverage[-1] == 4


def test_no_tunneled_result_below_the_similarity_floor(example: ModuleType) -> None:
    db, query = example.build_database()
    for floor in (0.0, 0.5, 0.6):
        for r in db.tunnel_search(query, 0.8, 2.0, top_k=10, min_similarity=floor):
            if r.tunneled:
                assert r.similarity >= floor
    # With a floor above the far basin's similarity (about 0.55), it is not reachable at all.
    high_floor = db.tunnel_search(query, 0.8, 2.0, top_k=10, energy="loss", min_similarity=0.7)
    assert not any(r.tunneled for r in high_floor)


def test_quantum_tunneling_choice_follows_the_transmission(example: ModuleType) -> None:
    """With enable_quantum=True each basin is reached when a qubit prepared with probability T
    measures 1: over many searches the far basin appears with frequency T."""
    ids, vectors, metadata, query = example.landscape()
    db = QuantumDatabase(
        DatabaseConfig(enable_quantum=True, seed=2), store=MemoryStore(), backend=MockBackend()
    )
    db.insert_batch(ids, vectors, metadata=metadata)
    far = [v for v, m in zip(vectors, metadata, strict=True) if m["basin"] == "far (better)"]
    t = transmission(max(cosine(query, v) for v in far), 0.8, 0.3)
    runs = 400
    reached = sum(
        any(r.tunneled for r in db.tunnel_search(query, 0.8, 0.3, top_k=10, energy="loss"))
        for _ in range(runs)
    )
    assert abs(reached / runs - t) <= 5 * math.sqrt(t * (1 - t) / runs)
    assert 0.05 < t < 0.95  # a genuinely probabilistic choice


def test_query_with_tunneling_is_tunnel_search(example: ModuleType) -> None:
    db, query = example.build_database()
    assert [r.id for r in db.query(query, top_k=10, enable_tunneling=True)] == [
        r.id for r in db.tunnel_search(query, top_k=10)
    ]


def test_tunneling_switch() -> None:
    db = QuantumDatabase(DatabaseConfig(enable_tunneling=False), store=MemoryStore())
    db.insert("a", np.ones(3))
    with pytest.raises(CapabilityError, match="tunneling"):
        db.tunnel_search(np.ones(3))
