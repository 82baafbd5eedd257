"""Finding, validating and listing plugins.

Plugins are Python distributions with an entry point in group ``q_store``. Loading is lazy (the
first lookup loads them), idempotent, and can be restricted with the environment variable
``Q_STORE_PLUGINS``: unset loads every installed plugin, a comma-separated list loads only those
entry-point names, and ``none`` (or an empty value) loads none, for hermetic tests. Plugins can also
be registered by hand with :meth:`PluginRegistry.register`.

A name that no plugin provides raises :class:`~q_store.errors.PluginNotFoundError` saying what to
install; there is never a silent fallback to another backend.
"""

from __future__ import annotations

import importlib.metadata
import inspect
import os
import re
import threading
from collections.abc import Mapping
from typing import Any, Final, Literal, cast

import attrs
import pluggy

from q_store import hookspecs
from q_store.backend import BackendCapabilities, QuantumBackend
from q_store.config import DatabaseConfig
from q_store.errors import PluginNotFoundError, PluginRegistrationError
from q_store.vector_store import StoreCapabilities, VectorStore

__all__ = [
    "AUTOLOAD_ENV",
    "ENTRY_POINT_GROUP",
    "PluginInfo",
    "PluginRegistry",
    "create_backend",
    "create_vector_store",
    "get_registry",
]

ENTRY_POINT_GROUP: Final = "q_store"
AUTOLOAD_ENV: Final = "Q_STORE_PLUGINS"
#: Where our own plugins live, for the "pip install ..." hint of a failed lookup.
FIRST_PARTY_DISTRIBUTIONS: Final[Mapping[str, str]] = {
    "mock": "q-store-mock",
    "memory": "q-store-mock",
    "cirq": "q-store-cirq",
    "qiskit": "q-store-qiskit",
    "pennylane": "q-store-pennylane",
    "ionq": "q-store-ionq",
    "pinecone": "q-store-pinecone",
    "milvus": "q-store-milvus",
}
#: Registered names whose entry point has another name (the mock plugin also provides 'memory').
ENTRY_POINT_HINTS: Final[Mapping[str, str]] = {"memory": "mock"}
_NAME: Final = re.compile(r"^[a-z][a-z0-9_.-]*$")

Kind = Literal["backend", "vector_store"]


@attrs.frozen
class PluginInfo:
    """One registered backend or vector store, as listed by ``q-store plugins``."""

    name: str
    kind: Kind
    plugin: str
    distribution: str | None
    version: str | None
    capabilities: Mapping[str, Any]


@attrs.frozen
class _Entry:
    name: str
    kind: Kind
    cls: type[Any]
    plugin: str


