"""QuantumLayer on the PennyLane backend: the core's parameter-shift rule and PennyLane's own torch
differentiation, both checked against the dense reference; and agreement with the mock backend."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from q_store import (
    CapabilityError,
    Circuit,
    DatabaseConfig,
    Operation,
    PauliString,
    QuantumLayer,
    build_ansatz,
)
from q_store_contract_tests import reference
from q_store_pennylane import PennyLaneBackend

#: (device, diff_method) pairs: the core's rule on every device, then each native method.
METHODS = [
    ("default.qubit", "parameter-shift"),
    ("lightning.qubit", "parameter-shift"),
    ("default.mixed", "parameter-shift"),
    ("default.qubit", "backprop"),
    ("default.qubit", "adjoint"),
    ("lightning.qubit", "adjoint"),
    ("default.mixed", "backprop"),
]
OBSERVABLES = (PauliString.z(0), PauliString.from_label("XYZ"), PauliString.from_label("IZX"))


def layer_rows(layer: QuantumLayer, inputs: torch.Tensor) -> np.ndarray:
    """The parameter rows (inputs, then the shared weights) the reference simulates."""
    weights = layer.weights.detach().reshape(-1).double().numpy()
    host = inputs.detach().double().numpy()
    return np.concatenate([host, np.broadcast_to(weights, (host.shape[0], weights.size))], axis=1)


@pytest.mark.parametrize(("device", "method"), METHODS)
def test_outputs_and_gradients_match_the_reference(device: str, method: str) -> None:
    torch.manual_seed(3)
    layer = QuantumLayer(
        3,
        2,
        entanglement="circular",
        encoding_axis="x",
        observables=OBSERVABLES,
        diff_method=method,
        backend=PennyLaneBackend(device=device),
    ).double()
    inputs = torch.randn(4, 3, dtype=torch.float64, requires_grad=True)
    upstream = torch.tensor([1.0, -0.5, 0.25], dtype=torch.float64)
    outputs = layer(inputs)
    (outputs * upstream).sum().backward()

    rows = layer_rows(layer, inputs)
    expected = reference.expectations(layer.circuit, rows, OBSERVABLES)
    np.testing.assert_allclose(outputs.detach().numpy(), expected, atol=1e-10)
    jacobian = reference.finite_difference_jacobian(layer.circuit, rows, OBSERVABLES)  # (rows, O, P)
    per_row = np.einsum("o,rop->rp", upstream.numpy(), jacobian)
    n_inputs = layer.circuit.n_inputs
    assert inputs.grad is not None
    assert layer.weights.grad is not None
    np.testing.assert_allclose(inputs.grad.numpy(), per_row[:, :n_inputs], atol=1e-7)
    np.testing.assert_allclose(
        layer.weights.grad.reshape(-1).numpy(), per_row[:, n_inputs:].sum(axis=0), atol=1e-7
    )


@pytest.mark.parametrize(("device", "method"), [m for m in METHODS if m[1] != "parameter-shift"])
def test_native_gradients_pass_torch_gradcheck(device: str, method: str) -> None:
    backend = PennyLaneBackend(device=device)
    circuit = build_ansatz(3, 1, entanglement="full", encoding_axis="z", rotations=("rz", "ry"))

    def run(inputs: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        return backend.execute_torch(circuit, inputs, weights, OBSERVABLES, diff_method=method)

    inputs = torch.randn(3, circuit.n_inputs, dtype=torch.float64, requires_grad=True)
    weights = torch.randn(circuit.n_weights, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(run, (inputs, weights), eps=1e-6, atol=1e-7)


@pytest.mark.parametrize(("device", "method"), [m for m in METHODS if m[1] != "parameter-shift"])
def test_single_precision_in_single_precision_out(device: str, method: str) -> None:
    backend = PennyLaneBackend(device=device)
    circuit = build_ansatz(2, 1)
    inputs = torch.randn(5, 2, requires_grad=True)
    weights = torch.randn(circuit.n_weights, requires_grad=True)
    outputs = backend.execute_torch(circuit, inputs, weights, OBSERVABLES[:1], diff_method=method)
    outputs.sum().backward()
    assert outputs.shape == (5, 1)
    assert outputs.dtype == inputs.grad.dtype == weights.grad.dtype == torch.float32  # type: ignore[union-attr]


def test_circuits_without_input_gates_give_one_value_per_row() -> None:
    """Nothing is broadcast when no gate reads an input: every row gets the same values, and the
    weights' gradient counts every row. Closed form: <Z> of RX(w) is cos w; the identity is 1."""
    backend = PennyLaneBackend()
    circuit = Circuit(1, (Operation("rx", (0,), 1),), n_inputs=1, n_weights=1)
    inputs = torch.zeros(3, 1, dtype=torch.float64, requires_grad=True)
    weights = torch.tensor([0.4], dtype=torch.float64, requires_grad=True)
    outputs = backend.execute_torch(
        circuit, inputs, weights, (PauliString.z(0), PauliString(())), diff_method="backprop"
    )
    expected = torch.tensor([[np.cos(0.4), 1.0]] * 3, dtype=torch.float64)
    torch.testing.assert_close(outputs, expected)
    outputs[:, 0].sum().backward()
    torch.testing.assert_close(weights.grad, torch.tensor([-3 * np.sin(0.4)], dtype=torch.float64))


