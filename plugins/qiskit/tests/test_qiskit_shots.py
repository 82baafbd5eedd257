"""Seeded shots and samples: closed forms within statistical bounds, reproducibility, wire order."""

from __future__ import annotations

import math

import numpy as np
import pytest

from q_store import ArgumentError, Circuit, Operation, PauliString, build_ansatz
from q_store_contract_tests import corpus, reference
from q_store_qiskit import QiskitBackend

SIGMAS = 5.0


def within_bound(estimate: np.ndarray, exact: np.ndarray, shots: int) -> bool:
    """Each estimate within 5 standard errors sqrt((1 - e^2) / shots) of the exact value."""
    bound = SIGMAS * np.sqrt(np.clip(1 - exact**2, 0, None) / shots) + 1e-9
    return bool(np.all(np.abs(estimate - exact) <= bound))


def test_one_qubit_estimates_follow_the_born_rule() -> None:
    # RY(t)|0>: <Z> = cos t, <X> = sin t, <Y> = 0.
    circuit = Circuit(1, [Operation("ry", (0,), 0)], n_weights=1)
    angles = np.array([[0.4], [1.1], [2.5]])
    shots = 20_000
    estimate = QiskitBackend().run(
        circuit, angles, [PauliString.z(0), PauliString.x(0), PauliString.y(0)], shots=shots, seed=3
    )
    exact = np.hstack([np.cos(angles), np.sin(angles), np.zeros_like(angles)])
    assert within_bound(estimate, exact, shots)


def test_grouped_observables_match_the_reference() -> None:
    """Observables that share a measurement setting are estimated from the same shots."""
    case = next(iter(corpus.entanglement_patterns(n=4, depth=2, rows=3, seed=21)))
    observables = (
        *case.observables,
        PauliString.from_label("XYII"),  # shares the setting of the contract's XYZZ
        PauliString.from_label("IIXX"),
        PauliString(()),  # identity: exactly 1
    )
    shots = 8000
    estimate = QiskitBackend().run(case.circuit, case.parameters, observables, shots=shots, seed=5)
    exact = reference.expectations(case.circuit, case.parameters, observables)
    assert within_bound(estimate, exact, shots)
    np.testing.assert_array_equal(estimate[:, -1], 1.0)


@pytest.mark.parametrize("method", ["statevector", "automatic", "matrix_product_state"])
def test_the_same_seed_reproduces_estimates_and_samples(method: str) -> None:
    backend = QiskitBackend(method=method)  # type: ignore[arg-type]
    circuit = build_ansatz(3, 1)
    rows = np.full((2, circuit.n_parameters), 0.7)
    first = backend.run(circuit, rows, shots=300, seed=11)
    np.testing.assert_array_equal(first, backend.run(circuit, rows, shots=300, seed=11))
    assert not np.array_equal(first, backend.run(circuit, rows, shots=300, seed=12))
    samples = backend.run_samples(circuit, rows, shots=50, seed=11)
    np.testing.assert_array_equal(samples, backend.run_samples(circuit, rows, shots=50, seed=11))


def test_equal_rows_get_independent_shots() -> None:
    # Identical rows are separate executions: their 200-shot samples must not all coincide.
    circuit = build_ansatz(3, 1)
    rows = np.full((4, circuit.n_parameters), 0.7)
    samples = QiskitBackend().run_samples(circuit, rows, shots=200, seed=4)
    assert len({s.tobytes() for s in samples}) == 4


def test_parameter_free_circuits_split_their_shots_into_independent_rows() -> None:
    circuit = Circuit(1, [Operation("h", (0,))])
    shots = 4000
    samples = QiskitBackend().run_samples(circuit, np.zeros((3, 0)), shots=shots, seed=9)
    assert samples.shape == (3, shots, 1)
    assert len({s.tobytes() for s in samples}) == 3
    frequencies = samples[..., 0].mean(axis=1)
    assert np.all(np.abs(frequencies - 0.5) <= SIGMAS * math.sqrt(0.25 / shots))
    estimate = QiskitBackend().run(circuit, np.zeros((3, 0)), [PauliString.x(0)], shots=shots, seed=9)
    np.testing.assert_array_equal(estimate, 1.0)  # |+> is an X eigenstate: no noise at all


def test_samples_put_wire_zero_first() -> None:
    """Qiskit's bitstrings are little-endian; columns here are wires 0, 1, 2."""
    circuit = Circuit(3, [Operation("x", (2,)), Operation("ry", (0,), 0)], n_weights=1)
    samples = QiskitBackend().run_samples(circuit, [[math.pi], [0.0]], shots=20, seed=1)
    np.testing.assert_array_equal(samples[0], np.tile([1, 0, 1], (20, 1)))
    np.testing.assert_array_equal(samples[1], np.tile([0, 0, 1], (20, 1)))
    assert samples.dtype == np.uint8


def test_samples_of_an_empty_batch() -> None:
    circuit = build_ansatz(2, 1)
    assert QiskitBackend().run_samples(circuit, np.zeros((0, circuit.n_parameters)), shots=7).shape == (
        0,
        7,
        2,
    )


def test_seeds_beyond_aers_range_are_typed_errors() -> None:
    circuit = build_ansatz(2, 1)
    with pytest.raises(ArgumentError, match="2\\*\\*63") as info:
        QiskitBackend().run(circuit, np.zeros(circuit.n_parameters), shots=10, seed=2**63)
    assert info.value.argument == "seed"
