"""The COCO/BBOB comparison of the documentation: experiment, tables, ECDF figures.

Runs ``evodiff bench --suite bbob`` per dimension (one output folder each,
``OUT/dDD``) for the converging Diffusion Evolution, evodiff's CMA-ES, pycma's
IPOP-CMA-ES and the paper's Diffusion Evolution on the reporting instances
6-15 (instances 1-5 were used to choose the defaults, see
``docs/guide/converging.rst``), then writes

- ``docs/bbob_tables/solved.md.inc``: the fraction of (function, instance)
  pairs solved to ``f - f_opt <= 1e-8`` per dimension and function group;
- ``docs/bbob_tables/targets.md.inc``: the issue's targets against pycma
  (solved fraction at D = 5 and 10, the f20-f24 group, evaluations to 1e-8
  on the sphere f1 and the ellipsoids f2 and f10 in 10-D);
- ``docs/bbob_tables/runtime.md.inc``: the seconds each method spent;
- ``docs/figures/bbob/pprldmany_DDD_GROUP.png``: cocopp's ECDF figures of
  runtime per function group, every method side by side.

Usage::

    python benchmarks/bbob_suite.py --out bbob-report --jobs 2 \\
        --markdown docs/bbob_tables --figures docs/figures/bbob
    python benchmarks/bbob_suite.py --out bbob-report --reuse ...   # tables and figures only
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

METHODS = ("diffevo-restarts", "pycma", "cmaes", "diffevo")
REPORT_INSTANCES = tuple(range(6, 16))
TARGET_DIMENSIONS = (5, 10)
#: Sphere, separable ellipsoid and rotated ellipsoid: evaluations to 1e-8 against pycma.
UNIMODAL_CHECKS = ((1, "sphere"), (2, "ellipsoid (separable)"), (10, "ellipsoid (rotated)"))


def _records(out, dims, args):
    records = []
    for dim in dims:
        folder = Path(out) / f"d{dim:02d}"
        if args.reuse:
            records += bbob.read_records(folder / "runs.csv")
            continue
        start = time.perf_counter()
        records += bbob.run_bbob(list(args.methods), folder, dimensions=[dim],
                                 instances=args.instances, jobs=args.jobs, overwrite=True,
                                 progress=not args.no_progress)
        print(f"D = {dim}: {time.perf_counter() - start:.0f} s", flush=True)
    return records


def _fraction(counts, method, dim, group):
    solved, total = counts.get((method, dim, group), (0, 0))
    return solved / total if total else float("nan")


def _targets(records, methods):
    counts = bbob_report.solved_fractions(records)
    lead = methods[0]
    rows = []
    for dim in TARGET_DIMENSIONS:
        for group, goal, text in (("all", 0.9, "all 24 functions"),
                                  ("mult2", 1.0, "f20-f24")):
            ours, ref = _fraction(counts, lead, dim, group), _fraction(counts, "pycma", dim, group)
            ratio = ours / ref if ref else float("inf")
            rows.append([f"solved fraction, D = {dim}, {text}", f"{ours:.3f}", f"{ref:.3f}",
                         f"{ratio:.2f}", f">= {goal:g}", "yes" if ratio >= goal else "no"])
    for function, name in UNIMODAL_CHECKS:
        ours, hits, runs = bbob_report.evaluations_to_target(records, lead, function, 10)
        ref, ref_hits, ref_runs = bbob_report.evaluations_to_target(records, "pycma", function, 10)
        ratio = ours / ref if hits and ref_hits else float("nan")
        rows.append([f"median evaluations to 1e-8, f{function} {name}, D = 10",
                     f"{ours:.0f} ({hits}/{runs})", f"{ref:.0f} ({ref_hits}/{ref_runs})",
                     f"{ratio:.2f}", "<= 5", "yes" if ratio <= 5 else "no"])
    label = bbob_report.display_name(lead)
    return markdown_table([f"target ({label} vs pycma)", label, "pycma",
                           "ratio", "goal", "met"], rows, "lrrrrl")


def _runtime(records, methods):
    dims = sorted({r["dimension"] for r in records})
    rows = []
    for method in methods:
        cells = []
        for dim in dims:
            seconds = sum(r["seconds"] for r in records
                          if r["method"] == method and r["dimension"] == dim)
            cells.append(f"{seconds:.0f}")
        rows.append([bbob_report.display_name(method), *cells])
    return markdown_table(["method", *(f"D = {d}" for d in dims)], rows, "l" + "r" * len(dims))


def _figures(out, dims, methods, target):
    target = Path(target)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for dim in dims:
        folder = Path(out) / f"d{dim:02d}"
        figures = bbob_report.render(folder, methods)
        for (fig_dim, group), png in figures["groups"].items():
            destination = target / f"pprldmany_{fig_dim:02d}D_{group}.png"
            shutil.copyfile(png, destination)
            written.append(destination)
    print(f"wrote {len(written)} figures into {target}")
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="bbob-report", help="experiment folder")
    parser.add_argument("--dimensions", nargs="+", type=int, default=list(bbob.BBOB_DIMENSIONS))
    parser.add_argument("--instances", nargs="+", type=int, default=list(REPORT_INSTANCES))
    parser.add_argument("--methods", nargs="+", default=list(METHODS))
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--reuse", action="store_true",
                        help="read OUT/dDD/runs.csv instead of running the experiment")
    parser.add_argument("--markdown", default=None, help="folder of the Markdown fragments")
    parser.add_argument("--figures", default=None, help="folder for the ECDF figures")
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    start_load, started = load_average(), time.localtime()
    records = _records(args.out, args.dimensions, args)
    order = {m: i for i, m in enumerate(args.methods)}
    records = sorted((r for r in records if r["method"] in order),
                     key=lambda r: (order[r["method"]], r["dimension"], r["function"],
                                    r["instance"]))
    methods = list(dict.fromkeys(r["method"] for r in records))
    solved = bbob_report.solved_table(records)
    print(solved)
    targets = _targets(records, methods) if "pycma" in methods else ""
    print(targets)
    runtime = _runtime(records, methods)
    print(runtime)
    if args.markdown:
        command = script_command("benchmarks/bbob_suite.py",
                                 [a for a in (argv if argv is not None else sys.argv[1:])
                                  if a != "--reuse"])
        instances = f"{min(args.instances)}-{max(args.instances)}"
        note = (f"bbob instances {instances}, budget 10^4 D, target f - f_opt <= 1e-8; "
                f"{len(records)} runs"
                + ("; tables rebuilt from the saved runs" if args.reuse else ""))
        line = run_line(start_load, note, started)
        write_fragment(args.markdown, "solved", [line, solved], command=command)
        if targets:
            write_fragment(args.markdown, "targets", [line, targets], command=command)
        write_fragment(args.markdown, "runtime", [
            line, "CPU seconds spent in the runs (optimiser and objective, summed over the "
                  "runs; the wall time with 2 jobs is about half):", runtime], command=command)
    if args.figures:
        _figures(args.out, args.dimensions, methods, args.figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
