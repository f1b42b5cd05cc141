"""The COCO/BBOB suite as a benchmark: any registered method, and pycma as the reference.

Runs are those of a standard COCO experiment (Hansen et al., "COCO: a
platform for comparing continuous optimizers in a black-box setting", 2021):
every (function, dimension, instance) of the ``bbob`` suite of ``cocoex``
(package ``coco-experiment``, the ``[bbob]`` extra) is observed by a
``cocoex.Observer``, which writes the standard ``exdata`` folders that
``cocopp`` reads (see :mod:`evodiff.bench.bbob_report`).  A run spends at
most ``budget_multiplier * D`` evaluations, never more: the last generation
is shortened to what is left.  It ends early when the suite's final target
(``f - f_opt <= 1e-8``) is hit.  Within the budget a method is restarted
(with a new seed) whenever it finishes or a stopping rule fires; CMA-ES
restarts itself first (IPOP, population doubled each time).

Besides the names of :mod:`evodiff.registry`, the method ``'pycma'`` runs
the reference implementation ``cma`` with IPOP restarts: sigma0 = 2, the
first start at the suite's initial solution (the origin), later ones uniform
in [-4, 4]^D, popsize doubled per restart, pycma's default options
otherwise.

Every run's seed is fixed by the base seed and its (method, function,
dimension, instance), so results do not depend on the order of the runs,
the process or ``jobs``.

Examples
--------
>>> from evodiff.bench.bbob import run_bbob
>>> records = run_bbob(["cmaes"], "out", dimensions=[2], functions=[1],
...                    instances=[1], budget_multiplier=100)  # doctest: +SKIP
>>> records[0]["target_hit"]  # doctest: +SKIP
True
"""

from __future__ import annotations

import contextlib
import csv
import os
import shutil
import time
import warnings
from pathlib import Path

import numpy as np

from ..driver import run
from ..fitness import NonFiniteObjectiveWarning
from ..randomness import named_seed
from ..registry import get_method, method_label
from ..validation import check_int, check_real
from .suite_entry import Suite, deferred
from .workers import run_tasks

__all__ = ["BBOB_DIMENSIONS", "BBOB_INSTANCES", "BBOB_FUNCTIONS", "BBOB_BUDGET_MULTIPLIER",
           "SUITE_FUNCTIONS", "FUNCTION_GROUPS", "CONSTRAINED_GROUPS", "SUITE_GROUPS",
           "REFERENCE_METHODS", "REFERENCE_LABELS", "RECORD_KEYS", "BudgetedProblem", "run_bbob",
           "read_records", "exdata_folder"]

#: Defaults of ``evodiff bench --suite bbob``.
BBOB_DIMENSIONS = (2, 3, 5, 10, 20)
BBOB_INSTANCES = tuple(range(1, 16))
BBOB_FUNCTIONS = tuple(range(1, 25))
BBOB_BUDGET_MULTIPLIER = 10_000

#: The function numbers of each COCO suite the harness runs.
SUITE_FUNCTIONS = {"bbob": BBOB_FUNCTIONS, "bbob-constrained": tuple(range(1, 55))}

#: The five function groups of the bbob suite (cocopp's names).
FUNCTION_GROUPS = {
    "separ": ("separable", range(1, 6)),
    "lcond": ("moderate conditioning", range(6, 10)),
    "hcond": ("high conditioning, unimodal", range(10, 15)),
    "multi": ("multimodal, adequate global structure", range(15, 20)),
    "mult2": ("multimodal, weak global structure", range(20, 25)),
}

#: The bbob-constrained functions by objective: each objective with 1, 2, 6, 6 + D/2,
#: 6 + D and 6 + 3D constraints, in that order.
CONSTRAINED_GROUPS = {
    name: (title, range(6 * k + 1, 6 * k + 7)) for k, (name, title) in enumerate([
        ("sphere", "sphere"), ("ellsep", "separable ellipsoid"), ("linear", "linear slope"),
        ("ellrot", "rotated ellipsoid"), ("discus", "discus"), ("bentcigar", "bent cigar"),
        ("diffpow", "different powers"), ("rastsep", "separable Rastrigin"),
        ("rastrot", "rotated Rastrigin")])}

