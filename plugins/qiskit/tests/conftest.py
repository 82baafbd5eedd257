from __future__ import annotations

import os

import numpy as np
import pytest

# Load only this plugin (and 'mock', the peer of the cross-backend test) from entry points, so that
# other plugins installed in the same environment cannot change what these tests see.
os.environ.setdefault("Q_STORE_PLUGINS", "qiskit,mock")


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(8675309)
