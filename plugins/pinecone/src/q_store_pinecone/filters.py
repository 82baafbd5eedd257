"""The core's filter tree as a Pinecone filter whose RESULT equals :func:`q_store.filters.matches`.

Pinecone's documented semantics differ from the core's in a few places, and some corners are not
documented at all. The translation makes the result right whichever way those corners go:

* ``$ne`` / ``$nin``: Pinecone matches only records that HAVE the field (a record without it is
  not returned), while the core matches records without the field too. Each becomes
  ``{"$or": [{f: {"$exists": false}}, <the comparison>]}``, which is also right if a service
  version did match missing fields.
* ``$in`` / ``$nin`` take strings and numbers only in Pinecone, not booleans, and mixing types in
  one list is not documented. Values are split by type: one ``$in``/``$nin`` per type, booleans as
  ``$eq``/``$ne``, combined with ``$or`` (``$in``) or ``$and`` (``$nin``).
* ``$eq`` on a list field is membership in both languages; booleans and numbers are distinct
  types in both (Pinecone's metadata is typed JSON); ``1`` equals ``1.0`` in both (Pinecone stores
  numbers as 64-bit floats). These translate one to one.
"""

from __future__ import annotations

from typing import Any, Final

from q_store.errors import FilterError
from q_store.filters import And, Comparison, Filter, Or
from q_store_pinecone.encoding import INT_FIELDS

__all__ = ["to_pinecone_filter"]

_ORDER: Final = ("$gt", "$gte", "$lt", "$lte")


def to_pinecone_filter(filter: Filter) -> dict[str, Any]:
    if isinstance(filter, And):
        return {"$and": [to_pinecone_filter(term) for term in filter.terms]}
    if isinstance(filter, Or):
        return {"$or": [to_pinecone_filter(term) for term in filter.terms]}
    return _comparison(filter)


def _comparison(comparison: Comparison) -> dict[str, Any]:
    field, op, value = comparison.field, comparison.op, comparison.value
    if field == INT_FIELDS:
        raise FilterError("filter", f"the field {INT_FIELDS!r} is reserved by the Pinecone store")
    if op in ("$eq", "$exists", *_ORDER):
        return {field: {op: value}}
    if op == "$ne":
        return _or_missing(field, {field: {"$ne": value}})
    strings = [v for v in value if isinstance(v, str)]
    numbers = [v for v in value if isinstance(v, (int, float)) and not isinstance(v, bool)]
    booleans = sorted({v for v in value if isinstance(v, bool)})
    groups: list[list[Any]] = [group for group in (strings, numbers) if group]
    terms: list[dict[str, Any]]
    if op == "$in":
        terms = [{field: {"$in": group}} for group in groups]
        terms += [{field: {"$eq": flag}} for flag in booleans]
        return terms[0] if len(terms) == 1 else {"$or": terms}
    terms = [{field: {"$nin": group}} for group in groups]
    terms += [{field: {"$ne": flag}} for flag in booleans]
    return _or_missing(field, terms[0] if len(terms) == 1 else {"$and": terms})


def _or_missing(field: str, present: dict[str, Any]) -> dict[str, Any]:
    return {"$or": [{field: {"$exists": False}}, present]}
