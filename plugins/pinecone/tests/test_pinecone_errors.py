"""Typed errors that name the argument at fault: keys, index names, dimensions, metrics, options."""

from __future__ import annotations

import numpy as np
import pytest
from pinecone_support import FAST, StoreFactory

from q_store import DatabaseConfig
from q_store.errors import ArgumentError, ConfigError, DimensionMismatchError, VectorStoreError
from q_store_pinecone import PineconeStore
from q_store_pinecone.testing import LoopbackPinecone


def connect(server: LoopbackPinecone, **arguments: object) -> PineconeStore:
    return PineconeStore(**{"api_key": server.api_key, "controller_host": server.url, **FAST, **arguments})  # type: ignore[arg-type]


def test_a_rejected_key_is_a_config_error(server: LoopbackPinecone) -> None:
    server.create_index("keyed", 4)
    with pytest.raises(ConfigError, match="refused the API key") as raised:
        connect(server, api_key="not-the-key", index_name="keyed")
    assert raised.value.argument == "pinecone_api_key"
    with pytest.raises(ConfigError, match="refused the API key"):
        PineconeStore(api_key="not-the-key", host=server.index("keyed").host, **FAST)


def test_a_missing_index_is_a_config_error_naming_it(server: LoopbackPinecone) -> None:
    with pytest.raises(ConfigError, match="'no-such-index'") as raised:
        connect(server, index_name="no-such-index")
    assert raised.value.argument == "pinecone_index_name"
    assert "'create': True" in str(raised.value)


def test_a_missing_key_says_how_to_provide_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PINECONE_API_KEY", raising=False)
    with pytest.raises(ConfigError, match="PINECONE_API_KEY") as raised:
        PineconeStore.from_config(DatabaseConfig(vector_store="pinecone"))
    assert raised.value.argument == "pinecone_api_key"
    with pytest.raises(ConfigError, match="pinecone_api_key"):
        PineconeStore(index_name="x")


def test_the_key_comes_from_the_environment_when_not_configured(
    server: LoopbackPinecone, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.create_index("from-env", 4)
    monkeypatch.setenv("PINECONE_API_KEY", server.api_key)
    config = DatabaseConfig(
        vector_store="pinecone",
        pinecone_index_name="from-env",
        vector_store_options={"controller_host": server.url},
    )
    with PineconeStore.from_config(config) as store:
        assert store.dimension == 4


def test_a_key_that_is_not_a_header_value_is_refused_locally() -> None:
    with pytest.raises(ConfigError, match="strip the key") as raised:
        PineconeStore(api_key="abc\n", index_name="x", controller_host="http://127.0.0.1:9")
    assert raised.value.argument == "pinecone_api_key"


def test_dimension_mismatch_with_the_index(server: LoopbackPinecone) -> None:
    server.create_index("sixteen", 16)
    with pytest.raises(DimensionMismatchError, match="16-dimensional") as raised:
        connect(server, index_name="sixteen", dimension=8)
    assert raised.value.argument == "dimension"
    store = connect(server, index_name="sixteen")
    assert store.dimension == 16
    with pytest.raises(DimensionMismatchError):
        store.upsert(["a"], np.ones((1, 8)))
    with pytest.raises(DimensionMismatchError):
        store.query(np.ones(8))
    assert server.requests_to("sixteen", "/vectors/upsert") == []
    assert server.requests_to("sixteen", "/query") == []


def test_metric_mismatch_with_the_index(server: LoopbackPinecone) -> None:
    server.create_index("by-dot", 4, "dotproduct")
    with pytest.raises(ConfigError, match="'dotproduct'") as raised:
        connect(server, index_name="by-dot", metric="cosine")
    assert raised.value.argument == "metric"
    assert connect(server, index_name="by-dot", metric="dot").metric == "dot"


def test_a_deleted_index_is_a_vector_store_error_naming_it(
    server: LoopbackPinecone, make_pinecone_store: StoreFactory
) -> None:
    store = make_pinecone_store(max_attempts=2)
    store.upsert(["a"], np.ones((1, 4)))
    server.delete_index(store.index_name)
    with pytest.raises(VectorStoreError, match=store.index_name):
        store.query(np.ones(4))


@pytest.mark.parametrize(
    ("options", "argument"),
    [
        ({"max_attempts": 0}, "max_attempts"),
        ({"max_attempts": True}, "max_attempts"),
        ({"timeout": -1}, "timeout"),
        ({"timeout": float("nan")}, "timeout"),
        ({"max_batch_vectors": 1001}, "max_batch_vectors"),
        ({"max_request_bytes": 3_000_000}, "max_request_bytes"),
        ({"create": "yes"}, "create"),
        ({"host": "not a url"}, "host"),
        ({"initial_backoff": 2.0, "max_backoff": 1.0}, "max_backoff"),
        ({"host": "https://x.pinecone.io", "create": True}, "create"),
        ({"replicas": 2}, "replicas"),
    ],
)
def test_bad_options_name_the_option(options: dict[str, object], argument: str) -> None:
    config = DatabaseConfig(pinecone_api_key="k", vector_store_options=options)
    with pytest.raises(ConfigError) as raised:
        PineconeStore.from_config(config)
    assert raised.value.argument == f"vector_store_options[{argument!r}]"
    with pytest.raises(ConfigError) as direct:
        PineconeStore(api_key="k", **options)  # type: ignore[arg-type]
    assert direct.value.argument == argument


@pytest.mark.parametrize("option", ["api_key", "index_name"])
def test_key_and_index_name_are_not_options(option: str) -> None:
    config = DatabaseConfig(pinecone_api_key="k", vector_store_options={option: "x"})
    with pytest.raises(ConfigError, match="DatabaseConfig") as raised:
        PineconeStore.from_config(config)
    assert raised.value.argument == f"vector_store_options[{option!r}]"


@pytest.mark.parametrize("name", ["", "UPPER", "-dash", "a" * 46, "under_score"])
def test_index_names_follow_pinecone_rules(name: str) -> None:
    with pytest.raises(ConfigError) as raised:
        PineconeStore(api_key="k", index_name=name, controller_host="http://127.0.0.1:9")
    assert raised.value.argument == "pinecone_index_name"


def test_ids_too_long_once_encoded_are_refused_before_writing(make_pinecone_store: StoreFactory) -> None:
    store = make_pinecone_store()
    store.upsert(["keep"], np.ones((1, 4)))
    with pytest.raises(ArgumentError, match="512") as raised:
        store.upsert(["ok", "ж" * 300], np.ones((2, 4)))
    assert raised.value.argument == "ids"
    assert store.count() == 1
    assert store.fetch(["ж" * 300]) == {}


def test_the_reserved_metadata_field_is_refused(make_pinecone_store: StoreFactory) -> None:
    store = make_pinecone_store()
    with pytest.raises(ArgumentError, match="reserved"):
        store.upsert(["a"], np.ones((1, 4)), [{"__qs_int_fields__": ["x"]}])


def test_deleting_from_an_empty_namespace_is_a_no_op(make_pinecone_store: StoreFactory) -> None:
    store = make_pinecone_store()
    store.upsert(["a"], np.ones((1, 4)))
    store.delete(delete_all=True, namespace="never-used")
    store.delete(["a"], namespace="never-used")
    store.delete(filter={"x": 1}, namespace="never-used")
    assert store.count() == 1
