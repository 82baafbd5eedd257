"""The circuit model: validation, Pauli strings, entanglement patterns and the layer ansatz."""

from __future__ import annotations

import numpy as np
import pytest

from q_store import ArgumentError, Circuit, Operation, PauliString, build_ansatz, entangling_pairs


@pytest.mark.parametrize(
    ("pattern", "n", "pairs"),
    [
        ("linear", 4, [(0, 1), (1, 2), (2, 3)]),
        ("circular", 4, [(0, 1), (1, 2), (2, 3), (3, 0)]),
        ("full", 4, [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)]),
        ("circular", 2, [(0, 1)]),
        ("linear", 1, []),
        ("full", 1, []),
    ],
)
def test_entangling_pairs(pattern: str, n: int, pairs: list[tuple[int, int]]) -> None:
    assert list(entangling_pairs(n, pattern)) == pairs


def test_ansatz_layout_matches_the_documented_order() -> None:
    circuit = build_ansatz(2, 1, rotations=("rx", "ry"))
    expected = [
        Operation("ry", (0,), 0),  # inputs first
        Operation("ry", (1,), 1),
        Operation("rx", (0,), 2),  # then weights: layer, wire, rotation
        Operation("ry", (0,), 3),
        Operation("rx", (1,), 4),
        Operation("ry", (1,), 5),
        Operation("cnot", (0, 1)),
    ]
    assert list(circuit.operations) == expected
    assert (circuit.n_inputs, circuit.n_weights, circuit.n_parameters) == (2, 4, 6)


def test_ansatz_z_encoding_starts_with_hadamards() -> None:
    circuit = build_ansatz(3, 1, encoding_axis="z")
    assert [op.gate for op in circuit.operations[:6]] == ["h", "h", "h", "rz", "rz", "rz"]


def test_ansatz_sizes() -> None:
    circuit = build_ansatz(5, 3, entanglement="full", rotations=("rx", "ry", "rz"))
    assert circuit.n_weights == 3 * 5 * 3
    assert sum(op.gate == "cnot" for op in circuit.operations) == 3 * 10


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"n_qubits": 0, "depth": 1}, "n_qubits"),
        ({"n_qubits": 2.0, "depth": 1}, "n_qubits"),
        ({"n_qubits": 2, "depth": 0}, "depth"),
        ({"n_qubits": 2, "depth": 1, "entanglement": "star"}, "entanglement"),
        ({"n_qubits": 2, "depth": 1, "encoding": "amplitude"}, "encoding"),
        ({"n_qubits": 2, "depth": 1, "encoding_axis": "w"}, "encoding_axis"),
        ({"n_qubits": 2, "depth": 1, "rotations": ("rq",)}, "rotations"),
        ({"n_qubits": 2, "depth": 1, "rotations": ()}, "rotations"),
    ],
)
def test_ansatz_rejects_bad_arguments(kwargs: dict[str, object], argument: str) -> None:
    with pytest.raises(ArgumentError) as info:
        build_ansatz(**kwargs)  # type: ignore[arg-type]
    assert info.value.argument == argument


@pytest.mark.parametrize(
    ("gate", "wires", "parameter", "argument"),
    [
        ("toffoli", (0, 1, 2), None, "gate"),
        ("cnot", (0,), None, "wires"),
        ("cnot", (1, 1), None, "wires"),
        ("h", (-1,), None, "wires"),
        ("rx", (0,), None, "parameter"),
        ("h", (0,), 0, "parameter"),
    ],
)
def test_operation_validation(
    gate: str, wires: tuple[int, ...], parameter: int | None, argument: str
) -> None:
    with pytest.raises(ArgumentError) as info:
        Operation(gate, wires, parameter)
    assert info.value.argument == argument


def test_circuit_validation() -> None:
    with pytest.raises(ArgumentError, match="outside"):
        Circuit(2, [Operation("h", (2,))])
    with pytest.raises(ArgumentError, match="parameter column 3"):
        Circuit(2, [Operation("rx", (0,), 3)], n_weights=2)
    with pytest.raises(ArgumentError, match="n_qubits"):
        Circuit(0, [])
    with pytest.raises(ArgumentError, match="not an Operation"):
        Circuit(1, ["h"])  # type: ignore[list-item]


def test_circuits_are_values() -> None:
    a = build_ansatz(3, 2)
    b = build_ansatz(3, 2)
    assert a == b
    assert hash(a) == hash(b)
    assert a != build_ansatz(3, 2, entanglement="full")


def test_unique_parameter_form_splits_shared_columns() -> None:
    circuit = Circuit(
        2,
        [Operation("rx", (0,), 1), Operation("h", (1,)), Operation("ry", (1,), 1), Operation("rz", (0,), 0)],
        n_inputs=1,
        n_weights=1,
    )
    expanded, source = circuit.unique_parameter_form
    assert [op.parameter for op in expanded.operations] == [0, None, 1, 2]
    assert source.tolist() == [1, 1, 0]
    rows = np.array([[10.0, 20.0]])
    assert circuit.expand_parameters(rows).tolist() == [[20.0, 20.0, 10.0]]


def test_pauli_strings() -> None:
    a = PauliString(((2, "X"), (0, "Z")))
    assert a.terms == ((0, "Z"), (2, "X"))
    assert a == PauliString.from_label("ZIX")
    assert a.label(4) == "ZIXI"
    assert str(a) == "Z0 X2"
    assert not a.is_diagonal
    assert PauliString.from_label("ZIZ").is_diagonal
    assert str(PauliString(())) == "I"
    with pytest.raises(ArgumentError):
        PauliString(((0, "X"), (0, "Z")))
    with pytest.raises(ArgumentError):
        PauliString.from_label("ZQ")
    with pytest.raises(ArgumentError):
        PauliString(((0, "W"),))  # type: ignore[arg-type]
