"""The paper's protocol: Zhang et al., ICLR 2025, Table 1 / Figure 3, and the authors' scripts.

Rosenbrock, Beale and Himmelblau minimised, Ackley and Rastrigin *maximised*
(their box maxima are the goal), on ``[-4, 4]^D``, population 512, scored by
the entropy and the mean normalised fitness of the top 64 individuals of the
final generation.  Problems: ``rosenbrock-2``, ``beale-2``, ``himmelblau-2``,
``ackley-2``, ``rastrigin-2``, ``rastrigin-4``, ``rastrigin-32``,
``rastrigin-256``.

As run here (every constant below has its origin beside it):

- Maximised functions: the scripts use ``f = -foo`` with target ``-max foo``;
  here the objective is ``foo`` itself with ``sense='max'`` and target
  ``max foo``.  The normalised fitness depends on ``|f - target|`` only, so
  it is the same.  A point outside the box scores 100 (minimised functions)
  or ``-1e-9`` (maximised: the scripts' ``f = 1e-9``), whatever the method.
- The scripts hand every method the fitness ``exp(-|f - target| / (0.5 scale))``.
  Diffusion Evolution gets these weights through ``Energy(0.5 scale)`` on the
  objective (equal up to a constant factor, computed in the log domain);
  CMA-ES and PEPG rank their samples, so they get the objective itself (same
  ranks); OpenES, which uses fitness magnitudes, gets that fitness.
- Units: every optimiser searches a region centred at 0 with scale 4, so a
  normalised unit is 4 problem units: sigma0 and sigma_limit
  divide by 4, PEPG's weight decay ``c mean(X**2)`` becomes ``16 c mean(x**2)``,
  and OpenES's learning rate divides by 16 (1000 -> 62.5; see
  :func:`paper_optimizer`).
- OpenES is the scripts' plain variant: raw fitness (no ranks, no
  standardisation, no weight decay), gradient ``mean(F eps) / sigma``, SGD
  with momentum 0.9, for 1000 generations.
- CMA-ES runs exactly 25 generations (its tolfun / tolx / stagnation stops are
  off).  The scripts' CMA-ES wrapper also added an L2 weight decay of 1e-3 to
  the fitness; that is not reproduced.
- PEPG keeps ``ceil(0.1 * 512) = 52`` elites (the scripts: ``int`` gives 51).
- Scores follow the protocol: the normalised fitness ``g`` (the scripts
  reported the unnormalised fitness above), the top 64 by ``g``, and the
  final x0 estimates for *both* Diffusion Evolution variants (the scripts
  scored the latent variant on its final population).
- Every method runs in the problem's true dimension.  Consequence: at 32 and
  256 dimensions a population spread as ``4 N(0, I)`` has almost no point
  inside the box (a fraction ``0.683**D``), so a method that starts that wide
  and does not shrink on its own (plain Diffusion Evolution, CMA-ES) sees
  only the constant out-of-box value and scores fitness 0.
- MAP-Elites (the last row of the paper's Table 1) runs the paper's
  configuration: steady state, 256 initial points from ``N(0, 4^2 I)``,
  Gaussian mutation with sigma 0.5 of a uniformly chosen elite, 6,400
  evaluations (25 generations of 256), descriptors the first two
  coordinates.  "Unit cells over the search space" is read as cells one
  unit of the scoring grid wide (0.1, so 80 x 80 cells over ``[-4, 4]^2``):
  unit-wide cells would hold at most 64 elites, where pyribs run with the
  paper's settings keeps hundreds.  It is scored on its archive: the top 64
  elites by fitness.
- A method registered by a user (:func:`evodiff.registry.register_method`)
  runs with population 512 for 25 generations in the same region, on the
  objective itself.
"""

from __future__ import annotations

import itertools

import numpy as np
from scipy.optimize import minimize_scalar

from .. import problems as _problems
from ..algorithms import CMAES, PEPG, DiffusionEvolution, OpenES
from ..algorithms.map_elites import MAPElites
from ..fitness import Energy
from ..registry import get_method, make_optimizer
from .suite_entry import Suite, deferred

__all__ = ["PAPER_TABLE", "paper_problems", "paper_optimizer"]

