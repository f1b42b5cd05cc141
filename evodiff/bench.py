"""Benchmark runner: methods x problems x seeds -> rows, aggregates, tables.

Suites (:data:`SUITES`)
-----------------------
``'paper'``
    The protocol of Zhang et al., ICLR 2025, Table 1 / Figure 3, and the
    authors' experiment scripts: Rosenbrock, Beale and Himmelblau minimised,
    Ackley and Rastrigin *maximised* (their box maxima are the goal), on
    ``[-4, 4]^D``, population 512, scored by the entropy and the mean
    normalised fitness of the top 64 individuals of the final generation.
    Problems: ``rosenbrock-2``, ``beale-2``, ``himmelblau-2``, ``ackley-2``,
    ``rastrigin-2``, ``rastrigin-4``, ``rastrigin-32``, ``rastrigin-256``.
``'standard'``
    Minimisation of randomly shifted and rotated functions (a new shift and
    rotation for every seed, the same for every method at that seed), at an
    equal budget of :data:`STANDARD_BUDGET_PER_DIM` ``* D`` evaluations per
    run, scored by the best value and the evaluations needed to come within
    :data:`STANDARD_TOLERANCE` of the optimum value.  Problems: ``sphere``,
    ``ellipsoid``, ``rastrigin``, ``rosenbrock`` and ``ackley`` in 2, 10 and 30
    dimensions (``sphere-2`` ... ``ackley-30``), ``himmelblau-2``, ``beale-2``.
    Each problem with a single global optimum is rotated about it by a random
    orthogonal matrix; ``himmelblau-2`` (four optima) is only shifted.
    Every method keeps the library's defaults within the problem's bounds:
    Diffusion Evolution (both variants), OpenES and PEPG with a population
    of :data:`STANDARD_POPSIZE` for ``budget // 256`` generations, CMA-ES with
    its default population and IPOP restarts until the budget is spent (a
    generation that would exceed it is not started).
``'standard-shifted'``
    The same problems, shifted but not rotated.

A problem may be named without its dimension when the suite has only one of
that name (``'himmelblau'`` is ``'himmelblau-2'``).

Rows
----
:func:`run_one` returns one row per run with the keys :data:`ROW_KEYS`:

- ``evaluations``: objective evaluations made by the method (paper suite),
  or the evaluations after which the best value first came within the
  tolerance of the optimum, ``inf`` if it never did (standard suites);
- ``best``: best objective value the method evaluated (in the problem's
  sense: the largest for the maximised paper problems; Diffusion
  Evolution's scoring evaluations excluded);
- ``entropy``: entropy in bits of the top 64 final points on a 0.1 grid
  (:func:`~evodiff.metrics.top_k_entropy`);
- ``fitness``: mean normalised fitness of those points (paper suite; NaN for
  the standard suites, which define no scale);
- ``optima_found``: known optima with one of those points within 0.2;
- ``seconds``: wall time of the run, scoring included.

The final points are the final generation, except for both Diffusion
Evolution variants, whose final x0 estimates are evaluated and scored
instead (those evaluations are not counted in ``evaluations``).

The paper's protocol, as run here
---------------------------------
Sources: Zhang et al. ICLR 2025, Table 1 / Figure 3, and the authors' experiment
scripts (figures only; the constants are below, each with its origin).

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
  normalised unit is 4 problem units: sigma0, sigma_init and sigma_limit
  divide by 4, PEPG's weight decay ``c mean(X**2)`` becomes ``16 c mean(x**2)``,
  and OpenES's learning rate divides by 16 (1000 -> 62.5; see
  ``_paper_optimizer``).
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

Parallel runs
-------------
``jobs > 1`` starts fresh ("spawn") worker processes with one BLAS thread
each; scripts that call :func:`run_suite` so must guard their top level with
``if __name__ == "__main__":``.

Seeds
-----
A run is fixed by ``(seed, method, problem)``: the optimiser's generator is
seeded with ``SeedSequence([seed, crc32(method), crc32(problem)])`` and the
problem's shift and rotation with ``SeedSequence([seed, crc32(problem)])``,
so a run gives the same row in any order, process or number of jobs.

Examples
--------
>>> from evodiff.bench import run_suite, aggregate
>>> result = run_suite("paper", methods=["diffevo", "cmaes"],
...                    problems=["himmelblau"], runs=2)  # doctest: +SKIP
>>> aggregate(result.rows)[1]["p_value_entropy"]  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import csv
import itertools
import json
import math
import multiprocessing
import os
import platform
import time
import warnings
import zlib
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from numbers import Integral
from pathlib import Path

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.stats import mannwhitneyu
from tqdm.auto import tqdm

from . import problems as _problems
from .algorithms import CMAES, PEPG, DiffusionEvolution, OpenES
from .fitness import Energy
from .metrics import (
    distinct_corners_found,
    distinct_optima_found,
    evaluations_to_target,
    normalized_fitness,
    top_k,
    top_k_entropy,
)

__all__ = [
    "BenchProblem",
    "BenchResult",
    "METHODS",
    "PAPER_TABLE",
    "ROW_KEYS",
    "SUITES",
    "aggregate",
    "problem_instance",
    "random_rotation",
    "run_one",
    "run_suite",
    "write_results",
]

#: Method names accepted by :func:`run_one` and :func:`run_suite`.
METHODS = ("diffevo", "latent-diffevo", "cmaes", "openes", "pepg")

#: Keys of a row, in the order of the columns of ``results.csv``.
ROW_KEYS = ("method", "problem", "dim", "seed", "evaluations", "best", "entropy", "fitness",
            "optima_found", "seconds")

#: Points scored per run: the top 64 of the final generation (Zhang et al. ICLR 2025,
#: Table 1 / Figure 3, and the authors' experiment scripts).
TOP_K = 64
#: Width of the entropy grid, 0.1 in problem units (ibid.).
ENTROPY_RESOLUTION = 0.1
#: A known optimum counts as found when a scored point lies within this distance.
OPTIMUM_RADIUS = 0.2

# ---- the paper's protocol ---------------------------------------------------------------
# Every constant below: Zhang et al. ICLR 2025, Table 1 / Figure 3, and the authors'
# experiment scripts.

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
#: Generations per run.
PAPER_GENERATIONS = {"diffevo": 25, "latent-diffevo": 25, "cmaes": 25, "pepg": 25,
                     "openes": 1000}
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
#: PEPG: sigma_init 4, sigma decay 0.01^(1/steps), elite ratio 0.1; the rest are the
#: defaults of the estool-derived PEPG of the scripts (sigma_alpha 0.2, sigma_limit 0.01,
#: sigma_max_change 0.2, weight decay 0.01, rank fitness, average baseline).
PAPER_PEPG_SIGMA_INIT = 4.0
PAPER_PEPG_SIGMA_DECAY_TOTAL = 0.01
PAPER_PEPG_ELITE_RATIO = 0.1
PAPER_PEPG_SIGMA_LIMIT = 0.01
PAPER_PEPG_WEIGHT_DECAY = 0.01
#: OpenES: sigma_init 4 decaying by 0.01^(1/steps), learning rate 1000 decaying by
#: (1e-5)^(1/steps), momentum 0.9, gradient mean(F eps) / sigma of the raw fitness F.
PAPER_OPENES_SIGMA_INIT = 4.0
PAPER_OPENES_SIGMA_DECAY_TOTAL = 0.01
PAPER_OPENES_LEARNING_RATE = 1000.0
PAPER_OPENES_LR_DECAY_TOTAL = 1e-5
PAPER_OPENES_MOMENTUM = 0.9

# ---- the standard suites ----------------------------------------------------------------
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


@dataclass(frozen=True, eq=False)
class BenchProblem:
    """One benchmark problem of a suite.

    Parameters
    ----------
    name : str
        ``'<function>-<D>'``, e.g. ``'rastrigin-32'``.
    dim : int
    objective : callable
        Vectorised: ``objective(X)`` with ``X`` of shape (N, D) returns (N,).
    bounds : numpy.ndarray, shape (D, 2)
        The search box.
    sense : {'min', 'max'}
    target : float
        The value a run aims at: the paper's target, or optimum + tolerance.
    scale : float or None
        Scale of the normalised fitness (paper suite only).
    max_distance : float or None
        Distance from the target that scores fitness 0 (paper suite only).
    optima : numpy.ndarray of shape (K, D), or None
        Known global optima (``None`` where there are too many to list).
    corner : float or None
        For the maximised paper functions: the optima are the ``2**D`` points
        ``(+-corner, ..., +-corner)``, counted without listing them.
    radius : float, default 0.2
        Distance within which an optimum counts as found.
    randomise : callable or None
        ``randomise(generator) -> BenchProblem``: a random instance (shifted,
        maybe rotated) of a standard problem; ``None`` for fixed problems.
    """

    name: str
    dim: int
    objective: Callable = field(repr=False)
    bounds: np.ndarray
    sense: str
    target: float
    scale: float | None = None
    max_distance: float | None = None
    optima: np.ndarray | None = None
    corner: float | None = None
    radius: float = OPTIMUM_RADIUS
    randomise: Callable | None = field(default=None, repr=False)

    @property
    def family(self):
        """str : the function's name without the dimension."""
        return self.name.rsplit("-", 1)[0]

    def instance(self, generator):
        """The problem a run faces: itself, or a random instance drawn from ``generator``."""
        return self if self.randomise is None else self.randomise(generator)

    def count_optima(self, points):
        """Number of known optima with one of ``points`` (M, D) within :attr:`radius`."""
        if self.corner is not None:
            return distinct_corners_found(points, self.corner, self.radius)
        if self.optima is None:
            return 0
        return distinct_optima_found(points, self.optima, self.radius)


