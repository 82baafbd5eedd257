"""Every installed simulator backend agrees with the dense reference, hence with the others.

Run by ``nox -s cross_backend``, which installs every simulator plugin. Exact execution must agree
to 1e-5; shot estimates to within 5 standard errors, sqrt((1 - e^2) / shots), of the reference.
The same state_dict must give the same layer outputs and gradients on every backend.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from q_store import DatabaseConfig, PauliString, QuantumBackend, QuantumLayer, create_backend, get_registry
from q_store_contract_tests import corpus, reference

SIMULATORS = ("mock", "cirq", "qiskit", "pennylane")
INSTALLED = [name for name in SIMULATORS if name in get_registry().backend_names()]
CASES = list(corpus.random_cases(count=60, max_qubits=6, rows=3, seed=4242))
EXACT_ATOL = 1e-5
SHOTS = 4000


@pytest.fixture(scope="module")
def backends() -> dict[str, QuantumBackend]:
    if len(INSTALLED) < 2:
        pytest.skip(f"needs at least two simulator plugins; installed: {INSTALLED}")
    return {name: create_backend(DatabaseConfig(quantum_sdk=name)) for name in INSTALLED}


def test_all_simulators_are_installed_in_this_session() -> None:
    """The nox session installs all four; a missing one would silently shrink the comparison."""
    assert list(SIMULATORS) == INSTALLED, f"installed: {INSTALLED}"


@pytest.mark.parametrize("case", CASES, ids=str)
def test_exact_values_agree(backends: dict[str, QuantumBackend], case: corpus.Case) -> None:
    expected = reference.expectations(case.circuit, case.parameters, case.observables)
    for name, backend in backends.items():
        got = backend.run(case.circuit, case.parameters, case.observables)
        np.testing.assert_allclose(got, expected, atol=EXACT_ATOL, err_msg=f"backend {name!r}")


@pytest.mark.parametrize("case", CASES[::6], ids=str)
def test_shot_estimates_agree_statistically(backends: dict[str, QuantumBackend], case: corpus.Case) -> None:
    expected = reference.expectations(case.circuit, case.parameters, case.observables)
    bound = 5 * np.sqrt(np.clip(1 - expected**2, 0, None) / SHOTS) + 1e-9
    for name, backend in backends.items():
        got = backend.run(case.circuit, case.parameters, case.observables, shots=SHOTS, seed=17)
        assert np.all(np.abs(got - expected) <= bound), (
            f"backend {name!r}: {np.abs(got - expected).max():.3g}"
        )


def test_the_same_state_dict_gives_the_same_layer_everywhere(backends: dict[str, QuantumBackend]) -> None:
    torch.manual_seed(3)
    observables = [PauliString.z(0), PauliString.from_label("XYZ")]
    reference_layer = QuantumLayer(3, 2, entanglement="circular", observables=observables)
    x = torch.randn(5, 3, dtype=torch.float64)
    results = {}
    for name, backend in backends.items():
        layer = QuantumLayer(
            3,
            2,
            entanglement="circular",
            observables=observables,
            backend=backend,
            diff_method="parameter-shift",
        )
        layer.load_state_dict(reference_layer.state_dict())
        inputs = x.clone().requires_grad_(True)
        out = layer(inputs)
        out.pow(2).sum().backward()
        assert inputs.grad is not None
        assert layer.weights.grad is not None
        results[name] = (out.detach(), inputs.grad, layer.weights.grad.double())
    first = next(iter(results.values()))
    for name, values in results.items():
        for got, want in zip(values, first, strict=True):
            torch.testing.assert_close(got, want, atol=2e-5, rtol=0, msg=f"backend {name!r}")
