"""evodiff: Diffusion Evolution and classic evolution strategies for black-box optimisation.

The public API:

- :func:`minimize`, :func:`maximize`: the front door, in the style of scipy.optimize.
- :func:`sample`: weighted samples and ``log Z`` of an unnormalised density
  (:mod:`evodiff.sampling`).
- :class:`DiffusionEvolution`: the ask/tell optimiser of Zhang et al. (ICLR 2025);
  :class:`RestartedDiffusionEvolution`, the default method (it converges);
  :class:`NichingDiffusionEvolution`, every global optimum.
- :class:`CMAES`, :class:`OpenES`, :class:`PEPG`: the classic baselines, same interface.
- :mod:`evodiff.problems`: benchmark functions with known optima.
- :mod:`evodiff.schedules`, :mod:`evodiff.fitness`, :mod:`evodiff.backend`: building blocks.
"""

from . import algorithms, binary, checkpoint, problems, registry, sampling
from ._version import __version__
from .algorithms import (
    CMAES,
    PEPG,
    DiffusionEvolution,
    LatentDiffusionEvolution,
    MAPElites,
    NichingDiffusionEvolution,
    OpenES,
    Optimizer,
    RestartedDiffusionEvolution,
)
from .backend import Backend
from .evaluation import EvaluationError, Evaluator, evaluate
from .fitness import Energy, Identity, NonFiniteObjectiveWarning, Power, Rank
from .modes import Mode
from .optimize import OptimizeResult, maximize, minimize
from .registry import METHODS, make_optimizer, register_method
from .sampling import SampleResult, sample
from .schedules import Schedule, cosine_schedule, ddpm_schedule, linear_schedule

__all__ = [
    "minimize",
    "maximize",
    "OptimizeResult",
    "sample",
    "SampleResult",
    "METHODS",
    "register_method",
    "make_optimizer",
    "DiffusionEvolution",
    "RestartedDiffusionEvolution",
    "NichingDiffusionEvolution",
    "LatentDiffusionEvolution",
    "CMAES",
    "OpenES",
    "PEPG",
    "MAPElites",
    "Optimizer",
    "Backend",
    "evaluate",
    "Evaluator",
    "EvaluationError",
    "Mode",
    "Rank",
    "Energy",
    "Identity",
    "Power",
    "NonFiniteObjectiveWarning",
    "Schedule",
    "cosine_schedule",
    "linear_schedule",
    "ddpm_schedule",
    "algorithms",
    "binary",
    "checkpoint",
    "problems",
    "registry",
    "sampling",
    "__version__",
]


def __dir__():
    # the public names only: the modules imported on the way (evodiff.session, ...) stay
    # importable by their full name but are not part of what ``import evodiff`` offers
    return sorted(__all__)
