"""The filter vocabulary: what a record stores so that every filter of the core language becomes a
Milvus expression with exactly the reference semantics of :func:`q_store.filters.matches`.

Milvus' own comparisons on JSON values do not follow the core's rules (they coerce between
booleans and numbers differently from one engine to the next, know nothing of "``$eq`` on a list
means membership", and treat missing keys as NULL, which ``not`` propagates). So each record
carries two derived, engine-neutral projections of its metadata besides the metadata itself:

* ``terms``: one VARCHAR of typed terms ``|t1|t2|...|``, tested with ``terms like "%|t|%"``.
  A term is a 96-bit BLAKE2b digest (24 hex digits) of ``[kind, field, value]`` with kind

  - ``k``: the field is present (``$exists``);
  - ``s``: the field holds this string, or a list containing it;
  - ``b``: the field holds this boolean (never equal to a number);
  - ``n``: the field holds this number, in canonical float form (so ``1 == 1.0``).

  ``$eq/$ne/$in/$nin/$exists`` are then presence tests of terms, which are never NULL, so
  negating them is safe, and a record without the field matches ``$ne`` as required. Hashing
  keeps terms fixed-length (Milvus bounds VARCHARs) and unambiguous (a field named ``a=b`` cannot
  be confused with field ``a`` holding ``b=...``); user values never reach the expression parser.

* numeric keys: every number (not boolean) is also stored as a float in a dynamic field
  ``n_<digest of the field name>``, compared with float literals for ``$gt/$gte/$lt/$lte``.
  Records without the number have no key, which compares as false; such comparisons are never
  negated, so they select exactly the records that hold a number satisfying the bound.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any, Final

__all__ = [
    "TERM_LENGTH",
    "canonical_number",
    "digest",
    "equality_term",
    "numeric_key",
    "presence_term",
    "record_terms",
]

#: Hex digits of a term: 96 bits, so an accidental collision is never expected in practice.
TERM_LENGTH: Final = 24
#: Separator of terms in the ``terms`` field; not a hex digit, not a LIKE wildcard.
SEPARATOR: Final = "|"


def digest(*parts: object) -> str:
    """96-bit BLAKE2b of the JSON array of ``parts``, as 24 hex digits."""
    encoded = json.dumps(parts, ensure_ascii=True, separators=(",", ":")).encode("ascii")
    return hashlib.blake2b(encoded, digest_size=TERM_LENGTH // 2).hexdigest()


def canonical_number(value: float) -> str:
    """The one spelling of a number's float value (``1``, ``1.0`` and ``-0.0 + 1`` agree); the
    core compares numbers as floats, so two numbers are equal exactly when these strings are."""
    as_float = float(value) + 0.0  # adding 0.0 turns -0.0 into 0.0, which compare equal
    return repr(as_float)


def presence_term(field: str) -> str:
    """The term of records that have ``field``."""
    return digest("k", field)


def equality_term(field: str, value: str | bool | float) -> str:
    """The term of records whose ``field`` holds ``value`` (or a list containing it)."""
    if isinstance(value, bool):
        return digest("b", field, value)
    if isinstance(value, str):
        return digest("s", field, value)
    return digest("n", field, canonical_number(value))


def numeric_key(field: str) -> str:
    """The dynamic-field key that holds ``field``'s number as a float."""
    return "n_" + digest("n", field)


def record_terms(metadata: Mapping[str, Any]) -> tuple[str, dict[str, float]]:
    """The ``terms`` string and the numeric keys of one record's (validated) metadata."""
    terms: list[str] = []
    numbers: dict[str, float] = {}
    for field, value in metadata.items():
        terms.append(presence_term(field))
        if isinstance(value, list):
            terms.extend(equality_term(field, item) for item in dict.fromkeys(value))
            continue
        terms.append(equality_term(field, value))
        if not isinstance(value, (bool, str)):
            numbers[numeric_key(field)] = float(value)
    return "".join(SEPARATOR + term for term in terms) + SEPARATOR, numbers
