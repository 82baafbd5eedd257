"""Finding (or creating) the Pinecone index a store works on, through the official client.

By index name: the control plane describes the index (``GET /indexes/{name}``), which gives its
data-plane host, dimension and metric; with ``create=True`` a missing index is created as a
serverless index (``POST /indexes``) and waited for until it is ready. By ``host``: the control
plane is skipped and the dimension and metric come from the index statistics
(``POST /describe_index_stats``).

The control-plane client is built with the client's own retries switched off
(``RetryConfig(max_retries=0)``), so that the plugin's policy (:mod:`q_store_pinecone.retry`) is
the only one there. The data-plane client offers no such setting; see the retry module.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any, Final

import attrs
from pinecone import ConflictError, Index, Pinecone, PineconeValueError, RetryConfig

from q_store import Secret
from q_store.errors import CapabilityError, ConfigError, VectorStoreError
from q_store_pinecone.options import PineconeOptions
from q_store_pinecone.retry import RetryingCaller

__all__ = [
    "CORE_METRICS",
    "PINECONE_METRICS",
    "IndexInfo",
    "connect_client",
    "create_index",
    "describe_index",
    "open_index",
    "stats_info",
]

#: Q-Store's metric names and Pinecone's.
PINECONE_METRICS: Final = {"cosine": "cosine", "dot": "dotproduct", "euclidean": "euclidean"}
CORE_METRICS: Final = {pinecone: core for core, pinecone in PINECONE_METRICS.items()}
#: The schema field the vectors API addresses; an index with it is a plain vector index.
DENSE_FIELD: Final = "_values"
_READY_POLL_FIRST = 0.2
_READY_POLL_LONGEST = 5.0


@attrs.frozen
class IndexInfo:
    host: str
    #: Vector length and Q-Store metric name, when the service reported them.
    dimension: int | None
    metric: str | None


def connect_client(secret: Secret, options: PineconeOptions) -> Pinecone:
    """The control-plane client (also the factory of data-plane clients). Sends nothing yet."""
    try:
        return Pinecone(
            api_key=secret.reveal(),
            host=options.controller_host,
            timeout=options.timeout,
            retry_config=RetryConfig(max_retries=0),
            source_tag="q_store",
        )
    except PineconeValueError:
        # The client's message never contains the key; ours does not either.
        raise ConfigError(
            "pinecone_api_key",
            "is not a valid HTTP header value (leading or trailing whitespace, a newline or a "
            "non-ASCII character); strip the key",
        ) from None


def describe_index(client: Pinecone, name: str, caller: RetryingCaller) -> IndexInfo | None:
    """The index called ``name``, or None when the project has none by that name."""
    model = caller("describing", lambda: client.indexes.describe(name), on_not_found=lambda exc: None)
    if model is None:
        return None
    if not model.status.ready:
        raise VectorStoreError(
            f"Pinecone index {name!r} is not ready (state {model.status.state!r}); try again when it is"
        )
    return _info(name, model)


def create_index(
    client: Pinecone, name: str, dimension: int, metric: str, options: PineconeOptions, caller: RetryingCaller
) -> IndexInfo:
    """Create a serverless index and wait until it is ready (another creator winning is fine)."""

    def create() -> None:
        # A conflict means the index exists: created meanwhile by someone else, or by our own
        # earlier attempt whose reply was lost. Either way the readiness wait below takes over.
        with contextlib.suppress(ConflictError):
            client.indexes.create(
                name=name,
                schema={
                    "fields": {
                        DENSE_FIELD: {
                            "type": "dense_vector",
                            "dimension": dimension,
                            "metric": PINECONE_METRICS[metric],
                        }
                    }
                },
                deployment={"deployment_type": "managed", "cloud": options.cloud, "region": options.region},
                timeout=-1,  # the readiness wait below is bounded and typed
            )

    caller("creating", create)
    deadline = time.monotonic() + options.ready_timeout
    pause = _READY_POLL_FIRST
    while True:
        model = caller("describing", lambda: client.indexes.describe(name))
        if model.status.ready:
            return _info(name, model)
        if time.monotonic() + pause > deadline:
            raise VectorStoreError(
                f"Pinecone index {name!r} was created but is not ready after {options.ready_timeout} s "
                f"(state {model.status.state!r}); raise ready_timeout or try again later"
            )
        time.sleep(pause)
        pause = min(pause * 2, _READY_POLL_LONGEST)


def open_index(client: Pinecone, host: str) -> Index:
    return client.index(host=host)


def stats_info(host: str, stats: Any) -> IndexInfo:
    """What the statistics of an index reached by host say about it."""
    metric = getattr(stats, "metric", None)
    return IndexInfo(
        host=host, dimension=stats.dimension, metric=CORE_METRICS.get(metric) if metric else None
    )


def _info(name: str, model: Any) -> IndexInfo:
    fields = model.schema.fields
    dense = fields.get(DENSE_FIELD)
    if dense is None or getattr(dense, "dimension", None) is None:
        raise CapabilityError(
            f"Pinecone index {name!r} is not a dense vector index (its schema fields are "
            f"{sorted(fields)}); the Q-Store store needs one created with a dimension and a metric"
        )
    if model.host is None:
        raise VectorStoreError(f"Pinecone index {name!r} has no host yet; try again when it is ready")
    return IndexInfo(host=model.host, dimension=int(dense.dimension), metric=CORE_METRICS.get(dense.metric))
