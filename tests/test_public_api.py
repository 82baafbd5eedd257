"""The public surface is exactly __all__, and importing q_store has no side effects."""

from __future__ import annotations

import subprocess
import sys

import q_store


def test_all_names_resolve() -> None:
    for name in q_store.__all__:
        assert hasattr(q_store, name), name
    assert sorted(q_store.__all__) == list(q_store.__all__)


def test_import_has_no_side_effects() -> None:
    code = (
        "import logging, sys\n"
        "handlers = list(logging.getLogger().handlers)\n"
        "import q_store\n"
        "assert logging.getLogger().handlers == handlers, 'logging configured at import'\n"
        "assert not any(m.startswith('q_store_mock') for m in sys.modules), 'plugin imported'\n"
        "assert q_store.plugins._default_registry is None, 'registry created at import'\n"
        "print('clean')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "clean"


def test_errors_share_one_root_and_refine_builtins() -> None:
    from q_store import errors

    for name in errors.__all__:
        cls = getattr(errors, name)
        assert issubclass(cls, errors.QStoreError)
    assert issubclass(errors.PluginNotFoundError, LookupError)
    assert issubclass(errors.ArgumentError, ValueError)
    assert issubclass(errors.CapabilityError, NotImplementedError)
    assert issubclass(errors.BackendError, RuntimeError)
    assert str(errors.PluginNotFoundError("message")) == "message"
