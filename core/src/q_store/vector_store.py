"""The vector-store interface that every store plugin implements.

Records have string ids, float32 vectors of a fixed dimension and JSON-like metadata (strings,
finite numbers, booleans, lists of strings). Records live in namespaces (``""`` by default).

Scores are similarities, higher is better, whatever the metric:

* ``cosine``: ``cos(q, x)`` in [-1, 1] (zero vectors are refused: they have no direction);
* ``dot``: ``q . x``;
* ``euclidean``: ``-||q - x||`` (the negative distance).

A store implements five primitives (``_upsert``, ``_query``, ``_fetch``, ``_delete``,
``_namespace_counts``) on inputs this base class has already validated. Callers use the public
methods, so that every store refuses bad input with the same typed errors before anything is
written.
"""

from __future__ import annotations

import abc
import math
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Final

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from q_store.errors import (
    ArgumentError,
    CapabilityError,
    DimensionMismatchError,
    NonFiniteError,
    ShapeError,
)
from q_store.filters import Filter, parse_filter

__all__ = ["Match", "Record", "StoreCapabilities", "StoreStats", "VectorStore"]

METRICS: Final = ("cosine", "dot", "euclidean")
MAX_TOP_K: Final = 10_000
MAX_ID_LENGTH: Final = 512


@attrs.frozen(kw_only=True)
class StoreCapabilities:
    """What a store can do. The contract suite turns missing capabilities into skips."""

    #: Metrics the store can rank by.
    metrics: frozenset[str] = frozenset({"cosine"})
    #: Query results equal exact brute-force search (else ``min_recall`` applies).
    exact: bool = True
    #: Recall@10 against exact search that an approximate store guarantees.
    min_recall: float = 1.0
    #: Data survives closing and reopening the store.
    persistent: bool = False

    def summary(self) -> dict[str, Any]:
        return {
            "metrics": sorted(self.metrics),
            "exact": self.exact,
            "min_recall": self.min_recall,
            "persistent": self.persistent,
        }


@attrs.frozen(eq=False)
class Record:
    """A stored record: id, vector (float32) and metadata."""

    id: str
    vector: NDArray[np.float32]
    metadata: Mapping[str, Any]


@attrs.frozen(eq=False)
class Match:
    """A query result: id and score, with the vector and metadata when asked for."""

    id: str
    score: float
    vector: NDArray[np.float32] | None = None
    metadata: Mapping[str, Any] | None = None


@attrs.frozen
class StoreStats:
    dimension: int | None
    metric: str
    namespaces: Mapping[str, int]

    @property
    def total(self) -> int:
        return sum(self.namespaces.values())


