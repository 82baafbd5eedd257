"""Pinecone's documented metadata and filter semantics, implemented independently of Q-Store.

This module deliberately does not import :mod:`q_store.filters`: the store contract's property test
compares what the plugin's translated filters select HERE with the core's reference
(:func:`q_store.filters.matches`), as it would against the real service.

Metadata (docs.pinecone.io, "Understanding metadata"): values are strings, numbers, booleans or
lists of strings; numbers are stored as 64-bit floats (an integer comes back as a float); null
values are stripped on write; at most 40 KB per record.

Filters ("Filter by metadata"): ``{"f": v}`` means ``{"f": {"$eq": v}}``; several keys AND-ed;
``$and``/``$or`` take lists; operators and the types they take:

=========  ===========================  ================================================
operator   operand                      a record matches when the field...
=========  ===========================  ================================================
$eq        string, number, boolean      is present and equals it (a list: contains it)
$ne        string, number, boolean      is present and does not equal it (a list: lacks it)
$in        list of strings or numbers   is present and equals one (a list: contains one)
$nin       list of strings or numbers   is present and equals none (a list: contains none)
$gt $gte   number                       is a number in the relation
$lt $lte
$exists    boolean                      is present (true) or absent (false)
=========  ===========================  ================================================

Choices where the documentation is silent, made strict so that a client cannot lean on them:
a record WITHOUT the field never matches ``$ne``/``$nin`` (the service's behaviour since 2024, and
unlike MongoDB); values of different types are never equal (``true`` is not ``1``, ``"7"`` is not
``7``); an ``$in``/``$nin`` list that mixes types, or holds booleans, is refused with a 400.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Final

import orjson

__all__ = ["ApiProblemError", "check_filter", "evaluate", "normalize_metadata"]

MAX_METADATA_BYTES: Final = 40 * 1024
_SCALAR_OPERATORS: Final = ("$eq", "$ne")
_LIST_OPERATORS: Final = ("$in", "$nin")
_ORDER_OPERATORS: Final = ("$gt", "$gte", "$lt", "$lte")


class ApiProblemError(Exception):
    """An error answer: HTTP status, the service's error code and message."""

    def __init__(self, status: int, message: str, code: int = 3) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        #: gRPC-style status code, as the data plane reports it (3 INVALID_ARGUMENT, 5 NOT_FOUND).
        self.code = code


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def normalize_metadata(raw: object, where: str) -> dict[str, Any]:
    """Stored metadata: numbers as floats, nulls stripped; 400 for anything else."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ApiProblemError(400, f"{where}: metadata must be a JSON object")
    if len(orjson.dumps(raw)) > MAX_METADATA_BYTES:
        raise ApiProblemError(
            400, f"{where}: metadata size exceeds the limit of {MAX_METADATA_BYTES} bytes per vector"
        )
    stored: dict[str, Any] = {}
    for key, value in raw.items():
        if value is None:
            continue
        if isinstance(value, (str, bool)):
            stored[key] = value
        elif _is_number(value) and math.isfinite(value):
            stored[key] = float(value)
        elif isinstance(value, list) and all(isinstance(item, str) for item in value):
            stored[key] = list(value)
        else:
            raise ApiProblemError(
                400,
                f"{where}: metadata value for field {key!r} must be a string, number, boolean or "
                "list of strings",
            )
    return stored


def check_filter(document: object) -> None:
    """400 for a filter the service would refuse."""
    if not isinstance(document, dict) or not document:
        raise ApiProblemError(400, "filter must be a non-empty JSON object")
    for key, value in document.items():
        if key in ("$and", "$or"):
            if not isinstance(value, list) or not value:
                raise ApiProblemError(400, f"{key} takes a non-empty array of filters")
            for item in value:
                check_filter(item)
        elif key.startswith("$"):
            raise ApiProblemError(400, f"unknown top-level operator {key!r}")
        elif isinstance(value, dict):
            if not value:
                raise ApiProblemError(400, f"empty operator object for field {key!r}")
            for op, operand in value.items():
                _check_operator(key, op, operand)
        else:
            _check_operator(key, "$eq", value)


def _check_operator(field: str, op: str, operand: object) -> None:
    if op in _SCALAR_OPERATORS:
        if not (isinstance(operand, (str, bool)) or _is_number(operand)):
            raise ApiProblemError(400, f"{op} on {field!r} takes a string, number or boolean")
    elif op in _LIST_OPERATORS:
        if not isinstance(operand, list) or not operand:
            raise ApiProblemError(400, f"{op} on {field!r} takes a non-empty array")
        if not (all(isinstance(v, str) for v in operand) or all(_is_number(v) for v in operand)):
            raise ApiProblemError(400, f"{op} on {field!r} takes an array of strings or an array of numbers")
    elif op in _ORDER_OPERATORS:
        if not _is_number(operand):
            raise ApiProblemError(400, f"{op} on {field!r} takes a number")
    elif op == "$exists":
        if not isinstance(operand, bool):
            raise ApiProblemError(400, f"$exists on {field!r} takes true or false")
    else:
        raise ApiProblemError(400, f"unknown operator {op!r} on field {field!r}")


def evaluate(document: Mapping[str, Any], metadata: Mapping[str, Any]) -> bool:
    """Does a record with (stored) ``metadata`` match the (checked) filter ``document``?"""
    for key, value in document.items():
        if key == "$and":
            if not all(evaluate(item, metadata) for item in value):
                return False
        elif key == "$or":
            if not any(evaluate(item, metadata) for item in value):
                return False
        elif isinstance(value, dict):
            if not all(_holds(key, op, operand, metadata) for op, operand in value.items()):
                return False
        elif not _holds(key, "$eq", value, metadata):
            return False
    return True


def _equal(stored: object, wanted: object) -> bool:
    if isinstance(stored, list):
        return isinstance(wanted, str) and wanted in stored
    if isinstance(stored, bool) or isinstance(wanted, bool):
        return isinstance(stored, bool) and isinstance(wanted, bool) and stored is wanted
    if isinstance(stored, str) or isinstance(wanted, str):
        return isinstance(stored, str) and isinstance(wanted, str) and stored == wanted
    return float(stored) == float(wanted)  # type: ignore[arg-type]


def _holds(field: str, op: str, operand: Any, metadata: Mapping[str, Any]) -> bool:
    if op == "$exists":
        return (field in metadata) is operand
    if field not in metadata:
        return False  # every other operator needs the field, $ne and $nin included
    stored = metadata[field]
    if op == "$eq":
        return _equal(stored, operand)
    if op == "$ne":
        return not _equal(stored, operand)
    if op == "$in":
        return any(_equal(stored, item) for item in operand)
    if op == "$nin":
        return not any(_equal(stored, item) for item in operand)
    if not _is_number(stored):
        return False
    number, bound = float(stored), float(operand)
    if op == "$gt":
        return number > bound
    if op == "$gte":
        return number >= bound
    if op == "$lt":
        return number < bound
    return number <= bound
