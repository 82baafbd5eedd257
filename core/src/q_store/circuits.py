"""A small hardware-agnostic circuit model: the language every backend plugin translates.

Conventions (every backend must follow them; the contract suite checks them):

* Wire 0 is the most significant bit of a basis-state index: on 3 qubits, index 4 = ``|100>``
  has wire 0 in state 1. Sampled bitstrings are arrays whose column ``q`` is the bit of wire ``q``.
* Rotations are ``R_P(theta) = exp(-i * theta * P / 2)`` for ``P`` in X, Y, Z.
* ``s = diag(1, i)``, ``t = diag(1, exp(i*pi/4))``, ``sx = sqrt(X)``; ``cnot`` wires are
  ``(control, target)``; ``cz`` and ``swap`` are symmetric.
* A parametrised gate does not hold a number but a *column*: the circuit is run on a 2-D array
  of parameter values whose rows are independent executions. Columns ``[0, n_inputs)`` hold
  data (the layer's inputs), columns ``[n_inputs, n_parameters)`` hold trainable weights.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import cached_property
from typing import Final, Literal

import attrs
import numpy as np
from numpy.typing import NDArray

from q_store.errors import ArgumentError

__all__ = [
    "ENCODING_AXES",
    "ENTANGLEMENT_PATTERNS",
    "FIXED_GATES",
    "GATE_ARITY",
    "PARAMETRIC_GATES",
    "Circuit",
    "Operation",
    "PauliString",
    "build_ansatz",
    "check_observables",
    "entangling_pairs",
    "pauli_z_observables",
]

#: Gates whose angle comes from a parameter column. All have generators with eigenvalues
#: +-1/2, so the two-term parameter-shift rule with shift pi/2 is exact for each of them.
PARAMETRIC_GATES: Final = frozenset({"rx", "ry", "rz"})
#: Gates without parameters.
FIXED_GATES: Final = frozenset({"h", "x", "y", "z", "s", "t", "sx", "cnot", "cz", "swap"})
#: Number of wires each gate acts on.
GATE_ARITY: Final[Mapping[str, int]] = {
    **{name: 1 for name in ("h", "x", "y", "z", "s", "t", "sx", "rx", "ry", "rz")},
    **{name: 2 for name in ("cnot", "cz", "swap")},
}

ENTANGLEMENT_PATTERNS: Final = ("linear", "circular", "full")
ENCODING_AXES: Final = ("x", "y", "z")
Entanglement = Literal["linear", "circular", "full"]
PauliLetter = Literal["X", "Y", "Z"]


def _wires(value: Iterable[int]) -> tuple[int, ...]:
    return tuple(value)


def _terms(value: Iterable[tuple[int, PauliLetter]]) -> tuple[tuple[int, PauliLetter], ...]:
    return tuple(value)


def _operations(value: Iterable[Operation]) -> tuple[Operation, ...]:
    return tuple(value)


@attrs.frozen
class Operation:
    """One gate on ``wires``; ``parameter`` is the column holding its angle (rotations only)."""

    gate: str
    wires: tuple[int, ...] = attrs.field(converter=_wires)
    parameter: int | None = None

    def __attrs_post_init__(self) -> None:
        arity = GATE_ARITY.get(self.gate)
        if arity is None:
            known = ", ".join(sorted(GATE_ARITY))
            raise ArgumentError("gate", f"unknown gate {self.gate!r}; known gates: {known}")
        if len(self.wires) != arity:
            raise ArgumentError("wires", f"gate {self.gate!r} acts on {arity} wire(s), got {self.wires!r}")
        if len(set(self.wires)) != len(self.wires):
            raise ArgumentError("wires", f"gate {self.gate!r} needs distinct wires, got {self.wires!r}")
        if any(isinstance(w, bool) or not isinstance(w, (int, np.integer)) or w < 0 for w in self.wires):
            raise ArgumentError("wires", f"wires must be non-negative integers, got {self.wires!r}")
        needs_parameter = self.gate in PARAMETRIC_GATES
        if needs_parameter and self.parameter is None:
            raise ArgumentError("parameter", f"gate {self.gate!r} needs a parameter column")
        if not needs_parameter and self.parameter is not None:
            raise ArgumentError("parameter", f"gate {self.gate!r} takes no parameter")


@attrs.frozen
class PauliString:
    """A tensor product of Pauli operators, e.g. ``Z0 Z1`` or ``X2``; the empty string is I.

    Its expectation value is real and lies in [-1, 1].
    """

    terms: tuple[tuple[int, PauliLetter], ...] = attrs.field(converter=_terms)

    def __attrs_post_init__(self) -> None:
        wires = [w for w, _ in self.terms]
        if len(set(wires)) != len(wires):
            raise ArgumentError("observable", f"a wire appears twice in {self.terms!r}")
        for wire, letter in self.terms:
            if letter not in ("X", "Y", "Z"):
                raise ArgumentError("observable", f"Pauli letters are X, Y, Z; got {letter!r}")
            if isinstance(wire, bool) or not isinstance(wire, (int, np.integer)) or wire < 0:
                raise ArgumentError("observable", f"wires must be non-negative integers, got {wire!r}")
        # Canonical order makes equal observables compare and hash equal.
        object.__setattr__(self, "terms", tuple(sorted((int(w), p) for w, p in self.terms)))

    @classmethod
    def z(cls, wire: int) -> PauliString:
        return cls(((wire, "Z"),))

    @classmethod
    def x(cls, wire: int) -> PauliString:
        return cls(((wire, "X"),))

    @classmethod
    def y(cls, wire: int) -> PauliString:
        return cls(((wire, "Y"),))

    @classmethod
    def from_label(cls, label: str) -> PauliString:
        """``'ZIX'`` means Z on wire 0 and X on wire 2."""
        if any(ch not in "IXYZ" for ch in label):
            raise ArgumentError("observable", f"a Pauli label uses I, X, Y, Z; got {label!r}")
        return cls(tuple((w, ch) for w, ch in enumerate(label) if ch != "I"))  # type: ignore[misc]

    @property
    def wires(self) -> tuple[int, ...]:
        return tuple(w for w, _ in self.terms)

    @property
    def is_diagonal(self) -> bool:
        """True when the string contains only Z (and I): measurable in the computational basis."""
        return all(p == "Z" for _, p in self.terms)

    def label(self, n_qubits: int) -> str:
        letters = ["I"] * n_qubits
        for wire, pauli in self.terms:
            letters[wire] = pauli
        return "".join(letters)

    def __str__(self) -> str:
        return " ".join(f"{p}{w}" for w, p in self.terms) or "I"


def check_observables(observables: Sequence[PauliString], n_qubits: int) -> tuple[PauliString, ...]:
    """``observables`` as a tuple, or an ArgumentError naming the first one that does not fit."""
    checked = tuple(observables)
    for index, observable in enumerate(checked):
        if not isinstance(observable, PauliString):
            raise ArgumentError(
                "observables", f"item {index} must be a PauliString, not {type(observable).__name__}"
            )
        if observable.wires and max(observable.wires) >= n_qubits:
            raise ArgumentError(
                "observables", f"item {index} ({observable}) acts outside wires 0..{n_qubits - 1}"
            )
    return checked


def pauli_z_observables(n_qubits: int) -> tuple[PauliString, ...]:
    """``<Z_q>`` for every wire: the default readout of a :class:`~q_store.QuantumLayer`."""
    return tuple(PauliString.z(q) for q in range(n_qubits))


@attrs.frozen
class Circuit:
    """A sequence of operations on ``n_qubits`` wires, all starting in ``|0>``.

    Parameter columns ``[0, n_inputs)`` are data, ``[n_inputs, n_inputs + n_weights)`` weights.
    The split lets simulators fuse what is shared by every row of a batch (the weights) and
    lets the layer know which gradients belong to which tensor.
    """

    n_qubits: int
    operations: tuple[Operation, ...] = attrs.field(converter=_operations)
    n_inputs: int = 0
    n_weights: int = 0

    def __attrs_post_init__(self) -> None:
        if isinstance(self.n_qubits, bool) or not isinstance(self.n_qubits, int) or self.n_qubits < 1:
            raise ArgumentError("n_qubits", f"must be a positive integer, got {self.n_qubits!r}")
        for name in ("n_inputs", "n_weights"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ArgumentError(name, f"must be a non-negative integer, got {value!r}")
        for index, op in enumerate(self.operations):
            if not isinstance(op, Operation):
                raise ArgumentError("operations", f"item {index} is not an Operation: {op!r}")
            if max(op.wires) >= self.n_qubits:
                raise ArgumentError(
                    "operations",
                    f"operation {index} ({op.gate} on {op.wires}) uses a wire outside 0..{self.n_qubits - 1}",
                )
            if op.parameter is not None and not 0 <= op.parameter < self.n_parameters:
                raise ArgumentError(
                    "operations",
                    f"operation {index} ({op.gate}) reads parameter column {op.parameter}, "
                    f"but the circuit has {self.n_parameters} columns",
                )

    @property
    def n_parameters(self) -> int:
        return self.n_inputs + self.n_weights

    @property
    def gates(self) -> frozenset[str]:
        return frozenset(op.gate for op in self.operations)

    @cached_property
    def unique_parameter_form(self) -> tuple[Circuit, NDArray[np.int64]]:
        """The same circuit with one column per parametrised operation, and the column map.

        Returns ``(expanded, source)`` where column ``k`` of ``expanded`` takes its value from
        column ``source[k]`` of this circuit. The parameter-shift rule shifts one *gate* at a
        time; a column used by several gates gets the sum of their gradients.
        """
        operations: list[Operation] = []
        source: list[int] = []
        for op in self.operations:
            if op.parameter is None:
                operations.append(op)
            else:
                operations.append(Operation(op.gate, op.wires, len(source)))
                source.append(op.parameter)
        expanded = Circuit(self.n_qubits, tuple(operations), n_inputs=0, n_weights=len(source))
        return expanded, np.asarray(source, dtype=np.int64)

    def expand_parameters(self, parameters: NDArray[np.float64]) -> NDArray[np.float64]:
        """Rows of this circuit's parameters mapped to rows of ``unique_parameter_form``."""
        return parameters[:, self.unique_parameter_form[1]]


