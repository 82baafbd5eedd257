"""Translation of Q-Store circuits and observables into Qiskit objects (done once, then cached).

Wire ``w`` of a :class:`q_store.Circuit` becomes qubit ``w`` of the ``QuantumCircuit``. Qiskit is
little-endian (qubit 0 is the LEAST significant bit of its bitstrings and the RIGHTMOST letter of
its Pauli labels) while Q-Store puts wire 0 first. Keeping wires and qubits equal confines the
difference to the two places where Qiskit reads out: observables are built from (letters, qubit
indices) pairs with ``SparsePauliOp.from_sparse_list``, never from a label string, and sampled
bits are unpacked in little-endian order so that column ``q`` is wire ``q`` (see measurement.py).

Every gate of the circuit model is an instruction Aer simulates natively (rx ry rz h x y z s t sx
cx cz swap, plus sdg/h/measure for readout), so no transpilation is needed or done: the circuit
Aer runs is exactly the translated one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import NDArray
from qiskit.circuit import ClassicalRegister, Gate, Parameter, ParameterVector, QuantumCircuit
from qiskit.circuit.library import (
    CXGate,
    CZGate,
    HGate,
    RXGate,
    RYGate,
    RZGate,
    SGate,
    SwapGate,
    SXGate,
    TGate,
    XGate,
    YGate,
    ZGate,
)
from qiskit.primitives.containers.bindings_array import BindingsArray
from qiskit.quantum_info import SparsePauliOp

from q_store import Circuit, PauliString

__all__ = [
    "MEASUREMENT_REGISTER",
    "SUPPORTED_GATES",
    "TranslatedCircuit",
    "measured_circuit",
    "to_sparse_pauli_op",
    "translate_circuit",
]

#: Rotations of the circuit model; R_P(t) = exp(-i t P / 2) is also Qiskit's convention.
_PARAMETRIC: Final[dict[str, Callable[[Parameter], Gate]]] = {"rx": RXGate, "ry": RYGate, "rz": RZGate}
#: Fixed gates. Qiskit's s, t, sx and cx match the circuit model's matrices and (control, target)
#: order exactly, so each is a one-to-one mapping.
_FIXED: Final[dict[str, Gate]] = {
    "h": HGate(),
    "x": XGate(),
    "y": YGate(),
    "z": ZGate(),
    "s": SGate(),
    "t": TGate(),
    "sx": SXGate(),
    "cnot": CXGate(),
    "cz": CZGate(),
    "swap": SwapGate(),
}
SUPPORTED_GATES: Final = frozenset(_PARAMETRIC) | frozenset(_FIXED)
#: Name of the classical register that measured circuits write to (``pub_result.data.meas``).
MEASUREMENT_REGISTER: Final = "meas"


@dataclass(frozen=True)
class TranslatedCircuit:
    """A parametrised ``QuantumCircuit`` and how parameter columns bind to it.

    ``parameters[k]`` takes its values from column ``columns[k]``. Columns that no gate reads are
    left out: Qiskit refuses bindings for parameters a circuit does not contain.
    """

    circuit: QuantumCircuit
    parameters: tuple[Parameter, ...]
    columns: NDArray[np.int64]

    @property
    def is_parametrised(self) -> bool:
        return bool(self.parameters)

    def bindings(self, rows: NDArray[np.float64], *, observable_axis: bool) -> BindingsArray:
        """One binding per row: shape ``(rows,)``, or ``(rows, 1)`` to broadcast against an
        observables axis ``(1, n_observables)`` in an estimator PUB."""
        values = rows[:, self.columns]
        if observable_axis:
            values = values[:, None, :]
        return BindingsArray({self.parameters: values})


def translate_circuit(circuit: Circuit) -> TranslatedCircuit:
    """The Qiskit form of ``circuit``: one ``ParameterVector`` element per parameter column."""
    vector = ParameterVector("theta", circuit.n_parameters)
    translated = QuantumCircuit(circuit.n_qubits, name="q_store")
    for op in circuit.operations:
        if op.parameter is None:
            translated.append(_FIXED[op.gate], list(op.wires), copy=False)
        else:
            translated.append(_PARAMETRIC[op.gate](vector[op.parameter]), list(op.wires), copy=False)
    columns = sorted({op.parameter for op in circuit.operations if op.parameter is not None})
    return TranslatedCircuit(
        circuit=translated,
        parameters=tuple(vector[c] for c in columns),
        columns=np.asarray(columns, dtype=np.int64),
    )


def to_sparse_pauli_op(observable: PauliString, n_qubits: int) -> SparsePauliOp:
    """``observable`` on ``n_qubits`` qubits; the empty string is the identity."""
    letters = "".join(letter for _, letter in observable.terms)
    return SparsePauliOp.from_sparse_list([(letters, list(observable.wires), 1.0)], num_qubits=n_qubits)


def measured_circuit(circuit: QuantumCircuit, basis: Sequence[tuple[int, str]]) -> QuantumCircuit:
    """``circuit`` followed by a measurement of every qubit into ``MEASUREMENT_REGISTER``.

    ``basis`` lists ``(wire, 'X' | 'Y')`` pairs measured in that Pauli's eigenbasis: ``H`` maps X
    onto Z and ``H S^dagger`` maps Y onto Z, so a computational-basis outcome 0/1 is the +1/-1
    eigenvalue of that Pauli. Wires not listed are measured in the Z basis.
    """
    measured = circuit.copy()
    register = ClassicalRegister(circuit.num_qubits, MEASUREMENT_REGISTER)
    measured.add_register(register)
    for wire, letter in basis:
        if letter == "Y":
            measured.sdg(wire)
        if letter in ("X", "Y"):
            measured.h(wire)
    measured.measure(range(circuit.num_qubits), register)
    return measured
