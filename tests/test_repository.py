"""Meta-tests: the repository keeps its promises about plugins, hooks and docs."""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

import pytest

from q_store import hookspecs

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
PLUGIN_FOLDERS = sorted(p for p in (ROOT / "plugins").iterdir() if (p / "pyproject.toml").is_file())


def hook_signatures() -> list[str]:
    return [
        f"{name}({', '.join(inspect.signature(function).parameters)})"
        for name, function in inspect.getmembers(hookspecs, inspect.isfunction)
        if name.startswith("q_store_")
    ]


def test_every_hook_has_a_documented_section_with_its_exact_signature() -> None:
    reference = (ROOT / "docs" / "hooks.md").read_text()
    signatures = hook_signatures()
    assert signatures, "no hooks found"
    for signature in signatures:
        assert f"## `{signature}`" in reference, f"docs/hooks.md lacks a section '## `{signature}`'"


def test_every_hook_is_exercised_by_a_test() -> None:
    tests = "".join(
        p.read_text() for p in (ROOT / "tests").glob("test_*.py") if p.name != Path(__file__).name
    )
    for signature in hook_signatures():
        assert signature.split("(")[0] in tests


@pytest.mark.parametrize("folder", PLUGIN_FOLDERS, ids=lambda p: p.name)
def test_every_plugin_is_a_discoverable_package(folder: Path) -> None:
    project = tomllib.loads((folder / "pyproject.toml").read_text())["project"]
    assert project["name"] == f"q-store-{folder.name}"
    assert project["entry-points"]["q_store"] == {folder.name: f"q_store_{folder.name}"}
    assert (folder / "README.md").is_file()
    assert (folder / "src" / f"q_store_{folder.name}" / "py.typed").is_file()
    assert list((folder / "tests").glob("test_*.py")), "a plugin ships its own tests"


@pytest.mark.parametrize("folder", PLUGIN_FOLDERS, ids=lambda p: p.name)
def test_every_plugin_is_in_the_docs_table_and_the_readme(folder: Path) -> None:
    package = f"`q-store-{folder.name}`"
    assert package in (ROOT / "docs" / "plugins.md").read_text()
    assert package in (ROOT / "README.md").read_text()


def test_docs_include_only_files_that_exist() -> None:
    for page in (ROOT / "docs").glob("*.md"):
        for line in page.read_text().splitlines():
            if line.startswith('--8<-- "'):
                assert (ROOT / line.split('"')[1]).is_file(), f"{page.name}: {line}"
