"""The cost guard: circuits x shots are estimated before anything is sent, and a call over the
budget is refused with a message that states the estimate and how to raise the budget."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch

from q_store import DatabaseConfig, PauliString, QuantumLayer, build_ansatz, parameter_shift_jacobian
from q_store.errors import CapabilityError
from q_store_contract_tests import reference
from q_store_ionq import QPU_LIMITS, SIMULATOR_LIMITS, IonQBackend
from q_store_ionq.testing import LoopbackIonQServer
from q_store_ionq.testing.simulator import NOISE_FIDELITY

Make = Callable[..., IonQBackend]
CIRCUIT = build_ansatz(3, 1)  # 3 encoding RY + 6 trained rotations + 2 CNOTs


def parameters(count: int) -> np.ndarray:
    return np.random.default_rng(count).uniform(-2, 2, size=(count, CIRCUIT.n_parameters))


def test_simulator_defaults_are_generous_and_use_parameter_shift(make_backend: Make) -> None:
    backend = make_backend()
    assert backend.options.limits == SIMULATOR_LIMITS
    assert SIMULATOR_LIMITS.max_circuits_per_call == 50_000
    assert SIMULATOR_LIMITS.max_shots_per_call == 50_000_000
    assert backend.preferred_diff_method(CIRCUIT, shots=None) == "parameter-shift"


def test_qpu_defaults_are_strict_and_use_spsa(make_backend: Make) -> None:
    backend = make_backend(target="qpu.aria-1")
    assert backend.options.limits == QPU_LIMITS
    assert (QPU_LIMITS.max_circuits_per_call, QPU_LIMITS.max_shots_per_call) == (10, 10_000)
    assert backend.preferred_diff_method(CIRCUIT, shots=1000) == "spsa"
    assert backend.capabilities.max_qubits == 25


def test_a_call_over_budget_is_refused_before_anything_is_sent(
    server: LoopbackIonQServer, make_backend: Make
) -> None:
    backend = make_backend(target="qpu.aria-1")
    with pytest.raises(CapabilityError) as info:
        backend.run(CIRCUIT, parameters(12), shots=1000)
    message = str(info.value)
    assert "12 circuit(s) x 1000 shots = 12000 shots on IonQ target 'qpu.aria-1'" in message
    assert "max_circuits_per_call=10 (needs 12)" in message
    assert "max_shots_per_call=10000 (needs 12000)" in message
    assert (
        "DatabaseConfig(backend_options={'max_circuits_per_call': 12, 'max_shots_per_call': 12000})"
        in message
    )
    assert "Nothing was submitted" in message
    assert server.requests == []  # not even qiskit-ionq's lookups: the service is never built


def test_every_measurement_basis_counts_as_a_circuit(server: LoopbackIonQServer, make_backend: Make) -> None:
    backend = make_backend(target="qpu.aria-1")
    mixed = (PauliString.z(0), PauliString.x(0))
    with pytest.raises(CapabilityError, match=r"12 circuit\(s\)"):
        backend.run(CIRCUIT, parameters(6), mixed, shots=100)
    assert server.jobs_created == 0


def test_parameter_shift_rows_are_counted_and_refused_on_a_qpu(make_backend: Make) -> None:
    backend = make_backend(target="qpu.aria-1")
    rows = parameters(2)
    # 9 parametrised gates -> 18 shifted rows per sample -> 36 circuits
    with pytest.raises(CapabilityError, match=r"36 circuit\(s\) x 100 shots.*diff_method='spsa'"):
        parameter_shift_jacobian(backend, CIRCUIT, rows, (PauliString.z(0),), shots=100)


def test_samples_are_guarded_too(make_backend: Make) -> None:
    with pytest.raises(CapabilityError, match=r"11 circuit\(s\)"):
        make_backend(target="qpu.aria-1").run_samples(CIRCUIT, parameters(11), shots=10)


def test_within_budget_the_qpu_runs_and_the_estimate_is_logged(
    server: LoopbackIonQServer, make_backend: Make, caplog: pytest.LogCaptureFixture
) -> None:
    """The loopback QPU returns frequencies of shots of a depolarized state: <Z> shrinks by F."""
    caplog.set_level(logging.INFO, logger="q_store_ionq")
    backend = make_backend(target="qpu.aria-1")
    rows = parameters(6)
    observables = (PauliString.z(0), PauliString.from_label("ZZZ"))
    shots = 1600
    values = backend.run(CIRCUIT, rows, observables, shots=shots, seed=1)
    assert "IonQ call: 6 circuit(s) x 1600 shots = 9600 shots on IonQ target 'qpu.aria-1'" in caplog.text
    one, two = NOISE_FIDELITY["aria-1"]
    fidelity = one**9 * two**2
    expected = fidelity * reference.expectations(CIRCUIT, rows, observables)
    tolerance = 5 * np.sqrt(np.clip(1 - expected**2, 0, None) / shots)
    assert np.all(np.abs(values - expected) <= tolerance)
    assert server.jobs_created == 1


def test_raised_limits_allow_the_call(make_backend: Make) -> None:
    backend = make_backend(target="qpu.aria-1", max_circuits_per_call=12, max_shots_per_call=12_000)
    assert backend.run(CIRCUIT, parameters(12), shots=1000).shape == (12, 3)


def test_the_layer_defaults_to_spsa_on_a_qpu_and_a_step_stays_within_budget(
    server: LoopbackIonQServer, fast_options: dict[str, Any]
) -> None:
    config = DatabaseConfig(
        quantum_sdk="ionq",
        ionq_api_key=server.api_key,
        ionq_target="qpu.aria-1",
        shots=200,
        seed=0,
        backend_options={**fast_options, "url": server.url},
    )
    layer = QuantumLayer(n_qubits=2, depth=1, config=config)
    assert layer.diff_method == "spsa"
    outputs = layer(torch.rand(4, 2))  # 4 circuits
    outputs.sum().backward()  # SPSA: 8 circuits, within the 10-circuit default
    assert layer.weights.grad is not None
    assert torch.isfinite(layer.weights.grad).all()
    assert server.jobs_created == 2
