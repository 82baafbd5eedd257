"""Helpers for the database tests: a manual clock and independent scoring."""

from __future__ import annotations

import numpy as np


class ManualClock:
    """An injectable clock (seconds) that only moves when told to."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, milliseconds: float) -> None:
        self.now += milliseconds / 1000.0


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def snapshot(db) -> dict[str, tuple[list[float], dict[str, object]]]:  # type: ignore[no-untyped-def]
    """Every stored record of every namespace, for before/after comparisons."""
    store = db.store
    contents = {}
    for namespace in store.stats().namespaces:
        probe = np.ones(store.dimension, dtype=np.float32)
        for match in store.query(probe, top_k=10_000, namespace=namespace, include_values=True):
            contents[f"{namespace}/{match.id}"] = (np.round(match.vector, 6).tolist(), dict(match.metadata))
    return contents
