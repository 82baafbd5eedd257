"""The loopback server's jobs: creation from IonQ v0.4 job JSON, lifecycle, documents, listing.

A job is simulated when it is created (so a malformed circuit is refused with HTTP 400 and
nothing is created), then reports ``submitted`` -> ``started`` -> ``completed`` (or ``failed``)
over ``job_duration`` seconds. Multi-circuit jobs have one child job per circuit; their
aggregated results are keyed by child job id, as the real service does.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

import attrs
import numpy as np

from q_store_ionq.options import QPU_QUBITS, SIMULATOR, SIMULATOR_QUBITS
from q_store_ionq.service import SUBMISSION_TAG
from q_store_ionq.testing.simulator import NOISE_FIDELITY, CircuitError, gate_counts, noisy_probabilities
from q_store_ionq.testing.simulator import probabilities as exact_probabilities

__all__ = ["JobRecord", "LoopbackState", "RequestError"]

API_PREFIX = "/v0.4"
_QUBITS = {SIMULATOR: SIMULATOR_QUBITS, **QPU_QUBITS}
_FINAL = frozenset({"completed", "failed", "canceled"})


class RequestError(Exception):
    """An HTTP error answer: ``status`` and a message for the JSON body."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@attrs.define
class JobRecord:
    id: str
    type: str
    backend: str
    name: str | None
    metadata: dict[str, Any] | None
    shots: int
    noise: dict[str, Any] | None
    settings: dict[str, Any]
    qubits: int
    gates: tuple[int, int]
    created: float
    submitted_at: datetime
    duration: float
    parent: str | None = None
    children: list[str] = attrs.Factory(list)
    probabilities: dict[str, float] | None = None
    failure: dict[str, str] | None = None
    canceled_at: float | None = None


