"""The plugin system: entry-point discovery, lazy idempotent loading, the environment switch,
validation of what plugins register, and lookups that say what to install."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from dense_backend import DenseBackend

from q_store import (
    DatabaseConfig,
    PluginNotFoundError,
    PluginRegistrationError,
    PluginRegistry,
    QuantumLayer,
    VectorStore,
    create_backend,
    create_vector_store,
    hookimpl,
)
from q_store.plugins import AUTOLOAD_ENV
from q_store_mock import MemoryStore, MockBackend


def make_distribution(
    root: Path, name: str, version: str, entry_points: dict[str, str], modules: dict[str, str]
) -> None:
    """An installed distribution as importlib.metadata sees it: a dist-info folder on sys.path."""
    dist_info = root / f"{name.replace('-', '_')}-{version}.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    lines = "\n".join(f"{ep} = {target}" for ep, target in entry_points.items())
    (dist_info / "entry_points.txt").write_text(f"[q_store]\n{lines}\n")
    for module, source in modules.items():
        (root / f"{module}.py").write_text(textwrap.dedent(source))


PLUGIN_SOURCE = """
    from pathlib import Path
    from q_store import hookimpl
    from dense_backend import DenseBackend

    Path({marker!r}).open("a").write("imported\\n")

    class {cls}(DenseBackend):
        name = {backend!r}

    @hookimpl
    def q_store_register_backends(register):
        register({backend!r}, {cls})
