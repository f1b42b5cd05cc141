"""The standard suites: randomly shifted (and rotated) functions at an equal budget.

Minimisation of randomly shifted and rotated functions (a new shift and
rotation for every seed, the same for every method at that seed), at an
equal budget of :data:`STANDARD_BUDGET_PER_DIM` ``* D`` evaluations per
run, scored by the best value and the evaluations needed to come within
:data:`STANDARD_TOLERANCE` of the optimum value.  Problems: ``sphere``,
``ellipsoid``, ``rastrigin``, ``rosenbrock`` and ``ackley`` in 2, 10 and 30
dimensions (``sphere-2`` ... ``ackley-30``), ``himmelblau-2``, ``beale-2``.
Each problem with a single global optimum is rotated about it by a random
orthogonal matrix; ``himmelblau-2`` (four optima) is only shifted
(``'standard-shifted'``: nothing is rotated).

Every method keeps the library's defaults within the problem's bounds and
spends the budget as its registry entry says
(:attr:`~evodiff.registry.MethodSpec.budget_settings`): Diffusion Evolution
(both variants), OpenES and PEPG with a population of
:data:`STANDARD_POPSIZE` for ``budget // 256`` generations, CMA-ES with its
default population and IPOP restarts until the budget is spent (a generation
that would exceed it is not started).
"""

from __future__ import annotations

from .. import problems as _problems
from ..registry import get_method, make_optimizer
from .suite_entry import Suite, deferred

__all__ = ["STANDARD_GRID", "STANDARD_BUDGET_PER_DIM", "STANDARD_TOLERANCE",
           "STANDARD_POPSIZE", "standard_problems", "standard_instance", "standard_optimizer"]

#: Functions and dimensions of the standard suites.
STANDARD_GRID = (
    ("sphere", (2, 10, 30)),
    ("ellipsoid", (2, 10, 30)),
    ("rastrigin", (2, 10, 30)),
    ("rosenbrock", (2, 10, 30)),
    ("ackley", (2, 10, 30)),
    ("himmelblau", (2,)),
    ("beale", (2,)),
)
#: Evaluations per run and per dimension, the same for every method.
STANDARD_BUDGET_PER_DIM = 5000
#: Target of the standard suites: optimum value + this (absolute).
STANDARD_TOLERANCE = 1e-6
#: Population of Diffusion Evolution, OpenES and PEPG in the standard suites (CMA-ES
#: keeps its default 4 + 3 ln D and restarts with a doubled population, IPOP).
STANDARD_POPSIZE = 256


def _named(problem, name, target):
    """``problem`` under the suite's name, with the suite's target."""
    return _problems.Problem(name, problem.dim, problem.lower, problem.upper, problem.optima,
                             problem.optimum_value, problem.sense, problem.fn,
                             target=target)


def standard_problems():
    """list of :class:`~evodiff.problems.Problem` : the problems of :data:`STANDARD_GRID`."""
    problems = []
    for family, dims in STANDARD_GRID:
        for dim in dims:
            base = _problems.get_problem(family, dim)
            problems.append(_named(base, f"{family}-{dim}",
                                   base.optimum_value + STANDARD_TOLERANCE))
    return problems


def standard_instance(problem, generator, rotate):
    """A shifted (and, for a single optimum, rotated) instance of a standard problem.

    Parameters
    ----------
    problem : Problem
        A problem of :func:`standard_problems`.
    generator : numpy.random.Generator
        Draws the shift, then the rotation.
    rotate : bool

    Returns
    -------
    Problem
        Named as ``problem``, with its target.
    """
    instance = _problems.random_shift(problem, generator)
    if rotate and instance.optima.shape[0] == 1:
        instance = _problems.rotated(instance,
                                     _problems.random_rotation(problem.dim, generator))
    return _named(instance, problem.name, problem.target)


def standard_optimizer(method, problem, generator):
    """The optimiser of ``method`` for a standard problem: library defaults, equal budget.

    Returns
    -------
    optimizer : Optimizer
    budget : int
        Evaluations allowed.
    """
    budget = STANDARD_BUDGET_PER_DIM * problem.dim
    settings = get_method(method).budget_settings(budget, STANDARD_POPSIZE)
    return make_optimizer(method, dim=problem.dim, bounds=problem.bounds, rng=generator,
                          **settings), budget


# ---- the suite entries ------------------------------------------------------------------

def _build(method, problem, generator):
    opt, budget = standard_optimizer(method, problem, generator)
    return opt, None, budget


def _converging(spec):
    """Methods whose answer is one best point (counted to a target): not the illuminators,
    nor the searches for every global optimum."""
    return spec.domain == "continuous" and spec.goal == "optimum"


def _suite(name, description, rotate):
    return Suite(name, description, deferred("commands", "generic_command"),
                 accepts=("methods", "problems", "runs", "no_figures"),
                 problems=tuple(standard_problems()),
                 instance=lambda problem, generator: standard_instance(problem, generator,
                                                                       rotate=rotate),
                 optimizer=_build, runs_method=_converging,
                 summary=deferred("report", "standard_summary"))


#: The entries of :data:`evodiff.bench.suites.SUITES`.
STANDARD_SUITE = _suite("standard", "shifted and rotated minimisation problems at an equal "
                                    "budget", rotate=True)
STANDARD_SHIFTED_SUITE = _suite("standard-shifted", "the standard problems shifted only",
                                rotate=False)
