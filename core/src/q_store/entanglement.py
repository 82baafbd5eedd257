"""Entanglement: records whose updates are correlated.

``create_entangled_group(group_id, entity_ids, correlation_strength)`` ties existing records
together with a strength ``s`` in (0, 1]. When a member's vector changes from ``old`` to ``new``,
every other member ``j`` of each of its groups moves with it:

* cosine stores (directions matter): ``u_j <- normalise(u_j + s * (unit(new) - unit(old)))`` on
  unit vectors;
* dot and euclidean stores: ``v_j <- v_j + s * (new - old)``.

Propagation is one hop: partners of partners do not move. A query with
``include_entangled=True`` adds the partners of every returned member (if not already present),
with score ``s * member_score``, marked ``entangled_with=member``. Deleting a member removes it
from its groups; a group left with fewer than two members dissolves.
"""

from __future__ import annotations

import math

import attrs
import numpy as np
from numpy.typing import NDArray

from q_store.errors import ArgumentError

__all__ = ["EntangledGroup", "check_strength", "correlated_update"]


@attrs.frozen
class EntangledGroup:
    group_id: str
    members: tuple[str, ...]
    strength: float


def check_strength(strength: object) -> float:
    if (
        isinstance(strength, bool)
        or not isinstance(strength, (int, float))
        or not math.isfinite(strength)
        or not 0 < strength <= 1
    ):
        raise ArgumentError("correlation_strength", f"must be a number in (0, 1], got {strength!r}")
    return float(strength)


def _unit(vector: NDArray[np.float32]) -> NDArray[np.float64]:
    as_float = vector.astype(np.float64)
    return as_float / np.linalg.norm(as_float)


def correlated_update(
    partner: NDArray[np.float32],
    old: NDArray[np.float32],
    new: NDArray[np.float32],
    strength: float,
    metric: str,
    partner_id: str,
) -> NDArray[np.float32]:
    """The partner's vector after its entangled member moved from ``old`` to ``new``."""
    if metric == "cosine":
        moved = _unit(partner) + strength * (_unit(new) - _unit(old))
        norm = float(np.linalg.norm(moved))
        # Vectors are stored in float32 (relative precision ~1e-7): a result this short is
        # rounding noise, and normalising it would give the partner a random direction.
        if norm < 1e-5:
            raise ArgumentError(
                "vector", f"this update would leave entangled partner {partner_id!r} without a direction"
            )
        result: NDArray[np.float32] = (moved / norm).astype(np.float32)
        return result
    shifted: NDArray[np.float32] = (partner + strength * (new - old)).astype(np.float32)
    return shifted
