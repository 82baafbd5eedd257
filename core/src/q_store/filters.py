"""One metadata filter language for every vector store (Pinecone's shape), validated here.

A filter is a mapping. ``{"genre": "drama"}`` means ``{"genre": {"$eq": "drama"}}``; several
keys at one level are AND-ed; ``{"$and": [...]}`` and ``{"$or": [...]}`` combine filters.
Operators: ``$eq $ne $in $nin $gt $gte $lt $lte $exists``.

Semantics (the reference is :func:`matches`; every store must select exactly the same records):

* ``$eq v``: the field holds ``v``, or holds a list that contains ``v``. Booleans are not numbers
  (``True`` does not equal ``1``); ``1`` equals ``1.0``.
* ``$ne v``: not ``$eq v`` (so a record without the field matches).
* ``$in [v, ...]``: ``$eq`` for some ``v``; ``$nin``: not ``$in`` (a missing field matches).
* ``$gt $gte $lt $lte n``: the field holds a number (not a boolean) and the comparison holds.
* ``$exists b``: the field is present (``b`` true) or absent (``b`` false).

Metadata values are strings, numbers, booleans and lists of strings; filter values are strings,
numbers and booleans (``$in``/``$nin``: a non-empty list of them; comparisons: numbers only).

Filters are parsed once into a small tree (:class:`Comparison`, :class:`And`, :class:`Or`) that
each store translates into its own query language; errors point at the offending part.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Final

import attrs

from q_store.errors import FilterError

__all__ = ["And", "Comparison", "Filter", "Or", "matches", "parse_filter", "to_pinecone"]

Scalar = str | int | float | bool
EQUALITY_OPERATORS: Final = ("$eq", "$ne")
SET_OPERATORS: Final = ("$in", "$nin")
ORDER_OPERATORS: Final = ("$gt", "$gte", "$lt", "$lte")
OPERATORS: Final = (*EQUALITY_OPERATORS, *SET_OPERATORS, *ORDER_OPERATORS, "$exists")


@attrs.frozen
class Comparison:
    """``field op value``; ``value`` is a scalar, a tuple of scalars (``$in``/``$nin``) or a
    boolean (``$exists``)."""

    field: str
    op: str
    value: Any


@attrs.frozen
class And:
    terms: tuple[Filter, ...]


@attrs.frozen
class Or:
    terms: tuple[Filter, ...]


Filter = Comparison | And | Or


def parse_filter(raw: Mapping[str, Any] | Filter | None, *, argument: str = "filter") -> Filter | None:
    """Validate a Pinecone-shaped filter and return its tree (None for no filter)."""
    if raw is None or isinstance(raw, (Comparison, And, Or)):
        return raw
    return _parse(raw, argument)


def _parse(raw: object, path: str) -> Filter:
    if not isinstance(raw, Mapping) or not raw:
        raise FilterError(path, f"must be a non-empty mapping, got {raw!r}")
    terms: list[Filter] = []
    for key, value in raw.items():
        here = f"{path}[{key!r}]"
        if not isinstance(key, str) or not key:
            raise FilterError(here, "keys are field names or $and / $or")
        if key in ("$and", "$or"):
            if not isinstance(value, Sequence) or isinstance(value, str) or not value:
                raise FilterError(here, f"{key} takes a non-empty list of filters")
            parts = tuple(_parse(item, f"{here}[{i}]") for i, item in enumerate(value))
            terms.append(And(parts) if key == "$and" else Or(parts))
        elif key.startswith("$"):
            raise FilterError(here, f"unknown operator {key!r} here; operators apply to a field")
        elif isinstance(value, Mapping):
            if not value:
                raise FilterError(here, "an operator mapping must not be empty")
            for op, operand in value.items():
                terms.append(_comparison(key, op, operand, f"{here}[{op!r}]"))
        else:
            terms.append(_comparison(key, "$eq", value, here))
    return terms[0] if len(terms) == 1 else And(tuple(terms))


def _comparison(field: str, op: object, operand: object, path: str) -> Comparison:
    if op not in OPERATORS:
        raise FilterError(path, f"unknown operator {op!r}; allowed: {', '.join(OPERATORS)}")
    if op in EQUALITY_OPERATORS:
        return Comparison(field, str(op), _scalar(operand, path))
    if op in SET_OPERATORS:
        if not isinstance(operand, Sequence) or isinstance(operand, str) or not operand:
            raise FilterError(path, f"{op} takes a non-empty list of strings, numbers or booleans")
        return Comparison(field, str(op), tuple(_scalar(v, f"{path}[{i}]") for i, v in enumerate(operand)))
    if op in ORDER_OPERATORS:
        if not _is_number(operand) or not math.isfinite(float(operand)):  # type: ignore[arg-type]
            raise FilterError(path, f"{op} compares numbers; got {operand!r}")
        return Comparison(field, str(op), operand)
    if not isinstance(operand, bool):
        raise FilterError(path, f"$exists takes true or false; got {operand!r}")
    return Comparison(field, "$exists", operand)


def _scalar(value: object, path: str) -> Scalar:
    if isinstance(value, (str, bool)):
        return value
    if _is_number(value) and math.isfinite(float(value)):  # type: ignore[arg-type]
        return value  # type: ignore[return-value]
    raise FilterError(path, f"filter values are strings, finite numbers or booleans; got {value!r}")


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _equal(stored: object, wanted: Scalar) -> bool:
    if isinstance(stored, list):
        return any(_equal(item, wanted) for item in stored)
    if isinstance(wanted, bool) or isinstance(stored, bool):
        return isinstance(wanted, bool) and isinstance(stored, bool) and stored == wanted
    if isinstance(wanted, str) or isinstance(stored, str):
        return isinstance(wanted, str) and isinstance(stored, str) and stored == wanted
    return _is_number(stored) and float(stored) == float(wanted)  # type: ignore[arg-type]


def matches(filter: Filter | None, metadata: Mapping[str, Any]) -> bool:
    """The reference semantics: does a record with ``metadata`` satisfy ``filter``?"""
    if filter is None:
        return True
    if isinstance(filter, And):
        return all(matches(term, metadata) for term in filter.terms)
    if isinstance(filter, Or):
        return any(matches(term, metadata) for term in filter.terms)
    present = filter.field in metadata
    stored = metadata.get(filter.field)
    op, value = filter.op, filter.value
    if op == "$exists":
        return present is value
    if op == "$eq":
        return present and _equal(stored, value)
    if op == "$ne":
        return not (present and _equal(stored, value))
    if op == "$in":
        return present and any(_equal(stored, v) for v in value)
    if op == "$nin":
        return not (present and any(_equal(stored, v) for v in value))
    if not present or not _is_number(stored):
        return False
    number, bound = float(stored), float(value)  # type: ignore[arg-type]
    return {
        "$gt": number > bound,
        "$gte": number >= bound,
        "$lt": number < bound,
        "$lte": number <= bound,
    }[op]


def to_pinecone(filter: Filter) -> dict[str, Any]:
    """The filter tree as a Pinecone filter document (explicit operators everywhere)."""
    if isinstance(filter, And):
        return {"$and": [to_pinecone(term) for term in filter.terms]}
    if isinstance(filter, Or):
        return {"$or": [to_pinecone(term) for term in filter.terms]}
    value = list(filter.value) if isinstance(filter.value, tuple) else filter.value
    return {filter.field: {filter.op: value}}


def conjunction(*filters: Filter | None) -> Filter | None:
    """AND of the given filters, skipping None; None when nothing is left."""
    present = [f for f in filters if f is not None]
    if not present:
        return None
    return present[0] if len(present) == 1 else And(tuple(present))
