"""The qiskit-ionq side of a backend: provider, target, request headers and job serialisation.

qiskit-ionq defines the wire format: ``IonQClient.api_headers`` gives the exact headers
(``Authorization: apiKey <key>``, its User-Agent) and ``qiskit_to_ionq`` turns a list of Qiskit
circuits into ONE ``ionq.multi-circuit.v1`` job (one circuit: ``ionq.circuit.v1``), with the
target, shots, noise model and metadata. The key is revealed only here, to hand it to the client.
"""

from __future__ import annotations

import logging
import threading
import warnings
from collections.abc import Mapping, Sequence

from qiskit import QuantumCircuit
from qiskit_ionq import IonQProvider
from qiskit_ionq.helpers import qiskit_to_ionq
from qiskit_ionq.ionq_client import IonQClient

from q_store import Secret
from q_store_ionq.options import SIMULATOR, IonQOptions

__all__ = ["SUBMISSION_TAG", "IonQService", "submission_name"]

logger = logging.getLogger("q_store_ionq")

#: Metadata key carrying the client-generated id of a submission (to find it after a failure).
SUBMISSION_TAG = "q_store_submission"


def submission_name(submission_id: str) -> str:
    """The job name of a submission, shown in IonQ's console."""
    return f"q-store {submission_id}"


class IonQService:
    """qiskit-ionq's provider and target backend for one (key, URL, target)."""

    def __init__(self, key: Secret, options: IonQOptions) -> None:
        self.options = options
        self._lock = threading.Lock()
        # Building a qiskit-ionq backend looks its qubit count up (unauthenticated, at
        # IONQ_API_URL, falling back to 4 with a warning) and warns about Qiskit's transpiler
        # level. The plugin neither reads that count (it has its own table) nor transpiles, so
        # these warnings go to the debug log instead of the user's console.
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            provider = IonQProvider(token=key.reveal(), url=options.url)
            self.backend = provider.get_backend(options.target)
            if options.target == SIMULATOR:
                self.backend.set_options(noise_model=options.noise_model)
            self.headers: Mapping[str, str] = IonQClient(key.reveal(), options.url).api_headers
        for warning in caught:
            logger.debug("qiskit-ionq while building %r: %s", options.target, warning.message)

    def __repr__(self) -> str:
        return f"IonQService(target={self.options.target!r}, url={self.options.url!r})"

    def payload(
        self,
        circuits: Sequence[QuantumCircuit],
        *,
        submission_id: str,
        shots: int,
        noise_seed: int | None,
    ) -> str:
        """The JSON body of one job running ``circuits`` (a multi-circuit job when several)."""
        run_input: QuantumCircuit | list[QuantumCircuit] = (
            circuits[0] if len(circuits) == 1 else list(circuits)
        )
        with self._lock:  # the simulator's noise seed is read from the (shared) backend options
            self.backend.set_options(sampler_seed=noise_seed)
            body: str = qiskit_to_ionq(
                run_input,
                self.backend,
                passed_args={
                    "shots": shots,
                    "name": submission_name(submission_id),
                    "sampler_seed": noise_seed,
                },
                extra_metadata={SUBMISSION_TAG: submission_id},
            )
        return body
