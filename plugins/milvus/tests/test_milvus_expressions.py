"""Expressions built by the store, checked with milvus-lite's own parser as an independent judge:
hostile strings stay inside their literals, and filters become only the intended shapes."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from milvus_lite.search.filter import parse_expr
from milvus_lite.search.filter.ast import (
    And,
    CmpOp,
    FieldRef,
    FloatLit,
    InOp,
    LikeOp,
    MetaAccess,
    Not,
    Or,
    StringLit,
)

from q_store.filters import parse_filter
from q_store_contract_tests.store_contract import filter_documents
from q_store_milvus.expressions import everything, ids_expression, quote, translate
from q_store_milvus.terms import canonical_number, equality_term, numeric_key, presence_term, record_terms

HOSTILE = [
    'x" or pk != "',
    "x' or pk != '",
    'a\\" or true or \\"',
    "a\\",
    "]) or (pk in [",
    "line\nbreak\rreturn\ttab",
    "%|_%",
    '" || 1 == 1 || "',
    "ключ-🔑",
]
TERM_PATTERN = re.compile(r"^%\|[0-9a-f]{24}\|%$")


@pytest.mark.parametrize("text", HOSTILE)
def test_quote_keeps_hostile_text_inside_one_literal(text: str) -> None:
    tree = parse_expr(f"pk == {quote(text)}")
    assert tree == CmpOp("==", FieldRef("pk", 0), StringLit(text, 6), 3)


@settings(max_examples=300, deadline=None)
@given(ids=st.lists(st.text(min_size=1, max_size=40), min_size=1, max_size=5))
def test_id_lists_parse_back_to_exactly_the_ids(ids: list[str]) -> None:
    tree = parse_expr(ids_expression(ids))
    assert isinstance(tree, InOp)
    assert tree.field.name == "pk"
    assert not tree.negate
    assert [element.value for element in tree.values.elements] == ids
    assert all(isinstance(element, StringLit) for element in tree.values.elements)


def test_everything_is_a_comparison_true_for_every_id() -> None:
    assert parse_expr(everything()) == CmpOp("!=", FieldRef("pk", 0), StringLit("", 6), 3)


def _shapes(node: object) -> None:
    """Assert that ``node`` is built only from term tests and numeric range comparisons."""
    if isinstance(node, (And, Or)):
        for operand in node.operands:
            _shapes(operand)
    elif isinstance(node, Not):
        assert isinstance(node.operand, (LikeOp, Or)), "only term tests are negated (never NULL)"
        _shapes(node.operand)
    elif isinstance(node, LikeOp):
        assert node.value == FieldRef("terms", node.value.pos)
        assert TERM_PATTERN.match(node.pattern.value)
    else:
        assert isinstance(node, CmpOp)
        assert node.op in ("<", "<=", ">", ">=")
        assert isinstance(node.left, MetaAccess)
        assert re.fullmatch(r"n_[0-9a-f]{24}", node.left.key)
        assert isinstance(node.right, FloatLit)


@settings(max_examples=300, deadline=None)
@given(document=filter_documents())
def test_every_filter_becomes_term_tests_and_float_ranges(document: dict[str, object]) -> None:
    _shapes(parse_expr(translate(parse_filter(document))))  # type: ignore[arg-type]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_values_and_field_names_never_reach_the_expression(text: str) -> None:
    for document in (
        {text: text},
        {text: {"$ne": text}},
        {"genre": {"$in": [text, "drama"]}},
        {text: {"$gt": 3}},
        {"$or": [{text: {"$exists": False}}, {"x": {"$nin": [text]}}]},
    ):
        expression = translate(parse_filter(document))  # type: ignore[arg-type]
        assert text not in expression
        _shapes(parse_expr(expression))


def test_translation_of_each_operator() -> None:
    def has(term: str) -> str:
        return f'terms like "%|{term}|%"'

    eq = has(equality_term("genre", "drama"))
    assert translate(parse_filter({"genre": "drama"})) == eq  # type: ignore[arg-type]
    assert translate(parse_filter({"genre": {"$ne": "drama"}})) == f"not ({eq})"  # type: ignore[arg-type]
    both = f"({eq}) or ({has(equality_term('genre', 'comedy'))})"
    assert translate(parse_filter({"genre": {"$in": ["drama", "comedy", "drama"]}})) == both  # type: ignore[arg-type]
    assert translate(parse_filter({"genre": {"$nin": ["drama", "comedy"]}})) == f"not ({both})"  # type: ignore[arg-type]
    assert translate(parse_filter({"genre": {"$exists": True}})) == has(presence_term("genre"))  # type: ignore[arg-type]
    key = numeric_key("year")
    assert translate(parse_filter({"year": {"$gte": 2005}})) == f'$meta["{key}"] >= 2005.0'  # type: ignore[arg-type]
    assert translate(parse_filter({"year": {"$lt": -0.5}})) == f'$meta["{key}"] < -0.5'  # type: ignore[arg-type]
    assert translate(parse_filter({"year": {"$gt": 1e20}})) == f'$meta["{key}"] > 1e+20'  # type: ignore[arg-type]
    combined = translate(parse_filter({"$and": [{"a": 1}, {"$or": [{"b": True}, {"c": "x"}]}]}))  # type: ignore[arg-type]
    assert combined.count(" and ") == 1
    assert combined.count(" or ") == 1


def test_terms_follow_the_core_equality_rules() -> None:
    assert equality_term("f", 1) == equality_term("f", 1.0)  # 1 == 1.0
    assert equality_term("f", 0.0) == equality_term("f", -0.0)
    assert equality_term("f", True) != equality_term("f", 1)  # booleans are not numbers
    assert equality_term("f", "7") != equality_term("f", 7)  # strings that look like numbers
    assert equality_term("a=b", "c") != equality_term("a", "b=c")  # no ambiguous concatenation
    assert canonical_number(2**60) == repr(float(2**60))


def test_record_terms_cover_presence_values_list_items_and_numbers() -> None:
    terms, numbers = record_terms({"tags": ["a", "b", "a"], "n": 3, "ok": False, "s": "x"})
    expected = {
        presence_term("tags"),
        equality_term("tags", "a"),
        equality_term("tags", "b"),
        presence_term("n"),
        equality_term("n", 3),
        presence_term("ok"),
        equality_term("ok", False),
        presence_term("s"),
        equality_term("s", "x"),
    }
    assert terms.startswith("|")
    assert terms.endswith("|")
    assert set(terms.strip("|").split("|")) == expected
    assert numbers == {numeric_key("n"): 3.0}  # booleans get no numeric key
    assert record_terms({}) == ("|", {})