"""


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "site"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    monkeypatch.delenv(AUTOLOAD_ENV, raising=False)
    return root


def add_plugin(site: Path, tmp_path: Path, plugin: str, backend: str) -> Path:
    marker = tmp_path / f"{plugin}.imported"
    source = PLUGIN_SOURCE.format(
        marker=str(marker), cls=backend.replace("-", "_").title() + "Backend", backend=backend
    )
    make_distribution(
        site, f"{plugin}-dist", "1.2.3", {plugin: f"{plugin}_module"}, {f"{plugin}_module": source}
    )
    return marker


def test_entry_point_plugins_are_discovered_and_listed(site: Path, tmp_path: Path) -> None:
    add_plugin(site, tmp_path, "fakeone", "fake-one")
    registry = PluginRegistry()
    assert "fake-one" in registry.backend_names()
    assert "mock" in registry.backend_names()  # the installed q-store-mock, through the same hook
    infos = {info.name: info for info in registry.plugins()}
    assert infos["fake-one"].distribution == "fakeone-dist"
    assert infos["fake-one"].version == "1.2.3"
    assert infos["fake-one"].kind == "backend"
    assert infos["fake-one"].capabilities["max_qubits"] == 8
    assert infos["mock"].distribution == "q-store-mock"
    assert infos["mock"].capabilities["native_diff_methods"] == ["backprop", "adjoint"]


def test_loading_is_lazy_and_idempotent(site: Path, tmp_path: Path) -> None:
    marker = add_plugin(site, tmp_path, "lazyone", "lazy-one")
    registry = PluginRegistry()
    assert not marker.exists(), "creating a registry must not import plugins"
    registry.backend_names()
    registry.backend_class("lazy-one")
    registry.plugins()
    assert marker.read_text() == "imported\n"


def test_environment_variable_selects_plugins(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_plugin(site, tmp_path, "keepme", "keep-me")
    add_plugin(site, tmp_path, "skipme", "skip-me")
    monkeypatch.setenv(AUTOLOAD_ENV, "keepme")
    assert PluginRegistry().backend_names() == ["keep-me"]


def test_environment_variable_disables_autoload(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = add_plugin(site, tmp_path, "never", "never")
    monkeypatch.setenv(AUTOLOAD_ENV, "none")
    registry = PluginRegistry()
    assert registry.backend_names() == []
    with pytest.raises(PluginNotFoundError, match=AUTOLOAD_ENV):
        registry.backend_class("mock")
    assert not marker.exists()


def test_a_plugin_that_fails_to_import_is_named(site: Path) -> None:
    make_distribution(
        site,
        "broken-dist",
        "0.1",
        {"broken": "broken_module"},
        {"broken_module": "raise ImportError('needs libfoo')"},
    )
    with pytest.raises(PluginRegistrationError, match="libfoo") as info:
        PluginRegistry().backend_names()
    assert info.value.plugin == "broken"


def test_unknown_backend_says_what_to_install(registry: PluginRegistry) -> None:
    with pytest.raises(PluginNotFoundError, match="pip install q-store-cirq") as info:
        registry.backend_class("cirq")
    assert isinstance(info.value, LookupError)
    assert "installed: mock" in str(info.value)
    with pytest.raises(PluginNotFoundError, match="entry point in group 'q_store'"):
        registry.backend_class("mythical")
    with pytest.raises(PluginNotFoundError, match="pip install q-store-milvus"):
        registry.vector_store_class("milvus")


def test_no_silent_fallback_to_another_backend(registry: PluginRegistry) -> None:
    with pytest.raises(PluginNotFoundError, match="cirq"):
        create_backend(DatabaseConfig(quantum_sdk="cirq"), registry=registry)


def test_the_layer_refuses_an_uninstalled_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(AUTOLOAD_ENV, "mock")  # whatever else is installed, only the mock loads
    import q_store.plugins as plugins

    monkeypatch.setattr(plugins, "_default_registry", None)
    with pytest.raises(PluginNotFoundError, match="pip install q-store-qiskit"):
        QuantumLayer(2, 1, DatabaseConfig(quantum_sdk="qiskit"))


def test_create_backend_passes_backend_options(registry: PluginRegistry) -> None:
    backend = create_backend(DatabaseConfig(backend_options={"precision": "double"}), registry=registry)
    assert isinstance(backend, MockBackend)
    assert backend.precision == "double"


class _Abstract(DenseBackend.__mro__[1]):  # type: ignore[misc,valid-type]
    """A QuantumBackend subclass that forgot execute()."""

    name = "abstract"


class _Nameless(DenseBackend):
    name = "something-else"


class _NoCapabilities(DenseBackend):
    name = "nocaps"
    capabilities = DenseBackend.__mro__[1].capabilities  # the base's max_qubits=0 placeholder


@pytest.mark.parametrize(
    ("name", "registered", "message"),
    [
        ("Bad Name", DenseBackend, "lower-case"),
        ("dense", DenseBackend(), "must be a subclass"),
        ("dense", int, "must be a subclass"),
        ("abstract", _Abstract, "does not implement: execute"),
        ("dense", _Nameless, "declares name = 'something-else'"),
        ("nocaps", _NoCapabilities, "capabilities"),
    ],
)
def test_invalid_registrations_name_the_plugin(name: str, registered: object, message: str) -> None:
    class Plugin:
        @hookimpl
        def q_store_register_backends(self, register):  # type: ignore[no-untyped-def]
            register(name, registered)

    registry = PluginRegistry(autoload=False)
    registry.register(Plugin(), "offender")
    with pytest.raises(PluginRegistrationError, match=message) as info:
        registry.backend_names()
    assert info.value.plugin == "offender"
    assert "offender" in str(info.value)


def test_duplicate_names_are_refused() -> None:
    class First:
        @hookimpl
        def q_store_register_backends(self, register):  # type: ignore[no-untyped-def]
            register("dense", DenseBackend)

    class Second:
        @hookimpl
        def q_store_register_backends(self, register):  # type: ignore[no-untyped-def]
            register("dense", type("Other", (DenseBackend,), {}))

    registry = PluginRegistry(autoload=False)
    registry.register(First(), "first")
    registry.register(Second(), "second")
    with pytest.raises(PluginRegistrationError, match="already registered by plugin 'first'") as info:
        registry.backend_names()
    assert info.value.plugin == "second"


def test_unknown_hooks_are_refused() -> None:
    class Typo:
        @hookimpl
        def q_store_register_backend(self, register):  # type: ignore[no-untyped-def]  # missing 's'
            pass

    with pytest.raises(PluginRegistrationError, match="unknown hook") as info:
        PluginRegistry(autoload=False).register(Typo(), "typo")
    assert info.value.plugin == "typo"


def test_a_failing_hook_is_attributed() -> None:
    class Failing:
        @hookimpl
        def q_store_register_backends(self, register):  # type: ignore[no-untyped-def]
            raise RuntimeError("boom")

    registry = PluginRegistry(autoload=False)
    registry.register(Failing(), "failing")
    with pytest.raises(PluginRegistrationError, match="boom") as info:
        registry.backend_names()
    assert info.value.plugin == "failing"


def test_vector_stores_register_through_their_own_hook() -> None:
    class Store(MemoryStore):
        name = "tiny"

    class Plugin:
        @hookimpl
        def q_store_register_vector_stores(self, register):  # type: ignore[no-untyped-def]
            register("tiny", Store)

    registry = PluginRegistry(autoload=False)
    registry.register(Plugin(), "tiny-plugin")
    assert registry.vector_store_names() == ["tiny"]
    assert registry.vector_store_class("tiny") is Store
    assert registry.backend_names() == []
    [info] = registry.plugins()
    assert (info.kind, info.plugin, info.distribution) == ("vector_store", "tiny-plugin", None)


def test_an_incomplete_store_is_refused() -> None:
    class Incomplete(VectorStore):  # implements none of the five primitives
        name = "incomplete"

    class Plugin:
        @hookimpl
        def q_store_register_vector_stores(self, register):  # type: ignore[no-untyped-def]
            register("incomplete", Incomplete)

    registry = PluginRegistry(autoload=False)
    registry.register(Plugin(), "half-done")
    with pytest.raises(PluginRegistrationError, match="does not implement: _delete, _fetch") as info:
        registry.vector_store_names()
    assert info.value.plugin == "half-done"


def test_the_store_follows_the_config(registry: PluginRegistry) -> None:
    store = create_vector_store(DatabaseConfig(metric="dot"), registry=registry)
    assert isinstance(store, MemoryStore)
    assert store.metric == "dot"
    with pytest.raises(PluginNotFoundError, match="pip install q-store-pinecone"):
        create_vector_store(DatabaseConfig(pinecone_api_key="key"), registry=registry)


def test_a_lookup_imports_only_the_plugin_it_needs(site: Path, tmp_path: Path) -> None:
    alpha = add_plugin(site, tmp_path, "alpha", "alpha")
    beta = add_plugin(site, tmp_path, "beta", "beta")
    registry = PluginRegistry()
    registry.backend_class("alpha")
    assert alpha.exists()
    assert not beta.exists(), "looking up 'alpha' imported an unrelated plugin"
    registry.backend_names()  # a listing loads everything
    assert beta.exists()


def test_a_name_provided_by_another_entry_point_is_still_found(site: Path, tmp_path: Path) -> None:
    add_plugin(site, tmp_path, "gammaplugin", "gamma")  # entry point 'gammaplugin' registers 'gamma'
    assert PluginRegistry().backend_class("gamma").name == "gamma"
