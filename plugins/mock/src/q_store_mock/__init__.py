"""q-store-mock: the exact local simulator (and, with the database, the in-memory vector store).

Registered through the same hooks as every third-party plugin.
"""

from __future__ import annotations

from q_store import hookimpl
from q_store.hookspecs import BackendRegistrar
from q_store_mock.backend import MockBackend

__all__ = ["MockBackend"]


@hookimpl
def q_store_register_backends(register: BackendRegistrar) -> None:
    register("mock", MockBackend)
