"""The ``q-store`` command.

q-store plugins [--json]        installed backends and stores, with capabilities
q-store doctor [options]        check a configuration: plugins, keys, services
q-store demo [options]          the main job: the seed's complete example on real data
q-store bench [options]         the seed workload on the installed simulators, beside PennyLane
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from q_store.config import DatabaseConfig
from q_store.errors import QStoreError

__all__ = ["main"]


def _json_object(text: str) -> dict[str, Any]:
    value = json.loads(text)
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError('must be a JSON object, e.g. \'{"uri": "./data.db"}\'')
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a positive whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive whole number, got {value}")
    return value


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 0, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 0, got {value}")
    return value


def _plugins(args: argparse.Namespace) -> int:
    from q_store.plugins import get_registry

    infos = get_registry().plugins()
    if args.json:
        print(json.dumps([{**vars_of(info)} for info in infos], indent=2))
        return 0
    if not infos:
        print("No plugins installed. Install one, e.g.: pip install q-store-mock")
        return 1
    width = max(len(i.name) for i in infos)
    for kind, title in (("backend", "Quantum backends"), ("vector_store", "Vector stores")):
        print(f"{title}:")
        for info in (i for i in infos if i.kind == kind):
            origin = f"{info.distribution or 'registered by hand'} {info.version or ''}".strip()
            summary = ", ".join(f"{k}={_short(v)}" for k, v in info.capabilities.items())
            print(f"  {info.name:{width}s}  {origin:28s}  {summary}")
    return 0


def vars_of(info: Any) -> dict[str, Any]:
    return {
        "name": info.name,
        "kind": info.kind,
        "plugin": info.plugin,
        "distribution": info.distribution,
        "version": info.version,
        "capabilities": dict(info.capabilities),
    }


def _short(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ",".join(map(str, value)) + "]" if len(value) <= 4 else f"[{len(value)} items]"
    return str(value)


def _doctor(args: argparse.Namespace) -> int:
    from q_store.doctor import diagnose

    config = DatabaseConfig(
        quantum_sdk=args.quantum_sdk,
        vector_store=args.vector_store,
        backend_options=args.backend_options,
        vector_store_options=args.store_options,
    )
    checks = diagnose(config)
    for check in checks:
        print(f"[{'ok' if check.ok else 'FAIL'}] {check.subject}: {check.message}")
    failed = [c for c in checks if not c.ok]
    print("All checks passed." if not failed else f"{len(failed)} check(s) failed.")
    return 1 if failed else 0


def _demo(args: argparse.Namespace) -> int:
    from q_store.demo import run_demo

    run_demo(
        backend=args.backend,
        epochs=args.epochs,
        output=args.output,
        store=args.store,
        seed=args.seed,
        progress=not args.no_progress,
    )
    return 0


def _bench(args: argparse.Namespace) -> int:
    from q_store.benchmark import run_benchmark

    backends = args.backends.split(",") if args.backends else None
    print(run_benchmark(backends, repeats=args.repeats, json_path=args.json))
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="q-store", description="Q-Store: hybrid quantum-classical ML in PyTorch.", allow_abbrev=False
    )
    commands = root.add_subparsers(dest="command", required=True)

    plugins = commands.add_parser(
        "plugins", allow_abbrev=False, help="list installed backends and vector stores"
    )
    plugins.add_argument("--json", action="store_true", help="machine-readable output")
    plugins.set_defaults(run=_plugins)

    doctor = commands.add_parser(
        "doctor", allow_abbrev=False, help="check a configuration: plugins, keys, services"
    )
    doctor.add_argument("--quantum-sdk", default="mock", help="backend to check (default: mock)")
    doctor.add_argument("--vector-store", default=None, help="store to check (default: the config's choice)")
    doctor.add_argument("--backend-options", type=_json_object, default={}, metavar="JSON")
    doctor.add_argument("--store-options", type=_json_object, default={}, metavar="JSON")
    doctor.set_defaults(run=_doctor)

    demo = commands.add_parser(
        "demo", allow_abbrev=False, help="the seed's complete example on scikit-learn's digits"
    )
    demo.add_argument("--backend", default="mock", help="quantum backend (default: mock)")
    demo.add_argument("--epochs", type=_positive_int, default=15, help="training epochs (default: 15)")
    demo.add_argument(
        "--output", type=Path, default=Path("q-store-demo"), help="folder for the plot and report"
    )
    demo.add_argument(
        "--store", default=None, help="vector store (default: milvus if installed, else memory)"
    )
    demo.add_argument("--seed", type=_non_negative_int, default=0)
    demo.add_argument("--no-progress", action="store_true", help="no progress bars")
    demo.set_defaults(run=_demo)

    bench = commands.add_parser(
        "bench", allow_abbrev=False, help="time the seed workload on the installed simulators"
    )
    bench.add_argument(
        "--backends", default=None, help="comma-separated backends (default: the installed local simulators)"
    )
    bench.add_argument("--repeats", type=_positive_int, default=5)
    bench.add_argument("--json", type=Path, default=None, help="also write the figures here")
    bench.set_defaults(run=_bench)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.run(args))
    except QStoreError as error:
        print(f"q-store: {type(error).__name__}: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
