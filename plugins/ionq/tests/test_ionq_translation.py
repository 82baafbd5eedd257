"""Translation of the core circuit model to the IonQ jobs qiskit-ionq serialises, without HTTP.

Expected values come from ``q_store_contract_tests.reference`` (dense matrices on the core
circuit) and closed forms; the path under test is core Circuit -> Qiskit (translate.py) -> IonQ
JSON (qiskit-ionq) -> probabilities (the loopback simulator) -> expectations (estimate.py).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

from q_store import Circuit, Operation, PauliString, Secret, build_ansatz
from q_store.backend import ALL_GATES
from q_store.errors import BackendError
from q_store_contract_tests import corpus, reference
from q_store_ionq import IonQBackend
from q_store_ionq.estimate import Distribution, expectations, sample_bits, sample_frequencies
from q_store_ionq.measurement import plan_measurements
from q_store_ionq.options import resolve_options
from q_store_ionq.service import IonQService
from q_store_ionq.testing.simulator import probabilities
from q_store_ionq.translate import TRANSLATED_GATES, MeasuredProgram, translate


@pytest.fixture(scope="module")
def service() -> Iterator[IonQService]:
    """qiskit-ionq's simulator backend, built once with its qubit lookup kept off the network."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("qiskit_ionq.helpers.dotenv_values", lambda *a, **k: {})
        patch.setenv("IONQ_API_URL", "http://127.0.0.1:9/v0.4")
        yield IonQService(Secret("unused-key"), resolve_options(url="http://127.0.0.1:9/v0.4"))


def ionq_json(
    service: IonQService, circuit: Circuit, row: NDArray[np.float64], basis: tuple[tuple[int, str], ...] = ()
) -> dict[str, Any]:
    """The job JSON that qiskit-ionq builds for one bound circuit (its own converter)."""
    bound = translate(circuit, basis).bind(row, "c")
    document: dict[str, Any] = json.loads(
        service.payload([bound], submission_id="t", shots=1, noise_seed=None)
    )
    return document


def exact_expectations(
    service: IonQService, circuit: Circuit, row: NDArray[np.float64], observables: tuple[PauliString, ...]
) -> NDArray[np.float64]:
    """Expectations through the IonQ JSON path, one circuit per measurement group."""
    plan = plan_measurements(observables)
    values = np.ones(len(observables))
    for group in plan.groups:
        document = ionq_json(service, circuit, row, group.basis)
        table = probabilities(document["input"]["qubits"], document["input"]["circuit"])
        distribution = Distribution(np.arange(table.size, dtype=np.int64), table)
        values[list(group.members)] = expectations(distribution, group.masks)
    return values


def test_the_whole_core_gate_set_is_translated() -> None:
    assert TRANSLATED_GATES == ALL_GATES


def test_bell_circuit_becomes_the_ionq_gates_of_the_api_docs(service: IonQService) -> None:
    bell = corpus.bell().circuit
    document = ionq_json(service, bell, np.zeros(0))
    assert document["type"] == "ionq.circuit.v1"
    assert document["input"]["gateset"] == "qis"
    assert document["input"]["qubits"] == 2
    assert document["input"]["circuit"] == [
        {"gate": "h", "targets": [0]},
        {"gate": "x", "targets": [1], "controls": [0]},
    ]


@pytest.mark.parametrize("gate", sorted(ALL_GATES))
def test_each_gate_matches_the_reference(service: IonQService, gate: str) -> None:
    """Each gate after a generic state preparation, read out in X, Y and Z on both wires."""
    preparation = (Operation("ry", (0,), 0), Operation("rx", (1,), 1), Operation("rz", (0,), 2))
    wires = (0, 1) if gate in ("cnot", "cz", "swap") else (1,)
    parameter = 3 if gate in ("rx", "ry", "rz") else None
    circuit = Circuit(2, (*preparation, Operation(gate, wires, parameter)), n_weights=4)
    row = np.array([0.7, -1.1, 0.4, 2.3])
    observables = (
        *(PauliString.from_label("I" * w + p) for w in (0, 1) for p in "XYZ"),
        PauliString.from_label("XY"),
        PauliString.from_label("ZZ"),
    )
    expected = reference.expectations(circuit, row[None, :], observables)[0]
    np.testing.assert_allclose(exact_expectations(service, circuit, row, observables), expected, atol=1e-10)


@pytest.mark.parametrize("case", list(corpus.random_cases(count=8, max_qubits=5, rows=2)), ids=str)
def test_random_circuits_with_shared_columns_match_the_reference(
    service: IonQService, case: corpus.Case
) -> None:
    expected = reference.expectations(case.circuit, case.parameters, case.observables)
    for row, want in zip(case.parameters, expected, strict=True):
        np.testing.assert_allclose(
            exact_expectations(service, case.circuit, row, case.observables), want, atol=1e-10
        )


