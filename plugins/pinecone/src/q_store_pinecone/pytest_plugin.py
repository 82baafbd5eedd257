"""pytest fixture (entry point ``pytest11``): ``pinecone_loopback``, a fresh loopback Pinecone per
test, stopped when the test ends. It binds 127.0.0.1 on free ports and touches no environment
variable."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from q_store_pinecone.testing import LoopbackPinecone


@pytest.fixture
def pinecone_loopback() -> Iterator[LoopbackPinecone]:
    with LoopbackPinecone() as server:
        yield server
