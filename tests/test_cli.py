"""The q-store command: plugins, doctor, demo and bench, run as a user would."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from dense_backend import DenseBackend

from q_store import BackendCapabilities, DatabaseConfig, PluginRegistry, hookimpl, plugins
from q_store.benchmark import local_backends
from q_store.cli import main
from q_store.doctor import diagnose


def test_plugins_lists_the_installed_mock(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plugins"]) == 0
    out = capsys.readouterr().out
    assert "mock" in out
    assert "q-store-mock" in out
    assert "memory" in out
    assert main(["plugins", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    mock = next(p for p in listed if p["name"] == "mock")
    assert mock["kind"] == "backend"
    assert mock["capabilities"]["native_diff_methods"] == ["backprop", "adjoint"]


def test_doctor_passes_on_the_local_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert "[ok] backend 'mock'" in out
    assert "<X> after H = 1.000" in out
    assert "[ok] vector store 'memory'" in out


def test_doctor_explains_what_is_missing(registry: PluginRegistry) -> None:
    checks = diagnose(DatabaseConfig(quantum_sdk="cirq", vector_store="milvus"), registry)
    assert [c.ok for c in checks] == [False, False]
    assert "pip install q-store-cirq" in checks[0].message
    assert "pip install q-store-milvus" in checks[1].message
    bad_options = diagnose(DatabaseConfig(backend_options={"precision": "half"}), registry)
    assert not bad_options[0].ok
    assert "precision" in bad_options[0].message


def test_doctor_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["doctor", "--quantum-sdk", "definitely-not-installed"]) == 1
    assert "FAIL" in capsys.readouterr().out


def test_bench_runs_the_seed_workload(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_file = tmp_path / "bench.json"
    assert main(["bench", "--backends", "mock", "--repeats", "1", "--json", str(out_file)]) == 0
    table = capsys.readouterr().out
    assert "| Q-Store mock, auto (backprop) |" in table
    figures = json.loads(out_file.read_text())
    assert figures["Q-Store mock, auto (backprop)"]["train_accuracy"] >= 0.9
    assert figures["Q-Store mock, parameter-shift"]["train_accuracy"] >= 0.9


def test_bench_runs_only_local_simulators_unless_told(
    registry: PluginRegistry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sampled backend (a cloud QPU, paid per shot) is never run by a bare ``q-store bench``."""

    class PaidPerShot(DenseBackend):
        name = "paid"
        capabilities = BackendCapabilities(max_qubits=8, exact=False, default_shots=100)

    class Plugin:
        @hookimpl
        def q_store_register_backends(self, register: Callable[[str, type], None]) -> None:
            register("paid", PaidPerShot)

    registry.register(Plugin(), "paid-plugin")
    monkeypatch.setattr(plugins, "_default_registry", registry)
    assert registry.backend_names() == ["mock", "paid"]
    assert local_backends() == ["mock"]


@pytest.mark.slow
def test_demo_writes_its_plot_and_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["demo", "--epochs", "3", "--output", str(tmp_path), "--no-progress", "--store", "memory"]) == 0
    )
    out = capsys.readouterr().out
    assert "selected 1000 images by context" in out
    assert "test accuracy: hybrid" in out
    report = json.loads((tmp_path / "report.json").read_text())
    assert (tmp_path / "training_curve.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert report["selected"] == 1000
    assert 0.3 < report["quantum_test_accuracy"] <= 1.0  # three epochs: it learns, well above 0.1
    assert len(report["histories"]["hybrid"]) == 3
    assert report["similar_models"][0]["model"] == "hybrid"  # a model is most similar to itself


def test_usage_errors_exit_cleanly(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["doctor", "--store-options", "[1, 2]"])
    assert info.value.code == 2
    assert "JSON object" in capsys.readouterr().err


def test_python_dash_m_runs_the_same_command() -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "q_store", "plugins", "--json"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert any(p["name"] == "mock" for p in json.loads(result.stdout))


@pytest.mark.parametrize(
    ("arguments", "option"),
    [
        (["demo", "--epochs", "0"], "--epochs"),
        (["demo", "--epochs", "many"], "--epochs"),
        (["demo", "--seed", "-1"], "--seed"),
        (["bench", "--repeats", "0"], "--repeats"),
    ],
)
def test_a_bad_number_is_refused_naming_the_option(
    arguments: list[str], option: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([*arguments, "--output", str(tmp_path)] if arguments[0] == "demo" else arguments)
    assert exit_info.value.code == 2
    error = capsys.readouterr().err
    assert option in error
    assert "whole number" in error
    assert list(tmp_path.iterdir()) == []  # nothing written


@pytest.mark.parametrize(
    "arguments",
    [["demo", "--backend", "no-such-backend"], ["demo", "--store", "no-such-store"]],
)
def test_demo_refuses_an_unknown_plugin_before_writing_anything(
    arguments: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "demo"
    assert main([*arguments, "--output", str(output), "--no-progress"]) == 2
    assert "PluginNotFoundError" in capsys.readouterr().err
    assert not output.exists()


def test_bench_refuses_an_unknown_backend(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--backends", "mock,no-such-backend", "--repeats", "1"]) == 2
    captured = capsys.readouterr()
    assert "no-such-backend" in captured.err
    assert "| Q-Store" not in captured.out  # nothing was timed
