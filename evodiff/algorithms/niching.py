"""Niching Diffusion Evolution: every global optimum, each an evaluated point.

Diffusion Evolution keeps many basins in one population; what it lacks to
*report* every global optimum accurately are the parts of the best niching
methods (HillVallEA, Maree et al. 2018; RS-CMSA, Ahrari et al. 2017).  This
method adds them around the denoiser, in rounds:

1. **Sample.**  ``N`` uniform points of the box join the pool (which keeps
   the points of the earlier rounds).  Optionally, Diffusion Evolution steps
   at a *niche-sized* kernel move points uphill in every basin at once: each
   moves to its x0 estimate (a rank-weighted average of its neighbours,
   :func:`~evodiff.algorithms.estimator.estimate_x0`) with bandwidth equal
   to the sample's typical spacing (``explore_steps``, ``denoise_selected``;
   both off by default: measured, they did not pay for their evaluations).
2. **Basins.**  The best ``selection`` share of the pool is split into
   basins by nearest-better clustering with hill-valley tests
   (:mod:`evodiff.algorithms.hill_valley`): a point joins the basin of the
   nearest better point with no valley between them.
3. **Taboo.**  A basin whose best point lies in the basin of an optimum
   already archived (hill-valley test) is not searched again.
4. **Local search.**  Each new basin gets a small CMA-ES started at its best
   point with a step size of half the sample's spacing; up to ``concurrent``
   of them run in lockstep (:class:`~evodiff.algorithms.cma_batch.CMABatch`:
   one array update for all), one generation of each in one batch, best basins
   first.
5. **Archive.**  An optimum within ``tolerance`` of the best value known
   joins the archive unless a hill-valley test puts it in the basin of an
   archived one (the better of the two is kept); a new best value drops the
   entries it leaves behind.

The next round samples twice as many points (``growth``), until the budget
``maxfevals`` is spent; the last generation is shortened so that it is never
exceeded.  The answer, :meth:`solution_set`, is the archive: evaluated points
with their values, best first.
"""

from __future__ import annotations

import math

import numpy as np

from ..fitness import make_fitness
from ..parameters import Bool, Int, Real, check_parameters
from .base import Optimizer
from .cma_batch import CMABatch
from .estimator import estimate_x0
from .hill_valley import (
    expected_edge,
    interior_counts,
    nearest_better,
    same_basin,
    segment_points,
)

__all__ = ["NichingDiffusionEvolution"]

#: Most nearer-better points a point is tested against (HillVallEA's D + 1, capped: in many
#: dimensions a point far from everything would otherwise cost D + 1 failed tests).
MAX_CANDIDATES = 5


