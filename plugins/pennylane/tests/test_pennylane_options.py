"""Options of the PennyLane backend: devices, device options, qubit limits, and their typed errors."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from q_store import (
    ArgumentError,
    Circuit,
    DatabaseConfig,
    Operation,
    QubitLimitError,
    build_ansatz,
    create_backend,
)
from q_store_contract_tests import corpus, reference
from q_store_pennylane import PennyLaneBackend
from q_store_pennylane.devices import SUPPORTED_DEVICES, installed_devices


def test_registered_under_its_name_and_selected_by_the_config() -> None:
    backend = create_backend(DatabaseConfig(quantum_sdk="pennylane"))
    assert isinstance(backend, PennyLaneBackend)
    assert backend.device_name == "default.qubit"


@pytest.mark.parametrize(
    ("device", "native", "preferred"),
    [
        ("default.qubit", ("backprop", "adjoint"), "backprop"),
        ("lightning.qubit", ("adjoint",), "adjoint"),
        ("default.mixed", ("backprop",), "backprop"),
    ],
)
def test_native_methods_follow_the_device(device: str, native: tuple[str, ...], preferred: str) -> None:
    backend = PennyLaneBackend(device=device)
    assert backend.capabilities.native_diff_methods == native
    circuit = build_ansatz(2, 1)
    assert backend.preferred_diff_method(circuit, shots=None) == preferred
    # Native methods differentiate exact execution; with shots 'auto' is the parameter-shift rule.
    assert backend.preferred_diff_method(circuit, shots=100) == "parameter-shift"


def test_unknown_device_lists_the_installed_ones() -> None:
    with pytest.raises(ArgumentError, match=r"default\.qubit.*lightning\.qubit") as info:
        PennyLaneBackend(device="abacus.qubit")
    assert info.value.argument == "device"


def test_an_installed_device_that_cannot_run_the_circuits_is_refused_by_name() -> None:
    # PennyLane itself ships several (default.gaussian, default.qutrit, null.qubit, ...).
    unsupported = sorted(installed_devices() - set(SUPPORTED_DEVICES))
    if not unsupported:
        pytest.skip("every installed PennyLane device is one this backend supports")
    with pytest.raises(ArgumentError, match=rf"'{re.escape(unsupported[0])}' is installed but") as info:
        PennyLaneBackend(device=unsupported[0])
    assert info.value.argument == "device"


def test_a_supported_device_that_is_missing_says_what_to_install() -> None:
    if "lightning.gpu" in installed_devices():
        pytest.skip("lightning.gpu is installed here")
    with pytest.raises(ArgumentError, match="pip install pennylane-lightning-gpu"):
        PennyLaneBackend(device="lightning.gpu")


@pytest.mark.parametrize(
    ("options", "argument", "message"),
    [
        ({"device": 3}, "device", "device name"),
        ({"device_options": "fast"}, "device_options", "mapping"),
        ({"device_options": {"shots": 100}}, "device_options", "shots"),
        ({"device_options": {"wires": 3, "seed": 1}}, "device_options", "seed, wires"),
        ({"device_options": {"colour": "blue"}}, "device_options", "colour"),
        ({"device_options": {"c_dtype": "complex-ish"}}, "device_options", "not a numpy dtype"),
        # lightning builds with any c_dtype and fails only when it first simulates
        (
            {"device": "lightning.qubit", "device_options": {"c_dtype": "float32"}},
            "device_options",
            "float32",
        ),
        ({"max_qubits": 0}, "max_qubits", "1 to 30"),
        ({"max_qubits": 31}, "max_qubits", "1 to 30"),
        ({"max_qubits": True}, "max_qubits", "1 to 30"),
        ({"colour": "blue"}, "backend_options", "device, device_options, max_qubits"),
    ],
)
def test_bad_options_are_typed_errors(options: dict[str, object], argument: str, message: str) -> None:
    with pytest.raises(ArgumentError, match=message) as info:
        create_backend(DatabaseConfig(quantum_sdk="pennylane", backend_options=options))
    assert info.value.argument == argument


def test_device_options_reach_the_device() -> None:
    """lightning's c_dtype: complex64 really computes in single precision (and stays within the
    contract's tolerance), complex128 to machine precision."""
    worst = {}
    for dtype in (np.complex64, "complex128"):  # a name works too: options often come from JSON
        backend = PennyLaneBackend(device="lightning.qubit", device_options={"c_dtype": dtype})
        deviation = 0.0
        for case in corpus.random_cases(count=8, max_qubits=5, seed=13):
            got = backend.run(case.circuit, case.parameters, case.observables)
            expected = reference.expectations(case.circuit, case.parameters, case.observables)
            deviation = max(deviation, float(np.abs(got - expected).max()))
        worst[dtype] = deviation
    assert 1e-9 < worst[np.complex64] <= 1e-5
    assert worst["complex128"] <= 1e-12


@pytest.mark.parametrize(
    ("device", "limit"), [("default.qubit", 24), ("lightning.qubit", 24), ("default.mixed", 12)]
)
def test_qubit_limits_are_declared_and_enforced(device: str, limit: int) -> None:
    backend = PennyLaneBackend(device=device)
    assert backend.capabilities.max_qubits == limit
    wide = Circuit(limit + 1, (Operation("h", (0,)),))
    with pytest.raises(QubitLimitError, match=rf"'pennylane' supports at most {limit} qubits"):
        backend.run(wide)


def test_max_qubits_option_lowers_the_limit() -> None:
    backend = PennyLaneBackend(max_qubits=3)
    with pytest.raises(QubitLimitError, match="at most 3 qubits; the circuit has 4"):
        backend.run(build_ansatz(4, 1), np.zeros(8))


def test_importing_the_plugin_does_not_import_pennylane() -> None:
    """Every plugin lookup imports every installed plugin: PennyLane's seconds-long import must
    only be paid by whoever builds this backend."""
    code = (
        "import json, sys; from q_store import get_registry; names = get_registry().backend_names(); "
        "print(json.dumps([names, 'pennylane' in sys.modules]))"
    )
    environment = {**os.environ, "Q_STORE_PLUGINS": "pennylane"}  # this plugin alone, hermetic
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=environment
    )
    names, imported = json.loads(output.stdout)
    assert "pennylane" in names
    assert imported is False
