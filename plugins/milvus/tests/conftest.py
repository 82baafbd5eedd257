from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from q_store_milvus import MilvusStore

StoreFactory = Callable[..., MilvusStore]


@pytest.fixture
def make_milvus(tmp_path: Path) -> Iterator[StoreFactory]:
    """Fresh embedded stores, each in its own data directory, closed after the test."""
    stores: list[MilvusStore] = []

    def make(metric: str = "cosine", **options: object) -> MilvusStore:
        options.setdefault("uri", tmp_path / f"store-{len(stores)}.db")
        stores.append(MilvusStore(metric=metric, **options))  # type: ignore[arg-type]
        return stores[-1]

    yield make
    for store in stores:
        store.close()