@dataclass
class BenchResult:
    """What :func:`run_suite` returns.

    Attributes
    ----------
    rows : list of dict
        One per run, keys :data:`ROW_KEYS`, sorted by (problem, method, seed).
    traces : dict
        ``(method, problem) -> [trace of seed 0, seed 1, ...]`` when traces
        were recorded (see :func:`run_one`), else empty.
    suite : str or None
    runs : int or None
        Seeds per method and problem.
    """

    rows: list
    traces: dict = field(default_factory=dict)
    suite: str | None = None
    runs: int | None = None


# ---- building the suites ----------------------------------------------------------------

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
    bounds = np.tile([-PAPER_HALF_WIDTH, PAPER_HALF_WIDTH], (dim, 1))
    if sense == "min":
        return BenchProblem(f"{family}-{dim}", dim, _boxed(base.fn, PAPER_HALF_WIDTH,
                                                           PAPER_OUTSIDE_MIN),
                            bounds, "min", table_target, scale, max_distance,
                            optima=np.array(base.optima))
    # Rastrigin is separable: its corner does not depend on D; Ackley's is found in 2-D.
    corner = _diagonal_maximum(base.fn if family == "ackley" else
                               _problems.get_problem(family, 1).fn,
                               dim if family == "ackley" else 1)
    optima = None
    if dim <= 8:
        optima = corner * np.array(list(itertools.product((-1.0, 1.0), repeat=dim)))
    return BenchProblem(f"{family}-{dim}", dim, _boxed(base.fn, PAPER_HALF_WIDTH,
                                                       PAPER_OUTSIDE_MAX),
                        bounds, "max", -table_target, scale, max_distance,
                        optima=optima, corner=corner)


