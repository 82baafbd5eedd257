"""`LoopbackPinecone`: Pinecone's control plane and data plane on 127.0.0.1, for offline tests.

It answers the REST requests the official ``pinecone`` client (10.x, API version 2026-07) sends:

=======  ==============================  ====================================================
plane    request                         answer
=======  ==============================  ====================================================
control  GET /indexes                    ``{"indexes": [model, ...]}``
control  POST /indexes                   201 model (schema ``_values`` dense, managed); 409
control  GET /indexes/{name}             model with ``host``, or 404
control  DELETE /indexes/{name}          202
data     POST /vectors/upsert            ``{"upsertedCount"}`` + ``x-pinecone-lsn-committed``
data     POST /query                     ``{"matches", "namespace", "usage"}`` + lsn-reconciled
data     GET /vectors/fetch?ids=&ids=    ``{"vectors": {id: {...}}, "namespace", "usage"}``
data     POST /vectors/delete            ``{}``; 404 for a namespace that does not exist
data     POST /describe_index_stats      ``{"namespaces", "dimension", "metric", ...}``
=======  ==============================  ====================================================

Every request needs the ``Api-Key`` header (401 otherwise) and ``X-Pinecone-Api-Version``.
Errors are Pinecone-shaped: ``{"error": {"code", "message"}, "status"}`` on the control plane,
``{"code", "message", "details"}`` on the data plane. Each index gets its own data-plane server
(its own port), as each real index has its own host; hosts are ``http://127.0.0.1:PORT``.
Semantics (metadata, filters, scores, limits) are in :mod:`.semantics` and :mod:`.state`; faults
in :mod:`.faults`. The server records every request it saw (never its headers).
"""

from __future__ import annotations

import hmac
import logging
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import attrs
import orjson

from q_store_pinecone.testing.faults import FaultInjector, FaultPlan
from q_store_pinecone.testing.semantics import ApiProblemError
from q_store_pinecone.testing.state import IndexState, encode, index_model, parse_create_request

__all__ = ["DEFAULT_KEY", "LoopbackPinecone", "RequestRecord"]

logger = logging.getLogger("q_store_pinecone.testing")

DEFAULT_KEY = "pclocal-loopback-test-key"
_CONTROL_CODES = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 404: "NOT_FOUND", 409: "ALREADY_EXISTS"}


