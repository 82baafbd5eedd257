"""A batch is ONE primitive call with a parameter-value array; translations are cached."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from qiskit_aer import AerError
from qiskit_aer.primitives import EstimatorV2, SamplerV2

import q_store_qiskit.backend as backend_module
from q_store import BackendError, Circuit, Operation, PauliString, build_ansatz, parameter_shift_jacobian
from q_store_contract_tests import corpus, reference
from q_store_qiskit import QiskitBackend
from q_store_qiskit.translate import translate_circuit


class Recorder:
    """Wraps a primitive's ``run`` and records the PUBs of each call."""

    def __init__(self) -> None:
        self.calls: list[list[Any]] = []

    def wrap(self, run: Any) -> Any:
        def recorded(primitive: Any, pubs: Any, **kwargs: Any) -> Any:
            pubs = list(pubs)
            self.calls.append(pubs)
            return run(primitive, pubs, **kwargs)

        return recorded


@pytest.fixture
def estimator_calls(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    recorder = Recorder()
    monkeypatch.setattr(EstimatorV2, "run", recorder.wrap(EstimatorV2.run))
    return recorder


@pytest.fixture
def sampler_calls(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    recorder = Recorder()
    monkeypatch.setattr(SamplerV2, "run", recorder.wrap(SamplerV2.run))
    return recorder


def test_a_parameter_shift_batch_is_one_estimator_call(
    estimator_calls: Recorder, rng: np.random.Generator
) -> None:
    circuit = build_ansatz(4, 2)
    parameters = rng.uniform(-3, 3, size=(8, circuit.n_parameters))
    observables = tuple(PauliString.z(q) for q in range(4))
    jacobian = parameter_shift_jacobian(QiskitBackend(), circuit, parameters, observables)
    [pubs] = estimator_calls.calls
    [(_, _, bindings)] = pubs
    # 8 rows x 2 shifts x 20 rotation gates, bound as one (rows, 1) array against (1, 4) observables
    assert bindings.shape == (8 * 2 * 20, 1)
    expected = reference.finite_difference_jacobian(circuit, parameters[:2], observables)
    np.testing.assert_allclose(jacobian[:2], expected, atol=1e-8)


def test_shots_are_one_sampler_call_with_one_pub_per_measurement_setting(sampler_calls: Recorder) -> None:
    circuit = build_ansatz(3, 1)
    observables = (
        PauliString.z(0),
        PauliString.from_label("ZZI"),  # shares the Z setting
        PauliString.from_label("XIZ"),
        PauliString.x(0),  # shares the X0 setting
        PauliString.from_label("YII"),
    )
    QiskitBackend().run(circuit, np.zeros((5, circuit.n_parameters)), observables, shots=10, seed=1)
    [pubs] = sampler_calls.calls
    assert len(pubs) == 3
    assert all(bindings.shape == (5,) and shots == 10 for _, bindings, shots in pubs)


def test_translations_are_cached_by_circuit_and_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[Circuit] = []

    def counting(circuit: Circuit) -> Any:
        built.append(circuit)
        return translate_circuit(circuit)

    monkeypatch.setattr(backend_module, "translate_circuit", counting)
    backend = QiskitBackend()
    circuit = build_ansatz(2, 1)
    rows = np.zeros((2, circuit.n_parameters))
    backend.run(circuit, rows)
    backend.run(build_ansatz(2, 1), rows)  # equal circuits hit the same entry
    backend.run(circuit, rows, shots=5, seed=0)
    assert built == [circuit]
    for k in range(70):
        backend.run(Circuit(1, [Operation("rx", (0,), 0)] * (k + 1), n_weights=1), [0.1])
    assert len(backend._translations) == 64


def test_parameter_free_circuits_with_many_rows() -> None:
    case = corpus.bell()
    backend = QiskitBackend()
    values = backend.run(case.circuit, np.zeros((4, 0)), case.observables)
    assert case.expected is not None
    np.testing.assert_allclose(values, np.repeat(case.expected, 4, axis=0), atol=1e-12)


def test_no_observables_gives_an_empty_result() -> None:
    circuit = build_ansatz(2, 1)
    assert QiskitBackend().run(circuit, np.zeros((3, circuit.n_parameters)), ()).shape == (3, 0)


def test_aer_failures_become_backend_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(self: EstimatorV2, pubs: Any, **kwargs: Any) -> Any:
        raise AerError("out of memory")

    monkeypatch.setattr(EstimatorV2, "run", failing)
    circuit = build_ansatz(2, 1)
    with pytest.raises(BackendError, match=r"'qiskit' \(Aer method 'statevector'.*out of memory"):
        QiskitBackend().run(circuit, np.zeros(circuit.n_parameters))
