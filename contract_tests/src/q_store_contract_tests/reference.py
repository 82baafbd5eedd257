"""An independent reference: dense matrices, written from the textbook definitions.

Deliberately the slowest and plainest way to simulate: every gate becomes a full
``2**n x 2**n`` matrix built with ``numpy.kron`` and projectors, the circuit unitary is their
product, and an expectation is ``psi^dagger O psi`` with O also a full matrix. It shares no code
with any backend, so agreement with it is evidence, not an echo. Limited to about 10 qubits.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import reduce

import numpy as np
from numpy.typing import NDArray

from q_store import Circuit, PauliString

Matrix = NDArray[np.complex128]

I2 = np.eye(2, dtype=np.complex128)
X = np.array([[0, 1], [1, 0]], dtype=np.complex128)
Y = np.array([[0, -1j], [1j, 0]], dtype=np.complex128)
Z = np.array([[1, 0], [0, -1]], dtype=np.complex128)
P0 = np.array([[1, 0], [0, 0]], dtype=np.complex128)  # |0><0|
P1 = np.array([[0, 0], [0, 1]], dtype=np.complex128)  # |1><1|
PAULI = {"X": X, "Y": Y, "Z": Z}

FIXED = {
    "h": np.array([[1, 1], [1, -1]], dtype=np.complex128) / math.sqrt(2),
    "x": X,
    "y": Y,
    "z": Z,
    "s": np.diag([1, 1j]).astype(np.complex128),
    "t": np.diag([1, np.exp(1j * math.pi / 4)]).astype(np.complex128),
    "sx": np.array([[1 + 1j, 1 - 1j], [1 - 1j, 1 + 1j]], dtype=np.complex128) / 2,
}


def rotation(axis: Matrix, theta: float) -> Matrix:
    """``exp(-i theta P / 2)`` for a Pauli P, via ``P^2 = I``."""
    return math.cos(theta / 2) * I2 - 1j * math.sin(theta / 2) * axis


def embed(n: int, factors: dict[int, Matrix]) -> Matrix:
    """``factor_0 (x) factor_1 (x) ...`` with identity on wires not in ``factors``."""
    return reduce(np.kron, [factors.get(w, I2) for w in range(n)])


def gate_operator(n: int, gate: str, wires: Sequence[int], theta: float | None) -> Matrix:
    if gate in ("rx", "ry", "rz"):
        assert theta is not None
        return embed(n, {wires[0]: rotation(PAULI[gate[1].upper()], theta)})
    if gate in FIXED:
        return embed(n, {wires[0]: FIXED[gate]})
    a, b = wires
    if gate == "cnot":  # |0><0|_c (x) I + |1><1|_c (x) X_t
        return embed(n, {a: P0}) + embed(n, {a: P1, b: X})
    if gate == "cz":
        return embed(n, {a: P0}) + embed(n, {a: P1, b: Z})
    if gate == "swap":  # (I + XX + YY + ZZ) / 2
        return (embed(n, {}) + embed(n, {a: X, b: X}) + embed(n, {a: Y, b: Y}) + embed(n, {a: Z, b: Z})) / 2
    raise ValueError(f"reference: unknown gate {gate!r}")


def circuit_unitary(circuit: Circuit, row: NDArray[np.float64]) -> Matrix:
    unitary = np.eye(2**circuit.n_qubits, dtype=np.complex128)
    for op in circuit.operations:
        theta = None if op.parameter is None else float(row[op.parameter])
        unitary = gate_operator(circuit.n_qubits, op.gate, op.wires, theta) @ unitary
    return unitary


def final_state(circuit: Circuit, row: NDArray[np.float64]) -> NDArray[np.complex128]:
    """Each gate's full matrix applied to the state vector (cheaper than the unitary product)."""
    psi = np.zeros(2**circuit.n_qubits, dtype=np.complex128)
    psi[0] = 1.0
    for op in circuit.operations:
        theta = None if op.parameter is None else float(row[op.parameter])
        psi = gate_operator(circuit.n_qubits, op.gate, op.wires, theta) @ psi
    return psi


def observable_matrix(observable: PauliString, n: int) -> Matrix:
    return embed(n, {wire: PAULI[letter] for wire, letter in observable.terms})


def expectations(
    circuit: Circuit, parameters: NDArray[np.float64], observables: Sequence[PauliString]
) -> NDArray[np.float64]:
    """``(rows, len(observables))`` exact expectation values."""
    parameters = np.atleast_2d(np.asarray(parameters, dtype=np.float64))
    matrices = [observable_matrix(o, circuit.n_qubits) for o in observables]
    values = np.empty((parameters.shape[0], len(observables)))
    for r, row in enumerate(parameters):
        psi = final_state(circuit, row)
        values[r] = [np.real(np.vdot(psi, m @ psi)) for m in matrices]
    return values


def probabilities(circuit: Circuit, row: NDArray[np.float64]) -> NDArray[np.float64]:
    """Born-rule probabilities of the basis states (wire 0 most significant)."""
    return np.abs(final_state(circuit, row)) ** 2


def finite_difference_jacobian(
    circuit: Circuit,
    parameters: NDArray[np.float64],
    observables: Sequence[PauliString],
    step: float = 1e-5,
) -> NDArray[np.float64]:
    """Central differences of the reference: ``(rows, len(observables), n_parameters)``."""
    parameters = np.atleast_2d(np.asarray(parameters, dtype=np.float64))
    rows, count = parameters.shape
    jacobian = np.empty((rows, len(observables), count))
    for p in range(count):
        shift = np.zeros(count)
        shift[p] = step
        plus = expectations(circuit, parameters + shift, observables)
        minus = expectations(circuit, parameters - shift, observables)
        jacobian[:, :, p] = (plus - minus) / (2 * step)
    return jacobian
