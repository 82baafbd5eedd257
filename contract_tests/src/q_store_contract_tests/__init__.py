"""The contract suite that certifies Q-Store plugins, ours and third parties' alike.

Subclass :class:`QuantumBackendContract` in a plugin's tests and provide one fixture, or certify
an installed backend by name: ``q-store-certify NAME``.
"""

from q_store_contract_tests.backend_contract import QuantumBackendContract

__all__ = ["QuantumBackendContract"]
