"""The PennyLane devices this backend runs on: checking a name and its options, building one.

Only qubit simulators that run the whole gate set of the circuit model exactly are accepted. Other
installed PennyLane devices (qutrit, Gaussian, Clifford-only, tensor networks, ``null.qubit``) would
either refuse the gates or return values that are not the circuit's expectations, so they are
refused by name rather than failing halfway through a training run.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Mapping
from typing import Any, Final

import attrs
import numpy as np
import pennylane as qml
from pennylane.devices import Device, ExecutionConfig
from pennylane.measurements import MeasurementProcess

from q_store.errors import ArgumentError

__all__ = [
    "DEVICE_OPTIONS_OWNED",
    "SUPPORTED_DEVICES",
    "DeviceProfile",
    "DeviceTraits",
    "check_device_name",
    "check_device_options",
    "installed_devices",
    "make_device",
    "probe_device",
]


@attrs.frozen
class DeviceProfile:
    """What Q-Store knows about a device before building it."""

    #: The distribution to ``pip install`` when the device is missing.
    distribution: str
    #: Largest circuit accepted by default. A statevector of n qubits is 2**n complex128 numbers
    #: (256 MiB per row at 24); a density matrix is 4**n (256 MiB at 12).
    max_qubits: int


SUPPORTED_DEVICES: Final[Mapping[str, DeviceProfile]] = {
    "default.qubit": DeviceProfile("pennylane", 24),
    "lightning.qubit": DeviceProfile("pennylane-lightning", 24),
    # The GPU and Kokkos builds of lightning share lightning.qubit's interface; they are accepted
    # when installed but are not exercised by this package's tests (no such build in CI).
    "lightning.gpu": DeviceProfile("pennylane-lightning-gpu", 24),
    "lightning.kokkos": DeviceProfile("pennylane-lightning-kokkos", 24),
    "default.mixed": DeviceProfile("pennylane", 12),
}

#: Device arguments Q-Store sets itself: the width comes from the circuit, shots and seed from
#: each request (``DatabaseConfig.shots`` and ``seed``).
DEVICE_OPTIONS_OWNED: Final = frozenset({"wires", "shots", "seed"})

#: The torch-native gradient methods a PennyLane device may provide, in no particular order.
_NATIVE_METHODS: Final = ("backprop", "adjoint")


@attrs.frozen
class DeviceTraits:
    """What a built device says about itself."""

    #: Torch-native gradient methods it supports, PennyLane's preferred one first.
    native_diff_methods: tuple[str, ...]
    #: PennyLane's "best" method for the device (what ``diff_method='best'`` would pick).
    best_diff_method: str


def installed_devices() -> frozenset[str]:
    """Names of every PennyLane device installed (entry points of group ``pennylane.plugins``)."""
    return frozenset(entry.name for entry in importlib.metadata.entry_points(group="pennylane.plugins"))


def check_device_name(name: object) -> str:
    """``name`` if it is an installed device this backend supports, else an ArgumentError."""
    installed = installed_devices()
    usable = ", ".join(sorted(set(SUPPORTED_DEVICES) & installed)) or "none"
    if not isinstance(name, str):
        raise ArgumentError(
            "device", f"must be a PennyLane device name such as 'default.qubit', got {name!r}"
        )
    if name in SUPPORTED_DEVICES and name in installed:
        return name
    if name in SUPPORTED_DEVICES:
        raise ArgumentError(
            "device",
            f"{name!r} is not installed; pip install {SUPPORTED_DEVICES[name].distribution} "
            f"(installed devices this backend can use: {usable})",
        )
    if name in installed:
        raise ArgumentError(
            "device",
            f"{name!r} is installed but is not a qubit simulator that runs Q-Store circuits exactly; "
            f"use one of: {usable}",
        )
    raise ArgumentError(
        "device", f"no PennyLane device named {name!r}; installed devices this backend can use: {usable}"
    )


def check_device_options(options: object) -> dict[str, Any]:
    """Extra keyword arguments for ``qml.device``, as a plain dict, or an ArgumentError."""
    if options is None:
        return {}
    if not isinstance(options, Mapping) or not all(isinstance(key, str) for key in options):
        raise ArgumentError("device_options", f"must be a mapping of option names to values, got {options!r}")
    owned = sorted(DEVICE_OPTIONS_OWNED & set(options))
    if owned:
        raise ArgumentError(
            "device_options",
            f"{', '.join(owned)} are set by Q-Store (wires from the circuit, shots and seed from "
            "DatabaseConfig); remove them",
        )
    checked = dict(options)
    if isinstance(checked.get("c_dtype"), str):
        # Options often come from JSON or YAML (q-store-certify, config files), where a numpy type
        # cannot be written; lightning wants the type itself.
        try:
            checked["c_dtype"] = np.dtype(checked["c_dtype"]).type
        except TypeError:
            raise ArgumentError(
                "device_options", f"c_dtype {checked['c_dtype']!r} is not a numpy dtype such as 'complex64'"
            ) from None
    return checked


def make_device(name: str, n_qubits: int, options: Mapping[str, Any], *, seed: int | None) -> Device:
    """A device of ``n_qubits`` wires. ``seed=None`` draws fresh entropy from the OS.

    The seed is always passed: PennyLane's default (``'global'``) would draw it from numpy's global
    generator and so change the user's random stream behind their back.
    """
    try:
        device: Device = qml.device(name, wires=n_qubits, seed=seed, **options)
    except Exception as exc:
        # A device refusing its construction arguments reports TypeError or ValueError, plugins
        # also their own errors; whichever it is, the user's choice of device or options is at fault.
        raise ArgumentError(
            _at_fault(options), f"PennyLane device {name!r} refused {dict(options)!r}: {exc}"
        ) from exc
    return device


def probe_device(name: str, options: Mapping[str, Any]) -> DeviceTraits:
    """Build and run a one-wire device once to validate ``options``; ask it how it differentiates.

    Running a gate matters: some devices accept any constructor arguments and only fail when they
    first simulate (lightning with an unsupported ``c_dtype``), which would otherwise surface in
    the middle of a training run instead of where the option was given.
    """
    device = make_device(name, 1, options, seed=None)

    def one_rotation() -> MeasurementProcess:
        qml.RX(0.5, wires=0)
        return qml.expval(qml.PauliZ(0))

    try:
        qml.QNode(one_rotation, device, interface="numpy", diff_method=None)()
    except Exception as exc:
        raise ArgumentError(
            _at_fault(options), f"PennyLane device {name!r} cannot run with {dict(options)!r}: {exc}"
        ) from exc
    supported = [
        method
        for method in _NATIVE_METHODS
        if device.supports_derivatives(ExecutionConfig(gradient_method=method, interface="torch"))
    ]
    # The same resolution PennyLane applies to diff_method='best' (device, then backprop, ...).
    best = device.setup_execution_config(ExecutionConfig(gradient_method="best", interface="torch"))
    best_method = str(best.gradient_method)
    supported.sort(key=lambda method: method != best_method)
    return DeviceTraits(tuple(supported), best_method)


def _at_fault(options: Mapping[str, Any]) -> str:
    """The argument to blame when a device fails: its options if any were given, else its name."""
    return "device_options" if options else "device"
