"""``q-store-certify NAME [pytest options]``: run the contract suite against backend NAME."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0].startswith("-"):
        print("usage: q-store-certify NAME [pytest options]", file=sys.stderr)
        return 2
    name, rest = args[0], args[1:]
    # A fresh interpreter, so that pytest imports (and assert-rewrites) the suite itself.
    command = [sys.executable, "-m", "pytest", "--pyargs", "q_store_contract_tests.certify"]
    command += ["--q-store-backend", name, "-p", "no:cacheprovider", *rest]
    return subprocess.call(command)