def random_rotation(dim, generator):
    """A random orthogonal matrix, uniform over the orthogonal group.

    Parameters
    ----------
    dim : int
    generator : numpy.random.Generator

    Returns
    -------
    numpy.ndarray, shape (dim, dim)
        The Q of the QR decomposition of a Gaussian matrix, with the signs of
        R's diagonal moved into it so that the distribution is uniform.
    """
    q, r = np.linalg.qr(generator.standard_normal((dim, dim)))
    return q * np.where(np.diag(r) < 0, -1.0, 1.0)


def _rotated(fn, centre, rotation):
    """``x -> fn(centre + R (x - centre))``: ``fn`` turned by ``R`` about ``centre``."""
    def objective(X):
        return fn(centre + (X - centre) @ rotation.T)
    return objective


def _standard_instance(base, rotate, generator):
    """A shifted (and, for a single optimum, rotated) instance of ``base``."""
    problem = _problems.random_shift(base, generator)
    fn, optima = problem.fn, np.array(problem.optima)
    if rotate and optima.shape[0] == 1:
        fn = _rotated(fn, optima[0], random_rotation(base.dim, generator))

    def objective(X):
        return np.asarray(fn(np.asarray(X, dtype=np.float64)), dtype=np.float64)

    return BenchProblem(f"{base.name}-{base.dim}", base.dim, objective, base.bounds, "min",
                        base.optimum_value + STANDARD_TOLERANCE, optima=optima)


def _standard_problem(family, dim, rotate):
    base = _problems.get_problem(family, dim)
    return BenchProblem(f"{family}-{dim}", dim, base, base.bounds, "min",
                        base.optimum_value + STANDARD_TOLERANCE, optima=np.array(base.optima),
                        randomise=lambda generator: _standard_instance(base, rotate, generator))


def _build_suites():
    paper = [_paper_problem(*entry) for entry in PAPER_TABLE]
    grid = [(family, dim) for family, dims in STANDARD_GRID for dim in dims]
    return {
        "paper": paper,
        "standard": [_standard_problem(f, d, rotate=True) for f, d in grid],
        "standard-shifted": [_standard_problem(f, d, rotate=False) for f, d in grid],
    }


#: Suite name -> list of :class:`BenchProblem`.
SUITES = _build_suites()


# ---- validation -------------------------------------------------------------------------

