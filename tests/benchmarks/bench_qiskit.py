"""Benchmark of the Qiskit plugin against Qiskit Machine Learning, in one process.

The seed workload of reference/PEERS.md (Linear(10,4) -> 4-qubit depth-2 layer -> Linear(4,2), 500
samples, 2 epochs, batch 32, Adam 0.01) trained with parameter-shift gradients on Aer by:

* Q-Store's ``qiskit`` backend (``QuantumLayer(diff_method='parameter-shift')``): every shifted row
  of a batch in one Aer EstimatorV2 call;
* the peer: Qiskit ML's ``EstimatorQNN`` + ``TorchConnector`` on Aer's ``EstimatorV2`` with
  ``default_precision=0.0`` (exact values, as PEERS.md prescribes);
* Q-Store's ``mock`` backend with parameter shift, for context (same gradient rule, no Aer),
  when q-store-mock is installed.

All tools start from the same weights (QuantumLayer's state_dict, copied into the peer), so the
losses after the same steps must agree: that is printed as a correctness check.

The peer needs about 3 minutes for the whole workload. With ``--quick`` it trains only a few
steps; its training time is then EXTRAPOLATED from the median step and one evaluation pass
(32 steps + 2 evaluations of the 500 samples), and the report says so. Q-Store's tools are always
measured on the whole workload as well.

    python tests/benchmarks/bench_qiskit.py [--quick] [--json out.json]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from q_store import DatabaseConfig, QuantumLayer
from q_store.benchmark import median_seconds as median_time
from q_store.benchmark import qiskit_ml_layer, seed_dataset, train

N_QUBITS, DEPTH, BATCH, EPOCHS = 4, 2, 32, 2
PEER = "Qiskit ML EstimatorQNN + TorchConnector (Aer EstimatorV2)"


# ---------------------------------------------------------------------------- the layers


def reference_state() -> dict[str, torch.Tensor]:
    """The initial weights every tool starts from (those of bench_layer.py: seed 0)."""
    torch.manual_seed(0)
    return QuantumLayer(N_QUBITS, DEPTH, DatabaseConfig(quantum_sdk="qiskit")).state_dict()


def qstore_layer(sdk: str, state: dict[str, torch.Tensor], options: dict[str, object]) -> torch.nn.Module:
    config = DatabaseConfig(quantum_sdk=sdk, backend_options=options)
    layer = QuantumLayer(N_QUBITS, DEPTH, config, diff_method="parameter-shift")
    layer.load_state_dict(state)
    return layer


def hybrid(quantum: torch.nn.Module) -> torch.nn.Module:
    """The seed model; seeding here gives every tool the same classical layers."""
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(10, N_QUBITS), quantum, torch.nn.Linear(N_QUBITS, 2))


# ---------------------------------------------------------------------------- measurements


def train_steps(
    model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, steps: int
) -> tuple[list[float], list[float]]:
    """The first ``steps`` optimizer steps of ``train`` (same order, optimizer and loss), timed."""
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    criterion = torch.nn.CrossEntropyLoss()
    seconds, losses = [], []
    for step in range(steps):
        start = (step * BATCH) % len(x)
        batch_x, batch_y = x[start : start + BATCH], y[start : start + BATCH]
        begin = time.perf_counter()
        optimizer.zero_grad()
        loss = criterion(model(batch_x), batch_y)
        loss.backward()
        optimizer.step()
        seconds.append(time.perf_counter() - begin)
        losses.append(loss.item())
    return seconds, losses


def evaluation_seconds(model: torch.nn.Module, x: torch.Tensor) -> float:
    """One accuracy pass of ``train`` over the whole data set (no gradients)."""
    begin = time.perf_counter()
    with torch.no_grad():
        model(x).argmax(dim=1)
    return time.perf_counter() - begin


def measure(
    build: Callable[[], torch.nn.Module], *, full_runs: int, steps: int, layer_repeats: int
) -> dict[str, float]:
    """Training time (measured over ``full_runs`` whole workloads, or extrapolated when 0),
    median step time, evaluation time, losses, and forward times of the layer alone."""
    x, y = seed_dataset()
    steps_per_epoch = math.ceil(len(x) / BATCH)
    step_seconds, step_losses = train_steps(hybrid(build()), x, y, steps)
    model = hybrid(build())
    evaluation = evaluation_seconds(model, x)
    row: dict[str, float] = {
        "step_s": statistics.median(step_seconds[1:] or step_seconds),  # the first step warms up
        "eval_s": evaluation,
        "steps_measured": float(steps),
        "loss_after_steps": step_losses[-1],
    }
    row["train_extrapolated_s"] = EPOCHS * (steps_per_epoch * row["step_s"] + evaluation)
    if full_runs:
        times, history = [], [(math.nan, math.nan)]
        for _ in range(full_runs):
            model = hybrid(build())
            begin = time.perf_counter()
            history = train(model, x, y, epochs=EPOCHS, batch_size=BATCH)
            times.append(time.perf_counter() - begin)
        row["train_s"] = statistics.median(times)
        row["final_loss"], row["train_accuracy"] = history[-1]
    layer = build()
    one = torch.randn(1, N_QUBITS)
    batch = torch.randn(BATCH, N_QUBITS)
    with torch.no_grad():
        row["forward_b1_ms"] = median_time(lambda: layer(one), layer_repeats) * 1e3
        row["forward_b32_ms"] = median_time(lambda: layer(batch), layer_repeats) * 1e3
    return row


def workloads(quick: bool) -> dict[str, dict[str, float]]:
    state = reference_state()
    # Ours are fast: always the whole workload (and the same first steps as the peer).
    steps = 4 if quick else 6
    ours_runs = 1 if quick else 3
    tools: dict[str, tuple[Callable[[], torch.nn.Module], int, int]] = {
        "Q-Store qiskit (Aer statevector), parameter-shift": (
            lambda: qstore_layer("qiskit", state, {}),
            ours_runs,
            20 if quick else 100,
        ),
        "Q-Store qiskit (Aer matrix_product_state), parameter-shift": (
            lambda: qstore_layer("qiskit", state, {"method": "matrix_product_state"}),
            ours_runs,
            20 if quick else 100,
        ),
        # The peer's whole workload takes ~3 minutes: measured in full runs only.
        PEER: (lambda: qiskit_ml_layer(state["weights"]), 0 if quick else 1, 3 if quick else 10),
    }
    if importlib.util.find_spec("q_store_mock") is not None:
        tools["Q-Store mock, parameter-shift"] = (
            lambda: qstore_layer("mock", state, {}),
            ours_runs,
            20 if quick else 100,
        )
        tools[PEER] = tools.pop(PEER)  # keep the peer last in the table
    results = {}
    for name, (build, full_runs, layer_repeats) in tools.items():
        results[name] = measure(build, full_runs=full_runs, steps=steps, layer_repeats=layer_repeats)
        print(f"  measured {name}", flush=True)
    return results


# ---------------------------------------------------------------------------- report


def report(results: dict[str, dict[str, float]], quick: bool) -> str:
    peer = results[PEER]
    peer_train = peer.get("train_s", peer["train_extrapolated_s"])
    peer_kind = "measured" if "train_s" in peer else "extrapolated from its median step"
    lines = [
        "Seed workload: Linear(10,4) -> layer(4 qubits, depth 2) -> Linear(4,2), 500 samples, 2 epochs,",
        f"batch 32, Adam 0.01, parameter-shift gradients. Ratio = train time / the peer's ({peer_kind}).",
        f"'step' = one optimizer step at batch 32 (median of {int(peer['steps_measured']) - 1} after a "
        "warm-up step); 'eval' = one accuracy pass over the 500 samples.",
        "",
        "| tool | train 500x2 | ratio | final loss | train acc | step b=32 | step ratio | eval 500 "
        f"| loss after {int(peer['steps_measured'])} steps | fwd b=1 | fwd b=32 |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, row in results.items():
        measured = "train_s" in row
        train_s = row["train_s"] if measured else row["train_extrapolated_s"]
        train_cell = f"{train_s:.2f} s" if measured else f"~{train_s:.1f} s (extrapolated)"
        loss = f"{row['final_loss']:.4f}" if measured else "not run"
        accuracy = f"{row['train_accuracy']:.3f}" if measured else "not run"
        lines.append(
            f"| {name} | {train_cell} | {train_s / peer_train:.3f}x | {loss} | {accuracy} | "
            f"{row['step_s'] * 1e3:.1f} ms | {row['step_s'] / peer['step_s']:.3f}x | "
            f"{row['eval_s'] * 1e3:.1f} ms | {row['loss_after_steps']:.6f} | "
            f"{row['forward_b1_ms']:.2f} ms | {row['forward_b32_ms']:.2f} ms |"
        )
    deviations = [abs(row["loss_after_steps"] - peer["loss_after_steps"]) for row in results.values()]
    lines += [
        "",
        f"Largest difference of the loss after the same {int(peer['steps_measured'])} steps from the "
        f"peer's: {max(deviations):.2e} (same initial weights; exact tools must agree to ~1e-6).",
    ]
    if quick:
        lines.append("--quick: the peer's training time is extrapolated; run without --quick to measure it.")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few peer steps, extrapolated (a smoke run)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    try:
        import qiskit_machine_learning
    except ImportError:
        sys.exit("the peer needs Qiskit Machine Learning: pip install 'qiskit-machine-learning>=0.9'")
    import qiskit
    import qiskit_aer

    print(
        f"machine: {platform.processor() or platform.machine()}, torch {torch.__version__}, "
        f"{torch.get_num_threads()} threads, qiskit {qiskit.__version__}, qiskit-aer "
        f"{qiskit_aer.__version__}, qiskit-machine-learning {qiskit_machine_learning.__version__}, "
        f"numpy {np.__version__}",
        flush=True,
    )
    results = workloads(args.quick)
    print(report(results, args.quick))
    if args.json:
        args.json.write_text(json.dumps({"seed_workload": results, "quick": args.quick}, indent=2))


if __name__ == "__main__":
    main()
