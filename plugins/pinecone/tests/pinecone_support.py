"""Helpers shared by the plugin's tests (a uniquely named module: several plugins have a
``conftest``, and tests of different plugins may run in one pytest session)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from q_store_pinecone import PineconeStore

#: Millisecond backoffs: retries in tests cost (almost) no time.
FAST: dict[str, Any] = {
    "initial_backoff": 0.001,
    "max_backoff": 0.01,
    "timeout": 10.0,
    "freshness_timeout": 5.0,
    "ready_timeout": 5.0,
}
_names = itertools.count()

StoreFactory = Callable[..., PineconeStore]


def fresh_index_name(prefix: str = "t") -> str:
    return f"{prefix}-{next(_names)}"
