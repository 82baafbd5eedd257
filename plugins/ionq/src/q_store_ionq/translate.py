"""The core circuit model translated to Qiskit circuits that qiskit-ionq serialises for IonQ.

A core :class:`~q_store.Circuit` becomes ONE parametrised ``QuantumCircuit`` per measurement
basis (cached); each parameter row is then bound with ``assign_parameters``, because IonQ runs
concrete circuits only. Wire ``q`` of the core is Qiskit qubit ``q`` and IonQ target ``q``; IonQ
reports basis state ``k`` with qubit ``q`` in bit ``q`` of ``k`` (least significant first), the
reverse of the core's wire-0-most-significant convention, so readers of results must use
``(k >> q) & 1`` for wire ``q`` (see :mod:`q_store_ionq.estimate`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Final

import attrs
import numpy as np
from numpy.typing import NDArray
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter, ParameterVector, ParameterVectorElement

from q_store import Circuit
from q_store.errors import UnsupportedGateError

__all__ = ["CACHE_SIZE", "TRANSLATED_GATES", "MeasuredProgram", "translate"]

_Apply = Callable[[QuantumCircuit, tuple[int, ...], Parameter | None], object]

# Each core gate maps to a Qiskit gate that qiskit-ionq's "qis" converter sends natively
# (rx ry rz h x y z s t, sx as "v", cx as controlled "x", cz as controlled "z", swap).
_GATES: Final[Mapping[str, _Apply]] = {
    "rx": lambda qc, w, p: qc.rx(p, w[0]),
    "ry": lambda qc, w, p: qc.ry(p, w[0]),
    "rz": lambda qc, w, p: qc.rz(p, w[0]),
    "h": lambda qc, w, _: qc.h(w[0]),
    "x": lambda qc, w, _: qc.x(w[0]),
    "y": lambda qc, w, _: qc.y(w[0]),
    "z": lambda qc, w, _: qc.z(w[0]),
    "s": lambda qc, w, _: qc.s(w[0]),
    "t": lambda qc, w, _: qc.t(w[0]),
    "sx": lambda qc, w, _: qc.sx(w[0]),
    "cnot": lambda qc, w, _: qc.cx(w[0], w[1]),
    "cz": lambda qc, w, _: qc.cz(w[0], w[1]),
    "swap": lambda qc, w, _: qc.swap(w[0], w[1]),
}
#: The core gates this plugin translates (the whole core gate set).
TRANSLATED_GATES: Final = frozenset(_GATES)
#: Translations kept per backend: a training loop uses a handful (forward, shifted, per basis).
CACHE_SIZE: Final = 64


@attrs.frozen(eq=False)
class MeasuredProgram:
    """A parametrised Qiskit circuit with its basis rotations and measurements.

    ``columns[i]`` is the core parameter column of ``circuit.parameters[i]`` (Qiskit's order), so
    a row of core parameters binds with one fancy index.
    """

    circuit: QuantumCircuit
    columns: NDArray[np.int64]

    def bind(self, row: NDArray[np.float64], name: str) -> QuantumCircuit:
        """A concrete copy of the circuit for one parameter row, named ``name``."""
        bound = (
            self.circuit.assign_parameters(row[self.columns]) if self.columns.size else self.circuit.copy()
        )
        bound.name = name
        return bound


def translate(circuit: Circuit, basis: tuple[tuple[int, str], ...]) -> MeasuredProgram:
    """``circuit`` as Qiskit, rotated into ``basis`` ((wire, 'X'|'Y') pairs), every qubit measured."""
    parameters = ParameterVector("theta", circuit.n_parameters)
    qc = QuantumCircuit(circuit.n_qubits)
    for op in circuit.operations:
        apply = _GATES.get(op.gate)
        if apply is None:  # unreachable through run(); kept for direct callers
            raise UnsupportedGateError(f"backend 'ionq' cannot translate gate {op.gate!r}")
        apply(qc, op.wires, None if op.parameter is None else parameters[op.parameter])
    for wire, letter in basis:
        if letter == "Y":
            qc.sdg(wire)
        qc.h(wire)
    # Measuring every qubit also fixes the width qiskit-ionq declares (it counts touched qubits).
    qc.measure_all()
    columns = np.array(
        [p.index for p in qc.parameters if isinstance(p, ParameterVectorElement)], dtype=np.int64
    )
    return MeasuredProgram(qc, columns)
