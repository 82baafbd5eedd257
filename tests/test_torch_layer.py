"""QuantumLayer as a PyTorch module: outputs and gradients against the dense reference, shapes,
devices and dtypes, state_dict across backends, shots mode, and typed errors."""

from __future__ import annotations

import copy
import io
import math

import numpy as np
import pytest
import torch
from dense_backend import DenseBackend

from q_store import (
    ArgumentError,
    DatabaseConfig,
    NonFiniteError,
    PauliString,
    QuantumLayer,
    QubitLimitError,
    ShapeError,
)
from q_store_contract_tests import reference
from q_store_mock import MockBackend

EXACT_METHODS = ("backprop", "adjoint", "parameter-shift")


def layer_rows(layer: QuantumLayer, inputs: torch.Tensor) -> np.ndarray:
    weights = layer.weights.detach().double().reshape(-1).numpy()
    x = inputs.detach().double().reshape(-1, layer.n_qubits).numpy()
    return np.concatenate([x, np.broadcast_to(weights, (x.shape[0], weights.size))], axis=1)


def make_layer(n: int = 3, depth: int = 2, **kwargs: object) -> QuantumLayer:
    torch.manual_seed(7)
    kwargs.setdefault("backend", MockBackend(precision="double"))
    return QuantumLayer(n, depth, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("method", EXACT_METHODS)
@pytest.mark.parametrize("entanglement", ["linear", "circular", "full"])
def test_outputs_match_the_dense_reference(method: str, entanglement: str) -> None:
    layer = make_layer(3, 2, entanglement=entanglement, diff_method=method)
    x = torch.randn(5, 3, dtype=torch.float64)
    expected = reference.expectations(layer.circuit, layer_rows(layer, x), layer.observables)
    np.testing.assert_allclose(layer(x).detach().numpy(), expected, atol=1e-10)


@pytest.mark.parametrize("method", EXACT_METHODS)
def test_gradients_match_finite_differences_of_the_reference(method: str) -> None:
    layer = make_layer(
        3, 2, diff_method=method, observables=[PauliString.z(0), PauliString.from_label("XYZ")]
    )
    x = torch.randn(4, 3, dtype=torch.float64, requires_grad=True)
    upstream = torch.randn(4, 2, dtype=torch.float64)
    (layer(x) * upstream).sum().backward()
    rows = layer_rows(layer, x)
    jacobian = reference.finite_difference_jacobian(layer.circuit, rows, layer.observables)
    vjp = np.einsum("ro,rop->rp", upstream.numpy(), jacobian)
    assert x.grad is not None
    assert layer.weights.grad is not None
    np.testing.assert_allclose(x.grad.numpy(), vjp[:, :3], atol=1e-7)
    np.testing.assert_allclose(layer.weights.grad.reshape(-1).numpy(), vjp[:, 3:].sum(0), atol=1e-7)
    assert layer.weights.grad.abs().sum() > 0.1  # not the zero gradient of a fake layer


def test_outputs_depend_on_inputs_and_weights() -> None:
    layer = make_layer(4, 2)
    x = torch.randn(3, 4)
    first = layer(x)
    assert not torch.allclose(first, layer(x + 0.5))
    with torch.no_grad():
        layer.weights.add_(0.3)
    assert not torch.allclose(first, layer(x))


def test_shapes() -> None:
    layer = make_layer(4, 2)
    assert layer(torch.randn(7, 4)).shape == (7, 4)
    assert layer(torch.randn(4)).shape == (4,)
    assert layer(torch.randn(0, 4)).shape == (0, 4)
    custom = make_layer(3, 1, observables=[PauliString.from_label("ZZI"), PauliString.x(2)])
    assert custom(torch.randn(2, 3)).shape == (2, 2)
    assert custom.n_outputs == 2
    assert layer.weights.shape == (2, 4, 2)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("method", EXACT_METHODS)
def test_output_dtype_follows_the_input(dtype: torch.dtype, method: str) -> None:
    layer = make_layer(2, 1, diff_method=method)
    x = torch.randn(3, 2, dtype=dtype, requires_grad=True)
    out = layer(x)
    assert out.dtype == dtype
    out.sum().backward()
    assert x.grad is not None
    assert x.grad.dtype == dtype
    assert layer.weights.grad is not None
    assert layer.weights.grad.dtype == torch.float32  # the parameter keeps its own dtype


def test_module_conversion_to_double() -> None:
    layer = make_layer(2, 1).double()
    assert layer.weights.dtype == torch.float64
    assert layer(torch.randn(2, 2, dtype=torch.float64)).dtype == torch.float64


def test_state_dict_round_trips_between_backends() -> None:
    mock_layer = make_layer(3, 2, backend=MockBackend())  # single precision on purpose
    dense_layer = QuantumLayer(3, 2, backend=DenseBackend())
    dense_layer.load_state_dict(mock_layer.state_dict())
    assert list(mock_layer.state_dict()) == ["weights"]
    x1 = torch.randn(4, 3, dtype=torch.float64, requires_grad=True)
    x2 = x1.detach().clone().requires_grad_(True)
    out1, out2 = mock_layer(x1), dense_layer(x2)
    torch.testing.assert_close(out1, out2, atol=1e-9, rtol=0)  # float64 inputs: complex128
    out1.pow(2).sum().backward()
    out2.pow(2).sum().backward()
    torch.testing.assert_close(x1.grad, x2.grad, atol=1e-7, rtol=0)
    torch.testing.assert_close(mock_layer.weights.grad, dense_layer.weights.grad, atol=1e-6, rtol=0)


def test_works_inside_standard_modules_and_survives_copy_and_save() -> None:
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(5, 3), QuantumLayer(3, 1), torch.nn.Linear(3, 2))
    x = torch.randn(6, 5)
    expected = model(x)
    clone = copy.deepcopy(model)
    torch.testing.assert_close(clone(x), expected)
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    buffer.seek(0)
    fresh = torch.nn.Sequential(torch.nn.Linear(5, 3), QuantumLayer(3, 1), torch.nn.Linear(3, 2))
    fresh.load_state_dict(torch.load(buffer))
    torch.testing.assert_close(fresh(x), expected)
    assert "backend='mock'" in repr(model)


