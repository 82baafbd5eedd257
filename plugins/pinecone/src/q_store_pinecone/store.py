"""`PineconeStore`: Q-Store's vector store on Pinecone, through the official ``pinecone`` client.

One store is one Pinecone index (serverless or pod-based, REST data plane); Q-Store namespaces are
Pinecone namespaces. Scores follow the core's convention: cosine and dot product as Pinecone
returns them, euclidean as the negative distance (Pinecone returns the squared distance). Filters
are translated so that they select exactly what :func:`q_store.filters.matches` selects
(:mod:`q_store_pinecone.filters`). Every client call runs under the plugin's retry policy
(:mod:`q_store_pinecone.retry`) and ends in a typed Q-Store error when it fails.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray
from pinecone import Index

from q_store import Secret
from q_store.errors import ArgumentError, ConfigError, DimensionMismatchError, VectorStoreError
from q_store.filters import Filter
from q_store.vector_store import Match, Record, StoreCapabilities, VectorStore
from q_store_pinecone.batching import fetch_batches, id_batches, upsert_batches
from q_store_pinecone.connection import (
    PINECONE_METRICS,
    IndexInfo,
    connect_client,
    create_index,
    describe_index,
    open_index,
    stats_info,
)
from q_store_pinecone.encoding import (
    check_user_fields,
    decode_metadata,
    decode_name,
    decode_namespace,
    encode_id,
    encode_metadata,
    encode_namespace,
)
from q_store_pinecone.filters import to_pinecone_filter
from q_store_pinecone.freshness import WriteLog, read_fresh
from q_store_pinecone.options import PineconeOptions, parse_options
from q_store_pinecone.retry import RetryingCaller, RetryPolicy

__all__ = ["PineconeStore"]

_MISSING_KEY: Final = (
    "no Pinecone API key: pass DatabaseConfig(pinecone_api_key=...) (or api_key=... to "
    "PineconeStore), or set the PINECONE_API_KEY environment variable"
)
_INDEX_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,43}[a-z0-9])?$")
#: Pinecone answers at most this many matches when they carry values or metadata.
_MAX_TOP_K_WITH_PAYLOAD: Final = 1000


class PineconeStore(VectorStore):
    """A Pinecone index as a Q-Store vector store.

    Args:
        dimension: vector length; None adopts the index's (or, for a store that creates its
            index, the first upsert's).
        metric: 'cosine', 'dot' or 'euclidean'; must match the index's metric.
        api_key: a :class:`~q_store.Secret` or string; None reads ``PINECONE_API_KEY``.
        index_name: the index to use (1-45 lower-case letters, digits and '-').
        options: a :class:`~q_store_pinecone.options.PineconeOptions`, or its fields as keyword
            arguments (``host``, ``controller_host``, ``create``, ``cloud``, ``region``,
            ``timeout``, ``max_attempts``, ...; see the README).
    """

    name = "pinecone"
    # Pinecone's search is approximate (exact on small namespaces in practice); numbers are
    # stored as 64-bit floats; data lives in the service.
    capabilities = StoreCapabilities(
        metrics=frozenset({"cosine", "dot", "euclidean"}), exact=False, min_recall=0.9, persistent=True
    )

    def __init__(
        self,
        *,
        dimension: int | None = None,
        metric: str = "cosine",
        api_key: str | Secret | None = None,
        index_name: str = "q-store",
        options: PineconeOptions | None = None,
        **option_values: Any,
    ) -> None:
        super().__init__(dimension=dimension, metric=metric)
        if options is not None and option_values:
            raise ArgumentError("options", "pass a PineconeOptions or keyword options, not both")
        self.options = options if options is not None else parse_options(option_values, argument=None)
        self.index_name = _checked_index_name(index_name)
        self._secret = _resolve_key(api_key)
        self._caller = RetryingCaller(
            RetryPolicy(self.options.max_attempts, self.options.initial_backoff, self.options.max_backoff),
            target=f"index {self.index_name!r}",
            secret=self._secret,
        )
        self._writes = WriteLog()
        self._client = connect_client(self._secret, self.options)
        self._index: Index | None = None
        self.host: str | None = None
        try:
            self._locate()
        except BaseException:
            self.close()
            raise

    @classmethod
    def from_config(cls, config: Any, *, dimension: int | None = None) -> PineconeStore:
        """The store of a :class:`~q_store.DatabaseConfig`: its key (``pinecone_api_key`` or
        ``PINECONE_API_KEY``), ``pinecone_index_name``, metric and ``vector_store_options``."""
        options = parse_options(config.vector_store_options)
        key = config.pinecone_key()
        if key is None:
            raise ConfigError("pinecone_api_key", _MISSING_KEY)
        return cls(
            dimension=dimension,
            metric=config.metric,
            api_key=key,
            index_name=config.pinecone_index_name,
            options=options,
        )

    def __repr__(self) -> str:
        return (
            f"PineconeStore(index={self.index_name!r}, host={self.host!r}, metric={self.metric!r}, "
            f"dimension={self.dimension!r})"
        )

    # ------------------------------------------------------------------ connecting

    def _locate(self) -> None:
        """Describe (or create) the index and adopt its host, dimension and metric."""
        if self.options.host is not None:
            index = open_index(self._client, self.options.host)
            self._index, self.host = index, self.options.host
            stats = self._caller("reading the statistics of", index.describe_index_stats)
            self._adopt(stats_info(self.options.host, stats))
            return
        info = describe_index(self._client, self.index_name, self._caller)
        if info is None:
            if not self.options.create:
                raise ConfigError(
                    "pinecone_index_name",
                    f"there is no Pinecone index named {self.index_name!r} in this project; create "
                    f"it (metric {PINECONE_METRICS[self.metric]!r}), or let the store create it with "
                    "vector_store_options={'create': True, 'cloud': 'aws', 'region': 'us-east-1'}",
                )
            if self.dimension is None:
                return  # created by the first upsert, which fixes the dimension
            info = self._create()
        self._adopt(info)

    def _create(self) -> IndexInfo:
        assert self.dimension is not None
        return create_index(
            self._client, self.index_name, self.dimension, self.metric, self.options, self._caller
        )

    def _adopt(self, info: IndexInfo) -> None:
        if info.metric is not None and info.metric != self.metric:
            raise ConfigError(
                "metric",
                f"Pinecone index {self.index_name!r} ranks by {PINECONE_METRICS[info.metric]!r}; "
                f"configure metric={info.metric!r} or use an index created for {self.metric!r}",
            )
        if info.dimension is not None:
            if self.dimension is not None and self.dimension != info.dimension:
                raise DimensionMismatchError(
                    "dimension",
                    f"Pinecone index {self.index_name!r} holds {info.dimension}-dimensional vectors; "
                    f"got dimension={self.dimension}",
                )
            self.dimension = info.dimension
        if self._index is None:
            self._index, self.host = open_index(self._client, info.host), info.host

    def _ready_index(self) -> Index:
        """The data-plane client, creating the index first if this store was asked to."""
        if self._index is None:
            self._adopt(self._create())
        assert self._index is not None
        return self._index

    # ------------------------------------------------------------------ primitives

    def _upsert(
        self,
        ids: Sequence[str],
        vectors: NDArray[np.float32],
        metadata: Sequence[Mapping[str, Any]],
        namespace: str,
    ) -> None:
        check_user_fields(metadata)
        sent_namespace = encode_namespace(namespace)
        records: list[dict[str, Any]] = []
        for record_id, values, meta in zip(ids, vectors.tolist(), metadata, strict=True):
            record: dict[str, Any] = {"id": encode_id(record_id), "values": values}
            if meta:
                record["metadata"] = encode_metadata(meta)
            records.append(record)
        # Every batch is sized (and every record checked) before the first request is sent.
        batches = upsert_batches(
            records,
            sent_namespace,
            max_vectors=self.options.max_batch_vectors,
            max_bytes=self.options.max_request_bytes,
        )
        index = self._ready_index()

        def send(batch: list[dict[str, Any]]) -> None:
            response = self._caller(
                "upserting into", lambda: index.upsert(vectors=batch, namespace=sent_namespace)
            )
            info = response.response_info
            self._writes.record(sent_namespace, info.lsn_committed if info is not None else None)

        if len(batches) == 1 or self.options.upsert_concurrency == 1:
            for batch in batches:
                send(batch)
            return
        with ThreadPoolExecutor(max_workers=min(self.options.upsert_concurrency, len(batches))) as pool:
            futures = [pool.submit(send, batch) for batch in batches]
        failed = [(batch, future.exception()) for batch, future in zip(batches, futures, strict=True)]
        errors = [error for _, error in failed if error is not None]
        if errors:
            written = sum(len(batch) for batch, error in failed if error is None)
            if isinstance(errors[0], VectorStoreError):
                raise VectorStoreError(
                    f"{errors[0]} ({written} of {len(records)} records were written; upserts "
                    "overwrite by id, so repeating the call is safe)"
                ) from None
            raise errors[0]

    def _query(
        self,
        vector: NDArray[np.float32],
        top_k: int,
        filter: Filter | None,
        namespace: str,
        include_values: bool,
        include_metadata: bool,
    ) -> list[Match]:
        if self._index is None:
            return []  # the index is created by the first upsert
        index = self._index
        sent_namespace = encode_namespace(namespace)
        document = to_pinecone_filter(filter) if filter is not None else None
        # Pinecone answers at most 1,000 matches with payloads: wider queries ask for ids and
        # scores only, then fetch the payloads.
        wide = top_k > _MAX_TOP_K_WITH_PAYLOAD and (include_values or include_metadata)
        values = vector.tolist()

        def query() -> Any:
            return self._caller(
                "querying",
                lambda: index.query(
                    top_k=top_k,
                    vector=values,
                    namespace=sent_namespace,
                    filter=document,
                    include_values=include_values and not wide,
                    include_metadata=include_metadata and not wide,
                ),
            )

        target = self._writes.target(sent_namespace) if self.options.read_your_writes else None
        response = read_fresh(
            query,
            lambda answer: answer.response_info.lsn_reconciled if answer.response_info else None,
            target,
            timeout=self.options.freshness_timeout,
            what=f"a query of Pinecone index {self.index_name!r}",
        )
        payloads = {m.id: m for m in response.matches}
        if wide:
            payloads = self._fetch_sent([m.id for m in response.matches], sent_namespace)
        matches = []
        for match in response.matches:
            payload = payloads.get(match.id)
            if payload is None:
                continue  # deleted between the query and the fetch of its payload
            matches.append(
                Match(
                    id=decode_name(match.id),
                    score=self._similarity(match.score),
                    vector=np.asarray(payload.values, dtype=np.float32) if include_values else None,
                    metadata=decode_metadata(payload.metadata) if include_metadata else None,
                )
            )
        return matches

    def _similarity(self, score: float) -> float:
        # Pinecone's euclidean score is the squared distance; the core's is minus the distance.
        return -math.sqrt(max(score, 0.0)) if self.metric == "euclidean" else float(score)

    def _fetch(self, ids: Sequence[str], namespace: str) -> dict[str, Record]:
        if self._index is None:
            return {}
        sent_ids = [sent for sent in (_encodable(i) for i in dict.fromkeys(ids)) if sent is not None]
        found = self._fetch_sent(sent_ids, encode_namespace(namespace))
        return {
            decode_name(sent): Record(
                decode_name(sent),
                np.asarray(vector.values, dtype=np.float32),
                decode_metadata(vector.metadata),
            )
            for sent, vector in found.items()
        }

    def _fetch_sent(self, sent_ids: Sequence[str], sent_namespace: str) -> dict[str, Any]:
        assert self._index is not None
        index = self._index
        found: dict[str, Any] = {}

        def fetch(batch: list[str]) -> Any:
            return index.fetch(ids=batch, namespace=sent_namespace)

        for batch in fetch_batches(sent_ids):
            response = self._caller(
                "fetching from",
                functools.partial(fetch, batch),
                on_not_found=lambda exc: None,  # a namespace that never held anything
            )
            if response is not None:
                found.update(response.vectors)
        return found

    def _delete(self, ids: Sequence[str] | None, filter: Filter | None, namespace: str) -> None:
        if self._index is None:
            return
        index = self._index
        sent_namespace = encode_namespace(namespace)

        def nothing_to_delete(exc: Exception) -> None:
            return None  # Pinecone answers 404 for a namespace that does not exist

        def delete_ids(batch: list[str]) -> None:
            index.delete(ids=batch, namespace=sent_namespace)

        if ids is not None:
            sent_ids = [sent for sent in (_encodable(i) for i in dict.fromkeys(ids)) if sent is not None]
            for batch in id_batches(sent_ids):
                self._caller(
                    "deleting from", functools.partial(delete_ids, batch), on_not_found=nothing_to_delete
                )
        elif filter is not None:
            document = to_pinecone_filter(filter)
            self._caller(
                "deleting from",
                lambda: index.delete(filter=document, namespace=sent_namespace),
                on_not_found=nothing_to_delete,
            )
        else:
            self._caller(
                "deleting from",
                lambda: index.delete(delete_all=True, namespace=sent_namespace),
                on_not_found=nothing_to_delete,
            )

    def _namespace_counts(self) -> dict[str, int]:
        if self._index is None:
            return {}
        stats = self._caller("reading the statistics of", self._index.describe_index_stats)
        return {
            decode_namespace(name): summary.vector_count
            for name, summary in stats.namespaces.items()
            if summary.vector_count
        }

    def close(self) -> None:
        if self._index is not None:
            self._index.close()
        self._client.close()


def _resolve_key(api_key: str | Secret | None) -> Secret:
    if isinstance(api_key, Secret):
        return api_key
    if api_key is not None and not isinstance(api_key, str):
        raise ConfigError("pinecone_api_key", f"must be a string or a Secret, not {type(api_key).__name__}")
    if api_key is not None and api_key.strip():
        return Secret(api_key)
    from_environment = Secret.from_env("PINECONE_API_KEY")
    if from_environment is None:
        raise ConfigError("pinecone_api_key", _MISSING_KEY)
    return from_environment


def _checked_index_name(name: object) -> str:
    if not isinstance(name, str) or not _INDEX_NAME.match(name):
        raise ConfigError(
            "pinecone_index_name",
            f"must be 1-45 lower-case letters, digits and '-', starting and ending with a letter or "
            f"digit (Pinecone's rule); got {name!r}",
        )
    return name


def _encodable(record_id: str) -> str | None:
    """The Pinecone id of ``record_id``, or None when it is too long to have been stored."""
    try:
        return encode_id(record_id)
    except ArgumentError:
        return None
