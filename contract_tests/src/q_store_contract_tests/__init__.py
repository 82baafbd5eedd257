"""The contract suite that certifies Q-Store plugins, ours and third parties' alike.

Subclass :class:`QuantumBackendContract` or :class:`VectorStoreContract` in a plugin's tests and
provide one fixture, or certify an installed plugin by name: ``q-store-certify NAME`` (backends),
``q-store-certify --store NAME`` (vector stores).
"""

from q_store_contract_tests.backend_contract import QuantumBackendContract
from q_store_contract_tests.store_contract import VectorStoreContract

__all__ = ["QuantumBackendContract", "VectorStoreContract"]
