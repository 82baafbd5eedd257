"""Born-rule sampling of small probability vectors, on a quantum backend or classically.

The database draws from two kinds of distribution: a record's context probabilities (context
collapse) and a basin's transmission probability (the tunneling choice). With
``enable_quantum=True`` each distribution ``p`` over ``K`` outcomes is *amplitude-encoded* on
``m = ceil(log2 K)`` qubits, ``|psi> = sum_i sqrt(p_i) |i>``, and measured once on the configured
backend. This is the honest sense of "exponential compression": ``K`` contexts need ``log2 K``
qubits, while the store still keeps ``K`` weights.

The encoding is the standard binary tree of rotations (Mottonen et al., 2004): wire ``k`` gets a
Y rotation whose angle depends on the outcome of wires ``0..k-1``, a *uniformly controlled*
rotation, decomposed into ``2^k`` RY gates and ``2^k`` CNOTs so that it runs on any backend of
the core gate set. One circuit per ``m``; each distribution is one parameter row; one backend
call per batch.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cache

import numpy as np
from numpy.typing import NDArray

from q_store.backend import QuantumBackend
from q_store.circuits import Circuit, Operation, PauliString

__all__ = ["BornSampler", "preparation_angles", "state_preparation_circuit"]


def _gray(i: int) -> int:
    return i ^ (i >> 1)


@cache
def state_preparation_circuit(m: int) -> Circuit:
    """The circuit preparing ``sum_i sqrt(p_i)|i>`` on ``m`` wires from ``2^m - 1`` angles."""
    ops: list[Operation] = []
    column = 0
    for target in range(m):
        controls = target  # wires 0..target-1 control the rotation of wire `target`
        count = 1 << controls
        for i in range(count):
            ops.append(Operation("ry", (target,), column))
            column += 1
            if controls:
                # The CNOT after rotation i is controlled by the bit in which the Gray codes of
                # i and i+1 (cyclically) differ; bit b refers to control wire controls-1-b.
                changed = _gray(i) ^ _gray((i + 1) % count)
                bit = changed.bit_length() - 1
                ops.append(Operation("cnot", (controls - 1 - bit, target)))
    return Circuit(m, tuple(ops), n_weights=column)


def preparation_angles(probabilities: NDArray[np.float64]) -> NDArray[np.float64]:
    """Parameter rows of :func:`state_preparation_circuit` for rows of probabilities ``(rows, 2^m)``."""
    rows, size = probabilities.shape
    m = size.bit_length() - 1
    columns = []
    for target in range(m):
        # Probability of each prefix of `target` bits, and of that prefix followed by 0.
        prefixes = probabilities.reshape(rows, 1 << target, -1)
        total = prefixes.sum(axis=2)
        zero = prefixes[:, :, : prefixes.shape[2] // 2].sum(axis=2)
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = np.where(total > 0, zero / total, 1.0)
        theta = 2 * np.arccos(np.sqrt(np.clip(ratio, 0.0, 1.0)))  # (rows, 2^target)
        if target == 0:
            columns.append(theta)
            continue
        # Uniformly controlled RY: the angles in the Gray-code basis.
        count = 1 << target
        signs = np.array(
            [[(-1) ** bin(j & _gray(i)).count("1") for j in range(count)] for i in range(count)],
            dtype=np.float64,
        )
        columns.append(theta @ signs.T / count)
    return np.concatenate(columns, axis=1) if columns else np.zeros((rows, 0))


class BornSampler:
    """Draws outcomes of probability vectors: on a backend (quantum) or with numpy (classical)."""

    def __init__(self, rng: np.random.Generator, backend: QuantumBackend | None = None) -> None:
        self.rng = rng
        self.backend = backend

    @property
    def quantum(self) -> bool:
        return self.backend is not None

    def sample(self, distributions: Sequence[Sequence[float]]) -> list[int]:
        """One outcome index per distribution (each a probability vector summing to 1)."""
        if not distributions:
            return []
        width = max(len(d) for d in distributions)
        if self.backend is None or width == 1:
            return [int(self.rng.choice(len(d), p=np.asarray(d) / np.sum(d))) for d in distributions]
        m = max(1, math.ceil(math.log2(width)))
        padded = np.zeros((len(distributions), 1 << m))
        for row, distribution in enumerate(distributions):
            padded[row, : len(distribution)] = distribution
        padded /= padded.sum(axis=1, keepdims=True)
        circuit = state_preparation_circuit(m)
        angles = preparation_angles(padded)
        seed = int(self.rng.integers(2**31 - 1))
        outcomes = self._measure(circuit, angles, seed)
        # A noisy device may report an outcome the distribution forbids (probability 0); such a
        # draw is repeated classically from the distribution itself.
        return [
            int(o) if o < len(d) and d[o] > 0 else int(self.rng.choice(len(d), p=np.asarray(d) / np.sum(d)))
            for o, d in zip(outcomes, distributions, strict=True)
        ]

    def _measure(self, circuit: Circuit, angles: NDArray[np.float64], seed: int) -> NDArray[np.int64]:
        assert self.backend is not None
        m = circuit.n_qubits
        weights = 1 << np.arange(m - 1, -1, -1)
        if self.backend.capabilities.supports_samples:
            bits = self.backend.run_samples(circuit, angles, shots=1, seed=seed)[:, 0, :]
            return np.asarray(bits.astype(np.int64) @ weights)
        # No samples: read the distribution off Z-string expectations, P(b) = 2^-m sum_S
        # (-1)^{b.S} <Z_S>, then draw from it (exact on exact backends).
        subsets = [tuple(w for w in range(m) if s >> (m - 1 - w) & 1) for s in range(1 << m)]
        observables = [PauliString(tuple((w, "Z") for w in subset)) for subset in subsets]
        expectations = self.backend.run(circuit, angles, observables, seed=seed)
        parity = np.array([[(-1) ** bin(b & s).count("1") for s in range(1 << m)] for b in range(1 << m)])
        probabilities = np.clip(expectations @ parity.T / (1 << m), 0, None)
        rng = np.random.default_rng(seed)
        return np.array([rng.choice(1 << m, p=p / p.sum()) for p in probabilities])
