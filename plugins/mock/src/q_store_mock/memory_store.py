"""`MemoryStore`: the in-memory vector store behind the default ``QuantumDatabase``.

Exact search with numpy: one matrix-vector product over the namespace, then ``argpartition`` for
the top k. Cosine stores keep unit vectors, so the product is the similarity. Metadata filters
are evaluated column-wise: for each field the store keeps typed columns (numbers, strings,
booleans, lists), built on the first filtered query after a write, so a filter over 100k records
is a few vectorised comparisons, not 100k Python calls.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from q_store.filters import And, Comparison, Filter, Or
from q_store.vector_store import Match, Record, StoreCapabilities, VectorStore


class _Columns:
    """Typed views of one metadata field across the rows of a namespace."""

    def __init__(self, values: list[Any]) -> None:
        n = len(values)
        self.present = np.zeros(n, dtype=bool)
        self.numbers = np.full(n, np.nan)
        self.strings = np.full(n, None, dtype=object)
        self.bools = np.full(n, -1, dtype=np.int8)
        self.lists: dict[int, frozenset[str]] = {}
        for row, value in enumerate(values):
            if value is _MISSING:
                continue
            self.present[row] = True
            if isinstance(value, bool):
                self.bools[row] = int(value)
            elif isinstance(value, (int, float)):
                self.numbers[row] = value
            elif isinstance(value, str):
                self.strings[row] = value
            else:
                self.lists[row] = frozenset(value)

    def equal(self, wanted: object) -> NDArray[np.bool_]:
        if isinstance(wanted, bool):
            return self.bools == int(wanted)
        if isinstance(wanted, str):
            result: NDArray[np.bool_] = self.strings == wanted
            for row, items in self.lists.items():
                if wanted in items:
                    result[row] = True
            return result
        return self.numbers == float(wanted)  # type: ignore[arg-type]


_MISSING = object()


class _Namespace:
    def __init__(self, dimension: int) -> None:
        self.ids: list[str] = []
        self.rows: dict[str, int] = {}
        self.vectors = np.empty((16, dimension), dtype=np.float32)
        self.raw = np.empty((16, dimension), dtype=np.float32)  # as given, for fetch
        self.metadata: list[dict[str, Any]] = []
        self._columns: dict[str, _Columns] = {}

    @property
    def size(self) -> int:
        return len(self.ids)

    def _grow(self, needed: int) -> None:
        capacity = self.vectors.shape[0]
        if needed <= capacity:
            return
        while capacity < needed:
            capacity *= 2
        for name in ("vectors", "raw"):
            old = getattr(self, name)
            new = np.empty((capacity, old.shape[1]), dtype=np.float32)
            new[: self.size] = old[: self.size]
            setattr(self, name, new)

    def upsert(
        self,
        ids: Sequence[str],
        stored: NDArray[np.float32],
        raw: NDArray[np.float32],
        metadata: Sequence[dict[str, Any]],
    ) -> None:
        self._columns.clear()
        new_ids = [i for i in ids if i not in self.rows]
        self._grow(self.size + len(new_ids))
        targets = np.empty(len(ids), dtype=np.int64)
        for position, (record_id, meta) in enumerate(zip(ids, metadata, strict=True)):
            row = self.rows.get(record_id)
            if row is None:
                row = len(self.ids)
                self.rows[record_id] = row
                self.ids.append(record_id)
                self.metadata.append(meta)
            else:
                self.metadata[row] = meta
            targets[position] = row
        self.vectors[targets] = stored
        self.raw[targets] = raw

    def delete_rows(self, rows: list[int]) -> None:
        self._columns.clear()
        # Remove from the end so that moving the last row into a hole never moves a doomed row.
        for row in sorted(set(rows), reverse=True):
            last = len(self.ids) - 1
            record_id = self.ids[row]
            if row != last:
                moved = self.ids[last]
                self.ids[row] = moved
                self.rows[moved] = row
                self.metadata[row] = self.metadata[last]
                self.vectors[row] = self.vectors[last]
                self.raw[row] = self.raw[last]
            self.ids.pop()
            self.metadata.pop()
            del self.rows[record_id]

    def columns(self, field: str) -> _Columns:
        columns = self._columns.get(field)
        if columns is None:
            columns = _Columns([meta.get(field, _MISSING) for meta in self.metadata])
            self._columns[field] = columns
        return columns

    def mask(self, filter: Filter) -> NDArray[np.bool_]:
        if isinstance(filter, And):
            result = np.ones(self.size, dtype=bool)
            for term in filter.terms:
                result &= self.mask(term)
            return result
        if isinstance(filter, Or):
            result = np.zeros(self.size, dtype=bool)
            for term in filter.terms:
                result |= self.mask(term)
            return result
        return self._comparison(filter)

    def _comparison(self, comparison: Comparison) -> NDArray[np.bool_]:
        columns = self.columns(comparison.field)
        op, value = comparison.op, comparison.value
        if op == "$exists":
            return columns.present.copy() if value else ~columns.present
        if op in ("$eq", "$ne"):
            equal = columns.equal(value)
            return equal if op == "$eq" else ~equal
        if op in ("$in", "$nin"):
            found = np.zeros(self.size, dtype=bool)
            for item in value:
                found |= columns.equal(item)
            return found if op == "$in" else ~found
        numbers = columns.numbers
        with np.errstate(invalid="ignore"):  # NaN (not a number) compares False, as it should
            if op == "$gt":
                return numbers > value
            if op == "$gte":
                return numbers >= value
            if op == "$lt":
                return numbers < value
            return numbers <= value


class MemoryStore(VectorStore):
    """Exact in-memory vector store (numpy). Not persistent: data lives as long as the object."""

    name = "memory"
    capabilities = StoreCapabilities(
        metrics=frozenset({"cosine", "dot", "euclidean"}), exact=True, persistent=False
    )

    def __init__(self, *, dimension: int | None = None, metric: str = "cosine") -> None:
        super().__init__(dimension=dimension, metric=metric)
        self._namespaces: dict[str, _Namespace] = {}

    def _namespace(self, namespace: str, *, create: bool = False) -> _Namespace | None:
        found = self._namespaces.get(namespace)
        if found is None and create:
            assert self.dimension is not None
            found = _Namespace(self.dimension)
            self._namespaces[namespace] = found
        return found

    def _upsert(
        self,
        ids: Sequence[str],
        vectors: NDArray[np.float32],
        metadata: Sequence[Mapping[str, Any]],
        namespace: str,
    ) -> None:
        store = self._namespace(namespace, create=True)
        assert store is not None
        if len(set(ids)) != len(ids):  # pragma: no cover - the base class refuses duplicates
            raise AssertionError("duplicate ids reached the store")
        stored = vectors
        if self.metric == "cosine":
            stored = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
        store.upsert(ids, stored, vectors, [dict(m) for m in metadata])

    def _query(
        self,
        vector: NDArray[np.float32],
        top_k: int,
        filter: Filter | None,
        namespace: str,
        include_values: bool,
        include_metadata: bool,
    ) -> list[Match]:
        store = self._namespace(namespace)
        if store is None or store.size == 0:
            return []
        matrix = store.vectors[: store.size]
        if self.metric == "cosine":
            scores = matrix @ (vector / np.linalg.norm(vector))
        elif self.metric == "dot":
            scores = matrix @ vector
        else:
            difference = matrix - vector
            scores = -np.sqrt(np.einsum("ij,ij->i", difference, difference))
        candidates = np.arange(store.size)
        if filter is not None:
            candidates = np.flatnonzero(store.mask(filter))
            scores = scores[candidates]
        k = min(top_k, candidates.size)
        if k == 0:
            return []
        best = np.argpartition(-scores, k - 1)[:k] if k < scores.size else np.arange(scores.size)
        best = best[np.argsort(-scores[best], kind="stable")]
        return [
            Match(
                id=store.ids[row],
                score=float(scores[position]),
                vector=store.raw[row].copy() if include_values else None,
                metadata=dict(store.metadata[row]) if include_metadata else None,
            )
            for position, row in ((p, int(candidates[p])) for p in best)
        ]

    def _fetch(self, ids: Sequence[str], namespace: str) -> dict[str, Record]:
        store = self._namespace(namespace)
        if store is None:
            return {}
        found = {}
        for record_id in ids:
            row = store.rows.get(record_id)
            if row is not None:
                found[record_id] = Record(record_id, store.raw[row].copy(), dict(store.metadata[row]))
        return found

    def _delete(self, ids: Sequence[str] | None, filter: Filter | None, namespace: str) -> None:
        store = self._namespace(namespace)
        if store is None:
            return
        if ids is not None:
            rows = [store.rows[i] for i in ids if i in store.rows]
        elif filter is not None:
            rows = np.flatnonzero(store.mask(filter)).tolist()
        else:
            rows = list(range(store.size))
        store.delete_rows(rows)
        if store.size == 0:
            del self._namespaces[namespace]

    def _namespace_counts(self) -> dict[str, int]:
        return {name: ns.size for name, ns in self._namespaces.items() if ns.size}
