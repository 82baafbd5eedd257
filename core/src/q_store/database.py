"""`QuantumDatabase`: a vector database whose quantum words have precise meanings.

The words, each with its formula (docs/concepts.md has them all):

* superposition, contexts and collapse: :mod:`q_store.contexts` and :mod:`q_store.sampling`;
* tunneling: :mod:`q_store.tunneling`;
* entanglement: :mod:`q_store.entanglement`;
* decoherence: :mod:`q_store.decoherence`.

A query ranks records by ``relevance * p_context * coherence``, exactly (:mod:`q_store.ranking`);
the database's own bookkeeping lives in the store (:mod:`q_store.catalog`, :mod:`q_store.records`),
so a persistent store reopened later knows it.

With ``enable_quantum=False`` every answer is computed exactly and classically; with
``enable_quantum=True`` context collapse and the tunneling choice are measured on the configured
quantum backend.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final, Literal

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from q_store.backend import QuantumBackend
from q_store.catalog import Catalog
from q_store.config import DatabaseConfig
from q_store.contexts import ContextsInput, most_probable
from q_store.database_checks import (
    UNSET,
    check_coherence,
    check_context_rows,
    check_metadata_rows,
    check_query_options,
    number_in,
)
from q_store.decoherence import coherence, expired_filter, expiry_ms, visible_filter
from q_store.entanglement import EntangledGroup, check_strength, correlated_update
from q_store.errors import ArgumentError, CapabilityError
from q_store.filters import Comparison, Filter, conjunction, matches, parse_filter
from q_store.plugins import PluginRegistry, create_backend, create_vector_store
from q_store.ranking import Ranked, numeric, rank, similarity
from q_store.records import (
    SYSTEM_NAMESPACE,
    QueryResult,
    RecordState,
    StoredRecord,
    user_metadata,
)
from q_store.sampling import BornSampler
from q_store.tunneling import MAX_POOL, plan
from q_store.vector_store import MAX_TOP_K, VectorStore, check_ids

__all__ = ["DatabaseStats", "QuantumDatabase"]

Collapse = Literal["auto", "most_probable", "measure"]
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
        if backend is None and self.config.enable_quantum:
            # Now, not at the first query: a misspelt backend or a missing key fails before any
            # data is written.
            backend = create_backend(self.config, registry=registry)
        try:
            self.store = store if store is not None else create_vector_store(self.config, registry=registry)
        except BaseException:
            if backend is not None:
                backend.close()
            raise
        self._backend = backend
        self._clock = clock if clock is not None else time.time
        self._rng = np.random.default_rng(self.config.seed)
        self._lock = threading.RLock()
        self._catalog = Catalog(self.store)
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
        coherence_time: float | object | None = UNSET,
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
        coherence_time: float | object | None = UNSET,
    ) -> int:
        """Store many records at once; all are validated before any is written."""
        checked_ids = check_ids(ids)
        matrix = self.store.check_vectors(vectors, rows=len(checked_ids))
        rows = len(checked_ids)
        context_rows = check_context_rows(contexts, rows, superposition=self.config.enable_superposition)
        metadata_rows = check_metadata_rows(metadata, rows)
        coherence_ms = check_coherence(coherence_time, self.config, default=coherence_time is UNSET)
        if not rows:
            return 0
        with self._lock:
            now = self._now_ms()
            existing_groups = self._catalog.groups_of(checked_ids)
            # Rows without contexts or groups share one encoded state (the common bulk case).
            plain = RecordState((), (), now, coherence_ms, ())
            shared = plain.encode(self._expiry(plain))
            if contexts is None and not existing_groups:  # the bulk case: no per-row state
                encoded = [{**user, **shared} for user in metadata_rows]
            else:
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
            self._catalog.record_writes(
                [row for row in context_rows if row[0]] if contexts is not None else [],
                coherence_ms is not None,
            )
        return rows

    def update(
        self,
        id: str,
        vector: ArrayLike | None = None,
        *,
        metadata: Mapping[str, Any] | None = None,
        contexts: ContextsInput | object = UNSET,
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
                user = check_metadata_rows([metadata], 1)[0]
            if contexts is not UNSET:
                new_contexts: ContextsInput = contexts  # type: ignore[assignment]  # not UNSET here
                names, probabilities = check_context_rows(
                    [new_contexts], 1, superposition=self.config.enable_superposition
                )[0]
                state = attrs.evolve(state, contexts=names, probabilities=probabilities)
            ids, vectors, metas = [record_id], [new_vector], [{**user, **state.encode(self._expiry(state))}]
            if vector is not None and state.groups:
                ids, vectors, metas = self._with_partner_updates(
                    record_id, record.vector, new_vector, state, ids, vectors, metas
                )
            self.store.write_checked(ids, np.stack(vectors), metas)
            self._catalog.record_writes(
                [(state.contexts, state.probabilities)], state.coherence_ms is not None
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
                self._leave_group(group_id, set(found))
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
            if group_id in self._catalog.groups:
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
            self._catalog.write_group(group)
        return group

    def entangled_group(self, group_id: str) -> EntangledGroup | None:
        return self._catalog.groups.get(group_id)

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
            combined = conjunction(user_filter, self._visibility(now), self._context_filter(context))
            ranked = self._rank(q, combined, top_k, context, now, include_values=include_vectors)
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
        barrier = number_in("barrier_threshold", barrier_threshold, -1.0, 1.0)
        strength = number_in("tunneling_strength", tunneling_strength, 0.0, math.inf)
        floor = number_in("min_similarity", min_similarity, -1.0, 1.0)
        if energy is not None and (not isinstance(energy, str) or not energy):
            raise ArgumentError("energy", f"must be a metadata field name or None, got {energy!r}")
        q = self._check_query(query, top_k, context, collapse)
        with self._lock:
            now = self._now_ms()
            user_filter = parse_filter(filter)
            combined = conjunction(user_filter, self._visibility(now), self._context_filter(context))
            pool_size = max(top_k, min(MAX_POOL, 10 * top_k, MAX_TOP_K))
            pool = self._rank(q, combined, pool_size, context, now, include_values=True)
            if not pool:
                return []
            vectors = np.stack([match.vector for match, _, _ in pool]).astype(np.float64)  # type: ignore[misc]
            units = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
            cosines = units @ (q.astype(np.float64) / np.linalg.norm(q))
            scores = np.array([score for _, score, _ in pool])
            energies = None
            if energy is not None:
                energies = np.array([numeric(m.metadata, energy) for m, _, _ in pool])
            sampler = self._sampler()
            selections = plan(
                cosines,
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
            contexts=tuple(sorted(self._catalog.context_bounds)),
            groups=tuple(sorted(self._catalog.groups)),
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

    # ------------------------------------------------------------------ results

    def _rank(
        self,
        q: NDArray[np.float32],
        store_filter: Filter | None,
        top_k: int,
        context: str | None,
        now: float,
        *,
        include_values: bool,
    ) -> list[Ranked]:
        # The certificate's bound: the largest probability any record gives the context.
        p_max = self._catalog.context_bounds.get(context, 1.0) if context is not None else 1.0
        return rank(
            self.store,
            q,
            store_filter,
            top_k,
            context=context,
            p_max=p_max,
            now_ms=now,
            include_values=include_values,
        )

    def _results(
        self,
        ranked: Sequence[Ranked],
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
            for group in self._catalog.groups.values():
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
                    similarity=similarity(q, record.vector, self.store.metric),
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
        return visible_filter(now) if self.config.enable_decoherence and self._catalog.expiring else None

    @staticmethod
    def _context_filter(context: str | None) -> Filter | None:
        return None if context is None else Comparison("_qs_contexts", "$eq", context)

    def _expiry(self, state: RecordState) -> float | None:
        if not self.config.enable_decoherence:
            return None
        return expiry_ms(state.inserted_at_ms, state.coherence_ms, self.config.decoherence_threshold)

    def _sampler(self) -> BornSampler:
        return BornSampler(self._rng, self._backend if self.config.enable_quantum else None)

    def _check_query(
        self, vector: ArrayLike, top_k: int, context: str | None, collapse: str
    ) -> NDArray[np.float32]:
        q: NDArray[np.float32] = self.store.check_vectors(vector, rows=None)[0]
        check_query_options(top_k, context, collapse, self._catalog.context_bounds)
        return q

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
            group = self._catalog.groups[group_id]
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

    def _leave_group(self, group_id: str, removed: set[str]) -> None:
        """Take ``removed`` out of the group; when it dissolves, clear the survivor's membership."""
        for record_id, record in self.store.fetch(
            list(self._catalog.remove_members(group_id, removed))
        ).items():
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