@attrs.frozen
class RequestRecord:
    """One request as the server saw it: where it went, how it was answered, its size."""

    plane: str  # "control" or the index name
    method: str
    path: str
    status: int | str  # an HTTP status, or the dropped-connection fault kind
    body_bytes: int
    #: Vectors in an upsert request.
    vectors: int = 0


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # keep-alive connections must not hold up shutdown
    loopback: LoopbackPinecone
    index_name: str | None  # None: the control plane


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _Server

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default stderr line (it would be noise in test output)."""

    def _handle(self, method: str) -> None:
        loopback = self.server.loopback
        control = self.server.index_name is None
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        plane = "control" if control else str(self.server.index_name)
        fault = loopback.faults.decide(control_plane=control) if loopback.faults else None
        if fault == "reset":
            loopback.record(RequestRecord(plane, method, url.path, fault, len(raw)))
            self.close_connection = True
            return
        status, payload, headers, vectors = loopback.answer(
            plane, method, url.path, parse_qs(url.query), raw, self.headers, injected=fault
        )
        if fault == "lost_reply":
            loopback.record(RequestRecord(plane, method, url.path, fault, len(raw), vectors))
            self.close_connection = True
            return
        loopback.record(RequestRecord(plane, method, url.path, status, len(raw), vectors))
        body = encode(payload) if payload is not None else b""
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


def _start(loopback: LoopbackPinecone, index_name: str | None) -> tuple[_Server, threading.Thread]:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.loopback, server.index_name = loopback, index_name
    # A short poll interval: shutdown() waits for the serve loop to notice it.
    thread = threading.Thread(
        target=server.serve_forever, args=(0.02,), name=f"pinecone-loopback-{index_name}", daemon=True
    )
    thread.start()
    return server, thread


Answer = tuple[int, Any, dict[str, str], int]


class LoopbackPinecone:
    """A Pinecone project on loopback. Use as a context manager, or call :meth:`close`.

    Args:
        api_key: the only key the server accepts.
        faults: a :class:`~.faults.FaultPlan`, or None for a reliable server.
    """

    def __init__(self, api_key: str = DEFAULT_KEY, *, faults: FaultPlan | None = None) -> None:
        self.api_key = api_key
        self.faults = FaultInjector(faults) if faults is not None else None
        self.requests: list[RequestRecord] = []
        self.api_versions: set[str] = set()
        self._lock = threading.RLock()
        self._indexes: dict[str, IndexState] = {}
        self._servers: dict[str | None, tuple[_Server, threading.Thread]] = {}
        self._servers[None] = _start(self, None)

    @property
    def url(self) -> str:
        """The control plane's URL (``controller_host`` / ``PINECONE_CONTROLLER_HOST``)."""
        return _url(self._servers[None][0])

    def set_faults(self, plan: FaultPlan | None) -> None:
        self.faults = FaultInjector(plan) if plan is not None else None

    def create_index(
        self, name: str, dimension: int, metric: str = "cosine", *, query_lag: int = 0
    ) -> IndexState:
        """An index made directly (as if created earlier in the project's life)."""
        with self._lock:
            state = IndexState(
                name, dimension, metric, {"deployment_type": "managed", "cloud": "aws", "region": "us-east-1"}
            )
            state.query_lag = query_lag
            self._add(state)
            return state

    def index(self, name: str) -> IndexState:
        with self._lock:
            return self._indexes[name]

    def delete_index(self, name: str) -> None:
        """Remove an index behind its clients' backs (its host stops answering)."""
        with self._lock:
            self._remove(name)

    def record(self, entry: RequestRecord) -> None:
        with self._lock:
            self.requests.append(entry)

    def requests_to(self, plane: str, path: str | None = None) -> list[RequestRecord]:
        with self._lock:
            return [r for r in self.requests if r.plane == plane and (path is None or r.path == path)]

    def close(self) -> None:
        with self._lock:
            servers = list(self._servers.values())
            self._servers.clear()
        for server, thread in servers:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)

    def __enter__(self) -> LoopbackPinecone:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ------------------------------------------------------------------ answering

    def answer(
        self,
        plane: str,
        method: str,
        path: str,
        query: dict[str, list[str]],
        raw: bytes,
        headers: Any,
        *,
        injected: str | None,
    ) -> Answer:
        """Status, JSON payload, extra headers and upserted vector count of one request."""
        control = plane == "control"
        if injected in ("429", "503"):
            return self._fault_answer(int(injected), control)
        try:
            if not hmac.compare_digest(str(headers.get("Api-Key", "")).encode(), self.api_key.encode()):
                raise ApiProblemError(401, "Invalid API Key", code=16)
            version = headers.get("X-Pinecone-Api-Version")
            if not version:
                raise ApiProblemError(400, "missing X-Pinecone-Api-Version header")
            body = orjson.loads(raw) if raw else {}
            with self._lock:
                self.api_versions.add(version)
                if control:
                    status, payload = self._control(method, path, body)
                    return status, payload, {}, 0
                return self._data(plane, method, path, query, body, len(raw))
        except ApiProblemError as problem:
            return _error(problem, control)
        except orjson.JSONDecodeError:
            return _error(ApiProblemError(400, "request body is not valid JSON"), control)

    def _fault_answer(self, status: int, control: bool) -> Answer:
        message = "Too many requests; slow down" if status == 429 else "Service temporarily unavailable"
        answer = _error(ApiProblemError(status, message, code=8 if status == 429 else 14), control)
        assert self.faults is not None
        retry_after = self.faults.plan.retry_after
        extra = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else {}
        return answer[0], answer[1], extra, 0

    def _control(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        parts = [unquote(p) for p in path.strip("/").split("/")]
        if parts == ["indexes"] and method == "GET":
            return 200, {"indexes": [index_model(state) for state in self._indexes.values()]}
        if parts == ["indexes"] and method == "POST":
            name, dimension, metric, deployment = parse_create_request(body)
            if name in self._indexes:
                raise ApiProblemError(409, f"Resource {name} already exists")
            state = IndexState(name, dimension, metric, deployment)
            self._add(state)
            return 201, index_model(state)
        if len(parts) == 2 and parts[0] == "indexes":
            described = self._indexes.get(parts[1])
            if described is None:
                raise ApiProblemError(404, f"Resource {parts[1]} not found")
            if method == "GET":
                return 200, index_model(described)
            if method == "DELETE":
                self._remove(parts[1])
                return 202, None
        raise ApiProblemError(404, f"no route {method} {path}")

    def _data(
        self, name: str, method: str, path: str, query: dict[str, list[str]], body: Any, size: int
    ) -> Answer:
        state = self._indexes.get(name)
        if state is None:
            raise ApiProblemError(404, f"index {name} was deleted", code=5)
        routes: dict[tuple[str, str], Callable[[], Answer]] = {
            ("POST", "/vectors/upsert"): lambda: _written(
                *state.upsert(body, size), len(body.get("vectors") or [])
            ),
            ("POST", "/query"): lambda: _read(*state.query(body)),
            ("GET", "/vectors/fetch"): lambda: (
                200,
                state.fetch(query.get("ids", []), query.get("namespace", [""])[0]),
                {},
                0,
            ),
            ("POST", "/vectors/delete"): lambda: _written(*state.delete(body), 0),
            ("POST", "/describe_index_stats"): lambda: (200, state.stats(body), {}, 0),
        }
        route = routes.get((method, path))
        if route is None:
            raise ApiProblemError(404, f"no route {method} {path}", code=5)
        return route()

    def _add(self, state: IndexState) -> None:
        server, thread = _start(self, state.name)
        state.host = _url(server)
        self._indexes[state.name] = state
        self._servers[state.name] = (server, thread)

    def _remove(self, name: str) -> None:
        del self._indexes[name]
        server, _thread = self._servers.pop(name)

        def stop() -> None:
            server.shutdown()
            server.server_close()

        # shutdown() waits for serve_forever, which must not be this server's own handler thread.
        threading.Thread(target=stop, daemon=True).start()


def _url(server: _Server) -> str:
    host, port = server.server_address[:2]
    return f"http://{host!s}:{port}"


def _written(payload: dict[str, Any], lsn: int, vectors: int) -> Answer:
    return 200, payload, {"x-pinecone-lsn-committed": str(lsn)}, vectors


def _read(payload: dict[str, Any], lsn: int) -> Answer:
    return 200, payload, {"x-pinecone-lsn-reconciled": str(lsn)}, 0


def _error(problem: ApiProblemError, control: bool) -> Answer:
    if control:
        code = _CONTROL_CODES.get(problem.status, HTTPStatus(problem.status).phrase.upper().replace(" ", "_"))
        return (
            problem.status,
            {"error": {"code": code, "message": problem.message}, "status": problem.status},
            {},
            0,
        )
    return problem.status, {"code": problem.code, "message": problem.message, "details": []}, {}, 0
