"""Pinecone client exceptions as Q-Store's typed errors.

Messages name what failed and what to do, quote the service's own status and message, and never
contain the API key: every text is passed through :func:`redact` first, and the client's exception
is not chained (``raise ... from None``), because the exceptions of the HTTP layer underneath it
hold the request, headers included.
"""

from __future__ import annotations

from typing import Final

from pinecone import (
    ApiError,
    ForbiddenError,
    PineconeConnectionError,
    PineconeError,
    PineconeTimeoutError,
    RateLimitError,
    ServiceError,
    UnauthorizedError,
)

from q_store import Secret
from q_store.errors import ConfigError, DimensionMismatchError, QStoreError, VectorStoreError

__all__ = ["describe", "is_retryable", "redact", "translate"]

_MAX_MESSAGE: Final = 300
#: Statuses the service uses for transient trouble (the same set the client retries itself).
_TRANSIENT_STATUSES: Final = frozenset({408, 429, 500, 502, 503, 504})


def is_retryable(exc: PineconeError) -> bool:
    """Transient failures: throttling, server errors, timeouts and dropped connections."""
    if isinstance(exc, (RateLimitError, ServiceError, PineconeConnectionError, PineconeTimeoutError)):
        return True
    return isinstance(exc, ApiError) and exc.status_code in _TRANSIENT_STATUSES


def redact(text: str, secret: Secret | None) -> str:
    """``text`` without the key (in case a server or proxy echoed it), shortened. Keys shorter
    than 8 characters are not searched for: they would match ordinary words (no real key is)."""
    if secret is not None and len(secret.reveal()) >= 8 and secret.reveal() in text:
        text = text.replace(secret.reveal(), "********")
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 3] + "..."


def describe(exc: PineconeError, secret: Secret | None) -> str:
    """The status and message of a client exception, e.g. ``[503] upstream unavailable``."""
    if isinstance(exc, ApiError):
        text = f"[{exc.status_code}] {exc.message}" if exc.message else f"[{exc.status_code}]"
    else:
        text = f"{type(exc).__name__}: {exc}"
    return redact(text, secret)


def translate(
    exc: PineconeError, *, operation: str, target: str, attempts: int, secret: Secret | None
) -> QStoreError:
    """The typed error for ``exc``, raised while ``operation`` ran against ``target``."""
    detail = describe(exc, secret)
    if isinstance(exc, (UnauthorizedError, ForbiddenError)):
        return ConfigError(
            "pinecone_api_key",
            f"Pinecone refused the API key while {operation} {target} ({detail}); pass a valid key "
            "as DatabaseConfig(pinecone_api_key=...) or set PINECONE_API_KEY",
        )
    if isinstance(exc, ApiError) and exc.status_code == 400 and "dimension" in exc.message.lower():
        return DimensionMismatchError("vectors", f"Pinecone refused {operation} {target}: {detail}")
    if is_retryable(exc):
        return VectorStoreError(
            f"Pinecone {operation} {target} failed after {attempts} attempt(s) under the retry "
            f"policy (max_attempts, initial_backoff, max_backoff options); last error: {detail}"
        )
    return VectorStoreError(f"Pinecone {operation} {target} failed: {detail}")
