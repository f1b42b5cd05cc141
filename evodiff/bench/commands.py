"""``evodiff bench`` for the generic harness (paper, standard) and for COCO's bbob suite.

Each function takes the parsed arguments, runs the suite, writes its files,
prints the summary and returns the exit code; a usage mistake is a
``ValueError`` (the command line turns it into a usage error), a missing
extra an ``ImportError``.
"""

from __future__ import annotations

import time
from pathlib import Path

__all__ = ["bbob_command", "generic_command"]

#: Methods of ``evodiff bench --suite bbob`` when none are named.
BBOB_DEFAULT_METHODS = ("diffevo-restarts", "cmaes", "pycma")
#: ... and of ``evodiff bench --suite bbob-constrained``.
BBOB_CONSTRAINED_DEFAULT_METHODS = ("cmaes", "pycma")


def _print_paths(count, start, paths):
    print(f"{count} runs in {time.perf_counter() - start:.1f} s; wrote:")
    for path in paths:
        print(f"  {path}")


def generic_command(args):
    """Run a suite of the generic harness (:func:`evodiff.bench.run_suite`), tables and figures."""
    from . import run_suite, write_results
    from .suites import SUITES

    suite = SUITES[args.suite]
    suite_problems = [p.name for p in suite.problems]
    for name in args.problems or []:
        if name not in suite_problems:
            raise ValueError(f"argument --problems: invalid choice {name!r} for suite "
                             f"{args.suite!r} (choose from {', '.join(suite_problems)})")
    runs = suite.default_runs if args.runs is None else args.runs
    start = time.perf_counter()
    result = run_suite(args.suite, methods=args.methods, problems=args.problems, runs=runs,
                       jobs=args.jobs, progress=not args.no_progress,
                       record_traces=not args.no_figures)
    paths = write_results(result, args.out, args.suite)
    if not args.no_figures:
        paths.update(_figures(suite, result, args))
    print(Path(paths["summary.md"]).read_text())
    _print_paths(len(result.rows), start, paths.values())
    return 0


def _figures(suite, result, args):
    """The figures of a benchmark: landscape grid (2-D problems), convergence, entropy-fitness."""
    from .. import plotting

    out = Path(args.out)
    paths = {}
    problems_run = sorted({row["problem"] for row in result.rows})
    methods_run = list(dict.fromkeys(row["method"] for row in result.rows))
    flat = [p for p in suite.problems if p.name in problems_run and p.dim == 2]
    if flat and result.traces:
        first = {key: traces[0] for key, traces in result.traces.items() if traces}
        paths["landscape_grid.png"] = plotting.landscape_grid(
            flat, methods_run, first, out / "landscape_grid.png")
    if result.traces:
        paths["convergence.png"] = plotting.convergence(result.traces, out / "convergence.png")
    if suite.total_evaluations:
        paths["entropy_fitness.png"] = plotting.entropy_fitness_scatter(
            result.rows, out / "entropy_fitness.png")
    return {name: str(path) for name, path in paths.items()}


def bbob_command(args):
    """Run ``evodiff bench --suite bbob`` or ``bbob-constrained``: cocoex experiment, cocopp
    figures, solved table."""
    from . import bbob, bbob_report

    constrained = args.suite == "bbob-constrained"
    methods = args.methods or list(BBOB_CONSTRAINED_DEFAULT_METHODS if constrained
                                   else BBOB_DEFAULT_METHODS)
    budget = (bbob.BBOB_BUDGET_MULTIPLIER if args.budget_multiplier is None
              else args.budget_multiplier)
    handling = ({"constraint_rule": args.constraint_rule,
                 "skip_infeasible": bool(args.skip_infeasible)} if constrained else {})
    start = time.perf_counter()
    try:
        records = bbob.run_bbob(methods, args.out, suite=args.suite, dimensions=args.dimensions,
                                functions=args.functions, instances=args.instances,
                                budget_multiplier=budget, jobs=args.jobs,
                                seed=args.seed or 0, progress=not args.no_progress,
                                overwrite=bool(args.overwrite), **handling)
    except (TypeError, FileExistsError) as exc:
        raise ValueError(str(exc)) from exc
    out = Path(args.out)
    table = bbob_report.solved_table(records, suite=args.suite)
    summary = out / "summary.md"
    summary.write_text(f"Fraction of (function, instance) pairs with f - f_opt <= 1e-8 within "
                       f"{budget:g} * D evaluations.\n\n{table}\n")
    print(table)
    _print_paths(len(records), start, [out / "runs.csv", summary, out / "exdata"])
    if not args.no_figures:
        figures = bbob_report.render(out, methods)
        print(f"  {figures['folder']} (cocopp; {len(figures['groups'])} ECDF figures of function "
              "groups)")
    return 0