#: The function groups of each suite (columns of the solved table).
SUITE_GROUPS = {"bbob": FUNCTION_GROUPS, "bbob-constrained": CONSTRAINED_GROUPS}

#: Methods run by the harness that are not evodiff optimisers (on bbob-constrained pycma
#: optimises ``cma.ConstrainedFitnessAL``).
REFERENCE_METHODS = {"pycma": "pycma IPOP-CMA-ES"}

#: The labels of the reference methods on each suite.
REFERENCE_LABELS = {"bbob": REFERENCE_METHODS,
                    "bbob-constrained": {"pycma": "pycma IPOP-CMA-ES, ConstrainedFitnessAL"}}

#: Columns of ``runs.csv``, one row per (method, function, dimension, instance).
RECORD_KEYS = ("method", "function", "dimension", "instance", "evaluations", "target_hit",
               "best_f", "precision", "restarts", "seconds")


def _import_cocoex():
    try:
        import cocoex
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "the bbob suite needs cocoex: pip install 'evodiff-toolkit[bbob]' "
            "(package coco-experiment)") from exc
    return cocoex


def _check_indices(name, values, allowed):
    if values is None:
        return tuple(allowed)
    if isinstance(values, (int, np.integer)):
        values = [values]
    out = []
    for value in values:
        value = check_int(name, value, minimum=min(allowed), maximum=max(allowed))
        if value not in allowed:
            raise ValueError(f"{name} must be among {', '.join(map(str, allowed))}; got {value}")
        out.append(value)
    if not out:
        raise ValueError(f"{name} must not be empty")
    return tuple(dict.fromkeys(out))


def _check_methods(methods):
    if isinstance(methods, str):
        methods = [methods]
    if not methods:
        raise ValueError("methods must name at least one method")
    names = []
    for name in methods:
        if isinstance(name, str) and name.strip().lower() in REFERENCE_METHODS:
            names.append(name.strip().lower())
        else:
            names.append(get_method(name).name)
    return tuple(dict.fromkeys(names))


def exdata_folder(out, method):
    """Path of the exdata folder of ``method`` under ``out`` (what cocopp reads)."""
    return Path(out) / "exdata" / method


@contextlib.contextmanager
def _working_directory(path):
    # cocoex writes its result folders under ./exdata of the current directory
    previous = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


class BudgetedProblem:
    """A cocoex problem evaluated in populations, never beyond the budget or the final target.

    Parameters
    ----------
    problem : cocoex.Problem
    budget : int
        Evaluations the run may spend (``used`` counts them as COCO does).
    """

    def __init__(self, problem, budget):
        self.problem = problem
        self.budget = budget

    @property
    def used(self):
        return int(self.problem.evaluations)

    @property
    def finished(self):
        return self.used >= self.budget or bool(self.problem.final_target_hit)

    def __call__(self, X):
        X = np.asarray(X, dtype=np.float64)
        values = np.full(X.shape[0], np.inf)
        for i, x in enumerate(X):
            if self.finished:  # the rest of the generation is never evaluated
                break
            values[i] = self.problem(x)
        return values


def _run_evodiff(method, problem, budget, seed):
    spec = get_method(method)
    region = {"bounds": list(zip(problem.problem.lower_bounds, problem.problem.upper_bounds))}
    restarts = 0
    seeds = np.random.SeedSequence(seed.entropy, spawn_key=seed.spawn_key)
    while not problem.finished:
        settings = spec.budget_settings(budget - problem.used, spec.default_popsize)
        if settings.get("maxiter") is not None and settings["maxiter"] < 2:
            break  # a tail too short for one more run of this method stays unspent
        opt = spec.build(rng=np.random.default_rng(seeds.spawn(1)[0]), **region, **settings)
        with warnings.catch_warnings():
            # the points of a shortened last generation are told as +inf, never evaluated
            warnings.simplefilter("ignore", NonFiniteObjectiveWarning)
            run(opt, problem, on_generation=lambda generation: problem.finished)
        restarts += 1 + int(getattr(opt, "restart_count", 0))
    return restarts - 1


