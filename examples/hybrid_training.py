"""The seed document's hybrid model, trained on the mock backend (no keys, no network).

Linear(10, 4) -> QuantumLayer(4 qubits, depth 2) -> Linear(4, 2) learns the label
``x0 + x1 - x2 > 0`` of 500 random points in 2 epochs (the workload of the performance table).

    python examples/hybrid_training.py [--backend mock] [--diff-method auto] [--epochs 2]
"""

from __future__ import annotations

import argparse
import time

import torch

from q_store import DatabaseConfig, QuantumLayer


class HybridModel(torch.nn.Module):
    def __init__(self, quantum_layer: QuantumLayer) -> None:
        super().__init__()
        self.classical_1 = torch.nn.Linear(10, 4)
        self.quantum = quantum_layer
        self.classical_2 = torch.nn.Linear(4, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.classical_1(x)
        x = self.quantum(x)  # quantum processing: (batch, 4) -> (batch, 4), values in [-1, 1]
        return self.classical_2(x)


def seed_dataset(samples: int = 500, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(samples, 10, generator=generator)
    y = (x[:, 0] + x[:, 1] - x[:, 2] > 0).long()
    return x, y


def train(
    model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, *, epochs: int = 2, batch_size: int = 32
) -> list[tuple[float, float]]:
    """Adam (lr 0.01) on cross-entropy; returns (mean loss, train accuracy) per epoch."""
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    criterion = torch.nn.CrossEntropyLoss()
    history = []
    for _ in range(epochs):
        total = 0.0
        for start in range(0, len(x), batch_size):
            batch_x, batch_y = x[start : start + batch_size], y[start : start + batch_size]
            optimizer.zero_grad()
            loss = criterion(model(batch_x), batch_y)
            loss.backward()  # quantum gradients computed automatically
            optimizer.step()
            total += loss.item() * len(batch_x)
        with torch.no_grad():
            accuracy = (model(x).argmax(dim=1) == y).float().mean().item()
        history.append((total / len(x), accuracy))
    return history


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="mock", help="quantum_sdk plugin name (default: mock)")
    parser.add_argument(
        "--diff-method", default="auto", help="auto, backprop, adjoint, parameter-shift, spsa"
    )
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()

    torch.manual_seed(0)
    config = DatabaseConfig(quantum_sdk=args.backend)
    model = HybridModel(QuantumLayer(n_qubits=4, depth=2, config=config, diff_method=args.diff_method))
    x, y = seed_dataset()
    start = time.perf_counter()
    history = train(model, x, y, epochs=args.epochs)
    elapsed = time.perf_counter() - start
    for epoch, (loss, accuracy) in enumerate(history):
        print(f"Epoch {epoch}: Loss = {loss:.4f}  train accuracy = {accuracy:.3f}")
    print(f"{model.quantum!r}")
    print(
        f"Trained 500 samples x {args.epochs} epochs in {elapsed:.3f} s "
        "(a first run includes PyTorch's one-time warm-up; `nox -s bench` measures steady state)"
    )


if __name__ == "__main__":
    main()
