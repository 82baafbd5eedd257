"""A loopback IonQ v0.4 server for tests and offline development (no network, no key, no bill).

    from q_store_ionq.testing import LoopbackIonQServer, FaultPlan

    with LoopbackIonQServer(faults=FaultPlan(rate=0.2, seed=1)) as server:
        backend = IonQBackend(api_key=server.api_key, url=server.url)
        ...
        assert max(server.submission_counts().values()) == 1  # no job paid twice

Point qiskit-ionq's unauthenticated qubit lookup at it too: set ``IONQ_API_URL`` (see
:func:`environment`). In pytest, the fixture ``ionq_loopback_server`` does all of this. From a
shell: ``python -m q_store_ionq.testing`` serves until interrupted and prints the variables.
"""

from __future__ import annotations

from q_store_ionq.testing.faults import FAULT_KINDS, Fault, FaultPlan
from q_store_ionq.testing.server import DEFAULT_KEY, LoopbackIonQServer, RequestRecord

__all__ = [
    "DEFAULT_KEY",
    "FAULT_KINDS",
    "Fault",
    "FaultPlan",
    "LoopbackIonQServer",
    "RequestRecord",
    "environment",
]


def environment(server: LoopbackIonQServer) -> dict[str, str]:
    """The variables that send both the plugin and qiskit-ionq's own lookups to ``server``."""
    return {"IONQ_API_URL": server.url, "IONQ_API_KEY": server.api_key}
