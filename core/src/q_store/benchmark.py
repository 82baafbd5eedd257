"""The seed workload, and a benchmark of it across the installed backends and peers.

The seed workload (reference/PEERS.md): ``Linear(10, 4) -> quantum layer (4 qubits, depth 2) ->
Linear(4, 2)``; 500 samples of ``randn(10)`` (seed 0), label ``x0 + x1 - x2 > 0``; 2 epochs of
batch 32, Adam lr 0.01, cross-entropy. ``q-store bench`` times it on every installed backend
(with its preferred gradient method and with parameter shift) beside PennyLane's TorchLayer when
PennyLane is installed, in the same process, and reports medians, ratios and accuracy.
"""

from __future__ import annotations

import json
import platform
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import torch

from q_store.config import DatabaseConfig
from q_store.errors import QStoreError
from q_store.plugins import get_registry
from q_store.torch_layer import QuantumLayer

__all__ = [
    "HybridModel",
    "layer_builder",
    "local_backends",
    "median_seconds",
    "pennylane_layer",
    "qiskit_ml_layer",
    "run_benchmark",
    "seed_dataset",
    "train",
]

N_QUBITS, DEPTH = 4, 2


class HybridModel(torch.nn.Module):
    """``Linear(inputs, n) -> quantum -> Linear(n, classes)``."""

    def __init__(
        self, quantum: torch.nn.Module, inputs: int = 10, width: int = N_QUBITS, classes: int = 2
    ) -> None:
        super().__init__()
        self.classical_1 = torch.nn.Linear(inputs, width)
        self.quantum = quantum
        self.classical_2 = torch.nn.Linear(width, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        hidden: torch.Tensor = self.quantum(self.classical_1(x))
        return self.classical_2(hidden)  # type: ignore[no-any-return]


def seed_dataset(samples: int = 500, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """``randn(samples, 10)`` and the label ``x0 + x1 - x2 > 0``."""
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(samples, 10, generator=generator)
    return x, (x[:, 0] + x[:, 1] - x[:, 2] > 0).long()


def train(
    model: torch.nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    epochs: int = 2,
    batch_size: int = 32,
    lr: float = 0.01,
) -> list[tuple[float, float]]:
    """Adam on cross-entropy, batches in order; returns (mean loss, train accuracy) per epoch."""
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    criterion = torch.nn.CrossEntropyLoss()
    history = []
    for _ in range(epochs):
        total = 0.0
        for start in range(0, len(x), batch_size):
            batch_x, batch_y = x[start : start + batch_size], y[start : start + batch_size]
            optimizer.zero_grad()
            loss = criterion(model(batch_x), batch_y)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch_x)
        with torch.no_grad():
            accuracy = (model(x).argmax(dim=1) == y).float().mean().item()
        history.append((total / len(x), accuracy))
    return history


def median_seconds(function: Callable[[], object], repeats: int, warmup: int = 1) -> float:
    for _ in range(warmup):
        function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def pennylane_layer(
    n: int = N_QUBITS, depth: int = DEPTH, device: str = "default.qubit", diff_method: str = "backprop"
) -> torch.nn.Module:
    """The same circuit in PennyLane: RY(x) embedding, per layer RX(w) RY(w) and a CNOT chain."""
    import pennylane as qml  # an optional peer, imported only when benchmarked

    dev = qml.device(device, wires=n)

    @qml.qnode(dev, interface="torch", diff_method=diff_method)  # type: ignore[untyped-decorator]
    def circuit(inputs: torch.Tensor, weights: torch.Tensor) -> list[Any]:
        for q in range(n):
            qml.RY(inputs[..., q], wires=q)
        for layer in range(depth):
            for q in range(n):
                qml.RX(weights[layer, q, 0], wires=q)
                qml.RY(weights[layer, q, 1], wires=q)
            for q in range(n - 1):
                qml.CNOT(wires=[q, q + 1])
        return [qml.expval(qml.PauliZ(q)) for q in range(n)]

    if diff_method == "parameter-shift":  # PennyLane needs this for batched inputs (PEERS.md)
        circuit = qml.transforms.broadcast_expand(circuit)
    layer: torch.nn.Module = qml.qnn.TorchLayer(circuit, {"weights": (depth, n, 2)})
    return layer


def qiskit_ml_layer(weights: torch.Tensor) -> torch.nn.Module:
    """The same circuit for Qiskit ML: ``EstimatorQNN`` + ``TorchConnector`` on Aer's ``EstimatorV2``.

    ``weights`` has our layout ``(depth, n_qubits, 2)``: RY(x_q); per layer RX(w), RY(w) on each
    qubit, then a CNOT chain; observables Z_q. Qubit q is wire q and the weight vector is ours
    flattened, so the same weights mean the same circuit.
    """
    from qiskit.circuit import ParameterVector, QuantumCircuit  # an optional peer
    from qiskit.quantum_info import SparsePauliOp
    from qiskit_aer.primitives import EstimatorV2
    from qiskit_machine_learning.connectors import TorchConnector
    from qiskit_machine_learning.neural_networks import EstimatorQNN

    depth, n, _ = weights.shape
    inputs = ParameterVector("x", n)
    parameters = ParameterVector("w", depth * n * 2)
    circuit = QuantumCircuit(n)
    for q in range(n):
        circuit.ry(inputs[q], q)
    for layer in range(depth):
        for q in range(n):
            circuit.rx(parameters[(layer * n + q) * 2], q)
            circuit.ry(parameters[(layer * n + q) * 2 + 1], q)
        for q in range(n - 1):
            circuit.cx(q, q + 1)
    observables = [SparsePauliOp.from_sparse_list([("Z", [q], 1.0)], n) for q in range(n)]
    qnn = EstimatorQNN(
        circuit=circuit,
        estimator=EstimatorV2(options={"default_precision": 0.0}),
        observables=observables,
        input_params=list(inputs),
        weight_params=list(parameters),
        input_gradients=True,  # the Linear before the layer needs them
        default_precision=0.0,
    )
    initial = weights.detach().reshape(-1).double().numpy()
    connector: torch.nn.Module = TorchConnector(qnn, initial_weights=initial)
    return connector


def layer_builder(
    initial: dict[str, torch.Tensor], sdk: str, diff_method: str = "auto", **backend_options: Any
) -> Callable[[], torch.nn.Module]:
    """A factory of seed-workload layers on backend ``sdk``, all starting from ``initial``."""

    def build() -> torch.nn.Module:
        config = DatabaseConfig(quantum_sdk=sdk, backend_options=backend_options)
        layer = QuantumLayer(N_QUBITS, DEPTH, config, diff_method=diff_method)
        layer.load_state_dict(initial)
        return layer

    return build


def local_backends() -> list[str]:
    """The installed backends that compute exact values locally (simulators): the default of
    ``q-store bench``. Sampled backends (cloud services, paid per shot) are run only when named."""
    registry = get_registry()
    return [name for name in registry.backend_names() if registry.backend_class(name).capabilities.exact]


def _tools(backends: Sequence[str]) -> dict[str, Callable[[torch.Tensor], torch.nn.Module]]:
    """Builders of the quantum part, each given the shared initial weights."""

    def ours(backend: str, method: str) -> Callable[[torch.Tensor], torch.nn.Module]:
        return lambda weights: layer_builder({"weights": weights}, backend, method)()

    tools: dict[str, Callable[[torch.Tensor], torch.nn.Module]] = {}
    for backend in backends:
        try:  # which method 'auto' picks here, to name the row (and skip it when it is parameter shift)
            probe = QuantumLayer(N_QUBITS, DEPTH, DatabaseConfig(quantum_sdk=backend))
            picked = f" ({probe.diff_method})"
            probe.backend.close()
        except QStoreError:  # e.g. a missing key: the rows then report the error
            picked = ""
        if picked != " (parameter-shift)":
            tools[f"Q-Store {backend}, auto{picked}"] = ours(backend, "auto")
        tools[f"Q-Store {backend}, parameter-shift"] = ours(backend, "parameter-shift")
    try:
        import pennylane  # noqa: F401

        def peer(weights: torch.Tensor) -> torch.nn.Module:
            layer = pennylane_layer()
            with torch.no_grad():
                next(layer.parameters()).copy_(weights)
            return layer

        tools["PennyLane default.qubit, backprop"] = peer
    except ImportError:
        pass
    return tools


def run_benchmark(
    backends: Sequence[str] | None = None, *, repeats: int = 5, json_path: Path | None = None
) -> str:
    """Time the seed workload on ``backends`` (default: :func:`local_backends`); a markdown table."""
    names = list(backends) if backends is not None else local_backends()
    for name in names:
        get_registry().backend_class(name)  # a misspelt name is an error, not a row of failures
    torch.manual_seed(0)
    initial = QuantumLayer(N_QUBITS, DEPTH, DatabaseConfig()).state_dict()["weights"]
    x, y = seed_dataset()
    rows: dict[str, dict[str, float | str]] = {}
    for name, build in _tools(names).items():

        def run(build: Callable[[torch.Tensor], torch.nn.Module] = build) -> tuple[float, float]:
            torch.manual_seed(0)
            return train(HybridModel(build(initial.clone())), x, y)[-1]

        try:
            seconds = median_seconds(run, repeats)
            loss, accuracy = run()
            rows[name] = {"train_s": seconds, "final_loss": loss, "train_accuracy": accuracy}
        except (QStoreError, ImportError, RuntimeError) as exc:
            rows[name] = {"error": f"{type(exc).__name__}: {exc}"}
    lines = [
        f"Seed workload (500 samples, 2 epochs, 4 qubits, depth 2) on {platform.machine()}, "
        f"torch {torch.__version__}, {torch.get_num_threads()} threads. Medians of {repeats} runs.",
        "",
        "| tool | train 500x2 | final loss | train accuracy |",
        "|---|---|---|---|",
    ]
    for name, row in rows.items():
        if "error" in row:
            lines.append(f"| {name} | failed: {row['error']} | | |")
        else:
            lines.append(
                f"| {name} | {float(row['train_s']) * 1e3:.1f} ms | {float(row['final_loss']):.3f} | "
                f"{float(row['train_accuracy']):.3f} |"
            )
    if json_path is not None:
        json_path.write_text(json.dumps(rows, indent=2))
    return "\n".join(lines)