def test_wire_zero_is_the_most_significant_bit_of_the_core_but_bit_zero_of_ionq(service: IonQService) -> None:
    circuit = Circuit(3, (Operation("x", (0,)),))  # core |100>, index 4; IonQ state 1 (qubit 0)
    document = ionq_json(service, circuit, np.zeros(0))
    table = probabilities(3, document["input"]["circuit"])
    assert table[1] == pytest.approx(1.0)
    distribution = Distribution(np.array([1]), np.array([1.0]))
    bits = sample_bits(distribution, 4, 3, np.random.default_rng(0))
    np.testing.assert_array_equal(bits, [[1, 0, 0]] * 4)  # column q is wire q


def test_unused_and_shared_parameter_columns_bind_correctly(service: IonQService) -> None:
    # Column 0 unused, column 1 read by two gates, column 2 by one.
    circuit = Circuit(
        1, (Operation("ry", (0,), 1), Operation("ry", (0,), 1), Operation("rx", (0,), 2)), n_weights=3
    )
    program = translate(circuit, ())
    np.testing.assert_array_equal(program.columns, [1, 2])
    row = np.array([5.0, 0.3, 0.0])
    # Two RY(0.3) then RX(0): <Z> = cos(0.6)
    value = exact_expectations(service, circuit, row, (PauliString.z(0),))
    assert value[0] == pytest.approx(math.cos(0.6), abs=1e-12)


def test_the_backend_translates_each_circuit_and_basis_once(
    monkeypatch: pytest.MonkeyPatch, make_backend: Callable[..., IonQBackend]
) -> None:
    """Calls on an equal circuit (built again) reuse its translations; a new circuit is translated."""
    from q_store_ionq import backend as backend_module

    translated: list[tuple[int, tuple[tuple[int, str], ...]]] = []

    def counting_translate(circuit: Circuit, basis: tuple[tuple[int, str], ...]) -> MeasuredProgram:
        translated.append((circuit.n_qubits, basis))
        return translate(circuit, basis)

    monkeypatch.setattr(backend_module, "translate", counting_translate)
    backend = make_backend()
    x_and_z = (PauliString.from_label("XI"), PauliString.z(0))  # two measurement bases
    backend.run(build_ansatz(2, 1), np.zeros((2, 6)), x_and_z, shots=100, seed=1)
    backend.run(build_ansatz(2, 1), np.ones((3, 6)), x_and_z, shots=100, seed=1)
    assert sorted(translated) == [(2, ()), (2, ((0, "X"),))]
    backend.run(build_ansatz(3, 1), np.zeros((1, 9)), shots=100, seed=1)
    assert len(translated) == 3


def test_measurement_groups_share_a_basis() -> None:
    z = [PauliString.z(q) for q in range(3)]
    plan = plan_measurements([*z, PauliString.from_label("ZZZ")])
    assert len(plan.groups) == 1
    assert plan.groups[0].basis == ()
    bell_set = [PauliString.from_label(label) for label in ("ZI", "IZ", "ZZ", "XX", "YY", "")]
    plan = plan_measurements(bell_set)
    assert [g.basis for g in plan.groups] == [(), ((0, "X"), (1, "X")), ((0, "Y"), (1, "Y"))]
    assert [g.members for g in plan.groups] == [(0, 1, 2), (3,), (4,)]
    assert plan.identities == (5,)
    assert plan.groups[0].masks == (0b01, 0b10, 0b11)


def test_expectations_and_sampling_from_a_distribution() -> None:
    # States 0 (|00>) and 3 (|11>) with 1/4 and 3/4: <Z0> = <Z1> = -1/2, <Z0 Z1> = 1.
    distribution = Distribution(np.array([0, 3]), np.array([0.25, 0.75]))
    np.testing.assert_allclose(expectations(distribution, [1, 2, 3]), [-0.5, -0.5, 1.0])
    sampled = sample_frequencies(distribution, 1000, np.random.default_rng(1))
    assert sampled.probabilities.sum() == pytest.approx(1.0)
    assert sampled.probabilities[0] * 1000 == int(sampled.probabilities[0] * 1000 + 0.5)


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        ({}, "empty"),
        ({"0": 0.5}, "not a distribution"),
        ({"4": 1.0}, "not a distribution"),
        ({"x": 1}, "malformed"),
    ],
)
def test_malformed_result_tables_are_backend_errors(table: dict[str, Any], problem: str) -> None:
    with pytest.raises(BackendError, match=problem):
        Distribution.from_json(table, 2)
