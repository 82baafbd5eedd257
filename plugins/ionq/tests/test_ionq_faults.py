"""Faults: every operation completes or raises a typed error after bounded retries, and no job
is ever paid for twice (the loopback server counts the jobs each client submission created)."""

from __future__ import annotations

import socket
from collections.abc import Callable

import numpy as np
import pytest

from q_store import PauliString, build_ansatz
from q_store.errors import BackendError, ConfigError
from q_store_contract_tests import reference
from q_store_ionq import IonQBackend
from q_store_ionq.testing import FaultPlan, LoopbackIonQServer

Make = Callable[..., IonQBackend]
CIRCUIT = build_ansatz(3, 1)
OBSERVABLES = (PauliString.z(0), PauliString.z(1), PauliString.from_label("ZZZ"))
SHOTS = 2000


def rows(seed: int, count: int = 4) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-2.5, 2.5, size=(count, CIRCUIT.n_parameters))


def assert_estimates(values: np.ndarray, parameters: np.ndarray) -> None:
    """Within 5 standard errors of the dense-matrix reference."""
    expected = reference.expectations(CIRCUIT, parameters, OBSERVABLES)
    tolerance = 5 * np.sqrt(np.clip(1 - expected**2, 0, None) / SHOTS) + 1e-9
    assert np.all(np.abs(values - expected) <= tolerance)


def assert_nothing_paid_twice(server: LoopbackIonQServer) -> None:
    counts = server.submission_counts()
    assert all(count == 1 for count in counts.values()), f"jobs paid twice: {counts}"
    assert sum(counts.values()) == server.jobs_created


