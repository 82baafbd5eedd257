"""The loopback IonQ server: closed-form physics, the v0.4 wire protocol, faults, and the proof
that IonQ's own client (qiskit-ionq's ``backend.run``) works against it unchanged."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
import requests

from q_store_ionq.testing import FaultPlan, LoopbackIonQServer
from q_store_ionq.testing.simulator import NOISE_FIDELITY, CircuitError, probabilities


def call(server: LoopbackIonQServer, method: str, path: str, **kwargs: Any) -> requests.Response:
    headers = {"Authorization": f"apiKey {server.api_key}", **kwargs.pop("headers", {})}
    return requests.request(method, f"{server.url}/{path}", headers=headers, timeout=5, **kwargs)


def job(circuits: list[list[dict[str, Any]]], qubits: int, **fields: Any) -> dict[str, Any]:
    if len(circuits) == 1:
        data = {"gateset": "qis", "qubits": qubits, "circuit": circuits[0]}
        kind = "ionq.circuit.v1"
    else:
        data = {
            "gateset": "qis",
            "qubits": qubits,
            "circuits": [{"name": f"c{i}", "circuit": c} for i, c in enumerate(circuits)],
        }
        kind = "ionq.multi-circuit.v1"
    return {"type": kind, "backend": "simulator", "shots": 100, "input": data, **fields}


BELL = [{"gate": "h", "targets": [0]}, {"gate": "x", "targets": [1], "controls": [0]}]


# ---------------------------------------------------------------------------- the simulator


def test_bell_and_bit_order_closed_forms() -> None:
    np.testing.assert_allclose(probabilities(2, BELL), [0.5, 0, 0, 0.5], atol=1e-15)
    # X on qubit 1 of 3 is state 2 (qubit q is bit q)
    np.testing.assert_allclose(probabilities(3, [{"gate": "x", "targets": [1]}])[2], 1.0)
    # The API docs' singular form: {"gate": "cnot", "control": 0, "target": 1}
    docs_form = [{"gate": "h", "target": 0}, {"gate": "cnot", "control": 0, "target": 1}]
    np.testing.assert_allclose(probabilities(2, docs_form), [0.5, 0, 0, 0.5], atol=1e-15)


@pytest.mark.parametrize("theta", [0.3, 1.7, -2.5])
def test_rotations_closed_forms(theta: float) -> None:
    for gate in ("rx", "ry"):
        p = probabilities(1, [{"gate": gate, "targets": [0], "rotation": theta}])
        assert p[1] == pytest.approx(math.sin(theta / 2) ** 2)
    # H, RZ(theta), H: P(1) = sin^2(theta/2)
    gates = [
        {"gate": "h", "targets": [0]},
        {"gate": "rz", "targets": [0], "rotation": theta},
        {"gate": "h", "targets": [0]},
    ]
    assert probabilities(1, gates)[1] == pytest.approx(math.sin(theta / 2) ** 2)


def test_swap_and_controlled_phase() -> None:
    swapped = probabilities(2, [{"gate": "x", "targets": [0]}, {"gate": "swap", "targets": [0, 1]}])
    assert swapped[2] == pytest.approx(1.0)
    # H on qubit 0, then H_1 CZ H_1 = CNOT(0 -> 1): a Bell state
    cz = [
        {"gate": "h", "targets": [0]},
        {"gate": "h", "targets": [1]},
        {"gate": "z", "targets": [1], "controls": [0]},
        {"gate": "h", "targets": [1]},
    ]
    np.testing.assert_allclose(probabilities(2, cz), [0.5, 0, 0, 0.5], atol=1e-15)


@pytest.mark.parametrize(
    "gates",
    [
        [{"gate": "ms", "targets": [0, 1]}],
        [{"gate": "x", "targets": [5]}],
        [{"gate": "rx", "targets": [0]}],
        ["h"],
    ],
)
def test_malformed_circuits_are_refused(gates: list[Any]) -> None:
    with pytest.raises(CircuitError):
        probabilities(2, gates)


# ---------------------------------------------------------------------------- the protocol


def test_a_wrong_key_is_401_and_the_unauthenticated_qubit_lookup_works(server: LoopbackIonQServer) -> None:
    answer = call(server, "POST", "jobs", json=job([BELL], 2), headers={"Authorization": "apiKey wrong"})
    assert answer.status_code == 401
    assert server.jobs_created == 0
    lookup = requests.get(f"{server.url}/backends/qpu.aria-1", timeout=5)
    assert lookup.json()["qubits"] == 25


def test_single_circuit_job_lifecycle(server: LoopbackIonQServer) -> None:
    created = call(server, "POST", "jobs", json=job([BELL], 2, metadata={"tag": "t1"}, name="bell")).json()
    assert created["status"] == "submitted"
    document = call(server, "GET", f"jobs/{created['id']}").json()
    assert document["status"] == "completed"
    assert document["metadata"] == {"tag": "t1"}
    assert document["name"] == "bell"
    url = document["results"]["probabilities"]["url"]
    assert url == f"/v0.4/jobs/{created['id']}/results/probabilities"
    table = requests.get(
        f"{server.url.removesuffix('/v0.4')}{url}",
        headers={"Authorization": f"apiKey {server.api_key}"},
        timeout=5,
    ).json()
    assert table == {"0": pytest.approx(0.5), "3": pytest.approx(0.5)}


def test_multi_circuit_results_are_keyed_by_child_job_id(server: LoopbackIonQServer) -> None:
    x1 = [{"gate": "x", "targets": [1]}]
    created = call(server, "POST", "jobs", json=job([BELL, x1], 2)).json()
    document = call(server, "GET", f"jobs/{created['id']}").json()
    children = document["child_job_ids"]
    assert len(children) == 2
    assert server.jobs_created == 1
    aggregated = call(server, "GET", f"jobs/{created['id']}/results/probabilities/aggregated").json()
    assert list(aggregated) == children
    assert aggregated[children[1]] == {"2": 1.0}
    assert call(server, "GET", f"jobs/{children[1]}").json()["parent_job_id"] == created["id"]


def test_listing_is_newest_first_and_paginated(server: LoopbackIonQServer) -> None:
    ids = [call(server, "POST", "jobs", json=job([BELL], 2)).json()["id"] for _ in range(5)]
    page = call(server, "GET", "jobs", params={"limit": 2}).json()
    assert [j["id"] for j in page["jobs"]] == ids[::-1][:2]
    rest = call(server, "GET", "jobs", params={"limit": 10, "next": page["next"]}).json()
    assert [j["id"] for j in rest["jobs"]] == ids[::-1][2:]
    assert rest["next"] is None


def test_cancel_a_running_job_and_no_results_before_completion(server: LoopbackIonQServer) -> None:
    server.job_duration = 30.0
    created = call(server, "POST", "jobs", json=job([BELL], 2)).json()
    assert call(server, "GET", f"jobs/{created['id']}").json()["status"] == "submitted"
    assert call(server, "GET", f"jobs/{created['id']}/results/probabilities").status_code == 400
    assert call(server, "PUT", f"jobs/{created['id']}/status/cancel").json()["status"] == "canceled"
    assert server.cancellations == [created["id"]]


def test_failed_jobs_report_their_failure(server: LoopbackIonQServer) -> None:
    server.fail_next_jobs(1, code="QuotaExhausted", message="out of credits")
    created = call(server, "POST", "jobs", json=job([BELL], 2)).json()
    document = call(server, "GET", f"jobs/{created['id']}").json()
    assert document["status"] == "failed"
    assert document["failure"] == {"code": "QuotaExhausted", "error": "out of credits"}


@pytest.mark.parametrize(
    "field", [{"backend": "qpu.nowhere"}, {"shots": 0}, {"type": "ionq.quantum-function.v1"}]
)
def test_bad_jobs_are_400_and_create_nothing(server: LoopbackIonQServer, field: dict[str, Any]) -> None:
    assert call(server, "POST", "jobs", json={**job([BELL], 2), **field}).status_code == 400
    assert server.jobs_created == 0


def test_noise_models_give_seeded_noisy_frequencies(server: LoopbackIonQServer) -> None:
    def table(seed: int) -> dict[str, float]:
        body = job([BELL], 2, noise={"model": "aria-1", "seed": seed}, shots=20_000)
        created = call(server, "POST", "jobs", json=body).json()
        answer: dict[str, float] = call(server, "GET", f"jobs/{created['id']}/results/probabilities").json()
        return answer

    first, again, other = table(5), table(5), table(6)
    assert first == again
    assert first != other
    one, two = NOISE_FIDELITY["aria-1"]
    fidelity = one * two  # one H, one CNOT
    # <Z0 Z1> of the depolarized Bell state is the fidelity; estimated from 20,000 shots.
    zz = sum(p * (1 if k in ("0", "3") else -1) for k, p in first.items())
    assert zz == pytest.approx(fidelity, abs=5 * math.sqrt((1 - fidelity**2) / 20_000))


def test_scripted_and_random_faults(server: LoopbackIonQServer) -> None:
    server.inject("503", method="GET", path="/jobs")
    assert call(server, "GET", "jobs").status_code == 503
    assert call(server, "GET", "jobs").status_code == 200
    server.faults = FaultPlan(rate=1.0, kinds=("429",), retry_after=0.25)
    answer = call(server, "GET", "jobs")
    assert answer.status_code == 429
    assert answer.headers["Retry-After"] == "0.25"
    server.faults = FaultPlan(rate=1.0, kinds=("drop",))
    with pytest.raises(requests.ConnectionError):
        call(server, "GET", "jobs")
    server.faults = FaultPlan()
    server.inject("503", method="POST", after_create=True)
    assert call(server, "POST", "jobs", json=job([BELL], 2)).status_code == 503
    assert server.jobs_created == 1  # created, although the client was told 503


def test_slow_answers_are_late_but_complete(server: LoopbackIonQServer) -> None:
    server.faults = FaultPlan(rate=1.0, kinds=("slow",), slow_seconds=0.2)
    with pytest.raises(requests.ReadTimeout):
        requests.get(f"{server.url}/backends/simulator", timeout=0.05)
    assert requests.get(f"{server.url}/backends/simulator", timeout=5).status_code == 200


# ---------------------------------------------------------------------------- IonQ's own client


def test_qiskit_ionq_runs_jobs_against_the_loopback_server(server: LoopbackIonQServer) -> None:
    """qiskit-ionq, unchanged: provider, multi-circuit ``backend.run``, status polling, results."""
    from qiskit import QuantumCircuit
    from qiskit_ionq import IonQProvider

    bell = QuantumCircuit(2, name="bell")
    bell.h(0)
    bell.cx(0, 1)
    bell.measure_all()
    flip = QuantumCircuit(2, name="flip")
    flip.x(1)
    flip.measure_all()
    with pytest.warns(UserWarning, match="optimization_level"):  # qiskit-ionq's transpiler advice
        backend = IonQProvider(server.api_key, url=server.url).get_backend("simulator")
    job = backend.run([bell, flip], shots=1000, sampler_seed=3)
    counts = job.result(timeout=10).get_counts()
    assert set(counts[0]) == {"00", "11"}
    assert sum(counts[0].values()) == 1000
    assert counts[1] == {"10": 1000}  # qubit 1 set: Qiskit prints qubit 0 rightmost
    assert server.jobs_created == 1
    single = backend.run(bell, shots=10)
    assert single.get_probabilities() == {"00": pytest.approx(0.5), "11": pytest.approx(0.5)}