def _check_suite(suite):
    if not isinstance(suite, str) or suite not in SUITES:
        raise ValueError(f"suite must be one of {', '.join(SUITES)}; got {suite!r}")
    return suite


def _check_method(method):
    if not isinstance(method, str) or method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
    return method


def _find_problem(suite, name):
    """The problem of ``suite`` called ``name`` (or, if unique, the function ``name``)."""
    problems = SUITES[suite]
    for problem in problems:
        if problem.name == name:
            return problem
    matches = [p for p in problems if p.family == name]
    if len(matches) == 1:
        return matches[0]
    valid = ", ".join(p.name for p in problems)
    raise ValueError(f"problem {name!r} is not in suite {suite!r}; valid problems: {valid}")


def problem_instance(suite, problem_name, seed):
    """The problem exactly as run :func:`run_one` with ``seed`` faces it.

    For the standard suites this is the shifted (and rotated) instance of
    that seed, whose ``objective`` and ``optima`` a figure of the run needs;
    for the paper suite it is the suite's problem itself.

    Parameters
    ----------
    suite : str
    problem_name : str
    seed : int

    Returns
    -------
    BenchProblem
    """
    spec = _find_problem(_check_suite(suite), problem_name)
    return spec.instance(np.random.default_rng(_seed_sequence(_check_seed(seed), spec.name)))


def _check_seed(seed):
    if isinstance(seed, bool) or not isinstance(seed, Integral):
        raise TypeError(f"seed must be an int; got {seed!r}")
    if seed < 0:
        raise ValueError(f"seed must be >= 0; got {seed}")
    return int(seed)


def _check_count(name, value):
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an int; got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be >= 1; got {value}")
    return int(value)


def _unique(items):
    return list(dict.fromkeys(items))


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


def _paper_optimizer(method, problem, generator):
    """The optimiser of ``method`` with the paper's settings, and what to tell it.

    The search region is centred at 0 with scale 4 (no bounds: the objective
    itself gives out-of-box points their fixed value), so one normalised unit
    is 4 problem units and the baselines' settings translate as follows:
    widths (sigma0, sigma_init, sigma_limit) divide by 4; PEPG's L2 weight decay
    ``c mean(X**2)`` becomes ``16 c mean(x**2)``; OpenES's step, ``lr v`` with
    ``v`` the momentum average of ``mean(F eps) / sigma``, is 4 times smaller
    in normalised units while ``v`` is 4 times larger, so its learning rate
    divides by 16 (1000 -> 62.5).  Decays per generation and PEPG's relative
    rates (sigma_alpha, sigma_max_change) are unit-free.

    Returns ``(optimizer, transform)``: ``transform`` maps objective values to
    the values told (``None``: the objective values themselves).
    """
    dim, unit = problem.dim, PAPER_HALF_WIDTH
    steps = PAPER_GENERATIONS[method]
    region = {"dim": dim, "center": 0.0, "scale": unit, "rng": generator}
    if method in ("diffevo", "latent-diffevo"):
        # Weights exp(-|f - target| / (0.5 scale)) as in the scripts, in the log domain:
        # Energy(T) gives exp(-cost / T), the same up to a constant factor that cancels.
        latent = {"latent": "random", "latent_dim": PAPER_LATENT_DIM} \
            if method == "latent-diffevo" else {}
        return DiffusionEvolution(popsize=PAPER_POPSIZE, steps=steps, schedule="cosine",
                                  noise=PAPER_NOISE,
                                  fitness=Energy(PAPER_TEMPERATURE * problem.scale),
                                  sense=problem.sense, **latent, **region), None
    if method == "cmaes":
        # Exactly 25 generations: the local stopping rules are switched off.
        return CMAES(popsize=PAPER_POPSIZE, sigma0=PAPER_CMAES_SIGMA0, maxiter=steps,
                     tolfun=0.0, tolx=0.0, tolstagnation=10**9, sense=problem.sense,
                     **region), None
    if method == "pepg":
        return PEPG(popsize=PAPER_POPSIZE, sigma_init=PAPER_PEPG_SIGMA_INIT / unit,
                    sigma_decay=PAPER_PEPG_SIGMA_DECAY_TOTAL ** (1.0 / steps),
                    sigma_limit=PAPER_PEPG_SIGMA_LIMIT / unit,
                    elite_ratio=PAPER_PEPG_ELITE_RATIO,
                    weight_decay=PAPER_PEPG_WEIGHT_DECAY * unit**2, maxiter=steps,
                    sense=problem.sense, **region), None
    # OpenES maximises the scripts' fitness F in (0, 1], whatever the function's sense.
    return _RawFitnessOpenES(
        popsize=PAPER_POPSIZE, sigma_init=PAPER_OPENES_SIGMA_INIT / unit,
        sigma_decay=PAPER_OPENES_SIGMA_DECAY_TOTAL ** (1.0 / steps), sigma_limit=0.0,
        learning_rate=PAPER_OPENES_LEARNING_RATE / unit**2,
        learning_rate_decay=PAPER_OPENES_LR_DECAY_TOTAL ** (1.0 / steps),
        learning_rate_limit=0.0, optimizer="sgd", momentum=PAPER_OPENES_MOMENTUM,
        weight_decay=0.0, rank_fitness=False, maxiter=steps, sense="max",
        **region), _paper_fitness(problem)


