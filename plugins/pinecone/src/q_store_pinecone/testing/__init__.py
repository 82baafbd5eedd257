"""A loopback Pinecone (control plane and data plane) for offline tests of the plugin.

>>> from q_store_pinecone.testing import LoopbackPinecone
>>> with LoopbackPinecone() as server:
...     store = PineconeStore(api_key=server.api_key, index_name="demo",
...                           controller_host=server.url, create=True)

The server is driven by the official ``pinecone`` client over real HTTP, implements Pinecone's
documented semantics with its own evaluator (never Q-Store's), and can inject faults.
"""

from __future__ import annotations

from q_store_pinecone.testing.faults import FAULT_KINDS, FaultPlan
from q_store_pinecone.testing.server import DEFAULT_KEY, LoopbackPinecone, RequestRecord

__all__ = ["DEFAULT_KEY", "FAULT_KINDS", "FaultPlan", "LoopbackPinecone", "RequestRecord"]
