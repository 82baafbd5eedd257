"""Fault injection for the loopback server: throttling, outages and dropped connections.

Kinds:

* ``"429"``: Too Many Requests, with ``Retry-After`` when the plan sets one;
* ``"503"``: Service Unavailable (likewise);
* ``"reset"``: the connection is closed before the request is handled (nothing happened);
* ``"lost_reply"``: the request IS handled, then the connection is closed without an answer
  (the client cannot know the write happened: retries must be idempotent).

Decisions come from one seeded generator, so a plan replays the same faults for the same sequence
of requests.
"""

from __future__ import annotations

import random
import threading
from typing import Final

import attrs

__all__ = ["FAULT_KINDS", "FaultInjector", "FaultPlan"]

FAULT_KINDS: Final = ("429", "503", "reset", "lost_reply")


def _check_kinds(instance: object, attribute: object, kinds: tuple[str, ...]) -> None:
    unknown = set(kinds) - set(FAULT_KINDS)
    if not kinds or unknown:
        raise ValueError(f"fault kinds must be a non-empty subset of {FAULT_KINDS}, got {kinds}")


def _check_rate(instance: object, attribute: object, rate: float) -> None:
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"the fault rate is a probability in [0, 1], got {rate}")


@attrs.frozen
class FaultPlan:
    #: Probability that a request meets a fault.
    rate: float = attrs.field(validator=_check_rate)
    kinds: tuple[str, ...] = attrs.field(default=FAULT_KINDS, converter=tuple, validator=_check_kinds)
    seed: int = 0
    #: Seconds sent in ``Retry-After`` with 429 and 503 (None: no header).
    retry_after: float | None = 0.0
    #: Faults also hit the control plane (by default only the data plane).
    control_plane: bool = False


class FaultInjector:
    def __init__(self, plan: FaultPlan) -> None:
        self.plan = plan
        self._rng = random.Random(plan.seed)
        self._lock = threading.Lock()
        #: How many faults of each kind were injected.
        self.injected: dict[str, int] = dict.fromkeys(plan.kinds, 0)

    def decide(self, *, control_plane: bool) -> str | None:
        """The fault this request meets, or None."""
        if control_plane and not self.plan.control_plane:
            return None
        with self._lock:
            if self._rng.random() >= self.plan.rate:
                return None
            kind = self._rng.choice(self.plan.kinds)
            self.injected[kind] += 1
            return kind
