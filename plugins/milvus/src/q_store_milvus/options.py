"""The options Milvus users expect, validated with typed errors before anything connects.

``uri`` decides the engine: a local path ending in ``.db`` is an embedded milvus-lite data
directory (the persistent default); ``http(s)://host[:port]`` or ``tcp://host:port`` is a Milvus
server (standalone, cluster or Zilliz Cloud), with the same code path after connecting.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final, Literal
from urllib.parse import urlsplit

import attrs

from q_store.config import Secret
from q_store.errors import ArgumentError

__all__ = ["DEFAULT_URI", "INDEXES", "MilvusOptions"]

DEFAULT_URI: Final = "./q_store_milvus.db"
SERVER_SCHEMES: Final = ("http", "https", "tcp")
#: Environment variable read for the server token when the ``token`` option is not given.
TOKEN_VARIABLE: Final = "MILVUS_TOKEN"
#: Build and search parameters of each supported vector index; user parameters override them.
#: HNSW's ``ef`` is raised to ``top_k`` per query (Milvus requires ef >= k).
INDEXES: Final[Mapping[str, tuple[Mapping[str, Any], Mapping[str, Any]]]] = {
    "FLAT": ({}, {}),
    "IVF_FLAT": ({"nlist": 128}, {"nprobe": 16}),
    "IVF_SQ8": ({"nlist": 128}, {"nprobe": 16}),
    "HNSW": ({"M": 16, "efConstruction": 200}, {"ef": 128}),
    "HNSW_SQ": ({"M": 16, "efConstruction": 200, "sq_type": "SQ8"}, {"ef": 128}),
    "AUTOINDEX": ({}, {}),
}
#: The index whose results equal brute-force search.
EXACT_INDEX: Final = "FLAT"
CONSISTENCY_LEVELS: Final = ("Strong", "Session")
#: Rows left unflushed in milvus-lite before the store flushes them (searching unflushed rows is
#: brute force in Python, ~15x slower than flushed segments). Servers seal segments themselves.
LOCAL_FLUSH_THRESHOLD: Final = 1024
# Milvus: names start with a letter or '_', then letters, digits, '_'; at most 255 characters,
# of which this store needs 29 for namespace suffixes ('__ns_' and a 24-digit digest).
_COLLECTION_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,225}$")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")

FlushThreshold = int | Literal["auto"] | None


@attrs.frozen(kw_only=True)
class MilvusOptions:
    """Validated settings of one store. ``local_path`` is set for milvus-lite, else None."""

    uri: str
    local_path: Path | None
    token: Secret | None = attrs.field(repr=False)
    db_name: str | None
    collection: str
    index: str
    index_params: Mapping[str, Any]
    search_params: Mapping[str, Any]
    consistency_level: str
    timeout: float
    flush_threshold: int | None
    batch_size: int

    @property
    def exact(self) -> bool:
        return self.index == EXACT_INDEX

    @property
    def location(self) -> str:
        """Where the data lives, safe to print (no credentials)."""
        return str(self.local_path) if self.local_path is not None else self.uri

    @classmethod
    def validate(
        cls,
        *,
        uri: object,
        token: object,
        db_name: object,
        collection: object,
        index: object,
        index_params: object,
        search_params: object,
        consistency_level: object,
        timeout: object,
        flush_threshold: object,
        batch_size: object,
    ) -> MilvusOptions:
        local_path, server_uri = _check_uri(uri)
        if local_path is not None and (token is not None or db_name is not None):
            raise ArgumentError(
                "token" if token is not None else "db_name",
                "applies to a Milvus server uri (http://host:port); milvus-lite has no users or databases",
            )
        if not isinstance(collection, str) or not _COLLECTION_NAME.match(collection):
            raise ArgumentError(
                "collection",
                "must start with a letter or '_', continue with letters, digits or '_', and have at "
                f"most 226 characters; got {collection!r}",
            )
        if "__ns_" in collection:
            raise ArgumentError("collection", "must not contain '__ns_' (reserved for namespaces)")
        index_name = index.upper() if isinstance(index, str) else ""
        if index_name not in INDEXES:
            raise ArgumentError("index", f"must be one of {', '.join(INDEXES)}; got {index!r}")
        build_defaults, search_defaults = INDEXES[index_name]
        if consistency_level not in CONSISTENCY_LEVELS:
            raise ArgumentError(
                "consistency_level",
                f"must be one of {', '.join(CONSISTENCY_LEVELS)} (both let a query see every write "
                f"that returned before it); got {consistency_level!r}",
            )
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout < 1e6:
            raise ArgumentError("timeout", f"must be a positive number of seconds, got {timeout!r}")
        return cls(
            uri=server_uri if server_uri is not None else str(local_path),
            local_path=local_path,
            token=_check_token(token) if local_path is None else None,
            db_name=_check_db_name(db_name),
            collection=collection,
            index=index_name,
            index_params={**build_defaults, **_check_params("index_params", index_params)},
            search_params={**search_defaults, **_check_params("search_params", search_params)},
            consistency_level=str(consistency_level),
            timeout=float(timeout),
            flush_threshold=_check_flush_threshold(flush_threshold, local=local_path is not None),
            batch_size=_check_positive("batch_size", batch_size, 100_000),
        )


def _check_uri(uri: object) -> tuple[Path | None, str | None]:
    """(local path, None) for milvus-lite or (None, normalised server uri)."""
    if isinstance(uri, os.PathLike):
        uri = os.fspath(uri)
    if not isinstance(uri, str) or not uri.strip():
        raise ArgumentError(
            "uri", f"must be a local path ending in '.db' or http(s)://host:port; got {uri!r}"
        )
    scheme = _SCHEME.match(uri)
    if scheme is None:
        return _check_local_path(uri), None
    if scheme.group(1).lower() not in SERVER_SCHEMES:
        raise ArgumentError(
            "uri",
            f"scheme {scheme.group(1)!r} is not supported; use {', '.join(SERVER_SCHEMES)} or a local path",
        )
    return None, _check_server_uri(uri)


def _check_local_path(text: str) -> Path:
    path = Path(text).expanduser().absolute()
    if path.suffix != ".db":
        raise ArgumentError(
            "uri", f"a local milvus-lite path must end in '.db' (pymilvus' convention); got {text!r}"
        )
    if not path.parent.is_dir():
        raise ArgumentError("uri", f"the folder {str(path.parent)!r} does not exist; create it first")
    if path.exists() and not path.is_dir():
        raise ArgumentError("uri", f"{str(path)!r} is a file; milvus-lite keeps its data in a directory")
    return path


def _check_server_uri(text: str) -> str:
    parts = urlsplit(text)
    try:
        port = parts.port
    except ValueError:
        raise ArgumentError("uri", f"has an invalid port: {parts.netloc!r}") from None
    if not parts.hostname:
        raise ArgumentError("uri", "a server uri needs a host, e.g. http://localhost:19530")
    if parts.username or parts.password:
        # A password in the uri would end up in reprs and logs; the token option never does.
        raise ArgumentError("uri", "put credentials in the 'token' option (user:password or an API key)")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ArgumentError("uri", "must be scheme://host[:port] only; choose the database with 'db_name'")
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{parts.scheme.lower()}://{host}" + (f":{port}" if port is not None else "")


def _check_token(token: object) -> Secret | None:
    if token is None:
        return Secret.from_env(TOKEN_VARIABLE)
    if isinstance(token, Secret):
        return token
    if isinstance(token, str) and token.strip():
        return Secret(token)
    raise ArgumentError("token", "must be a non-empty string, a q_store Secret or None")


def _check_db_name(db_name: object) -> str | None:
    if db_name is None:
        return None
    if not isinstance(db_name, str) or not re.match(r"^[A-Za-z_][A-Za-z0-9_]{0,254}$", db_name):
        raise ArgumentError(
            "db_name", f"must be a Milvus database name (letters, digits, '_'); got {db_name!r}"
        )
    return db_name


def _check_params(argument: str, params: object) -> dict[str, Any]:
    if params is None:
        return {}
    if not isinstance(params, Mapping) or not all(isinstance(key, str) for key in params):
        raise ArgumentError(argument, f"must be a mapping of parameter names to values; got {params!r}")
    for key, value in params.items():
        if not isinstance(value, (str, int, float)):
            raise ArgumentError(argument, f"parameter {key!r} must be a string or a number; got {value!r}")
    return dict(params)


def _check_flush_threshold(value: object, *, local: bool) -> int | None:
    if value == "auto":
        return LOCAL_FLUSH_THRESHOLD if local else None
    if value is None:
        return None
    return _check_positive("flush_threshold", value, 10_000_000, allowed="'auto', None or ")


def _check_positive(argument: str, value: object, limit: int, *, allowed: str = "") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= limit:
        raise ArgumentError(argument, f"must be {allowed}an integer from 1 to {limit}; got {value!r}")
    return value