def _standard_optimizer(method, problem, generator):
    """The optimiser of ``method`` for a standard problem: library defaults, equal budget."""
    budget = STANDARD_BUDGET_PER_DIM * problem.dim
    common = {"dim": problem.dim, "bounds": problem.bounds, "rng": generator}
    generations = budget // STANDARD_POPSIZE
    if method in ("diffevo", "latent-diffevo"):
        latent = {"latent": "random"} if method == "latent-diffevo" else {}
        return DiffusionEvolution(popsize=STANDARD_POPSIZE, steps=generations, **latent,
                                  **common), budget
    if method == "cmaes":
        return CMAES(maxfevals=budget, restarts=100, **common), budget
    cls = OpenES if method == "openes" else PEPG
    return cls(popsize=STANDARD_POPSIZE, maxiter=generations, **common), budget


# ---- one run ----------------------------------------------------------------------------

def _seed_sequence(seed, *names):
    return np.random.SeedSequence([seed, *(zlib.crc32(n.encode()) for n in names)])


def _first_rows(X, count):
    """The first ``count`` rows of ``X``, padded with NaN rows when it has fewer."""
    rows = np.full((count, X.shape[1]), np.nan)
    rows[:min(count, X.shape[0])] = X[:count]
    return rows


def _drive(opt, problem, transform, budget, keep_positions):
    """Run ``opt`` to its end (or the budget) and record every generation."""
    pick = np.nanmin if problem.sense == "min" else np.nanmax
    history = {"nfev": [], "best": [], "median": [], "positions": [], "X": None, "values": None}
    while not opt.done:
        if budget is not None and opt.nfev + opt.popsize > budget:
            break
        X = np.array(opt.ask(), dtype=np.float64)
        values = np.asarray(problem.objective(X), dtype=np.float64)
        opt.tell(values if transform is None else transform(values))
        history["nfev"].append(opt.nfev)
        history["best"].append(float(pick(values)))
        history["median"].append(float(np.nanmedian(values)))
        if keep_positions:
            history["positions"].append(_first_rows(X, TOP_K))
        history["X"], history["values"] = X, values
        if opt.stop_reason() is not None:
            break
    return history


def _score(method, opt, problem, history):
    """The final points (top 64 by fitness), their entropy, mean fitness and optima found."""
    if method in ("diffevo", "latent-diffevo"):
        points = np.asarray(opt.candidates(), dtype=np.float64)
        values = np.asarray(problem.objective(points), dtype=np.float64)
    else:
        points, values = history["X"], history["values"]
    if problem.scale is not None:
        g = normalized_fitness(values, problem.target, problem.scale, problem.max_distance)
        best_points, best_g = top_k(points, g, TOP_K, sense="max")
        fitness = float(np.mean(best_g))
    else:
        best_points, _ = top_k(points, values, TOP_K, sense=problem.sense)
        fitness = math.nan
    entropy = top_k_entropy(best_points, TOP_K, ENTROPY_RESOLUTION)
    return best_points, entropy, fitness, problem.count_optima(best_points)


