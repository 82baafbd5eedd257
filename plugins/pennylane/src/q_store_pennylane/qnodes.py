"""The QNodes that run a translated circuit on a whole batch in one PennyLane call.

Three shapes of call, one QNode each:

* **rows** (numpy in, numpy out): every parameter column varies per row. Used by ``execute``
  (and so by the core's parameter-shift rule, whose shifted rows all arrive in one call).
* **layer** (torch in, torch out): inputs vary per row, the weights are scalars shared by every
  row, exactly like ``qml.qnn.TorchLayer``; PennyLane's own torch differentiation (backprop,
  adjoint) then runs on it.
* **samples**: the rows shape, returning measured bitstrings.

A row-indexed column makes PennyLane broadcast: default.qubit simulates one batch-shaped state;
devices without native broadcasting (lightning) split the batch themselves, in C++ per row but
without a Python round trip of ours per row.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pennylane as qml
import torch
from numpy.typing import NDArray
from pennylane.devices import Device
from pennylane.measurements import MeasurementProcess
from pennylane.operation import Operator

from q_store_pennylane.translate import Translation

__all__ = ["layer_qnode", "rows_qnode", "samples_qnode"]


def _queue_rows(translation: Translation, parameters: NDArray[np.float64]) -> None:
    if not translation.reads_parameters:
        # Nothing would be broadcast, so PennyLane would run the circuit once and, with shots,
        # every row would get the SAME estimate. RZ(0) is exactly the identity; applied with one
        # zero per row it makes every row an independent execution.
        qml.RZ(np.zeros(parameters.shape[0]), wires=0)
    # Row-major columns: column c is parameters[:, c], one angle per row.
    translation.queue(np.ascontiguousarray(parameters.T))


def rows_qnode(
    translation: Translation, observables: Sequence[Operator], device: Device, *, shots: int | None
) -> qml.QNode:
    """``qnode(parameters)`` with ``parameters`` ``(rows, n_parameters)``: one array per observable."""

    def circuit(parameters: NDArray[np.float64]) -> list[MeasurementProcess]:
        _queue_rows(translation, parameters)
        return [qml.expval(observable) for observable in observables]

    return qml.QNode(circuit, device, interface="numpy", diff_method=None, shots=shots)


def samples_qnode(translation: Translation, device: Device, *, shots: int) -> qml.QNode:
    """``qnode(parameters)``: bitstrings ``(rows, shots, n_qubits)``, wire 0 in column 0."""
    wires = list(range(translation.n_qubits))

    def circuit(parameters: NDArray[np.float64]) -> MeasurementProcess:
        _queue_rows(translation, parameters)
        return qml.sample(wires=wires)

    return qml.QNode(circuit, device, interface="numpy", diff_method=None, shots=shots)


def layer_qnode(
    translation: Translation, observables: Sequence[Operator], device: Device, *, diff_method: str
) -> qml.QNode:
    """``qnode(inputs, weights)`` with inputs ``(rows, n_inputs)`` and weights ``(n_weights,)``."""

    def circuit(inputs: torch.Tensor, weights: torch.Tensor) -> list[MeasurementProcess]:
        # Input columns are broadcast over the rows; weight columns stay scalars, so the weights'
        # gradient is accumulated by PennyLane (and torch) rather than summed over rows by us.
        translation.queue((*inputs.unbind(1), *weights.unbind(0)))
        return [qml.expval(observable) for observable in observables]

    return qml.QNode(circuit, device, interface="torch", diff_method=diff_method)
