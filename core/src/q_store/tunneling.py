"""Tunneling: reaching relevant records outside the query's basin.

A nearest-neighbour search only sees the query's neighbourhood. ``tunnel_search`` looks at a pool
of candidates around the query, groups them into *basins* and lets the search tunnel into other
basins through the barrier that separates them from the query:

* **Basins**: candidates linked by cosine similarity >= ``barrier_threshold`` B (single linkage:
  the connected components of that graph). Basins holding a candidate with similarity >= B to the
  query are *local*; the others lie behind the barrier.
* **Transmission** (WKB): a basin whose closest member has similarity ``s*`` to the query faces a
  barrier of height ``h = B - s*`` and angular width ``w = arccos(s*) - arccos(B)``; with
  ``tunneling_strength`` lambda its transmission probability is
  ``T = exp(-2 * sqrt(h) * w / lambda)`` (``T = 0`` for lambda = 0). It falls with the barrier's
  height and width and rises with lambda.
* **Choice**: a basin is reached when a measurement with success probability ``T`` succeeds: on
  the quantum backend with ``enable_quantum=True`` (one qubit prepared with ``RY(2 asin sqrt T)``
  per basin), else the exact classical answer, its most probable outcome (reached iff T >= 1/2).
  Only basins not already present among the plain results are candidates, and with ``energy``
  (a metadata field, lower is better) only basins whose best energy beats the local one.
* **Seats**: reached basins take ``max(1, round(top_k * T_b / (1 + sum T)))`` of the ``top_k``
  places (at least one place stays with the plain ranking); the plain results they replace are
  taken from the most represented basin first. A basin fills its places with its members of
  similarity >= ``min_similarity`` (the relevance floor), by energy when ``energy`` is given, else
  by relevance. A tunneled result's score is ``T_b * relevance``; results are sorted by score.

Consequences a user can rely on (and tests check): lambda = 0 gives exactly the plain query;
as lambda grows the reached set only grows, so the results cover at least as many basins; no
tunneled result lies below the similarity floor.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import attrs
import numpy as np
from numpy.typing import NDArray

__all__ = ["Selection", "basins", "plan", "transmission"]

#: Candidates considered for basins at most (single linkage is quadratic in the pool).
MAX_POOL = 1000


def transmission(entry_similarity: float, barrier: float, strength: float) -> float:
    """WKB transmission through the barrier in front of a basin (1 inside the barrier)."""
    if entry_similarity >= barrier:
        return 1.0
    if strength <= 0:
        return 0.0
    height = barrier - entry_similarity
    width = math.acos(max(-1.0, min(1.0, entry_similarity))) - math.acos(max(-1.0, min(1.0, barrier)))
    return math.exp(-2.0 * math.sqrt(height) * width / strength)


def basins(unit_vectors: NDArray[np.float64], threshold: float) -> NDArray[np.int64]:
    """Connected components of the graph ``cos(x_i, x_j) >= threshold`` (labels 0, 1, ...)."""
    n = unit_vectors.shape[0]
    linked = (unit_vectors @ unit_vectors.T) >= threshold
    labels = np.full(n, -1, dtype=np.int64)
    label = 0
    for start in range(n):
        if labels[start] >= 0:
            continue
        frontier = [start]
        labels[start] = label
        while frontier:
            node = frontier.pop()
            for neighbour in np.flatnonzero(linked[node] & (labels < 0)):
                labels[neighbour] = label
                frontier.append(int(neighbour))
        label += 1
    return labels


@attrs.frozen
class Selection:
    index: int  # into the candidate pool
    score: float
    tunneled: bool
    transmission: float
    basin: int


def plan(
    similarity: NDArray[np.float64],
    relevance: NDArray[np.float64],
    unit_vectors: NDArray[np.float64],
    *,
    top_k: int,
    barrier: float,
    strength: float,
    min_similarity: float,
    admit: Callable[[Sequence[float]], Sequence[bool]],
    energy: NDArray[np.float64] | None = None,
) -> list[Selection]:
    """Choose the results of a tunnel search from a candidate pool (see the module docstring).

    ``similarity`` is each candidate's cosine similarity to the query, ``relevance`` its plain
    query score, ``energy`` an optional figure of merit (lower is better, NaN when unknown).
    ``admit`` decides, for a list of transmission probabilities, which basins are reached.
    """
    plain = [int(i) for i in np.argsort(-relevance, kind="stable")[:top_k]]
    labels = basins(unit_vectors, barrier)
    local = {int(b) for b in labels[similarity >= barrier]}
    represented = {int(labels[i]) for i in plain}
    reference_energy = math.inf
    if energy is not None:
        reference_members = [i for i in range(len(similarity)) if labels[i] in local] or plain
        reference_energy = float(np.nanmin(energy[reference_members], initial=math.inf))

    transmissions: dict[int, float] = {}
    candidates: list[int] = []
    for basin in sorted({int(b) for b in labels} - local - represented):
        members = np.flatnonzero(labels == basin)
        transmissions[basin] = transmission(float(similarity[members].max()), barrier, strength)
        if not (similarity[members] >= min_similarity).any():
            continue
        if energy is not None and not float(np.nanmin(energy[members], initial=math.inf)) < reference_energy:
            continue
        if transmissions[basin] > 0:
            candidates.append(basin)

    reached = [
        b for b, ok in zip(candidates, admit([transmissions[b] for b in candidates]), strict=True) if ok
    ]
    reached.sort(key=lambda b: -transmissions[b])
    seats = _seats(reached, transmissions, labels, similarity, min_similarity, top_k)

    tunneled: list[Selection] = []
    for basin, count in seats.items():
        eligible = [int(i) for i in np.flatnonzero((labels == basin) & (similarity >= min_similarity))]
        if energy is not None:
            known = np.nan_to_num(energy, nan=math.inf)
            eligible.sort(key=lambda i: (float(known[i]), -float(relevance[i])))
        else:
            eligible.sort(key=lambda i: -float(relevance[i]))
        t = transmissions[basin]
        tunneled += [Selection(i, t * float(relevance[i]), True, t, basin) for i in eligible[:count]]

    kept = _drop_from_crowded_basins(plain, labels, len(tunneled))
    selections = [Selection(i, float(relevance[i]), False, 1.0, int(labels[i])) for i in kept] + tunneled
    return sorted(selections, key=lambda s: -s.score)


def _seats(
    reached: list[int],
    transmissions: dict[int, float],
    labels: NDArray[np.int64],
    similarity: NDArray[np.float64],
    min_similarity: float,
    top_k: int,
) -> dict[int, int]:
    budget = top_k - 1  # one place always stays with the plain ranking
    total = 1.0 + sum(transmissions[b] for b in reached)
    seats: dict[int, int] = {}
    for basin in reached[:budget]:
        available = int(((labels == basin) & (similarity >= min_similarity)).sum())
        seats[basin] = min(available, max(1, round(top_k * transmissions[basin] / total)))
    while sum(seats.values()) > budget:  # trim the largest allocations, never below one place
        largest = max(seats, key=lambda b: (seats[b], -transmissions[b]))
        seats[largest] -= 1
    return seats


def _drop_from_crowded_basins(plain: list[int], labels: NDArray[np.int64], count: int) -> list[int]:
    """The plain results minus ``count`` of them, taken from the most represented basin first
    (its lowest-ranked member), so that dropping never costs a basin its only place if avoidable."""
    kept = list(plain)
    for _ in range(min(count, len(kept))):
        sizes: dict[int, int] = {}
        for i in kept:
            sizes[int(labels[i])] = sizes.get(int(labels[i]), 0) + 1
        most = max(sizes.values())
        # The lowest-ranked result among the most crowded basins.
        victim = max(position for position, i in enumerate(kept) if sizes[int(labels[i])] == most)
        kept.pop(victim)
    return kept
