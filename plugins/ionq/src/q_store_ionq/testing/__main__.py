"""``python -m q_store_ionq.testing [--port N] [--fault-rate R] [--job-duration S]``: serve until Ctrl-C."""

from __future__ import annotations

import argparse
import contextlib
import threading

from q_store_ionq.testing import DEFAULT_KEY, FaultPlan, LoopbackIonQServer, environment


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m q_store_ionq.testing", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--key", default=DEFAULT_KEY, help="the API key the server accepts")
    parser.add_argument("--fault-rate", type=float, default=0.0, help="share of requests that fail")
    parser.add_argument("--seed", type=int, default=0, help="seed of the fault injection")
    parser.add_argument("--job-duration", type=float, default=0.0, help="seconds until a job completes")
    args = parser.parse_args()
    faults = FaultPlan(rate=args.fault_rate, seed=args.seed)
    with LoopbackIonQServer(
        api_key=args.key, port=args.port, faults=faults, job_duration=args.job_duration
    ) as server:
        for name, value in environment(server).items():
            print(f"export {name}={value}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
