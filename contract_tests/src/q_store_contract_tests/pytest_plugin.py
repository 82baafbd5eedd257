"""pytest plugin of the contract suite (registered through the ``pytest11`` entry point).

It adds ``--q-store-backend NAME`` and ``--q-store-vector-store NAME``: certify an installed
backend or store by name, with no code::

    pytest --pyargs q_store_contract_tests.certify --q-store-backend mock
    pytest --pyargs q_store_contract_tests.certify --q-store-vector-store memory

or simply ``q-store-certify mock`` and ``q-store-certify --store memory``.
"""

from __future__ import annotations

import json

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("q-store", "Q-Store plugin certification")
    group.addoption(
        "--q-store-backend",
        default=None,
        metavar="NAME",
        help="certify the installed quantum backend NAME with the contract suite",
    )
    group.addoption(
        "--q-store-vector-store",
        default=None,
        metavar="NAME",
        help="certify the installed vector store NAME with the contract suite",
    )
    group.addoption(
        "--q-store-vector-store-options",
        default="{}",
        metavar="JSON",
        help="options for the store under certification; '{tmp}' in a string becomes a fresh "
        "temporary directory for each store",
    )
    group.addoption(
        "--q-store-backend-options",
        default="{}",
        metavar="JSON",
        help="options for the backend under certification, as a JSON object",
    )


def store_under_certification(config: pytest.Config) -> tuple[str | None, str]:
    return config.getoption("--q-store-vector-store"), config.getoption("--q-store-vector-store-options")


def backend_under_certification(config: pytest.Config) -> tuple[str | None, dict[str, object]]:
    name = config.getoption("--q-store-backend")
    options = json.loads(config.getoption("--q-store-backend-options"))
    if not isinstance(options, dict):
        raise pytest.UsageError("--q-store-backend-options must be a JSON object")
    return name, options
