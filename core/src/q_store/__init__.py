"""Q-Store: hybrid quantum-classical machine learning in PyTorch, and a vector database whose
quantum words have precise meanings.

The public API is exactly ``__all__``; everything else is an implementation detail. Importing
``q_store`` loads no plugin and touches no network or logging configuration.
"""

from q_store.backend import BackendCapabilities, QuantumBackend
from q_store.circuits import (
    Circuit,
    Operation,
    PauliString,
    build_ansatz,
    entangling_pairs,
    pauli_z_observables,
)
from q_store.config import DatabaseConfig, Secret
from q_store.errors import (
    ArgumentError,
    BackendError,
    CapabilityError,
    ConfigError,
    DimensionMismatchError,
    FilterError,
    NonFiniteError,
    PluginError,
    PluginNotFoundError,
    PluginRegistrationError,
    QStoreError,
    QubitLimitError,
    ShapeError,
    UnsupportedGateError,
    VectorStoreError,
)
from q_store.gradients import parameter_shift_jacobian, spsa_vjp
from q_store.hookspecs import hookimpl
from q_store.plugins import PluginInfo, PluginRegistry, create_backend, get_registry
from q_store.torch_layer import QuantumLayer
from q_store.vector_store import VectorStore

__version__ = "0.1.0"

__all__ = [
    "ArgumentError",
    "BackendCapabilities",
    "BackendError",
    "CapabilityError",
    "Circuit",
    "ConfigError",
    "DatabaseConfig",
    "DimensionMismatchError",
    "FilterError",
    "NonFiniteError",
    "Operation",
    "PauliString",
    "PluginError",
    "PluginInfo",
    "PluginNotFoundError",
    "PluginRegistrationError",
    "PluginRegistry",
    "QStoreError",
    "QuantumBackend",
    "QuantumLayer",
    "QubitLimitError",
    "Secret",
    "ShapeError",
    "UnsupportedGateError",
    "VectorStore",
    "VectorStoreError",
    "__version__",
    "build_ansatz",
    "create_backend",
    "entangling_pairs",
    "get_registry",
    "hookimpl",
    "parameter_shift_jacobian",
    "pauli_z_observables",
    "spsa_vjp",
]