def _run_pycma(problem, budget, seed):
    import cma

    rng = np.random.default_rng(seed)
    dim = problem.problem.dimension
    popsize = 4 + int(3 * np.log(dim))
    x0 = np.asarray(problem.problem.initial_solution, dtype=np.float64)
    restarts = -1
    while not problem.finished:
        restarts += 1
        options = {"popsize": popsize, "seed": int(rng.integers(1, 2**31 - 1)), "verbose": -9,
                   "maxfevals": budget - problem.used}
        es = cma.CMAEvolutionStrategy(x0, 2.0, options)
        while not es.stop() and not problem.finished:
            X = es.ask()
            values = problem(np.array(X))
            if problem.finished:
                break
            es.tell(X, values.tolist())
        popsize *= 2
        x0 = rng.uniform(-4.0, 4.0, dim)
    return restarts


def _run_one(method, suite, coco_problem, budget, stream, handling):
    """One observed run; returns ``(the budgeted problem, restarts)``."""
    if suite == "bbob-constrained":
        from .bbob_constrained import (
            BudgetedConstrainedProblem,
            run_evodiff_constrained,
            run_pycma_constrained,
        )
        problem = BudgetedConstrainedProblem(coco_problem, budget)
        if method == "pycma":
            return problem, run_pycma_constrained(problem, budget, stream)
        return problem, run_evodiff_constrained(method, problem, budget, stream, **handling)
    problem = BudgetedProblem(coco_problem, budget)
    if method == "pycma":
        return problem, _run_pycma(problem, budget, stream)
    return problem, _run_evodiff(method, problem, budget, stream)


def _run_task(method, suite, function, dimension, instances, budget_multiplier, seed, out,
              handling):
    """Every instance of one (method, function, dimension), observed into its own folder."""
    cocoex = _import_cocoex()
    cocoex.log_level("warning")
    label = REFERENCE_LABELS[suite].get(method) or method_label(method)
    folder = f"{method}/f{function:02d}-d{dimension:02d}"
    records = []
    with _working_directory(out):
        shutil.rmtree(Path("exdata") / folder, ignore_errors=True)
        observer = cocoex.Observer(suite, f"result_folder: {folder} algorithm_name: {method} "
                                          f'algorithm_info: "{label}"')
        problems = cocoex.Suite(suite, "", f"function_indices: {function} dimensions: "
                                           f"{dimension} instance_indices: "
                                           f"{','.join(map(str, instances))}")
        for coco_problem in problems:
            coco_problem.observe_with(observer)
            budget = int(budget_multiplier * dimension)
            instance = int(coco_problem.id_instance)
            stream = named_seed(seed, method, *([] if suite == "bbob" else [suite]),
                                f"f{function}", f"d{dimension}", f"i{instance}")
            start = time.perf_counter()
            problem, restarts = _run_one(method, suite, coco_problem, budget, stream, handling)
            records.append({
                "method": method, "function": function, "dimension": dimension,
                "instance": instance, "evaluations": problem.used,
                "target_hit": bool(coco_problem.final_target_hit),
                "best_f": float(coco_problem.best_observed_fvalue1), "restarts": restarts,
                "seconds": time.perf_counter() - start})
            coco_problem.free()
        problems.free()
        del observer, coco_problem  # cocoex completes the .info file when the observer goes
        infos = sorted((Path("exdata") / folder).glob(f"*_f{function}.info"))  # bbob(...)exp_
        precisions = _info_precisions(infos[0]) if infos else {}
    for record in records:
        record["precision"] = precisions.get(record["instance"], float("nan"))
    return records


def _info_precisions(path):
    """``{instance: best f - f_opt}`` from a cocoex ``.info`` file (``instance:evals|delta``)."""
    precisions = {}
    if not path.exists():
        return precisions
    for line in path.read_text().splitlines():
        if not line.startswith("data_"):
            continue
        for entry in line.split(",")[1:]:
            instance, _, rest = entry.strip().partition(":")
            delta = rest.partition("|")[2]
            try:
                precisions[int(instance)] = float(delta)
            except ValueError:
                continue
    return precisions


def _task(arguments):
    return _run_task(*arguments)


def _check_out(out, methods, overwrite):
    out = Path(out)
    for method in methods:
        folder = exdata_folder(out, method)
        if folder.exists() and any(folder.iterdir()):
            if not overwrite:
                raise FileExistsError(
                    f"{folder} already holds bbob results; choose another out folder or pass "
                    "overwrite=True (--overwrite) to replace them")
            shutil.rmtree(folder)
    out.mkdir(parents=True, exist_ok=True)
    return out.resolve()


