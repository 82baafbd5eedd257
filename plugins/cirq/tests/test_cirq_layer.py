"""QuantumLayer on the Cirq backend: parameter-shift outputs and gradients against the dense
reference, and the same state_dict giving the same training signal as on the 'mock' backend."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from q_store import ArgumentError, DatabaseConfig, PauliString, QuantumLayer, QubitLimitError
from q_store_contract_tests import reference

OBSERVABLES = (PauliString.z(0), PauliString.from_label("XYZ"), PauliString.from_label("IZZ"))
#: Weights of the upstream gradient, so that every output and observable matters.
UPSTREAM = torch.tensor([[1.0, -0.5, 0.25]], dtype=torch.float64)


def make_layer(config: DatabaseConfig) -> QuantumLayer:
    """3 qubits, depth 2, circular entanglement, X encoding, mixed observables, parameter shift."""
    return QuantumLayer(
        3, 2, config, "circular", encoding_axis="x", observables=OBSERVABLES, diff_method="parameter-shift"
    )


def cirq_layer(**options: object) -> QuantumLayer:
    torch.manual_seed(1)
    return make_layer(DatabaseConfig(quantum_sdk="cirq", backend_options={"dtype": "complex128", **options}))


def outputs_and_gradients(
    layer: QuantumLayer, inputs: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    inputs = inputs.clone().requires_grad_(True)
    layer.zero_grad()
    outputs = layer(inputs)
    (outputs * UPSTREAM).sum().backward()
    assert inputs.grad is not None
    assert layer.weights.grad is not None
    return outputs.detach(), inputs.grad, layer.weights.grad.clone()


@pytest.mark.parametrize("simulator", ["batched", "sparse"])
def test_parameter_shift_matches_the_dense_reference(simulator: str, rng: np.random.Generator) -> None:
    layer = cirq_layer(simulator=simulator)
    inputs = torch.tensor(rng.uniform(-2, 2, size=(4, 3)))
    outputs, input_grad, weight_grad = outputs_and_gradients(layer, inputs)

    weights = layer.weights.detach().reshape(-1).double().numpy()
    rows = np.hstack([inputs.numpy(), np.broadcast_to(weights, (4, weights.size))])
    expected = reference.expectations(layer.circuit, rows, OBSERVABLES)
    np.testing.assert_allclose(outputs.numpy(), expected, atol=1e-10)
    # d(sum_o g_o <O_o>)/d(column) from central differences of the reference.
    jacobian = reference.finite_difference_jacobian(layer.circuit, rows, OBSERVABLES)
    per_row = np.einsum("o,rop->rp", UPSTREAM[0].numpy(), jacobian)
    np.testing.assert_allclose(input_grad.numpy(), per_row[:, :3], atol=1e-7)
    np.testing.assert_allclose(weight_grad.reshape(-1).numpy(), per_row[:, 3:].sum(0), atol=1e-7)


def test_the_same_state_dict_gives_the_same_outputs_and_gradients_as_on_mock(
    rng: np.random.Generator,
) -> None:
    pytest.importorskip("q_store_mock", reason="the 'mock' backend (q-store-mock) is not installed")
    cirq = cirq_layer()
    mock_config = DatabaseConfig(quantum_sdk="mock", backend_options={"precision": "double"})
    torch.manual_seed(2)  # different initial weights, replaced by the state_dict
    mock = make_layer(mock_config)
    mock.load_state_dict(cirq.state_dict())
    inputs = torch.tensor(rng.uniform(-2, 2, size=(5, 3)))
    ours, theirs = outputs_and_gradients(cirq, inputs), outputs_and_gradients(mock, inputs)
    for a, b in zip(ours, theirs, strict=True):
        torch.testing.assert_close(a, b, atol=1e-10, rtol=0)


def test_auto_resolves_to_parameter_shift_and_native_methods_are_refused() -> None:
    config = DatabaseConfig(quantum_sdk="cirq")
    assert QuantumLayer(2, 1, config).diff_method == "parameter-shift"
    with pytest.raises(ArgumentError, match="backprop") as info:
        QuantumLayer(2, 1, config, diff_method="backprop")
    assert info.value.argument == "diff_method"


def test_shots_in_a_layer_are_reproducible_from_the_config_seed() -> None:
    config = DatabaseConfig(quantum_sdk="cirq", shots=300, seed=7)
    inputs = torch.linspace(-1, 1, 6).reshape(2, 3)
    outputs = []
    for _ in range(2):
        torch.manual_seed(0)
        outputs.append(QuantumLayer(3, 1, config)(inputs))
    torch.testing.assert_close(outputs[0], outputs[1], atol=0, rtol=0)


def test_a_layer_wider_than_the_limit_names_the_backend_and_the_limit() -> None:
    with pytest.raises(QubitLimitError, match=r"'cirq' supports at most 24 qubits; the circuit has 25"):
        QuantumLayer(25, 1, DatabaseConfig(quantum_sdk="cirq"))
