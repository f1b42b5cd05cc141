"""One run of a method on a CEC'2013 niching problem, the competition's way.

The method sees the problem through :class:`BudgetedObjective`, which never
evaluates more than MaxFEs points: the generation that would cross the
budget is shortened (its points past the budget get NaN, the worst value),
and the run is stopped after it.  A method whose modes are evaluated after
its run (every method but the niching one, which reports evaluated points)
runs on MaxFEs minus :data:`MODE_RESERVE`, so that its modes are paid for;
a mode whose value came past the budget is not a solution.  The solution set a method reports is
``res.modes`` of :func:`evodiff.maximize` (for the niching method, its
archive of evaluated optima); a peer reports its own set
(:mod:`.peers`).  The set is scored by the organisers' counting
(:mod:`.counting`); the scoring evaluations are the organisers', not the
run's.

Seeds: a run is fixed by ``(seed, method, problem)`` through
``SeedSequence([seed, crc32(method), crc32(problem)])``.
"""

from __future__ import annotations

import time
import warnings

import numpy as np

from ...fitness import NonFiniteObjectiveWarning
from ...randomness import named_seed
from .counting import ACCURACIES, score_solutions
from .problems import niching_problem

__all__ = ["BudgetedObjective", "NICHING_ROW_KEYS", "run_niching"]


class BudgetedObjective:
    """A problem behind a counter that refuses to go past ``max_fes`` evaluations.

    ``objective(X)`` evaluates the rows of ``X`` (N, D) while the budget lasts
    and returns NaN for the rest.  :attr:`used` is the number evaluated.
    """

    def __init__(self, problem, max_fes):
        self.problem = problem
        self.max_fes = int(max_fes)
        #: Evaluations allowed for now (at most ``max_fes``): a harness may hold some back.
        self.limit = self.max_fes
        self.used = 0

    @property
    def spent(self):
        """bool : whether the budget is used up."""
        return self.used >= self.max_fes

    def __call__(self, X):
        X = np.asarray(X, dtype=np.float64)
        single = X.ndim == 1
        X = X.reshape(-1, self.problem.dim)
        take = max(0, min(X.shape[0], min(self.limit, self.max_fes) - self.used))
        values = np.full(X.shape[0], np.nan)
        if take:
            values[:take] = self.problem(X[:take])
        self.used += take
        return values[0] if single else values


#: Keys of a row of the niching suite, per accuracy ``<key>_<i>`` for ``i`` = 1..5.
NICHING_ROW_KEYS = ("method", "problem", "seed", "evaluations", "max_fes", "reported", "seconds")


#: Evaluations held back from a method that does not report evaluated solutions: the front
#: door may evaluate cluster centres after the run (inside the method's ``maxfevals``), and
#: the reserve leaves them room.
MODE_RESERVE = 100


def _front_door_solutions(method, problem, objective, generator, options=None):
    """Run ``maximize`` with the method's budget settings (and ``options`` over them); its
    modes are the solution set."""
    from ...optimize import maximize
    from ...registry import get_method

    spec = get_method(method)
    settings = spec.budget_settings(problem.max_fes, spec.default_popsize or 256)
    # a method whose optimiser reports evaluated solutions spends the whole budget; another
    # runs on less, and the rest is released for the evaluation of its modes once it stops
    probe = spec.build(bounds=problem.bounds, sense="max", rng=0, **settings)
    if not hasattr(probe, "solution_set"):
        objective.limit = problem.max_fes - MODE_RESERVE
        settings = spec.budget_settings(objective.limit, spec.default_popsize or 256)

    def stop_when_spent(_):
        if objective.used >= objective.limit:
            objective.limit = objective.max_fes
            return True
        return False

    settings.update(options or {})
    popsize, maxiter = settings.pop("popsize", None), settings.pop("maxiter", None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NonFiniteObjectiveWarning)
        res = maximize(objective, problem.bounds, method=spec.name, popsize=popsize,
                       maxiter=maxiter, vectorized=True, rng=generator,
                       callback=stop_when_spent, options=settings or None)
    if not res.modes:
        return np.zeros((0, problem.dim)), np.zeros(0)
    return (np.array([m.x for m in res.modes], dtype=np.float64),
            np.array([m.fun for m in res.modes], dtype=np.float64))


def run_niching(method, problem, seed, options=None):
    """Run ``method`` once on ``problem`` and score its solution set.

    Parameters
    ----------
    method : str
        A registered method, or a peer of :data:`evodiff.bench.cec2013.peers.PEERS`.
    problem : int or str
        1-20 or ``'F1'`` ... ``'F20'``.
    seed : int
    options : dict, optional
        Settings of a registered method over its defaults (for tuning; peers take none).

    Returns
    -------
    dict
        :data:`NICHING_ROW_KEYS` and, for each accuracy ``i`` = 1..5 (1e-1 ... 1e-5),
        ``found_i``, ``peak_ratio_i``, ``success_i``, ``precision_i``, ``f1_i``.
    """
    from .peers import PEERS

    problem = niching_problem(problem)
    start = time.perf_counter()
    generator = np.random.default_rng(named_seed(seed, method, problem.name))
    objective = BudgetedObjective(problem, problem.max_fes)
    if method in PEERS:
        if options:
            raise ValueError(f"the peer {method!r} takes no options; got {sorted(options)}")
        points, values = PEERS[method](problem, objective, generator)
    else:
        points, values = _front_door_solutions(method, problem, objective, generator, options)
    # a reported value the run never paid for (NaN past the budget) is not a solution
    valid = np.isfinite(values)
    points, values = points[valid], values[valid]
    row = {"method": method, "problem": problem.name, "seed": int(seed),
           "evaluations": objective.used, "max_fes": problem.max_fes,
           "reported": int(points.shape[0])}
    for i, score in enumerate(score_solutions(problem, points, problem(points) if len(points)
                                              else np.zeros(0), ACCURACIES), start=1):
        for key in ("found", "peak_ratio", "success", "precision", "f1"):
            row[f"{key}_{i}"] = score[key]
    row["seconds"] = time.perf_counter() - start
    return row
