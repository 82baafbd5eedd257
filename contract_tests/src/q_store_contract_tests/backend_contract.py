"""`QuantumBackendContract`: the tests every quantum backend plugin must pass.

Usage in a plugin's test suite::

    import pytest
    from q_store_contract_tests import QuantumBackendContract
    from my_plugin import MyBackend

    class TestMyBackend(QuantumBackendContract):
        @pytest.fixture
        def backend(self):
            return MyBackend()

Expected values come from closed forms or from the dense-matrix reference in ``reference.py``,
never from another backend. Exact backends must agree within ``exact_atol``; backends that only
sample are held to ``sigmas`` standard errors of a ``shots``-shot estimate. Capabilities a backend
does not declare turn the tests that need them into skips. A subclass may not silently replace a
contract test: overriding one without marking it ``xfail`` with a reason fails
``test_contract_tests_are_not_silently_overridden``.

Every test's docstring ends with a *Troubleshooting* note for plugin authors.
"""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np
import pytest
from numpy.typing import NDArray

from q_store import (
    ArgumentError,
    Circuit,
    NonFiniteError,
    Operation,
    PauliString,
    QuantumBackend,
    QubitLimitError,
    ShapeError,
    UnsupportedGateError,
    build_ansatz,
    parameter_shift_jacobian,
)
from q_store.backend import ALL_GATES
from q_store.circuits import GATE_ARITY, PARAMETRIC_GATES
from q_store_contract_tests import corpus, reference
from q_store_contract_tests.guard import assert_no_silent_overrides

SEED = 20241123


