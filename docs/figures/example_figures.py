"""Make the example figures of :mod:`evodiff.plotting` from a small real run.

Diffusion Evolution and CMA-ES on Himmelblau and 2-D Rastrigin, population
256, 25 generations, 5 seeds each.  The first 64 individuals of every
generation are tracked for the trajectories.  The entropy and normalised
fitness of the scatter are computed here only for illustration (a 20 x 20
histogram of the final points over the box, and ``(f_worst - f) / (f_worst -
f_opt)`` with ``f_worst`` the largest value on a grid); the benchmark harness
has its own definitions.

Run from the repository root::

    python docs/figures/example_figures.py
"""

from pathlib import Path

import numpy as np

from evodiff import CMAES, DiffusionEvolution
from evodiff.plotting import (
    convergence,
    entropy_fitness_scatter,
    landscape_grid,
    population_gif,
)
from evodiff.problems import himmelblau, rastrigin

OUT = Path(__file__).resolve().parent
POPSIZE, GENERATIONS, TRACKED, SEEDS = 256, 25, 64, 5


def make_optimizer(method, problem, seed):
    bounds = problem.bounds
    if method == "diffevo":
        return DiffusionEvolution(popsize=POPSIZE, steps=GENERATIONS, bounds=bounds, rng=seed)
    return CMAES(popsize=POPSIZE, maxiter=GENERATIONS, bounds=bounds, rng=seed)


def run(method, problem, seed):
    """One run; returns a trace dict in the harness's format."""
    opt = make_optimizer(method, problem, seed)
    best, median, positions = [], [], []
    while not opt.done and opt.stop_reason() is None and opt.nit < GENERATIONS:
        X = opt.ask()
        values = problem(X)
        positions.append(np.array(X[:TRACKED]))
        best.append(float(np.min(values)))
        median.append(float(np.median(values)))
        opt.tell(values)
    if method == "diffevo":
        final = np.asarray(opt.estimates)[:TRACKED]
    else:
        final = positions[-1]
    return {"best": np.array(best), "median": np.array(median),
            "positions": np.stack(positions), "final": final}


def entropy_bits(points, problem, bins=20):
    counts, _, _ = np.histogram2d(points[:, 0], points[:, 1], bins=bins,
                                  range=[problem.bounds[0], problem.bounds[1]])
    p = counts.ravel() / counts.sum()
    p = p[p > 0]
    return float(-(p * np.log2(p)).sum())


def normalised_fitness(points, problem):
    grid = np.stack(np.meshgrid(*[np.linspace(lo, hi, 200) for lo, hi in problem.bounds]), -1)
    worst = float(problem(grid.reshape(-1, 2)).max())
    return float(np.mean((worst - problem(points)) / (worst - problem.optimum_value)))


def main():
    problems = [himmelblau(), rastrigin(2)]
    methods = ["diffevo", "cmaes"]
    traces, rows = {}, []
    for problem in problems:
        for method in methods:
            runs = [run(method, problem, seed) for seed in range(SEEDS)]
            traces[(method, problem.name)] = runs
            for trace in runs:
                rows.append({"method": method, "problem": problem.name,
                             "entropy": entropy_bits(trace["final"], problem),
                             "fitness": normalised_fitness(trace["final"], problem)})
    landscape_grid(problems, methods, traces, OUT / "example_landscape_grid.png")
    convergence(traces, OUT / "example_convergence.png")
    entropy_fitness_scatter(rows, OUT / "example_entropy_fitness.png")
    return traces, problems


if __name__ == "__main__":
    traces, problems = main()
    if "--gif" in __import__("sys").argv:
        trace = traces[("diffevo", "himmelblau")][0]
        population_gif(problems[0], trace["positions"], OUT / "example_population.gif",
                       final=trace["final"])
