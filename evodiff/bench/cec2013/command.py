"""``evodiff bench --suite cec2013-niching``: the suite entry and its command."""

from __future__ import annotations

import time
from pathlib import Path

from ..suite_entry import Suite
from .peers import PEERS
from .problems import niching_problem

__all__ = ["NICHING_DEFAULT_METHODS", "NICHING_SUITE", "niching_command"]

#: Methods run when ``--methods`` is not given.
NICHING_DEFAULT_METHODS = ("diffevo-niching",)


def niching_command(args):
    """Run the niching protocol, write ``results.csv``, ``results.json``, ``summary.md`` and
    ``peak_ratio.png`` into ``--out`` and print the summary."""
    from .report import write_niching_results
    from .suite import DEFAULT_RUNS, run_niching_suite

    problems = None
    if args.problems:
        try:
            problems = [niching_problem(name).number for name in args.problems]
        except ValueError as exc:
            raise ValueError(f"argument --problems: {exc}") from None
    runs = DEFAULT_RUNS if args.runs is None else args.runs
    first = args.seed or 0
    start = time.perf_counter()
    rows = run_niching_suite(args.methods or list(NICHING_DEFAULT_METHODS), problems,
                             runs=runs, first_seed=first, jobs=args.jobs,
                             progress=not args.no_progress)
    paths = write_niching_results(rows, args.out, seeds=range(first, first + runs),
                                  figures=not args.no_figures)
    print(Path(paths["summary.md"]).read_text())
    print(f"{len(rows)} runs in {time.perf_counter() - start:.1f} s; wrote:")
    for path in paths.values():
        print(f"  {path}")
    return 0


#: The entry of :data:`evodiff.bench.suites.SUITES`.
NICHING_SUITE = Suite(
    "cec2013-niching", "the CEC'2013 niching benchmark: 20 problems, every global optimum, "
                       "peak ratio, success rate and static F1 at 5 accuracies",
    niching_command, accepts=("methods", "problems", "runs", "seed", "no_figures"),
    peers=tuple(PEERS), default_runs=50)
