"""HTTP to IonQ's REST API v0.4 with bounded retries, short timeouts and typed errors.

qiskit-ionq's own client retries a job submission up to five times on 429/502/503/504 without
asking whether the first attempt created a job, retries status reads without limit, and waits up
to 30 s per request. A paid service needs the opposite guarantees, so requests go through this
transport (a ``requests.Session``) while the wire format itself (the headers, the job JSON)
still comes from qiskit-ionq. See :class:`~q_store_ionq.options.RetryPolicy` for the policy.

The API key lives only in the request headers: it never appears in a log line (urllib3 logs
the method and URL, never headers), a ``repr`` or an exception message.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import attrs
import requests
from qiskit_ionq.exceptions import IonQAPIError

from q_store.errors import BackendError, ConfigError, QStoreError
from q_store_ionq.options import RetryPolicy

__all__ = ["Attempt", "IonQTransport", "RetryBudget"]

logger = logging.getLogger("q_store_ionq")

#: Statuses worth another attempt: rate limiting and server-side failures.
RETRIABLE_STATUS = frozenset({429, 500, 502, 503, 504}) | frozenset(range(520, 530))


@attrs.frozen
class Attempt:
    """The outcome of one HTTP request.

    ``maybe_processed`` is True when the server may have acted on the request although no
    answer arrived (5xx, dropped connection, read timeout): a submission must then be looked up
    before it is retried. It is False when the request surely did nothing (HTTP 429, connection
    refused, connect timeout). ``in_flight`` marks the failures after which the request may
    STILL be processed later (read timeout, HTTP 504): a submission is then never sent again.
    """

    payload: Any = None
    error: QStoreError | None = None
    retriable: bool = False
    maybe_processed: bool = False
    in_flight: bool = False
    reached_server: bool = True
    retry_after: float | None = None
    description: str = ""

    @property
    def ok(self) -> bool:
        return self.error is None and not self.retriable


class RetryBudget:
    """Counts attempts of one request and hands out the pauses of the retry policy."""

    def __init__(
        self,
        policy: RetryPolicy,
        *,
        rng: random.Random,
        clock: Callable[[], float] = time.monotonic,
        deadline: float | None = None,
    ) -> None:
        self._policy = policy
        self._rng = rng
        self._clock = clock
        self._start = clock()
        self._deadline = deadline
        self.attempts = 1

    @property
    def elapsed(self) -> float:
        return self._clock() - self._start

    def next_pause(self, retry_after: float | None = None) -> float | None:
        """Seconds to wait before the next attempt, or None when the budget is spent."""
        policy = self._policy
        if self.attempts >= policy.max_attempts:
            return None
        ceiling = min(policy.max_backoff, policy.initial_backoff * 2 ** (self.attempts - 1))
        pause = self._rng.uniform(ceiling / 2, ceiling)
        if retry_after is not None:
            pause = max(pause, min(retry_after, policy.max_backoff))
        if self.elapsed + pause > policy.retry_deadline:
            return None
        if self._deadline is not None and self._clock() + pause > self._deadline:
            return None
        self.attempts += 1
        return pause


class IonQTransport:
    """One connection pool to one IonQ base URL, authenticated by ``headers``."""

    def __init__(
        self,
        *,
        url: str,
        headers: Mapping[str, str],
        policy: RetryPolicy,
        connect_timeout: float,
        read_timeout: float,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.url = url
        self.policy = policy
        self._headers = dict(headers)  # holds the key: never logged, never in a repr
        self._timeout = (connect_timeout, read_timeout)
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._session = requests.Session()

    def __repr__(self) -> str:
        return f"IonQTransport(url={self.url!r})"

    def close(self) -> None:
        self._session.close()

    def budget(self, deadline: float | None = None) -> RetryBudget:
        return RetryBudget(self.policy, rng=self._rng, deadline=deadline)

    def pause(self, seconds: float) -> None:
        self._sleep(seconds)

    # ------------------------------------------------------------------ requests

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        deadline: float | None = None,
    ) -> Any:
        """An idempotent request (GET, cancel) retried under the policy; its JSON answer."""
        budget = self.budget(deadline)
        while True:
            attempt = self.attempt(method, path, params=params)
            if attempt.ok:
                return attempt.payload
            if not attempt.retriable:
                assert attempt.error is not None
                raise attempt.error
            pause = budget.next_pause(attempt.retry_after)
            if pause is None:
                raise self.gave_up(method, path, attempt, budget)
            logger.debug(
                "IonQ %s %s: %s; attempt %d of %d in %.2f s",
                method,
                path,
                attempt.description,
                budget.attempts,
                self.policy.max_attempts,
                pause,
            )
            self._sleep(pause)

    def attempt(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: str | None = None,
    ) -> Attempt:
        """One HTTP request, classified; never raises for network or HTTP failures."""
        try:
            response = self._session.request(
                method,
                self.resolve(path),
                params=params,
                data=body,
                headers=self._headers,
                timeout=self._timeout,
            )
        except requests.exceptions.ConnectTimeout:
            return Attempt(retriable=True, reached_server=False, description="connect timeout")
        except requests.exceptions.ReadTimeout:
            return Attempt(
                retriable=True,
                maybe_processed=True,
                in_flight=True,
                description=f"no answer within read_timeout={self._timeout[1]:g} s",
            )
        except requests.exceptions.ConnectionError as exc:
            refused = _connection_refused(exc)
            return Attempt(
                retriable=True,
                maybe_processed=not refused,
                reached_server=not refused,
                description="connection refused" if refused else "connection dropped",
            )
        except requests.exceptions.RequestException as exc:
            return Attempt(error=BackendError(f"IonQ request {method} {path} failed: {type(exc).__name__}"))
        return self._classify(method, path, response)

    def gave_up(self, method: str, path: str, last: Attempt, budget: RetryBudget) -> BackendError:
        """The error for a request whose retries are spent."""
        if not last.reached_server:
            return BackendError(
                f"IonQ service unreachable at {self.url}: {budget.attempts} attempt(s) over "
                f"{budget.elapsed:.1f} s failed ({last.description}). Check the URL "
                "(backend_options 'url' or IONQ_API_URL) and the network."
            )
        return BackendError(
            f"IonQ request {method} {path} failed {budget.attempts} time(s) over {budget.elapsed:.1f} s "
            f"(last: {last.description}); the retry policy allows max_attempts="
            f"{self.policy.max_attempts} within retry_deadline={self.policy.retry_deadline} s "
            "(backend_options)."
        )

    def resolve(self, path: str) -> str:
        """An absolute URL for ``path``: 'jobs', or a results URL such as '/v0.4/jobs/ID/...'."""
        if path.startswith(("http://", "https://")):
            return path
        if not path.startswith("/"):
            return f"{self.url}/{path}"
        # Results URLs repeat the API version that the base URL already ends with.
        base = urlsplit(self.url)
        if base.path and path.startswith(base.path + "/"):
            return self.url + path[len(base.path) :]
        return f"{base.scheme}://{base.netloc}{path}"

    # ------------------------------------------------------------------ private

    def _classify(self, method: str, path: str, response: requests.Response) -> Attempt:
        status = response.status_code
        if status < 400:
            try:
                return Attempt(payload=response.json())
            except ValueError:
                return Attempt(error=BackendError(f"IonQ answered {method} {path} with invalid JSON"))
        detail = _api_message(response)
        description = f"HTTP {status}{': ' + detail if detail else ''}"
        if status in (401, 403):
            what = "rejected the API key" if status == 401 else "refused this key access"
            return Attempt(
                error=ConfigError(
                    "ionq_api_key",
                    f"IonQ {what} ({description}). Check DatabaseConfig(ionq_api_key=...) or the "
                    "IONQ_API_KEY environment variable, and that the key may use this target.",
                )
            )
        if status in RETRIABLE_STATUS:
            return Attempt(
                retriable=True,
                # A rate-limited request was not processed; a 5xx may have been, and behind a
                # gateway timeout the service may still be working on it.
                maybe_processed=status != 429,
                in_flight=status == 504,
                retry_after=_retry_after(response),
                description=description,
            )
        return Attempt(error=BackendError(f"IonQ refused {method} {path} ({description})"))


def _api_message(response: requests.Response) -> str:
    # qiskit-ionq knows the three error shapes the API uses; it reads the body, never the request.
    try:
        error = IonQAPIError.from_response(response)
    except Exception:  # a body that is neither JSON nor text
        return ""
    message = str(getattr(error, "message", "") or "")
    return "" if message == "No error details provided." else message[:300]


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    try:
        seconds = float(value)
    except ValueError:
        return None  # HTTP-date form: fall back to the policy's own backoff
    return seconds if seconds >= 0 else None


def _connection_refused(exc: BaseException) -> bool:
    """True when the connection was never established, so nothing was sent."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ConnectionRefusedError):
            return True
        if type(current).__name__ in ("NewConnectionError", "NameResolutionError"):
            return True
        current = current.__cause__ or current.__context__ or _first_arg_exception(current)
    return False


def _first_arg_exception(exc: BaseException) -> BaseException | None:
    # requests wraps urllib3's MaxRetryError in args[0]; its `reason` holds the socket error.
    for arg in exc.args:
        if isinstance(arg, BaseException):
            return getattr(arg, "reason", None) or arg
    return None
