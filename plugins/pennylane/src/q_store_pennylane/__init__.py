"""q-store-pennylane: Q-Store's quantum backend on PennyLane devices.

Registered as backend ``pennylane``: ``DatabaseConfig(quantum_sdk='pennylane')``. Importing this
package does not import PennyLane; building a backend does.
"""

from __future__ import annotations

from q_store import hookimpl
from q_store.hookspecs import BackendRegistrar
from q_store_pennylane.backend import PennyLaneBackend

__all__ = ["PennyLaneBackend"]


@hookimpl
def q_store_register_backends(register: BackendRegistrar) -> None:
    register("pennylane", PennyLaneBackend)
