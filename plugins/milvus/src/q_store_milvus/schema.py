"""The collections of a store: their names, schema, index, and the checks made on reopening.

Namespaces are collections. The namespace ``""`` is the collection named by the ``collection``
option; namespace ``ns`` is ``<collection>__ns_<digest of ns>``, whose ``q_store.namespace``
property keeps the name. Milvus primary keys are unique per collection (not per partition), so
one collection per namespace lets ``id`` be the primary key as it is, keeps namespaces fully
isolated (a query never scans or filters other namespaces' rows), makes counting a namespace a
plain ``count(*)``, and needs no extra field on every row. The cost: each namespace has its own
index and memory on a server, so this suits tens to thousands of namespaces, not millions of
tenants (Milvus' partition-key multi-tenancy would).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from pymilvus import DataType, MilvusClient

from q_store.errors import ArgumentError, DimensionMismatchError, VectorStoreError
from q_store.vector_store import MAX_ID_LENGTH
from q_store_milvus.expressions import PRIMARY_KEY, TERMS
from q_store_milvus.options import MilvusOptions
from q_store_milvus.terms import digest

__all__ = ["METRICS", "CollectionInfo", "collection_name", "create_collection", "describe"]

VECTOR: Final = "vector"
METADATA: Final = "metadata"
NAMESPACE_SEPARATOR: Final = "__ns_"
#: Core metric -> Milvus metric type.
METRICS: Final[Mapping[str, str]] = {"cosine": "COSINE", "dot": "IP", "euclidean": "L2"}
SCHEMA_PROPERTY: Final = "q_store.schema"
SCHEMA_VERSION: Final = "1"
NAMESPACE_PROPERTY: Final = "q_store.namespace"
#: Ids have at most 512 characters; servers count VARCHAR lengths in UTF-8 bytes (up to 4 each).
PRIMARY_KEY_BYTES: Final = 4 * MAX_ID_LENGTH
#: Milvus' largest VARCHAR; the ``terms`` of one record must fit in it.
MAX_VARCHAR: Final = 65_535


def collection_name(base: str, namespace: str) -> str:
    if not namespace:
        return base
    return f"{base}{NAMESPACE_SEPARATOR}{digest('namespace', namespace)}"


def is_namespace_collection(base: str, name: str) -> bool:
    return name == base or name.startswith(base + NAMESPACE_SEPARATOR)


def create_collection(
    client: MilvusClient, options: MilvusOptions, name: str, namespace: str, dimension: int, metric: str
) -> None:
    """Create and load one namespace's collection (idempotent across processes: Milvus refuses a
    second creation, which the caller treats as "it exists")."""
    schema = client.create_schema(auto_id=False, enable_dynamic_field=True)
    schema.add_field(PRIMARY_KEY, DataType.VARCHAR, is_primary=True, max_length=PRIMARY_KEY_BYTES)
    schema.add_field(VECTOR, DataType.FLOAT_VECTOR, dim=dimension)
    schema.add_field(METADATA, DataType.JSON)
    schema.add_field(TERMS, DataType.VARCHAR, max_length=MAX_VARCHAR)
    index = client.prepare_index_params()
    index.add_index(
        VECTOR, index_type=options.index, metric_type=METRICS[metric], params=dict(options.index_params)
    )
    client.create_collection(
        name,
        schema=schema,
        index_params=index,
        consistency_level=options.consistency_level,
        properties={SCHEMA_PROPERTY: SCHEMA_VERSION, NAMESPACE_PROPERTY: namespace},
        timeout=options.timeout,
    )


class CollectionInfo:
    """What an existing collection says about itself."""

    def __init__(self, name: str, namespace: str, dimension: int, metric: str) -> None:
        self.name = name
        self.namespace = namespace
        self.dimension = dimension
        self.metric = metric

    def check_compatible(self, dimension: int | None, metric: str, location: str) -> None:
        """Refuse to open data with another metric or dimension than asked for."""
        if metric != self.metric:
            raise ArgumentError(
                "metric",
                f"collection {self.name!r} at {location} ranks by {self.metric!r}; it cannot be opened "
                f"with metric {metric!r} (pass metric={self.metric!r} or use another collection)",
            )
        if dimension is not None and dimension != self.dimension:
            raise DimensionMismatchError(
                "dimension",
                f"collection {self.name!r} at {location} holds vectors of dimension {self.dimension}, "
                f"not {dimension}",
            )


def describe(client: MilvusClient, name: str, options: MilvusOptions) -> CollectionInfo:
    """Read namespace, dimension and metric of collection ``name``, which must be one of ours."""
    description = client.describe_collection(name, timeout=options.timeout)
    properties: Mapping[str, Any] = description.get("properties") or {}
    if properties.get(SCHEMA_PROPERTY) != SCHEMA_VERSION:
        raise VectorStoreError(
            f"collection {name!r} at {options.location} was not created by q-store-milvus "
            f"(schema {SCHEMA_VERSION}); choose another name with the 'collection' option"
        )
    fields = {field["name"]: field for field in description["fields"]}
    dimension = int(fields[VECTOR]["params"]["dim"])
    milvus_metric = client.describe_index(name, VECTOR, timeout=options.timeout)["metric_type"]
    metric = next(core for core, milvus in METRICS.items() if milvus == milvus_metric)
    return CollectionInfo(name, str(properties.get(NAMESPACE_PROPERTY, "")), dimension, metric)
