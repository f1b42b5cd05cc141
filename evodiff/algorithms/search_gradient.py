"""What OpenES and PEPG share: a mean moved along an estimated search gradient.

Both strategies sample around a mean, shape the objective values into
utilities (centred ranks by default), add an L2 weight-decay term, estimate
a gradient and let a stepper (Adam or SGD with momentum) move the mean; the
learning rate and the exploration width decay geometrically down to floors.
The defaults and the order of these steps follow estool (D. Ha), which the
paper's baselines used.
"""

from __future__ import annotations

import numpy as np

from ..fitness import centered_ranks
from ..parameters import Bool, Int, Real, check_parameters
from ..state import Field, Part, Setting
from .base import Optimizer
from .gradient import make_stepper
from .starts import start_as_center

__all__ = ["SearchGradientES"]



#: Declared limits of the settings OpenES and PEPG share (:mod:`evodiff.parameters`).
SEARCH_GRADIENT_PARAMETERS = {
    "sigma0": Real(0.0, strict=True),
    "sigma_decay": Real(0.0, 1.0, strict=True),
    "sigma_limit": Real(0.0),
    "learning_rate": Real(0.0, strict=True),
    "learning_rate_decay": Real(0.0, 1.0, strict=True),
    "learning_rate_limit": Real(0.0),
    "weight_decay": Real(0.0),
    "rank_fitness": Bool(),
    "maxiter": Int(1),
}


class SearchGradientES(Optimizer):
    """Base class of OpenES and PEPG (not used directly).

    Parameters
    ----------
    popsize : int
    x0 : array_like, optional
        Start point in problem space (default: centre of the region).
    sigma0, sigma_decay, sigma_limit : float
        Initial exploration width (normalised units), its decay per
        generation and its floor.
    learning_rate, learning_rate_decay, learning_rate_limit : float
        Step of the stepper, its decay per generation and its floor.
    weight_decay : float
        Coefficient of the L2 penalty ``-weight_decay * mean(x**2)`` added to
        the utilities (normalised coordinates).
    rank_fitness : bool
        Centred-rank shaping (else objective values standardised).
    optimizer : {'adam', 'sgd'}
    momentum : float
        Momentum of ``'sgd'``.
    maxiter : int
        Number of generations of a run.
    """

    DEFAULT_POPSIZE = 256
    # maxiter is a stopping rule and may differ on resume; the current learning rate is state
    SETTINGS = Optimizer.SETTINGS + tuple(
        Setting(name, "float") for name in ("sigma_decay", "sigma_limit",
                                            "learning_rate_decay", "learning_rate_limit",
                                            "weight_decay")) + (
        Setting("rank_fitness", "bool"),
        Setting("sigma_init", "float", "sigma0"),  # the key of 0.1.0 checkpoints
    )
    STATE = Optimizer.STATE + (
        Field("mean", "array", ("dim",)),
        Field("learning_rate", "float", domain="step"),
        Field("samples", "array", ("popsize", "dim"), "_samples", optional=True),
    )
    PARTS = (Part("stepper", "stepper_"),)

    def __init__(self, *, popsize=None, x0=None, sigma0, sigma_decay, sigma_limit, learning_rate,
                 learning_rate_decay, learning_rate_limit, weight_decay, rank_fitness, optimizer,
                 momentum=0.9, maxiter=1000, dim=None, bounds=None, center=None, scale=None, sense="min",
                 rng=None, dtype="float64", backend="numpy"):
        center, x0 = start_as_center(x0, dim, bounds, center)
        super().__init__(popsize=popsize, dim=dim, bounds=bounds, center=center, scale=scale,
                         sense=sense, rng=rng, dtype=dtype, backend=backend)
        p = check_parameters(SEARCH_GRADIENT_PARAMETERS, {
            "sigma0": sigma0, "sigma_decay": sigma_decay, "sigma_limit": sigma_limit,
            "learning_rate": learning_rate, "learning_rate_decay": learning_rate_decay,
            "learning_rate_limit": learning_rate_limit, "weight_decay": weight_decay,
            "rank_fitness": rank_fitness, "maxiter": maxiter})
        self.sigma0, self.sigma_decay, self.sigma_limit = (p["sigma0"], p["sigma_decay"],
                                                           p["sigma_limit"])
        self.learning_rate = p["learning_rate"]
        self.learning_rate_decay = p["learning_rate_decay"]
        self.learning_rate_limit = p["learning_rate_limit"]
        self.weight_decay, self.rank_fitness = p["weight_decay"], p["rank_fitness"]
        if optimizer == "sgd":
            self.stepper = make_stepper("sgd", self.xp, momentum=momentum)
        else:
            self.stepper = make_stepper(optimizer, self.xp)
        self.maxiter = p["maxiter"]
        self.mean = self.backend.asarray(self.normalised_start(x0))
        self._samples = None

    def _warm_start(self, normalised, cost):
        """Start the search distribution's mean at the best prior evaluation."""
        self.mean = self.xp.asarray(normalised[int(self.xp.argmin(cost)), :], copy=True)

    @property
    def done(self):
        """bool : whether ``maxiter`` generations have been told."""
        return self.nit >= self.maxiter

    @property
    def max_generations(self):
        """int : ``maxiter``."""
        return self.maxiter

    def utilities(self, x, cost):
        """Shaped utilities of the points ``x`` (higher is better), weight decay included."""
        xp = self.xp
        if self.rank_fitness:
            utility = centered_ranks(xp, cost)
        else:
            finite = xp.isfinite(cost)
            worst = xp.max(xp.where(finite, cost, -xp.inf)) if bool(xp.any(finite)) else 0.0
            value = -xp.where(finite, cost, worst)
            spread = float(xp.std(value))
            utility = (value - xp.mean(value)) / (spread if spread > 0 else 1.0)
        if self.weight_decay > 0:
            utility = utility - self.weight_decay * xp.mean(x * x, axis=1)
        return utility

    def decay(self):
        """Decay the learning rate toward its floor (sigma decay is per algorithm)."""
        if self.learning_rate > self.learning_rate_limit:
            self.learning_rate = max(self.learning_rate * self.learning_rate_decay,
                                     self.learning_rate_limit)

    @property
    def population(self):
        """array : the last sampled population in problem space (not clipped)."""
        points = self.mean[None, :] if self._samples is None else self._samples
        return self.space.to_problem(points, clip=False)[0]

    def candidates(self):
        """The mean, the strategy's estimate of the optimum (host, problem space, (1, D))."""
        return np.asarray(self.backend.to_host(self.space.to_problem(self.mean[None, :])[0]))