def run_bbob(methods, out, *, suite="bbob", dimensions=None, functions=None, instances=None,
             budget_multiplier=BBOB_BUDGET_MULTIPLIER, jobs=1, seed=0, progress=False,
             overwrite=False, constraint_rule=None, skip_infeasible=False):
    """Run methods on a COCO suite (bbob or bbob-constrained); write exdata and ``runs.csv``.

    Parameters
    ----------
    methods : str or sequence of str
        Registered method names (:func:`evodiff.registry.method_names`) and/or
        ``'pycma'`` (the reference IPOP-CMA-ES of the ``cma`` package).
    out : str or path
        Output folder: ``out/exdata/<method>/f<FF>-d<DD>/`` (cocoex's files)
        and ``out/runs.csv`` (one row per run, :data:`RECORD_KEYS`; rows of
        other methods already there are kept).
    suite : {'bbob', 'bbob-constrained'}, default 'bbob'
        The COCO suite.  On ``'bbob-constrained'`` an evodiff method runs as
        ``minimize(constraints=...)`` does (:mod:`evodiff.bench.bbob_constrained`)
        and ``'pycma'`` optimises ``cma.ConstrainedFitnessAL``; evaluations are
        COCO's: objective plus constraint evaluations.
    dimensions, functions, instances : sequence of int, optional
        Defaults :data:`BBOB_DIMENSIONS`, the suite's functions
        (:data:`SUITE_FUNCTIONS`: 1-24, or 1-54 constrained) and
        :data:`BBOB_INSTANCES` (1-15).
    budget_multiplier : float, default 1e4
        Evaluations per run: ``budget_multiplier * D``, never exceeded.
    jobs : int, default 1
        Worker processes (fresh, one BLAS thread each); one task is one
        (method, function, dimension) with all its instances.  Results do not
        depend on it.
    seed : int, default 0
        Base seed of every run's stream.
    progress : bool, default False
        A tqdm bar over the (method, function, dimension) tasks.
    overwrite : bool, default False
        Replace the exdata folder of a method already under ``out``.
    constraint_rule : {'feasibility-first', 'augmented-lagrangian'}, optional
        bbob-constrained only: the rule of every evodiff method (default: each
        method's own, :attr:`~evodiff.registry.MethodSpec.constraint_rule`).
    skip_infeasible : bool, default False
        bbob-constrained only: evaluate the objective only at the points the
        constraints accept (Deb's rules).

    Returns
    -------
    list of dict
        The rows of this call, sorted by method, dimension, function, instance.

    Raises
    ------
    ImportError
        Without cocoex (or without cma for ``'pycma'``).
    FileExistsError
        When ``out`` already holds results of a method and not ``overwrite``.
    """
    methods = _check_methods(methods)
    if suite not in SUITE_FUNCTIONS:
        raise ValueError(f"suite must be one of {', '.join(SUITE_FUNCTIONS)}; got {suite!r}")
    handling = _check_handling(suite, constraint_rule, skip_infeasible)
    dimensions = _check_indices("dimensions", dimensions, (2, 3, 5, 10, 20, 40))
    functions = _check_indices("functions", functions, SUITE_FUNCTIONS[suite])
    instances = _check_indices("instances", instances, tuple(range(1, 101)))
    budget_multiplier = check_real("budget_multiplier", budget_multiplier, minimum=1.0)
    jobs = check_int("jobs", jobs, minimum=1)
    seed = check_int("seed", seed, minimum=0)
    _import_cocoex()
    if "pycma" in methods:
        import cma  # noqa: F401  (fail before any run)
    out = _check_out(out, methods, overwrite)
    tasks = [(m, suite, f, d, instances, budget_multiplier, seed, str(out), handling)
             for m in methods for d in dimensions for f in functions]
    records = [record for task_records in run_tasks(_task, tasks, jobs, progress,
                                                     desc=f"bench {suite}", unit="task")
               for record in task_records]
    order = {m: i for i, m in enumerate(methods)}
    records.sort(key=lambda r: (order[r["method"]], r["dimension"], r["function"], r["instance"]))
    _write_records(_merged(out / "runs.csv", records, methods), out / "runs.csv")
    return records


