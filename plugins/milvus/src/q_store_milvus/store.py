"""`MilvusStore`: the Q-Store vector store on Milvus (embedded milvus-lite or a server).

Layout (see :mod:`q_store_milvus.schema`): one collection per namespace, primary key = record id,
the vector, the metadata as JSON, and the filter projections of :mod:`q_store_milvus.terms`.

Guarantees:

* Read-your-writes: collections use consistency level ``Strong`` (or ``Session``), so a query
  issued after ``upsert``/``delete`` returned sees it. milvus-lite applies every write to its
  memtable before acknowledging it; a server waits for the write's timestamp.
* Durability: milvus-lite appends every write to its write-ahead log and hands the bytes to the
  OS before acknowledging, so an acknowledged write survives the writing process being killed.
  Separately, the store flushes milvus-lite every ``flush_threshold`` rows: flushing is not
  needed for durability, but searches over unflushed rows run in Python and are ~15x slower.
* Limits: batches are split into requests of ``batch_size`` rows (and at most ~16 MiB); id lists
  into expressions of 500 ids; Milvus' top-k limit (16,384) is above the core's (10,000).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from os import PathLike
from typing import Any, ClassVar, Final

import numpy as np
from numpy.typing import NDArray
from pymilvus import MilvusClient

from q_store.config import Secret
from q_store.errors import CapabilityError, VectorStoreError
from q_store.filters import Filter
from q_store.vector_store import Match, Record, StoreCapabilities, VectorStore
from q_store_milvus.connection import close_client, milvus_errors, open_client
from q_store_milvus.expressions import everything, ids_expression, translate
from q_store_milvus.options import DEFAULT_URI, FlushThreshold, MilvusOptions
from q_store_milvus.rows import encode_rows, to_match, to_record
from q_store_milvus.schema import (
    METADATA,
    METRICS,
    VECTOR,
    CollectionInfo,
    collection_name,
    create_collection,
    describe,
    is_namespace_collection,
)

__all__ = ["MilvusStore"]

#: Milvus refuses searches for more results than this.
MILVUS_MAX_TOP_K: Final = 16_384
#: Ids per ``pk in [...]`` expression (each id may take up to 2 KiB quoted).
IDS_PER_EXPRESSION: Final = 500
#: Bytes of vectors per insert request, well under the default 64 MiB gRPC message limit.
REQUEST_BYTES: Final = 16 * 2**20


class MilvusStore(VectorStore):
    """Vectors in Milvus: ``uri='./data.db'`` embeds milvus-lite, ``uri='http://host:19530'``
    connects to a server. See the package README for every option."""

    name: ClassVar[str] = "milvus"
    capabilities: ClassVar[StoreCapabilities] = StoreCapabilities(
        metrics=frozenset(METRICS), exact=True, min_recall=1.0, persistent=True
    )

    def __init__(
        self,
        *,
        dimension: int | None = None,
        metric: str = "cosine",
        uri: str | PathLike[str] = DEFAULT_URI,
        token: str | Secret | None = None,
        db_name: str | None = None,
        collection: str = "q_store",
        index: str = "FLAT",
        index_params: Mapping[str, Any] | None = None,
        search_params: Mapping[str, Any] | None = None,
        consistency_level: str = "Strong",
        timeout: float = 30.0,
        flush_threshold: FlushThreshold = "auto",
        batch_size: int = 2000,
    ) -> None:
        super().__init__(dimension=dimension, metric=metric)
        self.options = MilvusOptions.validate(
            uri=uri,
            token=token,
            db_name=db_name,
            collection=collection,
            index=index,
            index_params=index_params,
            search_params=search_params,
            consistency_level=consistency_level,
            timeout=timeout,
            flush_threshold=flush_threshold,
            batch_size=batch_size,
        )
        if not self.options.exact:
            # An approximate index cannot promise brute-force results; say so on this instance
            # (the class keeps describing the exact default), and promise no recall we cannot
            # measure here: it depends on the data and the search parameters.
            self.capabilities = StoreCapabilities(  # type: ignore[misc]
                metrics=frozenset(METRICS), exact=False, min_recall=0.0, persistent=True
            )
        self._milvus_metric = METRICS[metric]
        self._lock = threading.RLock()
        #: namespace -> its collection, and collection -> description, for collections known to
        #: exist and be loaded.
        self._open: dict[str, str] = {}
        self._described: dict[str, CollectionInfo] = {}
        self._unflushed: dict[str, int] = {}
        self._client: MilvusClient | None = open_client(self.options)
        try:
            self._adopt_existing_data()
        except BaseException:
            self.close()
            raise

    def __repr__(self) -> str:
        return (
            f"MilvusStore(uri={self.options.location!r}, collection={self.options.collection!r}, "
            f"metric={self.metric!r}, dimension={self.dimension}, index={self.options.index!r})"
        )

    @property
    def client(self) -> MilvusClient:
        """The pymilvus client (for Milvus features this store does not wrap)."""
        if self._client is None:
            raise VectorStoreError(f"the Milvus store at {self.options.location} is closed")
        return self._client

    def close(self) -> None:
        """Close the connection; for milvus-lite, release the data directory (idempotent)."""
        with self._lock:
            client, self._client = self._client, None
            if client is not None:
                close_client(client, self.options)

    def flush(self) -> None:
        """Seal every written row into segments (milvus-lite: searches then run on the index)."""
        with self._lock:
            for namespace in list(self._unflushed):
                self._flush(namespace)

    # ------------------------------------------------------------------ primitives

    def _upsert(
        self,
        ids: Sequence[str],
        vectors: NDArray[np.float32],
        metadata: Sequence[Mapping[str, Any]],
        namespace: str,
    ) -> None:
        rows = encode_rows(ids, vectors, metadata)  # refuses what Milvus cannot store, first
        name = self._collection(namespace, create=True)
        assert name is not None
        bytes_per_row = 4 * vectors.shape[1] + 64
        chunk = max(1, min(self.options.batch_size, REQUEST_BYTES // bytes_per_row))
        with milvus_errors(f"upsert into {name!r}"):
            for start in range(0, len(rows), chunk):
                self.client.upsert(name, rows[start : start + chunk], timeout=self.options.timeout)
        self._count_unflushed(namespace, len(rows))

    def _query(
        self,
        vector: NDArray[np.float32],
        top_k: int,
        filter: Filter | None,
        namespace: str,
        include_values: bool,
        include_metadata: bool,
    ) -> list[Match]:
        if top_k > MILVUS_MAX_TOP_K:  # pragma: no cover - the core's limit is lower
            raise CapabilityError(f"Milvus returns at most {MILVUS_MAX_TOP_K} results per query")
        name = self._collection(namespace)
        if name is None:
            return []
        fields = [
            field for field, wanted in ((VECTOR, include_values), (METADATA, include_metadata)) if wanted
        ]
        with milvus_errors(f"search in {name!r}"):
            [hits] = self.client.search(
                name,
                data=[vector],
                anns_field=VECTOR,
                limit=top_k,
                filter=translate(filter) if filter is not None else "",
                output_fields=fields,
                search_params={"metric_type": self._milvus_metric, "params": self._search_params(top_k)},
                consistency_level=self.options.consistency_level,
                timeout=self.options.timeout,
            )
        return [to_match(hit, self._milvus_metric, include_values, include_metadata) for hit in hits]

    def _fetch(self, ids: Sequence[str], namespace: str) -> dict[str, Record]:
        name = self._collection(namespace)
        if name is None:
            return {}
        found: dict[str, Record] = {}
        with milvus_errors(f"fetch from {name!r}"):
            for chunk in _chunks(list(dict.fromkeys(ids)), IDS_PER_EXPRESSION):
                rows = self.client.query(
                    name,
                    filter=ids_expression(chunk),
                    output_fields=[VECTOR, METADATA],
                    consistency_level=self.options.consistency_level,
                    timeout=self.options.timeout,
                )
                found.update((record.id, record) for record in map(to_record, rows))
        return found

    def _delete(self, ids: Sequence[str] | None, filter: Filter | None, namespace: str) -> None:
        name = self._collection(namespace)
        if name is None:
            return
        if ids is not None:
            expressions: Iterator[str] = map(
                ids_expression, _chunks(list(dict.fromkeys(ids)), IDS_PER_EXPRESSION)
            )
        else:
            expressions = iter([translate(filter) if filter is not None else everything()])
        with milvus_errors(f"delete from {name!r}"):
            for expression in expressions:
                self.client.delete(name, filter=expression, timeout=self.options.timeout)

    def _namespace_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        base = self.options.collection
        with milvus_errors("listing collections"):
            names = [n for n in self.client.list_collections() if is_namespace_collection(base, n)]
        for name in names:
            info = self._described.get(name) or self._open_existing(name)
            with milvus_errors(f"count(*) of {name!r}"):
                [row] = self.client.query(
                    name,
                    filter="",
                    output_fields=["count(*)"],
                    consistency_level=self.options.consistency_level,
                    timeout=self.options.timeout,
                )
            if row["count(*)"]:
                counts[info.namespace] = int(row["count(*)"])
        return counts

    # ------------------------------------------------------------------ collections

    def _adopt_existing_data(self) -> None:
        """On reopening, take dimension and metric from the data (refusing a different metric)."""
        base = self.options.collection
        with milvus_errors(f"looking up collection {base!r}"):
            exists = self.client.has_collection(base, timeout=self.options.timeout)
        if exists:
            info = self._open_existing(base)
            self.dimension = info.dimension

    def _collection(self, namespace: str, *, create: bool = False) -> str | None:
        """The loaded collection of ``namespace``; None when it does not exist and ``create`` is
        false. The namespace ``""`` collection is created first: it anchors dimension and metric."""
        name = self._open.get(namespace)
        if name is not None:
            return name
        with self._lock:
            if namespace in self._open:
                return self._open[namespace]
            name = collection_name(self.options.collection, namespace)
            with milvus_errors(f"looking up collection {name!r}"):
                exists = self.client.has_collection(name, timeout=self.options.timeout)
            if exists:
                self._open_existing(name)
                return name
            if not create:
                return None
            if namespace:
                self._collection("", create=True)
            assert self.dimension is not None
            try:
                with milvus_errors(f"creating collection {name!r}"):
                    create_collection(self.client, self.options, name, namespace, self.dimension, self.metric)
            except VectorStoreError:
                # Another client of the same server may have created it meanwhile.
                if not self.client.has_collection(name, timeout=self.options.timeout):
                    raise
                self._open_existing(name)
                return name
            self._open[namespace] = name
            self._described[name] = CollectionInfo(name, namespace, self.dimension, self.metric)
            return name

    def _open_existing(self, name: str) -> CollectionInfo:
        with milvus_errors(f"opening collection {name!r}"):
            info = describe(self.client, name, self.options)
            info.check_compatible(self.dimension, self.metric, self.options.location)
            # A reopened collection may be released (milvus-lite reopens indexed collections
            # released; a server after a restart); loading a loaded one is a no-op.
            self.client.load_collection(name, timeout=self.options.timeout)
        self._open[info.namespace] = name
        self._described[name] = info
        return info

    def _search_params(self, top_k: int) -> dict[str, Any]:
        params = dict(self.options.search_params)
        if "ef" in params:
            params["ef"] = max(int(params["ef"]), top_k)
        return params

    def _count_unflushed(self, namespace: str, rows: int) -> None:
        threshold = self.options.flush_threshold
        if threshold is None:
            return
        with self._lock:
            self._unflushed[namespace] = self._unflushed.get(namespace, 0) + rows
            if self._unflushed[namespace] >= threshold:
                self._flush(namespace)

    def _flush(self, namespace: str) -> None:
        name = self._open.get(namespace)
        self._unflushed.pop(namespace, None)
        if name is not None:
            with milvus_errors(f"flush of {name!r}"):
                self.client.flush(name, timeout=self.options.timeout)


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
