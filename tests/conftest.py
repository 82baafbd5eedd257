"""Shared fixtures of the core tests. Tests never depend on which plugins happen to be installed:
registries are built by hand unless a test is about entry-point loading."""

from __future__ import annotations

import numpy as np
import pytest
from dense_backend import DenseBackend

import q_store_mock
from q_store import PluginRegistry


@pytest.fixture
def registry() -> PluginRegistry:
    """A registry with the mock plugin registered by hand and no entry-point loading."""
    isolated = PluginRegistry(autoload=False)
    isolated.register(q_store_mock, "mock")
    return isolated


@pytest.fixture
def dense_backend() -> DenseBackend:
    return DenseBackend()


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)
