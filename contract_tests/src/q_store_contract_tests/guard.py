"""The rule that keeps the contract honest: no contract test is replaced without saying so."""

from __future__ import annotations

import inspect


def _xfail_reason(function: object) -> str | None:
    for mark in getattr(function, "pytestmark", []):
        if mark.name == "xfail":
            reason = mark.kwargs.get("reason") or (mark.args[1] if len(mark.args) > 1 else None)
            if reason:
                return str(reason)
    return None


def silent_overrides(subclass: type, contract: type) -> list[str]:
    """Names of ``contract``'s tests that ``subclass`` replaces without ``xfail(reason=...)``."""
    offenders = []
    for name, original in inspect.getmembers(contract, inspect.isfunction):
        if not name.startswith("test_"):
            continue
        current = inspect.getattr_static(subclass, name)
        if current is not original and _xfail_reason(current) is None:
            offenders.append(name)
    return offenders


def assert_no_silent_overrides(subclass: type, contract: type) -> None:
    offenders = silent_overrides(subclass, contract)
    assert not offenders, (
        f"{subclass.__name__} overrides contract test(s) {', '.join(offenders)} without "
        "@pytest.mark.xfail(reason=...); a plugin may not silently change the contract"
    )