class VectorStore(abc.ABC):
    """Base class of vector stores. Subclasses implement the five ``_`` primitives."""

    #: The name the store is registered under (``DatabaseConfig(vector_store=name)``).
    name: ClassVar[str] = "unnamed"
    #: What the store can do.
    capabilities: ClassVar[StoreCapabilities] = StoreCapabilities()

    def __init__(self, *, dimension: int | None = None, metric: str = "cosine") -> None:
        if metric not in METRICS:
            raise ArgumentError("metric", f"must be one of {', '.join(METRICS)}; got {metric!r}")
        if metric not in self.capabilities.metrics:
            raise CapabilityError(
                f"store {self.name!r} cannot rank by {metric!r}; it supports "
                f"{', '.join(sorted(self.capabilities.metrics))}"
            )
        if dimension is not None:
            _check_dimension(dimension)
        #: Vector length; fixed by the constructor or by the first upsert.
        self.dimension = dimension
        self.metric = metric

    @classmethod
    def from_config(cls, config: Any, *, dimension: int | None = None) -> VectorStore:
        """Build the store for a :class:`~q_store.DatabaseConfig`: its metric and options."""
        from q_store.config import check_plugin_options

        check_plugin_options("vector_store_options", cls.name, cls.__init__, config.vector_store_options)
        return cls(dimension=dimension, metric=config.metric, **dict(config.vector_store_options))

    @classmethod
    def capability_summary(cls) -> dict[str, Any]:
        """A JSON-friendly description (for ``q-store plugins``)."""
        return cls.capabilities.summary()

    # ------------------------------------------------------------------ to implement

    @abc.abstractmethod
    def _upsert(
        self,
        ids: Sequence[str],
        vectors: NDArray[np.float32],
        metadata: Sequence[Mapping[str, Any]],
        namespace: str,
    ) -> None:
        """Insert or overwrite records (ids unique within the batch, vectors ``(n, dimension)``)."""

    @abc.abstractmethod
    def _query(
        self,
        vector: NDArray[np.float32],
        top_k: int,
        filter: Filter | None,
        namespace: str,
        include_values: bool,
        include_metadata: bool,
    ) -> list[Match]:
        """The ``top_k`` best matches, best first (scores as in the module docstring)."""

    @abc.abstractmethod
    def _fetch(self, ids: Sequence[str], namespace: str) -> dict[str, Record]:
        """The records that exist among ``ids``; missing ids are simply absent."""

    @abc.abstractmethod
    def _delete(self, ids: Sequence[str] | None, filter: Filter | None, namespace: str) -> None:
        """Delete by ids, by filter, or (both None) everything in the namespace. Missing ids are a
        no-op."""

    @abc.abstractmethod
    def _namespace_counts(self) -> dict[str, int]:
        """Number of records per non-empty namespace."""

    def close(self) -> None:
        """Release connections or files (default: nothing to release)."""

    def health_check(self) -> str:
        """Prove the store is reachable; return a one-line description (``q-store doctor``)."""
        stats = self.stats()
        spaces = len(stats.namespaces)
        return f"reachable: {stats.total} records in {spaces} namespace(s), dimension {stats.dimension}"

    # ------------------------------------------------------------------ public, validated

    def upsert(
        self,
        ids: Sequence[str],
        vectors: ArrayLike,
        metadata: Sequence[Mapping[str, Any] | None] | None = None,
        *,
        namespace: str = "",
    ) -> int:
        """Insert or overwrite records; returns the number written. All-or-nothing validation."""
        checked_ids = check_ids(ids)
        matrix = self.check_vectors(vectors, rows=len(checked_ids))
        checked_metadata = check_metadata_batch(metadata, len(checked_ids))
        namespace = check_namespace(namespace)
        self.write_checked(checked_ids, matrix, checked_metadata, namespace)
        return len(checked_ids)

    def write_checked(
        self,
        ids: Sequence[str],
        vectors: NDArray[np.float32],
        metadata: Sequence[Mapping[str, Any]],
        namespace: str = "",
    ) -> None:
        """:meth:`upsert` for input already validated with this module's checks (the database
        validates before it encodes its bookkeeping, and need not pay for a second pass)."""
        if not ids:
            return
        if self.dimension is None:
            self.dimension = int(vectors.shape[1])
        self._upsert(ids, vectors, metadata, namespace)

    def query(
        self,
        vector: ArrayLike,
        *,
        top_k: int = 10,
        filter: Mapping[str, Any] | Filter | None = None,
        namespace: str = "",
        include_values: bool = False,
        include_metadata: bool = True,
    ) -> list[Match]:
        """The ``top_k`` records most similar to ``vector``, best first."""
        checked = self.check_vectors(vector, rows=None)
        check_top_k(top_k)
        parsed = parse_filter(filter)
        namespace = check_namespace(namespace)
        return self.query_checked(checked[0], top_k, parsed, namespace, include_values, include_metadata)

    def query_checked(
        self,
        vector: NDArray[np.float32],
        top_k: int,
        filter: Filter | None,
        namespace: str = "",
        include_values: bool = False,
        include_metadata: bool = True,
    ) -> list[Match]:
        """:meth:`query` for a vector, ``top_k`` and parsed filter already validated."""
        if self.dimension is None:  # nothing was ever stored
            return []
        return self._query(vector, top_k, filter, namespace, include_values, include_metadata)

    def fetch(self, ids: Sequence[str], *, namespace: str = "") -> dict[str, Record]:
        """Records by id; ids that do not exist are left out of the result."""
        checked_ids = check_ids(ids, allow_duplicates=True)
        namespace = check_namespace(namespace)
        if not checked_ids or self.dimension is None:
            return {}
        return self._fetch(checked_ids, namespace)

    def delete(
        self,
        ids: Sequence[str] | None = None,
        *,
        filter: Mapping[str, Any] | Filter | None = None,
        delete_all: bool = False,
        namespace: str = "",
    ) -> None:
        """Delete by ids, by filter, or everything (``delete_all=True``); exactly one of them."""
        chosen = (ids is not None) + (filter is not None) + bool(delete_all)
        if chosen != 1:
            raise ArgumentError("ids", "pass exactly one of ids, filter or delete_all=True")
        checked_ids = check_ids(ids, allow_duplicates=True) if ids is not None else None
        parsed = parse_filter(filter)
        namespace = check_namespace(namespace)
        if self.dimension is None or (checked_ids is not None and not checked_ids):
            return
        self._delete(checked_ids, parsed, namespace)

    def count(self, *, namespace: str = "") -> int:
        return self._namespace_counts().get(check_namespace(namespace), 0)

    def stats(self) -> StoreStats:
        return StoreStats(self.dimension, self.metric, self._namespace_counts())

    def __enter__(self) -> VectorStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ------------------------------------------------------------------ validation helpers

    def check_vectors(self, vectors: ArrayLike, *, rows: int | None) -> NDArray[np.float32]:
        """``vectors`` as a finite float32 matrix of this store's dimension (``rows=None``: one
        vector, returned as a 1-row matrix)."""
        argument = "vector" if rows is None else "vectors"
        try:
            matrix = np.asarray(vectors, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ArgumentError(argument, f"must be numbers ({exc})") from None
        if rows is None:
            if matrix.ndim != 1:
                raise ShapeError(argument, f"must be one vector (1-D), got shape {matrix.shape}")
            matrix = matrix[None, :]
        elif matrix.ndim != 2 or matrix.shape[0] != rows:
            raise ShapeError(argument, f"must have shape ({rows}, dimension), got {matrix.shape}")
        if matrix.shape[1] == 0:
            raise ShapeError(argument, "vectors must have at least one component")
        if self.dimension is not None and matrix.shape[1] != self.dimension:
            raise DimensionMismatchError(
                argument, f"has dimension {matrix.shape[1]}; this store holds dimension {self.dimension}"
            )
        if not np.isfinite(matrix).all():
            raise NonFiniteError(argument, "contains NaN or infinity")
        if self.metric == "cosine" and matrix.size and (np.linalg.norm(matrix, axis=1) == 0).any():
            raise ArgumentError(
                argument, "a zero vector has no direction; cosine similarity needs a non-zero vector"
            )
        result: NDArray[np.float32] = matrix.astype(np.float32)
        return result


def _check_dimension(dimension: object) -> None:
    if isinstance(dimension, bool) or not isinstance(dimension, int) or dimension < 1:
        raise ArgumentError("dimension", f"must be a positive integer, got {dimension!r}")


def check_ids(ids: object, *, allow_duplicates: bool = False) -> list[str]:
    """A list of valid string ids (non-empty, at most 512 characters, unique unless allowed)."""
    if isinstance(ids, str) or not isinstance(ids, Sequence):
        raise ArgumentError("ids", f"must be a list of strings, got {type(ids).__name__}")
    checked = list(ids)
    for index, item in enumerate(checked):
        if not isinstance(item, str) or not item:
            raise ArgumentError("ids", f"item {index} must be a non-empty string, got {item!r}")
        if len(item) > MAX_ID_LENGTH:
            raise ArgumentError("ids", f"item {index} is longer than {MAX_ID_LENGTH} characters")
    if not allow_duplicates and len(set(checked)) != len(checked):
        seen: set[str] = set()
        duplicates = sorted({i for i in checked if i in seen or seen.add(i)})  # type: ignore[func-returns-value]
        raise ArgumentError("ids", f"duplicate ids in one batch: {duplicates[:5]}")
    return checked


def check_metadata(metadata: object, *, argument: str = "metadata") -> dict[str, Any]:
    """A copy of ``metadata`` after checking its keys and JSON-like values."""
    if metadata is None:
        return {}
    if not isinstance(metadata, Mapping):
        raise ArgumentError(argument, f"must be a mapping, got {type(metadata).__name__}")
    checked: dict[str, Any] = {}
    for key, value in metadata.items():
        if not isinstance(key, str) or not key or key.startswith("$"):
            raise ArgumentError(argument, f"keys are non-empty strings not starting with '$'; got {key!r}")
        checked[key] = _check_value(value, f"{argument}[{key!r}]")
    return checked


def _check_value(value: object, path: str) -> Any:
    if isinstance(value, (str, bool)):
        return value
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise NonFiniteError(path, "metadata numbers must be finite")
        return value
    if isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value):
        return list(value)
    raise ArgumentError(
        path, f"metadata values are strings, finite numbers, booleans or lists of strings; got {value!r}"
    )


def check_metadata_batch(metadata: object, rows: int) -> list[dict[str, Any]]:
    if metadata is None:
        return [{} for _ in range(rows)]
    if isinstance(metadata, (str, Mapping)) or not isinstance(metadata, Sequence):
        raise ArgumentError("metadata", "must be a list with one mapping (or None) per record")
    if len(metadata) != rows:
        raise ShapeError("metadata", f"has {len(metadata)} entries for {rows} records")
    return [check_metadata(item, argument=f"metadata[{i}]") for i, item in enumerate(metadata)]


def check_namespace(namespace: object) -> str:
    if not isinstance(namespace, str):
        raise ArgumentError("namespace", f"must be a string, got {type(namespace).__name__}")
    return namespace


def check_top_k(top_k: object) -> None:
    if isinstance(top_k, bool) or not isinstance(top_k, int) or not 1 <= top_k <= MAX_TOP_K:
        raise ArgumentError("top_k", f"must be an integer from 1 to {MAX_TOP_K}, got {top_k!r}")
