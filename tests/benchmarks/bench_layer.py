"""Benchmark of QuantumLayer against the peers of reference/PEERS.md, in one run.

Run by ``nox -s bench`` (never by the tests). Prints medians and ratios; ``--json PATH`` also
writes the figures. Peers run in the same process (PennyLane) so the ratios are fair on a shared
machine; the scaling table runs each configuration in a fresh subprocess so that its peak memory
(max RSS) can be read.

    python tests/benchmarks/bench_layer.py [--quick] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch

from q_store import DatabaseConfig, QuantumLayer
from q_store.benchmark import (
    DEPTH,
    N_QUBITS,
    HybridModel,
    pennylane_layer,
    qiskit_ml_layer,
    seed_dataset,
    train,
)
from q_store.benchmark import median_seconds as median_time

# ---------------------------------------------------------------------------- the layers


def copy_weights(source: torch.nn.Module, target: torch.nn.Module) -> None:
    """Give a peer layer exactly our initial weights, so that every tool runs the same training."""
    with torch.no_grad():
        next(target.parameters()).copy_(next(source.parameters()).reshape(DEPTH, -1, 2))


def hybrid(quantum: torch.nn.Module, n: int = N_QUBITS) -> torch.nn.Module:
    torch.manual_seed(0)
    return HybridModel(quantum, width=n)


# ---------------------------------------------------------------------------- the seed workload


def layer_timings(layer: torch.nn.Module, repeats: int) -> tuple[float, float, float]:
    """Forward at batch 1, forward at batch 32, forward + backward at batch 32 (seconds)."""
    one = torch.randn(1, N_QUBITS)
    batch = torch.randn(32, N_QUBITS, requires_grad=True)
    forward_1 = median_time(lambda: layer(one), repeats, warmup=20)
    forward_32 = median_time(lambda: layer(batch), repeats, warmup=20)
    backward_32 = median_time(lambda: layer(batch).sum().backward(), repeats, warmup=10)
    return forward_1, forward_32, backward_32


def seed_workload(quick: bool) -> dict[str, dict[str, float]]:
    x, y = seed_dataset()
    results: dict[str, dict[str, float]] = {}
    torch.manual_seed(0)
    reference_layer = QuantumLayer(N_QUBITS, DEPTH)

    def tools() -> dict[str, Callable[[], torch.nn.Module]]:
        def ours(method: str) -> Callable[[], torch.nn.Module]:
            def build() -> torch.nn.Module:
                layer = QuantumLayer(N_QUBITS, DEPTH, diff_method=method)
                layer.load_state_dict(reference_layer.state_dict())
                return layer

            return build

        def peer(method: str) -> Callable[[], torch.nn.Module]:
            def build() -> torch.nn.Module:
                layer = pennylane_layer(N_QUBITS, diff_method=method)
                copy_weights(reference_layer, layer)
                return layer

            return build

        return {
            "Q-Store mock, auto": ours("auto"),
            "Q-Store mock, adjoint": ours("adjoint"),
            "Q-Store mock, parameter-shift": ours("parameter-shift"),
            "PennyLane default.qubit, backprop": peer("backprop"),
            "classical Tanh (floor)": torch.nn.Tanh,
        }

    for name, build in tools().items():
        repeats = 3 if quick else 7

        def run(build: Callable[[], torch.nn.Module] = build) -> tuple[float, float]:
            model = hybrid(build())
            history = train(model, x, y, epochs=2)
            return history[-1]

        seconds = median_time(run, repeats, warmup=1)
        loss, accuracy = run()
        layer = build()
        repeats_small = 50 if quick else 300
        forward_1, forward_32, backward_32 = layer_timings(layer, repeats_small)
        results[name] = {
            "train_s": seconds,
            "final_loss": loss,
            "train_accuracy": accuracy,
            "forward_b1_ms": forward_1 * 1e3,
            "forward_b32_ms": forward_32 * 1e3,
            "forward_backward_b32_ms": backward_32 * 1e3,
        }
        print(f"  measured {name}", flush=True)
    return results


# ---------------------------------------------------------------------------- scaling


@dataclass(frozen=True)
class ScalingTool:
    """One row of the scaling table: how to build its layer, and which sizes it is run at."""

    label: str
    build: Callable[[int], torch.nn.Module]
    sizes: tuple[int, ...]
    #: Why the sizes left out are left out (shown in their cells).
    left_out: str


def _plugin(sdk: str) -> Callable[[int], torch.nn.Module]:
    return lambda n: QuantumLayer(n, DEPTH, DatabaseConfig(quantum_sdk=sdk))


def _qiskit_ml(n: int) -> torch.nn.Module:
    torch.manual_seed(0)
    return qiskit_ml_layer(QuantumLayer(n, DEPTH).state_dict()["weights"])


def _shift_circuits(n: int) -> str:
    """How many circuits one parameter-shift step at batch 32 needs (two per parameter and input)."""
    return f"{32 * (2 * (2 * DEPTH * n + n) + 1):,}"


SCALING_TOOLS = {
    "mock": ScalingTool("Q-Store mock, auto", _plugin("mock"), (4, 8, 12, 16, 20), ""),
    "pennylane-plugin": ScalingTool(
        "Q-Store pennylane (default.qubit), auto = backprop",
        _plugin("pennylane"),
        (4, 8, 12, 16),
        "not run: PennyLane's backprop runs out of memory at 20 qubits (PEERS.md)",
    ),
    "qiskit": ScalingTool(
        "Q-Store qiskit (Aer), auto = parameter-shift",
        _plugin("qiskit"),
        (4, 8, 12, 16),
        f"not run: {_shift_circuits(20)} circuits of 20 qubits per step",
    ),
    "cirq": ScalingTool(
        "Q-Store cirq, auto = parameter-shift",
        _plugin("cirq"),
        (4, 8, 12, 16),
        f"not run: {_shift_circuits(20)} circuits of 20 qubits per step",
    ),
    "pennylane": ScalingTool(
        "PennyLane default.qubit, backprop",
        pennylane_layer,
        (4, 8, 12, 16),
        "not run: out of memory at 20 qubits (PEERS.md)",
    ),
    "qiskit-ml": ScalingTool(
        "Qiskit ML EstimatorQNN + TorchConnector (Aer)",
        _qiskit_ml,
        (4, 8, 12),
        "not run: too slow (see n=12)",
    ),
}
#: A point whose first step takes longer than this is reported from that one step.
SLOW_STEP_S = 20.0


def scaling_point(tool: str, n: int) -> dict[str, float]:
    """One configuration, meant to run in a fresh process: time and peak memory."""
    torch.manual_seed(0)
    model = hybrid(SCALING_TOOLS[tool].build(n), n)
    x = torch.randn(32, 10)

    def step() -> None:
        model(x).sum().backward()

    first = median_time(step, 1, warmup=0)  # includes one-off costs: translation, caches, pages
    if first > SLOW_STEP_S:
        return {"seconds": first, "repeats": 1, "peak_gib": peak_memory_gib()}
    repeats = 3 if first > 1.0 else 7
    seconds = median_time(step, repeats, warmup=0)
    return {"seconds": seconds, "repeats": repeats, "peak_gib": peak_memory_gib()}


def peak_memory_gib() -> float:
    """Peak resident memory of this process. Linux's ru_maxrss survives exec (a child would report
    its parent's peak), so read VmHWM, which starts afresh with the new program."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def scaling(quick: bool, tools: list[str]) -> dict[str, dict[int, dict[str, float] | str]]:
    table: dict[str, dict[int, dict[str, float] | str]] = {}
    for tool in tools:
        table[tool] = {}
        sizes = [n for n in SCALING_TOOLS[tool].sizes if not quick or n <= 8]
        for n in sizes:
            command = [sys.executable, __file__, "--point", tool, str(n)]
            try:
                completed = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
            except subprocess.TimeoutExpired:
                table[tool][n] = "over 900 s"
                continue
            if completed.returncode != 0:
                table[tool][n] = f"failed: {completed.stderr.strip().splitlines()[-1:]}"
            else:
                table[tool][n] = json.loads(completed.stdout.strip().splitlines()[-1])
            print(f"  measured {tool} n={n}", flush=True)
    return table


