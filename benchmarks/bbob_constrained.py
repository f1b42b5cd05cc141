"""COCO's bbob-constrained suite in the documentation: experiment, tables, ECDF figures.

Runs ``evodiff bench --suite bbob-constrained`` per dimension (one output
folder each, ``OUT/dDD``) for the default method and evodiff's CMA-ES
(Deb's rules with the objective skipped at infeasible points, as
``--skip-infeasible`` asks) and
pycma's CMA-ES on ``cma.ConstrainedFitnessAL`` with IPOP restarts, on the
reporting instances 6-15 (instances 1-5 chose the rule and the budget, see
``docs/guide/constraints.rst``), then writes

- ``MARKDOWN/solved.md.inc``: the fraction of (function, instance) pairs
  solved to ``f - f_opt <= 1e-8`` (feasible) per dimension and objective;
- ``MARKDOWN/targets.md.inc``: the issue's goal, the pairs solved at D = 5
  and 10 by each evodiff method against pycma's;
- ``FIGURES/pprldmany_DDD_noiselessall.png``: cocopp's ECDF figure over all
  54 functions per dimension (its targets run from 1e2 to 1e-6, its
  evaluations are objective plus constraint evaluations).

With ``--tuning`` it runs instead the choices made on instances 1-5 in 5-D
(evodiff's CMA-ES under each rule, with and without skipping the objective
at infeasible points, the default method, pycma) at each budget of
``--budgets`` and writes ``MARKDOWN/tuning.md.inc``.

Usage::

    python benchmarks/bbob_constrained.py --out bbobc-report --jobs 2 --skip-infeasible \\
        --markdown docs/bbob_constrained_tables --figures docs/figures/bbob_constrained
    python benchmarks/bbob_constrained.py --out bbobc-report --reuse ...   # tables only
    python benchmarks/bbob_constrained.py --tuning --out bbobc-tuning --jobs 2 \\
        --markdown docs/bbob_constrained_tables
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from markdown_fragment import load_average, markdown_table, run_line, script_command, write_fragment  # noqa: E402

from evodiff.bench import bbob, bbob_report  # noqa: E402

SUITE = "bbob-constrained"
METHODS = ("diffevo-restarts", "cmaes", "pycma")
REPORT_INSTANCES = tuple(range(6, 16))
BUDGET_MULTIPLIER = 3000
TUNING_INSTANCES = (1, 2, 3, 4, 5)
#: (label, method, run_bbob settings) of the tuning runs.
TUNING_CONFIGURATIONS = (
    ("CMA-ES, augmented Lagrangian", "cmaes", {"constraint_rule": "augmented-lagrangian"}),
    ("CMA-ES, feasibility first", "cmaes", {"constraint_rule": "feasibility-first"}),
    ("CMA-ES, feasibility first, objective skipped at infeasible points", "cmaes",
     {"constraint_rule": "feasibility-first", "skip_infeasible": True}),
    ("Diffusion Evolution + restarts, feasibility first, skipped", "diffevo-restarts",
     {"constraint_rule": "feasibility-first", "skip_infeasible": True}),
    ("pycma, ConstrainedFitnessAL", "pycma", {}),
)


def _tuning(args):
    """Solved pairs of every tuning configuration at every budget (instances 1-5, 5-D)."""
    rows = []
    for k, (label, method, settings) in enumerate(TUNING_CONFIGURATIONS):
        cells = []
        for budget in args.budgets:
            folder = Path(args.out) / f"c{k}-b{budget:g}"
            if args.reuse:
                records = bbob.read_records(folder / "runs.csv")
            else:
                records = bbob.run_bbob([method], folder, suite=SUITE, dimensions=[5],
                                        instances=list(TUNING_INSTANCES), jobs=args.jobs,
                                        overwrite=True, budget_multiplier=budget,
                                        progress=not args.no_progress, **settings)
            solved = sum(r["target_hit"] for r in records)
            cells.append(f"{solved}/{len(records)}")
        rows.append([label, *cells])
        print(label, *cells, flush=True)
    return markdown_table(["configuration (5-D, instances 1-5)",
                           *(f"{b:g} D" for b in args.budgets)], rows,
                          "l" + "r" * len(args.budgets))


def _records(args):
    records = []
    for dim in args.dimensions:
        folder = Path(args.out) / f"d{dim:02d}"
        if args.reuse:
            records += bbob.read_records(folder / "runs.csv")
            continue
        start = time.perf_counter()
        handling = {"skip_infeasible": args.skip_infeasible}
        if args.constraint_rule is not None:
            handling["constraint_rule"] = args.constraint_rule
        records += bbob.run_bbob(list(args.methods), folder, suite=SUITE, dimensions=[dim],
                                 instances=args.instances, jobs=args.jobs, overwrite=True,
                                 budget_multiplier=args.budget_multiplier,
                                 progress=not args.no_progress, **handling)
        print(f"D = {dim}: {time.perf_counter() - start:.0f} s", flush=True)
    return records


def _targets(records, methods):
    counts = bbob_report.solved_fractions(records, suite=SUITE)
    rows = []
    for method in methods:
        if method == "pycma":
            continue
        for dim in sorted({r["dimension"] for r in records}):
            ours, total = counts.get((method, dim, "all"), (0, 0))
            ref, ref_total = counts.get(("pycma", dim, "all"), (0, 0))
            rows.append([bbob_report.display_name(method, SUITE), str(dim), f"{ours}/{total}",
                         f"{ref}/{ref_total}", f"{ours - ref:+d}", "yes" if ours >= ref else "no"])
    return markdown_table(["method", "D", "pairs solved", "pycma (ConstrainedFitnessAL)",
                           "difference", "goal (>= pycma) met"], rows, "lrrrrl")


def _figures(args, methods):
    target = Path(args.figures)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for dim in args.dimensions:
        figures = bbob_report.render(Path(args.out) / f"d{dim:02d}", methods)
        # cocopp also draws every objective group per number of constraints ("separ m=0n+1");
        # the documentation shows the aggregate over the 54 functions
        for (fig_dim, group), png in figures["groups"].items():
            if group != "noiselessall":
                continue
            destination = target / f"pprldmany_{fig_dim:02d}D_{group}.png"
            shutil.copyfile(png, destination)
            written.append(destination)
    print(f"wrote {len(written)} figures into {target}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="bbobc-report", help="experiment folder")
    parser.add_argument("--dimensions", nargs="+", type=int, default=[5, 10])
    parser.add_argument("--instances", nargs="+", type=int, default=list(REPORT_INSTANCES))
    parser.add_argument("--methods", nargs="+", default=list(METHODS))
    parser.add_argument("--budget-multiplier", type=float, default=BUDGET_MULTIPLIER)
    parser.add_argument("--constraint-rule", default=None,
                        choices=("feasibility-first", "augmented-lagrangian"))
    parser.add_argument("--skip-infeasible", action="store_true",
                        help="evodiff's methods evaluate the objective only at feasible points")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--reuse", action="store_true",
                        help="read OUT/dDD/runs.csv instead of running the experiment")
    parser.add_argument("--markdown", default=None, help="folder of the Markdown fragments")
    parser.add_argument("--figures", default=None, help="folder for the ECDF figures")
    parser.add_argument("--no-progress", action="store_true")
    parser.add_argument("--tuning", action="store_true",
                        help="run the tuning configurations instead (instances 1-5, 5-D)")
    parser.add_argument("--budgets", nargs="+", type=float, default=[1000, 3000],
                        help="budget multipliers of --tuning")
    args = parser.parse_args(argv)
    start_load, started = load_average(), time.localtime()
    command = script_command("benchmarks/bbob_constrained.py",
                             [a for a in (argv if argv is not None else sys.argv[1:])
                              if a != "--reuse"])
    if args.tuning:
        table = _tuning(args)
        if args.markdown:
            note = ("bbob-constrained instances 1-5, 5-D, pairs solved to f - f_opt <= 1e-8 "
                    "(objective plus constraint evaluations counted)"
                    + ("; table rebuilt from the saved runs" if args.reuse else ""))
            write_fragment(args.markdown, "tuning", [run_line(start_load, note, started), table],
                           command=command)
        return 0
    order = {m: i for i, m in enumerate(args.methods)}
    records = sorted((r for r in _records(args) if r["method"] in order),
                     key=lambda r: (order[r["method"]], r["dimension"], r["function"],
                                    r["instance"]))
    methods = list(dict.fromkeys(r["method"] for r in records))
    solved = bbob_report.solved_table(records, suite=SUITE)
    print(solved)
    targets = _targets(records, methods) if "pycma" in methods else ""
    print(targets)
    if args.markdown:
        instances = f"{min(args.instances)}-{max(args.instances)}"
        note = (f"bbob-constrained instances {instances}, budget {args.budget_multiplier:g} D "
                f"(objective plus constraint evaluations), target f - f_opt <= 1e-8 at a "
                f"feasible point; {len(records)} runs"
                + ("; tables rebuilt from the saved runs" if args.reuse else ""))
        line = run_line(start_load, note, started)
        write_fragment(args.markdown, "solved", [line, solved], command=command)
        if targets:
            write_fragment(args.markdown, "targets", [line, targets], command=command)
    if args.figures:
        _figures(args, methods)
    return 0


if __name__ == "__main__":
    sys.exit(main())
