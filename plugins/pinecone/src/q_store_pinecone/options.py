"""`PineconeOptions`: the validated options of a Pinecone store.

They come from ``DatabaseConfig(vector_store_options={...})`` or from keyword arguments of
:class:`~q_store_pinecone.PineconeStore`. Every bad value is a :class:`~q_store.ConfigError` that
names the option and says what is allowed. The API key is never an option: options are printed
with the configuration, so the key travels only as ``DatabaseConfig(pinecone_api_key=...)`` (a
:class:`~q_store.Secret`) or in ``PINECONE_API_KEY``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Final

import attrs

from q_store.errors import ConfigError

__all__ = ["MAX_BATCH_VECTORS", "MAX_REQUEST_BYTES", "PineconeOptions", "parse_options"]

#: Pinecone's documented per-request limits of an upsert: 1,000 vectors or 2 MB.
MAX_BATCH_VECTORS: Final = 1000
MAX_REQUEST_BYTES: Final = 2_000_000
#: Names that look like options but must travel another way.
_REFUSED: Final = {
    "api_key": "pass the key as DatabaseConfig(pinecone_api_key=...) or set PINECONE_API_KEY, "
    "so that it is never printed with the options",
    "index_name": "pass the index name as DatabaseConfig(pinecone_index_name=...)",
}


@attrs.frozen(kw_only=True)
class PineconeOptions:
    """Connection, retry and batching settings (see the plugin README for each one)."""

    #: Data-plane URL of the index (``https://NAME-ID.svc.REGION.pinecone.io``); skips the
    #: control plane. ``http://`` is kept as plain HTTP (for a local server).
    host: str | None = None
    #: Control-plane URL (default ``https://api.pinecone.io``, or ``PINECONE_CONTROLLER_HOST``).
    controller_host: str | None = None
    #: Create the index when it does not exist (serverless, in ``cloud`` / ``region``).
    create: bool = False
    cloud: str = "aws"
    region: str = "us-east-1"
    #: Seconds one HTTP attempt may take.
    timeout: float = 30.0
    #: Attempts per request under the plugin's retry policy (each attempt is one SDK call).
    max_attempts: int = 6
    #: Exponential backoff between attempts, with full jitter, capped at ``max_backoff``.
    initial_backoff: float = 0.2
    max_backoff: float = 10.0
    #: Seconds to wait for a newly created index to become ready.
    ready_timeout: float = 300.0
    #: Queries wait until the index has caught up with this store's own upserts (by LSN).
    read_your_writes: bool = True
    #: Seconds a query may wait for that, after which it raises VectorStoreError.
    freshness_timeout: float = 30.0
    #: Upsert requests carry at most this many vectors and this many bytes of JSON.
    max_batch_vectors: int = MAX_BATCH_VECTORS
    max_request_bytes: int = MAX_REQUEST_BYTES
    #: Upsert requests in flight at once for one large batch.
    upsert_concurrency: int = 4


_FIELDS: Final = tuple(field.name for field in attrs.fields(PineconeOptions))


def parse_options(
    values: Mapping[str, Any], *, argument: str | None = "vector_store_options"
) -> PineconeOptions:
    """Validated options. Errors name ``argument[name]`` (or just the option's name when
    ``argument`` is None, for keyword arguments)."""

    def label(name: str) -> str:
        return name if argument is None else f"{argument}[{name!r}]"

    for name in values:
        if name in _REFUSED:
            raise ConfigError(label(name), f"is not an option: {_REFUSED[name]}")
        if name not in _FIELDS:
            raise ConfigError(label(name), f"unknown Pinecone option; allowed: {', '.join(_FIELDS)}")
    checked: dict[str, Any] = {}
    for name, value in values.items():
        where = label(name)
        if name in ("host", "controller_host"):
            checked[name] = _url(where, value)
        elif name in ("create", "read_your_writes"):
            checked[name] = _boolean(where, value)
        elif name in ("cloud", "region"):
            checked[name] = _text(where, value)
        elif name in ("timeout", "initial_backoff", "max_backoff", "ready_timeout", "freshness_timeout"):
            checked[name] = _seconds(where, value, allow_zero=name == "initial_backoff")
        elif name == "max_attempts":
            checked[name] = _integer(where, value, 1, 20)
        elif name == "max_batch_vectors":
            checked[name] = _integer(where, value, 1, MAX_BATCH_VECTORS)
        elif name == "max_request_bytes":
            checked[name] = _integer(where, value, 1024, MAX_REQUEST_BYTES)
        else:
            checked[name] = _integer(where, value, 1, 32)
    options = PineconeOptions(**checked)
    if options.max_backoff < options.initial_backoff:
        raise ConfigError(
            label("max_backoff"),
            f"must be at least initial_backoff ({options.initial_backoff}), got {options.max_backoff}",
        )
    if options.host is not None and options.create:
        raise ConfigError(
            label("create"),
            "creating an index needs the control plane; connect by index name (no 'host') to create",
        )
    return options


def _url(where: str, value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or any(c.isspace() for c in value.strip()):
        raise ConfigError(where, f"must be a URL such as 'https://example.pinecone.io', got {value!r}")
    return value.strip().rstrip("/")


def _boolean(where: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(where, f"must be True or False, got {value!r}")
    return value


def _text(where: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(where, f"must be a non-empty string, got {value!r}")
    return value.strip()


def _seconds(where: str, value: object, *, allow_zero: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigError(where, f"must be a finite number of seconds, got {value!r}")
    if value < 0 or (value == 0 and not allow_zero):
        bound = "zero or more" if allow_zero else "more than zero"
        raise ConfigError(where, f"must be {bound} seconds, got {value!r}")
    return float(value)


def _integer(where: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(where, f"must be an integer from {low} to {high}, got {value!r}")
    return value
