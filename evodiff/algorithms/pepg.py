"""PEPG: Parameter-Exploring Policy Gradients (Sehnke et al., 2010).

"Parameter-exploring policy gradients", Neural Networks 23(4).  Symmetric
(mirrored) sampling ``mean +- eps_k`` with ``eps_k ~ N(0, diag(sigma^2))``; the
mean follows the differences of the mirrored utilities, and every coordinate
of ``sigma`` adapts to the utility of its pair relative to a baseline, with
its relative change bounded.  Defaults and details (Adam on the mean, the
average or first-sample baseline, optional elite averaging) follow estool's
``PEPG`` (D. Ha), the implementation the Diffusion Evolution paper compared
against.
"""

from __future__ import annotations

import math

from ..parameters import Bool, Real, check_parameters
from ..state import Field, Setting
from ..validation import check_popsize, renamed_keyword
from .search_gradient import SEARCH_GRADIENT_PARAMETERS, SearchGradientES

__all__ = ["PEPG"]


#: PEPG's own settings (:mod:`evodiff.parameters`).
PEPG_PARAMETERS = {
    "sigma_alpha": Real(0.0),
    "sigma_max_change": Real(0.0),
    "elite_ratio": Real(0.0, 1.0),
    "average_baseline": Bool(),
}


class PEPG(SearchGradientES):
    """PEPG with per-coordinate sigma adaptation.

    All widths and rates are in the normalised units of the search region.
    Defaults follow estool's ``PEPG``.

    Parameters
    ----------
    dim : int, optional
    popsize : int, default 256
        Even with the average baseline (``popsize / 2`` mirrored pairs); odd
        with the first-sample baseline (the mean itself plus pairs).
    x0 : array_like, optional
        Start point in problem space (default: the region's centre).
    sigma0 : float, default 0.1
        Initial exploration width (normalised units); ``sigma_init``, its
        name in 0.1.0, is deprecated.
    sigma_alpha : float, default 0.2
        Learning rate of sigma (0 disables sigma adaptation).
    sigma_decay : float, default 0.999
    sigma_limit : float, default 0.01
    sigma_max_change : float, default 0.2
        Largest relative change of any sigma coordinate per generation.
    learning_rate : float, default 0.01
    learning_rate_decay : float, default 0.9999
    learning_rate_limit : float, default 0.01
    elite_ratio : float, default 0
        If positive, the mean moves to the average of this fraction of the
        best samples instead of following the gradient.
    average_baseline : bool, default True
        Baseline of the sigma update: the average utility (True) or the
        utility of the mean itself, evaluated as the first sample (False).
    weight_decay : float, default 0.01
    rank_fitness : bool, default True
    optimizer : {'adam', 'sgd'}, default 'adam'
        Adam (beta1 0.9, see :class:`~evodiff.algorithms.gradient.Adam`) or SGD
        with momentum.
    momentum : float, default 0.9
        For ``optimizer='sgd'``.
    maxiter : int, default 1000
        Generations of a run.
    bounds, center, scale, sense, rng, dtype, backend
        See :class:`~evodiff.algorithms.base.Optimizer`.

    Attributes
    ----------
    mean : array, shape (dim,)
    sigma : array, shape (dim,)
        Current per-coordinate exploration widths.
    """

    name = "pepg"
    DEFAULT_POPSIZE = 256
    SETTINGS = SearchGradientES.SETTINGS + (
        Setting("sigma_alpha", "float"), Setting("sigma_max_change", "float"),
        Setting("elite_ratio", "float"), Setting("average_baseline", "bool"),
    )
    STATE = SearchGradientES.STATE + (
        Field("sigma", "array", ("dim",), domain="steps"),
        Field("eps", "array", ("pairs", "dim"), "_eps", optional=True),
    )

    #: Declared limits of every setting (:mod:`evodiff.parameters`).
    PARAMETERS = {**SEARCH_GRADIENT_PARAMETERS, **PEPG_PARAMETERS}

    def __init__(self, dim=None, popsize=None, *, x0=None, sigma0=0.1, sigma_alpha=0.2,
                 sigma_decay=0.999, sigma_limit=0.01, sigma_max_change=0.2,
                 learning_rate=0.01, learning_rate_decay=0.9999, learning_rate_limit=0.01,
                 elite_ratio=0.0, average_baseline=True, weight_decay=0.01, rank_fitness=True,
                 optimizer="adam", momentum=0.9, maxiter=1000, bounds=None, center=None, scale=None,
                 sense="min", rng=None, dtype="float64", backend="numpy", sigma_init=None):
        super().__init__(popsize=popsize, x0=x0,
                         sigma0=renamed_keyword("sigma_init", sigma_init, "sigma0", sigma0),
                         sigma_decay=sigma_decay,
                         sigma_limit=sigma_limit, learning_rate=learning_rate,
                         learning_rate_decay=learning_rate_decay,
                         learning_rate_limit=learning_rate_limit, weight_decay=weight_decay,
                         rank_fitness=rank_fitness, optimizer=optimizer, momentum=momentum,
                         maxiter=maxiter, dim=dim, bounds=bounds, center=center, scale=scale, sense=sense,
                         rng=rng, dtype=dtype, backend=backend)
        p = check_parameters(PEPG_PARAMETERS, {
            "sigma_alpha": sigma_alpha, "sigma_max_change": sigma_max_change,
            "elite_ratio": elite_ratio, "average_baseline": average_baseline})
        self.sigma_alpha, self.sigma_max_change = p["sigma_alpha"], p["sigma_max_change"]
        self.elite_ratio, average_baseline = p["elite_ratio"], p["average_baseline"]
        if average_baseline:
            self.popsize = check_popsize(self.popsize, even=True,
                                         reason="with average_baseline=True (mirrored pairs)")
        else:
            self.popsize = check_popsize(
                self.popsize, minimum=3, odd=True,
                reason="with average_baseline=False (the mean plus mirrored pairs)")
        self.average_baseline = average_baseline
        self.pairs = self.popsize // 2
        self.sigma = self.xp.full(self.dim, self.sigma0, dtype=self.backend.dtype)
        self._eps = None

    def _ask(self):
        xp = self.xp
        eps = self.normal((self.pairs, self.dim)) * self.sigma
        self._eps = eps
        samples = self.mean + xp.concat([eps, -eps], axis=0)
        if not self.average_baseline:
            samples = xp.concat([self.mean[None, :], samples], axis=0)
        self._samples = samples
        return samples

    def _tell(self, x, cost):
        xp = self.xp
        utility = self.utilities(x, cost)
        if self.average_baseline:
            baseline, paired = xp.mean(utility), utility
        else:
            baseline, paired = utility[0], utility[1:]
        plus, minus = paired[:self.pairs], paired[self.pairs:]
        eps = self._eps
        if self.elite_ratio > 0:
            both = xp.concat([eps, -eps], axis=0)
            count = max(1, int(math.ceil(self.elite_ratio * 2 * self.pairs)))
            elite = xp.argsort(-paired, stable=True)[:count]
            self.mean = self.mean + xp.mean(xp.take(both, elite, axis=0), axis=0)
        else:
            ascent = (plus - minus) @ eps
            self.mean = self.mean + self.stepper.step(-ascent, self.learning_rate)
        if self.sigma_alpha > 0:
            self._adapt_sigma(eps, plus, minus, baseline)
        self.sigma = xp.where(self.sigma > self.sigma_limit, self.sigma * self.sigma_decay,
                              self.sigma)
        self.decay()

    def _adapt_sigma(self, eps, plus, minus, baseline):
        """Move each sigma coordinate by the baseline-relative utility of its pairs."""
        xp = self.xp
        scale = 1.0
        if not self.rank_fitness:
            spread = float(xp.std(xp.concat([plus, minus])))
            scale = spread if spread > 0 else 1.0
        sigma2 = self.sigma * self.sigma
        s = (eps * eps - sigma2) / self.sigma
        gain = ((plus + minus) / 2.0 - baseline) @ s / (2 * self.pairs * scale)
        limit = self.sigma_max_change * self.sigma
        change = xp.clip(self.sigma_alpha * gain, min=-limit, max=limit)
        self.sigma = self.sigma + change
