"""The earlier Q-Store release, q-store==4.0.0 from the registry, on the seed workload of
reference/PEERS.md, with facts measured about what its torch layer computes.

Runs in its own environment (see README.md beside this file): the release owns the import name
``q_store``, so it cannot share an environment with the current code. Its documented torch layer
is ``q_store.torch.QuantumLayer(n_qubits=4, depth=2)`` (default backend 'mock_ideal', its local
mock); it takes no ``config``. Nothing here asserts: every fact is measured and reported, and a
failing measurement is recorded as "failed: reason".

    python tests/benchmarks/peers/bench_qstore_legacy.py [--quick] [--json out.json]
"""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from peer_measure import (
    FLOOR,
    Row,
    attempt,
    median_seconds,
    run_peer_benchmark,
    training_row,
)
from peer_workload import DEPTH, N_QUBITS, hybrid, majority_class_rate, seed_dataset, train

import q_store
from q_store.torch import QuantumLayer

# The release calls logging.basicConfig(level=INFO) at import time (measured in facts()) and then
# logs every backend it builds; quiet it so that the report stays readable.
logging.getLogger("q_store").setLevel(logging.WARNING)

TOOL = "q-store 4.0.0 QuantumLayer(n_qubits=4, depth=2)"
DISTRIBUTIONS = ("q-store", "torch", "numpy", "scipy", "cirq-core")
#: A placeholder, never a real key: DatabaseConfig cannot be built without one (see facts()).
DUMMY_PINECONE_KEY = "dummy-not-a-real-key"


def legacy_layer(n_qubits: int = N_QUBITS, input_encoding: str | None = None) -> torch.nn.Module:
    """The documented layer. Its 24 weights (RX, RY, RZ per wire and layer, ``randn * 0.1``) have
    no counterpart in the peers' layout, so they are its own, drawn after ``manual_seed(0)``."""
    torch.manual_seed(0)
    layer: torch.nn.Module = QuantumLayer(n_qubits=n_qubits, depth=DEPTH, input_encoding=input_encoding)
    return layer


# ---------------------------------------------------------------------------- facts


def outcome_of(function: Callable[[], object]) -> str:
    """What a documented call does: "ok: <type>" or "raises <Error>: <message>"."""
    try:
        value = function()
    except Exception as exc:  # the point is to see what the release raises
        return f"raises {type(exc).__name__}: {exc}"
    return f"ok: returns {type(value).__module__}.{type(value).__qualname__}"


def configuration_facts() -> dict[str, Any]:
    from q_store import DatabaseConfig
    from q_store.ml import QuantumLayer as MlQuantumLayer

    return {
        "DatabaseConfig(quantum_sdk='mock')": outcome_of(lambda: DatabaseConfig(quantum_sdk="mock")),
        "DatabaseConfig(pinecone_api_key=<dummy string>, quantum_sdk='mock')": outcome_of(
            lambda: DatabaseConfig(pinecone_api_key=DUMMY_PINECONE_KEY, quantum_sdk="mock")
        ),
        "q_store.torch.QuantumLayer(n_qubits=4, depth=2, config=<that DatabaseConfig>)": outcome_of(
            lambda: QuantumLayer(
                n_qubits=4,
                depth=2,
                config=DatabaseConfig(pinecone_api_key=DUMMY_PINECONE_KEY, quantum_sdk="mock"),
            )
        ),
        "README's q_store.ml.QuantumLayer(n_qubits=4, depth=2)": outcome_of(
            lambda: MlQuantumLayer(n_qubits=4, depth=2)
        ),
        "q_store.ml.QuantumLayer is a torch.nn.Module": issubclass(MlQuantumLayer, torch.nn.Module),
        "logging after `import q_store` in a fresh interpreter": logging_at_import(),
    }


def logging_at_import() -> str:
    probe = (
        "import logging; root = logging.getLogger(); before = len(root.handlers); import q_store; "
        "print(before, len(root.handlers), logging.getLevelName(root.level))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=300, check=False
    )
    if completed.returncode != 0:
        return f"failed: {completed.stderr.strip().splitlines()[-1:]}"
    before, after, level = completed.stdout.split()
    return f"root logger handlers {before} -> {after}, root level {level}"


def layer_facts(input_encoding: str | None) -> dict[str, Any]:
    """Does the output depend on the input? On the weights? Are the gradients zero? Is it <Z>?"""
    layer = legacy_layer(input_encoding=input_encoding)
    weights = next(layer.parameters())
    generator = torch.Generator().manual_seed(1)
    x = torch.randn(2, N_QUBITS, generator=generator, requires_grad=True)
    other_x = torch.randn(2, N_QUBITS, generator=generator)
    output = layer(x)
    output.sum().backward()
    input_gradient = x.grad
    with torch.no_grad():
        other_input = layer(other_x)
        weights.add_(1.0)
        other_weights = layer(x)
        weights.sub_(1.0)
        wide = layer(torch.randn(32, N_QUBITS, generator=generator))
    detached = output.detach()
    return {
        "output depends on the input (max |f(x) - f(x')|)": float((detached - other_input).abs().max()),
        "samples of one batch differ (max |f(x)[0] - f(x)[1]|)": float(
            (detached[0] - detached[1]).abs().max()
        ),
        "output depends on the weights (max |f(x; w) - f(x; w + 1)|)": float(
            (detached - other_weights).abs().max()
        ),
        "max |d sum f / d weights|": float(weights.grad.abs().max()) if weights.grad is not None else "None",
        "max |d sum f / d inputs|": (
            float(input_gradient.abs().max())
            if input_gradient is not None
            else "None (the input is not in the autograd graph)"
        ),
        "output range on 32 random inputs (<Z> must lie in [-1, 1])": [float(wide.min()), float(wide.max())],
    }