class PluginRegistry:
    """A pluggy plugin manager plus the backends and stores its plugins registered."""

    def __init__(self, *, autoload: bool = True) -> None:
        self._pm = pluggy.PluginManager("q_store")
        self._pm.add_hookspecs(hookspecs)
        self._autoload = autoload
        self._entry_points_loaded = False
        self._entries: dict[tuple[Kind, str], _Entry] | None = None
        self._distributions: dict[str, tuple[str | None, str | None]] = {}
        self._lock = threading.RLock()

    # ------------------------------------------------------------------ registration

    def register(self, plugin: object, name: str | None = None) -> str:
        """Register a plugin object (a module or object with ``@hookimpl`` functions) by hand."""
        with self._lock:
            return self._register(plugin, name)

    def _register(self, plugin: object, name: str | None) -> str:
        label = name or getattr(plugin, "__name__", None) or type(plugin).__name__
        try:
            registered = self._pm.register(plugin, name)
            self._pm.check_pending()
        except (ValueError, pluggy.PluginValidationError) as exc:
            if self._pm.is_registered(plugin):
                self._pm.unregister(plugin)
            raise PluginRegistrationError(label, str(exc)) from exc
        self._entries = None  # collect again, including this plugin's registrations
        return registered or label

    def _load_entry_points(self, only: str | None = None) -> None:
        # Our own loop rather than pluggy's load_setuptools_entrypoints: it lets Q_STORE_PLUGINS
        # select plugins, lets an import failure name the plugin that failed, and can load one
        # entry point alone (``only``).
        selection = autoload_selection()
        for entry_point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            if selection is not None and entry_point.name not in selection:
                continue
            if only is not None and entry_point.name != only:
                continue
            if self._pm.has_plugin(entry_point.name):
                continue
            try:
                plugin = entry_point.load()
            except Exception as exc:
                raise PluginRegistrationError(
                    entry_point.name, f"cannot be imported from {entry_point.value!r}: {exc}"
                ) from exc
            self._register(plugin, entry_point.name)
            dist = entry_point.dist
            self._distributions[entry_point.name] = (
                (dist.name, dist.version) if dist is not None else (None, None)
            )

    def _collected(self, *, wanted: tuple[Kind, str] | None = None) -> dict[tuple[Kind, str], _Entry]:
        """The registrations; loads entry points first when autoloading.

        With ``wanted``, the entry point that usually provides it (same name, or a hint) is loaded
        alone first: using the 'mock' backend should not import Qiskit, Cirq and every other
        installed SDK. Everything is loaded when that does not provide it, and for listings.
        """
        with self._lock:
            if self._autoload and not self._entry_points_loaded and wanted is not None:
                self._load_entry_points(only=ENTRY_POINT_HINTS.get(wanted[1], wanted[1]))
                if wanted in self._registrations():
                    return self._registrations()
            if self._autoload and not self._entry_points_loaded:
                self._load_entry_points()
                self._entry_points_loaded = True
            return self._registrations()

    def _registrations(self) -> dict[tuple[Kind, str], _Entry]:
        with self._lock:
            if self._entries is None:
                entries: dict[tuple[Kind, str], _Entry] = {}
                self._call_registration_hook("q_store_register_backends", "backend", entries)
                self._call_registration_hook("q_store_register_vector_stores", "vector_store", entries)
                self._entries = entries
            return self._entries

    def _call_registration_hook(
        self, hook_name: str, kind: Kind, entries: dict[tuple[Kind, str], _Entry]
    ) -> None:
        hook = getattr(self._pm.hook, hook_name)
        # Call each implementation separately so that every error names the plugin at fault.
        for impl in hook.get_hookimpls():  # registration order
            plugin = impl.plugin_name

            def register(name: str, cls: type[Any], _plugin: str = plugin) -> None:
                entry = _validated_entry(kind, name, cls, _plugin)
                existing = entries.get((kind, name))
                if existing is not None and existing.cls is not cls:
                    raise PluginRegistrationError(
                        _plugin, f"{kind} {name!r} is already registered by plugin {existing.plugin!r}"
                    )
                entries[(kind, name)] = entry

            try:
                impl.function(**{arg: register for arg in impl.argnames})
            except PluginRegistrationError:
                raise
            except Exception as exc:
                raise PluginRegistrationError(plugin, f"{hook_name} raised {exc!r}") from exc

    # ------------------------------------------------------------------ lookup

    def backend_names(self) -> list[str]:
        return sorted(name for kind, name in self._collected() if kind == "backend")

    def vector_store_names(self) -> list[str]:
        return sorted(name for kind, name in self._collected() if kind == "vector_store")

    def backend_class(self, name: str) -> type[QuantumBackend]:
        """The backend class registered as ``name``, or a PluginNotFoundError saying what to install."""
        return self._lookup("backend", name)

    def vector_store_class(self, name: str) -> type[VectorStore]:
        """The store class registered as ``name``, or a PluginNotFoundError saying what to install."""
        return self._lookup("vector_store", name)

    def _lookup(self, kind: Kind, name: str) -> type[Any]:
        entries = self._collected(wanted=(kind, name))
        entry = entries.get((kind, name))
        if entry is not None:
            return entry.cls
        noun = "quantum backend" if kind == "backend" else "vector store"
        installed = sorted(n for k, n in entries if k == kind) or ["none"]
        distribution = FIRST_PARTY_DISTRIBUTIONS.get(name)
        hint = (
            f"Install it with: pip install {distribution}"
            if distribution
            else f"Install the package that provides it (an entry point in group {ENTRY_POINT_GROUP!r})"
        )
        selection = autoload_selection()
        if selection is not None and self._autoload:
            hint += f" (plugin loading is restricted by {AUTOLOAD_ENV}={os.environ[AUTOLOAD_ENV]!r})"
        raise PluginNotFoundError(
            f"No {noun} named {name!r} is installed (installed: {', '.join(installed)}). {hint}."
        )

    def plugins(self) -> list[PluginInfo]:
        """Every registered backend and store with its distribution, version and capabilities."""
        infos = []
        for (kind, name), entry in sorted(self._collected().items()):
            distribution, version = self._distributions.get(entry.plugin, (None, None))
            if kind == "backend":
                capabilities = entry.cls.capabilities.summary()
            else:
                capabilities = entry.cls.capability_summary()
            infos.append(PluginInfo(name, kind, entry.plugin, distribution, version, capabilities))
        return infos


