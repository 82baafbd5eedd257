"""Ids, namespaces and metadata survive the trip through what Pinecone accepts."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pinecone_support import StoreFactory

from q_store.errors import ArgumentError
from q_store_pinecone.encoding import (
    decode_metadata,
    decode_name,
    decode_namespace,
    encode_id,
    encode_metadata,
    encode_namespace,
)
from q_store_pinecone.testing import LoopbackPinecone
from q_store_pinecone.testing.semantics import normalize_metadata


@given(st.text(min_size=1, max_size=100))
def test_ids_round_trip_as_ascii(record_id: str) -> None:
    sent = encode_id(record_id)
    assert sent.isascii()
    assert "\x00" not in sent
    assert len(sent) <= 512
    assert decode_name(sent) == record_id


@given(st.text(max_size=100))
def test_namespaces_round_trip(namespace: str) -> None:
    sent = encode_namespace(namespace)
    assert sent.isascii()
    assert sent != "__default__"
    assert decode_namespace(sent or "__default__") == namespace


@given(st.lists(st.text(min_size=1, max_size=20), min_size=2, max_size=20, unique=True))
def test_distinct_ids_stay_distinct(ids: list[str]) -> None:
    assert len({encode_id(i) for i in ids}) == len(ids)


def test_plain_ids_are_sent_unchanged_and_marker_lookalikes_are_encoded() -> None:
    assert encode_id("doc-42") == "doc-42"
    lookalike = encode_id("qs64:abc")
    assert lookalike != "qs64:abc"
    assert decode_name(lookalike) == "qs64:abc"
    assert encode_namespace("__default__") != ""
    assert encode_namespace("") == ""


def test_encoded_names_longer_than_512_are_refused() -> None:
    with pytest.raises(ArgumentError):
        encode_id("é" * 400)
    with pytest.raises(ArgumentError) as raised:
        encode_namespace("é" * 400)
    assert raised.value.argument == "namespace"


def test_integers_come_back_as_integers_through_float_storage() -> None:
    metadata = {"count": 3, "big": 2**40, "ratio": 1.0, "ok": True, "tags": ["a"], "neg": -7}
    stored = normalize_metadata(encode_metadata(metadata), "test")  # what Pinecone keeps
    assert isinstance(stored["count"], float)
    decoded = decode_metadata(stored)
    assert decoded == metadata
    assert [type(decoded[k]) for k in metadata] == [int, int, float, bool, list, int]


def test_unicode_namespaces_and_the_default_alias_are_separate(
    server: LoopbackPinecone, make_pinecone_store: StoreFactory
) -> None:
    store = make_pinecone_store()
    store.upsert(["a"], np.ones((1, 4)), namespace="")
    store.upsert(["b"], np.ones((1, 4)), namespace="__default__")
    store.upsert(["c", "d"], np.ones((2, 4)), namespace="имя 🌍")
    assert store.stats().namespaces == {"": 1, "__default__": 1, "имя 🌍": 2}
    assert set(store.fetch(["a", "b"])) == {"a"}
    assert [m.id for m in store.query(np.ones(4), namespace="__default__")] == ["b"]
    store.delete(delete_all=True, namespace="имя 🌍")
    assert store.stats().namespaces == {"": 1, "__default__": 1}
