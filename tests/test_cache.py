"""q_store.LRUCache: bounded, least recently used first out, one creation per key."""

from __future__ import annotations

import copy
import pickle
import threading
import time

import pytest

from q_store import ArgumentError, LRUCache


def test_it_is_bounded_and_drops_the_least_recently_used_entry() -> None:
    cache: LRUCache[int, str] = LRUCache(2)
    created: list[int] = []

    def make(key: int) -> str:
        created.append(key)
        return str(key)

    for key in (1, 2, 1, 3):  # 2 is the least recently used when 3 arrives
        assert cache.get_or_create(key, lambda key=key: make(key)) == str(key)
    assert len(cache) == 2
    assert 1 in cache
    assert 3 in cache
    assert 2 not in cache
    assert created == [1, 2, 3]
    cache.clear()
    assert len(cache) == 0


def test_concurrent_requests_for_a_missing_key_create_it_once() -> None:
    cache: LRUCache[str, object] = LRUCache(4)
    created: list[object] = []

    def slow_create() -> object:
        time.sleep(0.05)  # wide enough a window for the other threads to ask meanwhile
        value = object()
        created.append(value)
        return value

    results: list[object] = []
    threads = [
        threading.Thread(target=lambda: results.append(cache.get_or_create("k", slow_create)))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(created) == 1
    assert all(result is created[0] for result in results)


@pytest.mark.parametrize("maxsize", [0, -1, 1.5, True, "3"])
def test_a_bad_size_is_a_typed_error_naming_it(maxsize: object) -> None:
    with pytest.raises(ArgumentError, match="maxsize"):
        LRUCache(maxsize)  # type: ignore[arg-type]


def test_a_copy_or_a_pickle_starts_empty_with_the_same_bound() -> None:
    cache: LRUCache[int, object] = LRUCache(3)
    cache.get_or_create(1, lambda: threading.Lock())  # an unpicklable value, like an SDK object
    for clone in (copy.deepcopy(cache), pickle.loads(pickle.dumps(cache))):
        assert len(clone) == 0
        assert clone.maxsize == 3
        assert clone.get_or_create(1, lambda: "fresh") == "fresh"
    assert 1 in cache
