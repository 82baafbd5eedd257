"""Running circuits as IonQ jobs: submit once, poll with a timeout, read the probabilities.

A call's circuits go out as few multi-circuit jobs (``circuits_per_job`` each), all submitted
before any is polled so that they queue together. The rules that protect the bill:

* **A submission is never duplicated.** Each carries a client-generated id (job name and
  metadata). A 429 or a refused connection provably did nothing and is retried after the
  backoff. A 5xx or a dropped connection may have created the job, so the recent jobs are
  searched for that id first; only when it is absent is the submission sent again. After a read
  timeout or a 504 the request may still be working its way through, so it is never sent again:
  the search is repeated until the retry budget ends. When the search itself fails, nothing is
  resubmitted either, and the error names the job to look for.
* **Nothing is left running for nobody.** When a call fails or times out, its unfinished jobs
  are canceled (best effort; ``cancel_on_timeout=False`` keeps them running after a timeout).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any

import attrs
from qiskit import QuantumCircuit

from q_store.errors import BackendError
from q_store_ionq.estimate import Distribution
from q_store_ionq.options import IonQOptions
from q_store_ionq.service import SUBMISSION_TAG, IonQService, submission_name
from q_store_ionq.transport import IonQTransport

__all__ = ["JobRunner"]

logger = logging.getLogger("q_store_ionq")

#: How far back a lost submission is searched for: pages of the most recent jobs.
LOOKUP_PAGE_SIZE = 50
LOOKUP_PAGES = 4
#: Seconds that canceling a failed call's unfinished jobs may take, all retries included.
CANCEL_BUDGET = 10.0
#: Statuses of a job that is still on its way ('running' is accepted for older API answers).
_PENDING = frozenset({"submitted", "ready", "started", "running"})
#: How much longer each successive poll waits, up to ``max_poll_interval``.
_POLL_GROWTH = 1.5
#: Polls never come faster than this, even with poll_interval=0 (a busy loop would hammer the API).
_MIN_POLL = 0.005


@attrs.frozen
class _Job:
    id: str
    submission_id: str
    size: int


class JobRunner:
    """Runs lists of concrete Qiskit circuits on one IonQ target and returns their distributions."""

    def __init__(
        self,
        service: IonQService,
        transport: IonQTransport,
        options: IonQOptions,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._service = service
        self._transport = transport
        self._options = options
        self._clock = clock

    def run(
        self, circuits: Sequence[QuantumCircuit], n_qubits: int, *, shots: int, noise_seed: int | None
    ) -> list[Distribution]:
        """One distribution per circuit, in order."""
        size = self._options.circuits_per_job
        chunks = [circuits[start : start + size] for start in range(0, len(circuits), size)]
        deadline = self._clock() + self._options.job_timeout
        jobs: list[_Job] = []
        finished: set[str] = set()
        try:
            for chunk in chunks:
                jobs.append(self._submit(chunk, shots=shots, noise_seed=noise_seed))
            documents = self._wait(jobs, deadline, finished)
            return [
                distribution
                for job, document in zip(jobs, documents, strict=True)
                for distribution in self._results(job, document, n_qubits)
            ]
        except BaseException as exc:
            timed_out = isinstance(exc, _JobTimeoutError)
            if not timed_out or self._options.cancel_on_timeout:
                self._cancel([job for job in jobs if job.id not in finished])
            if timed_out:
                raise BackendError(str(exc)) from None
            raise

    # ------------------------------------------------------------------ submit

    def _submit(self, chunk: Sequence[QuantumCircuit], *, shots: int, noise_seed: int | None) -> _Job:
        submission_id = uuid.uuid4().hex
        body = self._service.payload(chunk, submission_id=submission_id, shots=shots, noise_seed=noise_seed)
        transport = self._transport
        budget = transport.budget()
        may_resubmit = True
        attempt = transport.attempt("POST", "jobs", body=body)
        while True:
            if attempt.ok:
                job_id = _job_id(attempt.payload)
                logger.info("IonQ job %s submitted (%d circuit(s), %d shots each)", job_id, len(chunk), shots)
                return _Job(job_id, submission_id, len(chunk))
            if not attempt.retriable:
                assert attempt.error is not None
                raise attempt.error
            if attempt.maybe_processed:
                existing = self._find_submission(submission_id, attempt.description)
                if existing is not None:
                    logger.info(
                        "IonQ job %s was created by a submission that reported %s; not resubmitting",
                        existing,
                        attempt.description,
                    )
                    return _Job(existing, submission_id, len(chunk))
                # Still in flight somewhere: sending it again could create a second job, so from
                # now on only look for it.
                may_resubmit = may_resubmit and not attempt.in_flight
            pause = budget.next_pause(attempt.retry_after)
            if pause is None:
                if not may_resubmit:
                    raise BackendError(
                        f"IonQ submission got no answer ({attempt.description}) and no job with its id "
                        f"appeared within the retry budget. It was NOT resubmitted, so that it is not "
                        f"paid twice: look for a job named {submission_name(submission_id)!r} in the "
                        "IonQ console before retrying."
                    )
                raise transport.gave_up("POST", "jobs", attempt, budget)
            logger.debug(
                "IonQ submission %s: %s; attempt %d in %.2f s",
                submission_id,
                attempt.description,
                budget.attempts,
                pause,
            )
            transport.pause(pause)
            if may_resubmit:
                attempt = transport.attempt("POST", "jobs", body=body)

    def _find_submission(self, submission_id: str, failure: str) -> str | None:
        """The id of the job created by submission ``submission_id``, or None if there is none."""
        cursor: str | None = None
        try:
            for _ in range(LOOKUP_PAGES):
                params: dict[str, Any] = {"limit": LOOKUP_PAGE_SIZE}
                if cursor:
                    params["next"] = cursor
                page = self._transport.request("GET", "jobs", params=params)
                page = page if isinstance(page, dict) else {}
                for job in page.get("jobs") or []:
                    if _submission_of(job) == submission_id:
                        return str(job["id"])
                cursor = page.get("next")
                if not cursor:
                    return None
        except BackendError as exc:
            raise BackendError(
                f"IonQ submission failed ({failure}) and whether it created a job could not be "
                f"checked ({exc}). It was NOT resubmitted, so that it is not paid twice: look for a "
                f"job named {submission_name(submission_id)!r} in the IonQ console before retrying."
            ) from None
        return None

    # ------------------------------------------------------------------ poll

    def _wait(self, jobs: Sequence[_Job], deadline: float, finished: set[str]) -> list[dict[str, Any]]:
        documents: dict[str, dict[str, Any]] = {}
        interval = self._options.poll_interval
        while True:
            status = ""
            for job in jobs:
                if job.id in documents:
                    continue
                document = self._transport.request("GET", f"jobs/{job.id}", deadline=deadline)
                status = str(document.get("status", "")) if isinstance(document, dict) else ""
                if status == "completed":
                    documents[job.id] = document
                    finished.add(job.id)
                elif status == "failed":
                    finished.add(job.id)
                    failure = document.get("failure") or {}
                    raise BackendError(
                        f"IonQ job {job.id} failed: {failure.get('code', 'unknown')}: "
                        f"{failure.get('error', 'no details')}"
                    )
                elif status == "canceled":
                    finished.add(job.id)
                    raise BackendError(f"IonQ job {job.id} was canceled before it completed")
                elif status not in _PENDING:
                    raise BackendError(f"IonQ job {job.id} has an unknown status {status!r}")
            if len(documents) == len(jobs):
                return [documents[job.id] for job in jobs]
            remaining = deadline - self._clock()
            if remaining <= 0:
                pending = [job.id for job in jobs if job.id not in documents]
                fate = (
                    "canceled so that it is not billed"
                    if self._options.cancel_on_timeout
                    else "left running (cancel_on_timeout=False)"
                )
                raise _JobTimeoutError(
                    f"IonQ job(s) {', '.join(pending)} not finished after job_timeout="
                    f"{self._options.job_timeout:g} s (last status {status!r}); {fate}. "
                    "Raise backend_options 'job_timeout' to wait longer."
                )
            self._transport.pause(min(max(interval, _MIN_POLL), remaining))
            interval = min(max(interval, _MIN_POLL) * _POLL_GROWTH, self._options.max_poll_interval)

    # ------------------------------------------------------------------ results

    def _results(self, job: _Job, document: dict[str, Any], n_qubits: int) -> list[Distribution]:
        results = document.get("results") or {}
        url = (results.get("probabilities") or {}).get("url") if isinstance(results, dict) else None
        if not isinstance(url, str):
            raise BackendError(f"IonQ job {job.id} completed without a probabilities URL")
        data = self._transport.request("GET", url)
        if job.size == 1:
            return [Distribution.from_json(data, n_qubits)]
        return [Distribution.from_json(item, n_qubits) for item in _per_circuit(job, document, data)]

    # ------------------------------------------------------------------ cancel

    def _cancel(self, jobs: Sequence[_Job]) -> None:
        # Bounded like everything else: a dead service must not keep a failing call waiting.
        deadline = self._clock() + CANCEL_BUDGET
        for job in jobs:
            try:
                self._transport.request("PUT", f"jobs/{job.id}/status/cancel", deadline=deadline)
                logger.info("IonQ job %s canceled", job.id)
            except Exception as exc:  # best effort: the original error matters more
                logger.warning("IonQ job %s could not be canceled: %s", job.id, exc)


class _JobTimeoutError(Exception):
    """Internal: the polling deadline passed (turned into a BackendError after canceling)."""


def _job_id(payload: object) -> str:
    job_id = payload.get("id") if isinstance(payload, dict) else None
    if isinstance(job_id, str) and job_id:
        return job_id
    raise BackendError(f"IonQ accepted a job but returned no job id: {payload!r:.200}")


def _submission_of(job: object) -> str | None:
    if not isinstance(job, dict):
        return None
    metadata = job.get("metadata")
    if isinstance(metadata, dict) and isinstance(metadata.get(SUBMISSION_TAG), str):
        return str(metadata[SUBMISSION_TAG])
    name = job.get("name")
    prefix = submission_name("")
    if isinstance(name, str) and name.startswith(prefix):
        return name[len(prefix) :]
    return None


def _per_circuit(job: _Job, document: dict[str, Any], data: object) -> list[object]:
    """A multi-circuit job's tables in submission order (keyed by child job id on the wire)."""
    children = document.get("child_job_ids") or document.get("children") or []
    if isinstance(data, dict) and len(children) == job.size and all(c in data for c in children):
        return [data[child] for child in children]
    if isinstance(data, list) and len(data) == job.size:
        return list(data)
    raise BackendError(
        f"IonQ job {job.id} returned results for {len(data) if isinstance(data, (dict, list)) else 0} "
        f"circuit(s) that do not match its {job.size} circuits"
    )