class NichingDiffusionEvolution(Optimizer):
    """Diffusion Evolution that reports every global optimum it finds (see the module docstring).

    Parameters
    ----------
    dim : int, optional
        Problem dimension (inferred from ``bounds`` or ``center``).
    popsize : int, optional
        Uniform samples of the first round; default ``max(64, 32 D)``.
    maxfevals : int, optional
        Evaluations of the whole run, never exceeded; default ``10_000 * D``.
    explore_steps : int, default 0
        Diffusion Evolution steps after each round's uniform sample, at a
        kernel bandwidth of the sample's spacing (0: the uniform sample alone;
        measured: 2 or 5 steps lowered the tuning score, see :doc:`/guide/niching`).
    noise : float, default 0.5
        Noise of such a step, in units of its kernel bandwidth.
    denoise_selected : bool, default False
        Move the selected points one denoising step uphill (their x0
        estimates over the pool, evaluated) before clustering.
    selection : float, default 0.25
        Share of the pool (best first) that is clustered into basins.
    growth : float, default 2
        Factor of the sample size from one round to the next.
    reuse : bool, default True
        Keep the samples of earlier rounds in the pool (and the hill-valley
        verdicts on their pairs); only the difference is drawn anew.
    tolerance : float, default 1e-6
        An optimum joins the archive when its value is within this of the
        best value known (absolute, plus the same relative to the best value).
    local_popsize : int, optional
        Population of each local CMA-ES; default ``4 + floor(3 ln D)``.
    local_sigma : float, default 0.5
        Step size of a local CMA-ES, in units of the round's sample spacing.
    local_tolfun : float, default 1e-10
        A local search stops when its values span less than this.
    concurrent : int, default 16
        Local searches running at once (in one batch per generation); the
        others wait, best basin first.
    maxiter : int, optional
        Stop after this many generations (default: only the budget ends the run).
    bounds, center, scale, sense, rng, dtype, backend
        See :class:`~evodiff.algorithms.base.Optimizer`.

    Attributes
    ----------
    rounds : int
        Sampling rounds started.
    archive_size : int
        Optima in the archive.
    """

    name = "diffevo-niching"
    #: The search is a generator (rounds, tests, local searches in flight): no checkpoints.
    checkpointable = False

    #: Declared limits of the settings (:mod:`evodiff.parameters`).
    PARAMETERS = {
        "maxfevals": Int(1, optional=True),
        "maxiter": Int(1, optional=True),
        "explore_steps": Int(0),
        "noise": Real(0.0),
        "selection": Real(0.0, 1.0, strict=True),
        "growth": Real(1.0),
        "tolerance": Real(0.0),
        "local_popsize": Int(4, optional=True),
        "local_sigma": Real(0.0, strict=True),
        "local_tolfun": Real(0.0),
        "reuse": Bool(),
        "concurrent": Int(1),
        "denoise_selected": Bool(),
    }

    def __init__(self, dim=None, popsize=None, *, maxfevals=None, explore_steps=0, noise=0.5,
                 denoise_selected=False, selection=0.25, growth=2.0, reuse=True,
                 tolerance=1e-6, local_popsize=None, local_sigma=0.5,
                 local_tolfun=1e-10, concurrent=16, maxiter=None, bounds=None,
                 center=None, scale=None, sense="min", rng=None, dtype="float64", backend="numpy"):
        super().__init__(popsize=popsize, dim=dim, bounds=bounds, center=center, scale=scale,
                         sense=sense, rng=rng, dtype=dtype, backend=backend)
        p = check_parameters(self.PARAMETERS, {
            "maxfevals": maxfevals, "maxiter": maxiter, "explore_steps": explore_steps,
            "noise": noise, "selection": selection, "growth": growth, "tolerance": tolerance,
            "local_popsize": local_popsize, "local_sigma": local_sigma,
            "local_tolfun": local_tolfun, "reuse": reuse, "concurrent": concurrent,
            "denoise_selected": denoise_selected})
        self.maxfevals = 10_000 * self.dim if p["maxfevals"] is None else p["maxfevals"]
        self.maxiter, self.explore_steps, self.noise = (p["maxiter"], p["explore_steps"],
                                                        p["noise"])
        self.selection, self.growth, self.tolerance = (p["selection"], p["growth"],
                                                       p["tolerance"])
        self.local_popsize, self.local_sigma = p["local_popsize"], p["local_sigma"]
        self.local_tolfun, self.reuse = p["local_tolfun"], p["reuse"]
        self.concurrent, self.denoise_selected = p["concurrent"], p["denoise_selected"]
        self.initial_popsize = self.popsize
        self.rounds = 0
        self._fitness = make_fitness("rank")
        self._pool_x, self._pool_c = np.zeros((0, self.dim)), np.zeros(0)
        self._verdicts = {}
        self._archive_x = np.zeros((0, self.dim))
        self._archive_cost = np.zeros(0)
        self._finished = False
        self._spent = 0
        self._phase = "sample"
        #: Evaluations spent on the uniform samples and denoising steps, on hill-valley tests
        #: and on the local searches.
        self.evaluations_by_phase = {"sample": 0, "tests": 0, "local": 0}
        self._process = self._search()
        self._batch = next(self._process)

    @classmethod
    def default_popsize(cls, dim):
        """int : ``max(64, 32 D)`` uniform samples in the first round."""
        return max(64, 32 * dim)

    # -- ask / tell ------------------------------------------------------------------------

    @property
    def done(self):
        """bool : whether the budget is spent."""
        return self._finished

    @property
    def archive_size(self):
        """int : optima in the archive."""
        return int(self._archive_cost.shape[0])

    def _ask(self):
        return self.backend.asarray(self._batch)

    def _update_cost(self, cost, excess):
        return cost  # the points asked are inside the box: nothing was clipped

    def _tell(self, x, cost):
        costs = np.asarray(self.backend.to_host(cost), dtype=np.float64)
        self._spent += costs.shape[0]
        try:
            self._batch = self._process.send(costs)
        except StopIteration:
            self._finished = True
            self._batch = None
        if self._batch is not None:
            self.popsize = self._batch.shape[0]

    def state_dict(self):
        """Refused: the search state is a running generator (see :attr:`checkpointable`)."""
        raise NotImplementedError("NichingDiffusionEvolution cannot be checkpointed")

    def stop_reason(self):
        """``maxiter`` when reached, else ``None`` (the budget ends the run as :attr:`done`)."""
        if self.maxiter is not None and self.nit >= self.maxiter:
            return f"maxiter: {self.nit} generations; {self.summary()}"
        return None

    def summary(self):
        """str : rounds, evaluations and archive size."""
        return (f"{self.rounds} rounds, {self._spent} evaluations, {self.archive_size} optima "
                "archived")

    def finish_message(self):
        return f"spent the budget of {self.maxfevals} evaluations; {self.summary()}"

    @property
    def population(self):
        """array, shape (M, D) : the archived optima (problem space); the last batch before any."""
        if self.archive_size:
            return self.backend.asarray(self._to_problem(self._archive_x))
        return self.backend.asarray(self._to_problem(self._batch if self._batch is not None
                                                     else np.zeros((0, self.dim))))

    def candidates(self):
        return self.solution_set()[0]

    def solution_set(self):
        """The archive: every optimum found within ``tolerance`` of the best, best first.

        Returns
        -------
        points : numpy.ndarray, shape (M, D)
            Problem space; each was evaluated.
        values : numpy.ndarray, shape (M,)
            Their objective values (user's sign).
        """
        order = np.argsort(self._archive_cost, kind="stable")
        values = self._archive_cost[order]
        if self.sense == "max":
            values = -values
        return self._to_problem(self._archive_x[order]), values

    def _to_problem(self, normalised):
        space = self.space
        return space.clip_problem(space.center + space.scale * np.asarray(normalised,
                                                                          dtype=np.float64))

    # -- the search, as a generator of batches ---------------------------------------------

    def _evaluate(self, points):
        """Ask for ``points`` (normalised); return their costs (``inf`` past the budget)."""
        points = np.clip(np.asarray(points, dtype=np.float64).reshape(-1, self.dim), -1.0, 1.0)
        remaining = self.maxfevals - self._spent
        costs = np.full(points.shape[0], np.inf)
        if points.shape[0] == 0:
            return costs
        if remaining <= 0:
            raise _BudgetSpent
        told = yield points[:remaining]
        costs[:told.shape[0]] = np.where(np.isnan(told), np.inf, told)
        self.evaluations_by_phase[self._phase] += told.shape[0]
        return costs

    def _search(self):
        try:
            size = self.initial_popsize
            while True:
                self.rounds += 1
                yield from self._round(size)
                size = int(math.ceil(size * self.growth))
        except _BudgetSpent:
            return

    def _round(self, size):
        dim = self.dim
        if self.reuse and self._pool_c.shape[0]:
            # the samples of earlier rounds stay: only the difference is drawn anew
            fresh_x, fresh_c = yield from self._sample(max(size - self._pool_c.shape[0], 1))
            pool_x = np.concatenate([self._pool_x, fresh_x])
            pool_c = np.concatenate([self._pool_c, fresh_c])
        else:
            pool_x, pool_c = yield from self._sample(size)
        if self.reuse:
            self._pool_x, self._pool_c = pool_x, pool_c
        edge = expected_edge(2.0 ** dim, max(size, pool_c.shape[0] // (1 + self.explore_steps)),
                             dim)
        keep = np.argsort(pool_c, kind="stable")[:max(2, int(self.selection * pool_c.shape[0]))]
        keep = keep[np.isfinite(pool_c[keep])]
        if self.denoise_selected and keep.shape[0] > 1:
            moved_x, moved_c = yield from self._denoise(pool_x, pool_c, keep, edge)
            pool_x = np.concatenate([pool_x, moved_x])
            pool_c = np.concatenate([pool_c, moved_c])
            if self.reuse:
                self._pool_x, self._pool_c = pool_x, pool_c
            keep = np.concatenate([keep, np.arange(pool_c.shape[0] - moved_c.shape[0],
                                                   pool_c.shape[0])])
            keep = keep[np.isfinite(pool_c[keep])]
        X, C = pool_x[keep], pool_c[keep]
        starts = yield from self._basins(X, C, edge, keep if self.reuse else None)
        starts = yield from self._untaboo(starts, edge)
        yield from self._local_searches(starts, edge)

    def _niche_estimate(self, x, cost, bandwidth, only=None):
        """The x0 estimates (host, normalised) of ``x`` (or of its rows ``only``) with a kernel
        of width ``bandwidth``: the schedule point ``alpha`` with ``sqrt((1 - a) / a)`` equal
        to it, the points scaled by ``sqrt(alpha)`` so that the kernel is centred on them."""
        alpha = 1.0 / (1.0 + bandwidth ** 2)
        root = math.sqrt(alpha)
        log_g = self._fitness.log_weights(np, cost)
        with np.errstate(over="ignore", invalid="ignore"):
            x0 = estimate_x0(self.backend, self.backend.asarray(x * root),
                             self.backend.asarray(log_g), alpha,
                             only=None if only is None else self.xp.asarray(only))
        return np.asarray(self.backend.to_host(x0), dtype=np.float64) / root

    def _denoise(self, pool_x, pool_c, keep, edge):
        """One Diffusion Evolution step of the selected points at the niche scale, evaluated.

        Each selected point moves to its x0 estimate, the rank-weighted average
        of the pool around it with kernel bandwidth ``edge`` (no noise): uphill
        within its own basin, as every basin's points move at once.
        """
        self._phase = "sample"
        moved = np.clip(self._niche_estimate(pool_x, pool_c, edge, keep), -1.0, 1.0)
        cost = yield from self._evaluate(moved)
        return moved, cost

    def _sample(self, size):
        """Uniform points, then Diffusion Evolution steps at the niche scale; all evaluated."""
        self._phase = "sample"
        x = self.rng.uniform(-1.0, 1.0, (size, self.dim))
        cost = yield from self._evaluate(x)
        pool_x, pool_c = [x], [cost]
        bandwidth = expected_edge(2.0 ** self.dim, size, self.dim)
        for _ in range(self.explore_steps):
            x0 = self._niche_estimate(x, cost, bandwidth)
            x = np.clip(x0 + self.noise * bandwidth * self.rng.standard_normal(x.shape), -1, 1)
            cost = yield from self._evaluate(x)
            pool_x.append(x)
            pool_c.append(cost)
        return np.concatenate(pool_x), np.concatenate(pool_c)

    def _tests(self, first, second, points, costs, edge):
        """Hill-valley tests of the pairs ``(first[i], second[i])`` of ``points`` in one batch.

        Returns a boolean array: True where the two lie in the same basin.
        """
        first, second = np.asarray(first, dtype=int), np.asarray(second, dtype=int)
        if first.size == 0:
            return np.zeros(0, dtype=bool)
        phase, self._phase = self._phase, "tests"
        a, b = points[first], points[second]
        counts = interior_counts(np.linalg.norm(a - b, axis=1), edge)
        test_costs = yield from self._evaluate(segment_points(a, b, counts))
        self._phase = phase
        return same_basin(costs[first], costs[second], test_costs, counts)

    def _basins(self, X, C, edge, ids=None):
        """Nearest-better clustering with hill-valley tests; the best point of every basin.

        Every point is tested against its nearest better point, and on a
        valley against the next nearest, in waves (all points at once); it
        joins the basin of the first one with no valley between.  With
        ``ids`` (the points' indices in the kept pool), a verdict on a pair is
        remembered for the later rounds, which see the same points again.
        """
        n = X.shape[0]
        if n == 0:
            return []
        count = min(self.dim + 1, MAX_CANDIDATES)
        order, by_rank = nearest_better(X, C, count)
        candidates = np.empty_like(by_rank)
        candidates[order] = by_rank
        names = np.arange(n) if ids is None else np.asarray(ids)
        verdicts = self._verdicts if ids is not None else {}
        parent, position = np.full(n, -1), np.zeros(n, dtype=int)
        while True:
            live = np.flatnonzero((parent < 0) & (position < count))
            live = live[candidates[live, position[live]] >= 0]
            if live.size == 0:
                break
            other = candidates[live, position[live]]
            keys = list(zip(names[live].tolist(), names[other].tolist()))
            unknown = [m for m, key in enumerate(keys) if key not in verdicts]
            if unknown:
                results = yield from self._tests(live[unknown], other[unknown], X, C, edge)
                verdicts.update(zip([keys[m] for m in unknown], results.tolist()))
            same = np.fromiter((verdicts[key] for key in keys), dtype=bool, count=len(keys))
            parent[live[same]] = other[same]
            position[live[~same]] += 1
        leader = np.where(parent >= 0, parent, np.arange(n))
        while True:  # every point to the root of its chain of better points
            root = leader[leader]
            if np.array_equal(root, leader):
                break
            leader = root
        return [(X[i], C[i]) for i in order if leader[i] == i]

    def _untaboo(self, starts, edge):
        """Drop the starts that lie in the basin of an archived optimum."""
        if not starts or self.archive_size == 0:
            return starts
        start_x = np.vstack([start[0] for start in starts])
        points = np.vstack([self._archive_x, start_x])
        costs = np.concatenate([self._archive_cost, [start[1] for start in starts]])
        squared = np.sum((start_x[:, None, :] - self._archive_x[None, :, :]) ** 2, axis=2)
        nearest = np.argmin(squared, axis=1)
        same = yield from self._tests(self.archive_size + np.arange(len(starts)), nearest,
                                      points, costs, edge)
        return [start for start, taboo in zip(starts, same) if not taboo]

    def _local_searches(self, starts, edge):
        """One CMA-ES per start, ``concurrent`` at a time in one batch; each result is offered
        to the archive.  The starts come best first: when the budget runs out, the best
        basins were searched."""
        queue = list(starts)
        searches = CMABatch(self.dim, self.concurrent, self.local_popsize, rng=self.rng,
                            tolfun=self.local_tolfun, tolx=1e-12)
        self._phase = "local"
        while searches.running or queue:
            while queue and searches.free:
                point, _ = queue.pop(0)
                searches.start(point, self.local_sigma * edge)
            costs = yield from self._evaluate(searches.ask())
            searches.tell(costs)
            for point, cost in zip(*searches.finished()):
                yield from self._offer(point, float(cost), edge)

    def _offer(self, point, cost, edge):
        """Add an optimum to the archive unless it is worse than the best or already there."""
        if not math.isfinite(cost):
            return
        best = float(np.min(self._archive_cost)) if self.archive_size else math.inf
        slack = self.tolerance * (1.0 + abs(best if math.isfinite(best) else cost))
        if cost > best + slack:
            return
        if self.archive_size:
            nearest = int(np.argmin(np.sum((self._archive_x - point) ** 2, axis=1)))
            points = np.vstack([self._archive_x[nearest], point])
            same = yield from self._tests([0], [1], points,
                                          np.array([self._archive_cost[nearest], cost]), edge)
            if same[0]:
                if cost < self._archive_cost[nearest]:
                    self._archive_x[nearest], self._archive_cost[nearest] = point, cost
                return
        self._archive_x = np.vstack([self._archive_x, point])
        self._archive_cost = np.append(self._archive_cost, cost)
        best = float(np.min(self._archive_cost))
        slack = self.tolerance * (1.0 + abs(best))
        keep = self._archive_cost <= best + slack
        self._archive_x, self._archive_cost = self._archive_x[keep], self._archive_cost[keep]


class _BudgetSpent(Exception):
    """The budget is spent: the search generator ends."""
