"""Superposition: a record in several weighted task contexts.

``contexts=[('classification', 0.6), ('regression', 0.3), ('clustering', 0.1)]`` (or a mapping,
or one name) gives the record a probability ``p_i = w_i / sum(w)`` in each context; the
amplitudes of its context state are ``sqrt(p_i)``. Weights are finite and non-negative, at least
one is positive, names are unique and non-empty. Weights are never replaced by equal weights.

A query's result names the record's *collapsed* context: the most probable one (ties: the first
given), or, when measurement is asked for, a Born-rule sample (see :mod:`q_store.sampling`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Final

from q_store.errors import ArgumentError

__all__ = ["ContextsInput", "most_probable", "normalize_contexts"]

MAX_CONTEXTS: Final = 256
ContextsInput = str | Mapping[str, float] | Sequence[tuple[str, float]] | None


def normalize_contexts(
    contexts: ContextsInput, *, argument: str = "contexts"
) -> tuple[tuple[str, ...], tuple[float, ...]]:
    """``(names, probabilities)`` of valid contexts; ``((), ())`` for None."""
    if contexts is None:
        return (), ()
    if isinstance(contexts, str):
        pairs: list[tuple[object, object]] = [(contexts, 1.0)]
    elif isinstance(contexts, Mapping):
        pairs = list(contexts.items())
    elif isinstance(contexts, Sequence):
        pairs = []
        for index, item in enumerate(contexts):
            if isinstance(item, str) or not isinstance(item, Sequence) or len(item) != 2:
                raise ArgumentError(argument, f"item {index} must be a (name, weight) pair, got {item!r}")
            pairs.append((item[0], item[1]))
    else:
        raise ArgumentError(
            argument, f"must be a list of (name, weight) pairs, a mapping or a name; got {contexts!r}"
        )
    if not pairs:
        raise ArgumentError(argument, "must name at least one context (or be None)")
    if len(pairs) > MAX_CONTEXTS:
        raise ArgumentError(argument, f"at most {MAX_CONTEXTS} contexts per record, got {len(pairs)}")
    names: list[str] = []
    weights: list[float] = []
    for name, weight in pairs:
        if not isinstance(name, str) or not name.strip():
            raise ArgumentError(argument, f"context names are non-empty strings, got {name!r}")
        if name in names:
            raise ArgumentError(argument, f"context {name!r} appears twice")
        if isinstance(weight, bool) or not isinstance(weight, (int, float)):
            raise ArgumentError(argument, f"the weight of {name!r} must be a number, got {weight!r}")
        if not math.isfinite(weight) or weight < 0:
            raise ArgumentError(argument, f"the weight of {name!r} must be finite and >= 0, got {weight!r}")
        names.append(name)
        weights.append(float(weight))
    total = sum(weights)
    if total <= 0:
        raise ArgumentError(argument, "at least one context weight must be positive")
    return tuple(names), tuple(w / total for w in weights)


def most_probable(names: Sequence[str], probabilities: Sequence[float]) -> tuple[str, float] | None:
    """The context with the largest probability (the first one on ties), or None."""
    if not names:
        return None
    best = max(range(len(names)), key=lambda i: (probabilities[i], -i))
    return names[best], probabilities[best]
