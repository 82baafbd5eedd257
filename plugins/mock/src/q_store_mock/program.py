"""Compiling a circuit into a short program of fused steps.

A circuit of n gates would cost n passes over the state if simulated gate by gate. The compiler
groups gates so that far fewer passes are needed:

* **Product stage.** Until the first two-qubit gate the state is a product of one-qubit states,
  so every gate there acts on a 2-vector per wire: nearly free, whatever the number of qubits.
* **Chunks.** Later one-qubit gates are gathered per wire and grouped into contiguous blocks of up
  to ``CHUNK_QUBITS`` wires; a block is ONE dense ``2^k x 2^k`` matrix (the Kronecker product of
  each wire's gate product), applied in one pass. A block whose angles come from the weights is
  *shared*: the same matrix for every row of the batch, one matrix multiplication for all rows.
* **Monomials.** Runs of two-qubit gates (cnot, cz, swap) are permutations with signs: one
  gather per run, whatever its length.

Gate matrices are built from three constant tables per grid of gates: for a rotation
``R_P(t) = cos(t/2) I - i sin(t/2) P``; for a fixed gate the matrix itself. So one vectorised
expression ``A + cos(t/2) C + sin(t/2) S`` yields every gate of a grid at once.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from functools import cached_property

import attrs
import numpy as np
from numpy.typing import NDArray

from q_store import Circuit, Operation, PauliString

#: Widest block fused into one dense matrix. Measured on 2 CPU cores at 20 qubits: wider blocks
#: cost more arithmetic per pass, narrower ones more passes; 5 is the best trade.
CHUNK_QUBITS = 5

_SQ2 = 1 / math.sqrt(2)
_FIXED_1Q: dict[str, NDArray[np.complex128]] = {
    "h": np.array([[_SQ2, _SQ2], [_SQ2, -_SQ2]], dtype=np.complex128),
    "x": np.array([[0, 1], [1, 0]], dtype=np.complex128),
    "y": np.array([[0, -1j], [1j, 0]], dtype=np.complex128),
    "z": np.array([[1, 0], [0, -1]], dtype=np.complex128),
    "s": np.array([[1, 0], [0, 1j]], dtype=np.complex128),
    "t": np.array([[1, 0], [0, np.exp(1j * math.pi / 4)]], dtype=np.complex128),
    "sx": 0.5 * np.array([[1 + 1j, 1 - 1j], [1 - 1j, 1 + 1j]], dtype=np.complex128),
}
_PAULI = {
    "rx": np.array([[0, 1], [1, 0]], dtype=np.complex128),
    "ry": np.array([[0, -1j], [1j, 0]], dtype=np.complex128),
    "rz": np.array([[1, 0], [0, -1]], dtype=np.complex128),
}
_IDENTITY = np.eye(2, dtype=np.complex128)


@attrs.frozen(eq=False)
class GateGrid:
    """Gates on a set of wires, laid out as ``moments x wires`` (identity where a wire is idle).

    ``fixed + cos(theta/2) * cos_part + sin(theta/2) * sin_part`` gives every gate matrix, with
    ``theta`` read from parameter column ``columns[m, w]``.
    """

    wires: tuple[int, ...]
    fixed: NDArray[np.complex128]  # (M, W, 2, 2)
    cos_part: NDArray[np.complex128]  # (M, W, 2, 2)
    sin_part: NDArray[np.complex128]  # (M, W, 2, 2)
    columns: NDArray[np.int64]  # (M, W)
    parametric: bool  # any rotation at all (else the matrices are constants)

    @classmethod
    def from_wire_lists(cls, wire_ops: dict[int, list[Operation]]) -> GateGrid:
        wires = tuple(sorted(wire_ops))
        moments = max(len(ops) for ops in wire_ops.values())
        shape = (moments, len(wires), 2, 2)
        fixed = np.zeros(shape, dtype=np.complex128)
        cos_part = np.zeros(shape, dtype=np.complex128)
        sin_part = np.zeros(shape, dtype=np.complex128)
        columns = np.zeros((moments, len(wires)), dtype=np.int64)
        for w_index, wire in enumerate(wires):
            ops = wire_ops[wire]
            for m in range(moments):
                op = ops[m] if m < len(ops) else None
                if op is None:
                    fixed[m, w_index] = _IDENTITY
                elif op.parameter is None:
                    fixed[m, w_index] = _FIXED_1Q[op.gate]
                else:
                    cos_part[m, w_index] = _IDENTITY
                    sin_part[m, w_index] = -1j * _PAULI[op.gate]
                    columns[m, w_index] = op.parameter
        parametric = bool(np.any(sin_part))
        return cls(wires, fixed, cos_part, sin_part, columns, parametric)


@attrs.frozen(eq=False)
class Chunk:
    """One dense block on contiguous wires ``first .. first + width - 1``."""

    first: int
    width: int
    grid: GateGrid
    per_row: bool  # angles differ per row (inputs, or every column in row mode)


@attrs.frozen(eq=False)
class Monomial:
    """``new[j] = phase[j] * old[gather[j]]``; either part may be absent (identity)."""

    gather: NDArray[np.int64] | None
    phase: NDArray[np.float64] | None  # real signs: cz and the permutations only produce +-1

    @cached_property
    def inverse_gather(self) -> NDArray[np.int64] | None:
        if self.gather is None:
            return None
        inverse = np.empty_like(self.gather)
        inverse[self.gather] = np.arange(self.gather.size)
        return inverse


Step = Chunk | Monomial


@attrs.frozen(eq=False)
class Program:
    """The compiled form of one circuit for one split of columns into per-row and shared."""

    n_qubits: int
    n_parameters: int
    product: GateGrid | None  # one-qubit gates applied while the state is a product state
    steps: tuple[Step, ...]


def compile_circuit(circuit: Circuit, per_row_columns: NDArray[np.bool_]) -> Program:
    """Compile ``circuit``; ``per_row_columns[c]`` says whether column ``c`` varies by row."""
    n = circuit.n_qubits
    operations = list(circuit.operations)
    first_entangler = next((i for i, op in enumerate(operations) if len(op.wires) > 1), len(operations))
    product_ops: dict[int, list[Operation]] = {q: [] for q in range(n)}
    for op in operations[:first_entangler]:
        product_ops[op.wires[0]].append(op)
    # Every wire is part of the grid (idle ones get identities) so that the product state covers
    # the whole register.
    product = GateGrid.from_wire_lists(product_ops) if any(product_ops.values()) else None

    steps: list[Step] = []
    pending: dict[int, list[Operation]] = {}
    pending_row: dict[int, bool] = {}
    monomial: list[Operation] = []

    def flush_pending() -> None:
        steps.extend(_chunks(pending, pending_row, n))
        pending.clear()
        pending_row.clear()

    def flush_monomial() -> None:
        if monomial:
            steps.append(_monomial(monomial, n))
            monomial.clear()

    for op in operations[first_entangler:]:
        if len(op.wires) == 1:
            flush_monomial()
            wire = op.wires[0]
            row = op.parameter is not None and bool(per_row_columns[op.parameter])
            if wire in pending and op.parameter is not None and pending_row[wire] != row:
                flush_pending()
            if wire not in pending:
                pending[wire] = []
                pending_row[wire] = row
            pending[wire].append(op)
        else:
            flush_pending()
            monomial.append(op)
    flush_pending()
    flush_monomial()
    return Program(n, circuit.n_parameters, product, tuple(steps))


def _chunks(pending: dict[int, list[Operation]], pending_row: dict[int, bool], n: int) -> Iterable[Chunk]:
    for per_row in (False, True):
        wires = sorted(w for w in pending if pending_row[w] == per_row)
        # Blocks are aligned to multiples of CHUNK_QUBITS so that they never overlap.
        for block_start in range(0, n, CHUNK_QUBITS):
            block = [w for w in wires if block_start <= w < block_start + CHUNK_QUBITS]
            if not block:
                continue
            first, last = block[0], block[-1]
            # Wires of the span that have nothing pending in this class get identities.
            wire_ops = {w: pending[w] if w in block else [] for w in range(first, last + 1)}
            yield Chunk(first, last - first + 1, GateGrid.from_wire_lists(wire_ops), per_row)


def _monomial(operations: Sequence[Operation], n: int) -> Monomial:
    index = np.arange(2**n, dtype=np.int64)
    gather = index.copy()
    phase = np.ones(2**n)
    for op in operations:
        a, b = (n - 1 - w for w in op.wires)  # bit positions, wire 0 = most significant
        bit_a = (index >> a) & 1
        bit_b = (index >> b) & 1
        if op.gate == "cnot":
            source = index ^ (bit_a << b)
        elif op.gate == "swap":
            source = index ^ ((bit_a ^ bit_b) << a) ^ ((bit_a ^ bit_b) << b)
        else:  # cz
            source = index
            phase = phase * np.where((bit_a & bit_b).astype(bool), -1.0, 1.0)
            continue
        # Composing new[j] = old[source[j]] after the steps so far.
        gather = gather[source]
        phase = phase[source]
    identity = bool(np.array_equal(gather, index))
    unsigned = bool(np.all(phase == 1.0))
    return Monomial(None if identity else gather, None if unsigned else phase)


@attrs.frozen(eq=False)
class PauliTable:
    """``(P psi)[k] = factor * sign[k] * psi[gather[k]]`` for a Pauli string P."""

    gather: NDArray[np.int64] | None
    sign: NDArray[np.float64]
    factor: complex


def pauli_table(observable: PauliString, n: int) -> PauliTable:
    index = np.arange(2**n, dtype=np.int64)
    x_mask = yz_mask = 0
    n_y = 0
    for wire, letter in observable.terms:
        bit = 1 << (n - 1 - wire)
        if letter in ("X", "Y"):
            x_mask |= bit
        if letter in ("Y", "Z"):
            yz_mask |= bit
        n_y += letter == "Y"
    source = index ^ x_mask
    # P|j> = i^{n_Y} (-1)^{popcount(j & yz)} |j ^ x>, so (P psi)[k] uses j = k ^ x.
    parity = _popcount(source & yz_mask) & 1
    sign = 1.0 - 2.0 * parity
    return PauliTable(None if x_mask == 0 else source, sign.astype(np.float64), 1j**n_y)


def _popcount(values: NDArray[np.int64]) -> NDArray[np.int64]:
    count = np.zeros_like(values)
    v = values.copy()
    while np.any(v):
        count += v & 1
        v >>= 1
    return count
