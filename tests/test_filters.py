"""The filter language: parsing, errors that point at the offending part, reference semantics."""

from __future__ import annotations

from typing import Any

import pytest

from q_store import FilterError
from q_store.filters import And, Comparison, Or, matches, parse_filter, to_pinecone


def test_shorthands_and_implicit_and() -> None:
    parsed = parse_filter({"genre": "drama", "year": {"$gte": 2000, "$lt": 2010}})
    assert parsed == And(
        (
            Comparison("genre", "$eq", "drama"),
            Comparison("year", "$gte", 2000),
            Comparison("year", "$lt", 2010),
        )
    )
    assert parse_filter({"$or": [{"a": 1}, {"b": {"$in": ["x"]}}]}) == Or(
        (Comparison("a", "$eq", 1), Comparison("b", "$in", ("x",)))
    )
    assert parse_filter(None) is None


@pytest.mark.parametrize(
    ("document", "where"),
    [
        ({"year": {"$regex": "x"}}, "filter['year']['$regex']"),
        ({"year": {"$gt": "2000"}}, "filter['year']['$gt']"),
        ({"year": {"$gt": float("inf")}}, "filter['year']['$gt']"),
        ({"tags": {"$in": []}}, "filter['tags']['$in']"),
        ({"tags": {"$in": "abc"}}, "filter['tags']['$in']"),
        ({"$or": []}, "filter['$or']"),
        ({"$and": [{"a": 1}, {"b": {"$exists": "yes"}}]}, "filter['$and'][1]['b']['$exists']"),
        ({"$not": {"a": 1}}, "filter['$not']"),
        ({"a": {"nested": 1}}, "filter['a']['nested']"),
        ({"a": [1, 2]}, "filter['a']"),
        ({}, "filter"),
        ([("a", 1)], "filter"),
    ],
)
def test_errors_point_at_the_offending_part(document: Any, where: str) -> None:
    with pytest.raises(FilterError) as info:
        parse_filter(document)
    assert info.value.argument == where


@pytest.mark.parametrize(
    ("document", "metadata", "expected"),
    [
        ({"g": "drama"}, {"g": "drama"}, True),
        ({"g": "drama"}, {"g": ["comedy", "drama"]}, True),  # list fields: membership
        ({"g": "drama"}, {}, False),
        ({"g": {"$ne": "drama"}}, {}, True),  # a missing field is not equal
        ({"g": {"$nin": ["a", "b"]}}, {"g": ["c", "a"]}, False),
        ({"n": 1}, {"n": 1.0}, True),
        ({"n": 1}, {"n": True}, False),  # booleans are not numbers
        ({"b": True}, {"b": 1}, False),
        ({"n": "7"}, {"n": 7}, False),
        ({"n": {"$gt": 5}}, {"n": "9"}, False),  # ordering only between numbers
        ({"n": {"$gt": 5}}, {"n": 9}, True),
        ({"n": {"$lte": 5}}, {"n": True}, False),
        ({"n": {"$exists": False}}, {"m": 1}, True),
        ({"$or": [{"a": 1}, {"b": 2}]}, {"b": 2}, True),
        ({"$and": [{"a": 1}, {"b": 2}]}, {"b": 2}, False),
    ],
)
def test_reference_semantics(document: dict[str, Any], metadata: dict[str, Any], expected: bool) -> None:
    assert matches(parse_filter(document), metadata) is expected


def test_pinecone_documents_use_explicit_operators() -> None:
    parsed = parse_filter({"g": "x", "$or": [{"n": {"$in": [1, 2]}}]})
    assert parsed is not None
    assert to_pinecone(parsed) == {"$and": [{"g": {"$eq": "x"}}, {"$or": [{"n": {"$in": [1, 2]}}]}]}
    # And the document parses back to the same tree.
    assert parse_filter(to_pinecone(parsed)) == parse_filter(
        {"$and": [{"g": "x"}, {"$or": [{"n": {"$in": [1, 2]}}]}]}
    )
