"""Timing, peak memory, per-size subprocesses and the report shared by the peer benchmarks.

Plain Python and torch only: it is imported from the peers' own environments, where ``q_store``
(the current one) is not installed.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

import torch
from peer_workload import hybrid

#: A measured figure, or the reason it could not be measured ("failed: ...", "out of memory ...").
Figure = float | str
Row = dict[str, Any]
Result = TypeVar("Result")

SCALING_SIZES_QUICK = (4, 8, 12)
SCALING_SIZES_FULL = (4, 8, 12, 16, 20)
#: Fraction of the memory available at start that a scaling subprocess may map. The machine is
#: shared: a peer that needs more (TorchQuantum at n=20 wants > 19 GiB) must fail alone instead of
#: waking the kernel's OOM killer, which may pick someone else's process.
MEMORY_LIMIT_FRACTION = 0.6
#: The seed model with Tanh in place of the quantum layer: the classical floor of every ratio.
FLOOR = "classical Tanh (floor)"


# ---------------------------------------------------------------------------- measuring


def median_seconds(function: Callable[[], object], repeats: int, warmup: int = 1) -> float:
    return timed(function, repeats, warmup)[0]


def timed(function: Callable[[], Result], repeats: int, warmup: int = 1) -> tuple[float, Result]:
    """Median seconds of ``repeats`` calls after ``warmup`` untimed ones, and the last result (for
    deterministic work such as a seeded training run, so that it need not run once more)."""
    if repeats < 1:
        raise ValueError(f"repeats must be at least 1, got {repeats}")
    for _ in range(warmup):
        function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def attempt(function: Callable[[], Any]) -> Any:
    """``function()``, or "failed: reason" when it raises: one broken figure must not stop the run."""
    try:
        return function()
    except MemoryError:
        return "out of memory"
    except Exception as exc:  # a peer may raise anything; the report names it
        return f"failed: {type(exc).__name__}: {first_line(str(exc))}"


def first_line(text: str, limit: int = 160) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 3] + "..."


def peak_memory_gib() -> float | None:
    """Peak resident memory of this process (VmHWM). Not ru_maxrss: on Linux it survives exec, so a
    fresh child would report its parent's peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return None


def available_memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return None


def default_memory_limit_gib() -> float:
    available = available_memory_gib()
    return round(MEMORY_LIMIT_FRACTION * available, 1) if available is not None else 16.0


# ---------------------------------------------------------------------------- scaling subprocesses


def run_point(measure: Callable[[], Mapping[str, float | None]], memory_limit_gib: float) -> None:
    """The child's side: cap the address space, measure, print one JSON line (always)."""
    limit = int(memory_limit_gib * 2**30)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        result: Mapping[str, Any] = measure()
    except MemoryError:
        result = {"error": f"out of memory (> {memory_limit_gib:g} GiB address-space limit)"}
    except RuntimeError as exc:
        # torch reports a refused allocation as RuntimeError("... can't allocate memory ...").
        if "allocate" in str(exc):
            result = {"error": f"out of memory (> {memory_limit_gib:g} GiB address-space limit)"}
        else:
            result = {"error": f"failed: RuntimeError: {first_line(str(exc))}"}
    print(json.dumps(result), flush=True)


def scaling(
    script: Path,
    tools: Sequence[str],
    sizes: Iterable[int],
    *,
    memory_limit_gib: float,
    timeout_s: float,
) -> dict[str, dict[str, Row | str]]:
    """Run ``script --point TOOL N`` for every tool and size, each in a fresh interpreter."""
    table: dict[str, dict[str, Row | str]] = {tool: {} for tool in tools}
    for tool in tools:
        for n in sizes:
            command = [
                sys.executable,
                str(script),
                "--point",
                tool,
                str(n),
                "--memory-limit-gib",
                str(memory_limit_gib),
            ]
            table[tool][str(n)] = _child_point(command, timeout_s, memory_limit_gib)
            print(f"  measured {tool} n={n}: {table[tool][str(n)]}", flush=True)
    return table


