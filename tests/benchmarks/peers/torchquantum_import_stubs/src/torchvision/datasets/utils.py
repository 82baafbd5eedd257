"""``download_url``, imported by TorchQuantum's vowel dataset; it raises when called."""

from __future__ import annotations

from typing import NoReturn

from .._unavailable import unavailable


def download_url(*args: object, **kwargs: object) -> NoReturn:
    unavailable("datasets.utils.download_url")
