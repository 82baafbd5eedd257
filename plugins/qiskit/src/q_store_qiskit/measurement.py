"""Shots: which measurement settings to run, and how to turn measured bits into estimates.

Observables that agree on every wire they share (qubit-wise commuting, e.g. ``Z0 Z1`` and ``Z1``,
or ``X0`` and ``X0 Z2``) are estimated from the same shots, as Qiskit's own estimators do on
hardware: each group is one measured circuit. ``<P>`` is then the mean over shots of
``(-1)^(parity of the measured bits on P's wires)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from qiskit.primitives.containers import BitArray

from q_store import PauliString

__all__ = ["MeasurementGroup", "bits_by_wire", "estimate", "group_by_basis"]


@dataclass
class MeasurementGroup:
    """Observables (by index) measured together, and the Pauli basis of each wire they use."""

    basis: dict[int, str] = field(default_factory=dict)
    members: list[int] = field(default_factory=list)

    def accepts(self, observable: PauliString) -> bool:
        return all(self.basis.get(wire, letter) == letter for wire, letter in observable.terms)

    def add(self, index: int, observable: PauliString) -> None:
        self.basis.update(observable.terms)
        self.members.append(index)

    @property
    def rotations(self) -> tuple[tuple[int, str], ...]:
        """The wires to rotate before measuring (X and Y factors), in wire order."""
        return tuple(sorted((w, p) for w, p in self.basis.items() if p != "Z"))


def group_by_basis(observables: Sequence[PauliString]) -> list[MeasurementGroup]:
    """Greedy grouping in order: each observable joins the first group it agrees with."""
    groups: list[MeasurementGroup] = []
    for index, observable in enumerate(observables):
        group = next((g for g in groups if g.accepts(observable)), None)
        if group is None:
            group = MeasurementGroup()
            groups.append(group)
        group.add(index, observable)
    return groups


def bits_by_wire(bit_array: BitArray, rows: int, shots: int) -> NDArray[np.bool_]:
    """Measured bits as ``(rows, shots, n_qubits)`` booleans with column ``q`` = wire ``q``.

    Qiskit packs clbit 0 as the least significant bit; 'little' order unpacks it first.
    """
    bits = np.asarray(bit_array.to_bool_array(order="little"), dtype=np.bool_)
    return bits.reshape(rows, shots, bits.shape[-1])


def estimate(bits: NDArray[np.bool_], observable: PauliString) -> NDArray[np.float64]:
    """``<observable>`` per row from ``(rows, shots, n)`` bits measured in its basis."""
    if not observable.wires:
        return np.ones(bits.shape[0])
    parity = np.logical_xor.reduce(bits[..., list(observable.wires)], axis=-1)
    result: NDArray[np.float64] = 1.0 - 2.0 * parity.mean(axis=1)
    return result
