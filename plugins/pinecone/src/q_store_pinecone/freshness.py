"""Read-your-writes over Pinecone's eventually consistent reads.

A Pinecone upsert answers with the log position it committed at (``x-pinecone-lsn-committed``),
and a query with how far the index has caught up (``x-pinecone-lsn-reconciled``). The store keeps
the highest position it committed per namespace; a query whose answer has not caught up with it is
asked again after a short pause, until it has or ``freshness_timeout`` runs out (then a typed
error: an answer known to be stale is not returned silently). When the service reports no
position, there is nothing to compare and the answer is returned as it is.

Fetches and index statistics carry no reconciled position, so they are not checked: a count read
right after an upsert can lag behind it on the real service. Deletes are not tracked either: the
client drops the headers of a delete's answer.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

from q_store.errors import VectorStoreError

__all__ = ["WriteLog", "read_fresh"]

T = TypeVar("T")
_FIRST_PAUSE = 0.05
_LONGEST_PAUSE = 1.0


class WriteLog:
    """The highest log position this store's writes reached, per namespace."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._committed: dict[str, int] = {}

    def record(self, namespace: str, lsn: int | None) -> None:
        if lsn is None:
            return
        with self._lock:
            self._committed[namespace] = max(lsn, self._committed.get(namespace, lsn))

    def target(self, namespace: str) -> int | None:
        with self._lock:
            return self._committed.get(namespace)


def read_fresh(
    read: Callable[[], T],
    reconciled: Callable[[T], int | None],
    target: int | None,
    *,
    timeout: float,
    what: str,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """``read()`` again until ``reconciled(answer)`` reaches ``target`` (None: nothing to wait for)."""
    deadline = time.monotonic() + timeout
    pause = _FIRST_PAUSE
    while True:
        answer = read()
        position = reconciled(answer)
        if target is None or position is None or position >= target:
            return answer
        if time.monotonic() + pause > deadline:
            raise VectorStoreError(
                f"{what} had still not caught up with this store's writes after {timeout} s "
                f"(log position {position} < {target}); raise freshness_timeout, or pass "
                "read_your_writes=False to accept eventually consistent answers"
            )
        sleep(pause)
        pause = min(pause * 2, _LONGEST_PAUSE)