def run_one(suite, method, problem_name, seed, record_trace=False):
    """Run one method once on one problem of a suite and score it.

    Parameters
    ----------
    suite : {'paper', 'standard', 'standard-shifted'}
    method : {'diffevo', 'latent-diffevo', 'cmaes', 'openes', 'pepg'}
    problem_name : str
        A problem of the suite (see the module docstring).
    seed : int
        Run index, >= 0; with ``method`` and the problem it fixes the run.
    record_trace : bool, default False
        Also return the run's trace.

    Returns
    -------
    row : dict
        Keys :data:`ROW_KEYS` (see the module docstring).
    trace : dict or None
        With ``record_trace``: ``best`` and ``median`` (G,), the best and
        median objective value of each generation; ``positions`` (G, 64, D),
        the first 64 points asked in each generation (the same 64 individuals
        for Diffusion Evolution, the first 64 samples for the others; NaN
        rows where a generation had fewer), or ``None`` when D > 2; ``final``
        (<= 64, D), the scored points, best first.

    Raises
    ------
    ValueError
        For an unknown suite, method or problem (the message lists the valid
        names) or a negative seed.
    """
    suite = _check_suite(suite)
    method = _check_method(method)
    spec = _find_problem(suite, problem_name)
    seed = _check_seed(seed)
    start = time.perf_counter()
    problem = problem_instance(suite, spec.name, seed)
    generator = np.random.default_rng(_seed_sequence(seed, method, spec.name))
    if suite == "paper":
        (opt, transform), budget = _paper_optimizer(method, problem, generator), None
    else:
        (opt, budget), transform = _standard_optimizer(method, problem, generator), None
    keep_positions = record_trace and problem.dim <= 2
    history = _drive(opt, problem, transform, budget, keep_positions)
    final, entropy, fitness, found = _score(method, opt, problem, history)
    best = np.array(history["best"])
    if suite == "paper":
        evaluations = int(opt.nfev)
    else:
        evaluations = evaluations_to_target(history["nfev"], best, problem.target, problem.sense)
    row = {
        "method": method,
        "problem": spec.name,
        "dim": spec.dim,
        "seed": seed,
        "evaluations": evaluations,
        "best": float(best.min() if problem.sense == "min" else best.max()),
        "entropy": float(entropy),
        "fitness": float(fitness),
        "optima_found": int(found),
        "seconds": time.perf_counter() - start,
    }
    if not record_trace:
        return row, None
    trace = {
        "best": best,
        "median": np.array(history["median"]),
        "positions": np.stack(history["positions"]) if keep_positions else None,
        "final": final,
    }
    return row, trace


# ---- many runs --------------------------------------------------------------------------

#: Thread-count variables of the BLAS and OpenMP libraries NumPy may use.
_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


@contextlib.contextmanager
def _single_threaded_children():
    """Start worker processes with one BLAS thread each (unless the user set a count).

    ``jobs`` processes that each run a multi-threaded BLAS on the same cores
    slow each other down many times over (Diffusion Evolution's 512 x 512
    products most); the variables must be set before a worker imports NumPy,
    hence fresh ("spawn") workers and the environment they inherit.
    """
    saved = {name: os.environ.get(name) for name in _THREAD_VARIABLES}
    for name in _THREAD_VARIABLES:
        os.environ.setdefault(name, "1")
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _task(arguments):
    """One run in a worker process (module level, so it pickles)."""
    return run_one(*arguments)


