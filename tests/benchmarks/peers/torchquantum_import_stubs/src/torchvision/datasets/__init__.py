"""``VisionDataset`` (subclassed at import time by TorchQuantum's vowel dataset); nothing else."""

from __future__ import annotations

from typing import NoReturn

from .._unavailable import module_getattr, unavailable


class VisionDataset:
    def __init__(self, *args: object, **kwargs: object) -> None:
        unavailable("datasets.VisionDataset")


def __getattr__(name: str) -> NoReturn:  # MNIST, FashionMNIST, CIFAR10, ...
    module_getattr(__name__, name)
