"""Benchmark of the IonQ backend against qiskit-ionq used directly, on the loopback server.

The seed layer's circuit (4 qubits, depth 2, <Z_q> per wire), batch 32, 1000 shots, on a
loopback IonQ server in this process (so the ratios are fair on a shared machine). Peers:

* ``qiskit-ionq, one job per batch``: idiomatic direct use, ``backend.run(list_of_circuits)``
  then ``job.result().get_counts()``, expectations from the counts.
* ``qiskit-ionq, one job per sample``: the per-sample loop a naive layer would make.
* ``mock``: Q-Store's local exact simulator with shots (the floor without any service).

Cloud cost is requests and jobs, not local CPU: the table reports both, and what the requests
would cost at 100 ms of round trip each (a typical figure for a cloud API, not measured here).

    python plugins/ionq/benchmarks/bench_ionq.py [--quick] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from q_store import PauliString, build_ansatz, parameter_shift_jacobian
from q_store.benchmark import median_seconds as median_time
from q_store_ionq import IonQBackend
from q_store_ionq.testing import LoopbackIonQServer, environment

N_QUBITS, DEPTH, BATCH, SHOTS = 4, 2, 32, 1000
ROUND_TRIP = 0.100  # seconds per request assumed for the "at 100 ms" column
CIRCUIT = build_ansatz(N_QUBITS, DEPTH)
OBSERVABLES = tuple(PauliString.z(q) for q in range(N_QUBITS))


def qiskit_ionq_peer(server: LoopbackIonQServer, per_sample: bool) -> Callable[[np.ndarray], np.ndarray]:
    """<Z_q> for every row with qiskit-ionq alone: bind, run, counts, parities."""
    from qiskit import QuantumCircuit
    from qiskit.circuit import ParameterVector
    from qiskit_ionq import IonQProvider

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        backend = IonQProvider(server.api_key, url=server.url).get_backend("simulator")
    theta = ParameterVector("theta", CIRCUIT.n_parameters)
    template = QuantumCircuit(N_QUBITS)
    for op in CIRCUIT.operations:
        if op.gate == "cnot":
            template.cx(*op.wires)
        else:
            getattr(template, op.gate)(theta[op.parameter], op.wires[0])
    template.measure_all()

    def expectations(counts: dict[str, int]) -> np.ndarray:
        total = sum(counts.values())
        return np.array(
            [
                sum(n * (1 - 2 * int(bits[-1 - q])) for bits, n in counts.items()) / total
                for q in range(N_QUBITS)
            ]
        )

    def run(rows: np.ndarray) -> np.ndarray:
        circuits = [template.assign_parameters(row) for row in rows]
        if per_sample:
            counts = [backend.run(c, shots=SHOTS).result().get_counts() for c in circuits]
        else:
            counts = backend.run(circuits, shots=SHOTS).result().get_counts()
        return np.stack([expectations(c) for c in counts])

    return run


def measure(
    server: LoopbackIonQServer, name: str, function: Callable[[], object], repeats: int
) -> dict[str, Any]:
    function()  # warm-up (and qiskit-ionq's backend lookups) outside the counts
    before_requests, before_jobs = len(server.requests), server.jobs_created
    function()
    requests = len(server.requests) - before_requests
    jobs = server.jobs_created - before_jobs
    seconds = median_time(function, repeats, warmup=0)
    return {"tool": name, "seconds": seconds, "requests": requests, "jobs": jobs}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    args = parser.parse_args()
    repeats = 3 if args.quick else 7
    rows = np.random.default_rng(0).uniform(-np.pi, np.pi, size=(BATCH, CIRCUIT.n_parameters))
    results: dict[str, list[dict[str, Any]]] = {}
    with LoopbackIonQServer() as server:
        os.environ.update(environment(server))  # qiskit-ionq's qubit lookups go to the loopback too
        ours = IonQBackend(api_key=server.api_key, url=server.url, poll_interval=0.0)
        direct = qiskit_ionq_peer(server, per_sample=False)
        naive = qiskit_ionq_peer(server, per_sample=True)
        from q_store_mock import MockBackend

        mock = MockBackend()
        results["forward, batch 32"] = [
            measure(
                server, "q-store-ionq", lambda: ours.run(CIRCUIT, rows, OBSERVABLES, shots=SHOTS), repeats
            ),
            measure(server, "qiskit-ionq, one job per batch", lambda: direct(rows), repeats),
            measure(server, "qiskit-ionq, one job per sample", lambda: naive(rows), max(1, repeats // 2)),
            measure(
                server,
                "mock (local, shots)",
                lambda: mock.run(CIRCUIT, rows, OBSERVABLES, shots=SHOTS),
                repeats,
            ),
        ]
        shifted = 2 * CIRCUIT.n_parameters * BATCH
        results[f"parameter-shift jacobian, batch 32 ({shifted} circuits)"] = [
            measure(
                server,
                "q-store-ionq",
                lambda: parameter_shift_jacobian(ours, CIRCUIT, rows, OBSERVABLES, shots=SHOTS),
                max(1, repeats // 2),
            ),
            measure(
                server,
                "mock (local, shots)",
                lambda: parameter_shift_jacobian(mock, CIRCUIT, rows, OBSERVABLES, shots=SHOTS),
                max(1, repeats // 2),
            ),
        ]
    report(results)
    if args.json:
        meta = {"python": platform.python_version(), "machine": platform.machine(), "shots": SHOTS}
        with open(args.json, "w") as handle:
            json.dump({"meta": meta, "results": results}, handle, indent=2)


def report(results: dict[str, list[dict[str, Any]]]) -> None:
    for workload, rows in results.items():
        reference = rows[0]
        print(f"\n### {workload}\n")
        print("| tool | median wall time (loopback) | ratio | HTTP requests | jobs | at 100 ms per request |")
        print("|---|---|---|---|---|---|")
        for row in rows:
            ratio = row["seconds"] / reference["seconds"]
            network = f"{row['requests'] * ROUND_TRIP:.1f} s" if row["requests"] else "-"
            print(
                f"| {row['tool']} | {row['seconds'] * 1000:.1f} ms | {ratio:.2f}x | {row['requests']} | "
                f"{row['jobs']} | {network} |"
            )


if __name__ == "__main__":
    main()
