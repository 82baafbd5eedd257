"""``InterpolationMode`` (read at import time by TorchQuantum's dataset modules); nothing else."""

from __future__ import annotations

import enum
from typing import NoReturn

from ._unavailable import module_getattr


class InterpolationMode(enum.Enum):
    NEAREST = "nearest"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"


def __getattr__(name: str) -> NoReturn:  # any transform: ToTensor, Normalize, Compose, ...
    module_getattr(__name__, name)
