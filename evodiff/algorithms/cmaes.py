"""CMA-ES: the Covariance Matrix Adaptation Evolution Strategy.

Follows N. Hansen, "The CMA Evolution Strategy: A Tutorial" (arXiv 1604.00772,
2016/2023), Algorithm summary in Appendix A and default parameters in Table 1:
weighted recombination with negative ("active") weights, cumulative step-size
adaptation (CSA), rank-one and rank-mu covariance updates, and the stall of
the rank-one path (``h_sigma``).  The eigendecomposition of ``C`` is done
lazily, once more than ``1 / (c1 + cmu) / n / 10`` generations have passed
since the last one, as the tutorial suggests (Section B.2), and ``C`` is kept
symmetric with a bounded condition number.

Stopping rules have the meaning and defaults of the reference implementation
pycma (``cma``): ``tolfun``, ``tolx``, ``tolstagnation``, ``tolconditioncov``,
``maxiter``, ``maxfevals`` and ``ftarget``.  Optional IPOP restarts
(Auger & Hansen 2005) double the population after each local stop.

The search runs in the normalised coordinates of the search region (see
:mod:`evodiff.space`): the mean starts at the region's centre (or ``x0``) and
``sigma0`` is in units of the region's scale.
"""

from __future__ import annotations

import math

import numpy as np

from ..parameters import Int, Real, check_parameters
from ..state import Field, Setting, setting_mismatch
from ..validation import check_popsize, refuse_footprint
from .base import Optimizer
from .starts import start_as_center

__all__ = ["CMAES"]

# C is regularised when its condition number exceeds this (pycma bounds it likewise).
_MAX_CONDITION = 1e16


def default_popsize(dim):
    """``4 + floor(3 ln n)``, the default population size (tutorial, Table 1)."""
    return 4 + int(math.floor(3.0 * math.log(dim)))


class _Parameters:
    """Strategy parameters of Table 1 of the tutorial, for dimension ``n`` and ``lambda``."""

    def __init__(self, n, popsize):
        self.mu = popsize // 2
        raw = math.log((popsize + 1) / 2.0) - np.log(np.arange(1, popsize + 1))
        positive, negative = raw[raw > 0], raw[raw < 0]
        self.mueff = float(positive.sum() ** 2 / (positive**2).sum())
        self.cs = (self.mueff + 2.0) / (n + self.mueff + 5.0)
        self.ds = 1.0 + 2.0 * max(0.0, math.sqrt((self.mueff - 1.0) / (n + 1.0)) - 1.0) + self.cs
        self.cc = (4.0 + self.mueff / n) / (n + 4.0 + 2.0 * self.mueff / n)
        alpha_cov = 2.0
        self.c1 = alpha_cov / ((n + 1.3) ** 2 + self.mueff)
        self.cmu = min(
            1.0 - self.c1,
            alpha_cov * (self.mueff - 2.0 + 1.0 / self.mueff)
            / ((n + 2.0) ** 2 + alpha_cov * self.mueff / 2.0),
        )
        weights = np.where(raw >= 0, raw / positive.sum(), 0.0)
        if negative.size:
            mueff_neg = float(negative.sum() ** 2 / (negative**2).sum())
            scale = min(
                1.0 + self.c1 / self.cmu,
                1.0 + 2.0 * mueff_neg / (self.mueff + 2.0),
                (1.0 - self.c1 - self.cmu) / (n * self.cmu),
            )
            weights = np.where(raw < 0, raw * scale / abs(negative.sum()), weights)
        self.weights = weights
        self.chi_n = math.sqrt(n) * (1.0 - 1.0 / (4.0 * n) + 1.0 / (21.0 * n * n))
        # Generations that must pass before the next eigendecomposition (tutorial, B.2).
        self.eigen_gap = 1.0 / (self.c1 + self.cmu) / n / 10.0


