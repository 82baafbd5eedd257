"""`IonQBackend`: IonQ's cloud simulator and trapped-ion QPUs behind ``quantum_sdk='ionq'``.

    DatabaseConfig(quantum_sdk="ionq", ionq_api_key="...", ionq_target="simulator")

One backend call becomes few HTTP requests: every parameter row and every measurement basis is a
circuit of ONE multi-circuit job (``circuits_per_job`` per job), so a batch and all its
parameter-shift rows cost a handful of requests. Before anything is sent, the cost guard checks
circuits x shots against the budget (strict by default on QPUs). Results are estimated from
shots: the ideal simulator returns exact probabilities, from which shots are drawn with the
caller's seed; QPUs and noisy simulations return the frequencies of real shots.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
from numpy.typing import NDArray

from q_store import BackendCapabilities, Circuit, LRUCache, PauliString, QuantumBackend, Secret
from q_store.errors import ArgumentError, ConfigError
from q_store_ionq.cost import CostEstimate, check_budget
from q_store_ionq.estimate import Distribution, expectations, sample_bits, sample_frequencies
from q_store_ionq.jobs import JobRunner
from q_store_ionq.measurement import plan_measurements
from q_store_ionq.options import SIMULATOR, SIMULATOR_QUBITS, IonQOptions, resolve_options
from q_store_ionq.service import IonQService
from q_store_ionq.translate import CACHE_SIZE, TRANSLATED_GATES, MeasuredProgram, translate
from q_store_ionq.transport import IonQTransport

if TYPE_CHECKING:
    from q_store.config import DatabaseConfig

__all__ = ["IonQBackend"]

#: Options that come from DatabaseConfig fields, not from backend_options.
_CONFIG_FIELDS = {"api_key": "ionq_api_key", "target": "ionq_target", "seed": "seed"}
_OPTION_NAMES = frozenset(inspect.signature(resolve_options).parameters) - {"target"}
_MISSING_KEY = (
    "no IonQ API key: pass DatabaseConfig(ionq_api_key=...) or set the IONQ_API_KEY environment variable"
)


class IonQBackend(QuantumBackend):
    """IonQ's cloud through qiskit-ionq: shot-based, multi-circuit jobs, cost-guarded.

    Options (``DatabaseConfig(backend_options={...})``, all optional):
        url: API base URL (default ``IONQ_API_URL`` or ``https://api.ionq.co/v0.4``).
        noise_model: simulator noise model: 'ideal' (exact probabilities) or 'harmony',
            'aria-1', 'aria-2', 'forte-1', 'forte-enterprise-1'.
        default_shots: shots when the caller gives none (``DatabaseConfig.shots``; default 1000).
        max_qubits: qubit limit (default: 29 on the simulator, the QPU's size from a table).
        max_circuits_per_call, max_shots_per_call: the cost guard (simulator 50,000 circuits and
            50,000,000 shots; QPUs 10 circuits and 10,000 shots).
        circuits_per_job: circuits per multi-circuit job (default 500).
        job_timeout: seconds to wait for a call's jobs (simulator 600, QPU 86,400).
        poll_interval, max_poll_interval: polling pause, growing x1.5 up to the maximum.
        connect_timeout, read_timeout: per HTTP request (3 s, 30 s).
        max_attempts, initial_backoff, max_backoff, retry_deadline: the retry policy (4 attempts,
            0.5 s doubling up to 8 s with jitter, 60 s in all).
        cancel_on_timeout: cancel jobs that miss ``job_timeout`` (default True).
    """

    name = "ionq"
    capabilities = BackendCapabilities(
        max_qubits=SIMULATOR_QUBITS,
        exact=False,
        supports_shots=True,
        supports_samples=True,
        gates=TRANSLATED_GATES,
        default_shots=1000,
    )

    def __init__(
        self,
        *,
        api_key: Secret | str | None = None,
        target: str = SIMULATOR,
        seed: int | None = None,
        **options: Any,
    ) -> None:
        unknown = sorted(set(options) - _OPTION_NAMES)
        if unknown:
            raise ArgumentError(
                "backend_options",
                f"unknown IonQ option(s) {', '.join(unknown)}; allowed: {', '.join(sorted(_OPTION_NAMES))}",
            )
        self.options: IonQOptions = resolve_options(target=target, **options)
        if isinstance(api_key, str):
            api_key = Secret(api_key)
        key = api_key if api_key is not None else Secret.from_env("IONQ_API_KEY")
        if not isinstance(key, Secret):
            raise ConfigError("ionq_api_key", _MISSING_KEY)
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
            raise ArgumentError("seed", f"must be a non-negative integer or None, got {seed!r}")
        self._key = key
        self.capabilities = attrs.evolve(
            IonQBackend.capabilities,
            max_qubits=self.options.max_qubits,
            default_shots=self.options.default_shots,
        )
        # One translation per (circuit, measurement basis); circuits are immutable and hashable.
        self._programs: LRUCache[tuple[Circuit, tuple[tuple[int, str], ...]], MeasuredProgram] = LRUCache(
            CACHE_SIZE
        )
        # Seeds for calls without one: reproducible from DatabaseConfig.seed, fresh when None.
        self._seeds = np.random.default_rng(seed)
        self._lock = threading.Lock()
        self._transport: IonQTransport | None = None
        self._runner: JobRunner | None = None

    @classmethod
    def from_config(cls, config: DatabaseConfig) -> IonQBackend:
        options = dict(config.backend_options)
        for option, field in _CONFIG_FIELDS.items():
            if option in options:
                raise ArgumentError("backend_options", f"{option!r} comes from DatabaseConfig.{field}")
        if config.shots is not None:
            if "default_shots" in options:
                raise ArgumentError(
                    "backend_options", "'default_shots' conflicts with DatabaseConfig.shots; set one"
                )
            options["default_shots"] = config.shots
        key = config.ionq_key()
        if key is None:
            raise ConfigError("ionq_api_key", _MISSING_KEY)
        return cls(api_key=key, target=config.ionq_target, seed=config.seed, **options)

    def __repr__(self) -> str:
        o = self.options
        return (
            f"IonQBackend(target={o.target!r}, url={o.url!r}, noise_model={o.noise_model!r}, "
            f"default_shots={o.default_shots})"
        )

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
        shots = self.options.default_shots if shots is None else shots  # run() always passes shots
        plan = plan_measurements(observables)
        rows = parameters.shape[0]
        values = np.zeros((rows, len(observables)))
        values[:, list(plan.identities)] = 1.0
        if rows == 0 or not plan.groups:
            return values
        rng = self._call_rng(seed)
        distributions = self._distributions(
            circuit, parameters, [group.basis for group in plan.groups], shots=shots, rng=rng
        )
        for index, distribution in enumerate(distributions):
            row, group = divmod(index, len(plan.groups))
            if self.options.exact_results:
                distribution = sample_frequencies(distribution, shots, rng)
            members = list(plan.groups[group].members)
            values[row, members] = expectations(distribution, plan.groups[group].masks)
        return values

    def sample(
        self, circuit: Circuit, parameters: NDArray[np.float64], *, shots: int, seed: int | None
    ) -> NDArray[np.uint8]:
        """Bitstrings drawn from the returned distribution (on QPUs: a resample of its frequencies)."""
        if parameters.shape[0] == 0:
            return np.zeros((0, shots, circuit.n_qubits), dtype=np.uint8)
        rng = self._call_rng(seed)
        distributions = self._distributions(circuit, parameters, [()], shots=shots, rng=rng)
        return np.stack([sample_bits(d, shots, circuit.n_qubits, rng) for d in distributions])

    def preferred_diff_method(self, circuit: Circuit, *, shots: int | None) -> str:
        # On hardware every circuit is billed: SPSA needs 2 per sample, parameter shift 2 per
        # rotation gate per sample.
        return "spsa" if self.options.is_qpu else "parameter-shift"

    def health_check(self) -> str:
        """Free checks only (``q-store doctor``): an authenticated job listing proves the key, and
        the backend list gives the target's status. No job is submitted, so nothing is billed."""
        self._job_runner()
        assert self._transport is not None
        self._transport.request("GET", "jobs", params={"limit": 1})
        backends = self._transport.request("GET", "backends")
        entry = next(
            (b for b in backends if isinstance(b, dict) and b.get("backend") == self.options.target), None
        )
        if entry is None:
            return f"key accepted; target {self.options.target!r} is not in IonQ's backend list"
        return (
            f"key accepted; target {self.options.target!r} is {entry.get('status', 'unknown')} "
            f"({entry.get('qubits', '?')} qubits); no job was submitted"
        )

    def close(self) -> None:
        with self._lock:
            if self._transport is not None:
                self._transport.close()
            self._transport = self._runner = None

    # ------------------------------------------------------------------ private

    def _call_rng(self, seed: int | None) -> np.random.Generator:
        if seed is None:
            with self._lock:
                seed = int(self._seeds.integers(2**63 - 1))
        return np.random.default_rng(seed)

    def _distributions(
        self,
        circuit: Circuit,
        parameters: NDArray[np.float64],
        bases: Sequence[tuple[tuple[int, str], ...]],
        *,
        shots: int,
        rng: np.random.Generator,
    ) -> list[Distribution]:
        """One distribution per (row, basis), row-major, after the cost guard allowed the call."""
        check_budget(
            CostEstimate(self.options.target, parameters.shape[0] * len(bases), shots), self.options.limits
        )
        programs = [
            self._programs.get_or_create((circuit, basis), lambda basis=basis: translate(circuit, basis))
            for basis in bases
        ]
        circuits = [
            program.bind(row, f"row{r}.basis{b}")
            for r, row in enumerate(parameters)
            for b, program in enumerate(programs)
        ]
        # Seeds the noisy simulator's own sampling; unused by the ideal simulator and QPUs.
        noise_seed = int(rng.integers(2**31 - 1))
        return self._job_runner().run(circuits, circuit.n_qubits, shots=shots, noise_seed=noise_seed)

    def _job_runner(self) -> JobRunner:
        # Built on first use: constructing the backend touches no network.
        with self._lock:
            if self._runner is None:
                service = IonQService(self._key, self.options)
                self._transport = IonQTransport(
                    url=self.options.url,
                    headers=service.headers,
                    policy=self.options.retry,
                    connect_timeout=self.options.connect_timeout,
                    read_timeout=self.options.read_timeout,
                )
                self._runner = JobRunner(service, self._transport, self.options)
            return self._runner
