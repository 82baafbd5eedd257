"""Benchmark of the PennyLane plugin on the seed workload, beside PennyLane's own TorchLayer.

Tools, all in this process and on the same machine state: Q-Store on 'pennylane' with PennyLane's
native methods (default.qubit backprop and adjoint, lightning.qubit adjoint) and with the core's
parameter-shift rule; PennyLane's ``qml.qnn.TorchLayer`` with the same circuit on the same devices
(the peer the goal is stated against); Q-Store's mock backend and the classical floor for context.
Every quantum tool starts from the same QuantumLayer state_dict and the same classical weights, so
every exact tool runs the same training: equal final losses and accuracies are a correctness check.

Goal: Q-Store on default.qubit with backprop at most 1.2x TorchLayer on default.qubit with backprop.

Run by hand or by ``nox -s bench`` (never by the tests). Prints medians and ratios; ``--json PATH``
also writes the figures. Tools that take most of a minute or more per training run (PennyLane's
own parameter shift, default.qubit's adjoint method, parameter shift on lightning.qubit, which
does not broadcast) are measured once, and skipped by ``--quick``.

    python tests/benchmarks/bench_pennylane.py [--quick] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import attrs
import pennylane as qml
import torch

from q_store import DatabaseConfig, QuantumLayer, get_registry
from q_store.benchmark import DEPTH, N_QUBITS, HybridModel, pennylane_layer, seed_dataset, train
from q_store.benchmark import layer_builder as qstore_builder
from q_store.benchmark import median_seconds as median_time

#: The goal of the issue: ours / TorchLayer, default.qubit, backprop.
GOAL_RATIO = 1.2
GOAL_TOOL = "Q-Store pennylane default.qubit, backprop"


@attrs.frozen
class Tool:
    build: Callable[[], torch.nn.Module]
    #: The row whose time this tool's ratio is taken against (None: no like-for-like peer).
    peer: str | None = None
    #: Most of a minute or more per training run: measured once, and skipped by --quick.
    slow: bool = False


def hybrid(quantum: torch.nn.Module) -> torch.nn.Module:
    torch.manual_seed(0)  # the same classical weights for every tool
    return HybridModel(quantum)


# ---------------------------------------------------------------------------- the layers


def torchlayer_builder(
    initial: dict[str, torch.Tensor], device: str, diff_method: str
) -> Callable[[], torch.nn.Module]:
    """PennyLane's own TorchLayer of the same circuit (q_store.benchmark.pennylane_layer)."""

    def build() -> torch.nn.Module:
        layer = pennylane_layer(N_QUBITS, DEPTH, device=device, diff_method=diff_method)
        with torch.no_grad():  # our initial weights, in TorchLayer's (depth, wires, 2) shape
            next(layer.parameters()).copy_(initial["weights"].reshape(DEPTH, N_QUBITS, 2))
        return layer

    return build


def tools(initial: dict[str, torch.Tensor]) -> dict[str, Tool]:
    peer_dq_backprop = "PennyLane TorchLayer default.qubit, backprop"
    peer_dq_adjoint = "PennyLane TorchLayer default.qubit, adjoint"
    peer_lq_adjoint = "PennyLane TorchLayer lightning.qubit, adjoint"
    peer_dq_shift = "PennyLane TorchLayer default.qubit, parameter-shift"
    table = {
        GOAL_TOOL: Tool(qstore_builder(initial, "pennylane", "backprop"), peer_dq_backprop),
        peer_dq_backprop: Tool(torchlayer_builder(initial, "default.qubit", "backprop")),
        "Q-Store pennylane default.qubit, adjoint": Tool(
            qstore_builder(initial, "pennylane", "adjoint"), peer_dq_adjoint, slow=True
        ),
        peer_dq_adjoint: Tool(torchlayer_builder(initial, "default.qubit", "adjoint"), slow=True),
        "Q-Store pennylane lightning.qubit, adjoint": Tool(
            qstore_builder(initial, "pennylane", "adjoint", device="lightning.qubit"), peer_lq_adjoint
        ),
        peer_lq_adjoint: Tool(torchlayer_builder(initial, "lightning.qubit", "adjoint")),
        "Q-Store pennylane default.qubit, parameter-shift": Tool(
            qstore_builder(initial, "pennylane", "parameter-shift"), peer_dq_shift
        ),
        "Q-Store pennylane lightning.qubit, parameter-shift": Tool(
            qstore_builder(initial, "pennylane", "parameter-shift", device="lightning.qubit"),
            peer_dq_shift,
            slow=True,
        ),
        peer_dq_shift: Tool(torchlayer_builder(initial, "default.qubit", "parameter-shift"), slow=True),
    }
    if "mock" in get_registry().backend_names():
        table["Q-Store mock, auto (context)"] = Tool(qstore_builder(initial, "mock", "auto"))
    table["classical Tanh (floor)"] = Tool(torch.nn.Tanh)
    return table


# ---------------------------------------------------------------------------- measuring