class CMAES(Optimizer):
    """CMA-ES with pycma's stopping rules and optional IPOP restarts.

    Parameters
    ----------
    dim : int, optional
        Problem dimension (inferred from ``bounds`` or ``center``).
    popsize : int, optional
        Offspring per generation, lambda.  Default ``4 + floor(3 ln n)``
        (tutorial, Table 1), at least 4.
    sigma0 : float, optional
        Initial step size in normalised units (multiples of the region's
        scale).  Default 1.0 for a ``center``/``scale`` region (so with
        ``minimize(x0=..., sigma=s)`` the step size is ``s``), 0.5 with bounds
        (a quarter of the box width, as pycma recommends 0.2 to 0.3 of it).
    x0 : array_like, optional
        Start point in problem space; the region's centre by default.
    bounds, center, scale, sense, rng, dtype, backend
        See :class:`~evodiff.algorithms.base.Optimizer`.
    tolfun : float, default 1e-11
        Stop when the best values of the last ``10 + ceil(30 n / lambda)``
        generations and all values of the current one span less than this.
    tolx : float, default 1e-11
        Stop when ``sigma * max(|p_c|, sqrt(diag C))`` is below this in every
        coordinate (normalised units).
    tolstagnation : int, optional
        Stop when, over this many generations, the medians of the best and of
        the median values of the last 20 generations are no better than 20
        generations that long ago.  Default ``int(100 + 100 n**1.5 / lambda)``.
    tolconditioncov : float, default 1e14
        Stop when the condition number of ``C`` exceeds this.
    maxiter : int, optional
        Generations per run.  Default ``100 + 150 (n + 3)**2 / sqrt(lambda)``.
    maxfevals : int, optional
        Total evaluations over all restarts (no limit by default), never
        exceeded: the last generation is cut to the evaluations left (the
        samples not evaluated rank last in its update).
    ftarget : float, optional
        Stop as soon as a value this good is reached (user's sign).
    restarts : int, default 0
        IPOP restarts after a local stop (all rules but ``ftarget`` and
        ``maxfevals``), each with the population multiplied by ``incpopsize``.
        A restart starts from a uniform random point of the box when there are
        bounds, else from the start point again.
    incpopsize : float, default 2
        Population growth factor per restart.

    Attributes
    ----------
    mean : array, shape (dim,)
        Current mean, normalised coordinates.
    sigma : float
        Current step size, normalised units.
    restart_count : int
        Restarts done so far.
    """

    name = "cmaes"
    DEFAULT_POPSIZE = None  # 4 + floor(3 ln n), see default_popsize

    # The population grows with IPOP restarts: the setting is the initial one, the current
    # one is state (checked against the setting and the restart count on restore).  The
    # stopping rules and the number of restarts allowed may differ, so that a finished run
    # can be extended.  The strategy parameters follow from the dimension and population.
    SETTINGS = tuple(Setting("popsize", "int", "initial_popsize") if s.name == "popsize" else s
                     for s in Optimizer.SETTINGS) + (
        Setting("sigma0", "float"),
        Setting("x0", "host", "_start"),
        Setting("incpopsize", "float"),
    )
    STATE = Optimizer.STATE + (
        Field("popsize", "int"),
        Field("mean", "array", ("dim",)),
        Field("sigma", "float", domain="step"),
        Field("C", "array", ("dim", "dim")),
        Field("B", "array", ("dim", "dim")),
        Field("D", "array", ("dim",), domain="nonnegative"),
        Field("ps", "array", ("dim",)),
        Field("pc", "array", ("dim",)),
        Field("generation", "int"),
        Field("eigen_generation", "int", attr="_eigen_generation"),
        Field("condition", "float", attr="_condition", domain="condition"),
        Field("best_history", "floats", (None,), "_best_history", domain="costs"),
        Field("median_history", "floats", (None,), "_median_history", domain="costs"),
        Field("last_costs", "array", (None,), "_last_costs", optional=True),
        Field("z", "array", ("popsize", "dim"), "_z", optional=True),
        Field("y", "array", ("popsize", "dim"), "_y", optional=True),
        Field("restart_count", "int"),
        Field("restart_log", "strings", attr="_restart_log"),
    )

    #: Declared limits of the settings (:mod:`evodiff.parameters`).
    PARAMETERS = {
        "sigma0": Real(0.0, strict=True, optional=True),
        "tolfun": Real(0.0),
        "tolx": Real(0.0),
        "tolstagnation": Int(1, optional=True),
        "tolconditioncov": Real(1.0),
        "maxiter": Int(1, optional=True),
        "maxfevals": Int(1, optional=True),
        "ftarget": Real(optional=True),
        "restarts": Int(0),
        "incpopsize": Real(1.0),
    }

    def __init__(self, dim=None, popsize=None, *, sigma0=None, x0=None, bounds=None, center=None,
                 scale=None, sense="min", rng=None, dtype="float64", backend="numpy",
                 tolfun=1e-11, tolx=1e-11, tolstagnation=None, tolconditioncov=1e14,
                 maxiter=None, maxfevals=None, ftarget=None, restarts=0, incpopsize=2.0):
        center, x0 = start_as_center(x0, dim, bounds, center)
        super().__init__(popsize=popsize, dim=dim, bounds=bounds, center=center, scale=scale,
                         sense=sense, rng=rng, dtype=dtype, backend=backend)
        # with 2 or 3 offspring one parent is selected and the rank-mu rate is 0
        self.popsize = check_popsize(self.popsize, minimum=4)
        refuse_footprint(3 * self.dim ** 2 * np.dtype(self.backend.dtype_name).itemsize,
                         f"CMA-ES's {self.dim} x {self.dim} covariance, eigenvectors and update",
                         "dim")
        self.initial_popsize = self.popsize
        p = check_parameters(self.PARAMETERS, {
            "sigma0": sigma0, "tolfun": tolfun, "tolx": tolx, "tolstagnation": tolstagnation,
            "tolconditioncov": tolconditioncov, "maxiter": maxiter, "maxfevals": maxfevals,
            "ftarget": ftarget, "restarts": restarts, "incpopsize": incpopsize})
        default_sigma = 0.5 if self.space.bounded else 1.0
        self.sigma0 = default_sigma if p["sigma0"] is None else p["sigma0"]
        self._start = self.normalised_start(x0)
        self.tolfun, self.tolx = p["tolfun"], p["tolx"]
        self._tolstagnation = p["tolstagnation"]
        self.tolconditioncov = p["tolconditioncov"]
        self._maxiter, self.maxfevals, self.ftarget = p["maxiter"], p["maxfevals"], p["ftarget"]
        self.restarts, self.incpopsize = p["restarts"], p["incpopsize"]
        self.restart_count = 0
        self._restart_log = []
        self._initialise(self._start, self.popsize)

    # -- state ---------------------------------------------------------------------------

    def _initialise(self, start, popsize):
        xp, n = self.xp, self.dim
        self.popsize = popsize
        self.params = _Parameters(n, popsize)
        self._weights = self.backend.asarray(self.params.weights)
        self._positive = self._weights[:self.params.mu]
        self._weight_sum = float(self.params.weights.sum())
        self.mean = self.backend.asarray(start)
        self.sigma = self.sigma0
        self.C = xp.eye(n, dtype=self.backend.dtype)
        self.B = xp.eye(n, dtype=self.backend.dtype)
        self.D = xp.ones(n, dtype=self.backend.dtype)
        self.ps = xp.zeros(n, dtype=self.backend.dtype)
        self.pc = xp.zeros(n, dtype=self.backend.dtype)
        self.generation = 0
        self._eigen_generation = 0
        self._condition = 1.0
        self._best_history = []
        self._median_history = []
        self._last_costs = None
        self._z = self._y = None

    @classmethod
    def default_popsize(cls, dim):
        """``4 + floor(3 ln n)`` (tutorial, Table 1)."""
        return default_popsize(dim)

    def _before_restore(self, values):
        """Check the saved population against the restarts, then rebuild the parameters for it."""
        restart_count, popsize = values["restart_count"], values["popsize"]
        expected = self.popsize
        for _ in range(max(0, restart_count - self.restart_count)):
            expected = int(round(expected * self.incpopsize))
        if restart_count < self.restart_count or popsize != expected:
            raise setting_mismatch(
                "popsize", f"{popsize} after {restart_count} restarts",
                f"{expected} after {restart_count} restarts")
        self._initialise(np.zeros(self.dim), popsize)  # strategy parameters for popsize

    @property
    def maxiter(self):
        """int : generations allowed per run (pycma's default when not given)."""
        if self._maxiter is not None:
            return self._maxiter
        return int(100 + 150 * (self.dim + 3) ** 2 / math.sqrt(self.popsize))

    @property
    def tolstagnation(self):
        """int : the stagnation window (pycma's default when not given)."""
        if self._tolstagnation is not None:
            return self._tolstagnation
        return int(100 + 100 * self.dim**1.5 / self.popsize)

    @property
    def population(self):
        """array : the last sampled population in problem space (not clipped)."""
        if self._y is None:
            return self.space.to_problem(self.mean[None, :], clip=False)[0]
        return self.space.to_problem(self.mean + self.sigma * self._y, clip=False)[0]

    def candidates(self):
        """The mean, CMA-ES's estimate of the optimum (host, problem space, shape (1, D))."""
        return np.asarray(self.backend.to_host(self.space.to_problem(self.mean[None, :])[0]))

    # -- ask / tell ----------------------------------------------------------------------

    def _ask(self):
        z = self.normal((self.popsize, self.dim))
        self._z = z
        self._y = (z * self.D) @ self.xp.matrix_transpose(self.B)
        return self._within_budget(self.mean + self.sigma * self._y, self.maxfevals)

    def _tell(self, x, cost):
        xp, p, n = self.xp, self.params, self.dim
        # cut by maxfevals (the last generation): the samples not evaluated rank last
        cost = self._padded_costs(cost, self.popsize)
        order = xp.argsort(cost, stable=True)
        y = xp.take(self._y, order, axis=0)
        z = xp.take(self._z, order, axis=0)
        mu = p.mu
        y_w = self._positive @ y[:mu, :]
        z_w = self._positive @ z[:mu, :]
        self.mean = self.mean + self.sigma * y_w

        self.ps = (1.0 - p.cs) * self.ps + math.sqrt(p.cs * (2.0 - p.cs) * p.mueff) * (self.B @ z_w)
        norm_ps = float(xp.linalg.vector_norm(self.ps))
        self.generation += 1
        stall_limit = (1.4 + 2.0 / (n + 1.0)) * p.chi_n
        h_sigma = norm_ps / math.sqrt(1.0 - (1.0 - p.cs) ** (2 * self.generation)) < stall_limit
        self.pc = (1.0 - p.cc) * self.pc
        if h_sigma:
            self.pc = self.pc + math.sqrt(p.cc * (2.0 - p.cc) * p.mueff) * y_w

        # Negative weights act on directions rescaled to the length of a typical sample.
        z_norm2 = xp.sum(z * z, axis=1)
        rescale = xp.where(self._weights >= 0, xp.ones_like(z_norm2), n / z_norm2)
        rank_mu = xp.matrix_transpose(y * (self._weights * rescale)[:, None]) @ y
        delta = 0.0 if h_sigma else p.cc * (2.0 - p.cc)
        decay = 1.0 + p.c1 * delta - p.c1 - p.cmu * self._weight_sum
        self.C = decay * self.C + p.c1 * (self.pc[:, None] * self.pc[None, :]) + p.cmu * rank_mu

        self.sigma *= math.exp(min(1.0, (p.cs / p.ds) * (norm_ps / p.chi_n - 1.0)))
        if self.generation - self._eigen_generation > p.eigen_gap:
            self._decompose()

        finite = cost[xp.isfinite(cost)] if bool(xp.any(xp.isfinite(cost))) else None
        self._last_costs = finite
        self._best_history.append(float(xp.min(finite)) if finite is not None else math.inf)
        median = float(np.median(self.backend.to_host(finite))) if finite is not None else math.inf
        self._median_history.append(median)

    def tell(self, values):
        """Give the objective values of the last :meth:`ask` (see :meth:`Optimizer.tell`).

        After the update, a local stopping rule that fires while IPOP
        restarts remain (``restarts``) starts the next run with a larger
        population; :meth:`stop_reason` only reports.
        """
        super().tell(values)
        if self._global_stop() is None and self.restart_count < self.restarts:
            reason = self._local_stop()
            if reason is not None:
                self._restart(reason)

    def _decompose(self):
        """Refresh ``B`` and ``D`` from a symmetrised, well-conditioned ``C``."""
        xp = self.xp
        self._eigen_generation = self.generation
        self.C = (self.C + xp.matrix_transpose(self.C)) / 2.0
        values, vectors = xp.linalg.eigh(self.C)
        low, high = float(xp.min(values)), float(xp.max(values))
        if low <= 0 or high / low > _MAX_CONDITION:
            shift = high / _MAX_CONDITION - min(low, 0.0)
            self.C = self.C + shift * xp.eye(self.dim, dtype=self.backend.dtype)
            values = values + shift
            low += shift
        self._condition = high / low if low > 0 else math.inf
        self.B = vectors
        self.D = xp.sqrt(values)

    # -- stopping ------------------------------------------------------------------------

    def _global_stop(self):
        if self._target_reached():
            return f"ftarget: reached {self.best_fun:.6g} (target {self.ftarget:g})"
        if self.maxfevals is not None and self.nfev >= self.maxfevals:
            return f"maxfevals: {self.nfev} evaluations (limit {self.maxfevals})"
        return None

    def _local_stop(self):
        xp = self.xp
        if self.generation >= self.maxiter:
            return f"maxiter: {self.generation} generations"
        window = 10 + math.ceil(30 * self.dim / self.popsize)
        if self.generation >= window and self._last_costs is not None:
            recent = self._best_history[-window:]
            low = min(min(recent), float(xp.min(self._last_costs)))
            high = max(max(recent), float(xp.max(self._last_costs)))
            if high - low < self.tolfun:
                return f"tolfun: values span {high - low:.3g} < {self.tolfun:g}"
        spread = self.sigma * xp.maximum(xp.abs(self.pc), xp.sqrt(xp.linalg.diagonal(self.C)))
        if bool(xp.all(spread < self.tolx)):
            return f"tolx: step sizes below {self.tolx:g}"
        horizon = self.tolstagnation
        if self.generation > horizon and len(self._best_history) > horizon:
            old = slice(-horizon, -horizon + 20)
            if (np.median(self._best_history[-20:]) >= np.median(self._best_history[old])
                    and np.median(self._median_history[-20:]) >= np.median(self._median_history[old])):
                return f"tolstagnation: no improvement in {horizon} generations"
        if self._condition > self.tolconditioncov:
            return f"tolconditioncov: condition number of C {self._condition:.3g} > {self.tolconditioncov:g}"
        return None

    def stop_reason(self):
        """The stopping rule that fired, or ``None``; a question only (restarts happen in tell).

        The message names the rule and the restarts before it.
        """
        reason = self._global_stop() or self._local_stop()
        return None if reason is None else self._with_restarts(reason)

    def _with_restarts(self, reason):
        if not self._restart_log:
            return reason
        return f"{reason} (after {self.restart_count} restarts: {'; '.join(self._restart_log)})"

    def _warm_start(self, normalised, cost):
        """Start at the best prior evaluation, with a step size from the spread of the best
        half of them (never above ``sigma0``)."""
        host = np.asarray(self.backend.to_host(normalised), dtype=np.float64)
        order = np.argsort(np.asarray(self.backend.to_host(cost)), kind="stable")
        best = host[order[0]]
        self._initialise(best, self.popsize)
        if host.shape[0] >= 2:  # the current step size (state); sigma0 stays a setting
            near = host[order[:max(2, host.shape[0] // 2)]]
            spread = float(np.sqrt(np.mean(np.sum((near - best) ** 2, axis=1)) / self.dim))
            if spread > 0:
                self.sigma = min(self.sigma0, spread)

    def _restart(self, reason):
        self._restart_log.append(reason.split(":")[0])
        self.restart_count += 1
        popsize = int(round(self.popsize * self.incpopsize))
        if self.space.bounded:
            start = self.rng.uniform(-1.0, 1.0, self.dim)
        else:
            start = self._start
        self._initialise(start, popsize)
