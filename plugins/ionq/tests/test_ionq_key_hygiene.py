"""No API key appears in any log line (DEBUG, including urllib3 and requests), repr, warning or
exception text, through successes, retries, timeouts, bad keys and failed jobs."""

from __future__ import annotations

import logging
import socket
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

from q_store import DatabaseConfig, build_ansatz, create_backend
from q_store.errors import QStoreError
from q_store_ionq import IonQBackend
from q_store_ionq.testing import FaultPlan, LoopbackIonQServer

SECRET = "sk-live-SECRET-5f1e0c9a7b3d4e2f"
WRONG = "sk-live-WRONG-0a1b2c3d4e5f6a7b"
CIRCUIT = build_ansatz(2, 1)


def chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def texts(error: BaseException) -> list[str]:
    return [t for e in chain(error) for t in (str(e), repr(e), *map(str, e.args))]


@pytest.fixture
def secret_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[LoopbackIonQServer]:
    monkeypatch.setattr("qiskit_ionq.helpers.dotenv_values", lambda *a, **k: {})
    with LoopbackIonQServer(api_key=SECRET) as server:
        monkeypatch.setenv("IONQ_API_URL", server.url)
        monkeypatch.delenv("IONQ_API_KEY", raising=False)
        yield server


def test_no_key_in_logs_reprs_warnings_or_errors(
    secret_server: LoopbackIonQServer, caplog: pytest.LogCaptureFixture, fast_options: dict[str, Any]
) -> None:
    caplog.set_level(logging.DEBUG)  # root: q_store_ionq, urllib3, requests, the loopback server
    for name in ("urllib3", "urllib3.connectionpool", "requests", "q_store_ionq", "q_store_ionq.testing"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    server = secret_server
    rows = np.zeros((2, CIRCUIT.n_parameters))

    def backend(key: str = SECRET, **options: Any) -> IonQBackend:
        return IonQBackend(api_key=key, **{**fast_options, "url": server.url, **options})

    errors: list[BaseException] = []
    objects: list[object] = []

    def attempt(action: Callable[[], object]) -> None:
        try:
            objects.append(action())
        except QStoreError as exc:
            errors.append(exc)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        good = backend()
        config = DatabaseConfig(quantum_sdk="ionq", ionq_api_key=SECRET, backend_options={"url": server.url})
        objects += [good, config, create_backend(config)]
        attempt(lambda: good.run(CIRCUIT, rows, shots=100, seed=1))  # success
        server.faults = FaultPlan(rate=0.5, kinds=("429", "503", "drop"), seed=3)
        for seed in range(5):  # retries, lookups, perhaps exhausted budgets
            attempt(lambda seed=seed: good.run(CIRCUIT, rows, shots=100, seed=seed))
        server.faults = FaultPlan()
        attempt(lambda: backend(WRONG).run(CIRCUIT, rows, shots=100))  # 401
        server.fail_next_jobs(1)
        attempt(lambda: good.run(CIRCUIT, rows, shots=100))  # failed job
        server.job_duration = 60
        attempt(lambda: backend(job_timeout=0.1).run(CIRCUIT, rows, shots=100))  # timeout + cancel
        server.job_duration = 0
        server.faults = FaultPlan(slow_seconds=0.5)
        server.inject("slow", method="POST")
        attempt(lambda: backend(read_timeout=0.05, max_attempts=2).run(CIRCUIT, rows, shots=100))
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            closed = f"http://127.0.0.1:{probe.getsockname()[1]}/v0.4"
        attempt(lambda: backend(url=closed, max_attempts=2).run(CIRCUIT, rows, shots=100))  # unreachable
        attempt(lambda: create_backend(DatabaseConfig(quantum_sdk="ionq", backend_options={"colour": 1})))

    # The scenarios really ran: a success, a 401, a failed job, a timeout, unreachable.
    assert any("HTTP 401" in str(e) for e in errors)
    assert any("failed: InternalError" in str(e) for e in errors)
    assert any("job_timeout" in str(e) for e in errors)
    assert any("unreachable" in str(e) for e in errors)
    assert "urllib3" in caplog.text or "HTTP/1.1" in caplog.text  # urllib3's debug lines were captured
    assert server.jobs_created >= 3

    for key in (SECRET, WRONG):
        assert key not in caplog.text
        for error in errors:
            assert all(key not in text for text in texts(error)), texts(error)
        for thing in objects:
            assert key not in repr(thing)
            assert key not in str(thing)
        for warning in caught:
            assert key not in str(warning.message)
        assert all(key not in f"{r.method} {r.path}" for r in server.requests)
