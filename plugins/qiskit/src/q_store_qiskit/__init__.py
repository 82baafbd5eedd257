"""q-store-qiskit: Q-Store's quantum backend on Qiskit Aer, registered as 'qiskit'."""

from __future__ import annotations

from q_store import hookimpl
from q_store.hookspecs import BackendRegistrar
from q_store_qiskit.backend import QiskitBackend

__all__ = ["QiskitBackend"]


@hookimpl
def q_store_register_backends(register: BackendRegistrar) -> None:
    register("qiskit", QiskitBackend)