#: (function, D, sense, target as in the table, scale, max distance).  For the maximised
#: functions the table's target is that of ``f = -foo``; here the objective is ``foo``
#: itself, maximised, so the target is the table's value negated (``max foo``).
PAPER_TABLE = (
    ("rosenbrock", 2, "min", 0.0, 287.51, 40009.0),
    ("beale", 2, "min", 0.0, 20.0, 72769.2),
    ("himmelblau", 2, "min", 0.0, 17.01, 308.803),
    ("ackley", 2, "max", -12.5401, 2.0, 12.5401),
    ("rastrigin", 2, "max", -64.6249, 30.0, 64.6249),
    ("rastrigin", 4, "max", -129.2498, 60.0, 129.2498),
    ("rastrigin", 32, "max", -1033.9980, 500.0, 1033.9980),
    ("rastrigin", 256, "max", -8271.9844, 4000.0, 8271.9844),
)
#: Population size of every method.
PAPER_POPSIZE = 512
#: Half-width of the box [-4, 4]^D; Diffusion Evolution evaluates at 4 x, x ~ N(0, I).
PAPER_HALF_WIDTH = 4.0
#: Generations per run (OpenES: 1000; every other method, user-registered ones too: 25;
#: MAP-Elites: 25 of 256 points, its 6,400 evaluations).
PAPER_GENERATIONS = {"openes": 1000}
PAPER_DEFAULT_GENERATIONS = 25
#: Diffusion Evolution: DDPM noise of the cosine schedule, latent dimension.
PAPER_NOISE = 0.1
PAPER_LATENT_DIM = 2
#: Value of a point outside the box: 100 for the minimised functions; for the maximised
#: ones the scripts give ``f = -foo`` the value 1e-9 there, i.e. ``foo = -1e-9``, just
#: below the smallest value inside (0 at the origin).
PAPER_OUTSIDE_MIN = 100.0
PAPER_OUTSIDE_MAX = -1e-9
#: The scripts hand every method the fitness ``exp(-|f - target| / (0.5 scale))``.
PAPER_TEMPERATURE = 0.5
#: CMA-ES: sigma0 = 4 from x0 = 0, in units of the box half-width 4.
PAPER_CMAES_SIGMA0 = 4.0 / PAPER_HALF_WIDTH
#: PEPG: sigma0 4, sigma decay 0.01^(1/steps), elite ratio 0.1; the rest are the
#: defaults of the estool-derived PEPG of the scripts (sigma_alpha 0.2, sigma_limit 0.01,
#: sigma_max_change 0.2, weight decay 0.01, rank fitness, average baseline).
PAPER_PEPG_SIGMA_INIT = 4.0
PAPER_PEPG_SIGMA_DECAY_TOTAL = 0.01
PAPER_PEPG_ELITE_RATIO = 0.1
PAPER_PEPG_SIGMA_LIMIT = 0.01
PAPER_PEPG_WEIGHT_DECAY = 0.01
#: OpenES: sigma0 4 decaying by 0.01^(1/steps), learning rate 1000 decaying by
#: (1e-5)^(1/steps), momentum 0.9, gradient mean(F eps) / sigma of the raw fitness F.
PAPER_OPENES_SIGMA_INIT = 4.0
PAPER_OPENES_SIGMA_DECAY_TOTAL = 0.01
PAPER_OPENES_LEARNING_RATE = 1000.0
PAPER_OPENES_LR_DECAY_TOTAL = 1e-5
PAPER_OPENES_MOMENTUM = 0.9
#: MAP-Elites (the last row of Table 1): steady state, 256 initial points from N(0, 4^2 I),
#: Gaussian mutation (sigma 0.5) of a uniformly chosen elite, 6,400 evaluations in all,
#: so 25 generations of 256.  Cells 0.1 wide (80 x 80 over [-4, 4]^2, the first two
#: coordinates), the width of the entropy grid: see the module docstring.
PAPER_MAP_ELITES_BATCH = 256
PAPER_MAP_ELITES_EVALUATIONS = 6400
PAPER_MAP_ELITES_INITIAL_SIGMA = 4.0
PAPER_MAP_ELITES_MUTATION_SIGMA = 0.5
PAPER_MAP_ELITES_CELL_WIDTH = 0.1


def generations(method):
    """Generations of one paper run of ``method``."""
    return PAPER_GENERATIONS.get(method, PAPER_DEFAULT_GENERATIONS)


# ---- the problems -----------------------------------------------------------------------

def _boxed(fn, half_width, outside):
    """``fn`` inside ``[-half_width, half_width]^D``, the constant ``outside`` beyond it."""
    def objective(X):
        X = np.asarray(X, dtype=np.float64)
        inside = np.all(np.abs(X) <= half_width, axis=1)
        return np.where(inside, np.asarray(fn(X), dtype=np.float64), outside)
    return objective


