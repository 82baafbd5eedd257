"""Options, their typed errors, selection through DatabaseConfig, and the declared limits."""

from __future__ import annotations

import math
import os

import numpy as np
import pytest

from q_store import (
    ArgumentError,
    Circuit,
    ConfigError,
    DatabaseConfig,
    Operation,
    PauliString,
    QubitLimitError,
    UnsupportedGateError,
    create_backend,
)
from q_store_contract_tests import corpus, reference
from q_store_qiskit import QiskitBackend


def physical_memory_bytes() -> int:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def test_database_config_selects_the_plugin_with_its_options() -> None:
    backend = create_backend(
        DatabaseConfig(
            quantum_sdk="qiskit", backend_options={"method": "density_matrix", "precision": "single"}
        )
    )
    assert isinstance(backend, QiskitBackend)
    assert (backend.options.method, backend.options.precision, backend.options.device) == (
        "density_matrix",
        "single",
        "CPU",
    )


def test_defaults() -> None:
    options = QiskitBackend().options
    assert (options.method, options.precision, options.device) == ("statevector", "double", "CPU")


@pytest.mark.parametrize(
    ("options", "argument"),
    [
        ({"method": "stabilizer"}, "method"),  # Clifford-only: cannot run arbitrary rotations
        ({"method": "unitary"}, "method"),
        ({"precision": "half"}, "precision"),
        ({"device": "abacus"}, "device"),
        ({"device": 0}, "device"),
        ({"max_qubits": 0}, "max_qubits"),
        ({"max_qubits": True}, "max_qubits"),
        ({"max_qubits": 2.5}, "max_qubits"),
        ({"max_qubits": 10_000}, "max_qubits"),
        ({"method": "density_matrix", "max_qubits": 20}, "max_qubits"),
    ],
)
def test_bad_options_are_typed_errors_naming_the_option(options: dict[str, object], argument: str) -> None:
    with pytest.raises(ArgumentError) as info:
        create_backend(DatabaseConfig(quantum_sdk="qiskit", backend_options=options))
    assert info.value.argument == argument


def test_unknown_options_are_refused_by_name() -> None:
    with pytest.raises(ConfigError, match="colour") as info:
        create_backend(DatabaseConfig(quantum_sdk="qiskit", backend_options={"colour": "blue"}))
    assert info.value.argument == "backend_options"
    assert "method" in str(info.value)  # and says what is accepted


def test_device_names_are_case_insensitive() -> None:
    assert QiskitBackend(device="cpu").options.device == "CPU"


def test_statevector_limit_is_what_fits_in_this_machines_memory() -> None:
    """2**n amplitudes of 16 bytes (double) must fit in memory; one more qubit must not."""
    limit = QiskitBackend().capabilities.max_qubits
    memory = physical_memory_bytes()
    assert 2**limit * 16 <= memory < 2 ** (limit + 1) * 16


def test_density_matrix_limit_is_half_as_many_qubits() -> None:
    limit = QiskitBackend(method="density_matrix").capabilities.max_qubits
    assert 4**limit * 16 <= physical_memory_bytes()
    assert limit == QiskitBackend().capabilities.max_qubits // 2


def test_matrix_product_states_go_beyond_the_statevector_limit() -> None:
    """A 40-qubit GHZ state (1 TiB as a statevector) is small as an MPS: closed-form values."""
    n = 40
    statevector, mps = QiskitBackend(), QiskitBackend(method="matrix_product_state")
    case = corpus.ghz(n)
    with pytest.raises(
        QubitLimitError, match=f"'qiskit' supports at most {statevector.capabilities.max_qubits}"
    ):
        statevector.run(case.circuit, observables=case.observables)
    values = mps.run(case.circuit, observables=case.observables)
    assert case.expected is not None
    np.testing.assert_allclose(values, case.expected[0], atol=1e-9)


def test_matrix_product_states_on_a_wide_batch_of_product_states(rng: np.random.Generator) -> None:
    n = 36
    circuit = Circuit(n, [Operation("ry", (q,), q) for q in range(n)], n_inputs=n)
    angles = rng.uniform(-math.pi, math.pi, size=(3, n))
    values = QiskitBackend(method="matrix_product_state").run(circuit, angles)
    np.testing.assert_allclose(values, np.cos(angles), atol=1e-9)


def test_max_qubits_lowers_the_limit() -> None:
    backend = QiskitBackend(max_qubits=3)
    assert backend.capabilities.max_qubits == 3
    with pytest.raises(QubitLimitError, match="at most 3 qubits; the circuit has 4"):
        backend.run(corpus.ghz(4).circuit)


def test_the_class_declares_every_gate_and_no_unsupported_gate_error_arises() -> None:
    backend = QiskitBackend()
    for case in corpus.random_cases(count=6):
        try:
            backend.run(case.circuit, case.parameters, case.observables)
        except UnsupportedGateError:  # pragma: no cover - the failure message is the point
            pytest.fail(f"{case.name}: a declared gate was refused")


@pytest.mark.parametrize(("precision", "atol"), [("single", 1e-5), ("double", 1e-12)])
def test_precision_is_honoured(precision: str, atol: float) -> None:
    backend = QiskitBackend(precision=precision)  # type: ignore[arg-type]
    worst = 0.0
    for case in corpus.random_cases(count=12, max_qubits=6, seed=77):
        got = backend.run(case.circuit, case.parameters, case.observables)
        expected = reference.expectations(case.circuit, case.parameters, case.observables)
        worst = max(worst, float(np.abs(got - expected).max()))
    assert worst <= atol
    if precision == "single":
        assert worst > 1e-12  # it really computed in single precision


def test_automatic_method_is_right_when_the_first_row_is_clifford() -> None:
    """Regression: with Aer's runtime parameter binding, 'automatic' would pick the stabilizer
    method from row 0 (angle 0) and round every other row's angle. Closed form: <X> = cos t."""
    circuit = Circuit(1, [Operation("h", (0,)), Operation("rz", (0,), 0)], n_weights=1)
    angles = np.array([[0.0], [0.3], [2.0]])
    values = QiskitBackend(method="automatic").run(circuit, angles, [PauliString.x(0), PauliString.y(0)])
    np.testing.assert_allclose(values, np.hstack([np.cos(angles), np.sin(angles)]), atol=1e-12)
