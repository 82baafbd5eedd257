"""The translation into Cirq: gate matrices, wire order, symbols, sweeps and the cache, checked
against the dense reference and closed forms."""

from __future__ import annotations

import math

import cirq
import numpy as np
import pytest

from q_store import Circuit, Operation, build_ansatz
from q_store.backend import ALL_GATES
from q_store.circuits import GATE_ARITY, PARAMETRIC_GATES
from q_store_cirq import translate
from q_store_cirq.batched import BatchedEngine
from q_store_cirq.sweep import SweepEngine
from q_store_cirq.translate import CACHE_SIZE, RotationStep
from q_store_contract_tests import reference

ENGINES = [BatchedEngine, SweepEngine]


def one_gate(gate: str, n: int = 3) -> Circuit:
    # Wires in descending order, so that a control/target or wire-order mix-up cannot cancel out.
    wires = tuple(range(n - 1, n - 1 - GATE_ARITY[gate], -1))
    parameter = 0 if gate in PARAMETRIC_GATES else None
    return Circuit(n, (Operation(gate, wires, parameter),), n_weights=int(parameter is not None))


@pytest.mark.parametrize("gate", sorted(ALL_GATES))
def test_every_gate_has_the_reference_matrix_including_its_global_phase(gate: str) -> None:
    circuit = one_gate(gate)
    program = translate(circuit)
    row = np.array([0.731])[: circuit.n_parameters]
    resolver = {symbol: float(value) for symbol, value in zip(program.symbols, row, strict=True)}
    resolved = cirq.resolve_parameters(program.circuit, resolver)
    unitary = resolved.unitary(qubit_order=program.qubits)
    np.testing.assert_allclose(unitary, reference.circuit_unitary(circuit, row), atol=1e-12)


@pytest.mark.parametrize("engine", ENGINES)
def test_wire_zero_is_the_most_significant_bit(engine: type[BatchedEngine | SweepEngine]) -> None:
    # X on wire 0 of three: |100> is index 4. Wire 2 is touched by no gate and must still count.
    circuit = Circuit(3, (Operation("x", (0,)),))
    states = engine(np.complex128).final_states(translate(circuit), np.zeros((1, 0)))
    assert states.shape == (1, 8)
    np.testing.assert_allclose(np.abs(states[0]), np.eye(8)[4], atol=1e-12)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
def test_engines_give_the_reference_states_in_their_dtype(
    engine: type[BatchedEngine | SweepEngine], dtype: type[np.complexfloating], rng: np.random.Generator
) -> None:
    circuit = build_ansatz(3, 2, entanglement="full", encoding_axis="z", rotations=("rz", "ry", "rx"))
    parameters = rng.uniform(-math.pi, math.pi, size=(4, circuit.n_parameters))
    states = engine(dtype).final_states(translate(circuit), parameters)
    assert states.dtype == dtype
    expected = np.array([reference.final_state(circuit, row) for row in parameters])
    np.testing.assert_allclose(states, expected, atol=1e-6 if dtype == np.complex64 else 1e-12)


def test_columns_become_named_symbols_bound_row_by_row_by_one_sweep() -> None:
    circuit = build_ansatz(2, 1)  # 2 input columns, 4 weight columns
    program = translate(circuit)
    assert [s.name for s in program.symbols] == ["x0", "x1", "w0", "w1", "w2", "w3"]
    assert cirq.parameter_names(program.circuit) == {"x0", "x1", "w0", "w1", "w2", "w3"}
    parameters = np.arange(18, dtype=float).reshape(3, 6)
    resolvers = list(program.sweep(parameters))
    assert len(resolvers) == 3
    for row, resolver in zip(parameters, resolvers, strict=True):
        assert [resolver.value_of(symbol) for symbol in program.symbols] == row.tolist()


def test_a_circuit_without_parameters_is_one_point() -> None:
    program = translate(Circuit(2, (Operation("h", (0,)),)))
    assert program.symbols == ()
    assert len(program.sweep(np.zeros((5, 0)))) == 1


def test_rotations_record_their_generator_and_column() -> None:
    circuit = Circuit(2, (Operation("ry", (1,), 2),), n_inputs=1, n_weights=2)
    [step] = translate(circuit).steps
    assert isinstance(step, RotationStep)
    assert (step.generator, step.column, step.wires) == (cirq.Y(cirq.LineQubit(1)), 2, (1,))


def test_translations_are_cached_per_circuit_in_a_bounded_cache() -> None:
    circuit = build_ansatz(3, 1)
    assert translate(circuit) is translate(build_ansatz(3, 1))  # equal circuits share one entry
    expanded, _ = circuit.unique_parameter_form
    assert translate(expanded) is not translate(circuit)
    assert len(translate(expanded).symbols) == expanded.n_parameters
    assert translate.cache_info().maxsize == CACHE_SIZE
