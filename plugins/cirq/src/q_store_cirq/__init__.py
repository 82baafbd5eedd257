"""q-store-cirq: Q-Store's quantum backend on Google's Cirq, registered as ``'cirq'``.

``DatabaseConfig(quantum_sdk='cirq')`` selects it; see :class:`CirqBackend` for the options.
"""

from __future__ import annotations

from q_store import hookimpl
from q_store.hookspecs import BackendRegistrar
from q_store_cirq.backend import CirqBackend
from q_store_cirq.translate import translate

__all__ = ["CirqBackend", "translate"]


@hookimpl
def q_store_register_backends(register: BackendRegistrar) -> None:
    register("cirq", CirqBackend)
