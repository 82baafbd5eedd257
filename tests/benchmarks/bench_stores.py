"""Benchmark of the vector stores against the raw libraries beneath them, in one run.

Run by ``nox -s bench`` (never by the tests). Each store runs beside its raw library on the same
data in the same process, and latencies are measured interleaved (raw, ours, raw, ours, ...) so
that a busy shared machine slows both alike; ratios are ours / raw.

(a) the memory store beside numpy brute force; (b) the Milvus store beside the raw pymilvus
client on milvus-lite (FLAT and HNSW; and what reads cost before and after a flush); (c)
QuantumDatabase beside the memory store it wraps; (d) ``QuantumDatabase.query`` with
``enable_quantum=True`` on the mock backend. Data: random normal vectors, dimension 128, cosine,
top 10; recall@10 is measured against exact search.

    python tests/benchmarks/bench_stores.py [--quick] [--json out.json] [--profile]
"""

from __future__ import annotations

import os

# One BLAS thread: on a shared 2-core machine, BLAS threads that spin while another process holds
# the core turn a 0.1 ms product into 15 ms outliers; one thread gives every tool the same footing.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import argparse  # noqa: E402
import cProfile  # noqa: E402
import gc  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import pstats  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Sequence  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
from numpy.typing import NDArray  # noqa: E402

from q_store import DatabaseConfig, QuantumDatabase  # noqa: E402
from q_store_mock import MemoryStore  # noqa: E402

DIMENSION = 128
TOP_K = 10
GOAL_OVERHEAD = 1.3
GOAL_QUANTUM_P50_MS = 10.0
Row = dict[str, Any]


# ---------------------------------------------------------------------------- measuring