def layer_timings(layer: torch.nn.Module, repeats: int) -> tuple[float, float, float]:
    """Forward at batch 1, forward at batch 32, forward + backward at batch 32 (seconds)."""
    one = torch.randn(1, N_QUBITS)
    batch = torch.randn(32, N_QUBITS, requires_grad=True)
    warmup = max(1, repeats // 10)
    forward_1 = median_time(lambda: layer(one), repeats, warmup)
    forward_32 = median_time(lambda: layer(batch), repeats, warmup)
    backward_32 = median_time(lambda: layer(batch).sum().backward(), repeats, warmup)
    return forward_1, forward_32, backward_32


def training_times(
    selected: dict[str, Tool], rounds: int, warmup_rounds: int, x: torch.Tensor, y: torch.Tensor
) -> tuple[dict[str, float], dict[str, tuple[float, float]]]:
    """Median seconds of the seed workload per tool, and each tool's final (loss, accuracy).

    Every round trains each tool once, in turn: on a shared machine the load changes over minutes,
    and alternating the tools keeps their medians (and so the ratios) under the same conditions.
    """
    times: dict[str, list[float]] = {name: [] for name in selected}
    outcomes: dict[str, tuple[float, float]] = {}
    for round_index in range(warmup_rounds + rounds):
        for name, tool in selected.items():
            start = time.perf_counter()
            history = train(hybrid(tool.build()), x, y, epochs=2)
            elapsed = time.perf_counter() - start
            if round_index >= warmup_rounds:
                times[name].append(elapsed)
            outcomes[name] = history[-1]
    return {name: statistics.median(values) for name, values in times.items()}, outcomes


def seed_workload(quick: bool) -> tuple[dict[str, dict[str, float]], dict[str, str | None]]:
    x, y = seed_dataset()
    torch.manual_seed(0)
    initial = QuantumLayer(N_QUBITS, DEPTH, DatabaseConfig(quantum_sdk="pennylane")).state_dict()
    every = tools(initial)
    fast = {name: tool for name, tool in every.items() if not tool.slow}
    slow = {name: tool for name, tool in every.items() if tool.slow and not quick}
    for name in every.keys() - fast.keys() - slow.keys():
        print(f"  skipped {name} (--quick)", flush=True)
    seconds, outcomes = training_times(fast, 3 if quick else 7, 1, x, y)
    print("  measured the fast tools", flush=True)
    if slow:
        slow_seconds, slow_outcomes = training_times(slow, 1, 0, x, y)
        seconds.update(slow_seconds)
        outcomes.update(slow_outcomes)
    results: dict[str, dict[str, float]] = {}
    for name, tool in every.items():
        if name not in seconds:
            continue
        forward_1, forward_32, backward_32 = layer_timings(
            tool.build(), 3 if tool.slow else (30 if quick else 200)
        )
        results[name] = {
            "train_s": seconds[name],
            "final_loss": outcomes[name][0],
            "train_accuracy": outcomes[name][1],
            "forward_b1_ms": forward_1 * 1e3,
            "forward_b32_ms": forward_32 * 1e3,
            "forward_backward_b32_ms": backward_32 * 1e3,
        }
        print(f"  measured {name}: {seconds[name]:.3f} s", flush=True)
    return results, {name: every[name].peer for name in results}


# ---------------------------------------------------------------------------- report


def report(results: dict[str, dict[str, float]], peers: dict[str, str | None]) -> str:
    lines = [
        "Seed workload: Linear(10,4) -> layer(4 qubits, depth 2) -> Linear(4,2), 500 samples, 2 epochs,",
        "batch 32, Adam 0.01. Medians, tools alternating round by round; ratio = time / PennyLane",
        "TorchLayer with the same device and method in this run (parameter-shift rows: against",
        "TorchLayer's parameter shift on default.qubit, measured only without --quick).",
        "",
        "| tool | train 500x2 | ratio | final loss | train acc | fwd b=1 | fwd b=32 | fwd+bwd b=32 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, row in results.items():
        peer = peers.get(name)
        ratio = (
            "-"
            if peer is None or peer not in results
            else f"{row['train_s'] / results[peer]['train_s']:.2f}x"
        )
        lines.append(
            f"| {name} | {row['train_s'] * 1e3:.1f} ms | {ratio} | {row['final_loss']:.4f} | "
            f"{row['train_accuracy']:.3f} | {row['forward_b1_ms']:.2f} ms | {row['forward_b32_ms']:.2f} ms | "
            f"{row['forward_backward_b32_ms']:.2f} ms |"
        )
    goal_peer = peers.get(GOAL_TOOL)
    if GOAL_TOOL in results and goal_peer is not None and goal_peer in results:
        goal_ratio = results[GOAL_TOOL]["train_s"] / results[goal_peer]["train_s"]
        verdict = "met" if goal_ratio <= GOAL_RATIO else "NOT met"
        goal = (
            f"Goal (at most {GOAL_RATIO}x TorchLayer, default.qubit backprop): {goal_ratio:.2f}x, {verdict}."
        )
        lines += ["", goal]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats; skip the minutes-long peer")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    print(
        f"machine: {platform.processor() or platform.machine()}, torch {torch.__version__}, "
        f"pennylane {qml.__version__}, {torch.get_num_threads()} threads",
        flush=True,
    )
    results, peers = seed_workload(args.quick)
    print(report(results, peers))
    if args.json:
        args.json.write_text(json.dumps({"seed_workload": results, "peers": peers}, indent=2))


if __name__ == "__main__":
    main()
