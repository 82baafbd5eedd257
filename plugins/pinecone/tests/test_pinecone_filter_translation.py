"""The translation of the core's filters into Pinecone's language.

Exact documents for the cases where Pinecone's semantics differ from the core's, and a property
test: for many random filters, the translated filter evaluated with Pinecone's documented
semantics (the loopback server's evaluator, which never uses Q-Store's) selects exactly what
:func:`q_store.filters.matches` selects, and is a filter the service accepts."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from q_store.errors import FilterError
from q_store.filters import matches, parse_filter
from q_store_contract_tests.store_contract import filter_dataset, filter_documents
from q_store_pinecone.filters import to_pinecone_filter
from q_store_pinecone.testing.semantics import ApiProblemError, check_filter, evaluate, normalize_metadata

_, _, METADATA = filter_dataset(count=200, seed=3)
STORED = [normalize_metadata(meta, "test") for meta in METADATA]  # numbers as floats, as Pinecone keeps them


def translate(document: dict[str, Any]) -> dict[str, Any]:
    tree = parse_filter(document)
    assert tree is not None
    return to_pinecone_filter(tree)


@pytest.mark.parametrize(
    ("core", "pinecone"),
    [
        ({"genre": "drama"}, {"genre": {"$eq": "drama"}}),
        ({"year": {"$gte": 2005}}, {"year": {"$gte": 2005}}),
        ({"flag": {"$exists": False}}, {"flag": {"$exists": False}}),
        ({"genre": {"$ne": "drama"}}, {"$or": [{"genre": {"$exists": False}}, {"genre": {"$ne": "drama"}}]}),
        (
            {"mixed": {"$in": ["7", 7, True]}},
            {"$or": [{"mixed": {"$in": ["7"]}}, {"mixed": {"$in": [7]}}, {"mixed": {"$eq": True}}]},
        ),
        ({"genre": {"$in": ["a", "b"]}}, {"genre": {"$in": ["a", "b"]}}),
        (
            {"year": {"$nin": [2001, "x"]}},
            {
                "$or": [
                    {"year": {"$exists": False}},
                    {"$and": [{"year": {"$nin": ["x"]}}, {"year": {"$nin": [2001]}}]},
                ]
            },
        ),
        ({"flag": {"$nin": [False]}}, {"$or": [{"flag": {"$exists": False}}, {"flag": {"$ne": False}}]}),
        ({"a": 1, "b": 2}, {"$and": [{"a": {"$eq": 1}}, {"b": {"$eq": 2}}]}),
    ],
)
def test_documents(core: dict[str, Any], pinecone: dict[str, Any]) -> None:
    assert translate(core) == pinecone


def test_the_reserved_field_cannot_be_filtered() -> None:
    with pytest.raises(FilterError):
        translate({"__qs_int_fields__": {"$exists": True}})


@settings(max_examples=400, deadline=None)
@given(document=filter_documents())
def test_translated_filters_select_what_the_reference_selects(document: dict[str, Any]) -> None:
    tree = parse_filter(document)
    translated = to_pinecone_filter(tree)  # type: ignore[arg-type]
    check_filter(translated)  # the service would accept it
    for original, stored in zip(METADATA, STORED, strict=True):
        assert evaluate(translated, stored) == matches(tree, original), (document, original)


@given(
    st.sampled_from([{"f": {"$in": [True]}}, {"f": {"$nin": ["a", 1]}}, {"f": {"$gt": "a"}}, {"$not": {}}])
)
def test_the_server_refuses_what_pinecone_documents_as_invalid(document: dict[str, Any]) -> None:
    """So that a translation leaning on undocumented leniency would fail here first."""
    with pytest.raises(ApiProblemError):
        check_filter(document)
