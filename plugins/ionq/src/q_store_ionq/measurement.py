"""Which circuits measure which observables: one circuit per measurement basis, not per observable.

IonQ measures every qubit in the Z basis. A Pauli string with X or Y factors is measured by
rotating those wires first (X: H; Y: S-dagger then H) and reading the parity of its wires. Pauli
strings that agree on the letter of every wire they share (qubit-wise commuting) can be read from
the SAME shots of one rotated circuit, so ``<Z0>, <Z1>, <Z0 Z1>`` cost one circuit, and the
Bell-state set ``<ZZ>, <XX>, <YY>`` three. Fewer circuits means fewer billed circuits on hardware.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from q_store import PauliString

__all__ = ["MeasurementGroup", "MeasurementPlan", "plan_measurements"]


@attrs.frozen
class MeasurementGroup:
    """Observables read from one circuit measured in ``basis``.

    ``basis`` lists the wires that need a rotation before measurement, as ``(wire, 'X' | 'Y')``
    sorted by wire (Z needs none). ``members`` are indices into the caller's observables and
    ``masks`` their wire sets as bit masks (bit ``w`` = wire ``w``), aligned with ``members``.
    """

    basis: tuple[tuple[int, str], ...]
    members: tuple[int, ...]
    masks: tuple[int, ...]


@attrs.frozen
class MeasurementPlan:
    """The circuits to run per parameter row, and the observables that need none (identity)."""

    groups: tuple[MeasurementGroup, ...]
    identities: tuple[int, ...]


def plan_measurements(observables: Sequence[PauliString]) -> MeasurementPlan:
    """Group ``observables`` greedily (first fit, in order) into qubit-wise commuting sets."""
    letters: list[dict[int, str]] = []
    members: list[list[int]] = []
    identities: list[int] = []
    for index, observable in enumerate(observables):
        if not observable.terms:
            identities.append(index)
            continue
        for group_letters, group_members in zip(letters, members, strict=True):
            if all(group_letters.get(wire, letter) == letter for wire, letter in observable.terms):
                group_letters.update(observable.terms)
                group_members.append(index)
                break
        else:
            letters.append(dict(observable.terms))
            members.append([index])
    groups = tuple(
        MeasurementGroup(
            basis=tuple(sorted((w, p) for w, p in group_letters.items() if p != "Z")),
            members=tuple(group_members),
            masks=tuple(_mask(observables[i]) for i in group_members),
        )
        for group_letters, group_members in zip(letters, members, strict=True)
    )
    return MeasurementPlan(groups=groups, identities=tuple(identities))


def _mask(observable: PauliString) -> int:
    mask = 0
    for wire in observable.wires:
        mask |= 1 << wire
    return mask
