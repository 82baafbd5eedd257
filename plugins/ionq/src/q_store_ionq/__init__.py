"""q-store-ionq: IonQ's cloud simulator and trapped-ion QPUs as Q-Store backend 'ionq'.

Registered through the same hook as every third-party plugin. The loopback IonQ server used by
the tests ships as :mod:`q_store_ionq.testing`.
"""

from __future__ import annotations

from q_store import hookimpl
from q_store.hookspecs import BackendRegistrar
from q_store_ionq.backend import IonQBackend
from q_store_ionq.cost import CostEstimate
from q_store_ionq.options import NOISE_MODELS, QPU_LIMITS, QPU_QUBITS, SIMULATOR_LIMITS, RetryPolicy

__all__ = [
    "NOISE_MODELS",
    "QPU_LIMITS",
    "QPU_QUBITS",
    "SIMULATOR_LIMITS",
    "CostEstimate",
    "IonQBackend",
    "RetryPolicy",
]


@hookimpl
def q_store_register_backends(register: BackendRegistrar) -> None:
    register("ionq", IonQBackend)
