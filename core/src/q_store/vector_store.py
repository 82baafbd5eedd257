"""The vector-store interface that every store plugin implements.

The methods (upsert, query, fetch, delete, stats) and their validation are completed with the
database; the base class exists now so that the registration hook can check what plugins register.
"""

from __future__ import annotations

import abc
from typing import Any, ClassVar

__all__ = ["VectorStore"]


class VectorStore(abc.ABC):  # noqa: B024 - the abstract methods come with the database
    """Base class of vector stores."""

    #: The name the store is registered under (``DatabaseConfig(vector_store=name)``).
    name: ClassVar[str] = "unnamed"

    @classmethod
    def capability_summary(cls) -> dict[str, Any]:
        """A JSON-friendly description (for ``q-store plugins``)."""
        return {}

    def close(self) -> None:
        """Release connections or files (default: nothing to release)."""
