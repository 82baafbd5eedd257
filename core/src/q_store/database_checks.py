"""Validation of the database's arguments: typed errors that name the argument, before any write."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Final

from q_store.config import DatabaseConfig
from q_store.contexts import ContextsInput, normalize_contexts
from q_store.errors import ArgumentError, CapabilityError
from q_store.records import check_user_metadata
from q_store.vector_store import check_metadata, check_top_k

__all__ = [
    "UNSET",
    "check_coherence",
    "check_context_rows",
    "check_metadata_rows",
    "check_query_options",
    "number_in",
]

#: "Not given" (distinct from None, which means "never" for a coherence time).
UNSET: Final = object()

ContextRow = tuple[tuple[str, ...], tuple[float, ...]]


def check_context_rows(
    contexts: Sequence[ContextsInput] | None, rows: int, *, superposition: bool
) -> list[ContextRow]:
    if contexts is None:
        return [((), ())] * rows
    if isinstance(contexts, (str, Mapping)) or len(contexts) != rows:
        raise ArgumentError("contexts", f"must be a list with one entry per record ({rows})")
    checked = [normalize_contexts(c, argument="contexts") for c in contexts]
    if not superposition and any(len(names) > 1 for names, _ in checked):
        raise CapabilityError(
            "superposition is disabled (DatabaseConfig(enable_superposition=False)): "
            "give each record one context"
        )
    return checked


def check_metadata_rows(
    metadata: Sequence[Mapping[str, Any] | None] | None, rows: int
) -> list[dict[str, Any]]:
    if metadata is None:
        return [{} for _ in range(rows)]
    if isinstance(metadata, Mapping) or len(metadata) != rows:
        raise ArgumentError("metadata", f"must be a list with one mapping (or None) per record ({rows})")
    checked = []
    for item in metadata:
        values = check_metadata(item)
        check_user_metadata(values)
        checked.append(values)
    return checked


def check_coherence(coherence_time: object, config: DatabaseConfig, *, default: bool) -> float | None:
    """A coherence time in ms (None: never fades); ``default`` means the caller gave none."""
    if default:
        return config.default_coherence_time if config.enable_decoherence else None
    if coherence_time is None:
        return None
    if (
        isinstance(coherence_time, bool)
        or not isinstance(coherence_time, (int, float))
        or not math.isfinite(coherence_time)
        or coherence_time <= 0
    ):
        raise ArgumentError(
            "coherence_time", f"must be a positive number of milliseconds or None, got {coherence_time!r}"
        )
    if not config.enable_decoherence:
        raise CapabilityError("decoherence is disabled (DatabaseConfig(enable_decoherence=False))")
    return float(coherence_time)


def check_query_options(
    top_k: object, context: object, collapse: object, known_contexts: Mapping[str, float]
) -> None:
    check_top_k(top_k)
    if collapse not in ("auto", "most_probable", "measure"):
        raise ArgumentError("collapse", f"must be 'auto', 'most_probable' or 'measure', got {collapse!r}")
    if context is not None:
        if not isinstance(context, str) or not context:
            raise ArgumentError("context", f"must be a context name or None, got {context!r}")
        if context not in known_contexts:
            known = ", ".join(sorted(known_contexts)) or "none yet"
            raise ArgumentError("context", f"no record carries context {context!r} (known: {known})")


def number_in(argument: str, value: object, low: float, high: float) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or not low <= value <= high
    ):
        raise ArgumentError(argument, f"must be a number in [{low}, {high}], got {value!r}")
    return float(value)
