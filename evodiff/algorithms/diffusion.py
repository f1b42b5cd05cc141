"""Diffusion Evolution (Zhang, Hartl, Hazan, Levin, ICLR 2025, arXiv 2410.02543).

The population is a noisy sample ``x_t`` of a diffusion process whose clean
distribution is the fitness landscape.  Each generation is one DDIM
denoising step: estimate every individual's clean point ``x0`` from its
fitness-weighted neighbours (:func:`~evodiff.algorithms.estimator.estimate_x0`),
then move it to the next, less noisy time:

    eps    = (x_t - sqrt(a_t) x0) / sqrt(1 - a_t)
    x_prev = sqrt(a_prev) x0 + sqrt(1 - a_prev - s^2) eps + s w,  w ~ N(0, I)
    s      = noise * sqrt((1 - a_prev) / (1 - a_t) * (1 - a_t / a_prev))
"""

from __future__ import annotations

import warnings

import numpy as np

from ..fitness import FitnessMapping, make_fitness
from ..parameters import Int, Real, check_parameters
from ..schedules import ddim_coefficients, make_schedule
from ..state import Field, InvalidState, Part, Setting, fingerprint
from ..validation import check_int
from .base import Optimizer
from .estimator import DEFAULT_MEMORY_BUDGET, estimate_x0
from .latent import DEFAULT_LATENT_DIM, FixedProjection, make_encoder

__all__ = ["DiffusionEvolution", "LatentDiffusionEvolution"]


