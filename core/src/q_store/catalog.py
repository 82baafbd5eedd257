"""The database's own bookkeeping, kept in the store so that a reopened store knows it.

Records of the namespace ``__q_store__`` (each with a placeholder unit vector, since stores hold
vectors of one dimension):

* ``catalog``: JSON ``{"contexts": {name: largest probability any record gave it},
  "expiring": whether any record has a coherence time}``. The bounds serve the ranking
  certificate of context queries; the flag lets queries skip the visibility filter.
* ``group:<id>``: an entangled group, ``{"members": [...], "strength": s}``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Final

import attrs
import numpy as np
from numpy.typing import NDArray

from q_store.entanglement import EntangledGroup
from q_store.records import SYSTEM_NAMESPACE
from q_store.vector_store import MAX_TOP_K, VectorStore

__all__ = ["Catalog"]

_CATALOG_RECORD: Final = "catalog"
_GROUP_PREFIX: Final = "group:"

ContextRows = Sequence[tuple[tuple[str, ...], tuple[float, ...]]]


class Catalog:
    """Context bounds, the expiry flag and the entangled groups of one store."""

    def __init__(self, store: VectorStore) -> None:
        self.store = store
        #: Every context in use, with the largest probability any record gave it.
        self.context_bounds: dict[str, float] = {}
        #: Whether any record has a coherence time.
        self.expiring = False
        self.groups: dict[str, EntangledGroup] = {}
        self._load()

    def _placeholder(self) -> NDArray[np.float32]:
        assert self.store.dimension is not None
        vector = np.zeros((1, self.store.dimension), dtype=np.float32)
        vector[0, 0] = 1.0
        return vector

    def _load(self) -> None:
        if self.store.dimension is None:
            return
        for record in self.store.fetch([_CATALOG_RECORD], namespace=SYSTEM_NAMESPACE).values():
            catalog = json.loads(record.metadata["state"])
            self.context_bounds = {name: float(p) for name, p in catalog["contexts"].items()}
            self.expiring = bool(catalog["expiring"])
        for match in self.store.query(self._placeholder()[0], top_k=MAX_TOP_K, namespace=SYSTEM_NAMESPACE):
            if match.id.startswith(_GROUP_PREFIX) and match.metadata is not None:
                group_id = match.id[len(_GROUP_PREFIX) :]
                self.groups[group_id] = EntangledGroup(
                    group_id, tuple(match.metadata["members"]), float(match.metadata["strength"])
                )

    def record_writes(self, context_rows: ContextRows, expiring: bool) -> None:
        """Raise the context bounds and the expiry flag for newly written records.

        Bounds only grow (a deleted record may have set one): an upper bound stays valid.
        """
        bounds = dict(self.context_bounds)
        for names, probabilities in context_rows:
            for name, p in zip(names, probabilities, strict=True):
                if p > bounds.get(name, -1.0):
                    bounds[name] = p
        expiring = expiring or self.expiring
        if bounds == self.context_bounds and expiring == self.expiring:
            return
        self.context_bounds, self.expiring = bounds, expiring
        state = json.dumps({"contexts": bounds, "expiring": expiring})
        self.store.upsert(
            [_CATALOG_RECORD], self._placeholder(), [{"state": state}], namespace=SYSTEM_NAMESPACE
        )

    def groups_of(self, record_ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
        """The groups each of ``record_ids`` belongs to (only the ids that belong to some)."""
        if not self.groups:
            return {}
        members = {m for g in self.groups.values() for m in g.members}
        return {
            i: tuple(g for g, group in self.groups.items() if i in group.members)
            for i in record_ids
            if i in members
        }

    def write_group(self, group: EntangledGroup) -> None:
        self.store.upsert(
            [_GROUP_PREFIX + group.group_id],
            self._placeholder(),
            [{"members": list(group.members), "strength": group.strength}],
            namespace=SYSTEM_NAMESPACE,
        )
        self.groups[group.group_id] = group

    def remove_members(self, group_id: str, removed: set[str]) -> tuple[str, ...]:
        """Drop ``removed`` from the group; returns the members left when it dissolves (a group of
        one is no group), else ``()``."""
        group = self.groups[group_id]
        remaining = tuple(m for m in group.members if m not in removed)
        if len(remaining) >= 2:
            self.write_group(attrs.evolve(group, members=remaining))
            return ()
        del self.groups[group_id]
        self.store.delete([_GROUP_PREFIX + group_id], namespace=SYSTEM_NAMESPACE)
        return remaining