def test_auto_picks_pennylanes_best_method() -> None:
    exact = DatabaseConfig(quantum_sdk="pennylane")
    assert QuantumLayer(2, 1, exact).diff_method == "backprop"
    lightning = DatabaseConfig(quantum_sdk="pennylane", backend_options={"device": "lightning.qubit"})
    assert QuantumLayer(2, 1, lightning).diff_method == "adjoint"
    shots = DatabaseConfig(quantum_sdk="pennylane", shots=100, seed=1)
    assert QuantumLayer(2, 1, shots).diff_method == "parameter-shift"


def test_methods_the_device_lacks_are_refused() -> None:
    lightning = PennyLaneBackend(device="lightning.qubit")
    circuit = build_ansatz(2, 1)
    with pytest.raises(CapabilityError, match=r"no native method 'backprop'; it offers adjoint"):
        lightning.execute_torch(
            circuit,
            torch.zeros(1, 2),
            torch.zeros(circuit.n_weights),
            OBSERVABLES[:1],
            diff_method="backprop",
        )
    with pytest.raises(CapabilityError, match="with shots=100 use 'parameter-shift'"):
        QuantumLayer(2, 1, DatabaseConfig(quantum_sdk="pennylane", shots=100), diff_method="backprop")


def test_a_layer_with_shots_trains_by_parameter_shift() -> None:
    config = DatabaseConfig(quantum_sdk="pennylane", shots=2000, seed=4)
    torch.manual_seed(0)
    layer = QuantumLayer(2, 1, config)
    inputs = torch.randn(3, 2)
    outputs = layer(inputs)
    outputs.sum().backward()
    exact = reference.expectations(layer.circuit, layer_rows(layer, inputs), layer.observables)
    # 2000 shots: standard error <= 0.0224; 5 of them.
    assert np.abs(outputs.detach().numpy() - exact).max() <= 5 * 0.0224
    assert layer.weights.grad is not None
    assert torch.isfinite(layer.weights.grad).all()


@pytest.mark.parametrize(("device", "method"), METHODS)
def test_the_same_state_dict_gives_the_mock_backends_outputs_and_gradients(device: str, method: str) -> None:
    pytest.importorskip("q_store_mock", reason="the mock plugin is not installed in this environment")
    torch.manual_seed(0)
    mock = QuantumLayer(4, 2, DatabaseConfig(quantum_sdk="mock"), diff_method="backprop")
    ours = QuantumLayer(4, 2, diff_method=method, backend=PennyLaneBackend(device=device))
    ours.load_state_dict(mock.state_dict())
    inputs = torch.randn(8, 4)
    results = []
    for layer in (mock, ours):
        batch = inputs.clone().requires_grad_(True)
        outputs = layer(batch)
        (outputs * torch.arange(1.0, 5.0)).sum().backward()
        results.append((outputs.detach(), batch.grad, layer.weights.grad))
    for got, expected in zip(results[1], results[0], strict=True):
        torch.testing.assert_close(got, expected, atol=2e-5, rtol=0)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_backprop_runs_on_the_inputs_cuda_device() -> None:
    backend = PennyLaneBackend()
    circuit = build_ansatz(2, 1)
    inputs = torch.randn(3, 2, dtype=torch.float64)
    weights = torch.randn(circuit.n_weights, dtype=torch.float64)
    on_cpu = backend.execute_torch(circuit, inputs, weights, OBSERVABLES[:1], diff_method="backprop")
    on_cuda = backend.execute_torch(
        circuit, inputs.cuda(), weights.cuda(), OBSERVABLES[:1], diff_method="backprop"
    )
    assert on_cuda.device.type == "cuda"
    torch.testing.assert_close(on_cuda.cpu(), on_cpu)
