"""Pauli expectations, shot estimates and bitstrings from a batch of final state vectors.

Every Pauli string is measured the way hardware measures it: rotate its X and Y wires into the Z
basis (``cirq.H`` for X; ``cirq.S**-1`` then ``cirq.H`` for Y, since H S^dagger Y S H = Z), then
average the parity ``(-1)^(sum of its bits)`` over the Born distribution. Exact mode uses the
distribution itself; shots mode draws ``shots`` outcomes from it. Observables that agree on the
basis of every wire they share (qubit-wise commuting ones, e.g. all the ``<Z_q>``) form one
measurement group: one basis rotation and, with shots, one set of shots for the whole group, as a
hardware run would do. The rotations go through ``cirq.apply_unitary`` on the whole batch.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Final

import attrs
import cirq
import numpy as np
from numpy.typing import NDArray

from q_store import PauliString

__all__ = [
    "MeasurementGroup",
    "exact_expectations",
    "measurement_groups",
    "sample_bitstrings",
    "sampled_expectations",
]

_TO_Z_BASIS: Final = {"X": (cirq.H,), "Y": (cirq.S**-1, cirq.H)}

Distribution = NDArray[np.float64]


@attrs.frozen
class MeasurementGroup:
    """Observables measured together: ``basis`` holds each measured wire's Pauli letter."""

    basis: tuple[tuple[int, str], ...]
    #: Positions, in the request's observables, of the observables this group measures.
    members: tuple[int, ...]


@functools.lru_cache(maxsize=64)
def measurement_groups(observables: tuple[PauliString, ...]) -> tuple[MeasurementGroup, ...]:
    """Greedy qubit-wise commuting groups, in order of first appearance."""
    bases: list[dict[int, str]] = []
    members: list[list[int]] = []
    for index, observable in enumerate(observables):
        for basis, group in zip(bases, members, strict=True):
            if all(basis.get(wire, letter) == letter for wire, letter in observable.terms):
                basis.update(observable.terms)
                group.append(index)
                break
        else:
            bases.append(dict(observable.terms))
            members.append([index])
    return tuple(
        MeasurementGroup(tuple(sorted(basis.items())), tuple(group))
        for basis, group in zip(bases, members, strict=True)
    )


def _rotated_probabilities(
    states: NDArray[np.complexfloating], basis: tuple[tuple[int, str], ...]
) -> Distribution:
    """Born probabilities ``(rows, 2**n)`` after rotating ``basis``'s X and Y wires to Z."""
    rows, dimension = states.shape
    n = dimension.bit_length() - 1
    rotations = [(gate, wire) for wire, letter in basis if letter != "Z" for gate in _TO_Z_BASIS[letter]]
    if rotations:
        tensor = states.reshape((rows,) + (2,) * n).copy()
        spare = np.empty_like(tensor)
        for gate, wire in rotations:
            args = cirq.ApplyUnitaryArgs(tensor, spare, (wire + 1,))
            result = cirq.apply_unitary(gate.on(cirq.LineQubit(wire)), args)
            tensor, spare = result, (spare if result is tensor else tensor)
        states = tensor.reshape(rows, dimension)
    probabilities: Distribution = np.square(states.real, dtype=np.float64)
    probabilities += np.square(states.imag, dtype=np.float64)
    return probabilities


def _parities(distribution: Distribution, wires: Sequence[int]) -> NDArray[np.float64]:
    """``sum_b p(b) (-1)^(parity of b on wires)`` per row of ``distribution`` ``(rows, 2**n)``."""
    rows, dimension = distribution.shape
    n = dimension.bit_length() - 1
    grid = distribution.reshape((rows,) + (2,) * n)
    # Marginalise onto the measured wires first: the sign table then has 2**len(wires) entries.
    others = tuple(w + 1 for w in range(n) if w not in wires)
    marginal = grid.sum(axis=others).reshape(rows, -1) if others else distribution
    indices = np.arange(2 ** len(wires))
    ones = np.zeros_like(indices)
    for bit in range(len(wires)):
        ones += (indices >> bit) & 1
    signs = 1.0 - 2.0 * (ones % 2)
    values: NDArray[np.float64] = marginal @ signs
    return values


def exact_expectations(
    states: NDArray[np.complexfloating], observables: tuple[PauliString, ...]
) -> NDArray[np.float64]:
    """``<psi|P|psi>`` for every row and observable: ``(rows, len(observables))``."""
    values = np.empty((states.shape[0], len(observables)))
    for group in measurement_groups(observables):
        probabilities = _rotated_probabilities(states, group.basis)
        for index in group.members:
            values[:, index] = _parities(probabilities, observables[index].wires)
    return values


def _normalised(probabilities: Distribution) -> Distribution:
    # The multinomial draw needs rows that sum to 1 in float64; complex64 states are off by ~1e-7.
    clipped = np.clip(probabilities, 0.0, None)
    normalised: Distribution = clipped / clipped.sum(axis=1, keepdims=True)
    return normalised


def sampled_expectations(
    states: NDArray[np.complexfloating],
    observables: tuple[PauliString, ...],
    shots: int,
    rng: np.random.Generator,
) -> NDArray[np.float64]:
    """Estimates from ``shots`` measurements per row and measurement group.

    The counts of each outcome are one multinomial draw per row (vectorised over rows): the same
    distribution as ``shots`` independent measurements, without materialising them.
    """
    values = np.empty((states.shape[0], len(observables)))
    for group in measurement_groups(observables):
        probabilities = _normalised(_rotated_probabilities(states, group.basis))
        frequencies = rng.multinomial(shots, probabilities) / shots
        for index in group.members:
            values[:, index] = _parities(frequencies, observables[index].wires)
    return values


def sample_bitstrings(
    states: NDArray[np.complexfloating], shots: int, rng: np.random.Generator
) -> NDArray[np.uint8]:
    """``shots`` computational-basis measurements per row: ``(rows, shots, n)``, column q = wire q."""
    rows, dimension = states.shape
    n = dimension.bit_length() - 1
    counts = rng.multinomial(shots, _normalised(_rotated_probabilities(states, ())))
    # Each row's outcomes in index order, then shuffled within the row so that the shots are an
    # independent sequence (a prefix of them is again a fair sample).
    outcomes = np.repeat(np.tile(np.arange(dimension), rows), counts.ravel()).reshape(rows, shots)
    outcomes = rng.permuted(outcomes, axis=1)
    shifts = np.arange(n - 1, -1, -1)
    bits: NDArray[np.uint8] = ((outcomes[..., None] >> shifts) & 1).astype(np.uint8)
    return bits