# ---------------------------------------------------------------------------- report


def _cell(point: dict[str, float] | str | None, left_out: str) -> str:
    if point is None:
        return left_out or "not run"
    if isinstance(point, str):
        return point
    seconds = point["seconds"]
    time_text = f"{seconds * 1e3:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"
    once = " (1 run)" if point.get("repeats") == 1 else ""
    return f"{time_text}{once} / {point['peak_gib']:.2f} GiB"


def report(seed: dict[str, dict[str, float]], scale: dict[str, dict[int, dict[str, float] | str]]) -> str:
    peer = seed["PennyLane default.qubit, backprop"]
    lines = [
        "Seed workload: Linear(10,4) -> layer(4 qubits, depth 2) -> Linear(4,2), 500 samples, 2 epochs,",
        "batch 32, Adam 0.01. Medians; ratio = time / PennyLane default.qubit backprop in this run.",
        "",
        "| tool | train 500x2 | ratio | final loss | train acc | fwd b=1 | fwd b=32 | fwd+bwd b=32 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, row in seed.items():
        lines.append(
            f"| {name} | {row['train_s'] * 1e3:.1f} ms | {row['train_s'] / peer['train_s']:.2f}x | "
            f"{row['final_loss']:.3f} | {row['train_accuracy']:.3f} | {row['forward_b1_ms']:.3f} ms | "
            f"{row['forward_b32_ms']:.3f} ms | {row['forward_backward_b32_ms']:.3f} ms |"
        )
    sizes = sorted({n for points in scale.values() for n in points} | {4, 8, 12, 16, 20})
    lines += [
        "",
        "Scaling: one forward+backward step of the hybrid model, batch 32, depth 2, in a fresh process",
        "per cell, after one warm-up step (median time / peak resident memory, VmHWM; a cell whose",
        "warm-up step took over 20 s reports that one step).",
        "",
        "| tool | " + " | ".join(f"n={n}" for n in sizes) + " |",
        "|---|" + "---|" * len(sizes),
    ]
    for tool, points in scale.items():
        spec = SCALING_TOOLS[tool]
        cells = [
            _cell(points.get(n), "not run (--quick)" if n in spec.sizes else spec.left_out) for n in sizes
        ]
        lines.append(f"| {spec.label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and sizes (a smoke run)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument(
        "--scaling",
        default=",".join(SCALING_TOOLS),
        help=f"comma-separated rows of the scaling table (default: all of {', '.join(SCALING_TOOLS)})",
    )
    parser.add_argument("--point", nargs=2, metavar=("TOOL", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.point:
        print(json.dumps(scaling_point(args.point[0], int(args.point[1]))))
        return
    print(
        f"machine: {platform.processor() or platform.machine()}, torch {torch.__version__}, "
        f"{torch.get_num_threads()} threads",
        flush=True,
    )
    # Scaling first: its subprocesses then share the machine with an idle parent, not with one
    # that has just loaded PennyLane and run the in-process comparison.
    tools = [tool for tool in args.scaling.split(",") if tool]
    unknown = sorted(set(tools) - set(SCALING_TOOLS))
    if unknown:
        parser.error(f"--scaling: unknown {unknown}; choose from {', '.join(SCALING_TOOLS)}")
    scale = scaling(args.quick, tools)
    seed = seed_workload(args.quick)
    print(report(seed, scale))
    if args.json:
        args.json.write_text(json.dumps({"seed_workload": seed, "scaling": scale}, indent=2))


if __name__ == "__main__":
    main()
