"""The translation into Qiskit, checked against the dense reference and Qiskit's own operators."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit.quantum_info import Operator, SparsePauliOp
from qiskit_aer import AerSimulator

from q_store import Circuit, Operation, PauliString, build_ansatz
from q_store.backend import ALL_GATES
from q_store_contract_tests import corpus, reference
from q_store_qiskit.options import METHODS
from q_store_qiskit.translate import (
    SUPPORTED_GATES,
    measured_circuit,
    to_sparse_pauli_op,
    translate_circuit,
)


def test_every_gate_of_the_circuit_model_is_translated() -> None:
    assert SUPPORTED_GATES == ALL_GATES


@pytest.mark.parametrize("case", list(corpus.random_cases(count=12, max_qubits=4, rows=1)), ids=str)
def test_translated_unitary_equals_the_reference(case: corpus.Case) -> None:
    """Qiskit's own matrix of the translated circuit, in Q-Store's wire order (wire 0 most
    significant, hence reverse_bits), equals the dense reference: gates, angles and wires."""
    translated = translate_circuit(case.circuit)
    row = case.parameters[0]
    bound = translated.circuit.assign_parameters(
        dict(zip(translated.parameters, row[translated.columns], strict=True))
    )
    expected = reference.circuit_unitary(case.circuit, row)
    np.testing.assert_allclose(Operator(bound.reverse_bits()).data, expected, atol=1e-12)


@pytest.mark.parametrize("method", METHODS)
def test_aer_runs_the_translation_natively(method: str) -> None:
    """No transpilation is needed: every instruction, readout included, is in Aer's basis."""
    circuit = Circuit(
        2,
        [
            Operation(g, (0, 1) if g in ("cnot", "cz", "swap") else (0,))
            for g in sorted(ALL_GATES - {"rx", "ry", "rz"})
        ]
        + [Operation("rx", (1,), 0)],
        n_weights=1,
    )
    translated = translate_circuit(circuit)
    measured = measured_circuit(translated.circuit, ((0, "X"), (1, "Y")))
    names = {instruction.operation.name for instruction in measured.data}
    basis = set(AerSimulator(method=method).configuration().basis_gates) | {"measure"}
    assert names <= basis, names - basis


def test_unused_columns_are_not_bound_and_shared_columns_are_one_parameter() -> None:
    # Column 1 is read by no gate; column 2 by two gates.
    circuit = Circuit(
        2,
        [Operation("rx", (0,), 0), Operation("ry", (1,), 2), Operation("rz", (0,), 2)],
        n_inputs=1,
        n_weights=2,
    )
    translated = translate_circuit(circuit)
    assert translated.columns.tolist() == [0, 2]
    assert len(translated.circuit.parameters) == 2
    rows = np.array([[0.1, 9.0, 0.3], [0.4, 9.0, 0.6]])
    bindings = translated.bindings(rows, observable_axis=True)
    assert bindings.shape == (2, 1)
    np.testing.assert_array_equal(bindings.as_array(translated.parameters), rows[:, None, [0, 2]])


def test_parameter_free_circuits_are_not_parametrised() -> None:
    assert not translate_circuit(corpus.bell().circuit).is_parametrised
    assert translate_circuit(build_ansatz(2, 1)).is_parametrised


@pytest.mark.parametrize(
    ("observable", "qiskit_label"),
    [
        (PauliString.from_label("XIZ"), "ZIX"),  # Qiskit's rightmost letter is qubit 0 = wire 0
        (PauliString.from_label("IYII"), "IIYI"),
        (PauliString(()), "III"),
    ],
)
def test_observables_follow_qiskits_little_endian_labels(observable: PauliString, qiskit_label: str) -> None:
    n = len(qiskit_label)
    assert to_sparse_pauli_op(observable, n) == SparsePauliOp(qiskit_label)


def test_measurement_rotations_map_the_pauli_basis_onto_z() -> None:
    """H S^dagger (Y) and H (X) turn the +1 eigenstate of the Pauli into |0>: measured 0."""
    plain = Circuit(2, [])
    measured = measured_circuit(translate_circuit(plain).circuit, ((0, "X"), (1, "Y")))
    rotations = measured.remove_final_measurements(inplace=False)
    plus = np.array([1, 1]) / np.sqrt(2)
    plus_i = np.array([1, 1j]) / np.sqrt(2)
    # Qiskit's state order is little-endian: the kron puts qubit 1 first.
    state = np.kron(plus_i, plus)
    out = Operator(rotations).data @ state
    np.testing.assert_allclose(np.abs(out[0]), 1.0, atol=1e-12)
