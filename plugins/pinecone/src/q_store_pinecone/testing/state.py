"""What the loopback server stores: indexes, their namespaces and records, and exact search.

Requests are validated as the service documents (limits, dimensions, ids, filters) and answered in
its JSON shapes; an invalid request changes nothing. Writes report a log position
(``x-pinecone-lsn-committed``), queries how far the index has caught up
(``x-pinecone-lsn-reconciled``). By default every write is visible at once; with ``query_lag=n``
the next ``n`` queries after a write of a namespace still answer from before it, reporting the old
position, as the eventually consistent service may.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

import numpy as np
import orjson

from q_store_pinecone.testing.semantics import ApiProblemError, check_filter, evaluate, normalize_metadata

__all__ = ["IndexState", "check_index_name", "index_model"]

MAX_UPSERT_VECTORS: Final = 1000
MAX_UPSERT_BYTES: Final = 2 * 1024 * 1024
MAX_IDS: Final = 1000
MAX_TOP_K: Final = 10_000
MAX_TOP_K_WITH_PAYLOAD: Final = 1000
MAX_DIMENSION: Final = 20_000
DEFAULT_NAMESPACE: Final = "__default__"
METRICS: Final = ("cosine", "dotproduct", "euclidean")
_INDEX_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,43}[a-z0-9])?$")


def check_index_name(name: object) -> str:
    if not isinstance(name, str) or not _INDEX_NAME.match(name):
        raise ApiProblemError(
            400,
            "Resource name must be 1-45 characters long, start and end with an alphanumeric "
            "character, and consist only of lower case alphanumeric characters or '-'",
        )
    return name


Records = dict[str, tuple[np.ndarray, dict[str, Any]]]


class _Namespace:
    def __init__(self) -> None:
        self.records: Records = {}
        self.committed = 0
        #: Records as of ``snapshot_lsn``, served to the next ``lagging`` queries.
        self.snapshot: Records | None = None
        self.snapshot_lsn = 0
        self.lagging = 0

    def write(self, query_lag: int) -> int:
        """Call before changing records; returns the new log position."""
        if query_lag and self.lagging == 0:
            self.snapshot, self.snapshot_lsn = dict(self.records), self.committed
        if query_lag:
            self.lagging = query_lag
        self.committed += 1
        return self.committed

    def readable(self) -> tuple[Records, int]:
        """Records a query sees, and the log position they reflect."""
        if self.lagging and self.snapshot is not None:
            self.lagging -= 1
            return self.snapshot, self.snapshot_lsn
        self.snapshot = None
        return self.records, self.committed


def _check_id(value: object, where: str) -> str:
    if not isinstance(value, str) or not 1 <= len(value) <= 512 or not value.isascii() or "\x00" in value:
        raise ApiProblemError(400, f"{where}: vector id must be 1-512 ASCII characters without NUL")
    return value


class IndexState:
    """One index: its description and its namespaces."""

    def __init__(self, name: str, dimension: int, metric: str, deployment: Mapping[str, Any]) -> None:
        self.name = name
        self.dimension = dimension
        self.metric = metric
        self.deployment = dict(deployment)
        self.host = ""  # set when its data-plane server starts
        self.query_lag = 0
        self.namespaces: dict[str, _Namespace] = {}

    # ------------------------------------------------------------------ data plane

    def upsert(self, body: Mapping[str, Any], body_bytes: int) -> tuple[dict[str, Any], int]:
        if body_bytes > MAX_UPSERT_BYTES:
            raise ApiProblemError(
                413, f"Request size {body_bytes} bytes exceeds the limit of {MAX_UPSERT_BYTES}"
            )
        vectors = body.get("vectors")
        if not isinstance(vectors, list) or not vectors:
            raise ApiProblemError(400, "vectors must be a non-empty array")
        if len(vectors) > MAX_UPSERT_VECTORS:
            raise ApiProblemError(
                400, f"Batch size {len(vectors)} exceeds the limit of {MAX_UPSERT_VECTORS} vectors"
            )
        rows = []
        for position, item in enumerate(vectors):
            where = f"vectors[{position}]"
            if not isinstance(item, dict):
                raise ApiProblemError(400, f"{where} must be an object")
            record_id = _check_id(item.get("id"), where)
            values = item.get("values")
            if not isinstance(values, list) or not all(
                isinstance(v, (int, float)) and not isinstance(v, bool) for v in values
            ):
                raise ApiProblemError(400, f"{where}: values must be an array of numbers")
            if len(values) != self.dimension:
                raise ApiProblemError(
                    400,
                    f"Vector dimension {len(values)} does not match the dimension of the index "
                    f"{self.dimension}",
                )
            vector = np.asarray(values, dtype=np.float32)
            if self.metric == "cosine" and not vector.any():
                raise ApiProblemError(400, f"{where}: dense vectors must contain at least one non-zero value")
            rows.append((record_id, vector, normalize_metadata(item.get("metadata"), where)))
        namespace = self._namespace_name(body)
        target = self.namespaces.setdefault(namespace, _Namespace())
        lsn = target.write(self.query_lag)
        for record_id, vector, metadata in rows:
            target.records[record_id] = (vector, metadata)
        return {"upsertedCount": len(rows)}, lsn

    def query(self, body: Mapping[str, Any]) -> tuple[dict[str, Any], int]:
        top_k = body.get("topK")
        if isinstance(top_k, bool) or not isinstance(top_k, int) or not 1 <= top_k <= MAX_TOP_K:
            raise ApiProblemError(400, f"topK must be an integer from 1 to {MAX_TOP_K}")
        include_values = bool(body.get("includeValues", False))
        include_metadata = bool(body.get("includeMetadata", False))
        if top_k > MAX_TOP_K_WITH_PAYLOAD and (include_values or include_metadata):
            raise ApiProblemError(
                400,
                f"topK must be at most {MAX_TOP_K_WITH_PAYLOAD} when includeValues or "
                "includeMetadata is true",
            )
        document = body.get("filter")
        if document is not None:
            check_filter(document)
        namespace = self._namespace_name(body)
        state = self.namespaces.get(namespace)
        records, position = state.readable() if state is not None else ({}, 0)
        query = self._query_vector(body, records)
        candidates = [
            (record_id, vector, metadata)
            for record_id, (vector, metadata) in records.items()
            if document is None or evaluate(document, metadata)
        ]
        matches = []
        if candidates:
            scores = self._scores(np.stack([vector for _, vector, _ in candidates]), query)
            order = np.argsort(scores if self.metric == "euclidean" else -scores, kind="stable")[:top_k]
            for row in order:
                record_id, vector, metadata = candidates[row]
                match: dict[str, Any] = {"id": record_id, "score": float(scores[row])}
                if include_values:
                    match["values"] = vector.tolist()
                if include_metadata and metadata:
                    match["metadata"] = metadata
                matches.append(match)
        return {"matches": matches, "namespace": namespace, "usage": {"readUnits": 1}}, position

    def fetch(self, ids: list[str], namespace: str) -> dict[str, Any]:
        if not ids:
            raise ApiProblemError(400, "ids must not be empty")
        if len(ids) > MAX_IDS:
            raise ApiProblemError(400, f"at most {MAX_IDS} ids per fetch")
        state = self.namespaces.get(namespace or DEFAULT_NAMESPACE)
        found = {}
        for record_id in ids:
            _check_id(record_id, "ids")
            if state is not None and record_id in state.records:
                vector, metadata = state.records[record_id]
                entry: dict[str, Any] = {"id": record_id, "values": vector.tolist()}
                if metadata:
                    entry["metadata"] = metadata
                found[record_id] = entry
        return {"vectors": found, "namespace": namespace, "usage": {"readUnits": 1}}

    def delete(self, body: Mapping[str, Any]) -> tuple[dict[str, Any], int]:
        ids, delete_all, document = body.get("ids"), body.get("deleteAll", False), body.get("filter")
        if (ids is not None) + bool(delete_all) + (document is not None) != 1:
            raise ApiProblemError(400, "pass exactly one of ids, deleteAll or filter")
        if ids is not None:
            if not isinstance(ids, list) or len(ids) > MAX_IDS:
                raise ApiProblemError(400, f"ids must be an array of at most {MAX_IDS} ids")
            for record_id in ids:
                _check_id(record_id, "ids")
        if document is not None:
            check_filter(document)
        namespace = self._namespace_name(body)
        state = self.namespaces.get(namespace)
        if state is None:
            raise ApiProblemError(404, "Namespace not found", code=5)
        lsn = state.write(self.query_lag)
        if ids is not None:
            for record_id in ids:
                state.records.pop(record_id, None)
        elif document is not None:
            for record_id in [r for r, (_, meta) in state.records.items() if evaluate(document, meta)]:
                del state.records[record_id]
        else:
            state.records.clear()
        return {}, lsn

    def stats(self, body: Mapping[str, Any]) -> dict[str, Any]:
        if body.get("filter"):
            raise ApiProblemError(400, "describe_index_stats does not support a filter on this index type")
        counts = {name: len(state.records) for name, state in self.namespaces.items() if state.records}
        return {
            "namespaces": {name: {"vectorCount": count} for name, count in counts.items()},
            "dimension": self.dimension,
            "indexFullness": 0.0,
            "totalVectorCount": sum(counts.values()),
            "metric": self.metric,
            "vectorType": "dense",
        }

    # ------------------------------------------------------------------ helpers

    @staticmethod
    def _namespace_name(body: Mapping[str, Any]) -> str:
        namespace = body.get("namespace") or DEFAULT_NAMESPACE
        if not isinstance(namespace, str) or not namespace.isascii() or len(namespace) > 512:
            raise ApiProblemError(400, "namespace must be at most 512 ASCII characters")
        return namespace

    def _query_vector(self, body: Mapping[str, Any], records: Records) -> np.ndarray:
        if "vector" in body:
            values = body["vector"]
            if not isinstance(values, list) or len(values) != self.dimension:
                raise ApiProblemError(
                    400,
                    f"Query vector dimension {len(values) if isinstance(values, list) else '?'} does not "
                    f"match the dimension of the index {self.dimension}",
                )
            return np.asarray(values, dtype=np.float64)
        if "id" in body:
            found = records.get(body["id"])
            if found is None:
                raise ApiProblemError(400, f"no vector with id {body['id']!r} to query by")
            return found[0].astype(np.float64)
        raise ApiProblemError(400, "a query needs a vector or an id")

    def _scores(self, matrix: np.ndarray, query: np.ndarray) -> np.ndarray:
        data = matrix.astype(np.float64)
        scores: np.ndarray
        if self.metric == "dotproduct":
            scores = data @ query
        elif self.metric == "cosine":
            scores = (data @ query) / (np.linalg.norm(data, axis=1) * np.linalg.norm(query))
        else:
            difference = data - query
            scores = np.einsum("ij,ij->i", difference, difference)  # Pinecone: the SQUARED distance
        return scores


def index_model(state: IndexState) -> dict[str, Any]:
    """The control plane's description of an index (API version 2026-07)."""
    return {
        "name": state.name,
        "host": state.host,
        "status": {"ready": True, "state": "Ready"},
        "schema": {
            "fields": {
                "_values": {
                    "type": "dense_vector",
                    "dimension": state.dimension,
                    "metric": state.metric,
                    "description": None,
                }
            }
        },
        "deployment": state.deployment,
        "deletion_protection": "disabled",
        "tags": None,
    }


