"""Q-Store: hybrid quantum-classical machine learning in PyTorch, and a vector database whose
quantum words have precise meanings.

The public API is exactly ``__all__``; everything else is an implementation detail. Importing
``q_store`` loads no plugin and touches no network or logging configuration.
"""

from q_store.backend import BackendCapabilities, QuantumBackend
from q_store.cache import LRUCache
from q_store.circuits import (
    Circuit,
    Operation,
    PauliString,
    build_ansatz,
    entangling_pairs,
    pauli_z_observables,
)
from q_store.config import DatabaseConfig, Secret
from q_store.database import DatabaseStats, QuantumDatabase
from q_store.entanglement import EntangledGroup
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
from q_store.plugins import (
    PluginInfo,
    PluginRegistry,
    create_backend,
    create_vector_store,
    get_registry,
)
from q_store.records import QueryResult, StoredRecord
from q_store.torch_layer import QuantumLayer
from q_store.vector_store import Match, Record, StoreCapabilities, StoreStats, VectorStore

__version__ = "0.1.0"

__all__ = [
    "ArgumentError",
    "BackendCapabilities",
    "BackendError",
    "CapabilityError",
    "Circuit",
    "ConfigError",
    "DatabaseConfig",
    "DatabaseStats",
    "DimensionMismatchError",
    "EntangledGroup",
    "FilterError",
    "LRUCache",
    "Match",
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
    "QuantumDatabase",
    "QuantumLayer",
    "QubitLimitError",
    "QueryResult",
    "Record",
    "Secret",
    "ShapeError",
    "StoreCapabilities",
    "StoreStats",
    "StoredRecord",
    "UnsupportedGateError",
    "VectorStore",
    "VectorStoreError",
    "__version__",
    "build_ansatz",
    "create_backend",
    "create_vector_store",
    "entangling_pairs",
    "get_registry",
    "hookimpl",
    "parameter_shift_jacobian",
    "pauli_z_observables",
    "spsa_vjp",
]
