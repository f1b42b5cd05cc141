"""The ask/tell optimisers, one algorithm per module."""

from .base import Optimizer
from .diffusion import DiffusionEvolution

__all__ = ["Optimizer", "DiffusionEvolution"]
