"""The API key never appears in a log line (DEBUG, every logger: the plugin's, pinecone's, httpx,
httpcore, urllib3), a repr, or an exception text, whatever happens: normal work, retries after
faults, a rejected key, a missing index."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterator

import numpy as np
import pytest
from pinecone_support import FAST

from q_store import DatabaseConfig, QuantumDatabase
from q_store.errors import ConfigError, QStoreError
from q_store_pinecone import PineconeStore
from q_store_pinecone.testing import FaultPlan, LoopbackPinecone

KEY = "pcsk_7Zq8xW3vK9mT2rY7uQ4e"
LOGGERS = ("", "q_store_pinecone", "pinecone", "httpx", "httpcore", "urllib3", "q_store_pinecone.testing")


@pytest.fixture
def secret_server() -> Iterator[LoopbackPinecone]:
    with LoopbackPinecone(api_key=KEY) as server:
        yield server


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> pytest.LogCaptureFixture:
    monkeypatch.setenv("PINECONE_DEBUG_CURL", "1")  # the client then logs every request as curl
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def assert_clean(*texts: str) -> None:
    for text in texts:
        assert KEY not in text
        assert KEY[-8:] not in text  # not even a recognisable part of it


def exception_texts(exc: BaseException) -> list[str]:
    return [str(exc), repr(exc), "".join(traceback.format_exception(exc))]


def test_no_key_in_logs_reprs_or_errors(
    secret_server: LoopbackPinecone, debug_logs: pytest.LogCaptureFixture
) -> None:
    store = PineconeStore(
        api_key=KEY,
        index_name="secrets",
        controller_host=secret_server.url,
        create=True,
        max_attempts=12,
        **FAST,
    )
    secret_server.set_faults(FaultPlan(rate=0.3, seed=2))
    store.upsert([f"s{i}" for i in range(300)], np.random.default_rng(0).normal(size=(300, 4)))
    store.query(np.ones(4), top_k=3, filter={"s": {"$ne": 1}})
    store.fetch(["s1", "s2"])
    store.count()
    secret_server.set_faults(FaultPlan(rate=1.0, kinds=("503",)))
    with pytest.raises(QStoreError) as exhausted:
        store.count()
    secret_server.set_faults(None)

    assert secret_server.faults is None
    assert any("retrying" in record.getMessage() for record in debug_logs.records)
    assert any(record.name.startswith(("httpx", "httpcore")) for record in debug_logs.records)
    assert any("curl" in record.getMessage() for record in debug_logs.records)  # headers logged, redacted
    assert_clean(repr(store), str(store), *exception_texts(exhausted.value))
    assert_clean(*(record.getMessage() for record in debug_logs.records), debug_logs.text)
    store.close()


def test_no_key_in_errors_for_a_rejected_key_or_a_missing_index(
    secret_server: LoopbackPinecone, debug_logs: pytest.LogCaptureFixture
) -> None:
    wrong_key = KEY[::-1]
    with pytest.raises(ConfigError) as rejected:
        PineconeStore(api_key=wrong_key, index_name="x", controller_host=secret_server.url, **FAST)
    assert rejected.value.argument == "pinecone_api_key"
    with pytest.raises(ConfigError) as missing:
        PineconeStore(api_key=KEY, index_name="missing", controller_host=secret_server.url, **FAST)
    for exc in (rejected.value, missing.value):
        assert_clean(*exception_texts(exc))
        assert wrong_key not in " ".join(exception_texts(exc))
    assert_clean(*(record.getMessage() for record in debug_logs.records))


def test_no_key_in_the_configuration_or_the_database(
    secret_server: LoopbackPinecone, debug_logs: pytest.LogCaptureFixture
) -> None:
    config = DatabaseConfig(
        pinecone_api_key=KEY,
        pinecone_index_name="db-secrets",
        enable_quantum=False,
        vector_store_options={"controller_host": secret_server.url, "create": True, **FAST},
    )
    with QuantumDatabase(config) as db:
        db.insert("a", np.ones(4), contexts=[("c", 1.0)])
        assert_clean(repr(config), str(config), repr(db.store), repr(db.stats()))
    assert_clean(*(record.getMessage() for record in debug_logs.records))


def test_a_key_passed_as_an_option_is_refused_without_echoing_it() -> None:
    with pytest.raises(ConfigError) as refused:
        PineconeStore.from_config(
            DatabaseConfig(vector_store="pinecone", vector_store_options={"api_key": KEY})
        )
    assert refused.value.argument == "vector_store_options['api_key']"
    assert_clean(*exception_texts(refused.value))
