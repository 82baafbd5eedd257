"""Fault injection for the loopback IonQ server: random (rate, kinds, seed) and scripted.

Kinds:

* ``"429"``: Too Many Requests, before anything is done (optionally with ``Retry-After``).
* ``"500"``, ``"503"``: a server error. On ``POST /jobs`` it comes, with probability
  ``after_create``, AFTER the job was created: the client cannot know whether it was.
* ``"drop"``: the connection is closed without an answer (same before/after rule).
* ``"slow"``: the answer is delayed by ``slow_seconds`` (then given normally).
"""

from __future__ import annotations

import random
import threading
from collections import deque
from collections.abc import Iterable

import attrs

__all__ = ["FAULT_KINDS", "Fault", "FaultInjector", "FaultPlan"]

FAULT_KINDS = ("429", "500", "503", "drop", "slow")


def _kinds(value: Iterable[str]) -> tuple[str, ...]:
    kinds = tuple(value)
    unknown = sorted(set(kinds) - set(FAULT_KINDS))
    if unknown:
        raise ValueError(f"unknown fault kind(s) {unknown}; known: {FAULT_KINDS}")
    return kinds


@attrs.frozen(kw_only=True)
class FaultPlan:
    """Random faults: each request fails with probability ``rate``, its kind drawn from ``kinds``."""

    rate: float = 0.0
    kinds: tuple[str, ...] = attrs.field(default=("429", "503", "drop"), converter=_kinds)
    seed: int = 0
    slow_seconds: float = 0.5
    after_create: float = 0.5
    retry_after: float | None = None


@attrs.frozen
class Fault:
    """One injected fault; ``after_create`` applies to job submissions only."""

    kind: str
    after_create: bool = False


@attrs.frozen
class _Scripted:
    fault: Fault
    method: str | None
    path: str | None


class FaultInjector:
    """Decides, request by request, which fault (if any) to inject. Thread-safe, deterministic."""

    def __init__(self, plan: FaultPlan) -> None:
        self.plan = plan
        self._rng = random.Random(plan.seed)
        self._scripted: deque[_Scripted] = deque()
        self._lock = threading.Lock()

    def script(self, fault: Fault, *, method: str | None = None, path: str | None = None) -> None:
        """Inject ``fault`` into the next request matching ``method`` and the ``path`` suffix."""
        if fault.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {fault.kind!r}; known: {FAULT_KINDS}")
        with self._lock:
            self._scripted.append(_Scripted(fault, method, path))

    def draw(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for scripted in self._scripted:
                if (scripted.method in (None, method)) and (
                    scripted.path is None or path.endswith(scripted.path)
                ):
                    self._scripted.remove(scripted)
                    return scripted.fault
            plan = self.plan
            if plan.rate <= 0 or self._rng.random() >= plan.rate:
                return None
            kind = self._rng.choice(plan.kinds)
            after = kind in ("500", "503", "drop") and self._rng.random() < plan.after_create
            return Fault(kind, after_create=after)
