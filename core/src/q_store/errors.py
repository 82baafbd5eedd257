"""Every exception Q-Store raises.

One root, :class:`QStoreError`, so ``except QStoreError`` catches everything of ours. Each subclass
also inherits the built-in exception it refines, so code that already catches ``ValueError`` or
``LookupError`` keeps working. Messages name the argument at fault and say what is allowed; they
never contain secrets.
"""

from __future__ import annotations

__all__ = [
    "ArgumentError",
    "BackendError",
    "CapabilityError",
    "ConfigError",
    "DimensionMismatchError",
    "FilterError",
    "NonFiniteError",
    "PluginError",
    "PluginNotFoundError",
    "PluginRegistrationError",
    "QStoreError",
    "QubitLimitError",
    "ShapeError",
    "UnsupportedGateError",
    "VectorStoreError",
]


class QStoreError(Exception):
    """Root of every error raised by Q-Store and its plugins."""


class ArgumentError(QStoreError, ValueError):
    """An argument has a value that is not allowed.

    ``argument`` names the offending argument so that callers (and tests) can tell which one was
    rejected without parsing the message.
    """

    def __init__(self, argument: str, message: str) -> None:
        super().__init__(f"{argument}: {message}")
        self.argument = argument


class ConfigError(ArgumentError):
    """A :class:`~q_store.DatabaseConfig` field has a value that is not allowed."""


class ShapeError(ArgumentError):
    """An array or tensor argument has the wrong shape."""


class DimensionMismatchError(ShapeError):
    """A vector's length differs from the dimension the store or circuit expects."""


class NonFiniteError(ArgumentError):
    """An array or tensor argument contains NaN or infinity."""


class FilterError(ArgumentError):
    """A metadata filter is malformed; the message points at the offending part."""


class PluginError(QStoreError):
    """Base class for problems with plugins."""


class PluginNotFoundError(PluginError, LookupError):
    """No installed plugin provides the requested backend or vector store."""

    def __init__(self, message: str) -> None:
        # LookupError would otherwise repr the message with quotes, like KeyError does.
        super().__init__(message)

    def __str__(self) -> str:
        return str(self.args[0])


class PluginRegistrationError(PluginError, TypeError):
    """A plugin registered something invalid. ``plugin`` names the plugin at fault."""

    def __init__(self, plugin: str, message: str) -> None:
        super().__init__(f"plugin {plugin!r}: {message}")
        self.plugin = plugin


class CapabilityError(QStoreError, NotImplementedError):
    """The backend or store cannot do what was asked (a gate, shots, a metric, a method)."""


class UnsupportedGateError(CapabilityError):
    """The backend cannot run a gate of the circuit."""


class QubitLimitError(CapabilityError):
    """The circuit has more qubits than the backend supports."""


class BackendError(QStoreError, RuntimeError):
    """The quantum backend failed while executing a request."""


class VectorStoreError(QStoreError, RuntimeError):
    """The vector store failed while executing a request."""
