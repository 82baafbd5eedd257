"""Born-rule sampling: the amplitude-encoding circuit against the dense reference, and draws
against their probabilities (classically and on the quantum backend)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from dense_backend import DenseBackend

from q_store.sampling import BornSampler, preparation_angles, state_preparation_circuit
from q_store_contract_tests import reference
from q_store_mock import MockBackend


@pytest.mark.parametrize("m", [1, 2, 3, 4])
def test_state_preparation_is_exact(m: int, rng: np.random.Generator) -> None:
    probabilities = rng.dirichlet(np.full(1 << m, 0.4), size=6)
    probabilities[0] = 0.0
    probabilities[0, -1] = 1.0  # a point mass
    circuit = state_preparation_circuit(m)
    assert circuit.gates <= {"ry", "cnot"}
    assert circuit.n_parameters == (1 << m) - 1
    for row, p in zip(preparation_angles(probabilities), probabilities, strict=True):
        psi = reference.final_state(circuit, row)
        np.testing.assert_allclose(psi, np.sqrt(p), atol=1e-12)  # real, non-negative amplitudes


def _frequencies(sampler: BornSampler, p: list[float], draws: int) -> np.ndarray:
    outcomes = sampler.sample([p] * draws)
    return np.bincount(outcomes, minlength=len(p)) / draws


@pytest.mark.parametrize(
    "backend",
    [None, MockBackend(), DenseBackend()],
    ids=["classical", "mock (samples)", "dense (expectations only)"],
)
def test_draws_follow_the_probabilities(backend: object) -> None:
    p = [0.6, 0.3, 0.1]
    draws = 3000
    sampler = BornSampler(np.random.default_rng(3), backend)  # type: ignore[arg-type]
    frequencies = _frequencies(sampler, p, draws)
    bound = 5 * np.sqrt(np.array(p) * (1 - np.array(p)) / draws)
    assert np.all(np.abs(frequencies - p) <= bound)
    assert sampler.quantum is (backend is not None)


def test_impossible_outcomes_never_happen() -> None:
    sampler = BornSampler(np.random.default_rng(0), MockBackend())
    outcomes = sampler.sample([[0.0, 1.0, 0.0]] * 200 + [[0.5, 0.0, 0.5]] * 200)
    assert set(outcomes[:200]) == {1}
    assert set(outcomes[200:]) <= {0, 2}


def test_same_seed_same_draws() -> None:
    p = [[0.25, 0.25, 0.5]] * 50
    first = BornSampler(np.random.default_rng(9), MockBackend()).sample(p)
    second = BornSampler(np.random.default_rng(9), MockBackend()).sample(p)
    assert first == second
    assert first != BornSampler(np.random.default_rng(10), MockBackend()).sample(p)


def test_two_outcomes_use_one_qubit() -> None:
    assert state_preparation_circuit(1).n_qubits == 1
    t = 0.3
    angle = preparation_angles(np.array([[1 - t, t]]))[0, 0]
    assert angle == pytest.approx(2 * math.asin(math.sqrt(t)))
