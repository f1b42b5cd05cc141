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

from ..backend import to_numpy
from ..driver import run
from ..registry import get_method, make_optimizer

__all__ = ["MethodRun", "compare", "save_figures", "COMPARED_METHODS"]

COMPARED_METHODS = ("diffevo", "cmaes", "openes", "pepg")

#: Population of OpenES and PEPG in the comparison (their generations fill the budget).
STRATEGY_POPSIZE = 64
#: Individuals tracked per generation for the landscape figure.
TRACKED = 64


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
    """The optimiser of ``method`` at Diffusion Evolution's budget ``popsize * generations``."""
    budget = popsize * generations
    common = dict(bounds=problem.bounds, sense=problem.sense, rng=seed)
    if method == "diffevo":
        return make_optimizer(method, popsize=popsize, maxiter=generations, **common)
    spec = get_method(method)
    settings = spec.budget_settings(budget, STRATEGY_POPSIZE)
    settings.pop("restarts", None)  # the figure shows one run of each method
    return make_optimizer(method, **settings, **common)


def _tracked(positions, count=TRACKED):
    """(G, count, 2) positions of the first ``count`` individuals, padded by repeating the last."""
    width = max(p.shape[0] for p in positions)
    tracked = np.full((len(positions), width, 2), np.nan)
    for g, p in enumerate(positions):
        tracked[g, :p.shape[0]] = p
    if width < count:
        tracked = np.concatenate(
            [tracked, np.repeat(tracked[:, -1:], count - width, axis=1)], axis=1)
    return tracked


def run_method(problem, method, popsize=512, generations=50, seed=0, found_radius=0.1):
    """Run one method on ``problem`` through :func:`evodiff.driver.run`, tracking 64 individuals.

    Returns
    -------
    MethodRun
        ``trace`` holds ``best`` and ``median`` per generation, ``positions``
        (G, 64, 2) and ``final`` (the answer points, at most 64).
    """
    opt = _build(method, problem, popsize, generations, seed)
    positions = []

    def track(generation):
        positions.append(np.array(to_numpy(generation.points[:TRACKED]), dtype=np.float64))

    start = time.perf_counter()
    history = run(opt, lambda X: np.asarray(problem(X), dtype=np.float64), on_generation=track)
    seconds = time.perf_counter() - start
    final = opt.candidates()
    final = final[:TRACKED] if final is not None else opt.best_x[None, :]
    found = int(np.sum(problem.distance_to_optima(final) < found_radius))
    trace = {"best": np.array(history.best), "median": np.array(history.median),
             "positions": _tracked(positions), "final": final}
    return MethodRun(method, opt.best_fun, opt.nfev, found, seconds,
                     history.message or opt.finish_message(), trace)


def compare(problem, methods=COMPARED_METHODS, popsize=512, generations=50, seed=0):
    """Run every method on ``problem`` at Diffusion Evolution's budget; ``{method: MethodRun}``."""
    return {m: run_method(problem, m, popsize, generations, seed) for m in methods}


def summary(problem, runs):
    """A plain-text table of a comparison."""
    lines = [f"  {'method':<8} {'best value':>12} {'evaluations':>11} "
             f"{'near answers':>12} {'time s':>7}  stop"]
    total = problem.optima.shape[0]
    for result in runs.values():
        lines.append(f"  {result.method:<8} {result.best:>12.4e} {result.evaluations:>11} "
                     f"{f'{result.optima_found} of {total}':>12} {result.seconds:>7.2f}  "
                     f"{result.message}")
    lines.append("  near answers: known global optima within 0.1 of the raw final answer points "
                 "(x0 estimates for diffevo, the final mean for the others), without the "
                 "clustering and polishing that give the modes above")
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
