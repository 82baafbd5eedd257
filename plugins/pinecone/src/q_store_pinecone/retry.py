"""The plugin's retry policy around every call of the Pinecone client.

Why a layer of our own: the client retries 408/429/5xx and dropped connections itself (3 retries,
backoff from 0.25 s), but its retries are gated by a process-wide budget per host name, which
sustained failures drain (every failure costs a token, every success earns a tenth of one). Under
a 20% failure rate the budget runs dry after a few hundred requests, and from then on the client
surfaces every failure at once. This layer gives each request a bounded number of attempts of its
own, independent of that budget:

* an attempt is one client call (which may itself try up to 4 times while the budget lasts);
* transient failures (429, 408, 5xx, timeouts, dropped connections) are retried after a full-jitter
  exponential backoff (``initial_backoff * 2**k``, capped at ``max_backoff``), never shorter than
  a ``Retry-After`` the service sent (capped at ``max_backoff`` too);
* any other failure, or a transient one after ``max_attempts``, becomes a typed error
  (:func:`q_store_pinecone.errors.translate`).

Every operation the store retries is idempotent (upserts overwrite by id, deletes of missing ids
are no-ops, reads change nothing), so a retry after a lost reply cannot duplicate a record.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

import attrs
from pinecone import NotFoundError, PineconeError, RateLimitError

from q_store import Secret
from q_store_pinecone.errors import describe, is_retryable, translate

__all__ = ["RetryPolicy", "RetryingCaller"]

T = TypeVar("T")
logger = logging.getLogger("q_store_pinecone")


@attrs.frozen
class RetryPolicy:
    max_attempts: int
    initial_backoff: float
    max_backoff: float

    def delay(self, failures: int, rng: random.Random, retry_after: float | None) -> float:
        """Seconds to wait after the ``failures``-th failed attempt."""
        ceiling = min(self.max_backoff, self.initial_backoff * 2.0 ** (failures - 1))
        delay = rng.uniform(0.0, ceiling)
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.max_backoff))
        return delay


class RetryingCaller:
    """Runs client calls under a :class:`RetryPolicy` and translates what they raise."""

    def __init__(
        self,
        policy: RetryPolicy,
        *,
        target: str,
        secret: Secret | None,
        sleep: Callable[[float], None] = time.sleep,
        seed: int | None = None,
    ) -> None:
        self.policy = policy
        #: What the calls act on, for messages (e.g. "index 'q-store'").
        self.target = target
        self._secret = secret
        self._sleep = sleep
        self._rng = random.Random(seed)

    def __call__(
        self,
        operation: str,
        call: Callable[[], T],
        *,
        on_not_found: Callable[[NotFoundError], T] | None = None,
    ) -> T:
        """``call()`` with retries. ``on_not_found`` handles a 404 (return a value or raise)."""
        for attempt in range(1, self.policy.max_attempts + 1):
            try:
                return call()
            except NotFoundError as exc:
                if on_not_found is None:
                    raise self._typed(exc, operation, attempt) from None
                return on_not_found(exc)
            except PineconeError as exc:
                if not is_retryable(exc) or attempt == self.policy.max_attempts:
                    raise self._typed(exc, operation, attempt) from None
                retry_after = exc.retry_after if isinstance(exc, RateLimitError) else None
                delay = self.policy.delay(attempt, self._rng, retry_after)
                logger.debug(
                    "pinecone %s %s: attempt %d/%d failed (%s); retrying in %.3f s",
                    operation,
                    self.target,
                    attempt,
                    self.policy.max_attempts,
                    describe(exc, self._secret),
                    delay,
                )
                self._sleep(delay)
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    def _typed(self, exc: PineconeError, operation: str, attempts: int) -> Exception:
        return translate(exc, operation=operation, target=self.target, attempts=attempts, secret=self._secret)