def test_shots_mode_estimates_within_statistical_bounds_and_is_seeded() -> None:
    config = DatabaseConfig(shots=4000, seed=11)
    torch.manual_seed(3)
    layer = QuantumLayer(3, 1, config)
    assert layer.diff_method == "parameter-shift"
    x = torch.randn(5, 3, dtype=torch.float64)
    exact = reference.expectations(layer.circuit, layer_rows(layer, x), layer.observables)
    sampled = layer(x).detach().numpy()
    bound = 5 * np.sqrt(np.clip(1 - exact**2, 0, None) / 4000) + 1e-9
    assert np.all(np.abs(sampled - exact) <= bound)
    assert not np.allclose(sampled, exact, atol=1e-9)
    torch.manual_seed(3)
    twin = QuantumLayer(3, 1, config)
    np.testing.assert_array_equal(twin(x).detach().numpy(), sampled)


def test_spsa_gradients_point_the_right_way() -> None:
    layer = make_layer(2, 1, diff_method="spsa")
    x = torch.randn(256, 2, dtype=torch.float64)
    layer(x).sum().backward()
    spsa = layer.weights.grad.clone()  # type: ignore[union-attr]
    exact = make_layer(2, 1, diff_method="backprop")
    exact(x).sum().backward()
    cosine = torch.nn.functional.cosine_similarity(spsa.reshape(-1), exact.weights.grad.reshape(-1), dim=0)  # type: ignore[union-attr]
    assert cosine > 0.8