def _check_handling(suite, constraint_rule, skip_infeasible):
    """The constraint handling of the evodiff methods (bbob-constrained only)."""
    from ..constraints import RULES
    from ..validation import check_bool, check_choice

    skip_infeasible = check_bool("skip_infeasible", skip_infeasible)
    if constraint_rule is not None:
        constraint_rule = check_choice("constraint_rule", constraint_rule, RULES)
    if suite != "bbob-constrained" and (constraint_rule is not None or skip_infeasible):
        raise ValueError("constraint_rule and skip_infeasible apply to the bbob-constrained "
                         "suite only")
    return {"rule": constraint_rule, "skip_infeasible": skip_infeasible}


def _merged(path, records, methods):
    """The rows of ``path`` of other methods (kept: nothing is lost), then ``records``."""
    if not path.exists():
        return records
    try:
        kept = [row for row in read_records(path) if row["method"] not in methods]
    except (KeyError, ValueError):
        return records  # not a runs.csv of this harness: replaced
    return kept + records


def _write_records(records, path):
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=RECORD_KEYS)
        writer.writeheader()
        for record in records:
            writer.writerow({**record, "seconds": f"{record['seconds']:.3f}"})


def read_records(path):
    """Rows of a ``runs.csv`` written by :func:`run_bbob`, with their types restored.

    ``precision`` is the best ``f - f_opt`` of the run as cocoex logged it
    (two significant digits).
    """
    rows = []
    with open(path, newline="") as handle:
        for row in csv.DictReader(handle):
            rows.append({
                "method": row["method"], "function": int(row["function"]),
                "dimension": int(row["dimension"]), "instance": int(row["instance"]),
                "evaluations": int(row["evaluations"]),
                "target_hit": row["target_hit"] == "True", "best_f": float(row["best_f"]),
                "precision": float(row["precision"]),
                "restarts": int(row["restarts"]), "seconds": float(row["seconds"])})
    return rows


# ---- the suite entry --------------------------------------------------------------------

#: The entry of :data:`evodiff.bench.suites.SUITES`.
BBOB_SUITE = Suite(
    "bbob", "COCO's bbob suite through cocoex and cocopp (the [bbob] extra)",
    deferred("commands", "bbob_command"),
    accepts=("methods", "seed", "no_figures"), peers=("pycma",),
    options=(
        (("--dimensions",), {"nargs": "+", "type": int, "metavar": "D",
                             "help": "dimensions (default: 2 3 5 10 20)"}),
        (("--functions",), {"nargs": "+", "type": int, "metavar": "F",
                            "help": "function numbers 1-24 (default: all)"}),
        (("--instances",), {"nargs": "+", "type": int, "metavar": "I",
                            "help": "instance numbers (default: 1-15)"}),
        (("--budget-multiplier",), {"type": float, "metavar": "B",
                                    "help": "evaluations per run: B * D, never exceeded "
                                            "(default: 10000)"}),
        (("--overwrite",), {"action": "store_const", "const": True,
                            "help": "replace a method's results already under --out"}),
    ))


#: The entry of ``evodiff bench --suite bbob-constrained``.
BBOB_CONSTRAINED_SUITE = Suite(
    "bbob-constrained", "COCO's bbob-constrained suite (54 functions, the [bbob] extra): "
                        "evodiff's constrained runs against pycma's ConstrainedFitnessAL",
    deferred("commands", "bbob_command"),
    accepts=("methods", "seed", "no_figures"), peers=("pycma",),
    options=(
        *BBOB_SUITE.options[:1],
        (("--functions",), {"nargs": "+", "type": int, "metavar": "F",
                            "help": "function numbers 1-54 (default: all)"}),
        *BBOB_SUITE.options[2:],
        (("--constraint-rule",), {"choices": ("feasibility-first", "augmented-lagrangian"),
                                  "help": "rule of every evodiff method (default: each "
                                          "method's own)"}),
        (("--skip-infeasible",), {"action": "store_const", "const": True,
                                  "help": "evaluate the objective only where the constraints "
                                          "hold (feasibility-first)"}),
    ))
