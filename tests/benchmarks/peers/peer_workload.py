"""The seed workload of reference/PEERS.md, for the peers' own environments.

Why a copy: ``seed_dataset``, ``HybridModel`` and ``train`` are defined in
core/src/q_store/benchmark.py, but these environments cannot import the current ``q_store``.
TorchQuantum 0.1.8 requires qiskit<1.0 (the core's plugins need Qiskit 2.x), and q-store 4.0.0
owns the ``q_store`` import name itself. The code below must stay identical to the original: every
tool has to run the same training from the same initial weights. (From these weights every correct
tool ends at loss 0.515 and train accuracy 0.946; PEERS.md's 0.438 and 0.930 come from other
initial weights.)
"""

from __future__ import annotations

import math

import torch

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


# ------------------------------------------------------------ the shared initial weights


def initial_quantum_weights(n_qubits: int = N_QUBITS, depth: int = DEPTH) -> torch.Tensor:
    """The angles ``QuantumLayer(n_qubits, depth)`` draws right after ``torch.manual_seed(0)``.

    Shape ``(depth, n_qubits, 2)``: ``[layer, wire, 0]`` is the RX angle, ``[layer, wire, 1]`` the
    RY angle (QuantumLayer.reset_parameters: uniform on [0, 2*pi) from the global generator)."""
    torch.manual_seed(0)
    return torch.empty(depth, n_qubits, 2).uniform_(0.0, 2 * math.pi)


def hybrid(quantum: torch.nn.Module, width: int = N_QUBITS) -> HybridModel:
    """The classical layers exactly as tests/benchmarks/bench_layer.py builds them: reseed, then
    ``Linear(10, width)`` and ``Linear(width, 2)`` in that order."""
    torch.manual_seed(0)
    return HybridModel(quantum, width=width)


def majority_class_rate(y: torch.Tensor) -> float:
    """The accuracy of always predicting the more frequent label: what a model that ignores its
    input can reach at best."""
    ones = float(y.float().mean().item())
    return max(ones, 1.0 - ones)