def _diagonal_maximum(fn, dim):
    """The ``c`` in [3, 4] maximising ``fn(c, ..., c)``: the box corners of Ackley and Rastrigin."""
    found = minimize_scalar(lambda c: -float(fn(np.full((1, dim), c))[0]), bounds=(3.0, 4.0),
                            method="bounded", options={"xatol": 1e-10})
    return float(found.x)


def _paper_problem(family, dim, sense, table_target, scale, max_distance):
    base = _problems.get_problem(family, dim)
    lower, upper = np.full(dim, -PAPER_HALF_WIDTH), np.full(dim, PAPER_HALF_WIDTH)
    name = f"{family}-{dim}"
    if sense == "min":
        return _problems.Problem(
            name, dim, lower, upper, base.optima, base.optimum_value, "min",
            _boxed(base, PAPER_HALF_WIDTH, PAPER_OUTSIDE_MIN), target=table_target,
            scale=scale, max_distance=max_distance)
    # Rastrigin is separable: its corner does not depend on D; Ackley's is found in 2-D.
    corner = _diagonal_maximum(base if family == "ackley" else _problems.get_problem(family, 1),
                               dim if family == "ackley" else 1)
    optima = np.empty((0, dim))
    if dim <= 8:
        optima = corner * np.array(list(itertools.product((-1.0, 1.0), repeat=dim)))
    return _problems.Problem(
        name, dim, lower, upper, optima, -table_target, "max",
        _boxed(base, PAPER_HALF_WIDTH, PAPER_OUTSIDE_MAX), target=-table_target,
        scale=scale, max_distance=max_distance, corner=corner)


def paper_problems():
    """list of :class:`~evodiff.problems.Problem` : the problems of :data:`PAPER_TABLE`."""
    return [_paper_problem(*entry) for entry in PAPER_TABLE]


# ---- the optimisers ---------------------------------------------------------------------

class _RawFitnessOpenES(OpenES):
    """OpenES on the raw fitness, as in the paper's scripts.

    The utilities are the told values themselves (no ranks, no
    standardisation, no weight decay), so the gradient estimate is
    ``mean(F eps) / sigma`` and, with ``optimizer='sgd'``, the mean follows
    it with momentum.
    """

    def utilities(self, x, cost):
        return -cost


def _paper_fitness(problem):
    """Values -> the scripts' fitness ``exp(-|f - target| / (0.5 scale))``."""
    width = PAPER_TEMPERATURE * problem.scale

    def fitness(values):
        return np.exp(-np.abs(values - problem.target) / width)
    return fitness


def paper_optimizer(method, problem, generator):
    """The optimiser of ``method`` with the paper's settings, and what to tell it.

    The search region is centred at 0 with scale 4 (no bounds: the objective
    itself gives out-of-box points their fixed value), so one normalised unit
    is 4 problem units and the baselines' settings translate as follows:
    widths (sigma0, sigma_limit) divide by 4; PEPG's L2 weight decay
    ``c mean(X**2)`` becomes ``16 c mean(x**2)``; OpenES's step, ``lr v`` with
    ``v`` the momentum average of ``mean(F eps) / sigma``, is 4 times smaller
    in normalised units while ``v`` is 4 times larger, so its learning rate
    divides by 16 (1000 -> 62.5).  Decays per generation and PEPG's relative
    rates (sigma_alpha, sigma_max_change) are unit-free.

    Parameters
    ----------
    method : str
        A registered method.
    problem : Problem
        A problem of the paper suite.
    generator : numpy.random.Generator

    Returns
    -------
    optimizer : Optimizer
    transform : callable or None
        Maps objective values to the values told (``None``: the objective
        values themselves).
    """
    steps = generations(method)
    region = {"dim": problem.dim, "center": 0.0, "scale": PAPER_HALF_WIDTH, "rng": generator}
    build = PAPER_BUILDERS.get(method)
    if build is not None:
        return build(problem, steps, region)
    # any other method: the same budget, spent its own way (registry.budget_settings)
    settings = get_method(method).budget_settings(PAPER_POPSIZE * steps, PAPER_POPSIZE)
    return make_optimizer(method, sense=problem.sense, **settings, **region), None


def _paper_diffusion(latent):
    def build(problem, steps, region):
        # Weights exp(-|f - target| / (0.5 scale)) as in the scripts, in the log domain:
        # Energy(T) gives exp(-cost / T), the same up to a constant factor that cancels.
        encoder = {"latent": "random", "latent_dim": PAPER_LATENT_DIM} if latent else {}
        return DiffusionEvolution(popsize=PAPER_POPSIZE, steps=steps, schedule="cosine",
                                  noise=PAPER_NOISE,
                                  fitness=Energy(PAPER_TEMPERATURE * problem.scale),
                                  sense=problem.sense, **encoder, **region), None
    return build


