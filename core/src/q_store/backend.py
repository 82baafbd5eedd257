"""The quantum backend interface that every backend plugin implements.

A backend has ONE required method, :meth:`QuantumBackend.execute`: run one circuit on a batch of
parameter rows and return expectation values. Everything else is optional and has a default:
sampling bitstrings, native torch differentiation, the choice of gradient method. Callers use the
checked entry point :meth:`QuantumBackend.run`, which validates the request (qubit limit, gate set,
shapes, finiteness, shots) before the plugin sees it and checks what the plugin returns, so every
plugin reports bad input with the same typed errors.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from q_store.circuits import (
    FIXED_GATES,
    PARAMETRIC_GATES,
    Circuit,
    Operation,
    PauliString,
    check_observables,
    pauli_z_observables,
)
from q_store.errors import (
    ArgumentError,
    BackendError,
    CapabilityError,
    NonFiniteError,
    QubitLimitError,
    ShapeError,
    UnsupportedGateError,
)

if TYPE_CHECKING:
    import torch

    from q_store.config import DatabaseConfig

__all__ = ["ALL_GATES", "BackendCapabilities", "QuantumBackend"]

ALL_GATES = frozenset(PARAMETRIC_GATES | FIXED_GATES)
#: Gradient methods computed by the core from plain executions; any backend supports them.
CORE_DIFF_METHODS = ("parameter-shift", "spsa")


@attrs.frozen(kw_only=True)
class BackendCapabilities:
    """What a backend can do. The contract suite turns missing capabilities into skips."""

    #: Largest circuit the backend accepts; larger ones are refused before any work is done.
    max_qubits: int
    #: The backend can return exact expectation values (``shots=None``).
    exact: bool = True
    #: The backend can estimate expectation values from a given number of shots.
    supports_shots: bool = True
    #: The backend implements :meth:`QuantumBackend.sample`.
    supports_samples: bool = False
    #: Torch-native gradient methods of :meth:`QuantumBackend.execute_torch`, best first.
    native_diff_methods: tuple[str, ...] = ()
    #: Gates the backend can run.
    gates: frozenset[str] = ALL_GATES
    #: Shots used when the backend cannot be exact and the caller gave none.
    default_shots: int | None = None

    def summary(self) -> dict[str, Any]:
        """A JSON-friendly description (for ``q-store plugins``)."""
        return {
            "max_qubits": self.max_qubits,
            "exact": self.exact,
            "shots": self.supports_shots,
            "samples": self.supports_samples,
            "native_diff_methods": list(self.native_diff_methods),
            "gates": sorted(self.gates),
        }


class QuantumBackend(abc.ABC):
    """Base class of quantum backends. Subclasses implement :meth:`execute`.

    A minimal backend::

        class MyBackend(QuantumBackend):
            name = "mine"
            capabilities = BackendCapabilities(max_qubits=10)

            def execute(self, circuit, parameters, observables, *, shots, seed):
                ...  # return an array of shape (len(parameters), len(observables))
    """

    #: The name the backend is registered under (``DatabaseConfig(quantum_sdk=name)``).
    name: ClassVar[str] = "unnamed"
    #: What this backend can do. Instances may refine it in ``__init__`` (e.g. from options).
    capabilities: BackendCapabilities = BackendCapabilities(max_qubits=0)

    @classmethod
    def from_config(cls, config: DatabaseConfig) -> QuantumBackend:
        """Build the backend for ``config``; the default passes ``config.backend_options`` to the
        constructor after refusing names it does not accept."""
        from q_store.config import check_plugin_options

        check_plugin_options("backend_options", cls.name, cls.__init__, config.backend_options)
        return cls(**dict(config.backend_options))

    # ------------------------------------------------------------------ to implement

    @abc.abstractmethod
    def execute(
        self,
        circuit: Circuit,
        parameters: NDArray[np.float64],
        observables: Sequence[PauliString],
        *,
        shots: int | None,
        seed: int | None,
    ) -> NDArray[np.float64]:
        """Run ``circuit`` once per row of ``parameters``; return ``(rows, len(observables))``.

        The arguments are already validated by :meth:`run`: ``parameters`` is a finite float64
        array of shape ``(rows, circuit.n_parameters)``, every observable fits the circuit, and
        ``shots`` is None (exact) only when ``capabilities.exact`` is true. With shots, the same
        ``seed`` must give the same estimates.
        """

    def sample(
        self,
        circuit: Circuit,
        parameters: NDArray[np.float64],
        *,
        shots: int,
        seed: int | None,
    ) -> NDArray[np.uint8]:
        """Measure every wire ``shots`` times per row: an array ``(rows, shots, n_qubits)``."""
        raise CapabilityError(f"backend {self.name!r} cannot return samples")

    def execute_torch(
        self,
        circuit: Circuit,
        inputs: torch.Tensor,
        weights: torch.Tensor,
        observables: Sequence[PauliString],
        *,
        diff_method: str,
    ) -> torch.Tensor:
        """Differentiable execution for a method of ``capabilities.native_diff_methods``.

        ``inputs`` has shape ``(rows, circuit.n_inputs)`` and ``weights`` ``(circuit.n_weights,)``
        (shared by every row). Returns ``(rows, len(observables))`` on the inputs' device, with
        gradients flowing to both tensors.
        """
        raise CapabilityError(f"backend {self.name!r} has no torch-native differentiation")

    def preferred_diff_method(self, circuit: Circuit, *, shots: int | None) -> str:
        """What ``diff_method='auto'`` resolves to for ``circuit``.

        Default: the backend's first native method when execution is exact, else the
        parameter-shift rule (exact gradients of the expectation, from shifted executions).
        """
        if shots is None and self.capabilities.exact and self.capabilities.native_diff_methods:
            return self.capabilities.native_diff_methods[0]
        return "parameter-shift"

    def health_check(self) -> str:
        """Prove the backend works, cheaply; return a one-line description (``q-store doctor``).

        The default runs a one-qubit circuit. Backends where every circuit costs money (QPUs)
        override it with a free call, such as a status request.
        """
        probe = Circuit(1, (Operation("h", (0,)),))
        value = self.run(probe, observables=[PauliString.x(0)], seed=0)[0]
        return f"ran a one-qubit circuit: <X> after H = {value:.3f} (expected 1)"

    def close(self) -> None:
        """Release connections or other resources (default: nothing to release)."""

    def __enter__(self) -> QuantumBackend:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ------------------------------------------------------------------ checked entry points

    def check_circuit(self, circuit: Circuit) -> None:
        """Refuse circuits this backend cannot run (qubit count, gates) before any work."""
        if not isinstance(circuit, Circuit):
            raise ArgumentError("circuit", f"must be a q_store.Circuit, not {type(circuit).__name__}")
        limit = self.capabilities.max_qubits
        if circuit.n_qubits > limit:
            raise QubitLimitError(
                f"backend {self.name!r} supports at most {limit} qubits; the circuit has {circuit.n_qubits}"
            )
        unsupported = sorted(circuit.gates - self.capabilities.gates)
        if unsupported:
            raise UnsupportedGateError(
                f"backend {self.name!r} cannot run gate(s) {', '.join(unsupported)}; "
                f"it supports {', '.join(sorted(self.capabilities.gates))}"
            )

    def run(
        self,
        circuit: Circuit,
        parameters: ArrayLike | None = None,
        observables: Sequence[PauliString] | None = None,
        *,
        shots: int | None = None,
        seed: int | None = None,
    ) -> NDArray[np.float64]:
        """Validate a request, execute it, and check the result.

        ``parameters`` is ``(rows, n_parameters)`` or one row ``(n_parameters,)`` (then the result
        is one row too). ``observables`` default to ``<Z_q>`` on every wire. ``shots=None`` means
        exact where the backend can, else its ``default_shots``.
        """
        self.check_circuit(circuit)
        rows, single = _parameter_rows(circuit, parameters)
        observables = _check_observables(circuit, observables)
        shots = self._resolve_shots(shots)
        _check_seed(seed)
        values = self.execute(circuit, rows, observables, shots=shots, seed=seed)
        values = self._check_result(values, (rows.shape[0], len(observables)))
        return values[0] if single else values

    def run_samples(
        self,
        circuit: Circuit,
        parameters: ArrayLike | None = None,
        *,
        shots: int,
        seed: int | None = None,
    ) -> NDArray[np.uint8]:
        """Validated :meth:`sample`: bitstrings ``(rows, shots, n_qubits)`` (or one row's)."""
        if not self.capabilities.supports_samples:
            raise CapabilityError(f"backend {self.name!r} cannot return samples")
        self.check_circuit(circuit)
        rows, single = _parameter_rows(circuit, parameters)
        _check_shots(shots)
        _check_seed(seed)
        samples = np.asarray(self.sample(circuit, rows, shots=shots, seed=seed))
        expected = (rows.shape[0], shots, circuit.n_qubits)
        if samples.shape != expected or not np.isin(samples, (0, 1)).all():
            raise BackendError(
                f"backend {self.name!r} returned samples of shape {samples.shape}; "
                f"expected {expected} of 0/1 values"
            )
        samples = samples.astype(np.uint8, copy=False)
        return samples[0] if single else samples

    def _resolve_shots(self, shots: int | None) -> int | None:
        caps = self.capabilities
        if shots is None:
            if caps.exact:
                return None
            if caps.default_shots is None:
                raise CapabilityError(f"backend {self.name!r} cannot compute exact values; pass shots")
            return caps.default_shots
        _check_shots(shots)
        if not caps.supports_shots:
            raise CapabilityError(f"backend {self.name!r} does not take shots; pass shots=None")
        return shots

    def _check_result(self, values: object, expected: tuple[int, int]) -> NDArray[np.float64]:
        array = np.asarray(values, dtype=np.float64)
        if array.shape != expected:
            raise BackendError(
                f"backend {self.name!r} returned an array of shape {array.shape}; expected {expected}"
            )
        if not np.isfinite(array).all():
            raise BackendError(f"backend {self.name!r} returned NaN or infinite expectation values")
        return array


def _parameter_rows(circuit: Circuit, parameters: ArrayLike | None) -> tuple[NDArray[np.float64], bool]:
    if parameters is None:
        if circuit.n_parameters:
            raise ArgumentError(
                "parameters", f"the circuit reads {circuit.n_parameters} parameter columns; pass them"
            )
        return np.zeros((1, 0)), True
    try:
        array = np.asarray(parameters, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ArgumentError("parameters", f"must be an array of real numbers ({exc})") from None
    single = array.ndim == 1
    if single:
        array = array[None, :]
    if array.ndim != 2 or array.shape[1] != circuit.n_parameters:
        raise ShapeError(
            "parameters",
            f"must have shape (rows, {circuit.n_parameters}) or ({circuit.n_parameters},); "
            f"got {np.shape(parameters)}",
        )
    if not np.isfinite(array).all():
        raise NonFiniteError("parameters", "contains NaN or infinity")
    return array, single


def _check_observables(
    circuit: Circuit, observables: Sequence[PauliString] | None
) -> tuple[PauliString, ...]:
    if observables is None:
        return pauli_z_observables(circuit.n_qubits)
    return check_observables(observables, circuit.n_qubits)


def _check_shots(shots: object) -> None:
    if isinstance(shots, bool) or not isinstance(shots, (int, np.integer)) or shots < 1:
        raise ArgumentError("shots", f"must be a positive integer or None, got {shots!r}")


def _check_seed(seed: object) -> None:
    if seed is None:
        return
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ArgumentError("seed", f"must be a non-negative integer or None, got {seed!r}")