def run_suite(suite, methods=None, problems=None, runs=10, jobs=1, progress=False,
              record_traces=False):
    """Run every method on every problem of a suite with seeds ``0 .. runs - 1``.

    Parameters
    ----------
    suite : {'paper', 'standard', 'standard-shifted'}
    methods : list of str, optional
        Default: all of :data:`METHODS`.
    problems : list of str, optional
        Default: every problem of the suite.
    runs : int, default 10
        Seeds per method and problem, >= 1.
    jobs : int, default 1
        Worker processes, >= 1; with more than one, each run is a task of a
        :class:`concurrent.futures.ProcessPoolExecutor` of fresh ("spawn")
        processes with one BLAS thread each, so a script that calls this must
        guard its top level with ``if __name__ == "__main__":``.  The rows do
        not depend on ``jobs`` (except ``seconds``).
    progress : bool, default False
        Show a tqdm progress bar over the runs.
    record_traces : bool, default False
        Keep every run's trace (see :func:`run_one`).

    Returns
    -------
    BenchResult

    Raises
    ------
    ValueError
        For an unknown suite, method or problem (the message lists the valid
        names), or ``runs`` or ``jobs`` below 1.
    """
    suite = _check_suite(suite)
    methods = list(METHODS) if methods is None else _unique(_check_method(m) for m in methods)
    if problems is None:
        names = [p.name for p in SUITES[suite]]
    else:
        if isinstance(problems, str):
            problems = [problems]
        names = _unique(_find_problem(suite, p).name for p in problems)
    runs = _check_count("runs", runs)
    jobs = _check_count("jobs", jobs)
    if not methods or not names:
        raise ValueError("methods and problems must not be empty")
    tasks = [(suite, m, p, s, record_traces) for p in names for m in methods for s in range(runs)]
    outcomes = []
    if jobs == 1:
        with tqdm(total=len(tasks), disable=not progress, desc=f"bench {suite}",
                  unit="run") as bar:
            for task in tasks:
                outcomes.append(_task(task))
                bar.update(1)
    else:
        with _single_threaded_children(), ProcessPoolExecutor(
                max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = [pool.submit(_task, task) for task in tasks]
            with tqdm(total=len(tasks), disable=not progress, desc=f"bench {suite}",
                      unit="run") as bar:
                for future in as_completed(futures):
                    outcomes.append(future.result())
                    bar.update(1)
    outcomes.sort(key=lambda o: (o[0]["problem"], o[0]["method"], o[0]["seed"]))
    traces = {}
    if record_traces:
        for row, trace in outcomes:
            traces.setdefault((row["method"], row["problem"]), []).append(trace)
    return BenchResult(rows=[row for row, _ in outcomes], traces=traces, suite=suite, runs=runs)


# ---- statistics -------------------------------------------------------------------------

_STAT_KEYS = ("best", "entropy", "fitness", "evaluations")
_TESTED_KEYS = ("best", "entropy", "fitness")


def _p_value(sample, reference):
    """Two-sided Mann-Whitney U p-value, NaN when it is undefined."""
    a = np.asarray(sample, dtype=np.float64)
    b = np.asarray(reference, dtype=np.float64)
    a, b = a[~np.isnan(a)], b[~np.isnan(b)]
    if a.size < 2 or b.size < 2:
        return math.nan
    both = np.concatenate([a, b])
    if np.all(both == both[0]):
        return math.nan
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        p = float(mannwhitneyu(a, b, alternative="two-sided").pvalue)
    return min(1.0, max(0.0, p)) if math.isfinite(p) else math.nan


def _describe(values):
    x = np.asarray(values, dtype=np.float64)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mean = float(np.mean(x))
        std = float(np.std(x, ddof=1)) if x.size > 1 else math.nan
        median = float(np.median(x))
    return mean, std, median


def aggregate(rows):
    """Per (method, problem): run count, mean/std/median of the scores, p-values vs 'diffevo'.

    Parameters
    ----------
    rows : list of dict
        Rows of :func:`run_one` (e.g. ``run_suite(...).rows``).

    Returns
    -------
    list of dict
        In the order the pairs first appear in ``rows``, each with ``method``,
        ``problem``, ``dim``, ``n``, ``<key>_mean``, ``<key>_std`` (sample
        standard deviation, NaN for one run) and ``<key>_median`` for ``best``,
        ``entropy``, ``fitness`` and ``evaluations``; ``reached``, the runs
        whose ``evaluations`` is finite (standard suites: runs that reached
        the target); and ``p_value_best``, ``p_value_entropy``,
        ``p_value_fitness``: the two-sided Mann-Whitney U test of the method
        against ``'diffevo'`` on the same problem (NaN for ``'diffevo'`` itself,
        without ``'diffevo'`` rows, with fewer than 2 runs on either side, or
        when all the values are equal).
    """
    groups = {}
    for row in rows:
        groups.setdefault((row["method"], row["problem"]), []).append(row)
    table = []
    for (method, problem), members in groups.items():
        entry = {"method": method, "problem": problem, "dim": members[0]["dim"],
                 "n": len(members)}
        for key in _STAT_KEYS:
            mean, std, median = _describe([r[key] for r in members])
            entry.update({f"{key}_mean": mean, f"{key}_std": std, f"{key}_median": median})
        entry["reached"] = int(sum(math.isfinite(r["evaluations"]) for r in members))
        reference = groups.get(("diffevo", problem))
        for key in _TESTED_KEYS:
            if method == "diffevo" or reference is None:
                entry[f"p_value_{key}"] = math.nan
            else:
                entry[f"p_value_{key}"] = _p_value([r[key] for r in members],
                                                   [r[key] for r in reference])
        table.append(entry)
    return table


# ---- files ------------------------------------------------------------------------------

def _json_safe(value):
    """NaN -> None and +-inf -> 'inf' / '-inf', recursively, so the JSON is standard."""
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, (float, np.floating)):
        value = float(value)
        if math.isnan(value):
            return None
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return value
    if isinstance(value, np.integer):
        return int(value)
    return value


def _versions():
    import scipy

    from . import __version__
    return {"evodiff": __version__, "numpy": np.__version__, "scipy": scipy.__version__,
            "python": platform.python_version(), "platform": platform.platform()}


def _ordered(values, order):
    rank = {v: i for i, v in enumerate(order)}
    return sorted(set(values), key=lambda v: (rank.get(v, len(rank)), v))


def _format_p(p):
    return "n/a" if not math.isfinite(p) else f"{p:.2g}"


