"""The seed document's hybrid model, trained on the mock backend (no keys, no network).

Linear(10, 4) -> QuantumLayer(4 qubits, depth 2) -> Linear(4, 2) learns the label
``x0 + x1 - x2 > 0`` of 500 random points in 2 epochs: the workload of the performance table
(the model and the loop are `q_store.benchmark.HybridModel` and `q_store.benchmark.train`).

    python examples/hybrid_training.py [--backend mock] [--diff-method auto] [--epochs 2]
"""

from __future__ import annotations

import argparse
import time

import torch

from q_store import DatabaseConfig, QuantumLayer
from q_store.benchmark import HybridModel, seed_dataset, train


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
    history = train(model, x, y, epochs=args.epochs)  # loss.backward() runs the quantum gradients
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