def _paper_cmaes(problem, steps, region):
    # Exactly 25 generations: the local stopping rules are switched off.
    return CMAES(popsize=PAPER_POPSIZE, sigma0=PAPER_CMAES_SIGMA0, maxiter=steps,
                 tolfun=0.0, tolx=0.0, tolstagnation=10**9, sense=problem.sense,
                 **region), None


def _paper_pepg(problem, steps, region):
    unit = PAPER_HALF_WIDTH
    return PEPG(popsize=PAPER_POPSIZE, sigma0=PAPER_PEPG_SIGMA_INIT / unit,
                sigma_decay=PAPER_PEPG_SIGMA_DECAY_TOTAL ** (1.0 / steps),
                sigma_limit=PAPER_PEPG_SIGMA_LIMIT / unit,
                elite_ratio=PAPER_PEPG_ELITE_RATIO,
                weight_decay=PAPER_PEPG_WEIGHT_DECAY * unit**2, maxiter=steps,
                sense=problem.sense, **region), None


def _paper_map_elites(problem, steps, region):
    unit = PAPER_HALF_WIDTH
    k = min(problem.dim, 2)
    cells = int(round(2 * PAPER_HALF_WIDTH / PAPER_MAP_ELITES_CELL_WIDTH))
    return MAPElites(popsize=PAPER_MAP_ELITES_BATCH,
                     maxiter=PAPER_MAP_ELITES_EVALUATIONS // PAPER_MAP_ELITES_BATCH,
                     sigma0=PAPER_MAP_ELITES_INITIAL_SIGMA / unit,
                     mutation_sigma=PAPER_MAP_ELITES_MUTATION_SIGMA / unit, cells=cells,
                     descriptor_bounds=[(-PAPER_HALF_WIDTH, PAPER_HALF_WIDTH)] * k,
                     sense=problem.sense, **region), None


def _paper_openes(problem, steps, region):
    unit = PAPER_HALF_WIDTH
    # OpenES maximises the scripts' fitness F in (0, 1], whatever the function's sense.
    return _RawFitnessOpenES(
        popsize=PAPER_POPSIZE, sigma0=PAPER_OPENES_SIGMA_INIT / unit,
        sigma_decay=PAPER_OPENES_SIGMA_DECAY_TOTAL ** (1.0 / steps), sigma_limit=0.0,
        learning_rate=PAPER_OPENES_LEARNING_RATE / unit**2,
        learning_rate_decay=PAPER_OPENES_LR_DECAY_TOTAL ** (1.0 / steps),
        learning_rate_limit=0.0, optimizer="sgd", momentum=PAPER_OPENES_MOMENTUM,
        weight_decay=0.0, rank_fitness=False, maxiter=steps, sense="max",
        **region), _paper_fitness(problem)


#: The paper's settings of the methods it compared: name -> ``build(problem, steps, region)
#: -> (optimizer, transform)``.  These are the protocol of the paper's scripts, one per
#: compared method; any other registered method gets the same budget through its registry
#: entry's ``budget_settings``.
PAPER_BUILDERS = {
    "diffevo": _paper_diffusion(latent=False),
    "latent-diffevo": _paper_diffusion(latent=True),
    "cmaes": _paper_cmaes,
    "pepg": _paper_pepg,
    "map-elites": _paper_map_elites,
    "openes": _paper_openes,
}


# ---- the suite entry --------------------------------------------------------------------

def _paper_build(method, problem, generator):
    opt, transform = paper_optimizer(method, problem, generator)
    return opt, transform, None


def _sized_by_generations(spec):
    """The paper's protocol fixes the generations: methods sized by an evaluation budget they
    spend their own way (restarts, rounds) are left out unless named."""
    return spec.domain == "continuous" and spec.sizing == "generations"


#: The entry of :data:`evodiff.bench.suites.SUITES`.
PAPER_SUITE = Suite(
    "paper", "the protocol of the paper's Table 1 / Figure 3 (entropy and fitness of the "
             "top 64)",
    deferred("commands", "generic_command"),
    accepts=("methods", "problems", "runs", "no_figures"), problems=tuple(paper_problems()),
    optimizer=_paper_build, total_evaluations=True,
    runs_method=_sized_by_generations,
    summary=deferred("report", "paper_summary"))
