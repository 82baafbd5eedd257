"""The cost guard: estimate circuits x shots BEFORE submitting, refuse what exceeds the budget.

IonQ bills hardware per shot and per circuit, and parameter-shift gradients multiply the circuits
of a batch by ``2 * (gates with parameters)``. Every call states its cost in the log; a call over
the budget never reaches the service and raises a
:class:`~q_store.errors.CapabilityError` (the backend, as configured, will not run that many
shots) whose message gives the estimate and the option that raises the limit.
"""

from __future__ import annotations

import logging

import attrs

from q_store.errors import CapabilityError
from q_store_ionq.options import CostLimits

__all__ = ["CostEstimate", "check_budget"]

logger = logging.getLogger("q_store_ionq")


@attrs.frozen
class CostEstimate:
    """What one backend call would submit."""

    target: str
    circuits: int
    shots_per_circuit: int

    @property
    def shots(self) -> int:
        return self.circuits * self.shots_per_circuit

    def __str__(self) -> str:
        return (
            f"{self.circuits} circuit(s) x {self.shots_per_circuit} shots = {self.shots} shots "
            f"on IonQ target {self.target!r}"
        )


def check_budget(estimate: CostEstimate, limits: CostLimits) -> None:
    """Log the estimate; raise CapabilityError when it exceeds ``limits``."""
    over = []
    if estimate.circuits > limits.max_circuits_per_call:
        over.append(("max_circuits_per_call", limits.max_circuits_per_call, estimate.circuits))
    if estimate.shots > limits.max_shots_per_call:
        over.append(("max_shots_per_call", limits.max_shots_per_call, estimate.shots))
    if over:
        exceeded = "; ".join(f"{name}={limit} (needs {needed})" for name, limit, needed in over)
        raising = ", ".join(f"{name!r}: {needed}" for name, _, needed in over)
        raise CapabilityError(
            f"IonQ cost guard: this call would submit {estimate}, over the budget: {exceeded}. "
            f"Nothing was submitted. To accept the cost, raise the limit with "
            f"DatabaseConfig(backend_options={{{raising}}}), or reduce the batch, the shots or the "
            f"gradient's circuits (diff_method='spsa' needs 2 circuits per sample)."
        )
    logger.info("IonQ call: %s", estimate)
