"""Many small CMA-ES at once: one array update per generation for all of them.

A niching search runs one CMA-ES per basin, often a dozen at a time, each
with a population of 6 to 12.  Run as separate :class:`~evodiff.algorithms.cmaes.CMAES`
objects, the Python overhead of each ask and tell costs far more than the
arithmetic.  :class:`CMABatch` keeps the searches in *slots* of stacked
arrays (mean ``(K, D)``, covariance ``(K, D, D)``, ...) and applies the
updates of :class:`~evodiff.algorithms.cmaes.CMAES` (Hansen's tutorial,
Table 1 and Appendix A: active weights, CSA, rank-one and rank-mu updates,
lazy eigendecomposition) to every occupied slot in one vectorised step.

The searches live in the normalised box ``[-1, 1]^D`` (host NumPy): a
sample outside it is clipped before it is evaluated and its cost, for the
update only, is penalised by the search's own value span times the squared
excess, as :meth:`evodiff.space.SearchSpace.penalize` does.  Each search
stops by the rules of :class:`~evodiff.algorithms.cmaes.CMAES` (``tolfun``,
``tolx``, ``maxiter``, ``tolstagnation``, ``tolconditioncov``) with pycma's
default windows.
"""

from __future__ import annotations

import math

import numpy as np

from .cmaes import _MAX_CONDITION, _Parameters, default_popsize

__all__ = ["CMABatch"]

#: Generations of the best and median values compared by the stagnation rule.
_STAGNATION_SPAN = 20


