"""What survives: closing and reopening, a SIGKILL of the writing process, and what a data
directory held by another process does (a typed error naming it)."""

from __future__ import annotations

import multiprocessing
import os
import signal
from multiprocessing.connection import Connection
from pathlib import Path

import numpy as np
import pytest
from pymilvus import DataType, MilvusClient

from q_store import ArgumentError, DimensionMismatchError, VectorStoreError
from q_store_milvus import MilvusStore

DIMENSION = 8
BATCH = 40


def batch_vectors(batch: int) -> np.ndarray:
    """The vectors of batch ``batch``, reproducible in any process."""
    return np.random.default_rng(batch).normal(size=(BATCH, DIMENSION)).astype(np.float32)


def test_data_survives_close_and_reopen(tmp_path: Path) -> None:
    uri = tmp_path / "kept.db"
    vectors = batch_vectors(0)
    ids = [f"r{i}" for i in range(BATCH)]
    with MilvusStore(uri=uri, metric="euclidean") as store:
        store.upsert(ids, vectors, [{"i": i, "tags": ["even"] if i % 2 == 0 else []} for i in range(BATCH)])
        store.upsert(["a"], vectors[:1], [{"ns": True}], namespace="elsewhere")
        store.delete(["r0"])
    with MilvusStore(uri=uri, metric="euclidean") as reopened:
        assert reopened.dimension == DIMENSION  # read from the collection, not passed again
        assert reopened.stats().namespaces == {"": BATCH - 1, "elsewhere": 1}
        record = reopened.fetch(["r7"])["r7"]
        np.testing.assert_array_equal(record.vector, vectors[7])
        assert record.metadata == {"i": 7, "tags": []}
        even = np.arange(2, BATCH, 2)  # r0 was deleted
        distances = np.linalg.norm(vectors[even] - vectors[5], axis=1)
        nearest = reopened.query(vectors[5], top_k=3, filter={"tags": "even"})
        assert [m.id for m in nearest] == [f"r{i}" for i in even[np.argsort(distances)[:3]]]
        assert reopened.fetch(["a"], namespace="elsewhere")["a"].metadata == {"ns": True}


def test_reopening_with_another_metric_or_dimension_is_refused(tmp_path: Path) -> None:
    uri = tmp_path / "fixed.db"
    with MilvusStore(uri=uri, metric="dot") as store:
        store.upsert(["x"], np.ones((1, DIMENSION)))
    with pytest.raises(ArgumentError) as info:
        MilvusStore(uri=uri, metric="cosine")
    assert info.value.argument == "metric"
    assert "'dot'" in str(info.value)
    with pytest.raises(DimensionMismatchError):
        MilvusStore(uri=uri, metric="dot", dimension=DIMENSION + 1)
    with MilvusStore(uri=uri, metric="dot") as again:  # the failed attempts released the directory
        assert again.count() == 1


def test_a_collection_of_someone_else_is_not_adopted(tmp_path: Path) -> None:
    uri = tmp_path / "foreign.db"
    client = MilvusClient(str(uri))
    schema = client.create_schema(auto_id=False)
    schema.add_field("pk", DataType.VARCHAR, is_primary=True, max_length=64)
    schema.add_field("vector", DataType.FLOAT_VECTOR, dim=DIMENSION)
    index = client.prepare_index_params()
    index.add_index("vector", index_type="FLAT", metric_type="COSINE")
    client.create_collection("q_store", schema=schema, index_params=index)
    client.close()
    with pytest.raises(VectorStoreError, match="not created by q-store-milvus"):
        MilvusStore(uri=uri)
    with MilvusStore(uri=uri, collection="mine") as store:  # another collection name is fine
        assert store.count() == 0


# ---------------------------------------------------------------------------- crash


def write_until_killed(uri: str, acknowledged: Connection) -> None:
    """Child process: write batch after batch, reporting each batch's ids once upsert returned.

    A small flush threshold makes flushes happen mid-stream, so the kill may land in one."""
    store = MilvusStore(uri=uri, metric="euclidean", flush_threshold=100)
    batch = 0
    while True:
        ids = [f"b{batch}-{i}" for i in range(BATCH)]
        store.upsert(ids, batch_vectors(batch), [{"batch": batch}] * BATCH)
        acknowledged.send(ids)
        batch += 1


@pytest.mark.slow
def test_acknowledged_writes_survive_sigkill(tmp_path: Path) -> None:
    uri = str(tmp_path / "crash.db")
    context = multiprocessing.get_context("spawn")  # never fork a process running gRPC threads
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=write_until_killed, args=(uri, sender), daemon=True)
    child.start()
    sender.close()
    acknowledged: list[str] = []
    while len(acknowledged) < 8 * BATCH:  # several flushes have happened by then
        assert receiver.poll(120), "the writer did not report in time"
        acknowledged += receiver.recv()
    os.kill(child.pid, signal.SIGKILL)  # type: ignore[arg-type]
    child.join(30)
    assert child.exitcode == -signal.SIGKILL
    while receiver.poll():  # batches acknowledged between our last read and the kill count too
        try:
            acknowledged += receiver.recv()
        except EOFError:
            break
    with MilvusStore(uri=uri, metric="euclidean") as reopened:
        found = reopened.fetch(acknowledged)
        assert sorted(found) == sorted(acknowledged)
        batches = len(acknowledged) // BATCH
        for batch in range(batches):
            record = found[f"b{batch}-3"]
            np.testing.assert_array_equal(record.vector, batch_vectors(batch)[3])
            assert record.metadata == {"batch": batch}
        # Rows of a batch cut short by the kill may or may not be there; nothing else is.
        assert batches * BATCH <= reopened.count() <= (batches + 1) * BATCH


# ---------------------------------------------------------------------------- locking


def hold_directory(uri: str, control: Connection) -> None:
    """Child process: open a store, say so, and keep it open until told to stop."""
    store = MilvusStore(uri=uri)
    store.upsert(["held"], np.ones((1, DIMENSION)))
    control.send(os.getpid())
    control.recv()
    store.close()


@pytest.mark.slow
def test_a_directory_held_by_another_process_is_a_clear_typed_error(tmp_path: Path) -> None:
    uri = str(tmp_path / "held.db")
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    holder = context.Process(target=hold_directory, args=(uri, theirs), daemon=True)
    holder.start()
    try:
        assert ours.poll(120), "the holder did not start in time"
        pid = ours.recv()
        with pytest.raises(VectorStoreError) as info:
            MilvusStore(uri=uri)
        message = str(info.value)
        assert uri in message
        assert "locked" in message
        assert f"process {pid}" in message
    finally:
        ours.send("stop")
        holder.join(60)
    assert holder.exitcode == 0
    with MilvusStore(uri=uri) as store:  # closing there released the directory
        assert set(store.fetch(["held"])) == {"held"}
