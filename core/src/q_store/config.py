"""`DatabaseConfig`: one validated, immutable description of how Q-Store should run.

The same object configures the quantum backend of a :class:`~q_store.QuantumLayer` and the vector
store of a :class:`~q_store.QuantumDatabase`, as in the seed document. API keys are wrapped in
:class:`Secret` so that they never appear in ``repr``, ``str``, logs or error messages; when a key is
not passed explicitly, the plugin that needs it reads it from the environment (``IONQ_API_KEY``,
``PINECONE_API_KEY``) at the moment it connects.
"""

from __future__ import annotations

import hmac
import inspect
import math
import os
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Final, Literal, final

import attrs

from q_store.errors import ConfigError

__all__ = ["DatabaseConfig", "Metric", "Secret"]

Metric = Literal["cosine", "dot", "euclidean"]
_METRICS: Final = ("cosine", "dot", "euclidean")
_PLUGIN_NAME = re.compile(r"^[a-z][a-z0-9_.-]*$")


@final
class Secret:
    """A string that refuses to be printed. ``reveal()`` is the only way to read it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str) or not value.strip():
            raise ConfigError("secret", "must be a non-empty string")
        self._value = value

    @classmethod
    def from_env(cls, variable: str) -> Secret | None:
        """The secret stored in environment variable ``variable``, or None when unset or empty."""
        value = os.environ.get(variable, "").strip()
        return cls(value) if value else None

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash(self._value)


def _secret(field: str, value: str | Secret | None) -> Secret | None:
    if value is None or isinstance(value, Secret):
        return value
    if isinstance(value, str):
        # An empty key is what an unset template variable looks like: treat it as "not given".
        return Secret(value) if value.strip() else None
    raise ConfigError(field, f"must be a string, a Secret or None, not {type(value).__name__}")


def _normalised_name(field: str, value: str | None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(field, f"must be a plugin name (a string), not {type(value).__name__}")
    return value.strip().lower()


@final
class Options(Mapping[str, Any]):
    """A read-only mapping of plugin options (picklable, unlike ``types.MappingProxyType``)."""

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[str, Any]) -> None:
        self._items = dict(items)

    def __getitem__(self, key: str) -> Any:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        shown = {
            k: "********" if _looks_secret(k) and isinstance(v, str) else v for k, v in self._items.items()
        }
        return repr(shown)


_SECRET_NAMES: Final = frozenset({"token", "password", "secret", "api_key", "apikey", "key", "credentials"})


def _looks_secret(name: str) -> bool:
    """Option names whose plain-string values must not be printed (pass a Secret to be sure)."""
    lowered = name.lower()
    return lowered in _SECRET_NAMES or lowered.endswith(("_token", "_password", "_secret", "_key"))


def _frozen_mapping(field: str, value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    if value is None:
        return Options({})
    if not isinstance(value, Mapping):
        raise ConfigError(field, f"must be a mapping of option names to values, not {type(value).__name__}")
    return Options(value)


# attrs converters receive only the value; these name their field for the error message.
def _quantum_sdk(value: str) -> str:
    return _normalised_name("quantum_sdk", value) or ""


def _vector_store(value: str | None) -> str | None:
    return _normalised_name("vector_store", value)


def _backend_options(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return _frozen_mapping("backend_options", value)


def _vector_store_options(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return _frozen_mapping("vector_store_options", value)


def _ionq_api_key(value: str | Secret | None) -> Secret | None:
    return _secret("ionq_api_key", value)


def _pinecone_api_key(value: str | Secret | None) -> Secret | None:
    return _secret("pinecone_api_key", value)


def _check_plugin_name(field: str, value: str | None, *, optional: bool) -> None:
    if value is None and optional:
        return
    if not isinstance(value, str) or not _PLUGIN_NAME.match(value):
        raise ConfigError(
            field,
            f"must be a plugin name such as 'mock', 'cirq' or 'qiskit' "
            f"(lower-case letters, digits, '_', '-', '.'), got {value!r}",
        )


def check_plugin_options(
    field: str, plugin: str, target: Callable[..., Any], options: Mapping[str, Any]
) -> None:
    """Refuse option names that ``target`` (a plugin's constructor) does not accept.

    Called by the default ``from_config`` of backends and stores, so that a misspelt option is
    a ConfigError naming the field, the plugin and the accepted names, not a bare TypeError.
    """
    parameters = inspect.signature(target).parameters.values()
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return
    accepted = sorted(
        p.name
        for p in parameters
        if p.kind in (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        and p.name not in ("self", "dimension", "metric")
    )
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        raise ConfigError(
            field,
            f"unknown option(s) {', '.join(map(repr, unknown))} for {plugin!r}; "
            f"it accepts {', '.join(accepted) or 'no options'}",
        )


def _check_bool(field: str, value: object) -> None:
    if not isinstance(value, bool):
        raise ConfigError(field, f"must be True or False, got {value!r}")


def _check_positive_int(field: str, value: object, *, optional: bool) -> None:
    if value is None and optional:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        allowed = "a positive integer or None" if optional else "a positive integer"
        raise ConfigError(field, f"must be {allowed}, got {value!r}")


@attrs.frozen(kw_only=True)
class DatabaseConfig:
    """How Q-Store runs: which quantum backend, which vector store, and their options.

    ``DatabaseConfig()`` (or ``DatabaseConfig(quantum_sdk='mock')``) needs no keys and no network:
    the exact local simulator and the in-memory vector store.
    """

    #: Name of the quantum backend plugin: 'mock', 'cirq', 'qiskit', 'pennylane', 'ionq', or any
    #: installed third-party backend.
    quantum_sdk: str = attrs.field(default="mock", converter=_quantum_sdk)
    #: When False, the database computes every answer classically; when True the probabilistic
    #: parts (context collapse, tunneling choice) are prepared and measured on the backend.
    enable_quantum: bool = True
    #: Records may carry several weighted task contexts.
    enable_superposition: bool = True
    #: ``query(..., enable_tunneling=True)`` and ``tunnel_search`` are allowed.
    enable_tunneling: bool = True
    #: Entangled groups propagate updates and expand query results.
    enable_entanglement: bool = True
    #: Records fade with age (see ``coherence_time`` in the database docs).
    enable_decoherence: bool = True

    #: Number of measurement shots per circuit; None asks for exact expectation values where the
    #: backend can compute them (hardware backends use their own default).
    shots: int | None = None
    #: Seed for every random choice (shot sampling, SPSA, Born-rule collapse). None: fresh entropy.
    seed: int | None = None
    #: Options passed to the backend plugin's constructor, e.g. ``{'device': 'lightning.qubit'}``.
    backend_options: Mapping[str, Any] = attrs.field(factory=dict, converter=_backend_options)

    #: Name of the vector-store plugin ('memory', 'milvus', 'pinecone', ...). None chooses
    #: 'pinecone' when ``pinecone_api_key`` is given (as in the seed document), else 'memory'.
    vector_store: str | None = attrs.field(default=None, converter=_vector_store)
    #: Options passed to the vector-store plugin, e.g. ``{'uri': './milvus.db'}``.
    vector_store_options: Mapping[str, Any] = attrs.field(factory=dict, converter=_vector_store_options)
    #: Similarity used by the database: 'cosine' (default), 'dot' or 'euclidean'.
    metric: Metric = "cosine"
    #: Default coherence time of inserted records in milliseconds; None means records never fade.
    default_coherence_time: float | None = None
    #: Coherence under which a record is invisible to queries and removed by
    #: ``apply_decoherence()``; it applies to records inserted while it is set.
    decoherence_threshold: float = 0.01

    #: IonQ API key; when None the IonQ plugin reads ``IONQ_API_KEY``. Never printed.
    ionq_api_key: Secret | None = attrs.field(default=None, converter=_ionq_api_key)
    #: IonQ target: 'simulator' or a QPU name such as 'qpu.aria-1'.
    ionq_target: str = "simulator"
    #: Pinecone API key; when None the Pinecone plugin reads ``PINECONE_API_KEY``. Never printed.
    pinecone_api_key: Secret | None = attrs.field(default=None, converter=_pinecone_api_key)
    #: Pinecone index name (the control plane resolves its host).
    pinecone_index_name: str = "q-store"
    #: Legacy field from the 4.x configuration; accepted and ignored by serverless indexes.
    pinecone_environment: str | None = None

    def __attrs_post_init__(self) -> None:
        _check_plugin_name("quantum_sdk", self.quantum_sdk, optional=False)
        _check_plugin_name("vector_store", self.vector_store, optional=True)
        for name in (
            "enable_quantum",
            "enable_superposition",
            "enable_tunneling",
            "enable_entanglement",
            "enable_decoherence",
        ):
            _check_bool(name, getattr(self, name))
        _check_positive_int("shots", self.shots, optional=True)
        if self.seed is not None and (
            isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0
        ):
            raise ConfigError("seed", f"must be a non-negative integer or None, got {self.seed!r}")
        if self.metric not in _METRICS:
            raise ConfigError("metric", f"must be one of {', '.join(_METRICS)}; got {self.metric!r}")
        coherence = self.default_coherence_time
        if coherence is not None and (
            isinstance(coherence, bool)
            or not isinstance(coherence, (int, float))
            or not math.isfinite(coherence)
            or coherence <= 0
        ):
            raise ConfigError(
                "default_coherence_time",
                f"must be a positive number of milliseconds or None, got {coherence!r}",
            )
        threshold = self.decoherence_threshold
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0 < threshold < 1:
            raise ConfigError("decoherence_threshold", f"must be a number in (0, 1), got {threshold!r}")
        if not isinstance(self.ionq_target, str) or not self.ionq_target.strip():
            raise ConfigError("ionq_target", "must be 'simulator' or a QPU name such as 'qpu.aria-1'")
        if not isinstance(self.pinecone_index_name, str) or not self.pinecone_index_name.strip():
            raise ConfigError("pinecone_index_name", "must be a non-empty string")

    @property
    def resolved_vector_store(self) -> str:
        """The vector-store plugin this configuration selects."""
        if self.vector_store is not None:
            return self.vector_store
        return "pinecone" if self.pinecone_api_key is not None else "memory"

    def ionq_key(self) -> Secret | None:
        """The IonQ key: the configured one, else ``IONQ_API_KEY`` from the environment."""
        return self.ionq_api_key or Secret.from_env("IONQ_API_KEY")

    def pinecone_key(self) -> Secret | None:
        """The Pinecone key: the configured one, else ``PINECONE_API_KEY`` from the environment."""
        return self.pinecone_api_key or Secret.from_env("PINECONE_API_KEY")

    def evolve(self, **changes: Any) -> DatabaseConfig:
        """A copy with some fields changed (validated like the original)."""
        return attrs.evolve(self, **changes)
