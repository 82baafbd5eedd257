"""Test matrix of Q-Store. ``nox`` runs the default sessions; ``nox -s bench`` the benchmarks.

Every session installs the packages it tests from their folders, non-editable, so that packaging
mistakes (a missing file, a wrong entry point) fail here and not on a user's machine. Development
pins (torch==2.13.0, a local CPU wheel) come from constraints.txt.
"""

from __future__ import annotations

from datetime import date
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


BENCH_OUT = ROOT / "out" / "bench"
#: Every benchmark script, each beside its peers in one process (name -> script).
BENCHMARKS = {
    "layer": "tests/benchmarks/bench_layer.py",
    "cirq": "tests/benchmarks/bench_cirq.py",
    "qiskit": "tests/benchmarks/bench_qiskit.py",
    "pennylane": "tests/benchmarks/bench_pennylane.py",
    "stores": "tests/benchmarks/bench_stores.py",
    "ionq": "plugins/ionq/benchmarks/bench_ionq.py",
    "pinecone": "plugins/pinecone/benchmarks/bench_pinecone.py",
}


def _benchmark(session: nox.Session, name: str, script: str) -> None:
    """Run one script; keep its JSON and its markdown table in out/bench/."""
    BENCH_OUT.mkdir(parents=True, exist_ok=True)
    table = session.run(
        "python", script, "--json", str(BENCH_OUT / f"{name}.json"), *session.posargs, silent=True
    )
    (BENCH_OUT / f"{name}.md").write_text(str(table))
    session.log(str(table))
    _write_summary()


#: The order of the sections of out/bench/summary.md (the peers' own environments last).
SUMMARY_ORDER = [*BENCHMARKS, "torchquantum", "qstore-4.0.0"]


def _write_summary() -> None:
    """out/bench/summary.md: every table measured so far, one section per script, dated."""
    sections = [f"# Q-Store benchmarks, {date.today().isoformat()}", ""]
    for name in SUMMARY_ORDER:
        table = BENCH_OUT / f"{name}.md"
        if table.is_file():
            sections += [f"## {name}", "", table.read_text().strip(), ""]
    (BENCH_OUT / "summary.md").write_text("\n".join(sections))


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks beside the peers, in one run (``nox -s bench``; ``-- --quick`` for a smoke run).

    Q-Store, PennyLane and Qiskit ML share this environment; TorchQuantum and the earlier
    q-store 4.0.0 need their own (notified sessions below). Results: out/bench/*.json and *.md,
    all tables together in out/bench/summary.md."""
    plugins = [f"./plugins/{name}" for name in PLUGINS]
    install(session, "./core[demo]", "./contract_tests", *plugins, "pennylane", "qiskit-machine-learning")
    for name, script in BENCHMARKS.items():
        _benchmark(session, name, script)
    session.notify("bench_torchquantum", posargs=session.posargs)
    session.notify("bench_legacy", posargs=session.posargs)


@nox.session
def bench_torchquantum(session: nox.Session) -> None:
    """TorchQuantum 0.1.8 in its own environment (it needs qiskit<1.0): see tests/benchmarks/peers."""
    install(
        session,
        *("torch==2.13.0", "qiskit==0.46.3", "qiskit-aer==0.13.3", "opt-einsum==3.4.0", "matplotlib==3.11.2"),
        *(
            "loguru==0.7.3",
            "multimethod==2.1",
            "toml==0.10.2",
            "pyyaml==6.0.3",
            "tqdm==4.70.1",
            "pathos==0.3.5",
        ),
    )
    # --no-deps: TorchQuantum and torchpack declare tensorflow, pyscf and torchvision, which neither
    # the import nor the benchmark needs (and torchvision has no CPU build here); the two
    # undeclared imports are stubbed (tests/benchmarks/peers/README.md).
    session.install("--no-deps", "torchquantum==0.1.8", "torchpack==0.3.1", "torchdiffeq==0.2.5")
    session.install("--no-deps", "tests/benchmarks/peers/torchquantum_import_stubs")
    _benchmark(session, "torchquantum", "tests/benchmarks/peers/bench_torchquantum.py")


@nox.session
def bench_legacy(session: nox.Session) -> None:
    """The earlier Q-Store release from the registry, in its own environment (it owns ``q_store``)."""
    install(session, "q-store[ml]==4.0.0")
    _benchmark(session, "qstore-4.0.0", "tests/benchmarks/peers/bench_qstore_legacy.py")
