"""A complete third-party Q-Store backend: a numpy statevector simulator in ~30 lines."""

import numpy as np

from q_store import BackendCapabilities, QuantumBackend, hookimpl

S = 2**-0.5
X, Y, Z = [[0, 1], [1, 0]], [[0, -1j], [1j, 0]], [[1, 0], [0, -1]]
P, M = (1 + 1j) / 2, (1 - 1j) / 2
FIXED = {"h": [[S, S], [S, -S]], "x": X, "y": Y, "z": Z, "s": [[1, 0], [0, 1j]], "t": [[1, 0], [0, P / S]],
         "sx": [[P, M], [M, P]], "cz": np.diag([1, 1, 1, -1]), "cnot": np.eye(4)[[0, 1, 3, 2]],
         "swap": np.eye(4)[[0, 2, 1, 3]]}  # fmt: skip
PAULI = {"X": X, "Y": Y, "Z": Z, "rx": X, "ry": Y, "rz": Z}


def gate(op, angles):  # rotations: R_P(t) = cos(t/2) I - i sin(t/2) P
    if op.parameter is None:
        return FIXED[op.gate]
    t = angles[op.parameter]
    return np.cos(t / 2) * np.eye(2) - 1j * np.sin(t / 2) * np.array(PAULI[op.gate])


def apply(state, matrix, wires):
    k = len(wires)
    matrix = np.asarray(matrix, dtype=complex).reshape((2,) * 2 * k)
    return np.moveaxis(np.tensordot(matrix, state, axes=(range(k, 2 * k), wires)), range(k), wires)


class TinyBackend(QuantumBackend):
    name = "tiny"
    capabilities = BackendCapabilities(max_qubits=12, supports_shots=False)

    def execute(self, circuit, parameters, observables, *, shots, seed):
        values = np.empty((len(parameters), len(observables)))
        for row, angles in enumerate(parameters):
            state = np.zeros((2,) * circuit.n_qubits, dtype=complex)
            state.flat[0] = 1
            for op in circuit.operations:
                state = apply(state, gate(op, angles), op.wires)
            for column, observable in enumerate(observables):
                image = state
                for wire, letter in observable.terms:
                    image = apply(image, PAULI[letter], (wire,))
                values[row, column] = np.vdot(state, image).real
        return values


@hookimpl
def q_store_register_backends(register):
    register("tiny", TinyBackend)
