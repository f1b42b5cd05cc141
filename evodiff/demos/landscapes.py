"""Diffusion Evolution beside CMA-ES, OpenES and PEPG on a 2-D landscape, with figures.

The comparison behind ``evodiff demo himmelblau|rastrigin``: every method gets
the same number of evaluations (Diffusion Evolution's population times its
generations), the first 64 individuals of each generation are tracked for the
landscape figure, and the final answer points (Diffusion Evolution's x0
estimates, the others' final mean) are compared with the problem's known
optima.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..optimize import METHODS

__all__ = ["MethodRun", "compare", "save_figures", "COMPARED_METHODS"]

COMPARED_METHODS = ("diffevo", "cmaes", "openes", "pepg")

#: Population of OpenES and PEPG in the comparison (their generations fill the budget).
STRATEGY_POPSIZE = 64


@dataclass
class MethodRun:
    """One method's run on one problem."""

    method: str
    best: float
    evaluations: int
    optima_found: int
    seconds: float
    message: str
    trace: dict = field(default_factory=dict)


def _build(method, problem, popsize, generations, seed):
    budget = popsize * generations
    common = dict(bounds=problem.bounds, sense=problem.sense, rng=seed, dtype="float64",
                  backend="numpy")
    if method == "diffevo":
        return METHODS[method](popsize=popsize, maxiter=generations, **common)
    if method == "cmaes":
        opt = METHODS[method](popsize=None, maxiter=None, maxfevals=budget, **common)
        return opt
    return METHODS[method](popsize=STRATEGY_POPSIZE, maxiter=budget // STRATEGY_POPSIZE, **common)


def run_method(problem, method, popsize=512, generations=50, seed=0, found_radius=0.1):
    """Run one method by ask/tell on ``problem``, tracking 64 individuals.

    Returns
    -------
    MethodRun
        ``trace`` holds ``best`` and ``median`` per generation, ``positions``
        (G, 64, 2) and ``final`` (the answer points, at most 64).
    """
    opt = _build(method, problem, popsize, generations, seed)
    sign = 1.0 if problem.sense == "min" else -1.0
    best, median, positions = [], [], []
    start = time.perf_counter()
    message = None
    while not opt.done:
        X = np.asarray(opt.ask())
        values = np.asarray(problem(X), dtype=np.float64)
        opt.tell(values)
        positions.append(X[:64].copy())
        best.append(sign * np.min(sign * values))
        median.append(float(np.median(values)))
        message = opt.stop_reason()
        if message is not None:
            break
    seconds = time.perf_counter() - start
    final = opt.candidates()
    final = final[:64] if final is not None else opt.best_x[None, :]
    found = int(np.sum(problem.distance_to_optima(final) < found_radius))
    width = max(p.shape[0] for p in positions)
    tracked = np.full((len(positions), width, 2), np.nan)
    for g, p in enumerate(positions):
        tracked[g, :p.shape[0]] = p
    if width < 64:
        tracked = np.concatenate([tracked, np.repeat(tracked[:, -1:], 64 - width, axis=1)], axis=1)
    trace = {"best": np.array(best), "median": np.array(median), "positions": tracked,
             "final": final}
    return MethodRun(method, opt.best_fun, opt.nfev, found, seconds,
                     message or opt.finish_message(), trace)


def compare(problem, methods=COMPARED_METHODS, popsize=512, generations=50, seed=0):
    """Run every method on ``problem`` at Diffusion Evolution's budget; ``{method: MethodRun}``."""
    return {m: run_method(problem, m, popsize, generations, seed) for m in methods}


def summary(problem, runs):
    """A plain-text table of a comparison."""
    lines = [f"  {'method':<8} {'best value':>12} {'evaluations':>11} "
             f"{'optima found':>12} {'time s':>7}  stop"]
    total = problem.optima.shape[0]
    for run in runs.values():
        lines.append(f"  {run.method:<8} {run.best:>12.4e} {run.evaluations:>11} "
                     f"{f'{run.optima_found} of {total}':>12} {run.seconds:>7.2f}  {run.message}")
    lines.append("  optima found: known global optima within 0.1 of the final answer points "
                 "(x0 estimates for diffevo, the final mean for the others)")
    return "\n".join(lines)


def save_figures(problem, runs, out):
    """Landscape grid and convergence figure of one comparison; returns the paths."""
    from .. import plotting

    out = Path(out)
    traces = {(m, problem.name): run.trace for m, run in runs.items()}
    grid = plotting.landscape_grid([problem], list(runs), traces,
                                   out / f"{problem.name}_landscape.png")
    curves = plotting.convergence({key: [trace] for key, trace in traces.items()},
                                  out / f"{problem.name}_convergence.png")
    return [grid, curves]
