"""Ranking records by ``relevance * p_context * coherence``, exactly.

A store ranks by similarity alone. The database asks it for candidates and re-scores them; it asks
for more until a certificate proves the top k: no record can score above ``p_max * relevance``
(``p_max`` bounds the queried context's probability, 1 without a context; coherence is at most 1),
so once the k-th score reaches that bound for the least similar candidate, no unseen (less
similar) record can enter the top k.

Relevance maps a store similarity into [0, 1]: cosine ``(1 + s) / 2``, dot ``1 / (1 + e^-s)``,
euclidean (``s = -d``) ``1 / (1 + d)``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from q_store.decoherence import coherence
from q_store.filters import Filter
from q_store.records import RecordState
from q_store.vector_store import MAX_TOP_K, Match, VectorStore

__all__ = ["Ranked", "numeric", "rank", "relevance", "similarity"]

Ranked = tuple[Match, float, RecordState]


def relevance(similarity: NDArray[np.float64] | float, metric: str) -> NDArray[np.float64]:
    """Similarity mapped into [0, 1], increasing."""
    s = np.asarray(similarity, dtype=np.float64)
    if metric == "cosine":
        return np.clip((1.0 + s) / 2.0, 0.0, 1.0)
    if metric == "dot":
        result: NDArray[np.float64] = 0.5 * (1.0 + np.tanh(s / 2.0))  # the logistic function, overflow-free
        return result
    return 1.0 / (1.0 - s)  # s = -distance


def rank(
    store: VectorStore,
    q: NDArray[np.float32],
    store_filter: Filter | None,
    top_k: int,
    *,
    context: str | None,
    p_max: float,
    now_ms: float,
    include_values: bool,
) -> list[Ranked]:
    """Candidates with their scores, best first, exact for the first ``top_k``."""
    fetch = top_k
    while True:
        matches = store.query_checked(q, fetch, store_filter, "", include_values, True)
        if not matches:
            return []
        relevances = relevance(np.array([m.score for m in matches]), store.metric)
        scored = []
        for match, r in zip(matches, relevances.tolist(), strict=True):
            state = RecordState.decode(match.metadata or {})
            p = state.probability_of(context) if context is not None else 1.0
            c = coherence(now_ms, state.inserted_at_ms, state.coherence_ms)
            scored.append((match, r * p * c, state))
        scored.sort(key=lambda item: -item[1])
        exhausted = len(matches) < fetch or fetch >= MAX_TOP_K
        if exhausted or scored[min(top_k, len(scored)) - 1][1] >= p_max * relevances[-1]:
            return scored
        fetch = min(fetch * 4, MAX_TOP_K)


def numeric(metadata: Mapping[str, Any] | None, field: str) -> float:
    """A metadata field as a number (NaN when absent or not a number)."""
    value = (metadata or {}).get(field)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return math.nan
    return float(value)


def similarity(q: NDArray[np.float32], x: NDArray[np.float32], metric: str) -> float:
    """The store's similarity of one pair, computed here (for records fetched by id)."""
    if metric == "cosine":
        return float(q @ x / (np.linalg.norm(q) * np.linalg.norm(x)))
    if metric == "dot":
        return float(q @ x)
    return -float(np.linalg.norm(q - x))
