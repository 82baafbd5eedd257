"""The retry policy on its own: which failures are retried, how long it waits, what it raises."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest
from pinecone import (
    ApiError,
    NotFoundError,
    PineconeConnectionError,
    RateLimitError,
    ServiceError,
    UnauthorizedError,
)

from q_store import Secret
from q_store.errors import ConfigError, DimensionMismatchError, VectorStoreError
from q_store_pinecone.retry import RetryingCaller, RetryPolicy

POLICY = RetryPolicy(max_attempts=4, initial_backoff=0.1, max_backoff=1.0)


def caller(sleeps: list[float], secret: str = "pcsk_abcdefgh12345678") -> RetryingCaller:
    return RetryingCaller(POLICY, target="index 'i'", secret=Secret(secret), sleep=sleeps.append, seed=1)


def failing(*errors: Exception) -> tuple[Callable[[], str], list[int]]:
    calls = [0]

    def call() -> str:
        calls[0] += 1
        if calls[0] <= len(errors):
            raise errors[calls[0] - 1]
        return "done"

    return call, calls


def test_transient_failures_are_retried_until_success() -> None:
    sleeps: list[float] = []
    call, calls = failing(
        ServiceError("down", 503), PineconeConnectionError("reset"), RateLimitError("slow", 429)
    )
    assert caller(sleeps)("querying", call) == "done"
    assert calls[0] == 4
    assert len(sleeps) == 3
    # full jitter under the exponential ceiling: 0.1, 0.2, 0.4
    assert all(0 <= s <= ceiling for s, ceiling in zip(sleeps, (0.1, 0.2, 0.4), strict=True))


def test_retry_after_is_honoured_up_to_max_backoff() -> None:
    sleeps: list[float] = []
    call, _ = failing(
        RateLimitError("slow", 429, retry_after=0.7), RateLimitError("slow", 429, retry_after=30.0)
    )
    caller(sleeps)("querying", call)
    assert sleeps[0] >= 0.7
    assert sleeps[1] == 1.0


def test_the_budget_is_bounded_and_the_error_typed() -> None:
    sleeps: list[float] = []
    call, calls = failing(*[ServiceError("down", 503)] * 10)
    with pytest.raises(VectorStoreError, match=r"after 4 attempt\(s\).*\[503\] down"):
        caller(sleeps)("querying", call)
    assert calls[0] == 4
    assert len(sleeps) == 3


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (UnauthorizedError("Invalid API Key", 401), ConfigError),
        (
            ApiError("Vector dimension 3 does not match the dimension of the index 4", 400),
            DimensionMismatchError,
        ),
        (ApiError("bad filter", 400), VectorStoreError),
        (NotFoundError("gone", 404), VectorStoreError),
    ],
)
def test_other_failures_are_not_retried(error: Exception, expected: type[Exception]) -> None:
    sleeps: list[float] = []
    call, calls = failing(error)
    with pytest.raises(expected):
        caller(sleeps)("querying", call)
    assert calls[0] == 1
    assert sleeps == []


def test_a_404_can_be_handled_by_the_caller() -> None:
    call, _ = failing(NotFoundError("Namespace not found", 404))
    assert caller([])("deleting from", call, on_not_found=lambda exc: "nothing") == "nothing"


def test_an_echoed_key_is_redacted_and_the_cause_dropped() -> None:
    key = "pcsk_abcdefgh12345678"
    call, _ = failing(ApiError(f"bad key {key} given", 400))
    with pytest.raises(VectorStoreError) as raised:
        caller([], secret=key)("querying", call)
    assert key not in str(raised.value)
    assert "********" in str(raised.value)
    assert raised.value.__cause__ is None
    assert raised.value.__suppress_context__


def test_backoff_delays_never_exceed_the_cap() -> None:
    rng = random.Random(0)
    assert all(POLICY.delay(failures, rng, None) <= 1.0 for failures in range(1, 30))
