"""Test matrix of Q-Store. ``nox`` runs the default sessions; ``nox -s bench`` the benchmarks.

Every session installs the packages it tests from their folders, non-editable, so that packaging
mistakes (a missing file, a wrong entry point) fail here and not on a user's machine. Development
pins (torch==2.13.0, a local CPU wheel) come from constraints.txt.
"""

from __future__ import annotations

from pathlib import Path

import nox

ROOT = Path(__file__).parent
CONSTRAINTS = ("-c", str(ROOT / "constraints.txt"))
CORE = ("./core", "./contract_tests")
#: Every folder under plugins/ with a pyproject.toml is a plugin distribution with its own session.
PLUGINS = sorted(p.name for p in (ROOT / "plugins").iterdir() if (p / "pyproject.toml").is_file())

nox.options.sessions = ["lint", "tests", "plugin", "cross_backend", "examples", "docs"]

#: Extra options for certifying a plugin by name ('{tmp}' becomes a fresh folder per store).
CERTIFY_OPTIONS: dict[str, list[str]] = {
    "milvus": ["--q-store-vector-store-options", '{"uri": "{tmp}/milvus.db"}'],
}
#: Plugins that talk to a cloud service and cannot be certified by name here (no service is
#: reachable); their own tests run the same contract suite against loopback servers. (IonQ's
#: pytest plugin starts its loopback server for certification by name when no key is set.)
CERTIFIED_IN_THEIR_TESTS = {"pinecone"}
nox.options.reuse_existing_virtualenvs = False

# Prints "kind:name" for what an installed distribution registers (to certify each by name).
LIST_REGISTERED = """
import sys
from q_store import get_registry
print(" ".join(f"{i.kind}:{i.name}" for i in get_registry().plugins() if i.distribution == sys.argv[1]))
"""


def install(session: nox.Session, *requirements: str) -> None:
    session.install(*CONSTRAINTS, *requirements)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff on everything; mypy (strict) on the core."""
    install(session, "ruff", "mypy", "./core")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy")


@nox.session
def tests(session: nox.Session) -> None:
    """The core's tests, with the mock plugin as the reference backend."""
    install(session, "./core[demo]", "./contract_tests", "./plugins/mock", "pytest", "hypothesis")
    session.run(
        "pytest", "tests", "--ignore=tests/benchmarks", "--ignore=tests/cross_backend", *session.posargs
    )


@nox.session
@nox.parametrize("name", PLUGINS)
def plugin(session: nox.Session, name: str) -> None:
    """One plugin: install it with the core, import it, run its tests, certify it by name.

    The mock plugin comes along as a test peer (plugins check that the same state_dict gives the
    same outputs as on the reference simulator)."""
    peers = [] if name == "mock" else ["./plugins/mock"]
    install(session, *CORE, f"./plugins/{name}", *peers, "pytest", "hypothesis")
    session.run("python", "-c", f"import q_store_{name}")
    session.run("pytest", f"plugins/{name}/tests", *session.posargs)
    registered = session.run("python", "-c", LIST_REGISTERED, f"q-store-{name}", silent=True)
    for entry in str(registered).split():
        kind, registered_name = entry.split(":")
        if registered_name in CERTIFIED_IN_THEIR_TESTS:
            session.log(f"{registered_name}: contract run by its tests against a loopback server")
            continue
        store = ["--store"] if kind == "vector_store" else []
        options = CERTIFY_OPTIONS.get(registered_name, [])
        session.run("q-store-certify", *store, registered_name, *options, "-q")


@nox.session
def cross_backend(session: nox.Session) -> None:
    """Every simulator plugin installed together: they agree with each other and the reference."""
    simulators = [f"./plugins/{name}" for name in ("mock", "cirq", "qiskit", "pennylane")]
    install(session, *CORE, *simulators, "pytest")
    session.run("pytest", "tests/cross_backend", *session.posargs)


@nox.session
def examples(session: nox.Session) -> None:
    """Every example runs as written (mock backend, no keys); the third-party plugin example is
    installed like any package and certified by name."""
    install(session, "./core[demo]", "./contract_tests", "./plugins/mock", "./examples/third_party_plugin")
    for example in sorted((ROOT / "examples").glob("*.py")):
        session.run("python", str(example))
    session.run("q-store-certify", "tiny", "-q")


@nox.session
def docs(session: nox.Session) -> None:
    """The documentation site, built strictly (a broken link or a missing include fails)."""
    session.install("mkdocs", "pymdown-extensions")
    session.run("mkdocs", "build", "--strict", "--site-dir", str(Path(session.create_tmp()) / "site"))


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks against the peers in one run (not part of the default sessions)."""
    install(session, *CORE, "./plugins/mock", "pennylane")
    session.run("python", "tests/benchmarks/bench_layer.py", *session.posargs)
