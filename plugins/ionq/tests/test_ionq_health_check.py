"""``q-store doctor``'s check of IonQ costs nothing: it never submits a job."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from q_store.errors import ConfigError
from q_store_ionq import IonQBackend
from q_store_ionq.testing import LoopbackIonQServer


@pytest.mark.parametrize("target", ["simulator", "qpu.aria-1"])
def test_health_check_proves_the_key_without_submitting_a_job(
    server: LoopbackIonQServer, make_backend: Callable[..., IonQBackend], target: str
) -> None:
    message = make_backend(target=target).health_check()
    assert "key accepted" in message
    assert f"target {target!r} is available" in message
    assert server.state.submission_counts() == {}  # nothing was created, so nothing is billed


def test_health_check_with_a_wrong_key_is_a_typed_error(
    server: LoopbackIonQServer, make_backend: Callable[..., IonQBackend]
) -> None:
    with pytest.raises(ConfigError) as info:
        make_backend(api_key="not-the-key").health_check()
    assert info.value.argument == "ionq_api_key"
    assert "not-the-key" not in str(info.value)
