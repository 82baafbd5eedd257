"""DatabaseConfig: the seed's fields, validation that names the field, secrets never shown."""

from __future__ import annotations

import logging
import pickle

import attrs
import pytest

from q_store import ConfigError, DatabaseConfig, QStoreError, Secret


def test_defaults_need_no_keys_and_select_the_local_simulator() -> None:
    config = DatabaseConfig(quantum_sdk="mock")
    assert config.quantum_sdk == "mock"
    assert config.ionq_api_key is None
    assert config.pinecone_api_key is None
    assert config.resolved_vector_store == "memory"
    assert DatabaseConfig() == config


def test_seed_fields_are_accepted() -> None:
    config = DatabaseConfig(enable_quantum=True, enable_superposition=True, pinecone_api_key="pc-secret-1")
    assert config.enable_quantum is True
    assert config.enable_superposition is True
    # As in the seed document: a Pinecone key alone selects Pinecone.
    assert config.resolved_vector_store == "pinecone"
    ionq = DatabaseConfig(quantum_sdk="ionq", ionq_api_key="ionq-secret-2")
    assert ionq.ionq_key() == Secret("ionq-secret-2")


def test_explicit_vector_store_wins_over_the_key_rule() -> None:
    config = DatabaseConfig(pinecone_api_key="k", vector_store="milvus")
    assert config.resolved_vector_store == "milvus"


def test_plugin_names_are_normalised() -> None:
    assert DatabaseConfig(quantum_sdk=" Qiskit ").quantum_sdk == "qiskit"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("quantum_sdk", ""),
        ("quantum_sdk", "no spaces allowed"),
        ("quantum_sdk", 3),
        ("vector_store", "Bad Name!"),
        ("enable_quantum", "yes"),
        ("enable_superposition", 1),
        ("shots", 0),
        ("shots", -5),
        ("shots", 2.5),
        ("shots", True),
        ("seed", -1),
        ("seed", 1.5),
        ("metric", "manhattan"),
        ("default_coherence_time", 0),
        ("default_coherence_time", -3.0),
        ("default_coherence_time", float("nan")),
        ("ionq_target", ""),
        ("pinecone_index_name", "  "),
        ("backend_options", ["not", "a", "mapping"]),
        ("vector_store_options", 5),
        ("ionq_api_key", 12345),
    ],
)
def test_invalid_values_raise_config_error_naming_the_field(field: str, value: object) -> None:
    with pytest.raises(ConfigError) as info:
        DatabaseConfig(**{field: value})
    assert isinstance(info.value, QStoreError)
    assert isinstance(info.value, ValueError)
    assert info.value.argument == field
    assert str(info.value).startswith(f"{field}: ")


def test_unknown_field_is_a_type_error_naming_it() -> None:
    with pytest.raises(TypeError, match="ionq_key_typo"):
        DatabaseConfig(ionq_key_typo="x")  # type: ignore[call-arg]


def test_config_is_immutable_and_evolve_validates() -> None:
    config = DatabaseConfig(shots=100)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        config.shots = 5  # type: ignore[misc]
    assert config.evolve(shots=200).shots == 200
    with pytest.raises(ConfigError, match="shots"):
        config.evolve(shots=0)


def test_backend_options_are_frozen_copies() -> None:
    options = {"precision": "double"}
    config = DatabaseConfig(backend_options=options)
    options["precision"] = "single"
    assert config.backend_options["precision"] == "double"
    with pytest.raises(TypeError):
        config.backend_options["x"] = 1  # type: ignore[index]


SECRET = "sk-live-0123456789abcdef"


def test_secrets_never_appear_in_repr_str_errors_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    config = DatabaseConfig(ionq_api_key=SECRET, pinecone_api_key=SECRET + "-pc")
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("q_store").debug("config: %r / %s", config, config)
        with pytest.raises(ConfigError) as info:
            DatabaseConfig(ionq_api_key=SECRET, shots=0)
    texts = [repr(config), str(config), str(info.value), repr(info.value), caplog.text]
    for text in texts:
        assert SECRET not in text
    assert "Secret('********')" in repr(config)
    assert config.ionq_api_key is not None
    assert config.ionq_api_key.reveal() == SECRET


def test_config_pickles_and_deep_copies() -> None:
    import copy

    config = DatabaseConfig(backend_options={"precision": "double"}, ionq_api_key="k", shots=10)
    assert pickle.loads(pickle.dumps(config)) == config
    assert copy.deepcopy(config) == config


def test_secret_looking_plugin_options_are_not_printed() -> None:
    config = DatabaseConfig(
        vector_store_options={"uri": "http://db:19530", "token": "root:Milvus", "api_key": "k1"}
    )
    text = repr(config)
    assert "root:Milvus" not in text
    assert "k1" not in text
    assert "http://db:19530" in text
    assert config.vector_store_options["token"] == "root:Milvus"  # the value itself is intact


def test_secret_equality_and_pickling() -> None:
    assert Secret("a") == Secret("a")
    assert Secret("a") != Secret("b")
    assert pickle.loads(pickle.dumps(Secret("a"))).reveal() == "a"
    with pytest.raises(ConfigError):
        Secret("")


def test_empty_key_means_not_given() -> None:
    # An unset template variable such as PINECONE_KEY="" must not select Pinecone.
    assert DatabaseConfig(pinecone_api_key="").resolved_vector_store == "memory"


def test_keys_fall_back_to_the_environment_without_changing_the_store(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("IONQ_API_KEY", "from-env-ionq")
    monkeypatch.setenv("PINECONE_API_KEY", "from-env-pinecone")
    config = DatabaseConfig()
    ionq_key, pinecone_key = config.ionq_key(), config.pinecone_key()
    assert ionq_key is not None
    assert ionq_key.reveal() == "from-env-ionq"
    assert pinecone_key is not None
    assert pinecone_key.reveal() == "from-env-pinecone"
    # A key in the environment is used when needed, but does not switch the store by itself.
    assert config.resolved_vector_store == "memory"
    explicit = DatabaseConfig(ionq_api_key="explicit")
    assert explicit.ionq_key() == Secret("explicit")
    monkeypatch.delenv("IONQ_API_KEY")
    assert DatabaseConfig().ionq_key() is None