class LoopbackState:
    """Every job the server knows, guarded by one lock."""

    def __init__(self, *, job_duration: float, max_simulated_qubits: int) -> None:
        self.lock = threading.RLock()
        self.job_duration = job_duration
        self.max_simulated_qubits = max_simulated_qubits
        self.jobs: dict[str, JobRecord] = {}
        self.top_level: list[str] = []
        self.cancellations: list[str] = []
        self._failures: deque[dict[str, str]] = deque()
        self._cancel_next = 0

    # ------------------------------------------------------------------ lifecycle

    def fail_next(self, count: int, code: str, message: str) -> None:
        with self.lock:
            self._failures.extend({"code": code, "error": message} for _ in range(count))

    def cancel_next(self, count: int) -> None:
        with self.lock:
            self._cancel_next += count

    def status(self, job: JobRecord, now: float) -> str:
        root = self.jobs[job.parent] if job.parent else job
        if root.canceled_at is not None:
            return "canceled"
        elapsed = now - root.created
        if elapsed >= root.duration:
            return "failed" if root.failure else "completed"
        return "started" if elapsed >= root.duration / 2 else "submitted"

    def create(self, body: object, now: float) -> JobRecord:
        """Validate a job submission, simulate it, and record it (and its children)."""
        if not isinstance(body, Mapping):
            raise RequestError(400, "the job must be a JSON object")
        job_type = body.get("type")
        backend = body.get("backend")
        shots = body.get("shots")
        data = body.get("input")
        if backend not in _QUBITS:
            raise RequestError(400, f"unknown backend {backend!r}; known: {', '.join(_QUBITS)}")
        if isinstance(shots, bool) or not isinstance(shots, int) or not 1 <= shots <= 1_000_000:
            raise RequestError(400, f"shots must be an integer from 1 to 1000000, got {shots!r}")
        if not isinstance(data, Mapping) or data.get("gateset", "qis") != "qis":
            raise RequestError(400, "input.gateset must be 'qis' (the loopback server has no native gates)")
        qubits = data.get("qubits")
        if isinstance(qubits, bool) or not isinstance(qubits, int) or not 1 <= qubits <= _QUBITS[backend]:
            raise RequestError(
                400, f"input.qubits must be 1..{_QUBITS[backend]} on {backend}, got {qubits!r}"
            )
        if job_type == "ionq.circuit.v1":
            circuits = [(body.get("name"), data.get("circuit"))]
        elif job_type == "ionq.multi-circuit.v1" and isinstance(data.get("circuits"), list):
            circuits = [(c.get("name"), c.get("circuit")) for c in data["circuits"] if isinstance(c, Mapping)]
            if len(circuits) != len(data["circuits"]) or not circuits:
                raise RequestError(400, "input.circuits must be a non-empty list of {name, circuit}")
        else:
            raise RequestError(400, f"unsupported job type {job_type!r}")
        model, seed = self._noise(backend, body.get("noise"))
        rng = np.random.default_rng(seed)
        tables: list[dict[str, float] | None] = []
        for _, gates in circuits:
            if not isinstance(gates, list):
                raise RequestError(400, "a circuit must be a list of gates")
            tables.append(self._simulate(qubits, gates, model, shots, rng))
        with self.lock:
            failure = self._failures.popleft() if self._failures else None
            if failure is None and any(t is None for t in tables):
                failure = {
                    "code": "LoopbackCircuitTooLarge",
                    "error": f"the loopback server simulates at most {self.max_simulated_qubits} qubits",
                }
            job = self._record(body, str(job_type), str(backend), qubits, circuits, now, failure)
            if self._cancel_next:  # canceled by someone else (the console, another client)
                self._cancel_next -= 1
                job.canceled_at = now
            if len(circuits) == 1:
                job.probabilities = tables[0]
            else:
                for (name, gates), table in zip(circuits, tables, strict=True):
                    child = self._record(
                        body, "ionq.circuit.v1", str(backend), qubits, [(name, gates)], now, None
                    )
                    child.parent, child.name, child.probabilities = job.id, name, table
                    job.children.append(child.id)
            self.top_level.append(job.id)
            return job

    def cancel(self, job_id: str, now: float) -> dict[str, Any]:
        with self.lock:
            job = self.get(job_id)
            if self.status(job, now) not in _FINAL:
                job.canceled_at = now
                self.cancellations.append(job_id)
            return {"id": job.id, "status": self.status(job, now)}

    def delete(self, job_id: str) -> dict[str, Any]:
        with self.lock:
            job = self.get(job_id)
            for child in job.children:
                self.jobs.pop(child, None)
            self.jobs.pop(job_id)
            if job_id in self.top_level:
                self.top_level.remove(job_id)
            return {"id": job_id}

    # ------------------------------------------------------------------ reading

    def get(self, job_id: str) -> JobRecord:
        job = self.jobs.get(job_id)
        if job is None:
            raise RequestError(404, f"job {job_id} not found")
        return job

    def document(self, job: JobRecord, now: float) -> dict[str, Any]:
        status = self.status(job, now)
        root = self.jobs[job.parent] if job.parent else job
        done = status in _FINAL
        document: dict[str, Any] = {
            "id": job.id,
            "status": status,
            "type": job.type,
            "backend": job.backend,
            "dry_run": False,
            "submitter_id": "loopback",
            "project_id": None,
            "parent_job_id": job.parent,
            "session_id": None,
            "metadata": job.metadata,
            "name": job.name,
            "submitted_at": _iso(job.submitted_at),
            "started_at": _iso(job.submitted_at) if status != "submitted" else None,
            "completed_at": _iso(job.submitted_at + timedelta(seconds=root.duration)) if done else None,
            "predicted_wait_time_ms": 0,
            "predicted_execution_duration_ms": root.duration * 1000,
            "execution_duration_ms": root.duration * 1000 if done else None,
            "failure": root.failure if status == "failed" else None,
            "output": {},
            "settings": job.settings,
            "stats": {
                "qubits": job.qubits,
                "circuits": max(1, len(job.children)),
                "gate_counts": {"1q": job.gates[0], "2q": job.gates[1]},
            },
            "results": None,
            "shots": job.shots,
        }
        if job.noise is not None:
            document["noise"] = job.noise
        if job.children:
            document["child_job_ids"] = list(job.children)
        if status == "completed":
            suffix = "probabilities/aggregated" if job.children else "probabilities"
            document["results"] = {"probabilities": {"url": f"{API_PREFIX}/jobs/{job.id}/results/{suffix}"}}
        return document

    def results(self, job_id: str, *, aggregated: bool, now: float) -> dict[str, Any]:
        with self.lock:
            job = self.get(job_id)
            if self.status(job, now) != "completed":
                raise RequestError(400, f"job {job_id} has no results: it is {self.status(job, now)}")
            if aggregated != bool(job.children):
                raise RequestError(404, "use /results/probabilities/aggregated for multi-circuit jobs only")
            if job.children:
                return {child: self.jobs[child].probabilities for child in job.children}
            assert job.probabilities is not None
            return dict(job.probabilities)

    def listing(self, query: Mapping[str, list[str]], now: float) -> dict[str, Any]:
        """``GET /jobs``: newest first, filtered, ``limit`` per page, ``next`` = cursor."""
        with self.lock:
            parent = _one(query, "parent_job_id")
            ids = list(self.get(parent).children) if parent else list(reversed(self.top_level))
            wanted = {i for value in query.get("ids", []) for i in value.split(",") if i}
            status, target = _one(query, "status"), _one(query, "target")
            jobs = [self.jobs[i] for i in ids if not wanted or i in wanted]
            jobs = [j for j in jobs if (not status or self.status(j, now) == status)]
            jobs = [j for j in jobs if not target or j.backend == target]
            cursor = _one(query, "next")
            if cursor:
                positions = [j.id for j in jobs]
                jobs = jobs[positions.index(cursor) :] if cursor in positions else []
            try:
                limit = max(1, min(int(_one(query, "limit") or 25), 100))
            except ValueError:
                raise RequestError(400, "limit must be an integer") from None
            page, rest = jobs[:limit], jobs[limit:]
            return {
                "jobs": [self.document(j, now) for j in page],
                "next": rest[0].id if rest else None,
            }

    def submission_counts(self) -> Counter[str]:
        """How many top-level jobs each client submission id created (the no-double-pay check)."""
        with self.lock:
            tags = ((self.jobs[i].metadata or {}).get(SUBMISSION_TAG) for i in self.top_level)
            return Counter(tag for tag in tags if tag)

    # ------------------------------------------------------------------ private

    def _noise(self, backend: str, noise: object) -> tuple[str, int | None]:
        if backend != SIMULATOR:  # a QPU: shots of an Aria-like device
            model = backend.removeprefix("qpu.")
            return (model if model in NOISE_FIDELITY else "aria-1"), None
        if noise is None:
            return "ideal", None
        if not isinstance(noise, Mapping):
            raise RequestError(400, "noise must be an object {model, seed}")
        model = noise.get("model") or "ideal"
        if model != "ideal" and model not in NOISE_FIDELITY:
            raise RequestError(400, f"unknown noise model {model!r}")
        seed = noise.get("seed")
        return str(model), seed if isinstance(seed, int) and seed >= 0 else None

    def _simulate(
        self, qubits: int, gates: list[Any], model: str, shots: int, rng: np.random.Generator
    ) -> dict[str, float] | None:
        if qubits > self.max_simulated_qubits:
            return None
        try:
            exact = exact_probabilities(qubits, gates)
        except CircuitError as exc:
            raise RequestError(400, f"invalid circuit: {exc}") from None
        if model == "ideal":
            table = exact
        else:  # frequencies of `shots` noisy shots, as a QPU or a noisy simulation reports
            table = rng.multinomial(shots, noisy_probabilities(exact, gates, model)) / shots
        return {str(int(k)): float(table[k]) for k in np.flatnonzero(table > 1e-15)}

    def _record(
        self,
        body: Mapping[str, Any],
        job_type: str,
        backend: str,
        qubits: int,
        circuits: list[tuple[Any, Any]],
        now: float,
        failure: dict[str, str] | None,
    ) -> JobRecord:
        all_gates = [g for _, gates in circuits for g in gates if isinstance(g, Mapping)]
        metadata = body.get("metadata")
        job = JobRecord(
            id=str(uuid.uuid4()),
            type=job_type,
            backend=backend,
            name=body.get("name") if isinstance(body.get("name"), str) else None,
            metadata=dict(metadata) if isinstance(metadata, Mapping) else None,
            shots=int(body["shots"]),
            noise=dict(body["noise"]) if isinstance(body.get("noise"), Mapping) else None,
            settings=dict(body["settings"]) if isinstance(body.get("settings"), Mapping) else {},
            qubits=qubits,
            gates=gate_counts(all_gates),
            created=now,
            submitted_at=datetime.now(timezone.utc) - timedelta(seconds=time.monotonic() - now),
            duration=self.job_duration,
            failure=failure,
        )
        self.jobs[job.id] = job
        return job


def _one(query: Mapping[str, list[str]], name: str) -> str | None:
    values = query.get(name)
    return values[0] if values else None


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")