class DiffusionEvolution(Optimizer):
    """Diffusion Evolution, with an optional latent projection.

    Parameters
    ----------
    dim : int, optional
        Problem dimension; inferred from ``bounds`` or ``center`` if omitted.
    popsize : int, default 512
        Population size N (the paper uses 512), ``>= 2``.
    steps : int, default 50
        Number of schedule points = generations = population evaluations;
        the run makes ``steps - 1`` denoising steps.  Ignored when
        ``schedule`` is a :class:`~evodiff.schedules.Schedule` or an array.
    schedule : {'cosine', 'linear', 'ddpm'}, Schedule or array_like, default 'cosine'
    noise : float, default 0.1
        Scale of the DDPM noise at each step (the paper's default; 0 is
        deterministic DDIM).
    fitness : {'rank', 'energy', 'identity', 'power'} or mapping, default 'rank'
        How objective values become weights (:mod:`evodiff.fitness`).  The
        default is rank based, hence invariant to any increasing transform of
        the objective.
    bounds : sequence of (min, max) pairs, optional
        Search box.  The initial population ``x_T ~ N(0, I)`` is mapped to the
        box's centre plus half-widths times ``x``.  The objective is never
        evaluated outside the box (see :mod:`evodiff.space`).
    center, scale : float or array_like, optional
        Search region without bounds: the objective sees ``center + scale * x``.
    latent : None, 'random', 'pca', int, array_like or callable, optional
        ``None``: plain Diffusion Evolution.  Otherwise latent Diffusion
        Evolution: the neighbourhood weights use distances between codes
        ``z`` of the individuals, the averages the full ``x``
        (:mod:`evodiff.algorithms.latent`).  ``'random'``: a fixed random
        projection ``z = E x`` with rows of unit norm, drawn from ``rng`` (the
        paper's choice).  ``'pca'``: the coordinates along the population's
        top principal directions, recomputed each generation.  An int ``d``:
        ``'random'`` with ``d`` rows.  A ``(d, dim)`` matrix: the user's
        projection.  A callable: the user's encoder, called with the
        normalised population ``x`` (N, D) and returning (N, d) codes.
    latent_dim : int, optional
        ``d`` for ``'random'`` and ``'pca'`` (default 2, as in the paper).
    sense : {'min', 'max'}, default 'min'
    rng : None, int or numpy.random.Generator, optional
    dtype : {'float64', 'float32'}, default 'float64'
    backend : {'numpy', 'cupy', 'array_api_strict'} or module, default 'numpy'
    memory_budget : int, default 32 MiB
        Bytes allowed for one chunk of the N x N log-weights.
    maxfevals : int, optional
        Stop once this many evaluations are spent, never more: the
        generation that reaches it asks only the points it still pays for.
        Not a checkpoint setting, so a finished run can be extended.

    Attributes
    ----------
    schedule : Schedule
    encoder : Encoder or None
        The latent encoder, if any.

    Examples
    --------
    >>> import numpy as np
    >>> from evodiff import DiffusionEvolution
    >>> opt = DiffusionEvolution(bounds=[(-5, 5)] * 2, popsize=64, steps=10, rng=0)
    >>> while not opt.done:
    ...     X = opt.ask()
    ...     opt.tell(np.sum(X**2, axis=1))
    >>> bool(opt.best_fun < 0.1)
    True
    """

    name = "diffevo"
    DEFAULT_POPSIZE = 512

    SETTINGS = Optimizer.SETTINGS + (
        Setting("schedule", "host", "schedule.alphas"),
        Setting("noise", "float"),
        Setting("fitness", "str", "_fitness_kind"),
        Setting("latent", "str", "_latent_kind"),
    )
    # A fixed latent projection ('random' or the user's matrix) is saved; a PCA encoder is
    # recomputed from the population, and a callable encoder must be given again.
    STATE = Optimizer.STATE + (
        Field("x", "array", ("popsize", "dim"), "_x"),
        Field("x0", "array", ("popsize", "dim"), "_x0", optional=True),
        Field("step", "int", attr="_step"),
        # prior evaluations given by warm_start, until the first generation's weights use them
        Field("prior_x", "array", (None, "dim"), "_prior_x", optional=True),
        Field("prior_cost", "array", (None,), "_prior_cost", optional=True),
    )
    PARTS = (Part("encoder", "encoder_"),)

    #: Declared limits of the settings (:mod:`evodiff.parameters`); ``steps`` (>= 2) is
    #: checked when ``schedule`` is a name (a Schedule object brings its own).
    PARAMETERS = {
        "maxfevals": Int(1, optional=True),
        "noise": Real(0.0),
        "memory_budget": Int(1),
    }

    def __init__(self, dim=None, popsize=None, steps=50, *, schedule="cosine", noise=0.1,
                 fitness="rank", bounds=None, center=None, scale=None, latent=None,
                 latent_dim=None, sense="min", rng=None, dtype="float64", backend="numpy",
                 memory_budget=DEFAULT_MEMORY_BUDGET, maxfevals=None):
        super().__init__(popsize=popsize, dim=dim, bounds=bounds, center=center, scale=scale,
                         sense=sense, rng=rng, dtype=dtype, backend=backend)
        p = check_parameters(self.PARAMETERS, {"maxfevals": maxfevals, "noise": noise,
                                               "memory_budget": memory_budget})
        self.maxfevals = p["maxfevals"]
        if isinstance(schedule, str) or schedule is None:  # a Schedule object brings its steps
            steps = check_int("steps", steps, minimum=2)
        self.schedule = make_schedule(schedule, steps)
        self.noise = p["noise"]
        self.fitness = make_fitness(fitness)
        self.memory_budget = p["memory_budget"]
        self.encoder = make_encoder(latent, latent_dim, self.dim, self.rng)
        self._x = self.normal((self.popsize, self.dim))
        self._x0 = None
        self._step = 0
        self._last_step = None
        self._prior_x = self._prior_cost = None

    @property
    def _fitness_kind(self):
        fitness = self.fitness
        if isinstance(fitness, FitnessMapping):
            return repr(fitness)
        probe = self.backend.asarray(np.linspace(0.0, 1.0, 8))
        return fingerprint("callable", fitness,
                           lambda: self.backend.to_host(fitness(self.xp, probe)))

    @property
    def _latent_kind(self):
        encoder = self.encoder
        if encoder is None or encoder.name != "callable":
            return None if encoder is None else encoder.name
        probe = self.backend.asarray(
            np.linspace(-1.0, 1.0, 3 * self.dim).reshape(3, self.dim))
        return fingerprint("callable", encoder.function,
                           lambda: self.backend.to_host(encoder(self.backend, probe)))

    @property
    def done(self):
        """bool : whether all ``len(schedule)`` generations have been told."""
        return self.nit >= len(self.schedule)

    @property
    def projection(self):
        """numpy.ndarray or None : the fixed latent projection ``E`` (d x D), if any."""
        return self.encoder.matrix if isinstance(self.encoder, FixedProjection) else None

    @property
    def max_generations(self):
        """int : number of generations of the run, ``len(schedule)``."""
        return len(self.schedule)

    def candidates(self):
        """The final x0 estimates (host, problem space), or the population before any step."""
        points = self._x if self._x0 is None else self._x0
        return np.asarray(self.backend.to_host(self.space.to_problem(points)[0]), dtype=np.float64)

    @property
    def population(self):
        """array, shape (N, D) : current population in problem space, not clipped to the bounds."""
        return self.space.to_problem(self._x, clip=False)[0]

    @property
    def estimates(self):
        """array or None : the latest x0 estimates in problem space (clipped to the bounds)."""
        if self._x0 is None:
            return None
        return self.space.to_problem(self._x0)[0]

    @property
    def x0(self):
        """Deprecated name of :attr:`estimates` (``x0`` elsewhere is a start point)."""
        warnings.warn("DiffusionEvolution.x0 is deprecated and goes after 0.2; use "
                      "DiffusionEvolution.estimates", DeprecationWarning, stacklevel=2)
        return self.estimates

    @property
    def schedule_point(self):
        """tuple or None : ``(alpha_t, alpha_prev)`` of the denoising step of the last ``tell``.

        ``None`` before the first step and after the last generation, which
        is evaluated only to record its best point.
        """
        return self._last_step

    def _check_restored(self, values):
        """Besides the base checks: the step and the generations fit the schedule."""
        super()._check_restored(values)
        steps = len(self.schedule)
        if values.get("_step", 0) > self.schedule.num_steps or values.get("nit", 0) > steps:
            raise InvalidState(
                f"state 'step' ({values.get('_step')}) or 'nit' ({values.get('nit')}) is beyond "
                f"the schedule of {steps} points")

    def _check_log_weights(self, log_g, n):
        """A custom fitness must give one log-weight per point, none NaN or +inf."""
        xp = self.xp
        if tuple(log_g.shape) != (n,):
            raise ValueError(f"fitness must return {n} log-weights, one per point; "
                             f"got shape {tuple(log_g.shape)}")
        if bool(xp.any(xp.isnan(log_g))) or bool(xp.any(log_g == float("inf"))):
            raise ValueError("fitness returned NaN or +inf log-weights; return finite values "
                             "(or -inf for a point that must get no weight)")

    def _ask(self):
        return self._within_budget(self._x, self.maxfevals)

    def stop_reason(self):
        """``maxfevals`` when the evaluations reach it, else ``None``."""
        if self.maxfevals is not None and self.nfev >= self.maxfevals:
            return f"maxfevals: {self.nfev} evaluations (limit {self.maxfevals})"
        return None

    def _tell(self, x, cost):
        if cost.shape[0] < self.popsize:  # cut by maxfevals: the points not asked get no weight
            cost, x = self._padded_costs(cost, self.popsize), self._x
        if self._step >= self.schedule.num_steps:
            self._last_step = None
            return  # the last generation is evaluated only to record its best point
        xp = self.xp
        alpha, alpha_prev = self.schedule.pair(self._step)
        only, weighed, weighed_cost = None, x, cost
        if self._prior_x is not None:  # prior evaluations weigh in the first generation
            only = xp.arange(x.shape[0])
            weighed = xp.concat([x, self._prior_x], axis=0)
            weighed_cost = xp.concat([cost, self._prior_cost])
            self._prior_x = self._prior_cost = None
        log_g = self.fitness(xp, weighed_cost)
        if not isinstance(self.fitness, FitnessMapping):  # the built-in mappings are checked
            self._check_log_weights(log_g, weighed_cost.shape[0])
        z = None if self.encoder is None else self.encoder(self.backend, weighed)
        x0 = estimate_x0(self.backend, weighed, log_g, alpha, z=z,
                         memory_budget=self.memory_budget, only=only)
        x_prev = self._ddim_step(x, x0, alpha, alpha_prev)
        self._x0 = x0
        self._x = x_prev
        self._step += 1
        self._last_step = (alpha, alpha_prev)

    def _warm_start(self, normalised, cost):
        """Keep the prior evaluations for the weights of the first generation."""
        self._prior_x = self.xp.astype(normalised, self.backend.dtype)
        self._prior_cost = self.xp.astype(cost, self.backend.dtype)

    def _ddim_step(self, x, x0, alpha, alpha_prev):
        """``sqrt(a_prev) x0 + sqrt(1 - a_prev - s^2) eps + s w``, with eps from ``x`` and ``x0``.

        Substituting ``eps = (x - sqrt(a) x0) / sqrt(1 - a)`` gives
        ``p x0 + q x + s w``, computed with one temporary.
        """
        keep_x0, keep_eps, sigma = ddim_coefficients(alpha, alpha_prev, self.noise)
        q = keep_eps / (1.0 - alpha) ** 0.5
        p = keep_x0 - q * alpha**0.5
        if sigma > 0:
            x_prev = self.normal(x.shape)
            x_prev *= sigma
        else:
            x_prev = self.xp.zeros(x.shape, dtype=x.dtype)
        x_prev += p * x0
        x_prev += q * x
        return x_prev


class LatentDiffusionEvolution(DiffusionEvolution):
    """Deprecated: :class:`DiffusionEvolution` with ``latent='random'`` (goes after 0.2).

    The paper's variant for high-dimensional problems (Zhang et al., ICLR
    2025, Section 4): a fixed random projection to ``latent_dim = 2``
    dimensions by default.  Every parameter of :class:`DiffusionEvolution` is
    accepted; ``latent`` may be changed (e.g. to ``'pca'``).
    """

    name = "latent-diffevo"

    def __init__(self, dim=None, popsize=None, steps=50, *, latent="random",
                 latent_dim=DEFAULT_LATENT_DIM, **kwargs):
        warnings.warn("LatentDiffusionEvolution is deprecated and goes after 0.2; use "
                      "DiffusionEvolution(latent='random') (or method='latent-diffevo')",
                      DeprecationWarning, stacklevel=2)
        if latent is None:
            raise ValueError("LatentDiffusionEvolution needs a latent encoder; "
                             "use DiffusionEvolution for the plain variant")
        if not isinstance(latent, str):
            latent_dim = None
        super().__init__(dim, popsize, steps, latent=latent, latent_dim=latent_dim, **kwargs)
