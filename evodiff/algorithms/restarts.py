"""Diffusion Evolution that converges: exploration, CMA-ES refinement of its modes, restarts.

The paper's Diffusion Evolution (:class:`~evodiff.algorithms.diffusion.DiffusionEvolution`)
finds several good regions at once but gains no precision below the spread of
its population, and beyond a few dimensions its fitness weights stop
selecting.  :class:`RestartedDiffusionEvolution` keeps what it is good at and
adds what it lacks, in cycles that run inside one evaluation budget:

1. **Explore** (cycle 0): a Diffusion Evolution run over the whole region.
2. **Refine**: the best distinct points of its final population (at least
   ``mode_distance`` apart, normalised units) are each refined by a small
   CMA-ES started there with step size ``mode_sigma``, until a local
   stopping rule of CMA-ES fires.  Each refined point is a mode of the
   result (:meth:`candidates`).
3. **Restart** (cycles 1, 2, ...): IPOP-style CMA-ES runs with step size
   ``restart_sigma`` and the population multiplied by ``incpopsize`` each
   cycle, started alternately at the best point found so far and at a uniform
   random point of the box (or the region's centre without bounds).  A run
   whose best point is new (``mode_distance`` from the known ones) adds a mode.

Precision improves geometrically in the refinements (CMA-ES's step-size
adaptation); the restarts give the large-population search that
multimodal functions with a global structure need.  The cycle structure and
the defaults were chosen on COCO bbob instances 1-5 (see
:doc:`/benchmarks_bbob`); they are the same for every function.

Everything runs in the normalised coordinates of the search region (see
:mod:`evodiff.space`); the sub-optimisers work on the box [-1, 1]^D (or the
unbounded normalised space) and share this optimiser's random generator.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from ..fitness import NonFiniteObjectiveWarning
from ..parameters import Int, Real, check_parameters
from ..state import Field, InvalidState, Part, Setting, restore_state
from .base import Optimizer
from .cmaes import CMAES
from .cmaes import default_popsize as cmaes_popsize
from .diffusion import DiffusionEvolution

__all__ = ["RestartedDiffusionEvolution", "exploration_popsize"]

_PHASES = ("explore", "refine", "restart", "done")

#: The default exploration spends at most this share of ``maxfevals``...
EXPLORATION_SHARE = 0.25
#: ...but never has fewer individuals than this.
EXPLORATION_MIN_POPSIZE = 16


def exploration_popsize(dim):
    """The default exploration population: 256, and ``32 D`` beyond 8 dimensions."""
    return max(256, 32 * int(dim))


def _distinct_best(points, costs, distance, count):
    """Up to ``count`` of ``points``, best first, each ``distance`` from those kept before it."""
    order = np.argsort(costs, kind="stable")
    kept = []
    for index in order:
        if not np.isfinite(costs[index]):
            break
        point = points[index]
        if all(np.linalg.norm(point - other) >= distance for other in kept):
            kept.append(point)
            if len(kept) == count:
                break
    return kept


class _PointRows:
    """A list of points (attribute ``attr``) seen by the state declarations as one (M, D) array."""

    def __init__(self, attr):
        self.attr = attr

    def __get__(self, owner, cls=None):
        if owner is None:
            return self
        return np.array(getattr(owner, self.attr), dtype=np.float64).reshape(-1, owner.dim)

    def __set__(self, owner, value):
        setattr(owner, self.attr, [np.array(row) for row in np.asarray(value).reshape(-1, owner.dim)])


class RestartedDiffusionEvolution(Optimizer):
    """Diffusion Evolution with CMA-ES refinement of its modes and restarts in the budget.

    Parameters
    ----------
    dim : int, optional
        Problem dimension (inferred from ``bounds`` or ``center``).
    popsize : int, optional
        Population of the exploration: default :func:`exploration_popsize`,
        reduced (down to 16) so that ``popsize * steps`` is at most a quarter
        of ``maxfevals``.
    steps : int, default 20
        Schedule points of the exploration (its generations).
    modes : int, default 6
        Most distinct points of the exploration that are refined.
    mode_distance : float, optional
        Smallest distance between two modes, in normalised units
        (fractions of the box's half-width); default ``0.25 sqrt(D)``.
    mode_sigma : float, default 0.2
        CMA-ES step size of a refinement (normalised units).
    restart_sigma : float, default 0.4
        CMA-ES step size of a restart (0.4 of the half-width: pycma's
        customary 2 on [-5, 5]).
    restarts : int, default 9
        Restart cycles after the exploration and its refinements.
    incpopsize : float, default 2
        Population growth per restart cycle (IPOP); cycle ``k`` runs CMA-ES
        with ``incpopsize**k`` times its default population.
    patience : int or None, default 3
        Stop after this many restart cycles in a row that did not improve
        the best value by more than ``tolfun``; ``None``: restart until the
        budget is spent (the benchmarks' choice).
    tolfun : float, default 1e-11
        The improvement a restart must bring to count for ``patience``.
    explore_every : int, default 0
        Every this many restart cycles, a new exploration (and refinement of
        its new modes) replaces the CMA-ES restart; 0: explore only once.
    maxfevals : int, optional
        Total evaluations; default ``10_000 * D``, never exceeded: the
        generation that reaches it asks only the points it still pays for
        (the sub-optimiser ranks the others last).
    ftarget : float, optional
        Stop as soon as a value this good is reached (user's sign).
    noise, fitness, schedule, latent, latent_dim
        Settings of the exploration's
        :class:`~evodiff.algorithms.diffusion.DiffusionEvolution`.
    bounds, center, scale, sense, rng, dtype, backend
        See :class:`~evodiff.algorithms.base.Optimizer`.

    Attributes
    ----------
    phase : str
        ``'explore'``, ``'refine'``, ``'restart'`` or ``'done'``.
    cycle : int
        0 during the exploration and its refinements, then the restart number.
    """

    name = "diffevo-restarts"
    SETTINGS = tuple(Setting("popsize", "int", "initial_popsize") if s.name == "popsize" else s
                     for s in Optimizer.SETTINGS) + (
        Setting("steps", "int"),
        Setting("modes", "int", "max_modes"),
        Setting("mode_distance", "float"),
        Setting("mode_sigma", "float"),
        Setting("restart_sigma", "float"),
        Setting("incpopsize", "float"),
        Setting("explore_every", "int"),
        Setting("noise", "float"),
        Setting("fitness", "str", "_fitness_name"),
        Setting("schedule", "str", "_schedule_name"),
        Setting("latent", "json", "_latent_setting"),
    )
    STATE = Optimizer.STATE + (
        Field("popsize", "int"),
        Field("phase", "str"),
        Field("cycle", "int"),
        Field("sub_start", "host", ("dim",), "_sub_start", optional=True),
        # prior evaluations (warm_start), candidates for refinement after the first exploration
        Field("prior_points", "host", (None, "dim"), "_prior_points", optional=True),
        Field("prior_costs", "host", (None,), "_prior_costs", optional=True),
        Field("queue", "host", (None, "dim"), "_queue_array"),
        Field("mode_points", "host", (None, "dim"), "_mode_array"),
        Field("mode_costs", "floats", (None,), "_mode_costs", domain="costs"),
        Field("log", "strings", attr="_log"),
        Field("stale_cycles", "int", attr="_stale_cycles"),
        Field("cycle_start_cost", "float", attr="_cycle_start_cost", domain="cost"),
    )
    PARTS = (Part("_sub", "sub."),)

    #: Declared limits of the settings (:mod:`evodiff.parameters`).
    PARAMETERS = {
        "steps": Int(2),
        "modes": Int(1),
        "mode_distance": Real(0.0, optional=True),
        "mode_sigma": Real(0.0, strict=True),
        "restart_sigma": Real(0.0, strict=True),
        "restarts": Int(0),
        "incpopsize": Real(1.0),
        "explore_every": Int(0),
        "patience": Int(1, optional=True),
        "tolfun": Real(0.0),
        "maxfevals": Int(1, optional=True),
        "maxiter": Int(1, optional=True),
        "ftarget": Real(optional=True),
        "noise": Real(0.0),
    }

    def __init__(self, dim=None, popsize=None, steps=20, *, modes=6, mode_distance=None,
                 mode_sigma=0.2, restart_sigma=0.4, restarts=9, incpopsize=2.0, explore_every=0,
                 patience=3, tolfun=1e-11, maxfevals=None,
                 maxiter=None, ftarget=None, noise=0.1, fitness="rank", schedule="cosine",
                 latent=None, latent_dim=None, bounds=None, center=None, scale=None,
                 sense="min", rng=None, dtype="float64", backend="numpy"):
        super().__init__(popsize=popsize, dim=dim, bounds=bounds, center=center, scale=scale,
                         sense=sense, rng=rng, dtype=dtype, backend=backend)
        p = check_parameters(self.PARAMETERS, {
            "steps": steps, "modes": modes, "mode_distance": mode_distance,
            "mode_sigma": mode_sigma, "restart_sigma": restart_sigma, "restarts": restarts,
            "incpopsize": incpopsize, "explore_every": explore_every, "patience": patience,
            "tolfun": tolfun, "maxfevals": maxfevals, "maxiter": maxiter, "ftarget": ftarget,
            "noise": noise})
        self.steps, self.max_modes = p["steps"], p["modes"]
        self.mode_distance = (0.25 * math.sqrt(self.dim) if p["mode_distance"] is None
                              else p["mode_distance"])
        self.mode_sigma, self.restart_sigma = p["mode_sigma"], p["restart_sigma"]
        self.restarts, self.incpopsize = p["restarts"], p["incpopsize"]
        self.explore_every, self.patience, self.tolfun = (p["explore_every"], p["patience"],
                                                          p["tolfun"])
        self.maxfevals = 10_000 * self.dim if p["maxfevals"] is None else p["maxfevals"]
        if popsize is None:  # the first exploration takes at most a quarter of the budget
            self.popsize = max(EXPLORATION_MIN_POPSIZE, min(
                self.popsize, int(EXPLORATION_SHARE * self.maxfevals) // self.steps))
        self.initial_popsize = self.popsize
        self.maxiter, self.ftarget = p["maxiter"], p["ftarget"]
        if not isinstance(fitness, str) or not isinstance(schedule, str):
            raise TypeError("fitness and schedule must be names here (e.g. 'rank', 'cosine'); "
                            "build a DiffusionEvolution for callable ones")
        if latent is not None and not isinstance(latent, (str, int)):
            raise TypeError("latent must be None, a name or an int here; "
                            "build a DiffusionEvolution for matrix or callable encoders")
        self._explore_settings = {"noise": p["noise"],
                                  "fitness": fitness, "schedule": schedule, "latent": latent,
                                  "latent_dim": latent_dim}
        self.noise = self._explore_settings["noise"]
        self._fitness_name, self._schedule_name = fitness, schedule
        self._latent_setting = latent
        self.phase = "explore"
        self.cycle = 0
        self._queue = []
        self._modes = []
        self._mode_costs = []
        self._log = []
        self._stale_cycles = 0
        self._cycle_start_cost = math.inf
        self._sub_start = None
        self._prior_points = self._prior_costs = None
        self._sub = self._build_sub("explore", 0, None)

    @classmethod
    def default_popsize(cls, dim):
        """int : the exploration population for ``dim`` dimensions (:func:`exploration_popsize`)."""
        return exploration_popsize(dim)

    # -- the cycles ----------------------------------------------------------------------

    def _sub_region(self):
        if self.space.bounded:
            return {"bounds": [(-1.0, 1.0)] * self.dim}
        return {"center": np.zeros(self.dim), "scale": 1.0}

    def _build_sub(self, phase, cycle, start):
        """The sub-optimiser of ``phase`` (normalised coordinates, this optimiser's generator)."""
        backend = self.backend
        named = backend.name in ("numpy", "cupy", "array_api_strict")
        common = dict(rng=self.rng, dtype=backend.dtype_name,
                      backend=backend.name if named else backend.xp,
                      **self._sub_region())
        if phase == "explore":
            sub = DiffusionEvolution(popsize=self.initial_popsize, steps=self.steps,
                                     **self._explore_settings, **common)
        elif phase == "refine":
            sub = CMAES(x0=start, sigma0=self.mode_sigma, **common)
        elif phase == "restart":
            popsize = int(round(cmaes_popsize(self.dim) * self.incpopsize ** self._ipop_index(cycle)))
            sub = CMAES(x0=start, sigma0=self.restart_sigma, popsize=popsize, **common)
        else:
            return None
        self.popsize = sub.popsize
        self._sub_start = None if start is None else np.array(start, dtype=np.float64)
        return sub

    def _explores(self, cycle):
        """Whether restart cycle ``cycle`` is a new exploration (else an IPOP CMA-ES run)."""
        return bool(self.explore_every) and cycle % self.explore_every == 0

    def _ipop_index(self, cycle):
        """How many IPOP runs cycles 1..``cycle`` hold (the population grows with it)."""
        return cycle - (cycle // self.explore_every if self.explore_every else 0)

    def _restart_start(self):
        if self.space.bounded:
            return self.rng.uniform(-1.0, 1.0, self.dim)
        return np.zeros(self.dim)

    def _add_mode(self, point, cost):
        point = np.array(point, dtype=np.float64)
        for i, other in enumerate(self._modes):
            if np.linalg.norm(point - other) < self.mode_distance:
                if cost < self._mode_costs[i]:
                    self._modes[i], self._mode_costs[i] = point, float(cost)
                return
        self._modes.append(point)
        self._mode_costs.append(float(cost))

    def _advance(self, reason):
        """The sub-optimiser has finished: record what it found, start the next one."""
        sub = self._sub
        if self.phase == "explore":
            points = np.asarray(sub.backend.to_host(sub.population), dtype=np.float64)
            costs = np.asarray(sub.backend.to_host(sub.last_values), dtype=np.float64)
            if self._prior_points is not None:  # good prior points are refinement starts too
                points = np.concatenate([points, self._prior_points])
                costs = np.concatenate([costs, self._prior_costs])
                self._prior_points = self._prior_costs = None
            starts = _distinct_best(points, costs, self.mode_distance, self.max_modes)
            # a basin refined in an earlier cycle is not refined again
            self._queue = [p for p in starts if all(
                np.linalg.norm(p - known) >= self.mode_distance for known in self._modes)]
            self._log.append(f"exploration {self.cycle}: {len(self._queue)} new modes")
        else:
            self._add_mode(sub.best_x, sub._best_cost)
            self._log.append(f"{self.phase} {self.cycle}: {reason.split(':')[0]}")
        if self.phase == "restart" or (self.phase == "explore" and self.cycle > 0):
            improved = self._best_cost < self._cycle_start_cost - self.tolfun
            self._stale_cycles = 0 if improved else self._stale_cycles + 1
        if self._queue:
            self.phase = "refine"
            start = np.clip(self._queue.pop(0), -1.0, 1.0)
        elif self.cycle < self.restarts:
            self.cycle += 1
            self.phase = "explore" if self._explores(self.cycle) else "restart"
            self._cycle_start_cost = self._best_cost
            start = self._restart_start() if self.phase == "restart" else None
        else:
            self.phase = "done"
            start = None
        self._sub = self._build_sub(self.phase, self.cycle, start)

    # -- ask / tell ----------------------------------------------------------------------

    @property
    def done(self):
        """bool : whether every cycle has run."""
        return self.phase == "done"

    def _ask(self):
        return self._within_budget(self._sub.ask(), self.maxfevals)

    def _tell(self, x, cost):
        cost = self._padded_costs(cost, self._sub.popsize)  # a generation cut by maxfevals
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NonFiniteObjectiveWarning)  # warned once above
            self._sub.tell(cost)
        if self.phase == "explore":
            if self._sub.done:
                self._advance("done")
        else:
            reason = self._sub.stop_reason()
            if reason is not None:
                self._advance(reason)

    def stop_reason(self):
        """``ftarget``, ``maxfevals``, ``maxiter`` or ``patience`` when reached, else ``None``."""
        if self._target_reached():
            return f"ftarget: reached {self.best_fun:.6g} (target {self.ftarget:g}); {self.summary()}"
        if self.nfev >= self.maxfevals:
            return f"maxfevals: {self.nfev} evaluations (limit {self.maxfevals}); {self.summary()}"
        if self.maxiter is not None and self.nit >= self.maxiter:
            return f"maxiter: {self.nit} generations; {self.summary()}"
        if self.patience is not None and self._stale_cycles >= self.patience:
            return (f"patience: {self._stale_cycles} restart cycles without an improvement "
                    f"above {self.tolfun:g}; {self.summary()}")
        return None

    def summary(self):
        """str : what the run did: exploration, refinements, restarts, modes."""
        explored = 1 + sum(1 for entry in self._log[1:] if entry.startswith("exploration"))
        refined = sum(1 for entry in self._log if entry.startswith("refine"))
        restarted = sum(1 for entry in self._log if entry.startswith("restart"))
        return (f"{explored} Diffusion Evolution explorations (popsize {self.initial_popsize}, "
                f"{self.steps} steps), {refined} CMA-ES refinements, {restarted} IPOP restarts, "
                f"{len(self._modes)} modes")

    def finish_message(self):
        return f"completed all {self.restarts} restart cycles; {self.summary()}"

    @property
    def population(self):
        """array : the current sub-optimiser's population (problem space)."""
        if self._sub is None:
            return self.space.to_problem(self.backend.asarray(np.array(self._modes)), clip=False)[0]
        return self.space.to_problem(self._sub.population, clip=False)[0]

    @property
    def estimates(self):
        """array or None : the exploration's x0 estimates while it runs (problem space)."""
        if self.phase == "explore" and self._sub.estimates is not None:
            return self.space.to_problem(self._sub.estimates)[0]
        return None

    @property
    def schedule_point(self):
        return self._sub.schedule_point if self.phase == "explore" else None

    def candidates(self):
        """The refined modes, best first (host, problem space), or the exploration's estimates."""
        if not self._modes:
            points = self._sub.candidates() if self._sub is not None else None
            if points is None:
                return None
            return np.asarray(self.backend.to_host(self.space.to_problem(
                self.backend.asarray(points))[0]), dtype=np.float64)
        order = np.argsort(self._mode_costs, kind="stable")
        points = self.backend.asarray(np.array([self._modes[i] for i in order]))
        return np.asarray(self.backend.to_host(self.space.to_problem(points)[0]), dtype=np.float64)

    def _warm_start(self, normalised, cost):
        """The prior evaluations weigh in the exploration's first generation and are
        candidates, with the exploration's population, for the first refinements."""
        backend = self.backend  # the sub-search's problem space is these coordinates
        points = np.array(backend.to_host(normalised), dtype=np.float64)
        costs = np.array(backend.to_host(cost), dtype=np.float64)
        self._sub.warm_start(points, costs)
        self._prior_points, self._prior_costs = points, costs

    def evaluated_modes(self):
        """The refined modes with the values they were evaluated at, best first.

        Returns
        -------
        points : numpy.ndarray, shape (M, D)
            Problem space (``M`` is 0 before the first refinement ends).
        values : numpy.ndarray, shape (M,)
            Their objective values (user's sign); no new evaluation is needed.
        """
        if not self._modes:
            return np.empty((0, self.dim)), np.empty(0)
        values = np.sort(np.asarray(self._mode_costs, dtype=np.float64), kind="stable")
        return self.candidates(), -values if self.sense == "max" else values

    # -- checkpointing -------------------------------------------------------------------

    _queue_array = _PointRows("_queue")
    _mode_array = _PointRows("_modes")

    def _largest_generation(self, values):
        """The last generation told may be of the phase before (an exploration of
        ``initial_popsize`` before a CMA-ES of fewer points, a large IPOP run before a new
        exploration): the largest generation of any phase up to the saved cycle."""
        cycle = min(int(values.get("cycle", 0)), self.restarts)  # no cycle runs past restarts
        cma = int(round(cmaes_popsize(self.dim) * self.incpopsize ** self._ipop_index(cycle)))
        return max(self.initial_popsize, cma, values.get("popsize", self.popsize))

    def _check_restored(self, values):
        """Besides the base checks: the modes (evaluated points) lie in the box (normalised
        coordinates) and every mode has one cost.  The queued starts and the sub-search's
        start are points of the exploration's population, which may lie outside the box (the
        objective sees them clipped): they are only checked to be finite."""
        super()._check_restored(values)
        points, costs = values.get("_mode_array"), values.get("_mode_costs")
        if points is not None and costs is not None and len(costs) != np.shape(points)[0]:
            raise InvalidState(f"state 'mode_costs' holds {len(costs)} values for "
                               f"{np.shape(points)[0]} mode points")
        if not self.space.bounded:
            return
        value = values.get("_mode_array")
        if value is not None and np.any(np.abs(np.asarray(value)) > 1.0 + 1e-9):
            raise InvalidState("state 'mode_points' lies outside the bounds")

    def checkpoint_settings(self):
        """This optimiser's own settings (the sub-optimiser's follow from them and the state)."""
        return {setting.name: setting.value(self) for setting in self.SETTINGS}

    def load_state_dict(self, state):
        """Restore a saved run: rebuild the sub-optimiser of its phase, then every field.

        See :meth:`Optimizer.load_state_dict`; a failed restore leaves this
        optimiser as it was.
        """
        phase, cycle = state.get("phase"), state.get("cycle")
        if phase not in _PHASES or not isinstance(cycle, (int, np.integer)) or cycle < 0:
            raise InvalidState(f"state 'phase' / 'cycle' is not valid ({phase!r}, {cycle!r})")
        start = state.get("sub_start")
        if phase in ("refine", "restart") and start is None:
            raise InvalidState("state 'sub_start' is missing for a CMA-ES phase")
        saved = self._sub, self.popsize, self._sub_start
        try:
            self._sub = self._build_sub(phase, int(cycle), start)
            restore_state(self, state)
        except Exception:
            self._sub, self.popsize, self._sub_start = saved
            raise
