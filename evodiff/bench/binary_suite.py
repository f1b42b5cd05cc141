"""``evodiff bench --suite binary``: the binary solvers on instances with known ground states.

Every method of the registry whose domain is binary runs through the front
door (:func:`evodiff.minimize` / :func:`evodiff.maximize`) on each instance,
sized by its registry entry's ``budget_settings`` at
:data:`BUDGET_PER_VARIABLE` evaluations per variable, so a binary solver
registered with :func:`~evodiff.registry.register_method` is benchmarked
like the built-in ones.  The instances have a known optimum: Wishart planted
Ising problems (Hamze et al. 2020; ground state planted by construction, hard
for annealing at small ``m / n``) and a small Max-Cut graph whose maximum cut
is found by enumerating every partition.  A run is solved when its best value
equals the optimum (relative tolerance 1e-9).
"""

from __future__ import annotations

import csv
import math
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..randomness import named_seed
from ..registry import METHODS, get_method
from ..validation import check_int
from .suite_entry import Suite

__all__ = ["BINARY_INSTANCES", "BINARY_SUITE", "BUDGET_PER_VARIABLE", "binary_instance",
           "run_binary_one", "run_binary_suite", "write_binary_results", "binary_command"]

#: Evaluations per variable that every method gets (one evaluation: one state valued).
BUDGET_PER_VARIABLE = 1000

#: Population the budget is spread over (a method whose entry keeps its own ignores it).
BINARY_POPSIZE = 32

#: Keys of a row of the binary suite.
BINARY_ROW_KEYS = ("method", "problem", "seed", "best", "optimum", "gap", "solved",
                   "evaluations", "seconds")

#: A run is solved when its best value is within this relative distance of the optimum.
SOLVED_TOLERANCE = 1e-9


@dataclass(frozen=True)
class BinaryInstance:
    """One problem of the binary suite with its known optimum."""

    name: str
    problem: object
    optimum: float
    sense: str

    @property
    def n(self):
        return self.problem.n


def _wishart(n, m, seed):
    from ..binary.generators import wishart_planted

    problem, _, energy = wishart_planted(n, m, rng=seed)
    return problem, energy, "min"


def _enumerated_maxcut(n, density, seed):
    """A G(n, p) graph and its maximum cut, by enumerating the partitions (vertex 0 fixed)."""
    from ..binary.generators import random_graph

    problem = random_graph(n, density, seed)
    best = -math.inf
    chunk = 1 << 14
    for start in range(0, 1 << (n - 1), chunk):
        codes = np.arange(start, min(start + chunk, 1 << (n - 1)))
        bits = (codes[:, None] >> np.arange(n - 1)) & 1
        spins = np.concatenate([np.ones((codes.size, 1)), 2.0 * bits - 1.0], axis=1)
        best = max(best, float(np.max(problem(spins))))
    return problem, best, "max"


#: The suite's problems: name -> ``factory() -> (problem, optimum, sense)``, fixed seeds.
BINARY_INSTANCES = {
    "wishart-32": lambda: _wishart(32, 8, 1),
    "wishart-64": lambda: _wishart(64, 16, 2),
    "maxcut-18": lambda: _enumerated_maxcut(18, 0.5, 3),
}


def binary_instance(name):
    """The :class:`BinaryInstance` called ``name`` (see :data:`BINARY_INSTANCES`)."""
    if name not in BINARY_INSTANCES:
        raise ValueError(f"problem {name!r} is not in suite 'binary'; valid problems: "
                         f"{', '.join(BINARY_INSTANCES)}")
    problem, optimum, sense = BINARY_INSTANCES[name]()
    return BinaryInstance(name, problem, optimum, sense)


def _check_binary_method(name):
    spec = get_method(name)
    if spec.domain != "binary":
        raise ValueError(f"method {spec.name!r} searches continuous boxes; the binary suite "
                         "runs the binary methods of the registry")
    return spec


def run_binary_one(method, instance, seed):
    """One run of ``method`` on ``instance`` with seed ``seed``; returns a row.

    Returns
    -------
    dict
        Keys :data:`BINARY_ROW_KEYS`; ``gap`` is the distance to the optimum
        relative to its magnitude (0 when solved).
    """
    from ..optimize import maximize, minimize

    spec = _check_binary_method(method)
    seed = check_int("seed", seed, minimum=0)
    settings = dict(spec.budget_settings(BUDGET_PER_VARIABLE * instance.n, BINARY_POPSIZE))
    popsize, maxiter = settings.pop("popsize", None), settings.pop("maxiter", None)
    front = minimize if instance.sense == "min" else maximize
    start = time.perf_counter()
    res = front(instance.problem, method=spec.name, popsize=popsize, maxiter=maxiter,
                rng=np.random.default_rng(named_seed(seed, spec.name, instance.name)),
                options=settings or None)
    gap = abs(res.fun - instance.optimum) / max(abs(instance.optimum), 1e-300)
    solved = gap <= SOLVED_TOLERANCE
    return {"method": spec.name, "problem": instance.name, "seed": seed, "best": float(res.fun),
            "optimum": instance.optimum, "gap": 0.0 if solved else float(gap),
            "solved": bool(solved), "evaluations": int(res.nfev),
            "seconds": time.perf_counter() - start}


