"""The PennyLane backend passes the shared backend contract on each device it supports here."""

from __future__ import annotations

import numpy as np
import pytest

from q_store_contract_tests import QuantumBackendContract
from q_store_pennylane import PennyLaneBackend


class TestDefaultQubit(QuantumBackendContract):
    exact_atol = 1e-10  # complex128 statevector

    @pytest.fixture
    def backend(self) -> PennyLaneBackend:
        return PennyLaneBackend()


class TestLightningQubit(QuantumBackendContract):
    exact_atol = 1e-10  # complex128 by default (c_dtype)

    @pytest.fixture
    def backend(self) -> PennyLaneBackend:
        return PennyLaneBackend(device="lightning.qubit")


class TestLightningQubitSinglePrecision(QuantumBackendContract):
    """A device option passed through to PennyLane: lightning's complex64 state."""

    @pytest.fixture
    def backend(self) -> PennyLaneBackend:
        return PennyLaneBackend(device="lightning.qubit", device_options={"c_dtype": np.complex64})


class TestDefaultMixed(QuantumBackendContract):
    """The density-matrix simulator: same expectations, a smaller default qubit limit."""

    exact_atol = 1e-10

    @pytest.fixture
    def backend(self) -> PennyLaneBackend:
        return PennyLaneBackend(device="default.mixed")
