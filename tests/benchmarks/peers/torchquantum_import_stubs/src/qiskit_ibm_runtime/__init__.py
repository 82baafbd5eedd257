"""Import stub of qiskit_ibm_runtime for the TorchQuantum benchmark environment (not the real package).

TorchQuantum 0.1.8 imports ``QiskitRuntimeService`` at import time (torchquantum/util/utils.py)
without declaring the dependency; the benchmark never talks to IBM Quantum.
"""

from __future__ import annotations

IS_IMPORT_STUB = True


class QiskitRuntimeService:
    def __init__(self, *args: object, **kwargs: object) -> None:
        raise ImportError("qiskit_ibm_runtime is only an import stub in this environment")
