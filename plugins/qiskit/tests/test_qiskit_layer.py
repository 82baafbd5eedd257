"""QuantumLayer on the Qiskit backend: parameter-shift outputs and gradients equal the dense
reference, and the same state_dict gives the same outputs and gradients as the 'mock' backend."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from q_store import ArgumentError, DatabaseConfig, PauliString, QuantumLayer
from q_store_contract_tests import reference
from q_store_qiskit import QiskitBackend

N_QUBITS, DEPTH = 3, 2
OBSERVABLES = (PauliString.z(0), PauliString.z(2), PauliString.from_label("XYZ"))


def qiskit_layer(**kwargs: object) -> QuantumLayer:
    torch.manual_seed(0)
    return QuantumLayer(
        N_QUBITS,
        DEPTH,
        DatabaseConfig(quantum_sdk="qiskit"),
        entanglement="circular",
        observables=OBSERVABLES,
        **kwargs,  # type: ignore[arg-type]
    )


def outputs_and_gradients(
    layer: QuantumLayer, inputs: torch.Tensor, upstream: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    inputs = inputs.clone().requires_grad_(True)
    layer.zero_grad()
    outputs = layer(inputs)
    (outputs * upstream).sum().backward()
    assert inputs.grad is not None
    assert layer.weights.grad is not None
    return outputs.detach(), inputs.grad, layer.weights.grad.clone()


@pytest.fixture
def batch() -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(1)
    inputs = torch.rand(4, N_QUBITS, generator=generator, dtype=torch.float64) * 4 - 2
    upstream = torch.randn(4, len(OBSERVABLES), generator=generator, dtype=torch.float64)
    return inputs, upstream


def test_auto_resolves_to_parameter_shift_and_native_methods_are_refused() -> None:
    assert qiskit_layer().diff_method == "parameter-shift"
    with pytest.raises(ArgumentError) as info:
        qiskit_layer(diff_method="backprop")
    assert info.value.argument == "diff_method"


def test_parameter_shift_matches_the_dense_reference(batch: tuple[torch.Tensor, torch.Tensor]) -> None:
    inputs, upstream = batch
    layer = qiskit_layer(diff_method="parameter-shift")
    outputs, grad_inputs, grad_weights = outputs_and_gradients(layer, inputs, upstream)

    circuit = layer.circuit
    weights = layer.weights.detach().double().reshape(-1).numpy()
    rows = np.hstack([inputs.numpy(), np.tile(weights, (inputs.shape[0], 1))])
    expected = reference.expectations(circuit, rows, OBSERVABLES)
    jacobian = reference.finite_difference_jacobian(circuit, rows, OBSERVABLES)  # (rows, O, P)
    per_row = np.einsum("ro,rop->rp", upstream.numpy(), jacobian)

    np.testing.assert_allclose(outputs.numpy(), expected, atol=1e-10)
    np.testing.assert_allclose(grad_inputs.numpy(), per_row[:, :N_QUBITS], atol=1e-7)
    np.testing.assert_allclose(grad_weights.reshape(-1).numpy(), per_row[:, N_QUBITS:].sum(axis=0), atol=1e-7)


def test_the_same_state_dict_gives_the_same_outputs_and_gradients_as_mock(
    batch: tuple[torch.Tensor, torch.Tensor],
) -> None:
    pytest.importorskip("q_store_mock", reason="the 'mock' backend (q-store-mock) is not installed")
    inputs, upstream = batch
    ours = qiskit_layer(diff_method="parameter-shift")
    torch.manual_seed(123)  # different initial weights, replaced by ours' state_dict below
    mock = QuantumLayer(
        N_QUBITS,
        DEPTH,
        DatabaseConfig(quantum_sdk="mock", backend_options={"precision": "double"}),
        entanglement="circular",
        observables=OBSERVABLES,
    )
    mock.load_state_dict(ours.state_dict())
    assert mock.diff_method == "backprop"  # an independent gradient path: torch autograd
    for a, b in zip(
        outputs_and_gradients(ours, inputs, upstream),
        outputs_and_gradients(mock, inputs, upstream),
        strict=True,
    ):
        torch.testing.assert_close(a, b, atol=1e-9, rtol=0)


def test_shots_mode_layer_is_reproducible_from_the_config_seed() -> None:
    def run() -> torch.Tensor:
        torch.manual_seed(0)
        layer = QuantumLayer(2, 1, DatabaseConfig(quantum_sdk="qiskit", shots=256, seed=42))
        inputs = torch.full((3, 2), 0.5, requires_grad=True)
        out = layer(inputs)
        out.sum().backward()
        assert inputs.grad is not None
        assert layer.weights.grad is not None
        return torch.cat([out.detach().reshape(-1), inputs.grad.reshape(-1), layer.weights.grad.reshape(-1)])

    first = run()
    torch.testing.assert_close(first, run(), atol=0, rtol=0)


def test_a_backend_instance_with_options_can_be_passed_directly() -> None:
    layer = QuantumLayer(2, 1, backend=QiskitBackend(method="matrix_product_state"))
    inputs = torch.tensor([0.3, -1.2], dtype=torch.float64)
    weights = layer.weights.detach().double().reshape(-1).numpy()
    expected = reference.expectations(
        layer.circuit, np.concatenate([inputs.numpy(), weights])[None, :], layer.observables
    )[0]
    np.testing.assert_allclose(layer(inputs).detach().numpy(), expected, atol=1e-9)
