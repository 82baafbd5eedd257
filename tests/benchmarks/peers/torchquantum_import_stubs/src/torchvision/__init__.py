"""Import stub of torchvision for the TorchQuantum benchmark environment (not the real package).

TorchQuantum 0.1.8's dataset modules import torchvision at import time; the benchmark never loads a
dataset. The names they import exist; using any of them raises ImportError.
"""

from . import datasets, transforms

IS_IMPORT_STUB = True
__version__ = "0+import.stub"
__all__ = ["IS_IMPORT_STUB", "datasets", "transforms"]
