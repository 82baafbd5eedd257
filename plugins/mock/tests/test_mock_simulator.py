"""What is special to the mock simulator: its compiled programs, precision, the adjoint method,
devices and shots, each checked against an independent reference or a closed form."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from q_store import (
    ArgumentError,
    Circuit,
    ConfigError,
    DatabaseConfig,
    Operation,
    PauliString,
    QuantumLayer,
    build_ansatz,
)
from q_store_contract_tests import corpus, reference
from q_store_mock import MockBackend
from q_store_mock.program import CHUNK_QUBITS, Chunk, Monomial, compile_circuit


def layer_program(circuit: Circuit):  # type: ignore[no-untyped-def]
    return compile_circuit(circuit, np.arange(circuit.n_parameters) < circuit.n_inputs)


def test_the_seed_circuit_compiles_to_few_steps() -> None:
    program = layer_program(build_ansatz(4, 2))
    # Encoding and the first layer act on a product state; then CNOTs, one fused block, CNOTs.
    assert program.product is not None
    kinds = [type(step).__name__ for step in program.steps]
    assert kinds == ["Monomial", "Chunk", "Monomial"]
    chunk = program.steps[1]
    assert isinstance(chunk, Chunk)
    assert (chunk.first, chunk.width, chunk.per_row) == (0, 4, False)


def test_wide_layers_are_split_into_aligned_chunks() -> None:
    program = layer_program(build_ansatz(12, 2))
    chunks = [step for step in program.steps if isinstance(step, Chunk)]
    assert [(c.first, c.width) for c in chunks] == [(0, CHUNK_QUBITS), (5, CHUNK_QUBITS), (10, 2)]


def test_monomials_equal_the_dense_unitary_of_their_gates(rng: np.random.Generator) -> None:
    n = 4
    ops = []
    for _ in range(12):
        gate = str(rng.choice(["cnot", "cz", "swap"]))
        a, b = (int(w) for w in rng.choice(n, size=2, replace=False))
        ops.append(Operation(gate, (a, b)))
    circuit = Circuit(n, [Operation("h", (q,)) for q in range(n)] + ops)
    program = compile_circuit(circuit, np.zeros(0, dtype=bool))
    [monomial] = program.steps
    assert isinstance(monomial, Monomial)
    unitary = reference.circuit_unitary(Circuit(n, ops), np.zeros(0))
    psi = rng.normal(size=2**n) + 1j * rng.normal(size=2**n)
    gathered = psi[monomial.gather] if monomial.gather is not None else psi
    applied = gathered * (monomial.phase if monomial.phase is not None else 1)
    np.testing.assert_allclose(applied, unitary @ psi, atol=1e-12)


@pytest.mark.parametrize(("precision", "atol"), [("single", 1e-5), ("double", 1e-12)])
def test_precision(precision: str, atol: float) -> None:
    backend = MockBackend(precision=precision)  # type: ignore[arg-type]
    worst = 0.0
    for case in corpus.random_cases(count=12, max_qubits=6, seed=77):
        got = backend.run(case.circuit, case.parameters, case.observables)
        expected = reference.expectations(case.circuit, case.parameters, case.observables)
        worst = max(worst, float(np.abs(got - expected).max()))
    assert worst <= atol
    if precision == "single":
        assert worst > 1e-12  # it really computed in complex64


@pytest.mark.parametrize("method", ["backprop", "adjoint"])
def test_native_gradients_pass_torch_gradcheck(method: str) -> None:
    """torch's own finite-difference check of the native methods (complex128 path)."""
    backend = MockBackend()
    circuit = build_ansatz(3, 2, entanglement="circular", encoding_axis="x")
    observables = (PauliString.z(0), PauliString.from_label("XYZ"))

    def run(inputs: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        return backend.execute_torch(circuit, inputs, weights, observables, diff_method=method)

    inputs = torch.randn(3, circuit.n_inputs, dtype=torch.float64, requires_grad=True)
    weights = torch.randn(circuit.n_weights, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(run, (inputs, weights), eps=1e-6, atol=1e-7)


def test_adjoint_equals_backprop_on_wide_and_reuploading_circuits(rng: np.random.Generator) -> None:
    """10 qubits: two chunks per layer (the second one exercises the sliced gradient path) and
    inputs read again after the entanglers (per-row chunks); double precision, so the two
    methods must agree to 1e-10."""
    base = build_ansatz(10, 2, entanglement="circular")
    reupload = [Operation("rz", (q,), q) for q in range(0, 10, 3)]
    circuit = Circuit(
        10, (*base.operations, *reupload, Operation("cz", (0, 9))), base.n_inputs, base.n_weights
    )
    observables = (PauliString.z(9), PauliString.from_label("X" + "I" * 8 + "Y"))
    backend = MockBackend()
    grads: dict[str, object] = {}
    for method in ("backprop", "adjoint"):
        if grads:
            inputs = grads["inputs0"].clone().requires_grad_(True)
        else:
            inputs = torch.tensor(rng.uniform(-2, 2, size=(3, 10)), requires_grad=True)
        if not grads:
            grads["inputs0"] = inputs.detach().clone()  # the same data for both methods
            grads["weights0"] = torch.tensor(rng.uniform(-2, 2, size=circuit.n_weights))
        weights = grads["weights0"].clone().requires_grad_(True)
        out = backend.execute_torch(circuit, inputs, weights, observables, diff_method=method)
        (out * torch.tensor([[1.0, -0.5]], dtype=torch.float64)).sum().backward()
        grads[method] = (out.detach(), inputs.grad, weights.grad)
    for a, b in zip(grads["backprop"], grads["adjoint"], strict=True):
        torch.testing.assert_close(a, b, atol=1e-10, rtol=0)
    # And the values themselves against the dense reference (row 0 only: 10 qubits is slow there).
    row = np.concatenate([grads["inputs0"][0].numpy(), grads["weights0"].numpy()])
    expected = reference.expectations(circuit, row[None, :], observables)[0]
    np.testing.assert_allclose(grads["adjoint"][0][0].numpy(), expected, atol=1e-10)


def test_layer_runs_on_the_input_device_and_dtype() -> None:
    layer = QuantumLayer(3, 1)
    out = layer(torch.randn(2, 3, dtype=torch.float64))
    assert (out.dtype, out.device.type) == (torch.float64, "cpu")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_execute_on_cuda_matches_cpu() -> None:
    case = next(iter(corpus.random_cases(count=1, seed=3)))
    cpu = MockBackend().run(case.circuit, case.parameters, case.observables)
    cuda = MockBackend(device="cuda").run(case.circuit, case.parameters, case.observables)
    np.testing.assert_allclose(cuda, cpu, atol=1e-5)


def test_samples_and_shots_follow_the_born_rule() -> None:
    # RY(t) on one qubit: P(1) = sin^2(t/2). Counts are binomial.
    backend = MockBackend()
    circuit = Circuit(1, [Operation("ry", (0,), 0)], n_weights=1)
    t = 1.1
    shots = 20000
    samples = backend.run_samples(circuit, [t], shots=shots, seed=9)
    p1 = math.sin(t / 2) ** 2
    assert abs(samples[:, 0].mean() - p1) <= 5 * math.sqrt(p1 * (1 - p1) / shots)
    estimate = backend.run(circuit, [t], [PauliString.z(0), PauliString.x(0)], shots=shots, seed=9)
    exact = np.array([math.cos(t), math.sin(t)])
    assert np.all(np.abs(estimate - exact) <= 5 * np.sqrt((1 - exact**2) / shots))


def test_shot_seeds_are_independent_per_observable() -> None:
    # Two identical X observables are measured with separate shots, so their estimates differ
    # (equal 5000-shot binomial counts happen ~1% of the time; over five seeds, never all).
    backend = MockBackend()
    circuit = Circuit(1, [Operation("ry", (0,), 0)], n_weights=1)
    differ = [
        len(set(backend.run(circuit, [0.7], [PauliString.x(0), PauliString.x(0)], shots=5000, seed=s))) == 2
        for s in range(5)
    ]
    assert sum(differ) >= 4


@pytest.mark.parametrize(
    ("options", "argument"),
    [
        ({"precision": "half"}, "precision"),
        ({"max_qubits": 0}, "max_qubits"),
        ({"device": "abacus"}, "device"),
    ],
)
def test_bad_options_are_typed_errors(options: dict[str, object], argument: str) -> None:
    with pytest.raises(ArgumentError) as info:
        MockBackend.from_config(DatabaseConfig(backend_options=options))
    assert info.value.argument == argument


def test_unknown_options_are_refused() -> None:
    with pytest.raises(
        ConfigError, match="'colour' for 'mock'; it accepts device, max_qubits, precision"
    ) as info:
        MockBackend.from_config(DatabaseConfig(backend_options={"colour": "blue"}))
    assert info.value.argument == "backend_options"
