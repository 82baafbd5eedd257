"""How the database keeps its own state inside the vector store, and what it returns.

Everything the database knows about a record lives in the store's metadata, under reserved keys
that start with ``_qs_``, so that a persistent store (Milvus, Pinecone) reopened later knows it
too. Keys that filters must reach are plain metadata fields; the rest is one JSON string:

* ``_qs_contexts``: the record's context names (a list of strings, for filter push-down);
* ``_qs_state``: JSON ``{"p": [probabilities aligned with _qs_contexts]}``;
* ``_qs_inserted_at``: insertion time in milliseconds since the epoch;
* ``_qs_coherence_ms``: the record's coherence time (absent: it never fades);
* ``_qs_expires_at``: when its coherence falls under the threshold (absent: never);
* ``_qs_groups``: the entangled groups it belongs to.

User metadata may not use the ``_qs_`` prefix.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

import attrs
import numpy as np
from numpy.typing import NDArray

from q_store.errors import ArgumentError

RESERVED_PREFIX: Final = "_qs_"
CONTEXTS: Final = "_qs_contexts"
STATE: Final = "_qs_state"
INSERTED_AT: Final = "_qs_inserted_at"
COHERENCE_MS: Final = "_qs_coherence_ms"
EXPIRES_AT: Final = "_qs_expires_at"
GROUPS: Final = "_qs_groups"

#: Namespace of the database's own bookkeeping records (entangled groups, known contexts).
SYSTEM_NAMESPACE: Final = "__q_store__"


def check_user_metadata(metadata: Mapping[str, Any], argument: str = "metadata") -> None:
    reserved = sorted(k for k in metadata if isinstance(k, str) and k.startswith(RESERVED_PREFIX))
    if reserved:
        raise ArgumentError(argument, f"keys starting with {RESERVED_PREFIX!r} are reserved: {reserved}")


def user_metadata(stored: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in stored.items() if not k.startswith(RESERVED_PREFIX)}


@attrs.frozen
class RecordState:
    """The database's view of one stored record (decoded from its metadata)."""

    contexts: tuple[str, ...]
    probabilities: tuple[float, ...]
    inserted_at_ms: float
    coherence_ms: float | None
    groups: tuple[str, ...]

    @classmethod
    def decode(cls, stored: Mapping[str, Any]) -> RecordState:
        contexts = tuple(stored.get(CONTEXTS, ()))
        probabilities: tuple[float, ...] = ()
        if STATE in stored:
            probabilities = tuple(float(p) for p in json.loads(stored[STATE])["p"])
        return cls(
            contexts=contexts,
            probabilities=probabilities,
            inserted_at_ms=float(stored.get(INSERTED_AT, 0.0)),
            coherence_ms=float(stored[COHERENCE_MS]) if COHERENCE_MS in stored else None,
            groups=tuple(stored.get(GROUPS, ())),
        )

    def encode(self, expires_at_ms: float | None) -> dict[str, Any]:
        encoded: dict[str, Any] = {INSERTED_AT: self.inserted_at_ms}
        if self.contexts:
            encoded[CONTEXTS] = list(self.contexts)
            encoded[STATE] = json.dumps({"p": list(self.probabilities)})
        if self.coherence_ms is not None:
            encoded[COHERENCE_MS] = self.coherence_ms
        if expires_at_ms is not None:
            encoded[EXPIRES_AT] = expires_at_ms
        if self.groups:
            encoded[GROUPS] = list(self.groups)
        return encoded

    def probability_of(self, context: str) -> float:
        try:
            return self.probabilities[self.contexts.index(context)]
        except ValueError:
            return 0.0


@attrs.frozen(eq=False)
class QueryResult:
    """One result of ``query`` or ``tunnel_search``.

    ``score`` is what the results are ranked by (see docs/concepts.md for each formula);
    ``similarity`` the raw store similarity. ``context`` is the collapsed context (with its
    probability); ``tunneled`` says whether the record was reached by tunneling and
    ``transmission`` with what probability (1.0 for records reached without tunneling);
    ``entangled_with`` names the result through which an entangled partner was added.
    """

    id: str
    score: float
    similarity: float
    metadata: Mapping[str, Any]
    context: str | None = None
    context_probability: float | None = None
    coherence: float = 1.0
    tunneled: bool = False
    transmission: float = 1.0
    basin: int | None = None
    entangled_with: str | None = None
    vector: NDArray[np.float32] | None = None


@attrs.frozen(eq=False)
class StoredRecord:
    """A record as ``fetch`` returns it."""

    id: str
    vector: NDArray[np.float32]
    metadata: Mapping[str, Any]
    contexts: Mapping[str, float]
    coherence: float
    groups: tuple[str, ...]
