"""The circuits every backend must run correctly.

Each case carries its circuit, parameter rows and observables; expected values come either from
closed forms written here (rotations, Bell, GHZ) or from the dense reference in ``reference.py``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import attrs
import numpy as np
from numpy.typing import NDArray

from q_store import Circuit, Operation, PauliString, build_ansatz
from q_store.circuits import ENTANGLEMENT_PATTERNS, FIXED_GATES, GATE_ARITY, PARAMETRIC_GATES

ANGLES = np.array([0.0, 0.3, math.pi / 2, 2.0, math.pi, -1.1, 5.5])


@attrs.frozen
class Case:
    """One circuit with parameter rows, observables and (optionally) closed-form expectations."""

    name: str
    circuit: Circuit
    parameters: NDArray[np.float64]
    observables: tuple[PauliString, ...]
    expected: NDArray[np.float64] | None = None  # closed form, when one exists

    def __str__(self) -> str:
        return self.name


def single_qubit_rotations() -> Iterator[Case]:
    """R_x, R_y, R_z on one qubit at several angles; expectations in closed form.

    R_x(t)|0>: <X> = 0, <Y> = -sin t, <Z> = cos t.   R_y(t)|0>: <X> = sin t, <Y> = 0, <Z> = cos t.
    R_z(t) H|0>: <X> = cos t, <Y> = sin t, <Z> = 0.
    """
    xyz = (PauliString.x(0), PauliString.y(0), PauliString.z(0))
    t = ANGLES[:, None]
    closed = {
        "rx": np.hstack([0 * t, -np.sin(t), np.cos(t)]),
        "ry": np.hstack([np.sin(t), 0 * t, np.cos(t)]),
        "rz": np.hstack([np.cos(t), np.sin(t), 0 * t]),
    }
    for gate in ("rx", "ry", "rz"):
        prefix = (Operation("h", (0,)),) if gate == "rz" else ()
        circuit = Circuit(1, (*prefix, Operation(gate, (0,), 0)), n_weights=1)
        yield Case(f"{gate}-angles", circuit, ANGLES[:, None].copy(), xyz, closed[gate])


def bell() -> Case:
    """(|00> + |11>)/sqrt(2): <Z0> = <Z1> = 0, <Z0 Z1> = <X0 X1> = 1, <Y0 Y1> = -1."""
    circuit = Circuit(2, (Operation("h", (0,)), Operation("cnot", (0, 1))))
    observables = tuple(PauliString.from_label(label) for label in ("ZI", "IZ", "ZZ", "XX", "YY"))
    return Case("bell", circuit, np.zeros((1, 0)), observables, np.array([[0.0, 0.0, 1.0, 1.0, -1.0]]))


def ghz(n: int) -> Case:
    """(|0...0> + |1...1>)/sqrt(2): <Z_q> = 0, <Z_0 Z_q> = 1, <X...X> = 1."""
    ops = (Operation("h", (0,)), *(Operation("cnot", (q, q + 1)) for q in range(n - 1)))
    observables = (
        *(PauliString.z(q) for q in range(n)),
        *(PauliString(((0, "Z"), (q, "Z"))) for q in range(1, n)),
        PauliString.from_label("X" * n),
    )
    expected = np.array([[0.0] * n + [1.0] * (n - 1) + [1.0]])
    return Case(f"ghz-{n}", Circuit(n, ops), np.zeros((1, 0)), observables, expected)


def entanglement_patterns(n: int = 4, depth: int = 2, rows: int = 3, seed: int = 11) -> Iterator[Case]:
    """The layer ansatz with each entanglement pattern and encoding axis, random parameters."""
    rng = np.random.default_rng(seed)
    for pattern in ENTANGLEMENT_PATTERNS:
        for axis in ("x", "y", "z"):
            circuit = build_ansatz(n, depth, entanglement=pattern, encoding_axis=axis)
            parameters = rng.uniform(-math.pi, math.pi, size=(rows, circuit.n_parameters))
            observables = (
                *(PauliString.z(q) for q in range(n)),
                PauliString.from_label("XY" + "Z" * (n - 2)),
            )
            yield Case(f"ansatz-{pattern}-{axis}", circuit, parameters, observables)


def random_circuit(n: int, n_gates: int, rng: np.random.Generator) -> Circuit:
    """Random gates over the whole gate set; some parameter columns are read by two gates."""
    gates = sorted(PARAMETRIC_GATES | FIXED_GATES)
    if n == 1:
        gates = [g for g in gates if GATE_ARITY[g] == 1]
    n_columns = max(1, n_gates // 3)
    ops = []
    for _ in range(n_gates):
        gate = str(rng.choice(gates))
        wires = tuple(int(w) for w in rng.choice(n, size=GATE_ARITY[gate], replace=False))
        parameter = int(rng.integers(n_columns)) if gate in PARAMETRIC_GATES else None
        ops.append(Operation(gate, wires, parameter))
    return Circuit(n, tuple(ops), n_inputs=n_columns // 2, n_weights=n_columns - n_columns // 2)


def random_observables(n: int, count: int, rng: np.random.Generator) -> tuple[PauliString, ...]:
    observables = [PauliString.z(int(rng.integers(n)))]
    while len(observables) < count:
        label = "".join(rng.choice(list("IXYZ"), size=n))
        observables.append(PauliString.from_label(label))
    return tuple(observables)


def random_cases(count: int = 24, max_qubits: int = 6, rows: int = 3, seed: int = 2024) -> Iterator[Case]:
    rng = np.random.default_rng(seed)
    for index in range(count):
        n = 1 + index % max_qubits
        circuit = random_circuit(n, n_gates=int(rng.integers(4, 6 * n + 6)), rng=rng)
        parameters = rng.uniform(-2 * math.pi, 2 * math.pi, size=(rows, circuit.n_parameters))
        yield Case(f"random-{index}-{n}q", circuit, parameters, random_observables(n, 4, rng))


def closed_form_cases() -> list[Case]:
    return [*single_qubit_rotations(), bell(), ghz(3), ghz(5)]


def reference_cases() -> list[Case]:
    return [*entanglement_patterns(), *random_cases()]
