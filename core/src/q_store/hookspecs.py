"""The hooks a Q-Store plugin can implement. Full reference with examples: ``docs/hooks.md``.

Both hooks are registration hooks: the plugin receives a ``register`` callback and calls it once
per thing it provides. The registered object carries the behaviour, so these signatures stay
stable while backends and stores grow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import pluggy

if TYPE_CHECKING:
    from q_store.backend import QuantumBackend
    from q_store.vector_store import VectorStore

__all__ = ["BackendRegistrar", "StoreRegistrar", "hookimpl", "hookspec"]

hookspec = pluggy.HookspecMarker("q_store")
hookimpl = pluggy.HookimplMarker("q_store")


class BackendRegistrar(Protocol):
    def __call__(self, name: str, backend: type[QuantumBackend]) -> None: ...


class StoreRegistrar(Protocol):
    def __call__(self, name: str, store: type[VectorStore]) -> None: ...


@hookspec
def q_store_register_backends(register: BackendRegistrar) -> None:
    """Register quantum backends: ``register("name", BackendClass)``.

    ``BackendClass`` subclasses :class:`q_store.QuantumBackend`, implements ``execute`` and
    declares ``capabilities``. Users select it with ``DatabaseConfig(quantum_sdk="name")``.
    """


@hookspec
def q_store_register_vector_stores(register: StoreRegistrar) -> None:
    """Register vector stores: ``register("name", StoreClass)``.

    ``StoreClass`` subclasses :class:`q_store.VectorStore`. Users select it with
    ``DatabaseConfig(vector_store="name")``.
    """
