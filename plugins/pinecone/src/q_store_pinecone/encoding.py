"""Reversible mappings between Q-Store's records and what Pinecone accepts.

* **Ids and namespaces.** Q-Store allows any non-empty string; Pinecone takes ASCII without NUL,
  1-512 characters, and treats the namespace ``__default__`` as an alias of ``""``. A name Pinecone
  accepts as it is goes through unchanged (so indexes stay readable by other tools); any other
  name, and any name that starts with the marker, is sent as ``qs64:`` + URL-safe base64 of its
  UTF-8 bytes. The mapping is injective, so two Q-Store names never meet in one Pinecone name.
* **Metadata.** Pinecone stores every number as a 64-bit float (``3`` comes back as ``3.0``). The
  names of integer fields travel in one reserved list field, ``__qs_int_fields__``, so that fetched
  metadata equals what was stored, types included. Filters never see that field.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Mapping
from typing import Any, Final

from q_store.errors import ArgumentError

__all__ = [
    "INT_FIELDS",
    "check_user_fields",
    "decode_metadata",
    "decode_name",
    "decode_namespace",
    "encode_id",
    "encode_metadata",
    "encode_namespace",
]

MARKER: Final = "qs64:"
MAX_NAME_LENGTH: Final = 512
DEFAULT_NAMESPACE: Final = "__default__"
#: Reserved metadata field: names of the fields that held integers.
INT_FIELDS: Final = "__qs_int_fields__"


def _plain(name: str) -> bool:
    return name.isascii() and "\x00" not in name and not name.startswith(MARKER)


def _encoded(name: str) -> str:
    return MARKER + base64.urlsafe_b64encode(name.encode("utf-8")).decode("ascii").rstrip("=")


def _fits(argument: str, original: str, sent: str) -> str:
    if len(sent) > MAX_NAME_LENGTH:
        raise ArgumentError(
            argument,
            f"{original[:40]!r}... becomes {len(sent)} characters in Pinecone (at most {MAX_NAME_LENGTH}: "
            "names that are not plain ASCII are sent base64-encoded, which makes them longer)",
        )
    return sent


def encode_id(record_id: str, *, argument: str = "ids") -> str:
    return _fits(argument, record_id, record_id if _plain(record_id) else _encoded(record_id))


def encode_namespace(namespace: str) -> str:
    """``""`` stays the default namespace; ``"__default__"`` must not become its alias."""
    plain = _plain(namespace) and namespace != DEFAULT_NAMESPACE
    return _fits("namespace", namespace, namespace if plain else _encoded(namespace))


def decode_name(sent: str) -> str:
    """The Q-Store name behind a Pinecone id or namespace (foreign names come back unchanged)."""
    if not sent.startswith(MARKER):
        return sent
    body = sent[len(MARKER) :]
    try:
        return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return sent


def decode_namespace(sent: str) -> str:
    return "" if sent == DEFAULT_NAMESPACE else decode_name(sent)


def check_user_fields(metadata: Iterable[Mapping[str, Any]]) -> None:
    """Refuse the reserved field before anything is written."""
    for index, meta in enumerate(metadata):
        if INT_FIELDS in meta:
            raise ArgumentError(
                f"metadata[{index}]", f"the key {INT_FIELDS!r} is reserved by the Pinecone store"
            )


def encode_metadata(metadata: Mapping[str, Any]) -> dict[str, Any]:
    encoded = dict(metadata)
    integers = sorted(
        key for key, value in metadata.items() if isinstance(value, int) and not isinstance(value, bool)
    )
    if integers:
        encoded[INT_FIELDS] = integers
    return encoded


def decode_metadata(sent: Mapping[str, Any] | None) -> dict[str, Any]:
    if not sent:
        return {}
    decoded = dict(sent)
    for key in decoded.pop(INT_FIELDS, ()):
        value = decoded.get(key)
        if isinstance(value, float) and value.is_integer():
            decoded[key] = int(value)
    return decoded
