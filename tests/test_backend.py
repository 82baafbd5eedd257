"""QuantumBackend.run: every request is validated before a plugin sees it, and every result is
checked before a caller sees it."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from numpy.typing import NDArray

from q_store import (
    ArgumentError,
    BackendCapabilities,
    BackendError,
    CapabilityError,
    Circuit,
    NonFiniteError,
    Operation,
    PauliString,
    QuantumBackend,
    QubitLimitError,
    ShapeError,
    UnsupportedGateError,
    build_ansatz,
)


class Recorder(QuantumBackend):
    """Returns a fixed answer and records what execute() received."""

    name = "recorder"
    capabilities = BackendCapabilities(max_qubits=3, gates=frozenset({"h", "rx", "cnot"}))

    def __init__(self, answer: object = None) -> None:
        self.received: list[dict[str, object]] = []
        self.answer = answer

    def execute(
        self,
        circuit: Circuit,
        parameters: NDArray[np.float64],
        observables: Sequence[PauliString],
        *,
        shots: int | None,
        seed: int | None,
    ) -> NDArray[np.float64]:
        self.received.append(
            {"parameters": parameters, "observables": observables, "shots": shots, "seed": seed}
        )
        if self.answer is not None:
            return np.asarray(self.answer)
        return np.zeros((parameters.shape[0], len(observables)))


CIRCUIT = Circuit(2, [Operation("h", (0,)), Operation("rx", (1,), 0), Operation("cnot", (0, 1))], n_weights=1)


def test_valid_requests_reach_execute_in_canonical_form() -> None:
    backend = Recorder()
    values = backend.run(CIRCUIT, [0.5], seed=3)
    assert values.shape == (2,)  # one row in, one row out
    [call] = backend.received
    parameters = call["parameters"]
    assert isinstance(parameters, np.ndarray)
    assert parameters.dtype == np.float64
    assert parameters.shape == (1, 1)
    assert call["observables"] == (PauliString.z(0), PauliString.z(1))
    assert (call["shots"], call["seed"]) == (None, 3)


@pytest.mark.parametrize(
    ("circuit", "parameters", "kwargs", "error", "match"),
    [
        (Circuit(4, [Operation("h", (3,))]), None, {}, QubitLimitError, "at most 3 qubits"),
        (Circuit(1, [Operation("ry", (0,), 0)], n_weights=1), [0.1], {}, UnsupportedGateError, "ry"),
        (CIRCUIT, [[0.1, 0.2]], {}, ShapeError, "parameters"),
        (CIRCUIT, np.zeros((2, 2, 1)), {}, ShapeError, "parameters"),
        (CIRCUIT, [[np.nan]], {}, NonFiniteError, "parameters"),
        (CIRCUIT, [["a"]], {}, ArgumentError, "parameters"),
        (CIRCUIT, None, {}, ArgumentError, "parameter columns"),
        (CIRCUIT, [0.1], {"observables": [PauliString.z(2)]}, ArgumentError, "observables"),
        (CIRCUIT, [0.1], {"observables": ["Z0"]}, ArgumentError, "observables"),
        (CIRCUIT, [0.1], {"shots": 0}, ArgumentError, "shots"),
        (CIRCUIT, [0.1], {"seed": -2}, ArgumentError, "seed"),
        ("not a circuit", None, {}, ArgumentError, "circuit"),
    ],
)
def test_invalid_requests_never_reach_execute(
    circuit: object, parameters: object, kwargs: dict[str, object], error: type[Exception], match: str
) -> None:
    backend = Recorder()
    with pytest.raises(error, match=match):
        backend.run(circuit, parameters, **kwargs)  # type: ignore[arg-type]
    assert backend.received == []


@pytest.mark.parametrize(
    "answer",
    [np.zeros((1, 3)), np.full((1, 2), np.nan), [[0.0, np.inf]]],
)
def test_malformed_results_are_backend_errors(answer: object) -> None:
    with pytest.raises(BackendError, match="recorder"):
        Recorder(answer).run(CIRCUIT, [[0.1]])


def test_shots_follow_the_capabilities() -> None:
    class ExactOnly(Recorder):
        capabilities = BackendCapabilities(max_qubits=3, supports_shots=False)

    class SamplingOnly(Recorder):
        capabilities = BackendCapabilities(max_qubits=3, exact=False, default_shots=100)

    with pytest.raises(CapabilityError, match="shots"):
        ExactOnly().run(CIRCUIT, [0.1], shots=10)
    sampler = SamplingOnly()
    sampler.run(CIRCUIT, [0.1])
    sampler.run(CIRCUIT, [0.1], shots=7)
    assert [call["shots"] for call in sampler.received] == [100, 7]


def test_samples_need_the_capability() -> None:
    with pytest.raises(CapabilityError, match="samples"):
        Recorder().run_samples(CIRCUIT, [0.1], shots=10)


def test_native_differentiation_is_optional() -> None:
    backend = Recorder()
    assert backend.preferred_diff_method(build_ansatz(2, 1), shots=None) == "parameter-shift"
    with pytest.raises(CapabilityError, match="torch-native"):
        backend.execute_torch(CIRCUIT, None, None, (), diff_method="backprop")  # type: ignore[arg-type]


def test_backends_are_context_managers() -> None:
    closed = []

    class Closing(Recorder):
        def close(self) -> None:
            closed.append(True)

    with Closing() as backend:
        backend.run(CIRCUIT, [0.2])
    assert closed == [True]
