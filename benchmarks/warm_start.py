"""Warm starts: a run started from the best points of a previous run, against a cold run.

For each problem and method, a first run (seed s, budget ``FIRST_BUDGET`` = 500)
records every point it evaluates; a second run with seed s + 1 then starts
either cold or from the 32 best of those points
(``minimize(initial_population=..., initial_values=...)``).  For the
converging methods (the default ``'diffevo-restarts'`` and CMA-ES with IPOP
restarts) the table gives the median number of new evaluations to reach
``f - f* <= 1e-8``; for the paper's Diffusion Evolution (fixed 512 x 50
generations) the median best value at the end.  The priors' own evaluations
are not counted (they were paid by the first run).

Seeds 100-104 (the tests use seeds 0-1).  Run::

    OPENBLAS_NUM_THREADS=1 python benchmarks/warm_start.py --markdown docs/integration_tables \\
        --figure docs/figures/warm_start.png
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from markdown_fragment import load_average, markdown_table, run_line, script_command, write_fragment

from evodiff import minimize, problems

SCRIPT = "benchmarks/warm_start.py"
SEEDS = tuple(range(100, 105))
FIRST_BUDGET = 500
PRIORS = 32
PROBLEMS = (("rosenbrock", 5), ("ellipsoid", 10), ("rastrigin", 5))
CONVERGING = {"diffevo-restarts": {}, "cmaes": {"restarts": 9}}


def _recorded(problem):
    seen = []

    def objective(X):
        values = problem(X)
        seen.append((np.array(X, dtype=float), np.array(values, dtype=float)))
        return values
    return objective, seen


def priors(problem, method, seed):
    objective, seen = _recorded(problem)
    options = {"maxfevals": FIRST_BUDGET} if method != "diffevo" else None
    minimize(objective, bounds=problem.bounds, vectorized=True, method=method, rng=seed,
             options=options, **({"popsize": 64, "maxiter": FIRST_BUDGET // 64}
                                 if method == "diffevo" else {}))
    X = np.concatenate([x for x, _ in seen])
    F = np.concatenate([f for _, f in seen])
    best = np.argsort(F, kind="stable")[:PRIORS]
    return X[best], F[best]


def second_run(problem, method, seed, prior):
    extra = {} if prior is None else {"initial_population": prior[0], "initial_values": prior[1]}
    if method == "diffevo":
        res = minimize(problem, bounds=problem.bounds, vectorized=True, method=method,
                       rng=seed + 1, **extra)
        return res.fun - problem.optimum_value
    options = {"maxfevals": 100_000 * problem.dim // 10,
               "ftarget": problem.optimum_value + 1e-8, **CONVERGING[method]}
    res = minimize(problem, bounds=problem.bounds, vectorized=True, method=method, rng=seed + 1,
                   options=options, **extra)
    return res.nfev if res.fun - problem.optimum_value <= 1e-8 else np.inf


def plot(rows, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [f"{r[0]}\n{r[1]}" for r in rows]
    cold = [r[2] for r in rows]
    warm = [r[3] for r in rows]
    figure, axis = plt.subplots(figsize=(1.3 * len(rows) + 2, 3.6))
    x = np.arange(len(rows))
    axis.bar(x - 0.2, cold, 0.4, label="cold start")
    axis.bar(x + 0.2, warm, 0.4, label="warm start (32 best points of a previous run)")
    axis.set_xticks(x, labels, fontsize=7)
    axis.set_yscale("log")
    axis.set_ylabel("new evaluations to 1e-8\n(diffevo: final f - f*)")
    axis.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=list(SEEDS))
    parser.add_argument("--markdown", metavar="DIR", help="write DIR/warm_start.md.inc")
    parser.add_argument("--figure", metavar="PNG")
    args = parser.parse_args(argv)
    start_load, started = load_average(), time.localtime()
    rows = []
    for name, dim in PROBLEMS:
        problem = problems.get_problem(name, dim=dim)
        for method in (*CONVERGING, "diffevo"):
            cold, warm = [], []
            for seed in args.seeds:
                prior = priors(problem, method, seed)
                cold.append(second_run(problem, method, seed, None))
                warm.append(second_run(problem, method, seed, prior))
            rows.append([f"{name}-{dim}", method, float(np.median(cold)),
                         float(np.median(warm))])
            print(rows[-1], flush=True)
    cells = [[r[0], r[1], f"{r[2]:.4g}", f"{r[3]:.4g}"] for r in rows]
    table = markdown_table(["problem", "method", "cold start", "warm start"], cells, "llrr")
    if args.figure:
        plot(rows, args.figure)
    if args.markdown:
        note = (f"seeds {', '.join(map(str, args.seeds))}; converging methods: median new "
                "evaluations to f - f* <= 1e-8 (inf: not reached); diffevo: median final f - f*")
        write_fragment(args.markdown, "warm_start", [run_line(start_load, note, started), table],
                       command=script_command(SCRIPT, argv))
    else:
        print(table)


if __name__ == "__main__":
    main()
