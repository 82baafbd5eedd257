"""Against IonQ's real cloud simulator (free): only with IONQ_API_KEY set, marker ``live``.

IONQ_API_KEY=... pytest plugins/ionq/tests -m live
"""

from __future__ import annotations

import math
import os

import numpy as np
import pytest

from q_store import PauliString
from q_store_contract_tests import corpus
from q_store_ionq import IonQBackend
from q_store_ionq.options import DEFAULT_URL

pytestmark = pytest.mark.live


@pytest.fixture
def live_backend() -> IonQBackend:
    key = os.environ.get("IONQ_API_KEY", "").strip()
    if not key:
        pytest.skip("IONQ_API_KEY is not set: live tests need a key for IonQ's cloud")
    return IonQBackend(api_key=key, url=DEFAULT_URL, target="simulator", job_timeout=300.0)


def test_bell_state_on_the_ionq_simulator(live_backend: IonQBackend) -> None:
    case = corpus.bell()
    shots = 1000
    values = live_backend.run(case.circuit, case.parameters, case.observables, shots=shots, seed=7)
    assert case.expected is not None
    tolerance = 5 * np.sqrt(np.clip(1 - case.expected**2, 0, None) / shots) + 1e-9
    assert np.all(np.abs(values - case.expected) <= tolerance)


def test_a_batch_is_one_multi_circuit_job_on_the_ionq_simulator(live_backend: IonQBackend) -> None:
    from q_store import Circuit, Operation

    circuit = Circuit(1, (Operation("ry", (0,), 0),), n_weights=1)
    angles = np.array([[0.0], [math.pi / 2], [math.pi]])
    values = live_backend.run(circuit, angles, (PauliString.z(0),), shots=2000, seed=3)
    expected = np.cos(angles)
    assert np.all(np.abs(values - expected) <= 5 * np.sqrt((1 - expected**2) / 2000) + 1e-9)
