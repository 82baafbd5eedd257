"""`PennyLaneBackend`: Q-Store circuits on PennyLane devices, ``DatabaseConfig(quantum_sdk='pennylane')``.

Each circuit is translated once (cached) and a whole batch runs as ONE QNode call with parameter
broadcasting. Exact values come from the device's analytic mode; with shots, a device seeded from
the request's ``seed`` samples them, so the same seed gives the same estimates. PennyLane's own
torch differentiation (backprop, adjoint, whichever the device offers) is available through
:meth:`execute_torch`; the core's parameter-shift rule and SPSA work on top of :meth:`execute`.

PennyLane takes seconds to import, and every plugin lookup imports the registration module of every
installed plugin, so this module does not import it: only building a backend does.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Final, TypeVar

import attrs
import numpy as np
import torch
from numpy.typing import NDArray

from q_store import BackendCapabilities, Circuit, LRUCache, PauliString, QuantumBackend
from q_store.errors import ArgumentError, BackendError, CapabilityError, QStoreError

if TYPE_CHECKING:
    import pennylane as qml
    from pennylane.devices import Device
    from pennylane.operation import Operator

    from q_store import DatabaseConfig
    from q_store_pennylane.translate import Translation

__all__ = ["OPTIONS", "PennyLaneBackend"]

#: The options of ``DatabaseConfig(backend_options=...)``.
OPTIONS: Final = ("device", "device_options", "max_qubits")
#: Largest ``max_qubits`` accepted: one complex128 state of 30 qubits is already 16 GiB.
MAX_QUBITS_LIMIT: Final = 30
#: Translations and QNodes kept per backend (a training loop uses two or three).
_CACHE_SIZE: Final = 64

T = TypeVar("T")


class PennyLaneBackend(QuantumBackend):
    """Runs circuits on a PennyLane device with broadcasting, exact or with seeded shots.

    Options (``DatabaseConfig(backend_options={...})``):
        device: the PennyLane device name, 'default.qubit' (default), 'lightning.qubit',
            'default.mixed', or 'lightning.gpu' / 'lightning.kokkos' when installed.
        device_options: extra keyword arguments of ``qml.device`` (e.g. ``{'max_workers': 2}`` on
            default.qubit, ``{'batch_obs': True}`` on lightning, ``{'readout_prob': 0.01}`` on
            default.mixed); ``wires``, ``shots`` and ``seed`` are set by Q-Store.
        max_qubits: largest circuit accepted (default 24, 12 on default.mixed).
    """

    name = "pennylane"
    # The class-level declaration describes the default device; an instance declares its own
    # device's limit and native gradient methods (see __init__).
    capabilities = BackendCapabilities(
        max_qubits=24,
        exact=True,
        supports_shots=True,
        supports_samples=True,
        native_diff_methods=("backprop", "adjoint"),
    )

    def __init__(
        self,
        *,
        device: str = "default.qubit",
        device_options: Mapping[str, Any] | None = None,
        max_qubits: int | None = None,
    ) -> None:
        from q_store_pennylane import devices

        self.device_name = devices.check_device_name(device)
        self.device_options = devices.check_device_options(device_options)
        if max_qubits is None:
            max_qubits = devices.SUPPORTED_DEVICES[self.device_name].max_qubits
        elif (
            isinstance(max_qubits, bool)
            or not isinstance(max_qubits, int)
            or not 1 <= max_qubits <= MAX_QUBITS_LIMIT
        ):
            raise ArgumentError(
                "max_qubits", f"must be an integer from 1 to {MAX_QUBITS_LIMIT}, got {max_qubits!r}"
            )
        traits = devices.probe_device(self.device_name, self.device_options)
        #: PennyLane's "best" gradient method of the device (what 'auto' picks when exact).
        self.best_diff_method = traits.best_diff_method
        self.capabilities = attrs.evolve(
            PennyLaneBackend.capabilities,
            max_qubits=max_qubits,
            native_diff_methods=traits.native_diff_methods,
        )
        self._exact_devices: dict[int, Device] = {}
        self._translations: LRUCache[Circuit, Translation] = LRUCache(_CACHE_SIZE)
        self._observables: LRUCache[tuple[PauliString, ...], tuple[Operator, ...]] = LRUCache(_CACHE_SIZE)
        self._qnodes: LRUCache[tuple[object, ...], qml.QNode] = LRUCache(_CACHE_SIZE)

    @classmethod
    def from_config(cls, config: DatabaseConfig) -> PennyLaneBackend:
        options = dict(config.backend_options)
        unknown = sorted(set(options) - set(OPTIONS))
        if unknown:
            raise ArgumentError(
                "backend_options",
                f"unknown option(s) {', '.join(unknown)}; backend 'pennylane' takes {', '.join(OPTIONS)}",
            )
        return cls(**options)

    def preferred_diff_method(self, circuit: Circuit, *, shots: int | None) -> str:
        """PennyLane's best method for the device when exact; the parameter-shift rule with shots."""
        if shots is None and self.best_diff_method in self.capabilities.native_diff_methods:
            return self.best_diff_method
        return "parameter-shift"

    def close(self) -> None:
        """Drop the cached devices and QNodes (their statevector buffers go with them)."""
        self._exact_devices.clear()
        self._qnodes = LRUCache(_CACHE_SIZE)

    # ------------------------------------------------------------------ the backend interface

    def execute(
        self,
        circuit: Circuit,
        parameters: NDArray[np.float64],
        observables: Sequence[PauliString],
        *,
        shots: int | None,
        seed: int | None,
    ) -> NDArray[np.float64]:
        from q_store_pennylane.qnodes import rows_qnode

        rows = parameters.shape[0]
        if rows == 0:
            return np.zeros((0, len(observables)))
        observables = tuple(observables)
        if shots is None:
            qnode = self._qnodes.get_or_create(
                ("rows", circuit, observables),
                lambda: rows_qnode(
                    self._translation(circuit),
                    self._translated_observables(observables),
                    self._exact_device(circuit.n_qubits),
                    shots=None,
                ),
            )
        else:
            # A fresh device per request: its generator starts from `seed`, so the same seed gives
            # the same estimates whatever ran before (building one takes well under a millisecond).
            qnode = rows_qnode(
                self._translation(circuit),
                self._translated_observables(observables),
                self._seeded_device(circuit.n_qubits, seed),
                shots=shots,
            )
        values = self._call(qnode, parameters)
        # Every gate is broadcast over the rows, but a constant (the identity observable) may still
        # come back as one number.
        return np.stack([np.broadcast_to(np.asarray(v, dtype=np.float64), (rows,)) for v in values], axis=1)

    def sample(
        self, circuit: Circuit, parameters: NDArray[np.float64], *, shots: int, seed: int | None
    ) -> NDArray[np.uint8]:
        from q_store_pennylane.qnodes import samples_qnode

        rows = parameters.shape[0]
        if rows == 0:
            return np.zeros((0, shots, circuit.n_qubits), dtype=np.uint8)
        qnode = samples_qnode(
            self._translation(circuit), self._seeded_device(circuit.n_qubits, seed), shots=shots
        )
        bits = np.asarray(self._call(qnode, parameters))
        # PennyLane drops axes of length one (one shot, one wire); the order is rows, shots, wires.
        return bits.reshape(rows, shots, circuit.n_qubits).astype(np.uint8)

    def execute_torch(
        self,
        circuit: Circuit,
        inputs: torch.Tensor,
        weights: torch.Tensor,
        observables: Sequence[PauliString],
        *,
        diff_method: str,
    ) -> torch.Tensor:
        from q_store_pennylane.qnodes import layer_qnode

        native = self.capabilities.native_diff_methods
        if diff_method not in native:
            raise CapabilityError(
                f"backend 'pennylane' on device {self.device_name!r} has no native method "
                f"{diff_method!r}; it offers {', '.join(native) or 'none'}"
            )
        observables = tuple(observables)
        qnode = self._qnodes.get_or_create(
            ("layer", circuit, observables, diff_method),
            lambda: layer_qnode(
                self._translation(circuit),
                self._translated_observables(observables),
                self._exact_device(circuit.n_qubits),
                diff_method=diff_method,
            ),
        )
        rows = inputs.shape[0]
        # default.qubit computes in torch; the other devices hand back plain floats.
        with _results_in(inputs.dtype, floats_from_device=self.device_name != "default.qubit"):
            values = self._call(qnode, inputs, weights)
        # A circuit whose gates read no input is not broadcast: its values are scalars, equal for
        # every row. The identity observable is a constant of no particular dtype.
        columns = [
            torch.as_tensor(v).to(dtype=inputs.dtype, device=inputs.device).expand(rows) for v in values
        ]
        return torch.stack(columns, dim=1)

    # ------------------------------------------------------------------ private

    def _translation(self, circuit: Circuit) -> Translation:
        from q_store_pennylane.translate import translate_circuit

        return self._translations.get_or_create(circuit, lambda: translate_circuit(circuit))

    def _translated_observables(self, observables: tuple[PauliString, ...]) -> tuple[Operator, ...]:
        from q_store_pennylane.translate import translate_observable

        return self._observables.get_or_create(
            observables, lambda: tuple(translate_observable(o) for o in observables)
        )

    def _exact_device(self, n_qubits: int) -> Device:
        from q_store_pennylane.devices import make_device

        device = self._exact_devices.get(n_qubits)
        if device is None:
            device = make_device(self.device_name, n_qubits, self.device_options, seed=None)
            self._exact_devices[n_qubits] = device
        return device

    def _seeded_device(self, n_qubits: int, seed: int | None) -> Device:
        from q_store_pennylane.devices import make_device

        return make_device(self.device_name, n_qubits, self.device_options, seed=seed)

    def _call(self, qnode: qml.QNode, *arguments: object) -> Any:
        try:
            return qnode(*arguments)
        except QStoreError:
            raise
        except Exception as exc:
            raise BackendError(
                f"backend 'pennylane' (device {self.device_name!r}) failed: {type(exc).__name__}: {exc}"
            ) from exc


@contextmanager
def _results_in(dtype: torch.dtype, *, floats_from_device: bool) -> Iterator[None]:
    """Make PennyLane's torch interface return ``dtype`` results for float64 inputs.

    lightning and default.mixed return Python floats, which the interface turns into tensors of torch's
    *default* dtype (float32 unless the user changed it): float64 inputs would silently get
    single-precision results. For those devices and float64 inputs only, the default dtype is
    switched for the duration of the call. torch's default dtype is process-wide: another thread
    creating tensors at that moment would see float64 (documented in the README).
    """
    previous = torch.get_default_dtype()
    if not floats_from_device or dtype != torch.float64 or previous == torch.float64:
        yield
        return
    torch.set_default_dtype(torch.float64)
    try:
        yield
    finally:
        torch.set_default_dtype(previous)
