"""Translation of a Q-Store :class:`~q_store.Circuit` into Cirq, once per circuit.

Wire ``q`` becomes ``cirq.LineQubit(q)``. Cirq orders qubits by their natural order and makes the
first one the most significant bit of a state-vector index, which is the Q-Store convention, so
no bit reversal is needed anywhere. Parameter column ``k`` becomes one sympy symbol (``x{k}`` for
input columns, ``w{j}`` for weight columns), so a batch of rows binds as one Cirq sweep.

Every gate maps to the Cirq gate with the same matrix, global phase included:
``rx/ry/rz`` are ``cirq.rx/ry/rz`` (``exp(-i t P / 2)``), ``sx`` is ``cirq.X**0.5``, ``s`` and
``t`` are ``cirq.S`` and ``cirq.T``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Final

import attrs
import cirq
import numpy as np
import sympy  # type: ignore[import-untyped]  # sympy ships no type information
from numpy.typing import NDArray

from q_store import Circuit

__all__ = ["CirqProgram", "FixedStep", "RotationStep", "translate"]

#: Circuits whose translation is kept. A training loop uses two per layer (the circuit and its
#: one-column-per-gate form for parameter shift).
CACHE_SIZE: Final = 64

_FIXED_GATES: Final[Mapping[str, cirq.Gate]] = {
    "h": cirq.H,
    "x": cirq.X,
    "y": cirq.Y,
    "z": cirq.Z,
    "s": cirq.S,
    "t": cirq.T,
    "sx": cirq.X**0.5,
    "cnot": cirq.CNOT,
    "cz": cirq.CZ,
    "swap": cirq.SWAP,
}
#: Rotation gates and their generators: R_P(t) = cos(t/2) I - i sin(t/2) P, because P^2 = I.
_ROTATIONS: Final[Mapping[str, tuple[Callable[[sympy.Symbol], cirq.Gate], cirq.Pauli]]] = {
    "rx": (cirq.rx, cirq.X),
    "ry": (cirq.ry, cirq.Y),
    "rz": (cirq.rz, cirq.Z),
}


@attrs.frozen
class FixedStep:
    """A gate without parameters, applied as it is to every row."""

    operation: cirq.Operation
    #: Wires of the operation (the state tensor's axis of wire q is q + 1; axis 0 is the row).
    wires: tuple[int, ...]


@attrs.frozen
class RotationStep:
    """A rotation whose angle is parameter column ``column``, different in every row."""

    generator: cirq.Operation  # the Pauli P of R_P, on the rotation's qubit
    column: int
    wires: tuple[int, ...]


Step = FixedStep | RotationStep


@attrs.frozen(eq=False)
class CirqProgram:
    """A circuit in Cirq form: a ``cirq.FrozenCircuit`` with one symbol per parameter column, and
    the same operations as a flat list of steps for the row-batched engine."""

    circuit: cirq.FrozenCircuit  # frozen: the translation is cached and shared
    qubits: tuple[cirq.LineQubit, ...]
    symbols: tuple[sympy.Symbol, ...]
    steps: tuple[Step, ...]

    @property
    def n_qubits(self) -> int:
        return len(self.qubits)

    def sweep(self, parameters: NDArray[np.float64]) -> cirq.Sweep:
        """Rows of ``parameters`` as one Cirq sweep: a ``cirq.Zip`` of one ``cirq.Points`` per
        column, which is built in microseconds (a ``cirq.ListSweep`` of per-row dictionaries
        costs a dictionary per row)."""
        if not self.symbols:
            return cirq.UnitSweep
        return cirq.Zip(
            *(
                cirq.Points(symbol, parameters[:, column].tolist())
                for column, symbol in enumerate(self.symbols)
            )
        )


def column_symbols(circuit: Circuit) -> tuple[sympy.Symbol, ...]:
    """``x0, x1, ...`` for the input columns, then ``w0, w1, ...`` for the weight columns."""
    inputs = (sympy.Symbol(f"x{k}") for k in range(circuit.n_inputs))
    weights = (sympy.Symbol(f"w{k}") for k in range(circuit.n_weights))
    return (*inputs, *weights)


@functools.lru_cache(maxsize=CACHE_SIZE)
def translate(circuit: Circuit) -> CirqProgram:
    """The Cirq form of ``circuit`` (cached: ``Circuit`` is immutable and hashable)."""
    qubits = tuple(cirq.LineQubit.range(circuit.n_qubits))
    symbols = column_symbols(circuit)
    operations: list[cirq.Operation] = []
    steps: list[Step] = []
    for op in circuit.operations:
        targets = [qubits[w] for w in op.wires]
        if op.parameter is None:
            operation = _FIXED_GATES[op.gate].on(*targets)
            steps.append(FixedStep(operation, op.wires))
        else:
            make_rotation, generator = _ROTATIONS[op.gate]
            operation = make_rotation(symbols[op.parameter]).on(*targets)
            steps.append(RotationStep(generator.on(*targets), op.parameter, op.wires))
        operations.append(operation)
    return CirqProgram(cirq.FrozenCircuit(operations), qubits, symbols, tuple(steps))
