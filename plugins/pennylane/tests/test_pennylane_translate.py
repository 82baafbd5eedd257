"""The translation into PennyLane, checked against the contract suite's dense matrices, and the
caching and batching that make it fast."""

from __future__ import annotations

import math

import numpy as np
import pennylane as qml
import pytest

from q_store import (
    Circuit,
    Operation,
    PauliString,
    build_ansatz,
    parameter_shift_jacobian,
    pauli_z_observables,
)
from q_store.backend import ALL_GATES
from q_store.circuits import GATE_ARITY, PARAMETRIC_GATES
from q_store_contract_tests import reference
from q_store_pennylane import PennyLaneBackend, qnodes
from q_store_pennylane.translate import GATES, translate_circuit, translate_observable


def test_every_gate_of_the_model_has_a_translation() -> None:
    assert set(GATES) == ALL_GATES


@pytest.mark.parametrize("gate", sorted(ALL_GATES))
def test_each_gate_is_the_reference_matrix(gate: str) -> None:
    """On two wires, in both wire orders: catches a wrong matrix, angle sign or wire order."""
    theta = 0.8123 if gate in PARAMETRIC_GATES else None
    for wires in ((0, 1), (1, 0)) if GATE_ARITY[gate] == 2 else ((0,), (1,)):
        circuit = Circuit(
            2, (Operation(gate, wires, 0 if theta is not None else None),), n_weights=int(theta is not None)
        )
        [translated] = translate_circuit(circuit).gates
        arguments = () if theta is None else (theta,)
        matrix = qml.matrix(translated.operator(*arguments, wires=translated.wires), wire_order=[0, 1])
        expected = reference.gate_operator(2, gate, wires, theta)
        np.testing.assert_allclose(matrix, expected, atol=1e-12)


@pytest.mark.parametrize("label", ["Z", "XI", "IY", "XYZ", "ZIZ", "YIX"])
def test_observables_are_the_reference_matrices(label: str) -> None:
    observable = PauliString.from_label(label)
    matrix = qml.matrix(translate_observable(observable), wire_order=range(len(label)))
    np.testing.assert_allclose(matrix, reference.observable_matrix(observable, len(label)), atol=1e-12)


def test_the_empty_pauli_string_is_the_identity() -> None:
    backend = PennyLaneBackend()
    circuit = Circuit(2, (Operation("h", (0,)), Operation("ry", (1,), 0)), n_weights=1)
    values = backend.run(circuit, [[0.3], [1.2]], [PauliString(()), PauliString.x(0)])
    np.testing.assert_allclose(values, [[1.0, 1.0], [1.0, 1.0]], atol=1e-12)


def test_wire_zero_is_the_most_significant_bit() -> None:
    # X on wire 2 of 3: the state |001>, index 1; <Z_2> = -1 and the others +1.
    backend = PennyLaneBackend()
    circuit = Circuit(3, (Operation("x", (2,)),))
    np.testing.assert_allclose(backend.run(circuit), [1.0, 1.0, -1.0])
    samples = backend.run_samples(circuit, shots=5, seed=1)
    assert samples.tolist() == [[0, 0, 1]] * 5


def test_a_batch_is_one_simulation_on_default_qubit() -> None:
    """Parameter broadcasting: 32 rows, one device batch, one simulation of a batch-shaped state."""
    circuit = build_ansatz(4, 2)
    observables = [translate_observable(o) for o in pauli_z_observables(4)]
    device = qml.device("default.qubit", wires=4, seed=None)
    qnode = qnodes.rows_qnode(translate_circuit(circuit), observables, device, shots=None)
    parameters = np.random.default_rng(0).uniform(-3, 3, size=(32, circuit.n_parameters))
    with qml.Tracker(device) as tracker:
        values = qnode(parameters)
    assert tracker.totals["batches"] == 1
    assert tracker.totals["simulations"] == 1
    expected = reference.expectations(circuit, parameters, pauli_z_observables(4))
    np.testing.assert_allclose(np.stack(values, axis=1), expected, atol=1e-10)


def test_a_circuit_is_translated_and_wrapped_once(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[Circuit] = []
    original = qnodes.rows_qnode

    def counting(translation, observables, device, *, shots):  # type: ignore[no-untyped-def]
        built.append(translation)
        return original(translation, observables, device, shots=shots)

    monkeypatch.setattr(qnodes, "rows_qnode", counting)
    backend = PennyLaneBackend()
    first, second = build_ansatz(2, 1), build_ansatz(3, 1)
    for _ in range(3):
        backend.run(first, np.zeros((4, first.n_parameters)))
    assert len(built) == 1
    backend.run(second, np.zeros((4, second.n_parameters)))
    # An equal circuit built anew is the same cache key (circuits are hashable values).
    backend.run(build_ansatz(2, 1), np.zeros((1, first.n_parameters)))
    assert len(built) == 2


def test_parameter_shift_rows_use_their_own_circuit() -> None:
    """The core's shifted circuit (one column per gate) differs from the layer's circuit; the cache
    must not confuse them. Closed form: <Z> of RY(a) RY(a) is cos(2a), d/da = -2 sin(2a)."""
    backend = PennyLaneBackend()
    circuit = Circuit(1, (Operation("ry", (0,), 0), Operation("ry", (0,), 0)), n_weights=1)
    a = 0.37
    np.testing.assert_allclose(backend.run(circuit, [a]), [math.cos(2 * a)], atol=1e-12)
    jacobian = parameter_shift_jacobian(backend, circuit, np.array([[a]]), (PauliString.z(0),))
    np.testing.assert_allclose(jacobian[0, 0, 0], -2 * math.sin(2 * a), atol=1e-12)
