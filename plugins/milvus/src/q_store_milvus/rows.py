"""Records as Milvus rows and back, refusing what Milvus cannot store before anything is written."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

import numpy as np
import orjson
from numpy.typing import NDArray

from q_store.errors import ArgumentError
from q_store.vector_store import Match, Record
from q_store_milvus.expressions import PRIMARY_KEY, TERMS
from q_store_milvus.schema import MAX_VARCHAR, METADATA, VECTOR
from q_store_milvus.terms import record_terms

__all__ = ["encode_rows", "to_match", "to_record", "to_score"]

#: Milvus limits a JSON value (the metadata, and the dynamic field holding the numbers) to 64 KiB.
MAX_JSON_BYTES: Final = 65_536
INT64: Final = (-(2**63), 2**63 - 1)
_NO_TERMS: Final = "|"


def encode_rows(
    ids: Sequence[str], vectors: NDArray[np.float32], metadata: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """One row per record; raises ArgumentError (naming the record) for anything Milvus refuses."""
    rows = []
    for index, (record_id, vector, meta) in enumerate(zip(ids, vectors, metadata, strict=True)):
        terms, numbers = record_terms(meta) if meta else (_NO_TERMS, {})
        if meta:
            _check_fits(index, meta, terms, numbers)
        rows.append({PRIMARY_KEY: record_id, VECTOR: vector, METADATA: dict(meta), TERMS: terms, **numbers})
    return rows


def _check_fits(index: int, meta: Mapping[str, Any], terms: str, numbers: Mapping[str, float]) -> None:
    argument = f"metadata[{index}]"
    for key, value in meta.items():
        if isinstance(value, int) and not isinstance(value, bool) and not INT64[0] <= value <= INT64[1]:
            raise ArgumentError(f"{argument}[{key!r}]", "Milvus stores integers of at most 64 bits")
    if len(terms) > MAX_VARCHAR:
        raise ArgumentError(
            argument,
            f"has too many fields and list items for Milvus' filter index (it needs {len(terms)} of "
            f"at most {MAX_VARCHAR} characters, 25 per field and per distinct list item)",
        )
    for what, value in (("metadata", meta), ("its numbers", numbers)):
        size = len(orjson.dumps(value))
        if size > MAX_JSON_BYTES:
            raise ArgumentError(
                argument, f"{what} take {size} bytes as JSON; Milvus stores at most {MAX_JSON_BYTES}"
            )


def to_score(distance: float, milvus_metric: str) -> float:
    """Milvus' distance as the core's score: COSINE and IP are already similarities; L2 is the
    squared distance, and the core wants minus the distance."""
    if milvus_metric == "L2":
        return -float(np.sqrt(max(distance, 0.0)))
    return float(distance)


def to_match(
    hit: Mapping[str, Any], milvus_metric: str, include_values: bool, include_metadata: bool
) -> Match:
    entity: Mapping[str, Any] = hit.get("entity") or {}
    return Match(
        id=str(hit[PRIMARY_KEY]),
        score=to_score(float(hit["distance"]), milvus_metric),
        vector=np.asarray(entity[VECTOR], dtype=np.float32) if include_values else None,
        metadata=dict(entity[METADATA]) if include_metadata else None,
    )


def to_record(row: Mapping[str, Any]) -> Record:
    return Record(str(row[PRIMARY_KEY]), np.asarray(row[VECTOR], dtype=np.float32), dict(row[METADATA]))
