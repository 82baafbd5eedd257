"""Fixtures: a loopback IonQ server per test (from the plugin's pytest plugin) and fast backends.

The server fixture ``ionq_loopback_server`` comes from ``q_store_ionq.pytest_plugin`` (entry point
``pytest11``): it sets IONQ_API_URL / IONQ_API_KEY for the test and switches off qiskit-ionq's
``.env`` lookup, so nothing here depends on the machine's environment.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from q_store_ionq import IonQBackend
from q_store_ionq.testing import LoopbackIonQServer

#: Tiny pauses and timeouts: every retry and poll of the tests takes milliseconds.
FAST: dict[str, Any] = {
    "poll_interval": 0.0,
    "max_poll_interval": 0.01,
    "initial_backoff": 0.001,
    "max_backoff": 0.004,
    "retry_deadline": 10.0,
    "connect_timeout": 2.0,
    "read_timeout": 5.0,
}


@pytest.fixture
def fast_options() -> dict[str, Any]:
    """The FAST options, for tests that build a backend through DatabaseConfig."""
    return dict(FAST)


@pytest.fixture
def server(ionq_loopback_server: LoopbackIonQServer) -> LoopbackIonQServer:
    return ionq_loopback_server


@pytest.fixture
def make_backend(server: LoopbackIonQServer) -> Iterator[Callable[..., IonQBackend]]:
    """IonQ backends on the loopback server with FAST options; keyword arguments override."""
    created: list[IonQBackend] = []

    def make(**overrides: Any) -> IonQBackend:
        options = {**FAST, "url": server.url, "api_key": server.api_key, **overrides}
        backend = IonQBackend(**options)
        created.append(backend)
        return backend

    yield make
    for backend in created:
        backend.close()