def run_binary_suite(methods=None, problems=None, runs=10, first_seed=0, progress=False):
    """Run every method on every instance with seeds ``first_seed .. first_seed + runs - 1``.

    Parameters
    ----------
    methods : list of str, optional
        Binary methods of the registry (default: all of them).
    problems : list of str, optional
        Names of :data:`BINARY_INSTANCES` (default: all).
    runs : int, default 10
    first_seed : int, default 0
    progress : bool, default False
        A progress bar over the runs.

    Returns
    -------
    list of dict
        One row per run (:func:`run_binary_one`).
    """
    from tqdm.auto import tqdm

    methods = [name for name, spec in METHODS.items() if spec.domain == "binary"] \
        if methods is None else [_check_binary_method(name).name for name in methods]
    instances = [binary_instance(name) for name in (problems or BINARY_INSTANCES)]
    runs = check_int("runs", runs, minimum=1)
    first_seed = check_int("first_seed", first_seed, minimum=0)
    tasks = [(method, instance, seed) for instance in instances for method in methods
             for seed in range(first_seed, first_seed + runs)]
    return [run_binary_one(*task) for task in tqdm(tasks, disable=not progress,
                                                    desc="evodiff bench binary", unit="run")]


def _summary(rows):
    """Markdown: per problem and method, the share solved, the mean gap and evaluations."""
    lines = ["| problem | method | solved | mean gap | evaluations |", "|---|---|---|---|---|"]
    keys = sorted({(row["problem"], row["method"]) for row in rows},
                  key=lambda key: (list(BINARY_INSTANCES).index(key[0]),
                                   list(METHODS).index(key[1])))
    for problem, method in keys:
        group = [row for row in rows if (row["problem"], row["method"]) == (problem, method)]
        solved = sum(row["solved"] for row in group)
        gap = float(np.mean([row["gap"] for row in group]))
        lines.append(f"| {problem} | {METHODS[method].label} | {solved}/{len(group)} | "
                     f"{gap:.2e} | {group[0]['evaluations']} |")
    return "\n".join(lines) + "\n"


def _figure(rows, path):
    from ..plotting.style import method_styles, new_figure, save_figure

    problems = [name for name in BINARY_INSTANCES if any(r["problem"] == name for r in rows)]
    methods = [name for name in METHODS if any(r["method"] == name for r in rows)]
    styles = method_styles(methods)
    figure = new_figure((6, 3.5))
    axis = figure.add_subplot()
    width = 0.8 / max(len(methods), 1)
    for k, method in enumerate(methods):
        shares = []
        for problem in problems:
            group = [r["solved"] for r in rows if (r["problem"], r["method"]) == (problem, method)]
            shares.append(np.mean(group) if group else np.nan)
        axis.bar(np.arange(len(problems)) + k * width, shares, width,
                 color=styles[method][0], label=METHODS[method].label)
    axis.set_xticks(np.arange(len(problems)) + width * (len(methods) - 1) / 2, problems)
    axis.set_ylabel("share of runs solved")
    axis.set_ylim(0, 1.05)
    axis.legend()
    save_figure(figure, path, dpi=120)


def write_binary_results(rows, out, figures=True):
    """Write ``runs.csv``, ``summary.md`` (and ``solved.png``) into ``out``; return the paths."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"runs.csv": out / "runs.csv", "summary.md": out / "summary.md"}
    with open(paths["runs.csv"], "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=BINARY_ROW_KEYS)
        writer.writeheader()
        writer.writerows(rows)
    paths["summary.md"].write_text(_summary(rows))
    if figures:
        paths["solved.png"] = out / "solved.png"
        _figure(rows, paths["solved.png"])
    return paths


def binary_command(args):
    """Run ``evodiff bench --suite binary``: the rows, the summary and the figure."""
    runs = 10 if args.runs is None else args.runs
    start = time.perf_counter()
    rows = run_binary_suite(args.methods, args.problems, runs=runs, first_seed=args.seed or 0,
                            progress=not args.no_progress)
    paths = write_binary_results(rows, args.out, figures=not args.no_figures)
    print(paths["summary.md"].read_text())
    print(f"{len(rows)} runs in {time.perf_counter() - start:.1f} s; wrote:")
    for path in paths.values():
        print(f"  {path}")
    return 0


def _binary_methods(spec):
    return spec.domain == "binary"


#: The entry of :data:`evodiff.bench.suites.SUITES`.
BINARY_SUITE = Suite(
    "binary", "the binary solvers of the registry on instances with known optima (Wishart "
              "planted Ising, an enumerated Max-Cut): share solved, gap, evaluations",
    binary_command, accepts=("methods", "problems", "runs", "seed", "no_figures"),
    runs_method=_binary_methods)
