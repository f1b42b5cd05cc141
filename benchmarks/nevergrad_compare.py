"""Diffusion Evolution in nevergrad's loop against nevergrad's own optimizers.

Every optimizer is taken from ``nevergrad.optimizers.registry`` (evodiff's
after ``import evodiff.integrations.nevergrad``) and run by nevergrad's
``optimizer.minimize`` on the same problems:

- the shifted sphere, Rastrigin and Rosenbrock functions in 3 dimensions
  with a budget of 1,000 evaluations and in 10 dimensions with 5,000;
- parametrization ``ng.p.Array(shape=(D,))`` (unbounded, initial value 0,
  sigma 1), one worker;
- the optimum shifted by a vector drawn uniformly from ``[-1.5, 1.5]^D``,
  one per seed, the same for every optimizer;
- each seed also seeds the parametrization's random state.

The table gives, per problem and optimizer, the median over the seeds of
the objective at nevergrad's recommendation (0 is the optimum) and the
median time of a run.  An optimizer that raises is counted as failed for
that run.  The default seeds 1000-1004 are not those with which the
adapter's defaults were chosen (100-107) or those of its tests (0-29).

Run with ``OPENBLAS_NUM_THREADS=1`` (a few minutes)::

    OPENBLAS_NUM_THREADS=1 python benchmarks/nevergrad_compare.py --markdown docs/integration_tables \\
        --figure docs/figures/integrations/nevergrad_compare.png

``--quick`` runs two seeds of the 3-dimensional problems only.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
from markdown_fragment import load_average, markdown_table, run_line, script_command, write_fragment

SCRIPT = "benchmarks/nevergrad_compare.py"
OPTIMIZERS = ("DiffusionEvolutionRestarts", "DiffusionEvolution", "EvodiffCMAES", "NGOpt", "CMA",
              "TwoPointsDE", "RandomSearch")
PROBLEMS = ((3, 1000), (10, 5000))  # (dimension, budget)
SEEDS = tuple(range(1000, 1005))


def sphere(z):
    return float(np.sum(z * z))


def rastrigin(z):
    return float(10.0 * z.size + np.sum(z * z - 10.0 * np.cos(2.0 * np.pi * z)))


def rosenbrock(z):
    x = z + 1.0  # the minimum of the unshifted function is at 1
    return float(np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2))


FUNCTIONS = {"sphere": sphere, "rastrigin": rastrigin, "rosenbrock": rosenbrock}


def one_run(ng, name, function, dim, budget, seed):
    """Objective at the recommendation and seconds of one run (NaN if it failed)."""
    shift = np.random.default_rng(seed).uniform(-1.5, 1.5, dim)

    def objective(x):
        return function(np.asarray(x, dtype=np.float64) - shift)

    parametrization = ng.p.Array(shape=(dim,))
    parametrization.random_state = np.random.RandomState(seed)
    start = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            optimizer = ng.optimizers.registry[name](parametrization=parametrization, budget=budget)
            recommendation = optimizer.minimize(objective)
    except Exception as exc:  # a peer's failure is a result, not a crash of the benchmark
        print(f"  {name} failed on seed {seed}: {type(exc).__name__}: {exc}")
        return float("nan"), time.perf_counter() - start
    return objective(recommendation.value), time.perf_counter() - start


def plot(medians, path):
    """One group of bars per problem: the median objective at the recommendation (log)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    problems = list(medians)
    figure, axis = plt.subplots(figsize=(max(6, 1.4 * len(problems)) + 2.0, 3.6))
    width = 0.8 / len(OPTIMIZERS)
    for k, name in enumerate(OPTIMIZERS):
        heights = [max(medians[p].get(name, np.nan), 1e-12) for p in problems]
        axis.bar(np.arange(len(problems)) + k * width, heights, width, label=name)
    axis.set_xticks(np.arange(len(problems)) + width * (len(OPTIMIZERS) - 1) / 2, problems,
                    fontsize=8)
    axis.set_yscale("log")
    axis.set_ylabel("median f at the recommendation\n(floored at 1e-12)")
    axis.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="two seeds, 3-D problems only")
    parser.add_argument("--seeds", type=int, nargs="+", default=list(SEEDS))
    parser.add_argument("--markdown", metavar="DIR",
                        help="write the table as DIR/nevergrad.md.inc")
    parser.add_argument("--figure", metavar="PNG", help="write the medians as a bar chart")
    args = parser.parse_args(argv)
    import nevergrad as ng

    import evodiff.integrations.nevergrad  # noqa: F401  (registers evodiff's optimizers)

    seeds = args.seeds[:2] if args.quick else args.seeds
    problems = PROBLEMS[:1] if args.quick else PROBLEMS
    start_load, started = load_average(), time.localtime()
    rows, medians = [], {}
    for dim, budget in problems:
        for fname, function in FUNCTIONS.items():
            for name in OPTIMIZERS:
                results = [one_run(ng, name, function, dim, budget, seed) for seed in seeds]
                values = np.array([value for value, _ in results])
                failed = int(np.isnan(values).sum())
                median = np.median(values[~np.isnan(values)]) if failed < len(values) else np.nan
                seconds = np.median([s for _, s in results])
                medians.setdefault(f"{fname} {dim}-D", {})[name] = median
                cell = f"{median:.3g}" + (f" ({failed} failed)" if failed else "")
                rows.append([f"{fname} {dim}-D", budget, name, cell, f"{seconds:.2f}"])
                print(" | ".join(str(c) for c in rows[-1]), flush=True)
    table = markdown_table(["problem", "budget", "optimizer", "median f at recommendation",
                            "median s/run"], rows, "lrlrr")
    if args.figure:
        plot(medians, args.figure)
    if args.markdown:
        note = (f"nevergrad {ng.__version__}, seeds {', '.join(map(str, seeds))}"
                + ("; quick run" if args.quick else ""))
        write_fragment(args.markdown, "nevergrad",
                       [run_line(start_load, note, started), table],
                       command=script_command(SCRIPT, argv))
    else:
        print(table)


if __name__ == "__main__":
    main()
