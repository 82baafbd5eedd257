"""Backend-agnostic gradients: parameter shift (one backend call per batch) and SPSA, checked
against finite differences of the dense reference."""

from __future__ import annotations

import math

import numpy as np
import pytest
from dense_backend import DenseBackend

from q_store import (
    ArgumentError,
    CapabilityError,
    Circuit,
    Operation,
    PauliString,
    build_ansatz,
    parameter_shift_jacobian,
    spsa_vjp,
)
from q_store.gradients import resolve_diff_method
from q_store_contract_tests import corpus, reference
from q_store_mock import MockBackend

OBSERVABLES = (PauliString.z(0), PauliString.from_label("XZY"))


@pytest.mark.parametrize("case", list(corpus.random_cases(count=8, max_qubits=4, rows=2, seed=9)), ids=str)
def test_parameter_shift_equals_finite_differences(dense_backend: DenseBackend, case: corpus.Case) -> None:
    jacobian = parameter_shift_jacobian(dense_backend, case.circuit, case.parameters, case.observables)
    expected = reference.finite_difference_jacobian(case.circuit, case.parameters, case.observables)
    np.testing.assert_allclose(jacobian, expected, atol=1e-7)


def test_all_shifted_rows_go_in_one_backend_call(
    dense_backend: DenseBackend, rng: np.random.Generator
) -> None:
    circuit = build_ansatz(3, 2)
    rows = rng.uniform(-3, 3, size=(5, circuit.n_parameters))
    parameter_shift_jacobian(dense_backend, circuit, rows, OBSERVABLES)
    assert dense_backend.calls == [5 * 2 * circuit.n_parameters]


def test_only_the_requested_columns_are_shifted(
    dense_backend: DenseBackend, rng: np.random.Generator
) -> None:
    circuit = build_ansatz(3, 1)
    rows = rng.uniform(-3, 3, size=(2, circuit.n_parameters))
    weights_only = np.arange(circuit.n_parameters) >= circuit.n_inputs
    jacobian = parameter_shift_jacobian(dense_backend, circuit, rows, OBSERVABLES, columns=weights_only)
    assert dense_backend.calls == [2 * 2 * circuit.n_weights]
    assert np.all(jacobian[:, :, : circuit.n_inputs] == 0)
    full = reference.finite_difference_jacobian(circuit, rows, OBSERVABLES)
    np.testing.assert_allclose(jacobian[:, :, circuit.n_inputs :], full[:, :, circuit.n_inputs :], atol=1e-7)


def test_a_column_read_by_several_gates_gets_the_sum() -> None:
    # <Z> after RX(t) RX(t) is cos(2t): d/dt = -2 sin(2t), twice a single gate's derivative.
    circuit = Circuit(1, [Operation("rx", (0,), 0), Operation("rx", (0,), 0)], n_weights=1)
    t = np.array([[0.37]])
    jacobian = parameter_shift_jacobian(MockBackend(precision="double"), circuit, t, (PauliString.z(0),))
    assert jacobian[0, 0, 0] == pytest.approx(-2 * math.sin(2 * 0.37), abs=1e-12)


def test_parameter_shift_with_shots_is_unbiased_within_its_error() -> None:
    backend = MockBackend(precision="double")
    circuit = build_ansatz(2, 1)
    rows = np.full((1, circuit.n_parameters), 0.4)
    exact = reference.finite_difference_jacobian(circuit, rows, OBSERVABLES[:1])
    shots = 20000
    sampled = parameter_shift_jacobian(backend, circuit, rows, OBSERVABLES[:1], shots=shots, seed=5)
    assert np.abs(sampled - exact).max() <= 5 * math.sqrt(1 / (2 * shots))
    assert not np.allclose(sampled, exact, atol=1e-9)  # it really sampled


def test_spsa_uses_two_executions_per_row(dense_backend: DenseBackend, rng: np.random.Generator) -> None:
    circuit = build_ansatz(3, 2)
    rows = rng.uniform(-3, 3, size=(4, circuit.n_parameters))
    upstream = rng.normal(size=(4, len(OBSERVABLES)))
    spsa_vjp(dense_backend, circuit, rows, OBSERVABLES, upstream, rng=rng)
    assert dense_backend.calls == [2 * 4]


def test_spsa_is_exact_for_one_parameter(dense_backend: DenseBackend) -> None:
    # With one parameter the random sign cancels: the estimate is a central difference.
    circuit = Circuit(1, [Operation("ry", (0,), 0)], n_weights=1)
    rows = np.array([[0.8]])
    upstream = np.array([[1.0]])
    estimate = spsa_vjp(
        dense_backend,
        circuit,
        rows,
        (PauliString.z(0),),
        upstream,
        rng=np.random.default_rng(0),
        epsilon=1e-4,
    )
    assert estimate[0, 0] == pytest.approx(-math.sin(0.8), abs=1e-7)


def test_spsa_averages_to_the_gradient(dense_backend: DenseBackend, rng: np.random.Generator) -> None:
    circuit = build_ansatz(2, 1)
    rows = np.repeat(rng.uniform(-2, 2, size=(1, circuit.n_parameters)), 4000, axis=0)
    upstream = np.ones((rows.shape[0], 1))
    estimates = spsa_vjp(dense_backend, circuit, rows, (PauliString.z(1),), upstream, rng=rng, epsilon=0.01)
    exact = reference.finite_difference_jacobian(circuit, rows[:1], (PauliString.z(1),))[0, 0]
    # Each estimate is the gradient plus zero-mean cross terms bounded by sum |g_j|.
    standard_error = np.abs(exact).sum() / math.sqrt(rows.shape[0])
    assert np.abs(estimates.mean(axis=0) - exact).max() <= 5 * standard_error


def test_resolve_diff_method() -> None:
    circuit = build_ansatz(2, 1)
    mock = MockBackend()
    assert resolve_diff_method(mock, circuit, "auto", shots=None) == "backprop"
    assert resolve_diff_method(mock, build_ansatz(16, 1), "auto", shots=None) == "adjoint"
    assert resolve_diff_method(mock, circuit, "auto", shots=100) == "parameter-shift"
    assert resolve_diff_method(DenseBackend(), circuit, "auto", shots=None) == "parameter-shift"
    assert resolve_diff_method(mock, circuit, "spsa", shots=None) == "spsa"
    with pytest.raises(ArgumentError, match="offers auto, parameter-shift, spsa, backprop, adjoint"):
        resolve_diff_method(mock, circuit, "finite-diff", shots=None)
    with pytest.raises(ArgumentError, match="backprop"):
        resolve_diff_method(DenseBackend(), circuit, "backprop", shots=None)
    with pytest.raises(CapabilityError, match="shots"):
        resolve_diff_method(mock, circuit, "adjoint", shots=100)