def _child_point(command: list[str], timeout_s: float, memory_limit_gib: float) -> Row | str:
    try:
        completed = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s, check=False)
    except subprocess.TimeoutExpired:
        return f"failed: took more than {timeout_s:g} s"
    lines = completed.stdout.strip().splitlines()
    if completed.returncode == 0 and lines:
        try:
            result: Row = json.loads(lines[-1])
        except json.JSONDecodeError:
            return f"failed: unreadable output {first_line(lines[-1])!r}"
        return str(result["error"]) if "error" in result else result
    if completed.returncode == -9:  # nothing here sends SIGKILL; the kernel's OOM killer does
        return "killed by SIGKILL (most likely out of memory: the kernel's OOM killer)"
    stderr = completed.stderr.strip().splitlines()
    reason = stderr[-1] if stderr else f"exit status {completed.returncode}"
    if "allocate" in reason or "MemoryError" in reason:
        return f"out of memory (> {memory_limit_gib:g} GiB address-space limit)"
    return f"failed: {first_line(reason)}"


# ---------------------------------------------------------------------------- the environment


def environment(distributions: Sequence[str], memory_limit_gib: float, quick: bool) -> dict[str, Any]:
    versions: dict[str, str] = {}
    for name in distributions:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "versions": versions,
        "scaling_memory_limit_gib": memory_limit_gib,
        "quick": quick,
    }


# ---------------------------------------------------------------------------- command line and report


