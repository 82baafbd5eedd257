"""What is special to the Milvus store: hostile strings in ids, values, fields and namespaces;
Milvus' limits; batching; approximate indexes; and QuantumDatabase on top of it."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from q_store import ArgumentError, DatabaseConfig, QuantumDatabase, VectorStoreError
from q_store_milvus import MilvusStore
from q_store_milvus.store import IDS_PER_EXPRESSION

StoreFactory = Callable[..., MilvusStore]
DIMENSION = 8
HOSTILE = [
    'x" or pk != "',
    "x' or pk != '",
    "a\\",
    'b\\" or \\"',
    "]) or (pk in [",
    "line\nbreak",
    "%",
    "_",
]


def vectors(count: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(count, DIMENSION)).astype(np.float32)


def test_hostile_ids_are_fetched_and_deleted_one_by_one(make_milvus: StoreFactory) -> None:
    store = make_milvus()
    ids = [*HOSTILE, "plain", "x", "pk"]
    store.upsert(ids, vectors(len(ids)), [{"id": i} for i in ids])
    for record_id in ids:
        assert list(store.fetch([record_id])) == [record_id]
        assert store.fetch([record_id])[record_id].metadata == {"id": record_id}
    store.delete(['x" or pk != "'])
    store.delete(["]) or (pk in ["])
    assert sorted(store.fetch(ids)) == sorted(set(ids) - {'x" or pk != "', "]) or (pk in ["})


def test_hostile_filter_values_select_nothing_extra(make_milvus: StoreFactory) -> None:
    store = make_milvus()
    store.upsert(["a", "b", "c"], vectors(3), [{"name": "a"}, {"name": 'x" or pk != "'}, {}])
    probe = np.ones(DIMENSION)
    for value in HOSTILE:
        expected = {"b"} if value == 'x" or pk != "' else set()
        assert {m.id for m in store.query(probe, top_k=5, filter={"name": value})} == expected
        assert {
            m.id for m in store.query(probe, top_k=5, filter={"name": {"$in": [value, "zzz"]}})
        } == expected
    store.delete(filter={"name": "x' or pk != '"})
    assert store.count() == 3


def test_hostile_field_names_and_namespaces_are_just_names(make_milvus: StoreFactory) -> None:
    store = make_milvus()
    for position, name in enumerate(HOSTILE):
        store.upsert(["same"], vectors(1, position), [{name: position}], namespace=name)
    store.upsert(["same"], vectors(1, 99), [{"n": -1}])
    assert store.stats().namespaces == {"": 1, **{name: 1 for name in HOSTILE}}
    for position, name in enumerate(HOSTILE):
        [match] = store.query(np.ones(DIMENSION), top_k=5, namespace=name, filter={name: {"$gte": position}})
        assert match.metadata == {name: position}
        assert store.query(np.ones(DIMENSION), namespace=name, filter={name: {"$gt": position}}) == []
    store.delete(delete_all=True, namespace=HOSTILE[0])
    assert HOSTILE[0] not in store.stats().namespaces
    assert store.count(namespace=HOSTILE[1]) == 1


@pytest.mark.parametrize(
    "bad",
    [
        {"big": "x" * 70_000},  # Milvus JSON values hold at most 64 KiB
        {"huge": 2**70},  # integers are 64-bit in Milvus
        {"tags": [f"t{i}" for i in range(3000)]},  # more distinct items than the filter index holds
    ],
)
def test_what_milvus_cannot_store_is_refused_before_anything_is_written(
    make_milvus: StoreFactory, bad: dict[str, object]
) -> None:
    store = make_milvus()
    with pytest.raises(ArgumentError) as info:
        store.upsert(["fine", "bad"], vectors(2), [{"ok": 1}, bad])
    assert info.value.argument.startswith("metadata[1]")
    assert store.count() == 0


def test_large_batches_and_id_lists_are_split(make_milvus: StoreFactory) -> None:
    store = make_milvus(batch_size=7, flush_threshold=50)
    count = 2 * IDS_PER_EXPRESSION + 17
    ids = [f"id-{i}" for i in range(count)]
    data = vectors(count)
    store.upsert(ids, data, [{"i": i} for i in range(count)])
    found = store.fetch(ids)
    assert len(found) == count
    np.testing.assert_array_equal(found[ids[-1]].vector, data[-1])
    store.delete(ids[: count - 3])
    assert sorted(store.fetch(ids)) == sorted(ids[-3:])


def test_explicit_flush_and_no_automatic_flush(make_milvus: StoreFactory) -> None:
    store = make_milvus(flush_threshold=None)
    store.upsert([f"v{i}" for i in range(30)], vectors(30))
    store.flush()
    store.upsert(["late"], vectors(1, 5))  # unflushed rows are searched too
    assert store.query(vectors(1, 5)[0], top_k=1)[0].id == "late"
    assert store.count() == 31


def test_an_approximate_index_says_so_and_still_finds_neighbours(make_milvus: StoreFactory) -> None:
    store = make_milvus(index="HNSW", search_params={"ef": 64})
    assert not store.capabilities.exact
    assert MilvusStore.capabilities.exact  # the class describes the exact default (FLAT)
    data = vectors(300)
    store.upsert([f"v{i}" for i in range(300)], data)
    store.flush()
    recalls = []
    for query in vectors(10, seed=1):
        similarity = data @ query / np.linalg.norm(data, axis=1)
        expected = {f"v{i}" for i in np.argsort(-similarity)[:10]}
        recalls.append(len({m.id for m in store.query(query, top_k=10)} & expected) / 10)
    assert np.mean(recalls) >= 0.9  # 300 points, ef >= k: HNSW is all but exact here


def test_a_closed_store_says_so(make_milvus: StoreFactory) -> None:
    store = make_milvus()
    store.upsert(["a"], vectors(1))
    store.close()
    store.close()  # idempotent
    with pytest.raises(VectorStoreError, match="closed"):
        store.fetch(["a"])


def test_quantum_database_on_milvus_keeps_its_state_across_reopening(tmp_path: object) -> None:
    """Contexts, decoherence filters ($exists/$gt on reserved fields) and entangled groups go
    through the store's filter translation and persist in milvus-lite."""
    config = DatabaseConfig(
        vector_store="milvus",
        vector_store_options={"uri": f"{tmp_path}/qdb.db"},
        enable_quantum=False,
        seed=3,
    )
    data = vectors(20)
    clock = [1_000.0]
    with QuantumDatabase(config, clock=lambda: clock[0]) as db:
        db.insert_batch(
            [f"r{i}" for i in range(20)],
            data,
            contexts=[[("train", 0.8), ("test", 0.2)] if i % 2 else "test" for i in range(20)],
        )
        db.insert("fading", data[0], contexts="train", coherence_time=1_000.0)
        db.create_entangled_group("pair", ["r1", "r2"], 0.5)
        assert db.query(data[0], context="train", top_k=1)[0].id == "fading"
        clock[0] += 60.0  # the fading record is now invisible (coherence below the threshold)
        assert "fading" not in {r.id for r in db.query(data[0], context="train", top_k=25)}
    with QuantumDatabase(config, clock=lambda: clock[0]) as reopened:
        assert reopened.stats().contexts == ("test", "train")
        assert reopened.entangled_group("pair") is not None
        results = reopened.query(data[3], context="train", top_k=3)
        assert results[0].id == "r3"
        assert results[0].context_probability == pytest.approx(0.8)
        assert all(int(r.id[1:]) % 2 == 1 for r in results)
        assert reopened.apply_decoherence() == 1
