"""What is special to the Cirq backend: its options and their typed errors, precision, chunked
batches, shot grouping and seeding, and samples; each checked against the dense reference or a
closed form."""

from __future__ import annotations

import math

import numpy as np
import pytest

from q_store import (
    ArgumentError,
    Circuit,
    DatabaseConfig,
    Operation,
    PauliString,
    QubitLimitError,
    build_ansatz,
    create_backend,
)
from q_store_cirq import CirqBackend
from q_store_cirq import backend as backend_module
from q_store_cirq.measurement import MeasurementGroup, measurement_groups
from q_store_contract_tests import corpus, reference

SIMULATORS = ["batched", "sparse"]
BELL = Circuit(2, (Operation("h", (0,)), Operation("cnot", (0, 1))))


# ---------------------------------------------------------------------------- options


def test_registered_under_cirq_with_default_options() -> None:
    backend = create_backend(DatabaseConfig(quantum_sdk="cirq"))
    assert isinstance(backend, CirqBackend)
    assert (backend.simulator, backend.dtype) == ("batched", np.complex64)
    assert backend.capabilities.max_qubits == 24
    assert backend.capabilities.native_diff_methods == ()
    assert backend.preferred_diff_method(build_ansatz(2, 1), shots=None) == "parameter-shift"


def test_options_are_read_from_the_config() -> None:
    config = DatabaseConfig(
        quantum_sdk="cirq", backend_options={"simulator": "sparse", "dtype": "complex128", "max_qubits": 12}
    )
    backend = create_backend(config)
    assert isinstance(backend, CirqBackend)
    assert (backend.simulator, backend.dtype) == ("sparse", np.complex128)
    assert backend.capabilities.max_qubits == 12


@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
def test_numpy_dtypes_are_accepted(dtype: type[np.complexfloating]) -> None:
    assert CirqBackend(dtype=dtype).dtype is dtype


@pytest.mark.parametrize(
    ("options", "argument", "allowed"),
    [
        ({"simulator": "density-matrix"}, "simulator", "batched, sparse"),
        ({"dtype": "complex32"}, "dtype", "'complex64' or 'complex128'"),
        ({"dtype": np.float64}, "dtype", "'complex64' or 'complex128'"),
        ({"max_qubits": 0}, "max_qubits", "from 1 to 28"),
        ({"max_qubits": 29}, "max_qubits", "from 1 to 28"),
        ({"max_qubits": True}, "max_qubits", "from 1 to 28"),
        ({"colour": "blue"}, "backend_options", "dtype, max_qubits, simulator"),
    ],
)
def test_bad_options_are_typed_errors_naming_the_option(
    options: dict[str, object], argument: str, allowed: str
) -> None:
    with pytest.raises(ArgumentError, match=allowed) as info:
        create_backend(DatabaseConfig(quantum_sdk="cirq", backend_options=options))
    assert info.value.argument == argument


def test_the_declared_qubit_limit_is_enforced_by_name() -> None:
    backend = CirqBackend(max_qubits=5)
    with pytest.raises(QubitLimitError, match=r"'cirq' supports at most 5 qubits; the circuit has 6"):
        backend.run(Circuit(6, (Operation("h", (0,)),)))


# ---------------------------------------------------------------------------- exact values


@pytest.mark.parametrize("simulator", SIMULATORS)
@pytest.mark.parametrize(("dtype", "atol"), [("complex64", 1e-5), ("complex128", 1e-12)])
def test_precision(simulator: str, dtype: str, atol: float) -> None:
    backend = CirqBackend(simulator=simulator, dtype=dtype)
    worst = 0.0
    for case in corpus.random_cases(count=12, max_qubits=6, seed=91):
        got = backend.run(case.circuit, case.parameters, case.observables)
        expected = reference.expectations(case.circuit, case.parameters, case.observables)
        worst = max(worst, float(np.abs(got - expected).max()))
    assert worst <= atol
    if dtype == "complex64":
        assert worst > 1e-12  # it really computed in single precision


@pytest.mark.parametrize("simulator", SIMULATORS)
def test_eight_qubit_circuits_match_the_reference(simulator: str, rng: np.random.Generator) -> None:
    """Wider than the contract's random corpus, with observables on many wires."""
    backend = CirqBackend(simulator=simulator, dtype="complex128")
    circuit = corpus.random_circuit(8, n_gates=60, rng=rng)
    parameters = rng.uniform(-math.pi, math.pi, size=(3, circuit.n_parameters))
    observables = (*corpus.random_observables(8, 5, rng), PauliString(()))
    got = backend.run(circuit, parameters, observables)
    np.testing.assert_allclose(got, reference.expectations(circuit, parameters, observables), atol=1e-12)
    np.testing.assert_allclose(got[:, -1], 1.0, atol=1e-12)  # the identity


