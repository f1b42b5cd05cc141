"""Running benchmarks: one run (:func:`run_one`) and many (:func:`run_suite`).

Rows
----
:func:`run_one` returns one row per run with the keys :data:`ROW_KEYS`:

- ``evaluations``: objective evaluations made by the method (paper suite),
  or the evaluations after which the best value first came within the
  tolerance of the optimum, ``inf`` if it never did (standard suites);
- ``best``: best objective value the method evaluated (in the problem's
  sense: the largest for the maximised paper problems; Diffusion
  Evolution's scoring evaluations excluded);
- ``entropy``: entropy in bits, on a 0.1 grid
  (:func:`~evodiff.metrics.top_k_entropy`), of the final *population* at the
  indices of the top 64 by fitness, as the paper's scripts compute it;
- ``entropy_x0``: entropy of the top 64 final x0 estimates themselves (both
  Diffusion Evolution variants; NaN for the other methods), an extra
  column: weighted averages, they are less spread than the population;
- ``fitness``: mean normalised fitness of the ranked top 64 (paper suite;
  NaN for the standard suites, which define no scale);
- ``optima_found``: known optima with one of the ranked points within 0.2;
- ``seconds``: wall time of the run, scoring included.

The ranking follows the scripts: plain Diffusion Evolution is ranked by
the fitness of its final x0 estimates (so ``fitness`` and ``optima_found``
are those of the estimates, and ``entropy`` that of the individuals
behind them); latent Diffusion Evolution and every other method by the
fitness of the final population; MAP-Elites by the fitness of its
archive (its elites are its final population).  The estimates'
evaluations are not counted in ``evaluations``.

Seeds
-----
A run is fixed by ``(seed, method, problem)``: the optimiser's generator is
seeded with ``SeedSequence([seed, crc32(method), crc32(problem)])`` and the
problem's shift and rotation with ``SeedSequence([seed, crc32(problem)])``,
so a run gives the same row in any order, process or number of jobs.

Parallel runs
-------------
``jobs > 1`` starts fresh ("spawn") worker processes with one BLAS thread
each; scripts that call :func:`run_suite` so must guard their top level with
``if __name__ == "__main__":``.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from ..driver import run
from ..metrics import (
    distinct_corners_found,
    distinct_optima_found,
    evaluations_to_target,
    normalized_fitness,
    top_k_entropy,
    top_k_indices,
)
from ..randomness import named_seed
from ..registry import METHODS, get_method
from ..validation import check_int
from .suites import SUITES, check_suite, find_problem, problem_instance
from .workers import run_tasks

__all__ = ["BenchResult", "ROW_KEYS", "TOP_K", "run_one", "run_suite", "count_optima"]

#: Keys of a row, in the order of the columns of ``results.csv``.
ROW_KEYS = ("method", "problem", "dim", "seed", "evaluations", "best", "entropy", "entropy_x0",
            "fitness", "optima_found", "seconds")

#: Points scored per run: the top 64 of the final generation (Zhang et al. ICLR 2025,
#: Table 1 / Figure 3, and the authors' experiment scripts).
TOP_K = 64
#: Width of the entropy grid, 0.1 in problem units (ibid.).
ENTROPY_RESOLUTION = 0.1
#: A known optimum counts as found when a scored point lies within this distance.
OPTIMUM_RADIUS = 0.2


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


def count_optima(problem, points, radius=OPTIMUM_RADIUS):
    """Number of known global optima of ``problem`` with one of ``points`` within ``radius``."""
    if problem.corner is not None:
        return distinct_corners_found(points, problem.corner, radius)
    if problem.optima.shape[0] == 0:
        return 0
    return distinct_optima_found(points, problem.optima, radius)


def _first_rows(X, count):
    """The first ``count`` rows of ``X``, padded with NaN rows when it has fewer."""
    rows = np.full((count, X.shape[1]), np.nan)
    rows[:min(count, X.shape[0])] = X[:count]
    return rows


def _drive(opt, problem, transform, budget, keep_positions):
    """Run ``opt`` through :func:`evodiff.driver.run`; keep the last generation (and positions)."""
    last = {"X": None, "values": None, "positions": []}

    def record(generation):
        X = np.asarray(generation.points, dtype=np.float64)
        if keep_positions:
            last["positions"].append(_first_rows(X, TOP_K))
        last["X"], last["values"] = X, generation.values

    history = run(opt, lambda X: np.asarray(problem(np.asarray(X, dtype=np.float64)),
                                            dtype=np.float64),
                  budget=budget, transform=transform, on_generation=record, sense=problem.sense)
    return history, last


def _ranking(problem, values):
    """Indices of the top 64 of ``values`` (by normalised fitness where the problem has a
    scale), best first, and the mean normalised fitness of those (NaN without a scale)."""
    values = np.asarray(values, dtype=np.float64)
    if problem.scale is not None:
        g = normalized_fitness(values, problem.target, problem.scale, problem.max_distance)
        order = top_k_indices(g, TOP_K, sense="max")
        return order, float(np.mean(g[order]))
    return top_k_indices(values, TOP_K, sense=problem.sense), math.nan


def ranks_by_estimates(opt):
    """Whether a run is ranked by the fitness of its final x0 estimates (the paper's scripts:
    plain Diffusion Evolution only; the latent variant, like every other method, by its
    final population)."""
    return opt.estimates is not None and getattr(opt, "encoder", None) is None


def _score(opt, problem, last):
    """Score the final generation as the paper's scripts do.

    Returns the scored points (best first), the entropy of the final
    *population* at the indices of the top 64, their mean normalised
    fitness, the optima found, and the entropy of the top 64 x0 estimates
    themselves (NaN for a method without estimates).
    """
    population, population_values = last["X"], last["values"]
    archive = getattr(opt, "archive", None)
    if archive is not None:  # MAP-Elites: its answer is the archive of elites
        population, population_values = archive.points, archive.values
    entropy_x0 = math.nan
    ranked, ranked_values = population, population_values
    if opt.estimates is not None:
        estimates = np.asarray(opt.candidates(), dtype=np.float64)
        estimate_values = np.asarray(problem(estimates), dtype=np.float64)
        order, _ = _ranking(problem, estimate_values)
        entropy_x0 = top_k_entropy(estimates[order], TOP_K, ENTROPY_RESOLUTION)
        if ranks_by_estimates(opt):
            ranked, ranked_values = estimates, estimate_values
    order, fitness = _ranking(problem, ranked_values)
    entropy = top_k_entropy(population[order], TOP_K, ENTROPY_RESOLUTION)
    best_points = ranked[order]
    return best_points, entropy, fitness, count_optima(problem, best_points), entropy_x0


def run_one(suite, method, problem_name, seed, record_trace=False):
    """Run one method once on one problem of a suite and score it.

    Parameters
    ----------
    suite : {'paper', 'standard', 'standard-shifted'}
    method : str
        A registered method (:func:`evodiff.registry.method_names`).
    problem_name : str
        A problem of the suite (see :mod:`evodiff.bench`).
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
    suite = check_suite(suite, generic=True)
    method = get_method(method).name
    spec = find_problem(suite, problem_name)
    seed = check_int("seed", seed, minimum=0)
    start = time.perf_counter()
    problem = problem_instance(suite, spec.name, seed)
    generator = np.random.default_rng(named_seed(seed, method, spec.name))
    entry = SUITES[suite]
    opt, transform, budget = entry.optimizer(method, problem, generator)
    keep_positions = record_trace and problem.dim <= 2
    history, last = _drive(opt, problem, transform, budget, keep_positions)
    final, entropy, fitness, found, entropy_x0 = _score(opt, problem, last)
    best = np.array(history.best)
    if entry.total_evaluations:
        evaluations = int(opt.nfev)
    else:
        evaluations = evaluations_to_target(history.nfev, best, problem.target, problem.sense)
    row = {
        "method": method,
        "problem": spec.name,
        "dim": spec.dim,
        "seed": seed,
        "evaluations": evaluations,
        "best": float(best.min() if problem.sense == "min" else best.max()),
        "entropy": float(entropy),
        "entropy_x0": float(entropy_x0),
        "fitness": float(fitness),
        "optima_found": int(found),
        "seconds": time.perf_counter() - start,
    }
    if not record_trace:
        return row, None
    trace = {
        "best": best,
        "median": np.array(history.median),
        "positions": np.stack(last["positions"]) if keep_positions else None,
        "final": final,
    }
    return row, trace