class Workload:
    """Records, queries and the exact top-10 of every query (numpy, float64)."""

    def __init__(self, count: int, queries: int, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        self.ids = [f"r{i}" for i in range(count)]
        self.data = rng.normal(size=(count, DIMENSION)).astype(np.float32)
        self.queries = rng.normal(size=(queries, DIMENSION)).astype(np.float32)
        units = self.data / np.linalg.norm(self.data, axis=1, keepdims=True)
        scores = self.queries.astype(np.float64) @ units.T.astype(np.float64)
        self.exact = [set(np.argsort(-row)[:TOP_K].tolist()) for row in scores]

    def recall(self, results: Sequence[Sequence[str]]) -> float:
        hits = [
            len({int(i[1:]) for i in ids} & best) / TOP_K
            for ids, best in zip(results, self.exact, strict=True)
        ]
        return float(np.mean(hits))


def seconds(function: Callable[[], object]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def interleaved(
    queries: NDArray[np.float32], tools: dict[str, Callable[[NDArray[np.float32]], list[str]]]
) -> dict[str, dict[str, Any]]:
    """Per tool: latencies (s) and result ids, running the tools in turn on each query."""
    found: dict[str, dict[str, Any]] = {name: {"latencies": [], "ids": []} for name in tools}
    for query in queries:
        for name, search in tools.items():
            start = time.perf_counter()
            ids = search(query)
            found[name]["latencies"].append(time.perf_counter() - start)
            found[name]["ids"].append(ids)
    return found


def percentiles(latencies: Sequence[float]) -> tuple[float, float]:
    """p50 and p95 in milliseconds."""
    p50, p95 = np.percentile(np.asarray(latencies) * 1e3, [50, 95])
    return float(p50), float(p95)


def side_by_side(
    workload: Workload,
    raw_name: str,
    raw_insert_s: float,
    ours_insert_s: float,
    searches: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    """The figures of one raw/ours pair (insert rows/s, p50/p95, recall, ratios ours/raw)."""
    rows = len(workload.ids)
    raw, ours = searches[raw_name], searches["ours"]
    raw_p50, raw_p95 = percentiles(raw["latencies"])
    ours_p50, ours_p95 = percentiles(ours["latencies"])
    return {
        "raw_insert_rows_s": rows / raw_insert_s,
        "ours_insert_rows_s": rows / ours_insert_s,
        "insert_time_ratio": ours_insert_s / raw_insert_s,
        "raw_p50_ms": raw_p50,
        "raw_p95_ms": raw_p95,
        "ours_p50_ms": ours_p50,
        "ours_p95_ms": ours_p95,
        "query_p50_ratio": ours_p50 / raw_p50,
        "raw_recall": workload.recall(raw["ids"]),
        "ours_recall": workload.recall(ours["ids"]),
    }


# ---------------------------------------------------------------------------- (a) memory store


def memory_vs_numpy(workload: Workload) -> dict[str, Any]:
    ids, data = workload.ids, workload.data
    store = MemoryStore()
    units: dict[str, NDArray[np.float32]] = {}

    def numpy_insert() -> None:  # what a hand-written exact store keeps: unit vectors and ids
        units["matrix"] = data / np.linalg.norm(data, axis=1, keepdims=True)
        units["ids"] = np.asarray(ids)

    raw_insert = seconds(numpy_insert)
    ours_insert = seconds(lambda: store.upsert(ids, data))

    def numpy_search(query: NDArray[np.float32]) -> list[str]:
        scores = units["matrix"] @ (query / np.linalg.norm(query))
        best = np.argpartition(-scores, TOP_K)[:TOP_K]
        return units["ids"][best[np.argsort(-scores[best])]].tolist()  # type: ignore[no-any-return]

    def memory_search(query: NDArray[np.float32]) -> list[str]:
        return [m.id for m in store.query(query, top_k=TOP_K, include_metadata=False)]

    searches = interleaved(workload.queries, {"numpy": numpy_search, "ours": memory_search})
    return side_by_side(workload, "numpy", raw_insert, ours_insert, searches)


# ---------------------------------------------------------------------------- (b) Milvus store


def milvus_vs_pymilvus(workload: Workload, index: str, folder: Path) -> dict[str, Any]:
    from pymilvus import DataType, MilvusClient

    from q_store_milvus import MilvusStore
    from q_store_milvus.options import INDEXES

    build, search = INDEXES[index]
    raw_path = folder / f"raw-{index}-{len(workload.ids)}.db"
    client = MilvusClient(str(raw_path))

    def raw_load(collection: str) -> float:
        """What a pymilvus user writes: create the collection, insert row dicts in batches of
        2,000, flush (our store creates its collection in its first upsert, so both include it)."""
        start = time.perf_counter()
        schema = client.create_schema(auto_id=False)
        schema.add_field("pk", DataType.VARCHAR, is_primary=True, max_length=64)
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=DIMENSION)
        index_params = client.prepare_index_params()
        index_params.add_index("vector", index_type=index, metric_type="COSINE", params=dict(build))
        client.create_collection(
            collection, schema=schema, index_params=index_params, consistency_level="Strong"
        )
        for first in range(0, len(workload.ids), 2000):
            rows = [
                {"pk": workload.ids[i], "vector": workload.data[i]}
                for i in range(first, min(first + 2000, len(workload.ids)))
            ]
            client.insert(collection, rows)
        client.flush(collection)
        wait_for_index(client, collection)
        return time.perf_counter() - start

    def ours_load(collection: str) -> tuple[float, MilvusStore]:
        store = MilvusStore(
            uri=folder / f"ours-{index}-{len(workload.ids)}.db", index=index, collection=collection
        )
        start = time.perf_counter()
        store.upsert(workload.ids, workload.data)
        store.flush()
        wait_for_index(store.client, collection)
        return time.perf_counter() - start, store

    # ABBA order: background work left by one load (compaction, index builds) and drifting load
    # on the shared machine then weigh on both tools alike.
    raw_first = raw_load("raw_a")
    ours_first, first_store = ours_load("ours_a")
    ours_second, store = ours_load("ours_b")
    raw_second = raw_load("raw_b")
    first_store.close()
    params = {"metric_type": "COSINE", "params": dict(search)}

    def raw_search(query: NDArray[np.float32]) -> list[str]:
        [hits] = client.search("raw_b", data=[query], limit=TOP_K, search_params=params)
        return [hit["pk"] for hit in hits]

    def ours_search(query: NDArray[np.float32]) -> list[str]:
        return [m.id for m in store.query(query, top_k=TOP_K, include_metadata=False)]

    searches = interleaved(workload.queries, {"pymilvus": raw_search, "ours": ours_search})
    figures = side_by_side(
        workload, "pymilvus", (raw_first + raw_second) / 2, (ours_first + ours_second) / 2, searches
    )
    figures.update(read_after_write_cost(store, workload))
    store.close()
    client.close()
    from milvus_lite.server_manager import server_manager_instance

    server_manager_instance.release_server(str(raw_path))  # free the raw engine's memory
    return figures


def wait_for_index(client: Any, collection: str, limit_s: float = 600.0) -> None:
    """Until milvus-lite reports no rows waiting for the (background) index build."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        state = client.describe_index(collection, "vector")
        if int(state.get("pending_index_rows", 0)) == 0:
            return
        time.sleep(0.2)


def read_after_write_cost(store: Any, workload: Workload) -> dict[str, float]:
    """Queries see acknowledged writes at once (consistency Strong); in milvus-lite the price is
    paid by the unflushed rows, which are searched by brute force in Python until a flush."""
    fresh = np.random.default_rng(99).normal(size=(1000, DIMENSION)).astype(np.float32)
    store.upsert([f"late{i}" for i in range(1000)], fresh)  # under the 1024-row flush threshold
    queries = workload.queries[: min(20, len(workload.queries))]

    def p50() -> float:
        return percentiles([seconds(lambda q=q: store.query(q, top_k=TOP_K)) for q in queries])[0]

    unflushed = p50()
    flush_s = seconds(store.flush)
    return {"p50_ms_with_1000_unflushed": unflushed, "flush_1000_s": flush_s, "p50_ms_flushed": p50()}


# ---------------------------------------------------------------------------- (c) + (d) database


def database_overhead(workload: Workload) -> dict[str, Any]:
    """QuantumDatabase (classical path) beside the memory store it wraps."""
    config = DatabaseConfig(enable_quantum=False)
    store = MemoryStore()
    database = QuantumDatabase(config)
    inserts: dict[str, list[float]] = {"store": [], "database": []}
    for _ in range(5):  # fresh containers each time, interleaved; collect garbage outside the clock
        gc.collect()
        inserts["store"].append(seconds(lambda: MemoryStore().upsert(workload.ids, workload.data)))
        fresh = QuantumDatabase(config)
        gc.collect()
        inserts["database"].append(seconds(lambda db=fresh: db.insert_batch(workload.ids, workload.data)))
    store.upsert(workload.ids, workload.data)
    database.insert_batch(workload.ids, workload.data)

    def store_search(query: NDArray[np.float32]) -> list[str]:
        return [m.id for m in store.query(query, top_k=TOP_K)]

    def database_search(query: NDArray[np.float32]) -> list[str]:
        return [r.id for r in database.query(query, top_k=TOP_K)]

    searches = interleaved(workload.queries, {"store": store_search, "ours": database_search})
    figures = side_by_side(
        workload,
        "store",
        float(np.median(inserts["store"])),
        float(np.median(inserts["database"])),
        searches,
    )
    figures["database"] = database
    return figures


def quantum_query(workload: Workload) -> dict[str, Any]:
    """``query`` with enable_quantum=True: each result's context is measured on the mock backend."""
    database = QuantumDatabase(DatabaseConfig(enable_quantum=True, seed=0))
    contexts = [[("classification", 0.6), ("regression", 0.3), ("clustering", 0.1)]] * len(workload.ids)
    database.insert_batch(workload.ids, workload.data, contexts=contexts)
    database.query(workload.queries[0], top_k=TOP_K)  # builds the backend once
    plain = [seconds(lambda q=q: database.query(q, top_k=TOP_K)) for q in workload.queries]
    in_context = [
        seconds(lambda q=q: database.query(q, context="regression", top_k=TOP_K)) for q in workload.queries
    ]
    return {
        "p50_ms": percentiles(plain)[0],
        "p95_ms": percentiles(plain)[1],
        "context_p50_ms": percentiles(in_context)[0],
    }


def profile_database(database: QuantumDatabase, workload: Workload) -> str:
    """Where the database's time goes: cProfile of its queries and of one insert_batch."""
    profiler = cProfile.Profile()
    profiler.enable()
    for query in workload.queries:
        database.query(query, top_k=TOP_K)
    QuantumDatabase(DatabaseConfig(enable_quantum=False)).insert_batch(workload.ids, workload.data)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(15)
    return out.getvalue()


# ---------------------------------------------------------------------------- report


def table(title: str, raw_label: str, rows: dict[str, dict[str, Any]]) -> list[str]:
    lines = [
        f"### {title}",
        "",
        f"| case | insert rows/s: {raw_label} | ours | time ratio | query p50/p95 ms: {raw_label} | ours "
        f"| p50 ratio | recall@10: {raw_label} | ours |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for case, f in rows.items():
        lines.append(
            f"| {case} | {f['raw_insert_rows_s']:,.0f} | {f['ours_insert_rows_s']:,.0f} | "
            f"{f['insert_time_ratio']:.2f}x | {f['raw_p50_ms']:.3f} / {f['raw_p95_ms']:.3f} | "
            f"{f['ours_p50_ms']:.3f} / {f['ours_p95_ms']:.3f} | {f['query_p50_ratio']:.2f}x | "
            f"{f['raw_recall']:.3f} | {f['ours_recall']:.3f} |"
        )
    return [*lines, ""]


def report(results: dict[str, Any]) -> str:
    lines = table("(a) memory store vs numpy brute force", "numpy", results["memory"])
    if "milvus" in results:
        lines += table("(b) Milvus store vs raw pymilvus (milvus-lite)", "pymilvus", results["milvus"])
        lines += [
            "Read-after-write on milvus-lite (1,000 acknowledged, unflushed rows on top of the data):",
            "",
            "| case | query p50, 1,000 rows unflushed | flush of 1,000 rows | query p50 after flush |",
            "|---|---|---|---|",
        ]
        for case, f in results["milvus"].items():
            lines.append(
                f"| {case} | {f['p50_ms_with_1000_unflushed']:.1f} ms | {f['flush_1000_s'] * 1e3:.0f} ms | "
                f"{f['p50_ms_flushed']:.1f} ms |"
            )
        lines.append("")
    else:
        lines += [f"(b) Milvus: skipped ({results['milvus_skipped']})", ""]
    lines += table(
        f"(c) QuantumDatabase (enable_quantum=False) vs its memory store; goal <= {GOAL_OVERHEAD}x",
        "store",
        results["database"],
    )
    q = results["quantum"]
    verdict = "meets" if q["p50_ms"] <= GOAL_QUANTUM_P50_MS else "MISSES"
    lines += [
        "### (d) QuantumDatabase.query, enable_quantum=True, mock backend, 3 weighted contexts per record",
        "",
        f"{q['records']:,} records: p50 {q['p50_ms']:.2f} ms, p95 {q['p95_ms']:.2f} ms "
        f"(with context=: p50 {q['context_p50_ms']:.2f} ms); "
        f"goal p50 <= {GOAL_QUANTUM_P50_MS} ms: {verdict}.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10k records only, fewer queries")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--profile", action="store_true", help="print where QuantumDatabase spends its time")
    args = parser.parse_args()
    sizes = [10_000] if args.quick else [10_000, 100_000]
    print(f"machine: {platform.processor() or platform.machine()}, numpy {np.__version__}", flush=True)
    results: dict[str, Any] = {"memory": {}, "database": {}, "milvus": {}}
    try:
        import q_store_milvus  # noqa: F401
    except ImportError as exc:
        results.pop("milvus")
        results["milvus_skipped"] = f"q-store-milvus is not installed: {exc}"
    profiles = []
    with tempfile.TemporaryDirectory(prefix="bench-stores-") as scratch:
        for size in sizes:
            workload = Workload(size, queries=100 if args.quick else 300)
            label = f"{size // 1000}k x {DIMENSION}"
            results["memory"][label] = memory_vs_numpy(workload)
            print(f"  measured memory {label}", flush=True)
            database = database_overhead(workload)
            db = database.pop("database")
            results["database"][label] = database
            if (
                args.profile
                or max(database["insert_time_ratio"], database["query_p50_ratio"]) > GOAL_OVERHEAD
            ):
                profiles.append((label, profile_database(db, workload)))
            print(f"  measured database {label}", flush=True)
            if "milvus" in results:
                milvus_workload = Workload(
                    size, queries=30 if args.quick else (100 if size <= 10_000 else 40)
                )
                for index in ("FLAT", "HNSW"):
                    case = f"{label}, {index}"
                    results["milvus"][case] = milvus_vs_pymilvus(milvus_workload, index, Path(scratch))
                    print(f"  measured milvus {case}", flush=True)
        quantum_workload = Workload(10_000, queries=50 if args.quick else 200)
        results["quantum"] = {"records": 10_000, **quantum_query(quantum_workload)}
    print(report(results))
    for label, text in profiles:
        print(f"\nQuantumDatabase profile at {label} (overhead over {GOAL_OVERHEAD}x or --profile):\n{text}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
