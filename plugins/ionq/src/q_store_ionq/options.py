"""Targets, noise models and the options of the IonQ backend, validated in one place.

Every option comes from ``DatabaseConfig(backend_options={...})`` (or the constructor) and every
bad value raises :class:`~q_store.errors.ArgumentError` naming the option and what is allowed.
Defaults depend on the target: generous on the free simulator, strict on QPUs, which bill per
shot and per circuit.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from typing import Final

import attrs

from q_store.errors import ArgumentError

__all__ = [
    "DEFAULT_URL",
    "NOISE_MODELS",
    "QPU_LIMITS",
    "QPU_QUBITS",
    "SIMULATOR",
    "SIMULATOR_LIMITS",
    "SIMULATOR_QUBITS",
    "CostLimits",
    "IonQOptions",
    "RetryPolicy",
    "resolve_options",
    "resolve_url",
]

SIMULATOR: Final = "simulator"
DEFAULT_URL: Final = "https://api.ionq.co/v0.4"
#: The variables qiskit-ionq reads for the base URL, in its order of precedence.
URL_VARIABLES: Final = ("QISKIT_IONQ_API_URL", "IONQ_API_URL")
#: Qubits of IonQ's cloud simulator.
SIMULATOR_QUBITS: Final = 29
#: Qubits of IonQ's QPUs by API name. A QPU missing here needs ``max_qubits`` in the options.
QPU_QUBITS: Final[Mapping[str, int]] = {
    "qpu.harmony": 11,
    "qpu.aria-1": 25,
    "qpu.aria-2": 25,
    "qpu.forte-1": 36,
    "qpu.forte-enterprise-1": 36,
}
#: Noise models of IonQ's simulator ('ideal' returns exact probabilities).
NOISE_MODELS: Final = ("ideal", "harmony", "aria-1", "aria-2", "forte-1", "forte-enterprise-1")


@attrs.frozen
class CostLimits:
    """The cost guard: the most a single backend call may submit."""

    max_circuits_per_call: int
    max_shots_per_call: int


#: The simulator is free: its limits only stop a runaway loop (e.g. parameter shift on a huge batch).
SIMULATOR_LIMITS: Final = CostLimits(max_circuits_per_call=50_000, max_shots_per_call=50_000_000)
#: QPUs bill every shot and every circuit: a call above these limits must be allowed explicitly.
QPU_LIMITS: Final = CostLimits(max_circuits_per_call=10, max_shots_per_call=10_000)


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """Bounded retries with exponential backoff and jitter for one HTTP request.

    The pause before retry ``k`` (1, 2, ...) is drawn from ``[d/2, d]`` with
    ``d = min(max_backoff, initial_backoff * 2**(k-1))``, or the server's ``Retry-After`` when that
    is longer (still capped by ``max_backoff``). No retry starts once ``retry_deadline`` seconds have
    passed since the first attempt.
    """

    max_attempts: int = 4
    initial_backoff: float = 0.5
    max_backoff: float = 8.0
    retry_deadline: float = 60.0


@attrs.frozen(kw_only=True)
class IonQOptions:
    """Resolved and validated options of one :class:`~q_store_ionq.IonQBackend`."""

    target: str
    url: str
    noise_model: str
    default_shots: int
    max_qubits: int
    limits: CostLimits
    circuits_per_job: int
    job_timeout: float
    poll_interval: float
    max_poll_interval: float
    connect_timeout: float
    read_timeout: float
    retry: RetryPolicy
    cancel_on_timeout: bool

    @property
    def is_qpu(self) -> bool:
        return self.target != SIMULATOR

    @property
    def exact_results(self) -> bool:
        """The service returns exact probabilities (ideal simulator), not shot frequencies."""
        return self.target == SIMULATOR and self.noise_model == "ideal"


def resolve_url(url: str | None) -> str:
    """``url``, else ``QISKIT_IONQ_API_URL`` / ``IONQ_API_URL``, else IonQ's production URL.

    Unlike qiskit-ionq, a ``.env`` file is not consulted: a hidden file must not be able to send
    the API key somewhere else.
    """
    if url is None:
        url = next((os.environ[v] for v in URL_VARIABLES if os.environ.get(v, "").strip()), DEFAULT_URL)
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise ArgumentError("url", f"must be an http(s) URL such as {DEFAULT_URL!r}, got {url!r}")
    return url.strip().rstrip("/")


def resolve_options(
    *,
    target: str = SIMULATOR,
    url: str | None = None,
    noise_model: str = "ideal",
    default_shots: int = 1000,
    max_qubits: int | None = None,
    max_circuits_per_call: int | None = None,
    max_shots_per_call: int | None = None,
    circuits_per_job: int = 500,
    job_timeout: float | None = None,
    poll_interval: float = 0.5,
    max_poll_interval: float | None = None,
    connect_timeout: float = 3.0,
    read_timeout: float = 30.0,
    max_attempts: int = 4,
    initial_backoff: float = 0.5,
    max_backoff: float = 8.0,
    retry_deadline: float = 60.0,
    cancel_on_timeout: bool = True,
) -> IonQOptions:
    """Validate every option and fill in the target-dependent defaults."""
    target = _target(target)
    is_qpu = target != SIMULATOR
    if noise_model not in NOISE_MODELS:
        raise ArgumentError("noise_model", f"must be one of {', '.join(NOISE_MODELS)}; got {noise_model!r}")
    if is_qpu and noise_model != "ideal":
        raise ArgumentError("noise_model", f"applies to target 'simulator' only, not {target!r}")
    limits = QPU_LIMITS if is_qpu else SIMULATOR_LIMITS
    limits = CostLimits(
        _positive_int("max_circuits_per_call", _default(max_circuits_per_call, limits.max_circuits_per_call)),
        _positive_int("max_shots_per_call", _default(max_shots_per_call, limits.max_shots_per_call)),
    )
    if max_qubits is None:
        max_qubits = _known_qubits(target)
    retry = RetryPolicy(
        max_attempts=_positive_int("max_attempts", max_attempts),
        initial_backoff=_seconds("initial_backoff", initial_backoff, allow_zero=True),
        max_backoff=_seconds("max_backoff", max_backoff, allow_zero=True),
        retry_deadline=_seconds("retry_deadline", retry_deadline),
    )
    if not isinstance(cancel_on_timeout, bool):
        raise ArgumentError("cancel_on_timeout", f"must be True or False, got {cancel_on_timeout!r}")
    return IonQOptions(
        target=target,
        url=resolve_url(url),
        noise_model=noise_model,
        default_shots=_positive_int("default_shots", default_shots),
        max_qubits=_positive_int("max_qubits", max_qubits),
        limits=limits,
        circuits_per_job=_positive_int("circuits_per_job", circuits_per_job),
        # QPU queues are measured in hours; the simulator answers in seconds.
        job_timeout=_seconds("job_timeout", _default(job_timeout, 86_400.0 if is_qpu else 600.0)),
        poll_interval=_seconds("poll_interval", poll_interval, allow_zero=True),
        max_poll_interval=_seconds("max_poll_interval", _default(max_poll_interval, 60.0 if is_qpu else 5.0)),
        connect_timeout=_seconds("connect_timeout", connect_timeout),
        read_timeout=_seconds("read_timeout", read_timeout),
        retry=retry,
        cancel_on_timeout=cancel_on_timeout,
    )


def _target(target: object) -> str:
    if not isinstance(target, str) or not (target == SIMULATOR or target.startswith("qpu.")):
        known = ", ".join((SIMULATOR, *QPU_QUBITS))
        raise ArgumentError(
            "ionq_target", f"must be 'simulator' or a QPU name 'qpu.<name>' ({known}); got {target!r}"
        )
    return target


def _known_qubits(target: str) -> int:
    if target == SIMULATOR:
        return SIMULATOR_QUBITS
    if target in QPU_QUBITS:
        return QPU_QUBITS[target]
    raise ArgumentError(
        "max_qubits",
        f"QPU {target!r} is not in the plugin's table ({', '.join(QPU_QUBITS)}); "
        "pass its qubit count, e.g. backend_options={'max_qubits': 36}",
    )


def _default(value: object, default: object) -> object:
    # Only None means "use the default": 0 or False must reach validation and be refused.
    return default if value is None else value


def _positive_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ArgumentError(name, f"must be a positive integer, got {value!r}")
    return value


def _seconds(name: str, value: object, *, allow_zero: bool = False) -> float:
    valid = (
        not isinstance(value, bool)
        and isinstance(value, (int, float))
        and math.isfinite(value)
        and (value >= 0 if allow_zero else value > 0)
    )
    if not valid:
        kind = "a non-negative" if allow_zero else "a positive"
        raise ArgumentError(name, f"must be {kind} number of seconds, got {value!r}")
    return float(value)  # type: ignore[arg-type]
