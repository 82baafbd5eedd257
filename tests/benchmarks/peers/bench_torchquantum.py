"""TorchQuantum 0.1.8 on the seed workload and the scaling table of reference/PEERS.md.

Runs in its own environment (see README.md beside this file): TorchQuantum 0.1.8 requires
qiskit<1.0, so the current q_store, whose plugins need Qiskit 2.x, is never imported here. The
workload is a copy (peer_workload.py) with the same data and the same initial weights as
tests/benchmarks/bench_layer.py, so the figures can be set beside Q-Store's.

    python tests/benchmarks/peers/bench_torchquantum.py [--quick] [--json out.json]
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torchquantum as tq
import torchquantum.functional as tqf
from peer_measure import (
    FLOOR,
    Row,
    attempt,
    median_seconds,
    run_peer_benchmark,
    training_row,
)
from peer_workload import DEPTH, N_QUBITS, hybrid, initial_quantum_weights, seed_dataset, train

TOOL = "TorchQuantum 0.1.8"
DISTRIBUTIONS = ("torchquantum", "torch", "qiskit", "qiskit-aer", "numpy", "torchquantum-import-stubs")


class TorchQuantumLayer(tq.QuantumModule):  # type: ignore[misc]
    """The peers' circuit in TorchQuantum's own idiom, batched over the samples.

    RY(x_q) through a ``GeneralEncoder``; per layer a trainable ``tq.RX`` and ``tq.RY`` module on
    every wire, then CNOTs 0->1->...->n-1; ``MeasureAll(PauliZ)`` gives ``<Z_q>`` per wire. One
    ``QuantumDevice`` with ``bsz`` = batch per forward, as TorchQuantum's examples do."""

    def __init__(self, n_qubits: int, depth: int) -> None:
        super().__init__()
        self.n_qubits, self.depth = n_qubits, depth
        self.encoder = tq.GeneralEncoder(
            [{"input_idx": [q], "func": "ry", "wires": [q]} for q in range(n_qubits)]
        )
        gates = depth * n_qubits
        self.rx = tq.QuantumModuleList(tq.RX(has_params=True, trainable=True) for _ in range(gates))
        self.ry = tq.QuantumModuleList(tq.RY(has_params=True, trainable=True) for _ in range(gates))
        self.measure = tq.MeasureAll(tq.PauliZ)

    def load_angles(self, weights: torch.Tensor) -> None:
        """Take ``(depth, n_qubits, 2)`` angles in Q-Store's layout ([..., 0] RX, [..., 1] RY)."""
        with torch.no_grad():
            for layer in range(self.depth):
                for q in range(self.n_qubits):
                    index = layer * self.n_qubits + q
                    self.rx[index].params.copy_(weights[layer, q, 0].reshape(1, 1))
                    self.ry[index].params.copy_(weights[layer, q, 1].reshape(1, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        device = tq.QuantumDevice(n_wires=self.n_qubits, bsz=x.shape[0], device=x.device)
        self.encoder(device, x)
        for layer in range(self.depth):
            for q in range(self.n_qubits):
                self.rx[layer * self.n_qubits + q](device, wires=q)
                self.ry[layer * self.n_qubits + q](device, wires=q)
            for q in range(self.n_qubits - 1):
                tqf.cnot(device, wires=[q, q + 1])
        return self.measure(device)  # type: ignore[no-any-return]


def torchquantum_layer(n_qubits: int = N_QUBITS) -> TorchQuantumLayer:
    """The layer with the shared initial angles (those of Q-Store's QuantumLayer after seed 0)."""
    weights = initial_quantum_weights(n_qubits, DEPTH)
    layer = TorchQuantumLayer(n_qubits, DEPTH)
    layer.load_angles(weights)
    return layer


# ---------------------------------------------------------------------------- an independent check


def _rotation(axis: str, angle: float) -> np.ndarray:
    """R_P(t) = exp(-i t P / 2)."""
    c, s = math.cos(angle / 2), math.sin(angle / 2)
    if axis == "x":
        return np.array([[c, -1j * s], [-1j * s, c]])
    if axis == "y":
        return np.array([[c, -s], [s, c]], dtype=complex)
    raise ValueError(f"axis must be 'x' or 'y', got {axis!r}")


def _apply(state: np.ndarray, matrix: np.ndarray, wire: int) -> np.ndarray:
    return np.moveaxis(np.tensordot(matrix, state, axes=([1], [wire])), 0, wire)


def _cnot(state: np.ndarray, control: int, target: int) -> np.ndarray:
    state = state.copy()
    selected: list[slice | int] = [slice(None)] * state.ndim
    selected[control] = 1
    # Indexing removes the control axis, so a target after it moves one place to the left.
    state[tuple(selected)] = np.flip(state[tuple(selected)], axis=target - (target > control))
    return state


def reference_expectations(x: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``<Z_q>`` of the peers' circuit by dense statevector in complex128 (wire 0 = first axis)."""
    depth, n = weights.shape[:2]
    rows = []
    for sample in x:
        state = np.zeros((2,) * n, dtype=complex)
        state[(0,) * n] = 1.0
        for q in range(n):
            state = _apply(state, _rotation("y", sample[q]), q)
        for layer in range(depth):
            for q in range(n):
                state = _apply(state, _rotation("x", weights[layer, q, 0]), q)
                state = _apply(state, _rotation("y", weights[layer, q, 1]), q)
            for q in range(n - 1):
                state = _cnot(state, q, q + 1)
        probabilities = np.abs(state) ** 2
        rows.append([(probabilities.take(0, q) - probabilities.take(1, q)).sum() for q in range(n)])
    return np.array(rows)


def parameter_shift(function: Callable[[np.ndarray], float], angles: np.ndarray) -> np.ndarray:
    """d function / d angles by the parameter-shift rule (exact for R_P(t) = exp(-i t P / 2))."""
    gradient = np.zeros_like(angles)
    for index in np.ndindex(angles.shape):
        plus, minus = angles.copy(), angles.copy()
        plus[index] += math.pi / 2
        minus[index] -= math.pi / 2
        gradient[index] = (function(plus) - function(minus)) / 2
    return gradient


def agreement_with_reference() -> dict[str, float]:
    """Outputs and gradients (weights and inputs) of the TorchQuantum layer against the numpy
    statevector, differentiated by parameter shift: the figures training depends on."""
    weights = initial_quantum_weights()
    layer = TorchQuantumLayer(N_QUBITS, DEPTH)
    layer.load_angles(weights)
    x = torch.randn(8, N_QUBITS, generator=torch.Generator().manual_seed(1)).requires_grad_()
    outputs = layer(x)
    outputs.sum().backward()
    pairs = zip(layer.rx, layer.ry, strict=True)
    weight_gradient = torch.stack(
        [torch.cat([rx.params.grad, ry.params.grad]).reshape(2) for rx, ry in pairs]
    )
    x64, w64 = x.detach().double().numpy(), weights.double().numpy()
    expected = reference_expectations(x64, w64)
    # Every sample's outputs depend on its own inputs only, so the total's gradient is the
    # per-sample one.
    expected_weight_gradient = parameter_shift(lambda w: float(reference_expectations(x64, w).sum()), w64)
    expected_input_gradient = parameter_shift(
        lambda inputs: float(reference_expectations(inputs, w64).sum()), x64
    )
    if x.grad is None:  # recorded as "failed: ..." by the caller
        raise RuntimeError("TorchQuantum gave no gradient for the inputs")
    return {
        "max |output - numpy statevector|": float(np.abs(outputs.detach().double().numpy() - expected).max()),
        "max |weight gradient - parameter shift on numpy statevector|": float(
            np.abs(weight_gradient.reshape(w64.shape).double().numpy() - expected_weight_gradient).max()
        ),
        "max |input gradient - parameter shift on numpy statevector|": float(
            np.abs(x.grad.double().numpy() - expected_input_gradient).max()
        ),
    }


# ---------------------------------------------------------------------------- the seed workload


def layer_timings(layer: torch.nn.Module, repeats: int) -> dict[str, Any]:
    """Forward at batch 1, forward at batch 32, forward + backward at batch 32 (seconds)."""
    one = torch.randn(1, N_QUBITS)
    batch = torch.randn(32, N_QUBITS, requires_grad=True)
    return {
        "forward_b1_s": attempt(lambda: median_seconds(lambda: layer(one), repeats, warmup=20)),
        "forward_b32_s": attempt(lambda: median_seconds(lambda: layer(batch), repeats, warmup=20)),
        "forward_backward_b32_s": attempt(
            lambda: median_seconds(lambda: layer(batch).sum().backward(), repeats, warmup=10)
        ),
    }


def seed_workload(quick: bool) -> dict[str, Row]:
    x, y = seed_dataset()
    builders: dict[str, Callable[[], torch.nn.Module]] = {TOOL: torchquantum_layer, FLOOR: torch.nn.Tanh}
    rows: dict[str, Row] = {}
    for name, build in builders.items():

        def run(build: Callable[[], torch.nn.Module] = build) -> list[tuple[float, float]]:
            return train(hybrid(build()), x, y)

        # The floor takes milliseconds and is the denominator of every ratio: more repeats.
        repeats = (3 if quick else 7) if name == TOOL else (7 if quick else 15)
        row = training_row(run, repeats, warmup=1)
        row.update(layer_timings(build(), 50 if quick else 300))
        rows[name] = row
        print(f"  measured {name}", flush=True)
    return rows


# ---------------------------------------------------------------------------- main


def facts() -> dict[str, Any]:
    import torchvision  # only to say which one this environment has: the real one or the stub

    result: dict[str, Any] = {}
    agreement = attempt(agreement_with_reference)
    if isinstance(agreement, dict):
        result.update(agreement)
    else:
        result["agreement with numpy statevector"] = agreement
    result["torchvision in this environment"] = (
        "import stub (TorchQuantum imports it at import time; this benchmark never uses it)"
        if getattr(torchvision, "IS_IMPORT_STUB", False)
        else f"torchvision {getattr(torchvision, '__version__', '?')}"
    )
    return result


def main() -> None:
    run_peer_benchmark(
        Path(__file__).resolve(),
        description=__doc__.splitlines()[0],
        tool=TOOL,
        version=f"torchquantum {tq.__version__}",
        distributions=DISTRIBUTIONS,
        build_layer=torchquantum_layer,
        measure=lambda quick: (seed_workload(quick), facts()),
    )


if __name__ == "__main__":
    main()
