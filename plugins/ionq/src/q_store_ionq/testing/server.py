"""`LoopbackIonQServer`: IonQ's REST API v0.4 on 127.0.0.1, for tests and offline development.

It speaks the wire protocol qiskit-ionq speaks (the endpoints below), checks the
``Authorization: apiKey <key>`` header (401 otherwise), computes exact probabilities of the
submitted circuits, and injects faults on demand (see :mod:`~q_store_ionq.testing.faults`).

=======  ==============================================  =========================================
GET      /v0.4/backends, /v0.4/backends/{name}           backend list, one backend (its qubits);
                                                         the latter without a key, as qiskit-ionq
                                                         looks qubit counts up unauthenticated
GET      /v0.4/backends/{name}/characterizations         latest characterization (QPUs)
POST     /v0.4/jobs                                      create a job (single or multi-circuit)
GET      /v0.4/jobs                                      list: ids, status, target, parent_job_id,
                                                         limit, next
GET      /v0.4/jobs/{id}                                 status, stats, results URL, failure
GET      /v0.4/jobs/{id}/results/probabilities           {"<state>": p}
GET      .../results/probabilities/aggregated            {"<child id>": {"<state>": p}}
PUT      /v0.4/jobs/{id}/status/cancel                   cancel
DELETE   /v0.4/jobs/{id}                                 delete
=======  ==============================================  =========================================
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import attrs

from q_store_ionq.options import QPU_QUBITS, SIMULATOR, SIMULATOR_QUBITS
from q_store_ionq.testing.faults import Fault, FaultInjector, FaultPlan
from q_store_ionq.testing.state import API_PREFIX, LoopbackState, RequestError

__all__ = ["DEFAULT_KEY", "LoopbackIonQServer", "RequestRecord"]

logger = logging.getLogger("q_store_ionq.testing")

DEFAULT_KEY = "loopback-test-key"
_BACKENDS = {SIMULATOR: SIMULATOR_QUBITS, **QPU_QUBITS}
Route = Callable[["re.Match[str]", dict[str, list[str]], Any], Any]


@attrs.frozen
class RequestRecord:
    """One request as the server saw it (never its headers): method, path, answer."""

    method: str
    path: str
    status: int | str  # an HTTP status, or "drop"


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    loopback: LoopbackIonQServer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as IonQ's API; every answer has a Content-Length
    # Headers and body leave in two writes: with Nagle's algorithm the body would wait ~40 ms for
    # the client's delayed ACK of the headers.
    disable_nagle_algorithm = True
    server: _HTTPServer

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def log_message(self, format: str, *args: Any) -> None:
        # The request line and status only; never headers (they carry the key).
        logger.debug("loopback IonQ: " + format, *args)

    def _handle(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        split = urlsplit(self.path)
        loopback = self.server.loopback
        fault = loopback.injector.draw(method, split.path)
        if fault is not None and fault.kind == "slow":
            loopback.stopping.wait(loopback.injector.plan.slow_seconds)
            fault = None
        if fault is not None and not fault.after_create:
            self._fault(method, split.path, fault)
            return
        status, payload = loopback.route(method, split.path, parse_qs(split.query), raw, self.headers)
        if fault is not None:  # the request was processed; the answer is lost or replaced
            self._fault(method, split.path, fault)
            return
        # Recorded before answering: a client that has its answer can count on the record.
        loopback.record(method, split.path, status)
        self._send(status, payload)

    def _fault(self, method: str, path: str, fault: Fault) -> None:
        loopback = self.server.loopback
        if fault.kind == "drop":
            self.close_connection = True  # no answer at all: the client sees a dropped connection
            loopback.record(method, path, "drop")
            return
        status = int(fault.kind)
        headers = {}
        retry_after = loopback.injector.plan.retry_after
        if status == 429 and retry_after is not None:
            headers["Retry-After"] = f"{retry_after:g}"
        loopback.record(method, path, status)
        self._send(status, _error(status, "injected fault"), headers)

    def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        body = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting (a timeout)
            self.close_connection = True
            logger.debug("loopback IonQ: the client left before the answer to %s", self.path)


def _error(status: int, message: str) -> dict[str, Any]:
    return {"statusCode": status, "error": HTTPStatus(status).phrase, "message": message}


class LoopbackIonQServer:
    """A local IonQ v0.4 API. Use as a context manager, or ``start()`` / ``stop()``.

    Args:
        api_key: the only key accepted (``Authorization: apiKey <key>``).
        faults: random fault injection (see :class:`FaultPlan`); ``inject`` scripts single faults.
        job_duration: seconds from creation to completion (0: done at the first status read).
        max_simulated_qubits: larger circuits end as failed jobs (the state vector is dense).
        authorized_backends: backends the key may use (others: 403); None allows all.
    """

    def __init__(
        self,
        *,
        api_key: str = DEFAULT_KEY,
        faults: FaultPlan | None = None,
        job_duration: float = 0.0,
        max_simulated_qubits: int = 20,
        authorized_backends: Iterable[str] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.api_key = api_key
        self.injector = FaultInjector(faults or FaultPlan())
        self.state = LoopbackState(job_duration=job_duration, max_simulated_qubits=max_simulated_qubits)
        self.authorized_backends = None if authorized_backends is None else frozenset(authorized_backends)
        self.stopping = threading.Event()
        self.requests: list[RequestRecord] = []
        self._address = (host, port)
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._records_lock = threading.Lock()
        self._routes: list[tuple[str, re.Pattern[str], Route, bool]] = [
            ("GET", re.compile(r"/backends"), self._backends, True),
            ("GET", re.compile(r"/backends/(?P<name>[^/]+)"), self._backend, False),
            (
                "GET",
                re.compile(r"/backends/(?P<name>[^/]+)/characterizations"),
                self._characterizations,
                True,
            ),
            ("POST", re.compile(r"/jobs"), self._create, True),
            ("GET", re.compile(r"/jobs"), self._list, True),
            ("GET", re.compile(r"/jobs/(?P<id>[^/]+)"), self._job, True),
            ("GET", re.compile(r"/jobs/(?P<id>[^/]+)/results/probabilities"), self._results, True),
            (
                "GET",
                re.compile(r"/jobs/(?P<id>[^/]+)/results/probabilities/aggregated"),
                self._aggregated,
                True,
            ),
            ("PUT", re.compile(r"/jobs/(?P<id>[^/]+)/status/cancel"), self._cancel, True),
            ("DELETE", re.compile(r"/jobs/(?P<id>[^/]+)"), self._delete, True),
        ]

    # ------------------------------------------------------------------ running

    @property
    def url(self) -> str:
        """The API base URL, e.g. ``http://127.0.0.1:54321/v0.4``."""
        if self._httpd is None:
            raise RuntimeError("the loopback server is not running; call start()")
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}{API_PREFIX}"

    def start(self) -> LoopbackIonQServer:
        if self._httpd is not None:
            return self
        self.stopping.clear()
        httpd = _HTTPServer(self._address, _Handler)
        httpd.loopback = self
        self._httpd = httpd
        # A short poll interval lets stop() return in milliseconds (the default waits 0.5 s).
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.01}, name="loopback-ionq", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self.stopping.set()  # wakes "slow" answers
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = self._thread = None

    def __enter__(self) -> LoopbackIonQServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.url if self._httpd is not None else "stopped"
        return f"LoopbackIonQServer({where}, jobs_created={self.jobs_created})"

    # ------------------------------------------------------------------ knobs

    @property
    def faults(self) -> FaultPlan:
        return self.injector.plan

    @faults.setter
    def faults(self, plan: FaultPlan) -> None:
        self.injector = FaultInjector(plan)

    def inject(
        self, kind: str, *, method: str | None = None, path: str | None = None, after_create: bool = False
    ) -> None:
        """Inject one fault into the next request matching ``method`` and the ``path`` suffix."""
        self.injector.script(Fault(kind, after_create), method=method, path=path)

    def fail_next_jobs(self, count: int = 1, *, code: str = "InternalError", message: str = "") -> None:
        """The next ``count`` jobs end ``failed`` with this failure."""
        self.state.fail_next(count, code, message or "injected job failure")

    def cancel_next_jobs(self, count: int = 1) -> None:
        """The next ``count`` jobs are canceled at once, as if from IonQ's console."""
        self.state.cancel_next(count)

    @property
    def job_duration(self) -> float:
        return self.state.job_duration

    @job_duration.setter
    def job_duration(self, seconds: float) -> None:
        self.state.job_duration = seconds

    # ------------------------------------------------------------------ observations

    @property
    def jobs_created(self) -> int:
        """Jobs the service would bill: top-level jobs, whatever their fate."""
        with self.state.lock:
            return len(self.state.top_level)

    def submission_counts(self) -> dict[str, int]:
        """Jobs created per client submission id; any value above 1 is a job paid twice."""
        return dict(self.state.submission_counts())

    @property
    def cancellations(self) -> list[str]:
        with self.state.lock:
            return list(self.state.cancellations)

    def record(self, method: str, path: str, status: int | str) -> None:
        with self._records_lock:
            self.requests.append(RequestRecord(method, path, status))

    def count(self, method: str | None = None, path_suffix: str | None = None) -> int:
        """Requests seen, optionally by method and path suffix."""
        with self._records_lock:
            return sum(
                1
                for r in self.requests
                if (method is None or r.method == method)
                and (path_suffix is None or r.path.endswith(path_suffix))
            )

    # ------------------------------------------------------------------ routing

    def route(
        self, method: str, path: str, query: dict[str, list[str]], raw: bytes, headers: Any
    ) -> tuple[int, Any]:
        """The answer (status, JSON payload) to one request."""
        if not path.startswith(API_PREFIX + "/"):
            return 404, _error(404, f"unknown path {path}")
        local = path[len(API_PREFIX) :].rstrip("/")
        for route_method, pattern, handler, needs_key in self._routes:
            match = pattern.fullmatch(local)
            if match is None or route_method != method:
                continue
            if needs_key and not self._authorized(headers.get("Authorization", "")):
                return 401, _error(401, "Invalid or missing API key")
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                return 400, _error(400, "the body is not JSON")
            try:
                return 200, handler(match, query, body)
            except RequestError as exc:
                return exc.status, _error(exc.status, exc.message)
        return 404, _error(404, f"no route for {method} {path}")

    def _authorized(self, header: str) -> bool:
        return hmac.compare_digest(header.encode(), f"apiKey {self.api_key}".encode())

    def _backends(self, match: re.Match[str], query: dict[str, list[str]], body: Any) -> Any:
        return [self._backend_document(name) for name in _BACKENDS]

    def _backend(self, match: re.Match[str], query: dict[str, list[str]], body: Any) -> Any:
        name = match["name"]
        if name not in _BACKENDS:
            raise RequestError(404, f"unknown backend {name}")
        return self._backend_document(name)

    def _characterizations(self, match: re.Match[str], query: dict[str, list[str]], body: Any) -> Any:
        name = match["name"]
        if name not in _BACKENDS:
            raise RequestError(404, f"unknown backend {name}")
        if name == SIMULATOR:
            return {"characterizations": []}
        entry = {"id": f"loopback-{name}", "backend": name, "date": "2026-01-01T00:00:00Z"}
        return {"characterizations": [{**entry, "qubits": _BACKENDS[name], "connectivity": []}]}

    def _create(self, match: re.Match[str], query: dict[str, list[str]], body: Any) -> Any:
        backend = body.get("backend") if isinstance(body, dict) else None
        if self.authorized_backends is not None and backend not in self.authorized_backends:
            raise RequestError(403, f"this key may not use backend {backend!r}")
        job = self.state.create(body, time.monotonic())
        return {"id": job.id, "status": "submitted"}

    def _list(self, match: re.Match[str], query: dict[str, list[str]], body: Any) -> Any:
        return self.state.listing(query, time.monotonic())

    def _job(self, match: re.Match[str], query: dict[str, list[str]], body: Any) -> Any:
        with self.state.lock:
            return self.state.document(self.state.get(match["id"]), time.monotonic())

    def _results(self, match: re.Match[str], query: dict[str, list[str]], body: Any) -> Any:
        return self.state.results(match["id"], aggregated=False, now=time.monotonic())

    def _aggregated(self, match: re.Match[str], query: dict[str, list[str]], body: Any) -> Any:
        return self.state.results(match["id"], aggregated=True, now=time.monotonic())

    def _cancel(self, match: re.Match[str], query: dict[str, list[str]], body: Any) -> Any:
        return self.state.cancel(match["id"], time.monotonic())

    def _delete(self, match: re.Match[str], query: dict[str, list[str]], body: Any) -> Any:
        return self.state.delete(match["id"])

    @staticmethod
    def _backend_document(name: str) -> dict[str, Any]:
        return {
            "backend": name,
            "status": "available",
            "qubits": _BACKENDS[name],
            "average_queue_time": 0,
            "last_updated": "2026-01-01T00:00:00Z",
            "degraded": False,
        }
