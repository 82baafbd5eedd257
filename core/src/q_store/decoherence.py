"""Decoherence: relevance that fades with age.

A record inserted at time ``t0`` with coherence time ``T`` (milliseconds) has coherence
``c(t) = exp(-(t - t0) / T)``, which multiplies its score in queries. When ``c`` falls under the
threshold ``theta`` (``DatabaseConfig.decoherence_threshold``), i.e. after
``t0 + T * ln(1 / theta)``, the record is invisible to queries, and ``apply_decoherence()``
removes it. ``T = None`` means the record never fades. The clock is injectable, so tests do not
sleep.
"""

from __future__ import annotations

import math

from q_store.filters import Comparison, Filter, Or
from q_store.records import EXPIRES_AT

__all__ = ["coherence", "expired_filter", "expiry_ms", "visible_filter"]


def coherence(now_ms: float, inserted_at_ms: float, coherence_ms: float | None) -> float:
    """``exp(-age / T)``, or 1 for a record that never fades."""
    if coherence_ms is None:
        return 1.0
    return math.exp(-max(0.0, now_ms - inserted_at_ms) / coherence_ms)


def expiry_ms(inserted_at_ms: float, coherence_ms: float | None, threshold: float) -> float | None:
    """When the coherence reaches ``threshold``: ``t0 + T ln(1/threshold)``; None for never."""
    if coherence_ms is None:
        return None
    return inserted_at_ms + coherence_ms * math.log(1.0 / threshold)


def visible_filter(now_ms: float) -> Filter:
    """Records still coherent at ``now_ms`` (a filter the store evaluates)."""
    return Or((Comparison(EXPIRES_AT, "$exists", False), Comparison(EXPIRES_AT, "$gt", now_ms)))


def expired_filter(now_ms: float) -> Filter:
    return Comparison(EXPIRES_AT, "$lte", now_ms)