# ---------------------------------------------------------------------------- the seed workload


def layer_timings(layer: torch.nn.Module, repeats: int, backward_repeats: int) -> dict[str, Any]:
    """Forward at batch 1, forward at batch 32, forward + backward at batch 32 (seconds)."""
    one = torch.randn(1, N_QUBITS)
    batch = torch.randn(32, N_QUBITS, requires_grad=True)
    timings: dict[str, Any] = {
        "forward_b1_s": attempt(lambda: median_seconds(lambda: layer(one), repeats, warmup=3)),
        "forward_b32_s": attempt(lambda: median_seconds(lambda: layer(batch), repeats, warmup=3)),
        "forward_backward_b32_s": "not run (--quick)",
    }
    if backward_repeats > 0:
        timings["forward_backward_b32_s"] = attempt(
            lambda: median_seconds(lambda: layer(batch).sum().backward(), backward_repeats, warmup=1)
        )
    return timings


def seed_workload(quick: bool) -> tuple[dict[str, Row], dict[str, Any]]:
    """The training run (the documented layer and the classical floor), the layer timings, and
    the facts that only training shows."""
    x, y = seed_dataset()
    rows: dict[str, Row] = {}
    trained: dict[str, torch.nn.Module] = {}
    builders: dict[str, Callable[[], torch.nn.Module]] = {TOOL: legacy_layer, FLOOR: torch.nn.Tanh}
    for name, build in builders.items():

        def run(build: Callable[[], torch.nn.Module] = build, name: str = name) -> list[tuple[float, float]]:
            model = hybrid(build())
            trained[name] = model  # the last run's model, for the facts about its predictions
            return train(model, x, y)

        # A training run of the release takes seconds (PEERS.md: 11-13 s); the floor, milliseconds,
        # and it is the denominator of every ratio: more repeats.
        repeats = (1 if quick else 3) if name == TOOL else (7 if quick else 15)
        row = training_row(run, repeats, warmup=0)
        if name == TOOL:
            row.update(layer_timings(build(), 10 if quick else 50, 3 if quick else 10))
        else:
            row.update(layer_timings(build(), 50 if quick else 300, 50 if quick else 300))
        rows[name] = row
        print(f"  measured {name}", flush=True)
    training_facts: dict[str, Any] = {"majority-class rate of the 500 labels": majority_class_rate(y)}
    if TOOL in trained:
        with torch.no_grad():
            predictions = trained[TOOL](x).argmax(dim=1)
        training_facts["distinct predicted classes on the 500 samples after training"] = int(
            predictions.unique().numel()
        )
    return rows, training_facts


def angle_variant_row(quick: bool) -> Row:
    """``input_encoding='angle'`` (the only setting that puts the input into the circuit) is not
    trained: it executes one circuit per sample and its backward pass took 12-25 s at batch 32 on
    this machine, so the 32 training steps would take 6 to 13 minutes (and its output does not
    depend on the input anyway: see the facts)."""
    row: Row = {
        "train_s": "not run (12-25 s per step)",
        "final_loss": "not trained",
        "train_accuracy": "not trained",
    }
    row.update(layer_timings(legacy_layer(input_encoding="angle"), 3 if quick else 10, 0 if quick else 1))
    return row


# ---------------------------------------------------------------------------- main


def measure(quick: bool) -> tuple[dict[str, Row], dict[str, Any]]:
    """The seed workload (with the angle-encoding variant) and every fact about the release."""
    seed, training_facts = seed_workload(quick)
    seed["q-store 4.0.0, input_encoding='angle'"] = angle_variant_row(quick)
    configuration = attempt(configuration_facts)
    facts: dict[str, Any] = (
        configuration if isinstance(configuration, dict) else {"configuration facts": configuration}
    )
    for label, encoding in (("documented layer", None), ("input_encoding='angle'", "angle")):
        measured = attempt(lambda encoding=encoding: layer_facts(encoding))
        if isinstance(measured, str):
            facts[f"{label}: facts"] = measured
        else:
            facts.update({f"{label}: {name}": value for name, value in measured.items()})
    facts.update(training_facts)
    return seed, facts


def main() -> None:
    run_peer_benchmark(
        Path(__file__).resolve(),
        description=__doc__.splitlines()[0],
        tool=TOOL,
        version=f"q-store {q_store.__version__}",
        distributions=DISTRIBUTIONS,
        build_layer=legacy_layer,
        measure=measure,
    )


if __name__ == "__main__":
    main()
