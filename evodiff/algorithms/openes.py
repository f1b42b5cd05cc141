"""OpenES: the natural-evolution-strategy variant of Salimans et al. (2017).

"Evolution Strategies as a Scalable Alternative to Reinforcement Learning"
(arXiv 1703.03864): sample ``x_k = mean + sigma * eps_k`` with isotropic
Gaussian ``eps_k`` (optionally in mirrored pairs), shape the objective values
into centred ranks, estimate the gradient of the expected utility as
``sum_k u_k eps_k / (N sigma)`` and follow it with Adam.  Defaults are those of
estool's ``OpenES`` (D. Ha), the implementation the Diffusion Evolution paper
compared against.
"""

from __future__ import annotations

from ..parameters import Bool, check_parameters
from ..state import Field, Setting
from ..validation import check_popsize, renamed_keyword
from .search_gradient import SEARCH_GRADIENT_PARAMETERS, SearchGradientES

__all__ = ["OpenES"]


class OpenES(SearchGradientES):
    """OpenES with antithetic sampling, rank shaping, Adam and decays.

    All widths and rates are in the normalised units of the search region.
    Defaults follow estool's ``OpenES``.

    Parameters
    ----------
    dim : int, optional
    popsize : int, default 256
        Even when ``antithetic`` (estool's default population).
    x0 : array_like, optional
        Start point in problem space (default: the region's centre).
    sigma0 : float, default 0.1
        Initial exploration width (normalised units); ``sigma_init``, its
        name in 0.1.0, is deprecated.
    sigma_decay : float, default 0.999
    sigma_limit : float, default 0.01
    learning_rate : float, default 0.01
    learning_rate_decay : float, default 0.9999
    learning_rate_limit : float, default 0.001
    antithetic : bool, default False
        Mirrored sampling: ``eps`` and ``-eps`` in pairs.
    weight_decay : float, default 0.01
        L2 penalty on the utilities (estool's ``compute_weight_decay``).
    rank_fitness : bool, default True
        Centred ranks in [-0.5, 0.5]; else standardised values.
    optimizer : {'adam', 'sgd'}, default 'adam'
        Adam (beta1 0.9, beta2 0.999; estool uses beta1 0.99, which overshoots
        on smooth problems, see :class:`~evodiff.algorithms.gradient.Adam`) or
        SGD with momentum.
    momentum : float, default 0.9
        For ``optimizer='sgd'``.
    maxiter : int, default 1000
        Generations of a run.
    bounds, center, scale, sense, rng, dtype, backend
        See :class:`~evodiff.algorithms.base.Optimizer`.

    Attributes
    ----------
    mean : array, shape (dim,)
        Current mean (normalised coordinates).
    sigma : float
        Current exploration width.
    """

    name = "openes"
    DEFAULT_POPSIZE = 256
    SETTINGS = SearchGradientES.SETTINGS + (Setting("antithetic", "bool"),)
    STATE = SearchGradientES.STATE + (
        Field("sigma", "float", domain="step"),
        Field("eps", "array", ("popsize", "dim"), "_eps", optional=True),
    )

    #: Declared limits of every setting (:mod:`evodiff.parameters`).
    PARAMETERS = {**SEARCH_GRADIENT_PARAMETERS, "antithetic": Bool()}

    def __init__(self, dim=None, popsize=None, *, x0=None, sigma0=0.1, sigma_decay=0.999,
                 sigma_limit=0.01, learning_rate=0.01, learning_rate_decay=0.9999,
                 learning_rate_limit=0.001, antithetic=False, weight_decay=0.01,
                 rank_fitness=True, optimizer="adam", momentum=0.9, maxiter=1000, bounds=None, center=None,
                 scale=None, sense="min", rng=None, dtype="float64", backend="numpy",
                 sigma_init=None):
        antithetic = check_parameters({"antithetic": self.PARAMETERS["antithetic"]},
                                      {"antithetic": antithetic})["antithetic"]
        super().__init__(popsize=popsize, x0=x0,
                         sigma0=renamed_keyword("sigma_init", sigma_init, "sigma0", sigma0),
                         sigma_decay=sigma_decay,
                         sigma_limit=sigma_limit, learning_rate=learning_rate,
                         learning_rate_decay=learning_rate_decay,
                         learning_rate_limit=learning_rate_limit, weight_decay=weight_decay,
                         rank_fitness=rank_fitness, optimizer=optimizer, momentum=momentum,
                         maxiter=maxiter, dim=dim, bounds=bounds, center=center, scale=scale, sense=sense,
                         rng=rng, dtype=dtype, backend=backend)
        self.popsize = check_popsize(self.popsize, even=antithetic,
                                     reason="with antithetic sampling (mirrored pairs)")
        self.antithetic = antithetic
        self.sigma = self.sigma0
        self._eps = None

    def _ask(self):
        xp = self.xp
        if self.antithetic:
            half = self.normal((self.popsize // 2, self.dim))
            eps = xp.concat([half, -half], axis=0)
        else:
            eps = self.normal((self.popsize, self.dim))
        self._eps = eps
        self._samples = self.mean + self.sigma * eps
        return self._samples

    def _tell(self, x, cost):
        utility = self.utilities(x, cost)
        ascent = (utility @ self._eps) / (self.popsize * self.sigma)
        self.mean = self.mean + self.stepper.step(-ascent, self.learning_rate)
        if self.sigma > self.sigma_limit:
            self.sigma *= self.sigma_decay
        self.decay()