def parse_create_request(body: Mapping[str, Any]) -> tuple[str, int, str, dict[str, Any]]:
    """Name, dimension, metric and deployment of a create-index request."""
    name = check_index_name(body.get("name"))
    fields = body.get("schema", {}).get("fields") if isinstance(body.get("schema"), dict) else None
    dense = fields.get("_values") if isinstance(fields, dict) else None
    if not isinstance(dense, dict) or dense.get("type") != "dense_vector":
        raise ApiProblemError(
            400, "this server creates dense vector indexes: schema.fields._values of type dense_vector"
        )
    dimension, metric = dense.get("dimension"), str(dense.get("metric", "cosine")).lower()
    if isinstance(dimension, bool) or not isinstance(dimension, int) or not 1 <= dimension <= MAX_DIMENSION:
        raise ApiProblemError(400, f"dimension must be an integer from 1 to {MAX_DIMENSION}")
    if metric not in METRICS:
        raise ApiProblemError(400, f"metric must be one of {', '.join(METRICS)}")
    deployment = body.get("deployment") or {
        "deployment_type": "managed",
        "cloud": "aws",
        "region": "us-east-1",
    }
    if not isinstance(deployment, dict) or deployment.get("deployment_type") != "managed":
        raise ApiProblemError(400, "this server creates managed (serverless) indexes only")
    cloud, region = deployment.get("cloud"), deployment.get("region")
    return name, dimension, metric, {"deployment_type": "managed", "cloud": cloud, "region": region}


def encode(document: object) -> bytes:
    return orjson.dumps(document)