class CMABatch:
    """Up to ``slots`` independent CMA-ES of one dimension and population, updated together.

    Parameters
    ----------
    dim : int
        Dimension of every search.
    slots : int
        Most searches at once.
    popsize : int, optional
        Offspring per generation of every search; default ``4 + floor(3 ln D)``.
    rng : numpy.random.Generator
        Source of every sample.
    tolfun, tolx, tolconditioncov : float
        Stopping rules, with the meaning of :class:`~evodiff.algorithms.cmaes.CMAES`.

    Notes
    -----
    Use: :meth:`start` searches while :attr:`free` slots remain, then per
    generation :meth:`ask`, evaluate, :meth:`tell`, and :meth:`finished`
    to collect (and free) the searches whose stopping rule fired.
    """

    def __init__(self, dim, slots, popsize=None, *, rng, tolfun=1e-11, tolx=1e-11,
                 tolconditioncov=1e14):
        self.dim, self.slots = int(dim), int(slots)
        self.popsize = max(4, default_popsize(self.dim) if popsize is None else int(popsize))
        self.rng = rng
        self.tolfun, self.tolx, self.tolconditioncov = tolfun, tolx, tolconditioncov
        p = self.params = _Parameters(self.dim, self.popsize)
        self._positive = p.weights[:p.mu]
        self._weight_sum = float(p.weights.sum())
        self.maxiter = int(100 + 150 * (self.dim + 3) ** 2 / math.sqrt(self.popsize))
        self.tolstagnation = int(100 + 100 * self.dim ** 1.5 / self.popsize)
        self.window = 10 + math.ceil(30 * self.dim / self.popsize)
        k, n = self.slots, self.dim
        self.active = np.zeros(k, dtype=bool)
        self.mean = np.zeros((k, n))
        self.sigma = np.ones(k)
        self.sigma0 = np.ones(k)
        self.C = np.tile(np.eye(n), (k, 1, 1))
        self.B = self.C.copy()
        self.D = np.ones((k, n))
        self.ps = np.zeros((k, n))
        self.pc = np.zeros((k, n))
        self.generation = np.zeros(k, dtype=int)
        self._eigen_generation = np.zeros(k, dtype=int)
        self._condition = np.ones(k)
        self.best_x = np.zeros((k, n))
        self.best_cost = np.full(k, np.inf)
        horizon = self.maxiter + 1
        self._best_history = np.full((k, horizon), np.inf)
        self._median_history = np.full((k, horizon), np.inf)
        self._last_high = np.full(k, np.inf)
        self._asked = None

    # -- slots -------------------------------------------------------------------------------

    @property
    def free(self):
        """int : slots without a search."""
        return int(self.slots - np.count_nonzero(self.active))

    @property
    def running(self):
        """int : searches in the slots."""
        return int(np.count_nonzero(self.active))

    def start(self, x0, sigma0):
        """Start a search at ``x0`` (normalised, clipped into the box) with step size ``sigma0``.

        Returns
        -------
        int
            The slot it occupies (its rows in :meth:`ask` come in slot order).
        """
        if self._asked is not None:
            raise RuntimeError("start a search between a tell and the next ask, not after an ask")
        free = np.flatnonzero(~self.active)
        if free.size == 0:
            raise RuntimeError("every slot holds a search: collect the finished ones first")
        s = int(free[0])
        self.active[s] = True
        self.mean[s] = np.clip(np.asarray(x0, dtype=np.float64), -1.0, 1.0)
        self.sigma[s] = self.sigma0[s] = float(sigma0)
        self.C[s] = self.B[s] = np.eye(self.dim)
        self.D[s] = 1.0
        self.ps[s] = self.pc[s] = 0.0
        self.generation[s] = self._eigen_generation[s] = 0
        self._condition[s] = 1.0
        self.best_x[s] = self.mean[s]
        self.best_cost[s] = np.inf
        self._best_history[s] = np.inf
        self._median_history[s] = np.inf
        self._last_high[s] = np.inf
        return s

    # -- ask / tell --------------------------------------------------------------------------

    def ask(self):
        """Points of one generation of every search, shape ``(running * popsize, D)``.

        Rows come slot by slot (in slot order), ``popsize`` each, clipped into the box.
        """
        slots = np.flatnonzero(self.active)
        z = self.rng.standard_normal((slots.size, self.popsize, self.dim))
        y = np.matmul(z * self.D[slots, None, :], np.swapaxes(self.B[slots], 1, 2))
        x = self.mean[slots, None, :] + self.sigma[slots, None, None] * y
        clipped = np.clip(x, -1.0, 1.0)
        excess = np.sum((x - clipped) ** 2, axis=2)
        self._asked = (slots, z, y, clipped, excess)
        return clipped.reshape(-1, self.dim)

    def tell(self, costs):
        """Update every search from the costs of the last :meth:`ask` (``inf`` for a failure)."""
        if self._asked is None:
            raise RuntimeError("tell() needs an ask() first")
        slots, z, y, clipped, excess = self._asked
        self._asked = None
        lam, n, p = self.popsize, self.dim, self.params
        cost = np.asarray(costs, dtype=np.float64).reshape(slots.size, lam)
        cost = np.where(np.isnan(cost), np.inf, cost)
        ranked = np.argsort(cost, axis=1, kind="stable")
        self._record(slots, cost, ranked, clipped)
        if np.any(excess):
            ranked = np.argsort(self._penalised(cost, excess), axis=1, kind="stable")
        rows = np.arange(slots.size)[:, None]
        y, z = y[rows, ranked], z[rows, ranked]
        y_w = self._positive @ y[:, :p.mu]
        z_w = self._positive @ z[:, :p.mu]
        sigma = self.sigma[slots]
        self.mean[slots] += sigma[:, None] * y_w

        ps = (1.0 - p.cs) * self.ps[slots] + math.sqrt(p.cs * (2.0 - p.cs) * p.mueff) \
            * np.matmul(self.B[slots], z_w[:, :, None])[:, :, 0]
        norm_ps = np.linalg.norm(ps, axis=1)
        generation = self.generation[slots] + 1
        stall_limit = (1.4 + 2.0 / (n + 1.0)) * p.chi_n
        h_sigma = norm_ps / np.sqrt(1.0 - (1.0 - p.cs) ** (2 * generation)) < stall_limit
        pc = (1.0 - p.cc) * self.pc[slots] \
            + (h_sigma * math.sqrt(p.cc * (2.0 - p.cc) * p.mueff))[:, None] * y_w

        # negative weights act on directions rescaled to the length of a typical sample
        z_norm2 = np.sum(z * z, axis=2)
        factors = np.where(p.weights >= 0, p.weights, p.weights * n / z_norm2)
        rank_mu = np.matmul(np.swapaxes(y * factors[:, :, None], 1, 2), y)
        delta = np.where(h_sigma, 0.0, p.cc * (2.0 - p.cc))
        decay = 1.0 + p.c1 * delta - p.c1 - p.cmu * self._weight_sum
        C = decay[:, None, None] * self.C[slots] \
            + p.c1 * pc[:, :, None] * pc[:, None, :] + p.cmu * rank_mu
        self.sigma[slots] = sigma * np.exp(np.minimum(1.0, (p.cs / p.ds) * (norm_ps / p.chi_n - 1.0)))
        self.ps[slots], self.pc[slots], self.generation[slots] = ps, pc, generation
        due = generation - self._eigen_generation[slots] > p.eigen_gap
        if due.all():
            self._decompose(slots, C)
        else:
            self.C[slots] = C
            if due.any():
                self._decompose(slots[due], C[due])

    def _penalised(self, cost, excess):
        """Costs plus each search's own finite value span times the squared excess."""
        finite = np.isfinite(cost)
        low = np.min(np.where(finite, cost, np.inf), axis=1)
        high = np.max(np.where(finite, cost, -np.inf), axis=1)
        span = np.where(finite.any(axis=1), high - low, 1.0)
        span = np.where(span > 0, span, np.maximum(np.abs(np.where(np.isfinite(high), high, 1.0)),
                                                   1.0))
        return cost + span[:, None] * excess

    def _record(self, slots, cost, ranked, clipped):
        """Best point so far; the best, median and worst finite value of this generation
        (``ranked``: each row's costs in ascending order, failures last)."""
        rows, lam = np.arange(slots.size), self.popsize
        ordered = cost[rows[:, None], ranked]
        value, best = ordered[:, 0], ranked[:, 0]
        better = value < self.best_cost[slots]
        self.best_cost[slots[better]] = value[better]
        self.best_x[slots[better]] = clipped[rows[better], best[better]]
        column = self.generation[slots]
        self._best_history[slots, column] = value
        self._median_history[slots, column] = (ordered[:, (lam - 1) // 2] + ordered[:, lam // 2]) / 2
        finite = np.count_nonzero(np.isfinite(cost), axis=1)
        self._last_high[slots] = np.where(finite > 0, ordered[rows, np.maximum(finite - 1, 0)],
                                          np.inf)

    def _decompose(self, slots, C):
        """Store ``C`` of ``slots`` symmetrised and well-conditioned, with its ``B`` and ``D``."""
        C = (C + np.swapaxes(C, 1, 2)) / 2.0
        values, vectors = np.linalg.eigh(C)
        low, high = values[:, 0], values[:, -1]
        shift = np.where((low <= 0) | (high > _MAX_CONDITION * low),
                         high / _MAX_CONDITION - np.minimum(low, 0.0), 0.0)
        if shift.any():
            C = C + shift[:, None, None] * np.eye(self.dim)
            values = values + shift[:, None]
            low = low + shift
        with np.errstate(divide="ignore", invalid="ignore"):
            self._condition[slots] = np.where(low > 0, high / low, np.inf)
        self.C[slots], self.B[slots] = C, vectors
        self.D[slots] = np.sqrt(np.maximum(values, 0.0))
        self._eigen_generation[slots] = self.generation[slots]

    # -- stopping ----------------------------------------------------------------------------

    def stopped(self):
        """Boolean mask over the slots: the occupied ones whose stopping rule fired."""
        stop = np.zeros(self.slots, dtype=bool)
        slots = np.flatnonzero(self.active)
        g = self.generation[slots]
        fired = g >= self.maxiter
        # tolfun: the best values of the last `window` generations and the values of the
        # last one span less than tolfun
        columns = (g[:, None] - 1 - np.arange(self.window)[None, :]).clip(0)
        recent = self._best_history[slots[:, None], columns]
        high = np.maximum(recent.max(axis=1), self._last_high[slots])
        with np.errstate(invalid="ignore"):
            fired |= (g >= self.window) & (high - recent.min(axis=1) < self.tolfun)
        variances = np.diagonal(self.C[slots], axis1=1, axis2=2)
        spread = self.sigma[slots, None] * np.maximum(np.abs(self.pc[slots]),
                                                      np.sqrt(np.maximum(variances, 0.0)))
        fired |= np.all(spread < self.tolx, axis=1)
        fired |= self._condition[slots] > self.tolconditioncov
        stop[slots] = fired
        return stop | self._stagnated()

    def _stagnated(self):
        """pycma's tolstagnation: over ``tolstagnation`` generations, the medians of the best and
        of the median values of the last 20 generations are no better than back then."""
        g, horizon, span = self.generation, self.tolstagnation, _STAGNATION_SPAN
        result = np.zeros(self.slots, dtype=bool)
        for s in np.flatnonzero(self.active & (g > horizon)):
            now, then = slice(g[s] - span, g[s]), slice(g[s] - horizon, g[s] - horizon + span)
            result[s] = (np.median(self._best_history[s, now])
                         >= np.median(self._best_history[s, then])
                         and np.median(self._median_history[s, now])
                         >= np.median(self._median_history[s, then]))
        return result

    def finished(self, extra=None):
        """Free the slots whose search stopped (or that ``extra`` marks); their best points.

        Returns
        -------
        points : ndarray, shape (M, D)
            Each stopped search's best evaluated point (normalised), in slot order.
        costs : ndarray, shape (M,)
            Their costs.
        """
        stop = self.stopped()
        if extra is not None:
            stop |= np.asarray(extra, dtype=bool) & self.active
        self.active &= ~stop
        return self.best_x[stop].copy(), self.best_cost[stop].copy()
