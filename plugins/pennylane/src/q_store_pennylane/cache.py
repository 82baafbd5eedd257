"""A small bounded least-recently-used cache for translated circuits and their QNodes."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from q_store.errors import ArgumentError

__all__ = ["LRUCache"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LRUCache(Generic[K, V]):
    """At most ``maxsize`` entries; the least recently used one is dropped first."""

    def __init__(self, maxsize: int) -> None:
        if maxsize < 1:
            raise ArgumentError("maxsize", f"must be a positive integer, got {maxsize!r}")
        self.maxsize = maxsize
        self._entries: OrderedDict[K, V] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def get_or_create(self, key: K, create: Callable[[], V]) -> V:
        """The value cached under ``key``, or ``create()`` cached under it."""
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