class QuantumBackendContract:
    """Base class of the backend contract. Provide a ``backend`` fixture returning a fresh backend."""

    #: Largest allowed deviation from the reference for exact execution (complex64 simulators
    #: accumulate ~1e-6 over a few dozen gates).
    exact_atol: ClassVar[float] = 1e-5
    #: Shots used by the statistical tests (and by every test when the backend cannot be exact).
    shots: ClassVar[int] = 4000
    #: Allowed deviation of a sampled estimate, in standard errors.
    sigmas: ClassVar[float] = 5.0

    @pytest.fixture
    def backend(self) -> QuantumBackend:
        raise NotImplementedError("subclasses provide a `backend` fixture returning a fresh backend")

    # ------------------------------------------------------------------ helpers

    def evaluate(
        self,
        backend: QuantumBackend,
        circuit: Circuit,
        parameters: NDArray[np.float64],
        observables: tuple[PauliString, ...],
    ) -> tuple[NDArray[np.float64], int | None]:
        """Expectations the way this backend can give them: exactly, or from ``shots`` shots."""
        shots = None if backend.capabilities.exact else self.shots
        return backend.run(circuit, parameters, observables, shots=shots, seed=SEED), shots

    def assert_expectations(
        self, got: NDArray[np.float64], expected: NDArray[np.float64], shots: int | None, what: str
    ) -> None:
        if shots is None:
            tolerance: float | NDArray[np.float64] = self.exact_atol
        else:
            # Standard error of the mean of +-1 outcomes with mean e: sqrt((1 - e^2) / shots).
            tolerance = self.sigmas * np.sqrt(np.clip(1 - expected**2, 0, None) / shots) + 1e-9
        deviation = np.abs(got - expected)
        assert np.all(deviation <= tolerance), (
            f"{what}: largest deviation {deviation.max():.3g} "
            f"(tolerance {np.max(tolerance):.3g}, {'exact' if shots is None else f'{shots} shots'})\n"
            f"got\n{got}\nexpected\n{expected}"
        )

    # ------------------------------------------------------------------ declarations

    def test_declares_capabilities(self, backend: QuantumBackend) -> None:
        """The backend declares what it can do, consistently.

        Troubleshooting: set ``capabilities = BackendCapabilities(max_qubits=...)`` on the class;
        a backend that cannot be exact must set ``exact=False`` and ``default_shots``.
        """
        caps = backend.capabilities
        assert caps.max_qubits >= 1
        assert caps.gates <= ALL_GATES, f"unknown gates declared: {caps.gates - ALL_GATES}"
        assert caps.exact or caps.supports_shots, "a backend must be exact or take shots"
        if not caps.exact:
            assert caps.default_shots, "a sampling-only backend needs default_shots"
        assert isinstance(backend.name, str)
        assert backend.name != "unnamed", "set the class attribute `name`"

    # ------------------------------------------------------------------ physics

    @pytest.mark.parametrize("case", list(corpus.single_qubit_rotations()), ids=str)
    def test_single_qubit_rotations(self, backend: QuantumBackend, case: corpus.Case) -> None:
        """R_x, R_y, R_z at several angles match their closed forms (<X>, <Y>, <Z>).

        Troubleshooting: check the sign convention R_P(t) = exp(-i t P / 2) and that Y readout is
        not conjugated; a wrong sign shows up as <Y> of the wrong sign.
        """
        self._skip_unsupported(backend, case.circuit)
        got, shots = self.evaluate(backend, case.circuit, case.parameters, case.observables)
        assert case.expected is not None
        self.assert_expectations(got, case.expected, shots, case.name)

    def test_bell_state(self, backend: QuantumBackend) -> None:
        """H then CNOT gives (|00> + |11>)/sqrt(2): <Z0> = <Z1> = 0, <ZZ> = <XX> = 1, <YY> = -1.

        Troubleshooting: a CNOT with control and target swapped still gives this state; if
        <YY> = +1 the Y observable or the S/Sdagger basis change is conjugated.
        """
        case = corpus.bell()
        self._skip_unsupported(backend, case.circuit)
        got, shots = self.evaluate(backend, case.circuit, case.parameters, case.observables)
        assert case.expected is not None
        self.assert_expectations(got, case.expected, shots, case.name)

    @pytest.mark.parametrize("n", [3, 5])
    def test_ghz_state(self, backend: QuantumBackend, n: int) -> None:
        """A GHZ state: <Z_q> = 0, <Z_0 Z_q> = 1, <X...X> = 1.

        Troubleshooting: wire order. Wire 0 is the most significant bit; SDKs with little-endian
        bitstrings (Qiskit) must reverse them.
        """
        case = corpus.ghz(n)
        self._skip_unsupported(backend, case.circuit)
        got, shots = self.evaluate(backend, case.circuit, case.parameters, case.observables)
        assert case.expected is not None
        self.assert_expectations(got, case.expected, shots, case.name)

    @pytest.mark.parametrize("case", list(corpus.entanglement_patterns()), ids=str)
    def test_layer_ansatz_matches_reference(self, backend: QuantumBackend, case: corpus.Case) -> None:
        """The layer circuit with every entanglement pattern and encoding axis matches dense matrices.

        Troubleshooting: 'circular' adds (n-1) -> 0 after the chain; 'full' is every i -> j, i < j.
        Parameter columns: inputs first, then weights layer by layer, wire by wire.
        """
        self._skip_unsupported(backend, case.circuit)
        got, shots = self.evaluate(backend, case.circuit, case.parameters, case.observables)
        expected = reference.expectations(case.circuit, case.parameters, case.observables)
        self.assert_expectations(got, expected, shots, case.name)

    @pytest.mark.parametrize("case", list(corpus.random_cases()), ids=str)
    def test_random_circuit_matches_reference(self, backend: QuantumBackend, case: corpus.Case) -> None:
        """Random circuits over the whole gate set, 1 to 6 qubits, random Pauli observables.

        Troubleshooting: some parameter columns are read by two gates, and observables mix X, Y,
        Z on several wires; check the translation of s, t, sx and swap.
        """
        self._skip_unsupported(backend, case.circuit)
        got, shots = self.evaluate(backend, case.circuit, case.parameters, case.observables)
        expected = reference.expectations(case.circuit, case.parameters, case.observables)
        self.assert_expectations(got, expected, shots, case.name)

    # ------------------------------------------------------------------ batches

    def test_rows_are_independent_and_keep_their_order(self, backend: QuantumBackend) -> None:
        """Row i of the result belongs to row i of the parameters, whatever else is in the batch.

        Troubleshooting: results of a batched SDK call may come back in another order (job ids,
        dictionaries); sort them back. Each row must not depend on its neighbours.
        """
        circuit = build_ansatz(3, 2)
        rng = np.random.default_rng(3)
        parameters = rng.uniform(-3, 3, size=(5, circuit.n_parameters))
        observables = tuple(PauliString.z(q) for q in range(3))
        batch, shots = self.evaluate(backend, circuit, parameters, observables)
        reversed_batch, _ = self.evaluate(backend, circuit, parameters[::-1].copy(), observables)
        expected = reference.expectations(circuit, parameters, observables)
        self.assert_expectations(batch, expected, shots, "batch")
        self.assert_expectations(reversed_batch[::-1], expected, shots, "reversed batch")

    def test_single_row_broadcasting(self, backend: QuantumBackend) -> None:
        """A 1-D parameter vector is one row and gives a 1-D result.

        Troubleshooting: :meth:`QuantumBackend.run` handles this before ``execute``; do not
        override ``run``.
        """
        circuit = build_ansatz(2, 1)
        row = np.linspace(-1, 1, circuit.n_parameters)
        one, shots = self.evaluate(backend, circuit, row, (PauliString.z(0), PauliString.z(1)))
        assert one.shape == (2,)
        expected = reference.expectations(circuit, row[None, :], (PauliString.z(0), PauliString.z(1)))[0]
        self.assert_expectations(one, expected, shots, "single row")

    def test_empty_batch(self, backend: QuantumBackend) -> None:
        """Zero rows in, zero rows out (no SDK call needed).

        Troubleshooting: return ``np.zeros((0, len(observables)))`` when ``parameters`` is empty.
        """
        circuit = build_ansatz(2, 1)
        values = backend.run(circuit, np.zeros((0, circuit.n_parameters)), shots=self._shots(backend))
        assert values.shape == (0, 2)

    def test_default_observables_are_pauli_z_per_wire(self, backend: QuantumBackend) -> None:
        """Without observables, the result is <Z_q> for every wire q.

        Troubleshooting: ``run`` supplies them; ``execute`` receives them explicitly.
        """
        circuit = Circuit(2, (Operation("x", (1,)),))
        values = backend.run(circuit, shots=self._shots(backend), seed=SEED)
        np.testing.assert_allclose(values, [1.0, -1.0], atol=self.exact_atol)

    # ------------------------------------------------------------------ shots and seeds

    def test_shot_estimates_are_within_statistical_bounds(self, backend: QuantumBackend) -> None:
        """With shots, estimates scatter around the exact value by about sqrt((1 - e^2) / shots).

        Troubleshooting: estimate <P> as the mean of the parity of the measured bits on P's wires,
        after rotating X (H) and Y (H S^dagger) factors into the Z basis.
        """
        self._require_shots(backend)
        case = next(iter(corpus.entanglement_patterns(n=3, depth=2, rows=4, seed=5)))
        got = backend.run(case.circuit, case.parameters, case.observables, shots=self.shots, seed=SEED)
        expected = reference.expectations(case.circuit, case.parameters, case.observables)
        self.assert_expectations(got, expected, self.shots, "shot estimates")
        # And they are estimates, not exact values: with few shots some must differ.
        few = backend.run(case.circuit, case.parameters, case.observables, shots=10, seed=SEED)
        assert not np.allclose(few, expected, atol=1e-6), "10-shot estimates equal the exact values"

    def test_same_seed_gives_same_estimates(self, backend: QuantumBackend) -> None:
        """The same seed reproduces sampled estimates exactly; different seeds differ.

        Troubleshooting: derive every random draw from ``seed`` (e.g. numpy's default_rng(seed)),
        never from global state.
        """
        self._require_shots(backend)
        circuit = build_ansatz(3, 1)
        parameters = np.full((2, circuit.n_parameters), 0.7)
        first = backend.run(circuit, parameters, shots=200, seed=11)
        second = backend.run(circuit, parameters, shots=200, seed=11)
        other = backend.run(circuit, parameters, shots=200, seed=12)
        np.testing.assert_array_equal(first, second)
        assert not np.array_equal(first, other), "different seeds gave identical estimates"

    def test_samples_follow_the_born_rule(self, backend: QuantumBackend) -> None:
        """Sampled bitstrings (wire 0 first) occur with the probabilities |<b|psi>|^2.

        Troubleshooting: column q of a sample is the bit of wire q; Qiskit orders bits the other
        way round.
        """
        if not backend.capabilities.supports_samples:
            pytest.skip("backend declares supports_samples=False")
        ghz = corpus.ghz(3).circuit
        samples = backend.run_samples(ghz, shots=500, seed=SEED)
        assert samples.shape == (500, 3)
        assert set(map(tuple, samples.tolist())) <= {(0, 0, 0), (1, 1, 1)}
        circuit = Circuit(3, (Operation("ry", (0,), 0), Operation("x", (2,))), n_weights=1)
        samples = backend.run_samples(circuit, [2 * math.acos(math.sqrt(0.8))], shots=self.shots, seed=SEED)
        # wire 0 is 0 with probability 0.8, wire 1 always 0, wire 2 always 1
        assert np.all(samples[:, 1] == 0)
        assert np.all(samples[:, 2] == 1)
        frequency = float(np.mean(samples[:, 0] == 0))
        assert abs(frequency - 0.8) <= self.sigmas * math.sqrt(0.16 / self.shots)

    # ------------------------------------------------------------------ gradients

    @pytest.mark.parametrize("case_index", [0, 4, 8])
    def test_parameter_shift_gradients_match_finite_differences(
        self, backend: QuantumBackend, case_index: int
    ) -> None:
        """Parameter-shift gradients on the backend equal finite differences of the reference.

        Troubleshooting: the shifted circuits are a different Circuit object (one column per
        gate); a translation cache keyed on the circuit must not return a stale one.
        """
        case = list(corpus.entanglement_patterns(n=3, depth=1, rows=2, seed=case_index))[case_index]
        self._skip_unsupported(backend, case.circuit)
        shots = None if backend.capabilities.exact else self.shots
        jacobian = parameter_shift_jacobian(
            backend, case.circuit, case.parameters, case.observables, shots=shots, seed=SEED
        )
        expected = reference.finite_difference_jacobian(case.circuit, case.parameters, case.observables)
        if shots is None:
            np.testing.assert_allclose(jacobian, expected, atol=10 * self.exact_atol)
        else:
            # (f+ - f-) / 2 of two independent estimates: standard error <= sqrt(1 / (2 shots)).
            bound = self.sigmas * math.sqrt(1 / (2 * shots))
            assert np.abs(jacobian - expected).max() <= bound

    # ------------------------------------------------------------------ refusing bad requests

    def test_rejects_more_qubits_than_supported(self, backend: QuantumBackend) -> None:
        """A circuit wider than ``max_qubits`` raises QubitLimitError before any work.

        Troubleshooting: declare the real limit in ``capabilities.max_qubits``.
        """
        width = backend.capabilities.max_qubits + 1
        circuit = Circuit(width, (Operation("h", (width - 1,)),))
        with pytest.raises(QubitLimitError, match=str(backend.capabilities.max_qubits)):
            backend.run(circuit, shots=self._shots(backend))

    def test_rejects_unsupported_gates(self, backend: QuantumBackend) -> None:
        """A gate outside ``capabilities.gates`` raises UnsupportedGateError naming the gate.

        Troubleshooting: list exactly the gates your translation handles.
        """
        missing = sorted(ALL_GATES - backend.capabilities.gates)
        if not missing:
            pytest.skip("backend supports every gate of the circuit model")
        gate = missing[0]
        wires = tuple(range(GATE_ARITY[gate]))
        parameter = 0 if gate in PARAMETRIC_GATES else None
        circuit = Circuit(2, (Operation(gate, wires, parameter),), n_weights=int(parameter is not None))
        with pytest.raises(UnsupportedGateError, match=gate):
            backend.run(circuit, np.zeros(circuit.n_parameters), shots=self._shots(backend))

    def test_rejects_malformed_parameters(self, backend: QuantumBackend) -> None:
        """Wrong width -> ShapeError; NaN or inf -> NonFiniteError; both name 'parameters'.

        Troubleshooting: call ``run``, which validates, rather than ``execute``.
        """
        circuit = build_ansatz(2, 1)
        with pytest.raises(ShapeError, match="parameters"):
            backend.run(circuit, np.zeros((2, circuit.n_parameters + 1)), shots=self._shots(backend))
        bad = np.zeros((2, circuit.n_parameters))
        bad[1, 0] = np.nan
        with pytest.raises(NonFiniteError, match="parameters"):
            backend.run(circuit, bad, shots=self._shots(backend))
        bad[1, 0] = np.inf
        with pytest.raises(NonFiniteError, match="parameters"):
            backend.run(circuit, bad, shots=self._shots(backend))

    def test_rejects_bad_observables_and_shots(self, backend: QuantumBackend) -> None:
        """An observable outside the circuit, or shots <= 0, raise ArgumentError.

        Troubleshooting: these checks live in ``run``.
        """
        circuit = build_ansatz(2, 1)
        zeros = np.zeros(circuit.n_parameters)
        with pytest.raises(ArgumentError, match="observables"):
            backend.run(circuit, zeros, [PauliString.z(5)], shots=self._shots(backend))
        for shots in (0, -3):
            with pytest.raises(ArgumentError, match="shots"):
                backend.run(circuit, zeros, shots=shots)

    # ------------------------------------------------------------------ the contract itself

    def test_contract_tests_are_not_silently_overridden(self) -> None:
        """A subclass that replaces a contract test must mark it xfail with a reason.

        Troubleshooting: do not override ``test_*`` methods to make them pass; mark the override
        ``@pytest.mark.xfail(reason=...)`` and explain what the backend cannot do.
        """
        assert_no_silent_overrides(type(self), QuantumBackendContract)

    # ------------------------------------------------------------------ private

    def _shots(self, backend: QuantumBackend) -> int | None:
        return None if backend.capabilities.exact else self.shots

    @staticmethod
    def _require_shots(backend: QuantumBackend) -> None:
        if not backend.capabilities.supports_shots:
            pytest.skip("backend declares supports_shots=False")

    @staticmethod
    def _skip_unsupported(backend: QuantumBackend, circuit: Circuit) -> None:
        missing = circuit.gates - backend.capabilities.gates
        if missing:
            pytest.skip(f"backend does not support {sorted(missing)}")
        if circuit.n_qubits > backend.capabilities.max_qubits:
            pytest.skip(f"circuit needs {circuit.n_qubits} qubits")
