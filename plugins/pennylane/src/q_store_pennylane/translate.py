"""Translating the circuit model into PennyLane operations.

The conventions already agree, so the translation is a table: PennyLane's ``RX(t)`` is
``exp(-i t X / 2)``, ``SX`` is ``sqrt(X)``, ``CNOT`` takes ``[control, target]``, and its first wire
is the most significant bit of a basis-state index, as wire 0 is in Q-Store.

A translated circuit is a tuple of :class:`Gate` steps that read their angle from a *column*:
queued with a column that holds one angle per row, PennyLane broadcasts the whole circuit over the
rows (one simulation of a batch-shaped state instead of one per row).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

import attrs
import numpy as np
import pennylane as qml
from numpy.typing import NDArray
from pennylane.operation import Operator

from q_store import Circuit, PauliString
from q_store.errors import UnsupportedGateError

__all__ = ["GATES", "Gate", "Translation", "translate_circuit", "translate_observable"]

#: Q-Store gate name -> PennyLane operation class.
GATES: Final[Mapping[str, type[Operator]]] = {
    "rx": qml.RX,
    "ry": qml.RY,
    "rz": qml.RZ,
    "h": qml.Hadamard,
    "x": qml.PauliX,
    "y": qml.PauliY,
    "z": qml.PauliZ,
    "s": qml.S,
    "t": qml.T,
    "sx": qml.SX,
    "cnot": qml.CNOT,
    "cz": qml.CZ,
    "swap": qml.SWAP,
}

_PAULIS: Final[Mapping[str, type[Operator]]] = {"X": qml.PauliX, "Y": qml.PauliY, "Z": qml.PauliZ}


@attrs.frozen
class Gate:
    """One operation; ``column`` is the parameter column of its angle (rotations only)."""

    operator: type[Operator]
    wires: tuple[int, ...]
    column: int | None


@attrs.frozen
class Translation:
    """A circuit as PennyLane operations, ready to be queued inside a quantum function."""

    n_qubits: int
    gates: tuple[Gate, ...]

    @property
    def reads_parameters(self) -> bool:
        return any(gate.column is not None for gate in self.gates)

    def queue(self, columns: Sequence[Any] | NDArray[np.float64]) -> None:
        """Create (and so queue on the active tape) every operation, angles from ``columns``.

        ``columns[c]`` is the value of parameter column ``c``: a number, or an array or tensor
        with one entry per row, which makes PennyLane broadcast the circuit over the rows.
        """
        for gate in self.gates:
            if gate.column is None:
                gate.operator(wires=gate.wires)
            else:
                gate.operator(columns[gate.column], wires=gate.wires)


def translate_circuit(circuit: Circuit) -> Translation:
    """The PennyLane form of ``circuit``; UnsupportedGateError for a gate without a translation."""
    gates = []
    for op in circuit.operations:
        operator = GATES.get(op.gate)
        if operator is None:  # only reachable if the circuit model grows a gate before this table
            raise UnsupportedGateError(
                f"backend 'pennylane' has no translation of gate {op.gate!r}; it translates "
                f"{', '.join(sorted(GATES))}"
            )
        gates.append(Gate(operator, op.wires, op.parameter))
    return Translation(circuit.n_qubits, tuple(gates))


def translate_observable(observable: PauliString) -> Operator:
    """A Pauli string as a PennyLane observable (the empty string is the identity)."""
    factors = [_PAULIS[letter](wire) for wire, letter in observable.terms]
    if not factors:
        return qml.Identity(0)
    if len(factors) == 1:
        return factors[0]
    return qml.prod(*factors)
