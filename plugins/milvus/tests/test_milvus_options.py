"""Option parsing (no server is contacted) and the typed error of an unreachable server."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

from q_store import ArgumentError, DatabaseConfig, VectorStoreError, create_vector_store
from q_store.config import Secret
from q_store_milvus import MilvusStore
from q_store_milvus.options import LOCAL_FLUSH_THRESHOLD, MilvusOptions

DEFAULTS: dict[str, Any] = {
    "uri": "./q.db",
    "token": None,
    "db_name": None,
    "collection": "q_store",
    "index": "FLAT",
    "index_params": None,
    "search_params": None,
    "consistency_level": "Strong",
    "timeout": 30.0,
    "flush_threshold": "auto",
    "batch_size": 2000,
}


def options(**changes: Any) -> MilvusOptions:
    return MilvusOptions.validate(**{**DEFAULTS, **changes})


def test_a_local_path_is_milvus_lite(tmp_path: Path) -> None:
    parsed = options(uri=str(tmp_path / "data.db"))
    assert parsed.local_path == tmp_path / "data.db"
    assert parsed.flush_threshold == LOCAL_FLUSH_THRESHOLD
    assert options(uri=tmp_path / "data.db").local_path == tmp_path / "data.db"  # os.PathLike


@pytest.mark.parametrize(
    ("uri", "normalised"),
    [
        ("http://localhost:19530", "http://localhost:19530"),
        ("HTTPS://milvus.example.com", "https://milvus.example.com"),
        ("tcp://10.0.0.7:19530/", "tcp://10.0.0.7:19530"),
        ("http://[::1]:19530", "http://[::1]:19530"),
    ],
)
def test_server_uris_are_recognised(uri: str, normalised: str) -> None:
    parsed = options(uri=uri, token="root:s3cr3t-pw", db_name="analytics")
    assert parsed.local_path is None
    assert parsed.uri == normalised
    assert parsed.flush_threshold is None  # servers seal segments themselves
    assert parsed.token == Secret("root:s3cr3t-pw")
    assert "s3cr3t" not in repr(parsed)


def test_the_server_token_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MILVUS_TOKEN", "from-env")
    assert options(uri="http://localhost:19530").token == Secret("from-env")


@pytest.mark.parametrize(
    ("changes", "argument"),
    [
        ({"uri": ""}, "uri"),
        ({"uri": 19530}, "uri"),
        ({"uri": "./data"}, "uri"),  # milvus-lite paths end in .db
        ({"uri": "/no/such/folder/data.db"}, "uri"),
        ({"uri": "ftp://host:19530"}, "uri"),
        ({"uri": "http://user:secret@host:19530"}, "uri"),  # credentials belong in 'token'
        ({"uri": "http://host:99999"}, "uri"),
        ({"uri": "http://host:19530/db?x=1"}, "uri"),
        ({"uri": "http://:19530"}, "uri"),
        ({"token": "t"}, "token"),  # milvus-lite has no users
        ({"uri": "http://h:1", "token": ""}, "token"),
        ({"uri": "http://h:1", "db_name": "no spaces"}, "db_name"),
        ({"collection": "1starts-with-digit"}, "collection"),
        ({"collection": "a" * 227}, "collection"),
        ({"collection": "x__ns_y"}, "collection"),
        ({"index": "DISKANN"}, "index"),
        ({"index_params": {"M": [16]}}, "index_params"),
        ({"search_params": "ef=64"}, "search_params"),
        ({"consistency_level": "Eventually"}, "consistency_level"),
        ({"timeout": 0}, "timeout"),
        ({"timeout": True}, "timeout"),
        ({"flush_threshold": 0}, "flush_threshold"),
        ({"batch_size": 2.5}, "batch_size"),
    ],
)
def test_bad_options_are_typed_errors_naming_the_option(changes: dict[str, Any], argument: str) -> None:
    with pytest.raises(ArgumentError) as info:
        options(**changes)
    assert info.value.argument == argument


def test_a_file_where_the_data_directory_should_be(tmp_path: Path) -> None:
    (tmp_path / "data.db").write_text("not a directory")
    with pytest.raises(ArgumentError, match="is a file"):
        options(uri=str(tmp_path / "data.db"))


def test_index_parameters_merge_over_the_defaults() -> None:
    parsed = options(index="hnsw", index_params={"M": 32}, search_params={"ef": 256})
    assert parsed.index == "HNSW"
    assert dict(parsed.index_params) == {"M": 32, "efConstruction": 200}
    assert dict(parsed.search_params) == {"ef": 256}
    assert not parsed.exact
    assert options().exact


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_unreachable_server_is_a_typed_error_without_the_token() -> None:
    uri = f"http://127.0.0.1:{_closed_port()}"
    with pytest.raises(VectorStoreError) as info:
        MilvusStore(uri=uri, token="root:hunter2", timeout=2)
    assert f"127.0.0.1:{uri.rsplit(':', 1)[1]}" in str(info.value)
    assert "hunter2" not in str(info.value)


def test_the_store_is_built_from_a_database_config(tmp_path: Path) -> None:
    config = DatabaseConfig(
        vector_store="milvus",
        metric="dot",
        vector_store_options={"uri": str(tmp_path / "cfg.db"), "collection": "docs"},
    )
    store = create_vector_store(config)
    try:
        assert isinstance(store, MilvusStore)
        assert (store.metric, store.options.collection) == ("dot", "docs")
    finally:
        store.close()


def test_unknown_options_are_refused(tmp_path: Path) -> None:
    config = DatabaseConfig(vector_store="milvus", vector_store_options={"url": str(tmp_path / "x.db")})
    with pytest.raises(ArgumentError, match="url") as info:
        create_vector_store(config)
    assert info.value.argument == "vector_store_options"
