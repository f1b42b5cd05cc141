"""The ask/tell optimisers, one algorithm per module."""

from .base import Optimizer
from .cmaes import CMAES
from .diffusion import DiffusionEvolution, LatentDiffusionEvolution
from .map_elites import MAPElites
from .openes import OpenES
from .pepg import PEPG

__all__ = ["Optimizer", "DiffusionEvolution", "LatentDiffusionEvolution", "CMAES", "OpenES", "PEPG",
           "MAPElites"]
