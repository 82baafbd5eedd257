"""What every name of the stub does when it is actually used."""

from __future__ import annotations

from typing import NoReturn


def unavailable(name: str) -> NoReturn:
    raise ImportError(
        f"torchvision.{name}: torchvision is only an import stub in this environment (the TorchQuantum "
        "benchmark); install a real torchvision to load datasets"
    )


def module_getattr(module: str, name: str) -> NoReturn:
    """A module ``__getattr__``: dunder look-ups (``__path__``, ``__wrapped__`` ...) must stay
    AttributeErrors, or ``hasattr`` in the import system and in inspect would raise."""
    if name.startswith("__"):
        raise AttributeError(f"module {module!r} has no attribute {name!r}")
    unavailable(f"{module.removeprefix('torchvision.')}.{name}")