def _markdown_table(corner, columns, lines):
    out = [f"| {corner} | " + " | ".join(columns) + " |",
           "|---|" + "---|" * len(columns)]
    out += [f"| {name} | " + " | ".join(cells) + " |" for name, cells in lines]
    return "\n".join(out)


def _summary(stats, suite, runs):
    problem_order = [p.name for p in SUITES.get(suite, [])]
    problems = _ordered([s["problem"] for s in stats], problem_order)
    methods = _ordered([s["method"] for s in stats], METHODS)
    cell = {(s["method"], s["problem"]): s for s in stats}

    def grid(fmt):
        return [(m, [fmt(cell[m, p]) if (m, p) in cell else "—" for p in problems])
                for m in methods]

    parts = [f"# Benchmark: suite `{suite}`", "",
             f"{runs} runs per method and problem; seeds 0 to {runs - 1}.", ""]
    if suite == "paper":
        parts += ["Each cell: mean top-64 entropy in bits (mean normalised fitness of the top 64), "
                  "final generation (Diffusion Evolution: final x0 estimates).", "",
                  _markdown_table("method", problems, grid(
                      lambda s: f"{s['entropy_mean']:.2f} ({s['fitness_mean']:.2f})")), "",
                  "Two-sided Mann-Whitney U p-values against `diffevo`: entropy (fitness).", "",
                  _markdown_table("method", problems, grid(
                      lambda s: f"{_format_p(s['p_value_entropy'])} "
                                f"({_format_p(s['p_value_fitness'])})"))]
    else:
        parts += [f"Each cell: median best value (minimised; optimum + {STANDARD_TOLERANCE:g} "
                  "is the target).", "",
                  _markdown_table("method", problems, grid(lambda s: f"{s['best_median']:.3g}")),
                  "",
                  "Median evaluations to the target [runs that reached it / runs].", "",
                  _markdown_table("method", problems, grid(
                      lambda s: f"{s['evaluations_median']:.4g} [{s['reached']}/{s['n']}]")),
                  "",
                  "Two-sided Mann-Whitney U p-values of the best value against `diffevo`.", "",
                  _markdown_table("method", problems, grid(
                      lambda s: _format_p(s["p_value_best"])))]
    return "\n".join(parts) + "\n"


#: Seeds whose traces ``write_results`` keeps in ``traces.npz``.
TRACES_SAVED = 3


def write_results(result, out_dir, suite):
    """Write a :class:`BenchResult` as CSV, JSON and a markdown summary.

    Parameters
    ----------
    result : BenchResult
    out_dir : str or path-like
        Created if needed.
    suite : str
        The suite the rows come from (it decides the summary's layout).

    Returns
    -------
    dict
        File name -> path (str): ``'results.csv'``, ``'results.json'``,
        ``'summary.md'``, and ``'traces.npz'`` when the result holds traces.

        - ``results.csv``: the rows, columns :data:`ROW_KEYS`;
        - ``results.json``: ``{"metadata": {suite, runs, versions}, "rows",
          "aggregate"}`` (:func:`aggregate`), with NaN written as ``null``
          and infinities as the strings ``"inf"`` / ``"-inf"``;
        - ``summary.md``: a table with a row per method and a column per
          problem; paper suite cells ``"entropy (fitness)"`` (means, two
          decimals), standard suites the median best value and the median
          evaluations to the target; then the p-values against ``diffevo``;
        - ``traces.npz``: arrays named ``<method>/<problem>/<seed>/<key>``, for
          the first :data:`TRACES_SAVED` seeds only.
    """
    suite = _check_suite(suite)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rows = list(result.rows)
    stats = aggregate(rows)
    runs = result.runs if result.runs is not None else max((s["n"] for s in stats), default=0)
    paths = {name: out / name for name in ("results.csv", "results.json", "summary.md")}
    with open(paths["results.csv"], "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=ROW_KEYS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    document = {"metadata": {"suite": suite, "runs": runs, "versions": _versions()},
                "rows": rows, "aggregate": stats}
    with open(paths["results.json"], "w") as handle:
        json.dump(_json_safe(document), handle, indent=1)
    paths["summary.md"].write_text(_summary(stats, suite, runs))
    if result.traces:
        arrays = {}
        for (method, problem), traces in result.traces.items():
            # The first seeds suffice to redraw the figures; all seeds would be hundreds of MB.
            for seed, trace in enumerate(traces[:TRACES_SAVED]):
                for key, value in trace.items():
                    if value is not None:
                        arrays[f"{method}/{problem}/{seed}/{key}"] = value
        paths["traces.npz"] = out / "traces.npz"
        np.savez_compressed(paths["traces.npz"], **arrays)
    return {key: str(path) for key, path in paths.items()}