def entangling_pairs(n_qubits: int, pattern: str) -> tuple[tuple[int, int], ...]:
    """The CNOT (control, target) pairs of one entangling layer.

    * ``linear``: 0->1, 1->2, ..., (n-2)->(n-1)
    * ``circular``: linear, then (n-1)->0 (for n >= 3; on two wires it equals linear)
    * ``full``: every pair i->j with i < j, in lexicographic order
    """
    if pattern not in ENTANGLEMENT_PATTERNS:
        raise ArgumentError(
            "entanglement",
            f"must be one of {', '.join(ENTANGLEMENT_PATTERNS)}; got {pattern!r}",
        )
    linear = tuple((q, q + 1) for q in range(n_qubits - 1))
    if pattern == "linear":
        return linear
    if pattern == "circular":
        return linear + (((n_qubits - 1, 0),) if n_qubits >= 3 else ())
    return tuple((i, j) for i in range(n_qubits) for j in range(i + 1, n_qubits))


def build_ansatz(
    n_qubits: int,
    depth: int,
    *,
    entanglement: str = "linear",
    encoding: str = "angle",
    encoding_axis: str = "y",
    rotations: Sequence[str] = ("rx", "ry"),
) -> Circuit:
    """The layer circuit of the seed document: encode the inputs, then ``depth`` trained layers.

    * Encoding ``angle``: input ``x_q`` is the angle of a rotation about ``encoding_axis`` on
      wire ``q``. Axis ``z`` is preceded by a Hadamard on each wire, because a Z rotation of
      ``|0>`` only changes a global phase and would discard the input.
    * Each layer applies the gates ``rotations`` to every wire (one weight each), then the CNOTs
      of the ``entanglement`` pattern (see :func:`entangling_pairs`).

    Weights are numbered layer by layer, wire by wire, rotation by rotation, matching the
    ``(depth, n_qubits, len(rotations))`` weight tensor of :class:`~q_store.QuantumLayer`.
    """
    if isinstance(n_qubits, bool) or not isinstance(n_qubits, int) or n_qubits < 1:
        raise ArgumentError("n_qubits", f"must be a positive integer, got {n_qubits!r}")
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 1:
        raise ArgumentError("depth", f"must be a positive integer, got {depth!r}")
    if encoding != "angle":
        raise ArgumentError("encoding", f"must be 'angle'; got {encoding!r}")
    if encoding_axis not in ENCODING_AXES:
        raise ArgumentError(
            "encoding_axis", f"must be one of {', '.join(ENCODING_AXES)}; got {encoding_axis!r}"
        )
    rotations = tuple(rotations)
    if not rotations or any(r not in PARAMETRIC_GATES for r in rotations):
        raise ArgumentError(
            "rotations",
            f"must be a non-empty sequence of {', '.join(sorted(PARAMETRIC_GATES))}; got {rotations!r}",
        )
    pairs = entangling_pairs(n_qubits, entanglement)

    ops: list[Operation] = []
    if encoding_axis == "z":
        ops.extend(Operation("h", (q,)) for q in range(n_qubits))
    ops.extend(Operation(f"r{encoding_axis}", (q,), q) for q in range(n_qubits))
    column = n_qubits
    for _ in range(depth):
        for q in range(n_qubits):
            for gate in rotations:
                ops.append(Operation(gate, (q,), column))
                column += 1
        ops.extend(Operation("cnot", pair) for pair in pairs)
    return Circuit(n_qubits, tuple(ops), n_inputs=n_qubits, n_weights=column - n_qubits)
