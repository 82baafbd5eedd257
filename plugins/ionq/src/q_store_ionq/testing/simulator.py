"""Exact simulation of IonQ "qis" circuits, as the API receives them, for the loopback server.

Written from the gate definitions against IonQ's JSON (not against the core circuit model), so
that a test comparing the plugin's results with ``q_store_contract_tests.reference`` checks the
translation AND this simulator. Qubit ``q`` is bit ``q`` of a basis-state index (IonQ's order).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

__all__ = ["NOISE_FIDELITY", "CircuitError", "gate_counts", "noisy_probabilities", "probabilities"]

_I = np.eye(2, dtype=np.complex128)
_X = np.array([[0, 1], [1, 0]], dtype=np.complex128)
_Y = np.array([[0, -1j], [1j, 0]], dtype=np.complex128)
_Z = np.array([[1, 0], [0, -1]], dtype=np.complex128)
_SQRT_X = np.array([[1 + 1j, 1 - 1j], [1 - 1j, 1 + 1j]], dtype=np.complex128) / 2
_FIXED: Final[Mapping[str, NDArray[np.complex128]]] = {
    "x": _X,
    "not": _X,
    "cnot": _X,
    "y": _Y,
    "z": _Z,
    "h": np.array([[1, 1], [1, -1]], dtype=np.complex128) / math.sqrt(2),
    "s": np.diag([1, 1j]).astype(np.complex128),
    "si": np.diag([1, -1j]).astype(np.complex128),
    "t": np.diag([1, np.exp(1j * math.pi / 4)]).astype(np.complex128),
    "ti": np.diag([1, np.exp(-1j * math.pi / 4)]).astype(np.complex128),
    "v": _SQRT_X,
    "vi": _SQRT_X.conj().T,
}
_PAULI: Final = {"rx": _X, "ry": _Y, "rz": _Z}
#: Illustrative per-gate fidelities (1-qubit, 2-qubit) of the loopback noise models: a global
#: depolarizing channel of fidelity f1**n1 * f2**n2. Not IonQ's noise models, only their shape.
NOISE_FIDELITY: Final[Mapping[str, tuple[float, float]]] = {
    "harmony": (0.997, 0.97),
    "aria-1": (0.9995, 0.99),
    "aria-2": (0.9995, 0.99),
    "forte-1": (0.9998, 0.995),
    "forte-enterprise-1": (0.9998, 0.995),
}


class CircuitError(ValueError):
    """The submitted circuit is malformed or uses a gate the loopback server does not know."""


def _qubit_list(gate: Mapping[str, Any], plural: str, singular: str, n_qubits: int) -> list[int]:
    value = gate.get(plural, [gate[singular]] if singular in gate else [])
    if not isinstance(value, list) or not all(isinstance(q, int) and 0 <= q < n_qubits for q in value):
        raise CircuitError(f"gate {gate.get('gate')!r}: {plural} must be qubits 0..{n_qubits - 1}")
    return value


def _parse(gate: object, n_qubits: int) -> tuple[str, list[int], list[int], float | None]:
    if not isinstance(gate, Mapping) or not isinstance(gate.get("gate"), str):
        raise CircuitError(f"not a gate: {gate!r:.100}")
    name = gate["gate"]
    targets = _qubit_list(gate, "targets", "target", n_qubits)
    controls = _qubit_list(gate, "controls", "control", n_qubits)
    if len(set(targets + controls)) != len(targets) + len(controls):
        raise CircuitError(f"gate {name!r} uses a qubit twice")
    rotation = gate.get("rotation")
    if name in _PAULI:
        if not isinstance(rotation, (int, float)) or not math.isfinite(rotation):
            raise CircuitError(f"gate {name!r} needs a finite 'rotation' in radians")
        rotation = float(rotation)
    expected_targets = 2 if name == "swap" else 1
    if len(targets) != expected_targets or (name not in _FIXED and name not in _PAULI and name != "swap"):
        raise CircuitError(f"the loopback server does not support gate {name!r} on {len(targets)} target(s)")
    if name == "swap" and controls:
        raise CircuitError("controlled swap is not supported by the loopback server")
    return name, targets, controls, rotation


def _apply(
    state: NDArray[np.complex128], matrix: NDArray[np.complex128], target: int, controls: Sequence[int]
) -> None:
    n = state.ndim
    axis = n - 1 - target  # axis 0 is the most significant qubit (n - 1)
    index: list[slice | int] = [slice(None)] * n
    for control in controls:
        index[n - 1 - control] = 1
    view = state[tuple(index)]  # the controlled subspace, a view into state
    position = axis - sum(1 for c in controls if n - 1 - c < axis)
    updated = np.tensordot(matrix, view, axes=([1], [position]))
    view[...] = np.moveaxis(updated, 0, position)


def probabilities(n_qubits: int, gates: Sequence[object]) -> NDArray[np.float64]:
    """Outcome probabilities (index = sum of bit q * 2**q) of ``gates`` applied to ``|0...0>``."""
    if not isinstance(n_qubits, int) or n_qubits < 1:
        raise CircuitError(f"'qubits' must be a positive integer, got {n_qubits!r}")
    state = np.zeros((2,) * n_qubits, dtype=np.complex128)
    state[(0,) * n_qubits] = 1.0
    for gate in gates:
        name, targets, controls, rotation = _parse(gate, n_qubits)
        if name == "swap":
            a, b = (n_qubits - 1 - q for q in targets)
            state = np.ascontiguousarray(np.swapaxes(state, a, b))
            continue
        if rotation is not None:
            matrix = math.cos(rotation / 2) * _I - 1j * math.sin(rotation / 2) * _PAULI[name]
        else:
            matrix = _FIXED[name]
        _apply(state, matrix, targets[0], controls)
    result: NDArray[np.float64] = np.abs(state.reshape(-1)) ** 2
    return result


def gate_counts(gates: Sequence[Mapping[str, Any]]) -> tuple[int, int]:
    """(one-qubit gates, multi-qubit gates)."""
    multi = sum(1 for g in gates if len(g.get("targets", [0])) + len(g.get("controls", [])) > 1)
    return len(gates) - multi, multi


def noisy_probabilities(
    exact: NDArray[np.float64], gates: Sequence[Mapping[str, Any]], model: str
) -> NDArray[np.float64]:
    """``exact`` under the global depolarizing channel of ``model`` (see NOISE_FIDELITY)."""
    one, two = NOISE_FIDELITY[model]
    n1, n2 = gate_counts(gates)
    fidelity = one**n1 * two**n2
    mixed: NDArray[np.float64] = fidelity * exact + (1 - fidelity) / exact.size
    return mixed
