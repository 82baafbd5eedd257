"""Benchmark: the Pinecone store against hand-written calls of the official client, in one run.

Both talk to the same loopback server in the same process, so the ratio is the plugin's own
overhead (validation, id/metadata encoding, filter translation, batching, retry wrapper, LSN
check) over the client's fast path (``Index.upsert`` with 500-vector batches of plain dicts,
``Index.query``, ``Index.fetch``). Absolute times are those of a loopback server in Python, not of
the service, whose network latency (tens of ms per request) dwarfs either side.

    python plugins/pinecone/benchmarks/bench_pinecone.py [--quick] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from pinecone import Pinecone

from q_store_pinecone import PineconeStore
from q_store_pinecone.testing import LoopbackPinecone

DIMENSION = 128


def median_seconds(run: Callable[[], object], repeats: int, warmup: int = 2) -> float:
    for _ in range(warmup):
        run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def workload(rows: int) -> tuple[list[str], np.ndarray, list[dict[str, Any]], np.ndarray]:
    rng = np.random.default_rng(0)
    data = rng.normal(size=(rows, DIMENSION)).astype(np.float32)
    metadata = [{"year": int(2000 + i % 20), "genre": ["drama", "comedy"][i % 2]} for i in range(rows)]
    return [f"doc-{i}" for i in range(rows)], data, metadata, rng.normal(size=(50, DIMENSION))


def measure(rows: int, repeats: int) -> list[dict[str, Any]]:
    ids, data, metadata, queries = workload(rows)
    results = []
    with LoopbackPinecone() as server:
        server.create_index("raw", DIMENSION, "cosine")
        server.create_index("plugin", DIMENSION, "cosine")
        client = Pinecone(api_key=server.api_key, host=server.url)
        raw = client.index(host=server.index("raw").host)
        store = PineconeStore(api_key=server.api_key, index_name="plugin", controller_host=server.url)
        sequential = PineconeStore(
            api_key=server.api_key, index_name="plugin", controller_host=server.url, upsert_concurrency=1
        )

        def raw_upsert() -> None:
            # From the same numpy input as the store: the conversion to lists is part of the work.
            records = [
                {"id": i, "values": row, "metadata": meta}
                for i, row, meta in zip(ids, data.tolist(), metadata, strict=True)
            ]
            # 1,000 records of 128 floats are ~2.5 MB of JSON, over the 2 MB limit: a hand-written
            # loop needs a size-aware batch too (500 fits).
            for start in range(0, rows, 500):
                raw.upsert(vectors=records[start : start + 500])

        query_index = iter(range(10**9))

        def next_query() -> list[float]:
            return [float(x) for x in queries[next(query_index) % len(queries)]]

        same = {"year": {"$gte": 2010}, "genre": {"$eq": "comedy"}}  # translates one to one
        flt = {"year": {"$gte": 2010}, "genre": {"$ne": "drama"}}
        some = ids[:: max(1, rows // 100)][:100]
        cases: list[tuple[str, Callable[[], object], Callable[[], object]]] = [
            (
                f"upsert {rows} x {DIMENSION}-d (concurrency 4)",
                raw_upsert,
                lambda: store.upsert(ids, data, metadata),
            ),
            (
                f"upsert {rows} x {DIMENSION}-d (sequential)",
                raw_upsert,
                lambda: sequential.upsert(ids, data, metadata),
            ),
            (
                "query top-10 with metadata",
                lambda: raw.query(top_k=10, vector=next_query(), include_metadata=True),
                lambda: store.query(np.asarray(next_query()), top_k=10),
            ),
            (
                "query top-10, filter translated 1:1",
                lambda: raw.query(top_k=10, vector=next_query(), filter=same, include_metadata=True),
                lambda: store.query(np.asarray(next_query()), top_k=10, filter=same),
            ),
            (
                "query top-10, filter with $ne",
                # The plugin's translation adds an $exists branch for $ne (the core's semantics).
                lambda: raw.query(top_k=10, vector=next_query(), filter=flt, include_metadata=True),
                lambda: store.query(np.asarray(next_query()), top_k=10, filter=flt),
            ),
            ("fetch 100 ids", lambda: raw.fetch(ids=some), lambda: store.fetch(some)),
        ]
        for name, peer, ours in cases:
            upsert = name.startswith("upsert")
            peer_time = median_seconds(peer, max(3, repeats // 10) if upsert else repeats, warmup=1)
            our_time = median_seconds(ours, max(3, repeats // 10) if upsert else repeats, warmup=1)
            results.append(
                {"case": name, "client_s": peer_time, "plugin_s": our_time, "ratio": our_time / peer_time}
            )
        store.close()
        sequential.close()
        raw.close()
        client.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rows and repeats (a smoke run)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    arguments = parser.parse_args()
    rows, repeats = (2000, 20) if arguments.quick else (10_000, 100)
    results = measure(rows, repeats)
    print(
        f"Pinecone store vs the official client, same loopback server ({platform.processor() or 'cpu'}, "
        f"Python {sys.version.split()[0]}); medians"
    )
    print()
    print("| case | client | plugin | plugin / client |")
    print("|---|---|---|---|")
    for row in results:
        client_ms, plugin_ms = row["client_s"] * 1e3, row["plugin_s"] * 1e3
        print(f"| {row['case']} | {client_ms:.2f} ms | {plugin_ms:.2f} ms | {row['ratio']:.2f} |")
    if arguments.json:
        arguments.json.write_text(
            json.dumps({"rows": rows, "dimension": DIMENSION, "results": results}, indent=2)
        )


if __name__ == "__main__":
    main()
