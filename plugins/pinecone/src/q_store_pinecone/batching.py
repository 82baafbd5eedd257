"""Splitting large requests under Pinecone's per-request limits.

Upserts: at most ``max_vectors`` records and ``max_bytes`` of JSON per request (1,000 and 2 MB by
default). Sizes are measured, not estimated: each record is encoded once with orjson, the encoder
the client itself uses, so a 1536-dimensional batch splits at ~65 records and a 16-dimensional one
at 1,000. Fetches and deletes by id: at most 1,000 ids per request, and fetches keep the URL (the
ids travel in the query string) under a few kilobytes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Final
from urllib.parse import quote

import orjson

from q_store.errors import ArgumentError

__all__ = ["fetch_batches", "id_batches", "upsert_batches"]

MAX_IDS_PER_REQUEST: Final = 1000
#: Query-string budget of one fetch (servers and proxies commonly refuse URLs over 8 KB).
MAX_FETCH_QUERY_BYTES: Final = 6000


def upsert_batches(
    records: Sequence[dict[str, Any]], namespace: str, *, max_vectors: int, max_bytes: int
) -> list[list[dict[str, Any]]]:
    """``records`` (wire-format dicts) in request-sized batches, in order."""
    envelope = len(orjson.dumps({"vectors": [], "namespace": namespace}))
    batches: list[list[dict[str, Any]]] = []
    current: list[dict[str, Any]] = []
    size = envelope
    for position, record in enumerate(records):
        record_size = len(orjson.dumps(record)) + 1  # the separating comma
        if envelope + record_size > max_bytes:
            raise ArgumentError(
                "vectors",
                f"record {position} ({record['id'][:40]!r}) encodes to {record_size} bytes of JSON; "
                f"one Pinecone request carries at most {max_bytes} (max_request_bytes)",
            )
        if current and (len(current) == max_vectors or size + record_size > max_bytes):
            batches.append(current)
            current, size = [], envelope
        current.append(record)
        size += record_size
    if current:
        batches.append(current)
    return batches


def id_batches(ids: Sequence[str]) -> Iterator[list[str]]:
    for start in range(0, len(ids), MAX_IDS_PER_REQUEST):
        yield list(ids[start : start + MAX_IDS_PER_REQUEST])


def fetch_batches(ids: Sequence[str]) -> Iterator[list[str]]:
    """Ids in batches whose ``ids=...&ids=...`` query string stays under the budget."""
    current: list[str] = []
    size = 0
    for record_id in ids:
        cost = len("ids=&") + len(quote(record_id, safe=""))
        if current and (len(current) == MAX_IDS_PER_REQUEST or size + cost > MAX_FETCH_QUERY_BYTES):
            yield current
            current, size = [], 0
        current.append(record_id)
        size += cost
    if current:
        yield current
