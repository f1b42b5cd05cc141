"""The CEC'2013 niching suite for the docs: our methods and the NMMSO peer, report seeds.

Runs :func:`evodiff.bench.cec2013.suite.run_niching_suite` (the protocol of
``evodiff bench --suite cec2013-niching``) on the report seeds (100 onwards;
the method's settings were chosen on seeds 0-19) and writes the tables and the
figure of ``docs/benchmarks_niching.md``:

- ``docs/niching_tables/summary.md.inc``: the summary (mean peak ratio per
  problem beside the published entries, then per-accuracy tables);
- ``docs/niching_tables/results.csv``: one row per run;
- ``docs/niching_tables/standing.md.inc``: ``diffevo-niching`` against its goals;
- ``docs/figures/niching/peak_ratio.png``.

Usage::

    python benchmarks/niching_suite.py --runs 50 --jobs 2
    python benchmarks/niching_suite.py --methods diffevo-niching --runs 10 --jobs 2
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

from evodiff.bench.cec2013.report import niching_summary, peak_ratio_figure, standing
from evodiff.bench.cec2013.suite import run_niching_suite

ROOT = Path(__file__).resolve().parents[1]
TABLES = ROOT / "docs" / "niching_tables"
FIGURES = ROOT / "docs" / "figures" / "niching"

#: The seeds the docs report (the settings were tuned on seeds 0-19).
REPORT_FIRST_SEED = 100


def _merge(rows, path):
    """Rows already in ``path`` of other (method, seed) pairs stay: one file for every run."""
    if not path.exists():
        return rows
    with open(path, newline="") as handle:
        old = list(csv.DictReader(handle))
    rerun = {(row["method"], int(row["seed"])) for row in rows}
    kept = []
    for row in old:
        if (row["method"], int(row["seed"])) in rerun:
            continue
        for key, value in row.items():
            if key in ("method", "problem"):
                continue
            if key.startswith(("peak", "precision", "f1", "seconds")):
                row[key] = float(value)
            elif key.startswith("success"):
                row[key] = value == "True"
            else:
                row[key] = int(value)
        kept.append(row)
    return kept + rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--methods", nargs="+", default=["diffevo-niching"])
    parser.add_argument("--problems", nargs="+", default=None)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--first-seed", type=int, default=REPORT_FIRST_SEED)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--tables-only", action="store_true",
                        help="redraw the tables and the figure from results.csv, run nothing")
    args = parser.parse_args()
    start = time.perf_counter()
    rows = [] if args.tables_only else run_niching_suite(
        args.methods, args.problems, runs=args.runs, first_seed=args.first_seed,
        jobs=args.jobs, progress=True)
    elapsed = time.perf_counter() - start
    TABLES.mkdir(parents=True, exist_ok=True)
    FIGURES.mkdir(parents=True, exist_ok=True)
    rows = _merge(rows, TABLES / "results.csv")
    with open(TABLES / "results.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    summary = niching_summary(rows)
    (TABLES / "summary.md.inc").write_text(summary.split("\n", 2)[2])  # without the title
    peak_ratio_figure(rows, FIGURES / "peak_ratio.png")
    if any(row["method"] == "diffevo-niching" for row in rows):
        (TABLES / "standing.md.inc").write_text(standing(rows, "diffevo-niching") + "\n")
    print(summary)
    print(f"{len(rows)} rows; this run took {elapsed:.0f} s on {args.jobs} processes")


if __name__ == "__main__":
    main()
