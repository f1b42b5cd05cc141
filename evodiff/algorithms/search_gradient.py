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
from ..state import Field, Part, Setting
from ..validation import check_bool, check_int, check_real
from .base import Optimizer, start_as_center
from .gradient import make_stepper

__all__ = ["SearchGradientES"]


def _decay_factor(name, value):
    value = check_real(name, value, minimum=0.0, strict=True)
    if value > 1:
        raise ValueError(f"{name} must be in (0, 1]; got {value!r}")
    return value


class SearchGradientES(Optimizer):
    """Base class of OpenES and PEPG (not used directly).

    Parameters
    ----------
    popsize : int
    x0 : array_like, optional
        Start point in problem space (default: centre of the region).
    sigma_init, sigma_decay, sigma_limit : float
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
        Setting(name, "float") for name in ("sigma_init", "sigma_decay", "sigma_limit",
                                            "learning_rate_decay", "learning_rate_limit",
                                            "weight_decay")) + (Setting("rank_fitness", "bool"),)
    STATE = Optimizer.STATE + (
        Field("mean", "array", ("dim",)),
        Field("learning_rate", "float", domain="step"),
        Field("samples", "array", ("popsize", "dim"), "_samples", optional=True),
    )
    PARTS = (Part("stepper", "stepper_"),)

    def __init__(self, popsize, *, x0=None, sigma_init, sigma_decay, sigma_limit, learning_rate,
                 learning_rate_decay, learning_rate_limit, weight_decay, rank_fitness, optimizer,
                 momentum=0.9, maxiter=1000, dim=None, bounds=None, center=None, scale=None, sense="min",
                 rng=None, dtype="float64", backend="numpy"):
        center, x0 = start_as_center(x0, dim, bounds, center)
        super().__init__(popsize, dim=dim, bounds=bounds, center=center, scale=scale,
                         sense=sense, rng=rng, dtype=dtype, backend=backend)
        self.sigma_init = check_real("sigma_init", sigma_init, minimum=0.0, strict=True)
        self.sigma_decay = _decay_factor("sigma_decay", sigma_decay)
        self.sigma_limit = check_real("sigma_limit", sigma_limit, minimum=0.0)
        self.learning_rate = check_real("learning_rate", learning_rate, minimum=0.0, strict=True)
        self.learning_rate_decay = _decay_factor("learning_rate_decay", learning_rate_decay)
        self.learning_rate_limit = check_real("learning_rate_limit", learning_rate_limit,
                                              minimum=0.0)
        self.weight_decay = check_real("weight_decay", weight_decay, minimum=0.0)
        self.rank_fitness = check_bool("rank_fitness", rank_fitness)
        if optimizer == "sgd":
            self.stepper = make_stepper("sgd", self.xp, momentum=momentum)
        else:
            self.stepper = make_stepper(optimizer, self.xp)
        self.maxiter = check_int("maxiter", maxiter, minimum=1)
        self.mean = self.backend.asarray(self.normalised_start(x0))
        self._samples = None

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
