"""From IonQ's outcome probabilities to expectation values, shot estimates and bitstrings.

IonQ reports a distribution per circuit as ``{"<state>": probability}`` with the state as a
decimal integer in which qubit ``q`` is bit ``q`` (least significant first). The ideal simulator
returns exact probabilities: shots are then drawn here, reproducibly from the caller's seed.
QPUs and noisy simulations return frequencies of shots already taken: those are used as they are.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import attrs
import numpy as np
from numpy.typing import NDArray

from q_store.errors import BackendError

__all__ = ["Distribution", "expectations", "sample_bits", "sample_frequencies"]

#: Reported probabilities may miss 1 by rounding (the service rounds to ~1e-9); more is an error.
_SUM_TOLERANCE = 1e-6


@attrs.frozen(eq=False)
class Distribution:
    """Outcomes of one circuit: basis states (IonQ bit order) and their probabilities."""

    states: NDArray[np.int64]
    probabilities: NDArray[np.float64]

    @classmethod
    def from_json(cls, data: object, n_qubits: int) -> Distribution:
        """Parse and check one circuit's ``{"<state>": probability}`` from the service."""
        if not isinstance(data, Mapping) or not data:
            raise BackendError(f"IonQ returned an empty or malformed probability table: {data!r:.200}")
        try:
            states = np.array([int(key) for key in data], dtype=np.int64)
            probabilities = np.array([float(value) for value in data.values()], dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise BackendError(f"IonQ returned a malformed probability table ({exc})") from None
        total = float(probabilities.sum())
        if (
            np.any(states < 0)
            or np.any(states >= 1 << n_qubits)
            or not np.all(np.isfinite(probabilities))
            or np.any(probabilities < 0)
            or not math.isclose(total, 1.0, abs_tol=_SUM_TOLERANCE)
        ):
            raise BackendError(
                f"IonQ returned probabilities that are not a distribution over {n_qubits} qubits "
                f"(sum {total:.6g}, states {states.min()}..{states.max()})"
            )
        return cls(states, probabilities / total)


def _parity(states: NDArray[np.int64], mask: int) -> NDArray[np.int64]:
    parity = np.zeros_like(states)
    wire = 0
    while mask >> wire:
        if (mask >> wire) & 1:
            parity ^= (states >> wire) & 1
        wire += 1
    return parity


def expectations(distribution: Distribution, masks: Sequence[int]) -> NDArray[np.float64]:
    """``<P>`` for each Pauli string measured in the Z basis, given by the bit mask of its wires."""
    values = np.empty(len(masks))
    for index, mask in enumerate(masks):
        signs = 1.0 - 2.0 * _parity(distribution.states, mask)
        values[index] = float(signs @ distribution.probabilities)
    return values


def sample_frequencies(distribution: Distribution, shots: int, rng: np.random.Generator) -> Distribution:
    """The observed frequencies of ``shots`` measurements drawn from ``distribution``."""
    counts = rng.multinomial(shots, distribution.probabilities)
    return Distribution(distribution.states, counts / shots)


def sample_bits(
    distribution: Distribution, shots: int, n_qubits: int, rng: np.random.Generator
) -> NDArray[np.uint8]:
    """``shots`` measured bitstrings ``(shots, n_qubits)``, column ``q`` holding wire ``q``."""
    drawn = rng.choice(distribution.states, size=shots, p=distribution.probabilities)
    wires = np.arange(n_qubits, dtype=np.int64)
    bits: NDArray[np.uint8] = ((drawn[:, None] >> wires[None, :]) & 1).astype(np.uint8)
    return bits
