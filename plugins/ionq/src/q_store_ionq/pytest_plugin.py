"""pytest plugin of q-store-ionq (entry point ``pytest11``); it does nothing unless asked.

* Fixture ``ionq_loopback_server``: a running :class:`~q_store_ionq.testing.LoopbackIonQServer`
  with ``IONQ_API_URL`` and ``IONQ_API_KEY`` pointing at it for the test, and qiskit-ionq's
  ``.env`` lookup switched off, so that no test depends on files around it.
* Certification by name: ``q-store-certify ionq`` (``--q-store-backend ionq``) with no
  ``IONQ_API_KEY`` in the environment starts a loopback server for the session and certifies the
  backend against it (the header of the run says so). With a key, it certifies against the
  service that key and ``IONQ_API_URL`` select.

Imports stay inside the functions: this module is loaded by every pytest run of an environment
where the plugin is installed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from q_store_ionq.testing import LoopbackIonQServer

_CERTIFICATION = pytest.StashKey[tuple["LoopbackIonQServer", dict[str, str | None]]]()
#: Read by qiskit-ionq (and the plugin) before IONQ_API_URL: cleared while a loopback server runs.
_SHADOWING = ("QISKIT_IONQ_API_URL",)


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--q-store-backend", default=None) != "ionq":
        return
    if os.environ.get("IONQ_API_KEY", "").strip():
        return
    from q_store_ionq.testing import LoopbackIonQServer, environment

    server = LoopbackIonQServer().start()
    variables = environment(server)
    saved = {name: os.environ.get(name) for name in (*variables, *_SHADOWING)}
    for name in _SHADOWING:
        os.environ.pop(name, None)
    os.environ.update(variables)
    config.stash[_CERTIFICATION] = (server, saved)


def pytest_report_header(config: pytest.Config) -> str | None:
    entry = config.stash.get(_CERTIFICATION, None)
    if entry is None:
        return None
    return (
        f"q-store-ionq: IONQ_API_KEY is not set; certifying backend 'ionq' against the loopback "
        f"IonQ v0.4 server at {entry[0].url} (set IONQ_API_KEY to certify against IonQ itself)"
    )


def pytest_unconfigure(config: pytest.Config) -> None:
    entry = config.stash.get(_CERTIFICATION, None)
    if entry is None:
        return
    server, saved = entry
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    server.stop()
    del config.stash[_CERTIFICATION]


@pytest.fixture
def ionq_loopback_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[LoopbackIonQServer]:
    """A loopback IonQ server; the environment points the plugin and qiskit-ionq at it."""
    from q_store_ionq.testing import LoopbackIonQServer, environment

    # qiskit-ionq reads a .env file (found from its install location, or the working directory
    # in some runners) BEFORE the environment when it looks qubit counts up.
    monkeypatch.setattr("qiskit_ionq.helpers.dotenv_values", lambda *args, **kwargs: {})
    for name in _SHADOWING:
        monkeypatch.delenv(name, raising=False)
    with LoopbackIonQServer() as server:
        for name, value in environment(server).items():
            monkeypatch.setenv(name, value)
        yield server