def run(backend: IonQBackend, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    parameters = rows(seed)
    return backend.run(CIRCUIT, parameters, OBSERVABLES, shots=SHOTS, seed=seed), parameters


# ---------------------------------------------------------------------------- 20% faults


def test_twenty_percent_faults_complete_or_fail_typed_and_no_job_is_paid_twice(
    server: LoopbackIonQServer, make_backend: Make
) -> None:
    server.faults = FaultPlan(rate=0.2, kinds=("429", "503", "drop"), seed=7, after_create=0.5)
    backend = make_backend(circuits_per_job=2)  # 2 jobs per call: more submissions under fire
    completed, failed = 0, []
    for call in range(30):
        try:
            values, parameters = run(backend, seed=call)
        except BackendError as exc:  # typed, after bounded retries; anything else fails the test
            failed.append(str(exc))
            continue
        assert_estimates(values, parameters)
        completed += 1
    assert_nothing_paid_twice(server)
    assert completed >= 25, failed
    # The faults hit submissions after the job was created, and the lookups ran.
    ambiguous = [r for r in server.requests if r.method == "POST" and r.status in (503, "drop")]
    assert ambiguous
    assert server.count("GET", "/v0.4/jobs") >= len(ambiguous)


# ---------------------------------------------------------------------------- submissions


def test_a_5xx_after_creation_finds_the_job_instead_of_resubmitting(
    server: LoopbackIonQServer, make_backend: Make
) -> None:
    server.inject("503", method="POST", path="/jobs", after_create=True)
    values, parameters = run(make_backend())
    assert_estimates(values, parameters)
    assert server.jobs_created == 1
    assert server.count("POST") == 1
    assert server.count("GET", "/v0.4/jobs") == 1  # one lookup


def test_a_dropped_submission_that_created_nothing_is_sent_again(
    server: LoopbackIonQServer, make_backend: Make
) -> None:
    server.inject("drop", method="POST", path="/jobs", after_create=False)
    values, parameters = run(make_backend())
    assert_estimates(values, parameters)
    assert server.jobs_created == 1
    assert server.count("POST") == 2
    assert server.count("GET", "/v0.4/jobs") == 1


def test_a_rate_limited_submission_is_retried_without_a_lookup(
    server: LoopbackIonQServer, make_backend: Make
) -> None:
    server.inject("429", method="POST", path="/jobs")
    run(make_backend())
    assert server.jobs_created == 1
    assert server.count("POST") == 2
    assert server.count("GET", "/v0.4/jobs") == 0


def test_a_lost_submission_whose_lookup_fails_is_not_resubmitted(
    server: LoopbackIonQServer, make_backend: Make
) -> None:
    server.inject("503", method="POST", path="/jobs", after_create=True)
    for _ in range(4):  # every attempt of the lookup
        server.inject("503", method="GET", path="/v0.4/jobs")
    with pytest.raises(BackendError, match=r"NOT resubmitted.*'q-store [0-9a-f]{32}'"):
        run(make_backend(max_attempts=4))
    assert server.jobs_created == 1
    assert server.count("POST") == 1


def test_a_submission_without_answer_is_only_looked_for_never_resent(
    server: LoopbackIonQServer, make_backend: Make
) -> None:
    """Read timeout: the request may still be processed, so it is not sent a second time."""
    server.faults = FaultPlan(slow_seconds=0.4)
    server.inject("slow", method="POST", path="/jobs")
    backend = make_backend(read_timeout=0.1, initial_backoff=0.2, max_backoff=0.4, max_attempts=8)
    values, parameters = run(backend)
    assert_estimates(values, parameters)
    assert server.jobs_created == 1  # found by the lookups, never sent again
    assert_nothing_paid_twice(server)
    assert server.count("GET", "/v0.4/jobs") >= 2


def test_a_submission_without_answer_that_never_appears_is_a_typed_error(
    server: LoopbackIonQServer, make_backend: Make
) -> None:
    server.faults = FaultPlan(slow_seconds=30)  # answered when the server stops
    server.inject("slow", method="POST", path="/jobs")
    with pytest.raises(BackendError, match="NOT resubmitted"):
        run(make_backend(read_timeout=0.05, max_attempts=3))
    assert server.jobs_created == 0


# ---------------------------------------------------------------------------- bounded retries


def test_persistent_rate_limiting_gives_up_after_max_attempts(
    server: LoopbackIonQServer, make_backend: Make
) -> None:
    server.faults = FaultPlan(rate=1.0, kinds=("429",), retry_after=0.001)
    with pytest.raises(BackendError, match=r"failed 4 time\(s\).*HTTP 429.*max_attempts=4"):
        run(make_backend(max_attempts=4))
    assert server.count("POST") == 4
    assert server.jobs_created == 0


def test_persistent_server_errors_on_status_reads_give_up(
    server: LoopbackIonQServer, make_backend: Make
) -> None:
    backend = make_backend(max_attempts=3)
    run(backend)  # warm-up: qiskit-ionq's own lookups are done, the next GET is a status read
    for _ in range(3):
        server.inject("500", method="GET")
    with pytest.raises(BackendError, match=r"failed 3 time\(s\).*HTTP 500"):
        run(backend)
    assert server.jobs_created == 2


def test_slow_status_reads_are_retried(server: LoopbackIonQServer, make_backend: Make) -> None:
    server.faults = FaultPlan(slow_seconds=0.3)
    backend = make_backend(read_timeout=0.1)
    run(backend)  # warm-up, as above
    server.inject("slow", method="GET")
    values, parameters = run(backend, seed=1)
    assert_estimates(values, parameters)
    assert server.jobs_created == 2


def test_an_unreachable_service_is_a_typed_error_after_bounded_attempts(make_backend: Make) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    backend = make_backend(url=f"http://127.0.0.1:{port}/v0.4", max_attempts=3)
    with pytest.raises(BackendError, match=r"unreachable at http://127\.0\.0\.1:\d+/v0\.4: 3 attempt"):
        run(backend)


# ---------------------------------------------------------------------------- jobs


def test_a_failed_job_is_a_typed_error(server: LoopbackIonQServer, make_backend: Make) -> None:
    server.fail_next_jobs(1, code="QuotaExhausted", message="out of credits")
    with pytest.raises(BackendError, match="failed: QuotaExhausted: out of credits"):
        run(make_backend())


def test_a_job_canceled_elsewhere_is_a_typed_error(server: LoopbackIonQServer, make_backend: Make) -> None:
    server.cancel_next_jobs(1)
    with pytest.raises(BackendError, match="was canceled"):
        run(make_backend())


@pytest.mark.parametrize("cancel", [True, False])
def test_a_job_past_its_timeout_is_canceled_unless_told_otherwise(
    server: LoopbackIonQServer, make_backend: Make, cancel: bool
) -> None:
    server.job_duration = 60.0
    with pytest.raises(BackendError, match=r"job_timeout=0\.2 s"):
        run(make_backend(job_timeout=0.2, cancel_on_timeout=cancel))
    assert len(server.cancellations) == (1 if cancel else 0)


def test_when_one_job_of_a_call_fails_the_others_are_canceled(
    server: LoopbackIonQServer, make_backend: Make
) -> None:
    server.job_duration = 60.0
    server.cancel_next_jobs(1)  # the first of the call's two jobs
    with pytest.raises(BackendError, match="was canceled"):
        run(make_backend(circuits_per_job=2))
    assert server.jobs_created == 2
    assert len(server.cancellations) == 1  # the second job


# ---------------------------------------------------------------------------- keys


def test_a_wrong_key_is_a_config_error_and_not_retried(
    server: LoopbackIonQServer, make_backend: Make
) -> None:
    with pytest.raises(ConfigError, match=r"ionq_api_key: IonQ rejected the API key \(HTTP 401") as info:
        run(make_backend(api_key="not-the-key"))
    assert info.value.argument == "ionq_api_key"
    assert server.count("POST") == 1
    assert server.jobs_created == 0


def test_a_key_without_access_to_the_target_is_a_config_error(make_backend: Make) -> None:
    with LoopbackIonQServer(authorized_backends={"simulator"}) as restricted:
        backend = make_backend(
            url=restricted.url,
            api_key=restricted.api_key,
            target="qpu.aria-1",
            max_circuits_per_call=100,
            max_shots_per_call=10**6,
        )
        with pytest.raises(ConfigError, match=r"refused this key access \(HTTP 403"):
            run(backend)
        assert restricted.jobs_created == 0
