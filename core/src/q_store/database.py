"""`QuantumDatabase`: a vector database whose quantum words have precise meanings.

The words, each with its formula (docs/concepts.md has them all):

* superposition, contexts and collapse: :mod:`q_store.contexts` and :mod:`q_store.sampling`;
* tunneling: :mod:`q_store.tunneling`;
* entanglement: :mod:`q_store.entanglement`;
* decoherence: :mod:`q_store.decoherence`.

Scores. A record's *relevance* maps the store's similarity ``s`` into [0, 1]: cosine
``(1 + s) / 2``, dot ``1 / (1 + exp(-s))``, euclidean (``s = -d``) ``1 / (1 + d)``. A query ranks
records by ``relevance * p_context * coherence``, where ``p_context`` is the record's probability
in the queried context (1 without a context) and ``coherence`` its decoherence factor. The store
ranks by similarity alone, so the database asks it for more candidates until the certificate
"k-th best score >= relevance of the last candidate" proves that no unseen record can score
higher (re-ranking never loses a result).

With ``enable_quantum=False`` every answer is computed exactly and classically; with
``enable_quantum=True`` context collapse and the tunneling choice are measured on the configured
quantum backend.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final, Literal

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from q_store.backend import QuantumBackend
from q_store.config import DatabaseConfig
from q_store.contexts import ContextsInput, most_probable, normalize_contexts
from q_store.decoherence import coherence, expired_filter, expiry_ms, visible_filter
from q_store.entanglement import EntangledGroup, check_strength, correlated_update
from q_store.errors import ArgumentError, CapabilityError
from q_store.filters import Comparison, Filter, conjunction, matches, parse_filter
from q_store.plugins import PluginRegistry, create_backend, create_vector_store
from q_store.records import (
    SYSTEM_NAMESPACE,
    QueryResult,
    RecordState,
    StoredRecord,
    check_user_metadata,
    user_metadata,
)
from q_store.sampling import BornSampler
from q_store.tunneling import MAX_POOL, plan
from q_store.vector_store import MAX_TOP_K, Match, VectorStore, check_ids, check_metadata, check_top_k

__all__ = ["DatabaseStats", "QuantumDatabase"]

Collapse = Literal["auto", "most_probable", "measure"]
_UNSET: Final = object()
_CATALOG_RECORD: Final = "catalog"
_GROUP_PREFIX: Final = "group:"


@attrs.frozen
class DatabaseStats:
    records: int
    dimension: int | None
    metric: str
    store: str
    contexts: tuple[str, ...]
    groups: tuple[str, ...]


def relevance(similarity: NDArray[np.float64] | float, metric: str) -> NDArray[np.float64]:
    """Similarity mapped into [0, 1], increasing (see the module docstring)."""
    s = np.asarray(similarity, dtype=np.float64)
    if metric == "cosine":
        return np.clip((1.0 + s) / 2.0, 0.0, 1.0)
    if metric == "dot":
        result: NDArray[np.float64] = 0.5 * (1.0 + np.tanh(s / 2.0))  # the logistic function, overflow-free
        return result
    return 1.0 / (1.0 - s)  # s = -distance


class QuantumDatabase:
    """Records with vectors, weighted task contexts, entangled groups and fading relevance.

    Args:
        config: selects the store (``config.resolved_vector_store``), the quantum backend, the
            seed and the feature switches. Default: in-memory store, mock backend.
        store: an already constructed vector store (overrides the config's choice).
        backend: an already constructed quantum backend for ``enable_quantum=True``.
        clock: seconds since the epoch (default ``time.time``); inject one in tests.
        registry: the plugin registry to resolve names with (default: the process-wide one).
        sweep_interval: seconds between automatic ``apply_decoherence()`` calls in a background
            thread; None (default) for no sweep.
    """

    def __init__(
        self,
        config: DatabaseConfig | None = None,
        *,
        store: VectorStore | None = None,
        backend: QuantumBackend | None = None,
        clock: Callable[[], float] | None = None,
        registry: PluginRegistry | None = None,
        sweep_interval: float | None = None,
    ) -> None:
        if config is not None and not isinstance(config, DatabaseConfig):
            raise ArgumentError("config", f"must be a DatabaseConfig or None, not {type(config).__name__}")
        self.config = config if config is not None else DatabaseConfig()
        self.store = store if store is not None else create_vector_store(self.config, registry=registry)
        self._registry = registry
        self._backend = backend
        self._clock = clock if clock is not None else time.time
        self._rng = np.random.default_rng(self.config.seed)
        self._lock = threading.RLock()
        #: Every context in use, with the largest probability any record gave it: the bound of the
        #: ranking certificate for context queries (kept in the store's catalog record).
        self._context_bounds: dict[str, float] = {}
        #: Whether any record has a coherence time (else queries skip the visibility filter).
        self._expiring = False
        self._groups: dict[str, EntangledGroup] = {}
        self._load_system_records()
        self._sweeper: threading.Thread | None = None
        self._stop = threading.Event()
        if sweep_interval is not None:
            self._start_sweep(sweep_interval)

    # ------------------------------------------------------------------ writing

    def insert(
        self,
        id: str,
        vector: ArrayLike,
        contexts: ContextsInput = None,
        metadata: Mapping[str, Any] | None = None,
        coherence_time: float | object | None = _UNSET,
    ) -> None:
        """Store (or overwrite) one record. ``coherence_time`` in ms; None: never fades."""
        row = np.asarray(vector, dtype=np.float64)
        self.insert_batch(
            [id],
            row[None, :] if row.ndim == 1 else row,
            contexts=[contexts],
            metadata=[metadata],
            coherence_time=coherence_time,
        )

    def insert_batch(
        self,
        ids: Sequence[str],
        vectors: ArrayLike,
        *,
        contexts: Sequence[ContextsInput] | None = None,
        metadata: Sequence[Mapping[str, Any] | None] | None = None,
        coherence_time: float | object | None = _UNSET,
    ) -> int:
        """Store many records at once; all are validated before any is written."""
        checked_ids = check_ids(ids)
        matrix = self.store.check_vectors(vectors, rows=len(checked_ids))
        rows = len(checked_ids)
        context_rows = self._check_context_rows(contexts, rows)
        metadata_rows = self._check_metadata_rows(metadata, rows)
        coherence_ms = self._check_coherence(coherence_time)
        if not rows:
            return 0
        with self._lock:
            now = self._now_ms()
            existing_groups = self._existing_groups(checked_ids)
            # Rows without contexts or groups share one encoded state (the common bulk case).
            plain = RecordState((), (), now, coherence_ms, ())
            shared = plain.encode(self._expiry(plain))
            encoded = []
            for record_id, (names, probabilities), user in zip(
                checked_ids, context_rows, metadata_rows, strict=True
            ):
                groups = existing_groups.get(record_id, ())
                if not names and not groups:
                    encoded.append({**user, **shared})
                    continue
                state = RecordState(names, probabilities, now, coherence_ms, groups)
                encoded.append({**user, **state.encode(self._expiry(state))})
            self.store.write_checked(checked_ids, matrix, encoded)
            self._update_catalog(
                [row for row in context_rows if row[0]] if contexts is not None else [],
                coherence_ms is not None,
                matrix.shape[1],
            )
        return rows

    def update(
        self,
        id: str,
        vector: ArrayLike | None = None,
        *,
        metadata: Mapping[str, Any] | None = None,
        contexts: ContextsInput | object = _UNSET,
    ) -> None:
        """Change a record's vector, metadata or contexts; a new vector moves its entangled
        partners (see :mod:`q_store.entanglement`)."""
        [record_id] = check_ids([id])
        with self._lock:
            found = self.store.fetch([record_id])
            if record_id not in found:
                raise ArgumentError("id", f"no record with id {record_id!r}")
            record = found[record_id]
            state = RecordState.decode(record.metadata)
            new_vector = record.vector if vector is None else self.store.check_vectors(vector, rows=None)[0]
            user = user_metadata(record.metadata)
            if metadata is not None:
                user = self._check_metadata_rows([metadata], 1)[0]
            if contexts is not _UNSET:
                names, probabilities = self._check_context_rows([contexts], 1)[0]  # type: ignore[list-item]
                state = attrs.evolve(state, contexts=names, probabilities=probabilities)
            ids, vectors, metas = [record_id], [new_vector], [{**user, **state.encode(self._expiry(state))}]
            if vector is not None and state.groups:
                ids, vectors, metas = self._with_partner_updates(
                    record_id, record.vector, new_vector, state, ids, vectors, metas
                )
            self.store.write_checked(ids, np.stack(vectors), metas)
            self._update_catalog(
                [(state.contexts, state.probabilities)], state.coherence_ms is not None, len(new_vector)
            )

    def delete(self, ids: str | Sequence[str]) -> int:
        """Delete records (missing ids are ignored) and remove them from their groups; returns how
        many existed."""
        checked = check_ids([ids] if isinstance(ids, str) else ids, allow_duplicates=True)
        with self._lock:
            found = self.store.fetch(checked)
            affected = {g for record in found.values() for g in RecordState.decode(record.metadata).groups}
            self.store.delete(list(found))
            for group_id in affected:
                self._remove_members(group_id, set(found))
        return len(found)

    def create_entangled_group(
        self, group_id: str, entity_ids: Sequence[str], correlation_strength: float = 0.85
    ) -> EntangledGroup:
        """Tie existing records together (see :mod:`q_store.entanglement`)."""
        if not self.config.enable_entanglement:
            raise CapabilityError("entanglement is disabled (DatabaseConfig(enable_entanglement=False))")
        if not isinstance(group_id, str) or not group_id.strip():
            raise ArgumentError("group_id", f"must be a non-empty string, got {group_id!r}")
        members = check_ids(entity_ids)
        if len(members) < 2:
            raise ArgumentError("entity_ids", "a group needs at least two records")
        strength = check_strength(correlation_strength)
        with self._lock:
            if group_id in self._groups:
                raise ArgumentError("group_id", f"group {group_id!r} already exists")
            found = self.store.fetch(members)
            missing = [m for m in members if m not in found]
            if missing:
                raise ArgumentError("entity_ids", f"no records with ids {missing}")
            group = EntangledGroup(group_id, tuple(members), strength)
            records = [found[m] for m in members]
            metas = []
            for record in records:
                state = RecordState.decode(record.metadata)
                state = attrs.evolve(state, groups=(*state.groups, group_id))
                metas.append({**user_metadata(record.metadata), **state.encode(self._expiry(state))})
            self.store.upsert(members, np.stack([r.vector for r in records]), metas)
            self._write_group(group)
        return group

    def entangled_group(self, group_id: str) -> EntangledGroup | None:
        return self._groups.get(group_id)

    def apply_decoherence(self) -> int:
        """Remove every record whose coherence fell under the threshold; returns how many."""
        with self._lock:
            expired = self._ids_matching(expired_filter(self._now_ms()))
            return self.delete(expired) if expired else 0

    # ------------------------------------------------------------------ reading

    def fetch(self, ids: Sequence[str]) -> dict[str, StoredRecord]:
        """Records by id with their contexts (probabilities) and current coherence."""
        now = self._now_ms()
        found = self.store.fetch(check_ids(ids, allow_duplicates=True))
        result = {}
        for record_id, record in found.items():
            state = RecordState.decode(record.metadata)
            result[record_id] = StoredRecord(
                record_id,
                record.vector,
                user_metadata(record.metadata),
                dict(zip(state.contexts, state.probabilities, strict=True)),
                coherence(now, state.inserted_at_ms, state.coherence_ms),
                state.groups,
            )
        return result

    def query(
        self,
        vector: ArrayLike,
        context: str | None = None,
        top_k: int = 10,
        filter: Mapping[str, Any] | None = None,
        enable_tunneling: bool = False,
        include_entangled: bool = False,
        *,
        collapse: Collapse = "auto",
        include_vectors: bool = False,
    ) -> list[QueryResult]:
        """The ``top_k`` records ranked by ``relevance * p_context * coherence``.

        With ``context``, only records carrying it. ``collapse`` names each result's context:
        'most_probable', 'measure' (a Born-rule sample), or 'auto' (measure exactly when
        ``enable_quantum``). ``enable_tunneling=True`` is :meth:`tunnel_search` with its defaults.
        """
        if enable_tunneling:
            return self.tunnel_search(
                vector, top_k=top_k, context=context, filter=filter, include_entangled=include_entangled
            )
        q = self._check_query(vector, top_k, context, collapse)
        with self._lock:
            now = self._now_ms()
            user_filter = parse_filter(filter)
            ranked = self._ranked(
                q,
                conjunction(user_filter, self._visibility(now), self._context_filter(context)),
                top_k,
                context,
                now,
                include_vectors,
            )
            results = self._results(ranked[:top_k], context, collapse, now)
            if include_entangled:
                results = self._add_partners(q, results, context, user_filter, now)
        return results

    def tunnel_search(
        self,
        query: ArrayLike,
        barrier_threshold: float = 0.8,
        tunneling_strength: float = 0.6,
        top_k: int = 10,
        *,
        context: str | None = None,
        filter: Mapping[str, Any] | None = None,
        energy: str | None = None,
        min_similarity: float = 0.0,
        include_entangled: bool = False,
        collapse: Collapse = "auto",
    ) -> list[QueryResult]:
        """Search that can reach relevant records outside the query's basin (see
        :mod:`q_store.tunneling` for every formula). ``barrier_threshold`` and
        ``min_similarity`` are cosine similarities; ``energy`` names a numeric metadata field
        (lower is better) that restricts tunneling to better basins."""
        if not self.config.enable_tunneling:
            raise CapabilityError("tunneling is disabled (DatabaseConfig(enable_tunneling=False))")
        barrier = _number_in("barrier_threshold", barrier_threshold, -1.0, 1.0)
        strength = _number_in("tunneling_strength", tunneling_strength, 0.0, math.inf)
        floor = _number_in("min_similarity", min_similarity, -1.0, 1.0)
        if energy is not None and (not isinstance(energy, str) or not energy):
            raise ArgumentError("energy", f"must be a metadata field name or None, got {energy!r}")
        q = self._check_query(query, top_k, context, collapse)
        with self._lock:
            now = self._now_ms()
            user_filter = parse_filter(filter)
            combined = conjunction(user_filter, self._visibility(now), self._context_filter(context))
            pool = self._ranked(
                q, combined, max(top_k, min(MAX_POOL, 10 * top_k, MAX_TOP_K)), context, now, True
            )
            if not pool:
                return []
            vectors = np.stack([match.vector for match, _, _ in pool]).astype(np.float64)  # type: ignore[misc]
            units = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
            similarity = units @ (q.astype(np.float64) / np.linalg.norm(q))
            scores = np.array([score for _, score, _ in pool])
            energies = None
            if energy is not None:
                energies = np.array([_numeric(m.metadata, energy) for m, _, _ in pool])
            sampler = self._sampler()
            selections = plan(
                similarity,
                scores,
                units,
                top_k=top_k,
                barrier=barrier,
                strength=strength,
                min_similarity=floor,
                energy=energies,
                admit=lambda probabilities: [
                    outcome == 1
                    for outcome in (
                        sampler.sample([[1.0 - t, t] for t in probabilities])
                        if sampler.quantum
                        else [int(t >= 0.5) for t in probabilities]
                    )
                ],
            )
            chosen = [(pool[s.index][0], s.score, pool[s.index][2]) for s in selections]
            results = self._results(chosen, context, collapse, now)
            results = [
                attrs.evolve(r, tunneled=s.tunneled, transmission=s.transmission, basin=s.basin, vector=None)
                for r, s in zip(results, selections, strict=True)
            ]
            if include_entangled:
                results = self._add_partners(q, results, context, user_filter, now)
        return results

    def stats(self) -> DatabaseStats:
        counts = self.store.stats().namespaces
        return DatabaseStats(
            records=sum(n for ns, n in counts.items() if ns != SYSTEM_NAMESPACE),
            dimension=self.store.dimension,
            metric=self.store.metric,
            store=self.store.name,
            contexts=tuple(sorted(self._context_bounds)),
            groups=tuple(sorted(self._groups)),
        )

    def close(self) -> None:
        self._stop.set()
        if self._sweeper is not None:
            self._sweeper.join(timeout=5)
        self.store.close()
        if self._backend is not None:
            self._backend.close()

    def __enter__(self) -> QuantumDatabase:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ------------------------------------------------------------------ ranking

    def _ranked(
        self,
        q: NDArray[np.float32],
        store_filter: Filter | None,
        top_k: int,
        context: str | None,
        now: float,
        include_values: bool,
    ) -> list[tuple[Match, float, RecordState]]:
        """Candidates with their scores, best first, exact for the first ``top_k``."""
        # No record scores above p_max * relevance, where p_max bounds the queried context's
        # probability (1 without a context) and coherence is at most 1.
        p_max = self._context_bounds.get(context, 1.0) if context is not None else 1.0
        fetch = top_k
        while True:
            matches = self.store.query_checked(q, fetch, store_filter, "", include_values, True)
            if not matches:
                return []
            relevances = relevance(np.array([m.score for m in matches]), self.store.metric)
            scored = []
            for match, r in zip(matches, relevances.tolist(), strict=True):
                state = RecordState.decode(match.metadata or {})
                p = state.probability_of(context) if context is not None else 1.0
                c = coherence(now, state.inserted_at_ms, state.coherence_ms)
                scored.append((match, r * p * c, state))
            scored.sort(key=lambda item: -item[1])
            exhausted = len(matches) < fetch or fetch >= MAX_TOP_K
            # The certificate: once the k-th score reaches the bound of the least similar
            # candidate, no unseen (less similar) record can enter the top k.
            if exhausted or scored[min(top_k, len(scored)) - 1][1] >= p_max * relevances[-1]:
                return scored
            fetch = min(fetch * 4, MAX_TOP_K)

    def _results(
        self,
        ranked: Sequence[tuple[Match, float, RecordState]],
        context: str | None,
        collapse: Collapse,
        now: float,
    ) -> list[QueryResult]:
        measure = collapse == "measure" or (collapse == "auto" and self.config.enable_quantum)
        collapsed: list[tuple[str, float] | None]
        if context is not None:
            collapsed = [(context, state.probability_of(context)) for _, _, state in ranked]
        elif measure:
            with_contexts = [i for i, (_, _, s) in enumerate(ranked) if s.contexts]
            draws = self._sampler().sample([ranked[i][2].probabilities for i in with_contexts])
            collapsed = [None] * len(ranked)
            for i, draw in zip(with_contexts, draws, strict=True):
                state = ranked[i][2]
                collapsed[i] = (state.contexts[draw], state.probabilities[draw])
        else:
            collapsed = [most_probable(s.contexts, s.probabilities) for _, _, s in ranked]
        return [
            QueryResult(
                id=match.id,
                score=score,
                similarity=match.score,
                metadata=user_metadata(match.metadata or {}),
                context=None if named is None else named[0],
                context_probability=None if named is None else named[1],
                coherence=coherence(now, state.inserted_at_ms, state.coherence_ms),
                vector=match.vector,
            )
            for (match, score, state), named in zip(ranked, collapsed, strict=True)
        ]

    def _add_partners(
        self,
        q: NDArray[np.float32],
        results: list[QueryResult],
        context: str | None,
        user_filter: Filter | None,
        now: float,
    ) -> list[QueryResult]:
        present = {r.id for r in results}
        wanted: dict[str, tuple[QueryResult, float]] = {}
        for result in results:
            for group in self._groups.values():
                if result.id not in group.members:
                    continue
                for partner in group.members:
                    score = group.strength * result.score
                    if partner not in present and score > wanted.get(partner, (result, -1.0))[1]:
                        wanted[partner] = (result, score)
        if not wanted:
            return results
        found = self.store.fetch(list(wanted))
        added = []
        for partner, record in found.items():
            state = RecordState.decode(record.metadata)
            expires = self._expiry(state)
            if expires is not None and expires <= now:
                continue
            if context is not None and context not in state.contexts:
                continue
            if not matches(user_filter, user_metadata(record.metadata)):
                continue
            member, score = wanted[partner]
            named = (
                (context, state.probability_of(context))
                if context
                else most_probable(state.contexts, state.probabilities)
            )
            added.append(
                QueryResult(
                    id=partner,
                    score=score,
                    similarity=_similarity(q, record.vector, self.store.metric),
                    metadata=user_metadata(record.metadata),
                    context=None if named is None else named[0],
                    context_probability=None if named is None else named[1],
                    coherence=coherence(now, state.inserted_at_ms, state.coherence_ms),
                    entangled_with=member.id,
                )
            )
        return sorted(results + added, key=lambda r: -r.score)

    # ------------------------------------------------------------------ helpers

    def _now_ms(self) -> float:
        return float(self._clock()) * 1000.0

    def _visibility(self, now: float) -> Filter | None:
        # Without a record that can expire there is nothing to hide (and the filter is not free:
        # some stores evaluate range conditions row by row).
        return visible_filter(now) if self.config.enable_decoherence and self._expiring else None

    @staticmethod
    def _context_filter(context: str | None) -> Filter | None:
        return None if context is None else Comparison("_qs_contexts", "$eq", context)

    def _expiry(self, state: RecordState) -> float | None:
        if not self.config.enable_decoherence:
            return None
        return expiry_ms(state.inserted_at_ms, state.coherence_ms, self.config.decoherence_threshold)

    def _sampler(self) -> BornSampler:
        if not self.config.enable_quantum:
            return BornSampler(self._rng)
        if self._backend is None:
            self._backend = create_backend(self.config, registry=self._registry)
        return BornSampler(self._rng, self._backend)

    def _check_query(
        self, vector: ArrayLike, top_k: int, context: str | None, collapse: str
    ) -> NDArray[np.float32]:
        q: NDArray[np.float32] = self.store.check_vectors(vector, rows=None)[0]
        check_top_k(top_k)
        if collapse not in ("auto", "most_probable", "measure"):
            raise ArgumentError("collapse", f"must be 'auto', 'most_probable' or 'measure', got {collapse!r}")
        if context is not None:
            if not isinstance(context, str) or not context:
                raise ArgumentError("context", f"must be a context name or None, got {context!r}")
            if context not in self._context_bounds:
                known = ", ".join(sorted(self._context_bounds)) or "none yet"
                raise ArgumentError("context", f"no record carries context {context!r} (known: {known})")
        return q

    def _check_context_rows(
        self, contexts: Sequence[ContextsInput] | None, rows: int
    ) -> list[tuple[tuple[str, ...], tuple[float, ...]]]:
        if contexts is None:
            return [((), ())] * rows
        if isinstance(contexts, (str, Mapping)) or len(contexts) != rows:
            raise ArgumentError("contexts", f"must be a list with one entry per record ({rows})")
        checked = [normalize_contexts(c, argument="contexts") for c in contexts]
        if not self.config.enable_superposition and any(len(names) > 1 for names, _ in checked):
            raise CapabilityError(
                "superposition is disabled (DatabaseConfig(enable_superposition=False)): "
                "give each record one context"
            )
        return checked

    @staticmethod
    def _check_metadata_rows(
        metadata: Sequence[Mapping[str, Any] | None] | None, rows: int
    ) -> list[dict[str, Any]]:
        if metadata is None:
            return [{} for _ in range(rows)]
        if isinstance(metadata, Mapping) or len(metadata) != rows:
            raise ArgumentError("metadata", f"must be a list with one mapping (or None) per record ({rows})")
        checked = []
        for item in metadata:
            values = check_metadata(item)
            check_user_metadata(values)
            checked.append(values)
        return checked

    def _check_coherence(self, coherence_time: object) -> float | None:
        if coherence_time is _UNSET:
            return self.config.default_coherence_time if self.config.enable_decoherence else None
        if coherence_time is None:
            return None
        if (
            isinstance(coherence_time, bool)
            or not isinstance(coherence_time, (int, float))
            or not math.isfinite(coherence_time)
            or coherence_time <= 0
        ):
            raise ArgumentError(
                "coherence_time", f"must be a positive number of milliseconds or None, got {coherence_time!r}"
            )
        if not self.config.enable_decoherence:
            raise CapabilityError("decoherence is disabled (DatabaseConfig(enable_decoherence=False))")
        return float(coherence_time)

    def _existing_groups(self, ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
        """Group memberships of records about to be overwritten (kept across re-inserts)."""
        if not self._groups:
            return {}
        members = {m for g in self._groups.values() for m in g.members}
        return {
            i: tuple(g for g, group in self._groups.items() if i in group.members)
            for i in ids
            if i in members
        }

    def _with_partner_updates(
        self,
        record_id: str,
        old: NDArray[np.float32],
        new: NDArray[np.float32],
        state: RecordState,
        ids: list[str],
        vectors: list[NDArray[np.float32]],
        metas: list[dict[str, Any]],
    ) -> tuple[list[str], list[NDArray[np.float32]], list[dict[str, Any]]]:
        moves: dict[str, list[float]] = {}
        for group_id in state.groups:
            group = self._groups[group_id]
            for partner in group.members:
                if partner != record_id:
                    moves.setdefault(partner, []).append(group.strength)
        partners = self.store.fetch(list(moves))
        for partner, record in partners.items():
            moved = record.vector
            for strength in moves[partner]:
                moved = correlated_update(moved, old, new, strength, self.store.metric, partner)
            ids.append(partner)
            vectors.append(moved)
            metas.append(dict(record.metadata))
        return ids, vectors, metas

    def _ids_matching(self, store_filter: Filter) -> list[str]:
        if self.store.dimension is None:
            return []
        probe = np.ones(self.store.dimension, dtype=np.float32)
        matches = self.store.query(probe, top_k=MAX_TOP_K, filter=store_filter, include_metadata=False)
        return [m.id for m in matches]

    # ------------------------------------------------------------------ bookkeeping records

    def _system_vector(self, dimension: int) -> NDArray[np.float32]:
        vector = np.zeros((1, dimension), dtype=np.float32)
        vector[0, 0] = 1.0
        return vector

    def _load_system_records(self) -> None:
        if self.store.dimension is None:
            return
        for record in self.store.fetch([_CATALOG_RECORD], namespace=SYSTEM_NAMESPACE).values():
            catalog = json.loads(record.metadata["state"])
            self._context_bounds = {name: float(p) for name, p in catalog["contexts"].items()}
            self._expiring = bool(catalog["expiring"])
        for match in self.store.query(
            self._system_vector(self.store.dimension)[0], top_k=MAX_TOP_K, namespace=SYSTEM_NAMESPACE
        ):
            if match.id.startswith(_GROUP_PREFIX) and match.metadata is not None:
                group_id = match.id[len(_GROUP_PREFIX) :]
                self._groups[group_id] = EntangledGroup(
                    group_id, tuple(match.metadata["members"]), float(match.metadata["strength"])
                )

    def _update_catalog(
        self,
        context_rows: Sequence[tuple[tuple[str, ...], tuple[float, ...]]],
        expiring: bool,
        dimension: int,
    ) -> None:
        """Raise the stored context bounds and the expiry flag when new records need it.

        Bounds only grow (a deleted record may have set one): an upper bound stays valid.
        """
        bounds = dict(self._context_bounds)
        for names, probabilities in context_rows:
            for name, p in zip(names, probabilities, strict=True):
                if p > bounds.get(name, -1.0):
                    bounds[name] = p
        expiring = expiring or self._expiring
        if bounds == self._context_bounds and expiring == self._expiring:
            return
        self._context_bounds, self._expiring = bounds, expiring
        state = json.dumps({"contexts": bounds, "expiring": expiring})
        self.store.upsert(
            [_CATALOG_RECORD], self._system_vector(dimension), [{"state": state}], namespace=SYSTEM_NAMESPACE
        )

    def _write_group(self, group: EntangledGroup) -> None:
        assert self.store.dimension is not None
        self.store.upsert(
            [_GROUP_PREFIX + group.group_id],
            self._system_vector(self.store.dimension),
            [{"members": list(group.members), "strength": group.strength}],
            namespace=SYSTEM_NAMESPACE,
        )
        self._groups[group.group_id] = group

    def _remove_members(self, group_id: str, removed: set[str]) -> None:
        group = self._groups[group_id]
        remaining = tuple(m for m in group.members if m not in removed)
        if len(remaining) >= 2:
            self._write_group(attrs.evolve(group, members=remaining))
            return
        # A group of one is no group: dissolve it and clear the survivor's membership.
        del self._groups[group_id]
        self.store.delete([_GROUP_PREFIX + group_id], namespace=SYSTEM_NAMESPACE)
        for record_id, record in self.store.fetch(list(remaining)).items():
            state = RecordState.decode(record.metadata)
            state = attrs.evolve(state, groups=tuple(g for g in state.groups if g != group_id))
            self.store.upsert(
                [record_id],
                record.vector[None, :],
                [{**user_metadata(record.metadata), **state.encode(self._expiry(state))}],
            )

    def _start_sweep(self, interval: float) -> None:
        if isinstance(interval, bool) or not isinstance(interval, (int, float)) or not interval > 0:
            raise ArgumentError(
                "sweep_interval", f"must be a positive number of seconds or None, got {interval!r}"
            )

        def sweep() -> None:
            while not self._stop.wait(interval):
                self.apply_decoherence()

        self._sweeper = threading.Thread(target=sweep, name="q-store-decoherence", daemon=True)
        self._sweeper.start()


def _number_in(argument: str, value: object, low: float, high: float) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or not low <= value <= high
    ):
        raise ArgumentError(argument, f"must be a number in [{low}, {high}], got {value!r}")
    return float(value)


def _numeric(metadata: Mapping[str, Any] | None, field: str) -> float:
    value = (metadata or {}).get(field)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return math.nan
    return float(value)


def _similarity(q: NDArray[np.float32], x: NDArray[np.float32], metric: str) -> float:
    if metric == "cosine":
        return float(q @ x / (np.linalg.norm(q) * np.linalg.norm(x)))
    if metric == "dot":
        return float(q @ x)
    return -float(np.linalg.norm(q - x))