@pytest.mark.parametrize(
    ("bad_input", "error", "match"),
    [
        (torch.randn(2, 5), ShapeError, r"\(batch, 4\)"),
        (torch.randn(2, 2, 4), ShapeError, "inputs"),
        (torch.tensor([[0.1, float("nan"), 0.2, 0.3]]), NonFiniteError, "NaN"),
        (torch.tensor([[0.1, float("inf"), 0.2, 0.3]]), NonFiniteError, "inputs"),
        (torch.ones(2, 4, dtype=torch.long), ArgumentError, "floating-point"),
        ([[0.0, 0.0, 0.0, 0.0]], ArgumentError, "torch.Tensor"),
    ],
)
def test_bad_inputs_raise_typed_errors(bad_input: object, error: type[Exception], match: str) -> None:
    layer = make_layer(4, 1)
    before = layer.weights.detach().clone()
    with pytest.raises(error, match=match) as info:
        layer(bad_input)  # type: ignore[arg-type]
    assert getattr(info.value, "argument", "inputs") == "inputs"
    assert torch.equal(layer.weights, before)


def test_huge_finite_inputs_are_not_mistaken_for_infinity() -> None:
    layer = make_layer(2, 1)
    # Their sum overflows float32; each value is finite and a valid angle.
    assert torch.isfinite(layer(torch.tensor([[3e38, 3e38]]))).all()


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"n_qubits": 0}, "n_qubits"),
        ({"n_qubits": 2, "entanglement": "star"}, "entanglement"),
        ({"n_qubits": 2, "encoding": "basis"}, "encoding"),
        ({"n_qubits": 2, "encoding_axis": "q"}, "encoding_axis"),
        ({"n_qubits": 2, "diff_method": "magic"}, "diff_method"),
        ({"n_qubits": 2, "config": {"quantum_sdk": "mock"}}, "config"),
        ({"n_qubits": 2, "observables": []}, "observables"),
        ({"n_qubits": 2, "observables": [PauliString.z(3)]}, "observables"),
        ({"n_qubits": 2, "spsa_epsilon": 0}, "spsa_epsilon"),
        ({"n_qubits": 2, "backend": "mock"}, "backend"),
    ],
)
def test_bad_arguments_raise_typed_errors(kwargs: dict[str, object], argument: str) -> None:
    with pytest.raises(ArgumentError) as info:
        QuantumLayer(**kwargs)  # type: ignore[arg-type]
    assert info.value.argument == argument


def test_too_many_qubits_are_refused_before_any_allocation(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_allocation(*args: object, **kwargs: object) -> None:
        raise AssertionError("memory was allocated for a circuit the backend cannot run")

    monkeypatch.setattr(torch, "empty", no_allocation)
    monkeypatch.setattr(torch, "zeros", no_allocation)
    with pytest.raises(QubitLimitError, match="at most 24 qubits"):
        QuantumLayer(40, 2)
    with pytest.raises(QubitLimitError, match="at most 6 qubits"):
        QuantumLayer(7, 1, DatabaseConfig(backend_options={"max_qubits": 6}))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("method", ["backprop", "adjoint"])
def test_cuda_inputs_run_on_cuda(method: str) -> None:
    layer = make_layer(4, 2, diff_method=method)
    x = torch.randn(8, 4, device="cuda", requires_grad=True)
    cuda_layer = copy.deepcopy(layer).cuda()
    out = cuda_layer(x)
    assert out.device.type == "cuda"
    out.sum().backward()
    assert x.grad is not None
    assert x.grad.device.type == "cuda"
    torch.testing.assert_close(out.cpu(), layer(x.detach().cpu()), atol=1e-5, rtol=0)


def test_output_range_is_physical() -> None:
    layer = make_layer(4, 3, entanglement="full")
    out = layer(torch.randn(64, 4) * math.pi)
    assert out.abs().max() <= 1 + 1e-6
