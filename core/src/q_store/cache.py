"""A bounded least-recently-used cache, for backends that translate a circuit once and reuse it.

A training loop sends the same few circuits (the layer's, and the shifted rows of parameter
shift) again and again; translating each into an SDK's own form once, and keeping only the most
recent translations, is what every backend wants. Circuits are immutable and hashable, so they
are keys as they are.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from q_store.errors import ArgumentError

__all__ = ["LRUCache"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LRUCache(Generic[K, V]):
    """At most ``maxsize`` entries; the least recently used one is dropped first. Thread-safe:
    a value is created once even when several threads ask for a missing key at the same time."""

    def __init__(self, maxsize: int) -> None:
        if isinstance(maxsize, bool) or not isinstance(maxsize, int) or maxsize < 1:
            raise ArgumentError("maxsize", f"must be a positive integer, got {maxsize!r}")
        self.maxsize = maxsize
        self._entries: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def get_or_create(self, key: K, create: Callable[[], V]) -> V:
        """The value cached under ``key``, or ``create()`` cached under it."""
        with self._lock:
            try:
                value = self._entries[key]
            except KeyError:
                value = create()
                self._entries[key] = value
                if len(self._entries) > self.maxsize:
                    self._entries.popitem(last=False)
            else:
                self._entries.move_to_end(key)
            return value

    # A copy or a pickle (of a layer, say, with its backend) starts empty: entries are derived
    # state, often unpicklable (compiled programs, SDK objects), and a lock cannot be copied.
    def __getstate__(self) -> dict[str, int]:
        return {"maxsize": self.maxsize}

    def __setstate__(self, state: dict[str, int]) -> None:
        self.__init__(state["maxsize"])  # type: ignore[misc]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
