"""Shots mode: estimates from measurements, reproducible from the seed, independent per row."""

from __future__ import annotations

import math

import numpy as np
import pytest

from q_store import Circuit, Operation, PauliString, build_ansatz
from q_store_pennylane import PennyLaneBackend

DEVICES = ("default.qubit", "lightning.qubit", "default.mixed")


@pytest.mark.parametrize("device", DEVICES)
def test_the_same_seed_gives_the_same_estimates_whatever_ran_before(device: str) -> None:
    backend = PennyLaneBackend(device=device)
    circuit = build_ansatz(3, 1)
    parameters = np.random.default_rng(1).uniform(-2, 2, size=(4, circuit.n_parameters))
    observables = (PauliString.z(0), PauliString.from_label("XYZ"))
    first = backend.run(circuit, parameters, observables, shots=300, seed=5)
    backend.run(circuit, parameters, observables, shots=300, seed=6)  # advances nothing shared
    again = backend.run(circuit, parameters, observables, shots=300, seed=5)
    np.testing.assert_array_equal(first, again)
    samples = backend.run_samples(circuit, parameters, shots=50, seed=5)
    np.testing.assert_array_equal(samples, backend.run_samples(circuit, parameters, shots=50, seed=5))


@pytest.mark.parametrize("device", DEVICES)
def test_estimates_follow_the_born_rule(device: str) -> None:
    # RY(t) on |0>: <Z> = cos t, <X> = sin t; each estimate is a mean of +-1 outcomes.
    backend = PennyLaneBackend(device=device)
    circuit = Circuit(1, (Operation("ry", (0,), 0),), n_weights=1)
    angles = np.array([[0.3], [1.1], [2.5]])
    shots = 20000
    estimate = backend.run(circuit, angles, (PauliString.z(0), PauliString.x(0)), shots=shots, seed=9)
    exact = np.stack([np.cos(angles[:, 0]), np.sin(angles[:, 0])], axis=1)
    assert np.all(np.abs(estimate - exact) <= 5 * np.sqrt((1 - exact**2) / shots) + 1e-12)


@pytest.mark.parametrize("device", DEVICES)
def test_rows_of_a_parameter_free_circuit_are_sampled_independently(device: str) -> None:
    """Without a parameter nothing is broadcast; every row must still get its own shots, not a
    copy of the first row's estimate. Equal 400-shot estimates of <Z> = 0 happen ~4% of the time
    per pair, so among five rows some must differ."""
    backend = PennyLaneBackend(device=device)
    circuit = Circuit(1, (Operation("h", (0,)),))
    estimates = backend.run(circuit, np.zeros((5, 0)), shots=400, seed=3)
    assert len(set(estimates[:, 0].tolist())) > 1
    samples = backend.run_samples(circuit, np.zeros((5, 0)), shots=64, seed=3)
    assert samples.shape == (5, 64, 1)
    assert len({row.tobytes() for row in samples}) == 5


def test_seeding_leaves_numpy_global_generator_alone() -> None:
    backend = PennyLaneBackend()
    circuit = build_ansatz(2, 1)
    np.random.seed(123)
    expected_next = np.random.random()
    np.random.seed(123)
    backend.run(circuit, np.zeros(circuit.n_parameters), shots=10, seed=None)
    backend.run(circuit, np.zeros(circuit.n_parameters))
    assert np.random.random() == expected_next


def test_one_shot_samples_keep_their_shape() -> None:
    backend = PennyLaneBackend()
    circuit = Circuit(2, (Operation("x", (0,)),))
    samples = backend.run_samples(circuit, np.zeros((3, 0)), shots=1, seed=0)
    assert samples.shape == (3, 1, 2)
    assert samples.tolist() == [[[1, 0]]] * 3


def test_shot_noise_shrinks_with_shots() -> None:
    """Estimates are sampled, not exact values rounded: the spread over seeds is ~1/sqrt(shots)."""
    backend = PennyLaneBackend()
    circuit = Circuit(1, (Operation("h", (0,)),))
    spreads = []
    for shots in (100, 10000):
        values = [backend.run(circuit, shots=shots, seed=s)[0] for s in range(40)]
        spreads.append(float(np.std(values)))
    # Standard deviations 0.1 and 0.01; the 40-seed estimates are within a factor of ~1.5.
    assert 0.06 < spreads[0] < 0.15
    assert 0.006 < spreads[1] < 0.015
    assert math.isclose(spreads[0] / spreads[1], 10, rel_tol=0.6)
