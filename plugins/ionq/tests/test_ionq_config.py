"""Configuration: DatabaseConfig -> IonQBackend, the key's sources, options and their errors,
and the request economy of a layer (a batch and its parameter-shift rows: one job each)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch

from q_store import DatabaseConfig, QuantumLayer, build_ansatz, create_backend
from q_store.errors import ArgumentError, ConfigError
from q_store_ionq import IonQBackend
from q_store_ionq.options import DEFAULT_URL
from q_store_ionq.testing import LoopbackIonQServer

Make = Callable[..., IonQBackend]


def config(server: LoopbackIonQServer, **fields: Any) -> DatabaseConfig:
    options = {"url": server.url, **fields.pop("backend_options", {})}
    return DatabaseConfig(quantum_sdk="ionq", ionq_api_key=server.api_key, backend_options=options, **fields)


def test_the_seed_production_path_builds_the_backend_by_name(server: LoopbackIonQServer) -> None:
    backend = create_backend(config(server, ionq_target="qpu.aria-1", shots=200, seed=3))
    assert isinstance(backend, IonQBackend)
    assert backend.options.target == "qpu.aria-1"
    assert backend.capabilities.default_shots == 200
    assert backend.capabilities.max_qubits == 25
    assert not backend.capabilities.exact
    assert server.requests == []  # constructing touches no network


def test_the_key_comes_from_the_environment_when_not_configured(
    server: LoopbackIonQServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IONQ_API_KEY", server.api_key)
    backend = create_backend(DatabaseConfig(quantum_sdk="ionq"))  # URL from IONQ_API_URL too
    assert isinstance(backend, IonQBackend)
    assert backend.options.url == server.url
    assert backend.run(build_ansatz(2, 1), np.zeros((1, 6)), shots=10, seed=0).shape == (1, 2)


def test_a_missing_key_says_how_to_provide_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IONQ_API_KEY", raising=False)
    with pytest.raises(ConfigError, match=r"ionq_api_key: no IonQ API key.*IONQ_API_KEY") as info:
        create_backend(DatabaseConfig(quantum_sdk="ionq"))
    assert info.value.argument == "ionq_api_key"
    with pytest.raises(ConfigError, match="IONQ_API_KEY"):
        IonQBackend()


def test_the_default_url_is_ionq_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IONQ_API_URL", raising=False)
    monkeypatch.delenv("QISKIT_IONQ_API_URL", raising=False)
    assert IonQBackend(api_key="k").options.url == DEFAULT_URL == "https://api.ionq.co/v0.4"


@pytest.mark.parametrize(
    ("options", "argument", "fragment"),
    [
        ({"colour": "red"}, "backend_options", "unknown IonQ option"),
        ({"api_key": "x"}, "backend_options", "DatabaseConfig.ionq_api_key"),
        ({"noise_model": "loud"}, "noise_model", "ideal, harmony, aria-1"),
        ({"max_circuits_per_call": 0}, "max_circuits_per_call", "positive integer"),
        ({"job_timeout": -1}, "job_timeout", "positive number of seconds"),
        ({"url": "ftp://x"}, "url", "http"),
        ({"cancel_on_timeout": "yes"}, "cancel_on_timeout", "True or False"),
    ],
)
def test_bad_options_are_typed_errors_naming_the_option(
    server: LoopbackIonQServer, options: dict[str, Any], argument: str, fragment: str
) -> None:
    with pytest.raises(ArgumentError, match=fragment) as info:
        create_backend(config(server, backend_options=options))
    assert info.value.argument == argument


def test_targets_and_their_limits(server: LoopbackIonQServer) -> None:
    with pytest.raises(ArgumentError, match="'simulator' or a QPU name") as info:
        create_backend(config(server, ionq_target="aria-1"))
    assert info.value.argument == "ionq_target"
    with pytest.raises(ArgumentError, match="applies to target 'simulator' only"):
        create_backend(config(server, ionq_target="qpu.aria-1", backend_options={"noise_model": "aria-1"}))
    with pytest.raises(ArgumentError, match=r"max_qubits.*not in the plugin's table") as info:
        create_backend(config(server, ionq_target="qpu.tempo-9"))
    assert info.value.argument == "max_qubits"
    tempo = create_backend(config(server, ionq_target="qpu.tempo-9", backend_options={"max_qubits": 64}))
    assert tempo.capabilities.max_qubits == 64
    with pytest.raises(ArgumentError, match=r"conflicts with DatabaseConfig\.shots"):
        create_backend(config(server, shots=10, backend_options={"default_shots": 20}))


def test_the_configured_seed_makes_unseeded_calls_reproducible(
    server: LoopbackIonQServer, fast_options: dict[str, Any]
) -> None:
    circuit = build_ansatz(2, 1)
    rows = np.full((2, circuit.n_parameters), 0.4)

    def estimates(seed: int) -> np.ndarray:
        backend = create_backend(config(server, seed=seed, backend_options=fast_options))
        return backend.run(circuit, rows, shots=50)

    np.testing.assert_array_equal(estimates(5), estimates(5))
    assert not np.array_equal(estimates(5), estimates(6))


def test_noise_models_reach_the_simulator(server: LoopbackIonQServer, make_backend: Make) -> None:
    circuit = build_ansatz(2, 1)
    rows = np.zeros((1, circuit.n_parameters))  # |00> before noise: <Z0> = 1 exactly
    assert make_backend().run(circuit, rows, shots=4000, seed=1)[0, 0] == 1.0
    noisy = make_backend(noise_model="harmony").run(circuit, rows, shots=4000, seed=1)
    assert noisy[0, 0] < 1.0
    job = server.state.jobs[server.state.top_level[-1]]
    assert job.noise is not None
    assert job.noise["model"] == "harmony"


def test_a_layer_batch_and_its_parameter_shift_rows_cost_one_job_each(
    server: LoopbackIonQServer, fast_options: dict[str, Any]
) -> None:
    layer = QuantumLayer(
        n_qubits=3, depth=2, config=config(server, shots=500, seed=0, backend_options=fast_options)
    )
    assert layer.diff_method == "parameter-shift"
    outputs = layer(torch.rand(8, 3))
    assert server.jobs_created == 1
    assert server.count("POST") == 1
    outputs.sum().backward()  # 8 samples x 2 x 15 gates = 240 circuits, one job
    assert server.jobs_created == 2
    assert server.count("POST") == 2
    assert layer.weights.grad is not None
    assert torch.isfinite(layer.weights.grad).all()


def test_repr_names_target_and_url_only(server: LoopbackIonQServer, make_backend: Make) -> None:
    backend = make_backend()
    assert repr(backend) == (
        f"IonQBackend(target='simulator', url='{server.url}', noise_model='ideal', default_shots=1000)"
    )