# ---- many runs --------------------------------------------------------------------------

def _task(arguments):
    """One run in a worker process (module level, so it pickles)."""
    return run_one(*arguments)


def _unique(items):
    return list(dict.fromkeys(items))


def run_suite(suite, methods=None, problems=None, runs=10, jobs=1, progress=False,
              record_traces=False):
    """Run every method on every problem of a suite with seeds ``0 .. runs - 1``.

    Parameters
    ----------
    suite : {'paper', 'standard', 'standard-shifted'}
    methods : list of str, optional
        Registered methods; default: those the suite's
        :attr:`~evodiff.bench.suite_entry.Suite.runs_method` takes (decided by
        the registry entries' flags).  A method registered in this
        process is run in worker processes only if its registration happens
        on import there too (``jobs > 1`` spawns fresh processes).
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
    suite = check_suite(suite, generic=True)
    if methods is None:
        methods = [name for name, spec in METHODS.items() if SUITES[suite].runs_method(spec)]
    else:
        methods = _unique(get_method(m).name for m in methods)
    if problems is None:
        names = [p.name for p in SUITES[suite].problems]
    else:
        if isinstance(problems, str):
            problems = [problems]
        names = _unique(find_problem(suite, p).name for p in problems)
    runs = check_int("runs", runs, minimum=1)
    jobs = check_int("jobs", jobs, minimum=1)
    if not methods or not names:
        raise ValueError("methods and problems must not be empty")
    tasks = [(suite, m, p, s, record_traces) for p in names for m in methods for s in range(runs)]
    outcomes = run_tasks(_task, tasks, jobs, progress, desc=f"bench {suite}")
    outcomes.sort(key=lambda o: (o[0]["problem"], o[0]["method"], o[0]["seed"]))
    traces = {}
    if record_traces:
        for row, trace in outcomes:
            traces.setdefault((row["method"], row["problem"]), []).append(trace)
    return BenchResult(rows=[row for row, _ in outcomes], traces=traces, suite=suite, runs=runs)
