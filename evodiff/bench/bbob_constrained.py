"""Runs on COCO's ``bbob-constrained`` suite: evodiff's constrained runs and pycma's.

The suite (Dufossé, Hansen, Brockhoff, Atamna, Varelas, "Benchmarking
constrained black-box optimisation", COCO 2022; shipped in ``cocoex``)
builds 54 functions per dimension from 9 bbob objectives and 6 numbers of
linear or nonlinearly perturbed linear constraints ``g(x) <= 0``.  COCO
counts an evaluation of the objective and an evaluation of all constraints
at a point as one evaluation each (cocopp reads their sum), and only a
feasible point can hit a target.

:class:`BudgetedConstrainedProblem` holds that count against the budget;
:func:`run_evodiff_constrained` runs a registered method through
:class:`~evodiff.constrained_run.FeasibleRecord` (the rule of
``minimize(constraints=...)``, restarted with new seeds within the budget),
and :func:`run_pycma_constrained` the reference: pycma's CMA-ES on
``cma.ConstrainedFitnessAL`` with IPOP restarts.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from ..constrained_run import FeasibleRecord
from ..driver import run
from ..fitness import NonFiniteObjectiveWarning
from ..registry import get_method
from .bbob import BudgetedProblem

__all__ = ["BudgetedConstrainedProblem", "run_evodiff_constrained", "run_pycma_constrained"]


class BudgetedConstrainedProblem(BudgetedProblem):
    """A cocoex constrained problem evaluated in populations, never beyond the budget.

    ``used`` is the objective's plus the constraints' evaluations (COCO's
    count); a point the budget no longer pays for gets ``+inf`` (objective)
    or infinite constraint values, and is never evaluated.
    """

    def __init__(self, problem, budget):
        super().__init__(problem, budget)
        self.count = int(problem.number_of_constraints)

    @property
    def used(self):
        return int(self.problem.evaluations) + int(self.problem.evaluations_constraints)

    def constraints(self, X):
        """``(N, m)`` constraint values ``g <= 0`` (infinite where the budget is spent)."""
        X = np.asarray(X, dtype=np.float64)
        values = np.full((X.shape[0], self.count), math.inf)
        for i, x in enumerate(X):
            if self.finished:
                break
            values[i] = self.problem.constraint(x)
        return values


def run_evodiff_constrained(method, problem, budget, seed, *, rule=None, skip_infeasible=False):
    """Restart ``method`` with new seeds until ``problem`` (budgeted) is finished.

    Parameters
    ----------
    method : str
        A registered continuous method that seeks one optimum.
    problem : BudgetedConstrainedProblem
    budget : int
    seed : numpy.random.SeedSequence
    rule : {'feasibility-first', 'augmented-lagrangian'}, optional
        Default: the method's own (:attr:`~evodiff.registry.MethodSpec.constraint_rule`).
    skip_infeasible : bool, default False
        Evaluate the objective only at the points the constraints accept.

    Returns
    -------
    int
        Restarts (runs after the first).
    """
    spec = get_method(method)
    rule = rule or ("feasibility-first" if skip_infeasible else spec.constraint_rule)
    raw = problem.problem
    region = {"bounds": list(zip(raw.lower_bounds, raw.upper_bounds))}
    restarts = 0
    seeds = np.random.SeedSequence(seed.entropy, spawn_key=seed.spawn_key)
    while not problem.finished:
        # a point costs two evaluations (objective and constraints) unless the objective is skipped
        settings = spec.budget_settings((budget - problem.used) // (1 if skip_infeasible else 2),
                                        spec.default_popsize)
        if settings.get("maxiter") is not None and settings["maxiter"] < 2:
            break
        opt = spec.build(rng=np.random.default_rng(seeds.spawn(1)[0]), **region, **settings)
        record = FeasibleRecord(problem.constraints, opt.dim, True, "min",
                                skip_infeasible=skip_infeasible, rule=rule)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NonFiniteObjectiveWarning)
            run(opt, lambda X, record=record: record.evaluate(X, X, problem), transform=record.told,
                on_generation=lambda generation: problem.finished)
        restarts += 1 + int(getattr(opt, "restart_count", 0))
    return restarts - 1


def run_pycma_constrained(problem, budget, seed):
    """pycma's CMA-ES on ``cma.ConstrainedFitnessAL`` with IPOP restarts (the reference).

    sigma0 = 2, the first start at the suite's (feasible) initial solution,
    later ones uniform in [-4, 4]^D, popsize doubled per restart; a fresh
    ``ConstrainedFitnessAL`` per restart, updated after every generation.

    Returns
    -------
    int
        Restarts (runs after the first).
    """
    import cma

    rng = np.random.default_rng(seed)
    raw = problem.problem
    dim = raw.dimension
    popsize = 4 + int(3 * np.log(dim))
    x0 = np.asarray(raw.initial_solution, dtype=np.float64)
    restarts = -1
    while not problem.finished:
        restarts += 1
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pycma's notes on its coefficients and archives
            fitness = cma.ConstrainedFitnessAL(
                lambda x: float(problem(np.asarray(x)[None, :])[0]),
                lambda x: problem.constraints(np.asarray(x)[None, :])[0].tolist())
            options = {"popsize": popsize, "seed": int(rng.integers(1, 2**31 - 1)),
                       "verbose": -9, "maxfevals": (budget - problem.used) // 2}
            es = cma.CMAEvolutionStrategy(x0, 2.0, options)
            while not es.stop() and not problem.finished:
                X = es.ask()
                values = [fitness(x) for x in X]
                if problem.finished:
                    break
                es.tell(X, values)
                fitness.update(es)
        popsize *= 2
        x0 = rng.uniform(-4.0, 4.0, dim)
    return restarts
