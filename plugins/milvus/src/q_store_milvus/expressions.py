"""Milvus boolean expressions built from the core's filter trees, primary keys and literals.

Every string that enters an expression goes through :func:`quote`, which escapes exactly the
characters that could end or corrupt a Milvus string literal, so no value can change an
expression's structure. Filter values themselves never appear: they are hashed into terms (see
:mod:`q_store_milvus.terms`), and only the fixed vocabulary of field names below is written bare.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from q_store.filters import And, Comparison, Filter, Or
from q_store_milvus.terms import SEPARATOR, equality_term, numeric_key, presence_term

__all__ = ["everything", "ids_expression", "quote", "translate"]

PRIMARY_KEY: Final = "pk"
TERMS: Final = "terms"

# Both milvus-lite's lexer and the server's grammar (Plan.g4) read these escapes; a raw
# backslash, double quote, CR or LF would end or break the literal.
_ESCAPES: Final = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})
_ORDER: Final = {"$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<="}


def quote(text: str) -> str:
    """``text`` as a double-quoted Milvus string literal."""
    return '"' + text.translate(_ESCAPES) + '"'


def ids_expression(ids: Sequence[str]) -> str:
    """``pk in [...]``: the exact form milvus-lite answers from its primary-key index.

    (pymilvus' own ``get``/``delete`` by ids wrap ids in single quotes without escaping them, so an
    id containing a quote would break or rewrite the expression; this store never uses them.)
    """
    return f"{PRIMARY_KEY} in [{', '.join(quote(i) for i in ids)}]"


def everything() -> str:
    """An expression true for every record (Milvus refuses an empty delete filter)."""
    return f'{PRIMARY_KEY} != ""'


def translate(node: Filter) -> str:
    """The Milvus expression selecting exactly what :func:`q_store.filters.matches` selects."""
    if isinstance(node, And):
        return " and ".join(f"({translate(term)})" for term in node.terms)
    if isinstance(node, Or):
        return " or ".join(f"({translate(term)})" for term in node.terms)
    return _comparison(node)


def _has(term: str) -> str:
    return f"{TERMS} like {quote(f'%{SEPARATOR}{term}{SEPARATOR}%')}"


def _any_of(terms: Sequence[str]) -> str:
    unique = list(dict.fromkeys(terms))
    if len(unique) == 1:
        return _has(unique[0])
    return " or ".join(f"({_has(term)})" for term in unique)


def _comparison(node: Comparison) -> str:
    field, op, value = node.field, node.op, node.value
    if op == "$exists":
        present = _has(presence_term(field))
        return present if value else f"not ({present})"
    if op in ("$eq", "$ne"):
        equal = _has(equality_term(field, value))
        return equal if op == "$eq" else f"not ({equal})"
    if op in ("$in", "$nin"):
        member = _any_of([equality_term(field, item) for item in value])
        return member if op == "$in" else f"not ({member})"
    # Ranges compare the float copy of the number; repr() is the shortest exact spelling and
    # always has a '.' or an exponent, so Milvus reads a float literal (it refuses int-vs-float
    # comparisons on JSON values).
    return f"$meta[{quote(numeric_key(field))}] {_ORDER[op]} {float(value)!r}"