def positive_gib(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a positive number of GiB, got {text!r}")
    return value


def parser(description: str) -> argparse.ArgumentParser:
    result = argparse.ArgumentParser(description=description)
    result.add_argument("--quick", action="store_true", help="fewer repeats; scaling only up to n=12")
    result.add_argument("--json", type=Path, help="also write the figures to this file")
    result.add_argument(
        "--memory-limit-gib",
        type=positive_gib,
        default=None,
        help=f"address-space cap of each scaling subprocess (default {MEMORY_LIMIT_FRACTION:g} x available)",
    )
    result.add_argument("--point", nargs=2, metavar=("TOOL", "N"), help=argparse.SUPPRESS)
    return result


def milliseconds(value: Figure | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return f"{value * 1e3:.3g} ms" if value < 1 else f"{value:.3g} s"


def number(value: Figure | None, digits: int = 3) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else f"{value:.{digits}f}"


def seed_table(rows: Mapping[str, Row], floor: str) -> list[str]:
    """Markdown rows of the seed workload; the ratio is to ``floor``'s training time in this run."""
    floor_seconds = rows.get(floor, {}).get("train_s")
    lines = [
        "| tool | train 500x2 (median) | ratio to the classical floor | final loss | train accuracy | "
        "fwd b=1 | fwd b=32 | fwd+bwd b=32 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, row in rows.items():
        seconds = row.get("train_s")
        ratio = ""
        if isinstance(seconds, float) and isinstance(floor_seconds, float) and floor_seconds > 0:
            ratio = f"{seconds / floor_seconds:.1f}x"
        lines.append(
            f"| {name} | {milliseconds(seconds)} | {ratio} | {number(row.get('final_loss'))} | "
            f"{number(row.get('train_accuracy'))} | {milliseconds(row.get('forward_b1_s'))} | "
            f"{milliseconds(row.get('forward_b32_s'))} | {milliseconds(row.get('forward_backward_b32_s'))} |"
        )
    return lines


def scaling_table(table: Mapping[str, Mapping[str, Row | str]], sizes: Sequence[int]) -> list[str]:
    lines = [
        "| tool | " + " | ".join(f"n={n}" for n in sizes) + " |",
        "|---|" + "---|" * len(sizes),
    ]
    for tool, points in table.items():
        cells = []
        for n in sizes:
            point = points.get(str(n))
            if point is None:
                cells.append("not run")
            elif isinstance(point, str):
                cells.append(point)
            else:
                peak = point.get("peak_gib")
                memory = f" / {peak:.2f} GiB" if isinstance(peak, float) and not math.isnan(peak) else ""
                cells.append(f"{milliseconds(point['seconds'])}{memory}")
        lines.append(f"| {tool} | " + " | ".join(cells) + " |")
    return lines


def facts_table(facts: Mapping[str, Any]) -> list[str]:
    lines = ["| fact | measured |", "|---|---|"]
    for name, value in facts.items():
        text = json.dumps(value) if not isinstance(value, str) else value
        lines.append(f"| {name} | {text.replace('|', '/')} |")
    return lines


def write_json(path: Path | None, document: Mapping[str, Any]) -> None:
    if path is not None:
        path.write_text(json.dumps(document, indent=2, default=str))


def training_row(run: Callable[[], list[tuple[float, float]]], repeats: int, warmup: int) -> Row:
    """Median time of ``run`` (a training returning (loss, accuracy) per epoch) and its outcome;
    a failure becomes its text in every field, so the row still reports why."""
    row: Row = {"train_repeats": repeats}
    outcome = attempt(lambda: timed(run, repeats, warmup=warmup))
    if isinstance(outcome, str):
        row["train_s"] = row["final_loss"] = row["train_accuracy"] = outcome
    else:
        row["train_s"], history = outcome
        row["loss_accuracy_per_epoch"] = history
        row["final_loss"], row["train_accuracy"] = history[-1]
    return row


def measure_point(layer: torch.nn.Module, n: int) -> dict[str, float | None]:
    """Forward + backward of the hybrid model around ``layer`` at batch 32 (in a fresh process)."""
    model = hybrid(layer, n)
    x = torch.randn(32, 10)

    def step() -> None:
        model(x).sum().backward()

    # Not fewer under --quick: on a shared machine three repeats of a few milliseconds proved too
    # noisy (one run measured n=8 slower than n=12). Only the slow sizes get three.
    repeats = 3 if n >= 16 else 7
    return {"seconds": median_seconds(step, repeats, warmup=1), "peak_gib": peak_memory_gib()}


# ---------------------------------------------------------------------------- the whole run


def run_peer_benchmark(
    script: Path,
    *,
    description: str,
    tool: str,
    version: str,
    distributions: Sequence[str],
    build_layer: Callable[[int], torch.nn.Module],
    measure: Callable[[bool], tuple[Mapping[str, Row], Mapping[str, Any]]],
) -> None:
    """The ``main`` of a peer benchmark: the scaling table of ``build_layer(n)`` (one subprocess
    per size, see :func:`measure_point`), then
    ``measure(quick)``'s seed-workload rows and facts, printed as markdown and written as JSON."""
    args = parser(description).parse_args()
    memory_limit = args.memory_limit_gib if args.memory_limit_gib is not None else default_memory_limit_gib()
    if args.point:
        n = int(args.point[1])
        run_point(lambda: measure_point(build_layer(n), n), memory_limit)
        return
    print(
        f"machine: {platform.processor() or platform.machine()}, torch {torch.__version__}, "
        f"{torch.get_num_threads()} threads, {version}",
        flush=True,
    )
    sizes = SCALING_SIZES_QUICK if args.quick else SCALING_SIZES_FULL
    # Scaling first, while this parent is still small and idle (as bench_layer.py does).
    scale = scaling(script, [tool], sizes, memory_limit_gib=memory_limit, timeout_s=900)
    seed, facts = measure(args.quick)
    lines = [
        "Seed workload: Linear(10,4) -> layer(4 qubits, depth 2) -> Linear(4,2), 500 samples, 2 epochs, "
        "batch 32, Adam 0.01.",
        "Medians; the ratio is to the same model with Tanh in place of the quantum layer, in this run.",
        "",
        *seed_table(seed, FLOOR),
        "",
        "Scaling: forward+backward of the hybrid model, batch 32, depth 2 (median time / peak RSS, VmHWM).",
        "",
        *scaling_table(scale, sizes),
        "",
        *facts_table(facts),
    ]
    print("\n".join(lines))
    write_json(
        args.json,
        {
            "seed_workload": seed,
            "scaling": scale,
            "facts": facts,
            "environment": environment(distributions, memory_limit, args.quick),
        },
    )