@pytest.mark.parametrize("simulator", SIMULATORS)
def test_large_batches_are_simulated_in_chunks(
    simulator: str, monkeypatch: pytest.MonkeyPatch, rng: np.random.Generator
) -> None:
    # 4 qubits and a budget of 48 amplitudes: chunks of 3 rows, the last one shorter.
    monkeypatch.setattr(backend_module, "CHUNK_AMPLITUDES", 48)
    circuit = build_ansatz(4, 1, entanglement="circular")
    parameters = rng.uniform(-3, 3, size=(7, circuit.n_parameters))
    observables = (PauliString.z(3), PauliString.from_label("XYZI"))
    backend = CirqBackend(simulator=simulator, dtype="complex128")
    got = backend.run(circuit, parameters, observables)
    np.testing.assert_allclose(got, reference.expectations(circuit, parameters, observables), atol=1e-12)
    first = backend.run(circuit, parameters, observables, shots=50, seed=4)
    np.testing.assert_array_equal(first, backend.run(circuit, parameters, observables, shots=50, seed=4))
    samples = backend.run_samples(circuit, parameters, shots=20, seed=4)
    assert samples.shape == (7, 20, 4)


# ---------------------------------------------------------------------------- shots


def test_qubit_wise_commuting_observables_share_a_measurement_group() -> None:
    labels = ("ZI", "IZ", "ZZ", "XI", "XZ", "IY", "II")
    groups = measurement_groups(tuple(PauliString.from_label(label) for label in labels))
    assert groups == (
        MeasurementGroup(((0, "Z"), (1, "Z")), (0, 1, 2, 6)),
        MeasurementGroup(((0, "X"), (1, "Z")), (3, 4)),
        MeasurementGroup(((1, "Y"),), (5,)),
    )


@pytest.mark.parametrize("simulator", SIMULATORS)
def test_shots_of_a_group_are_shared_and_bases_rotate_with_the_right_sign(simulator: str) -> None:
    """In the Bell state every shot has equal bits in the Z and X bases and opposite ones in Y,
    so the parities are exact whatever the sampling noise: ZZ = XX = 1, YY = -1. Z0 and Z1 come
    from the same shots, so their estimates are equal, and they differ from the exact 0."""
    backend = CirqBackend(simulator=simulator)
    observables = [PauliString.from_label(label) for label in ("ZZ", "XX", "YY", "ZI", "IZ")]
    values = backend.run(BELL, None, observables, shots=101, seed=3)
    np.testing.assert_allclose(values[:3], [1.0, 1.0, -1.0], atol=1e-6)
    assert values[3] == values[4] != 0.0


@pytest.mark.parametrize("simulator", SIMULATORS)
def test_shot_estimates_follow_the_binomial_law(simulator: str) -> None:
    # RY(t)|0>: <Z> = cos t, <X> = sin t; each estimate is a mean of +-1 outcomes.
    backend = CirqBackend(simulator=simulator)
    circuit = Circuit(1, (Operation("ry", (0,), 0),), n_weights=1)
    angles = np.linspace(0.2, 2.9, 6)[:, None]
    shots = 20_000
    estimates = backend.run(circuit, angles, [PauliString.z(0), PauliString.x(0)], shots=shots, seed=5)
    exact = np.hstack([np.cos(angles), np.sin(angles)])
    assert np.all(np.abs(estimates - exact) <= 5 * np.sqrt((1 - exact**2) / shots))


def test_seeds_reproduce_estimates_and_samples_and_fresh_entropy_varies() -> None:
    backend = CirqBackend()
    circuit = build_ansatz(3, 1)
    parameters = np.full((4, circuit.n_parameters), 0.4)
    first = backend.run(circuit, parameters, shots=100, seed=1)
    np.testing.assert_array_equal(first, backend.run(circuit, parameters, shots=100, seed=1))
    assert not np.array_equal(first, backend.run(circuit, parameters, shots=100, seed=2))
    unseeded = [backend.run(circuit, parameters, shots=100) for _ in range(2)]
    assert not np.array_equal(*unseeded)
    samples = backend.run_samples(circuit, parameters, shots=50, seed=1)
    np.testing.assert_array_equal(samples, backend.run_samples(circuit, parameters, shots=50, seed=1))


# ---------------------------------------------------------------------------- samples


@pytest.mark.parametrize("simulator", SIMULATORS)
def test_samples_are_wire_ordered_born_rule_draws_in_random_order(simulator: str) -> None:
    backend = CirqBackend(simulator=simulator)
    # Wire 0: 1 with probability sin^2(t/2) = 0.3; wire 1 always 0; wire 2 always 1.
    t = 2 * math.asin(math.sqrt(0.3))
    circuit = Circuit(3, (Operation("ry", (0,), 0), Operation("x", (2,))), n_weights=1)
    shots = 4000
    samples = backend.run_samples(circuit, [[t], [0.0]], shots=shots, seed=8)
    assert samples.shape == (2, shots, 3)
    assert samples.dtype == np.uint8
    assert np.all(samples[:, :, 1] == 0)
    assert np.all(samples[:, :, 2] == 1)
    assert np.all(samples[1, :, 0] == 0)  # t = 0
    assert abs(samples[0, :, 0].mean() - 0.3) <= 5 * math.sqrt(0.21 / shots)
    # Shuffled: the outcomes of a row do not come sorted (sorted would have one 0 -> 1 step).
    assert np.count_nonzero(np.diff(samples[0, :, 0].astype(int))) > 100