def _validated_entry(kind: Kind, name: object, cls: object, plugin: str) -> _Entry:
    if not isinstance(name, str) or not _NAME.match(name):
        raise PluginRegistrationError(
            plugin, f"registered the {kind} name {name!r}; names are lower-case like 'my-backend'"
        )
    base: type[Any] = QuantumBackend if kind == "backend" else VectorStore
    if not inspect.isclass(cls) or not issubclass(cls, base):
        raise PluginRegistrationError(
            plugin, f"{kind} {name!r} must be a subclass of q_store.{base.__name__}, got {cls!r}"
        )
    registered = cast("type[Any]", cls)
    if inspect.isabstract(registered):
        missing = ", ".join(sorted(getattr(registered, "__abstractmethods__", ())))
        raise PluginRegistrationError(plugin, f"{kind} {name!r} does not implement: {missing}")
    if registered.name != name:
        raise PluginRegistrationError(
            plugin, f"{kind} registered as {name!r} declares name = {registered.name!r}; make them equal"
        )
    capabilities = registered.capabilities
    if kind == "backend" and (
        not isinstance(capabilities, BackendCapabilities) or capabilities.max_qubits < 1
    ):
        raise PluginRegistrationError(
            plugin, f"backend {name!r} must declare capabilities = BackendCapabilities(max_qubits=...)"
        )
    if kind == "vector_store" and not isinstance(capabilities, StoreCapabilities):
        raise PluginRegistrationError(
            plugin, f"vector store {name!r} must declare capabilities = StoreCapabilities(...)"
        )
    return _Entry(name, kind, registered, plugin)


def autoload_selection() -> frozenset[str] | None:
    """Entry-point names allowed by ``Q_STORE_PLUGINS``; None when every plugin may load."""
    value = os.environ.get(AUTOLOAD_ENV)
    if value is None:
        return None
    names = frozenset(part.strip() for part in value.split(",") if part.strip())
    return frozenset() if names == {"none"} else names


_default_registry: PluginRegistry | None = None
_default_lock = threading.Lock()


def get_registry() -> PluginRegistry:
    """The process-wide registry, created (not loaded) on first use."""
    global _default_registry
    with _default_lock:
        if _default_registry is None:
            _default_registry = PluginRegistry()
        return _default_registry


def create_vector_store(
    config: DatabaseConfig | None = None,
    *,
    dimension: int | None = None,
    registry: PluginRegistry | None = None,
) -> VectorStore:
    """The vector store selected by ``config`` (see ``DatabaseConfig.resolved_vector_store``)."""
    config = DatabaseConfig() if config is None else config
    store_class = (registry or get_registry()).vector_store_class(config.resolved_vector_store)
    return store_class.from_config(config, dimension=dimension)


def create_backend(
    config: DatabaseConfig | None = None, *, registry: PluginRegistry | None = None
) -> QuantumBackend:
    """The backend selected by ``config.quantum_sdk``, built from ``config``."""
    config = DatabaseConfig() if config is None else config
    backend_class = (registry or get_registry()).backend_class(config.quantum_sdk)
    return backend_class.from_config(config)
