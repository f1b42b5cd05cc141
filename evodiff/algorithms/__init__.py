"""The ask/tell optimisers, one algorithm per module."""

from .base import Optimizer
from .cmaes import CMAES
from .diffusion import DiffusionEvolution, LatentDiffusionEvolution
from .map_elites import MAPElites
from .niching import NichingDiffusionEvolution
from .openes import OpenES
from .pepg import PEPG
from .restarts import RestartedDiffusionEvolution

__all__ = ["Optimizer", "DiffusionEvolution", "RestartedDiffusionEvolution",
           "NichingDiffusionEvolution", "LatentDiffusionEvolution", "CMAES", "OpenES", "PEPG",
           "MAPElites"]
