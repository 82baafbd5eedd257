"""``q-store doctor``: check that a configuration can work, with actionable messages.

For the backend and the vector store of a configuration: is the plugin installed (if not: what
to install), does it accept the configuration and keys (if not: what to set), and does a cheap
health check succeed (the service is reachable). Nothing here costs money: backends with paid
executions override ``health_check`` with a free call.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import attrs

from q_store.config import DatabaseConfig
from q_store.errors import QStoreError
from q_store.plugins import PluginRegistry, create_backend, create_vector_store, get_registry

__all__ = ["Check", "diagnose"]


@attrs.frozen
class Check:
    subject: str
    ok: bool
    message: str


def _attempt(subject: str, action: Callable[[], str]) -> Check:
    started = time.perf_counter()
    try:
        detail = action()
    except QStoreError as error:
        return Check(subject, False, f"{type(error).__name__}: {error}")
    except Exception as error:  # a plugin's own failure: report it, do not crash the doctor
        return Check(subject, False, f"unexpected {type(error).__name__}: {error}")
    return Check(subject, True, f"{detail} ({(time.perf_counter() - started) * 1e3:.0f} ms)")


def diagnose(config: DatabaseConfig, registry: PluginRegistry | None = None) -> list[Check]:
    registry = registry or get_registry()
    checks = []

    def backend() -> str:
        with create_backend(config, registry=registry) as instance:
            return f"{type(instance).__name__}: {instance.health_check()}"

    def store() -> str:
        with create_vector_store(config, registry=registry) as instance:
            return f"{type(instance).__name__}: {instance.health_check()}"

    checks.append(_attempt(f"backend {config.quantum_sdk!r}", backend))
    checks.append(_attempt(f"vector store {config.resolved_vector_store!r}", store))
    return checks
