"""``q-store-certify [--store] NAME [pytest options]``: run the contract suite against an
installed backend (or, with ``--store``, vector store) NAME."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    option, selection = "--q-store-backend", "TestCertifyBackend"
    if args[:1] == ["--store"]:
        option, selection, args = "--q-store-vector-store", "TestCertifyVectorStore", args[1:]
    if not args or args[0].startswith("-"):
        print("usage: q-store-certify [--store] NAME [pytest options]", file=sys.stderr)
        return 2
    name, rest = args[0], args[1:]
    # A fresh interpreter, so that pytest imports (and assert-rewrites) the suite itself.
    command = [sys.executable, "-m", "pytest", "--pyargs", "q_store_contract_tests.certify", "-k", selection]
    # --noconftest: certification must not depend on the caller's directory (a project's own
    # conftest.py may import things this environment does not have).
    command += [option, name, "-p", "no:cacheprovider", "--noconftest", *rest]
    return subprocess.call(command)
