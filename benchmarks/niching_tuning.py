"""Tune diffevo-niching on the tuning seeds (0-19), never on the report seeds.

Runs the protocol of ``evodiff bench --suite cec2013-niching`` for
``diffevo-niching`` with the settings given over its defaults, and prints
the mean peak ratio (over the five accuracies) per problem and overall.
Every variant's rows are appended to a CSV file so that variants run at
different times can be compared.

Usage::

    python benchmarks/niching_tuning.py --seeds 0-3 --jobs 2
    python benchmarks/niching_tuning.py --seeds 0-3 --set concurrent=32 --problems 6 8 9

The report seeds (100 onwards) are refused.
"""

from __future__ import annotations

import argparse
import ast
import csv
import json
import time
from pathlib import Path

import numpy as np

from evodiff.bench.cec2013.suite import run_niching_suite

#: Seeds from here on are the report's: tuning on them is refused.
REPORT_FIRST_SEED = 100


def parse_seeds(text):
    """``'0-3'`` or ``'5'`` -> (first seed, runs)."""
    first, _, last = text.partition("-")
    first, last = int(first), int(last or first)
    if last < first or last >= REPORT_FIRST_SEED:
        raise argparse.ArgumentTypeError(
            f"tuning seeds must be a range below {REPORT_FIRST_SEED}; got {text!r}")
    return first, last - first + 1


def parse_setting(text):
    """``'name=value'`` with a Python literal value."""
    name, sep, value = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"a setting is name=value; got {text!r}")
    try:
        return name, ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return name, value


def mean_peak_ratio(row):
    return float(np.mean([row[f"peak_ratio_{i}"] for i in range(1, 6)]))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=parse_seeds, default=(0, 2), help="e.g. 0-3 (default 0-1)")
    parser.add_argument("--problems", nargs="+", type=int, default=list(range(1, 21)))
    parser.add_argument("--set", dest="settings", action="append", type=parse_setting,
                        default=[], metavar="NAME=VALUE")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--label", default=None, help="name of the variant in the CSV")
    parser.add_argument("--out", type=Path, default=Path("niching_tuning.csv"))
    args = parser.parse_args(argv)
    options = dict(args.settings)
    first, runs = args.seeds
    start = time.perf_counter()
    rows = run_niching_suite(["diffevo-niching"], args.problems, runs=runs, first_seed=first,
                             jobs=args.jobs, progress=True, options=options)
    label = args.label or (json.dumps(options, sort_keys=True) if options else "defaults")
    per_problem = {}
    for row in rows:
        per_problem.setdefault(row["problem"], []).append(mean_peak_ratio(row))
    for problem, scores in per_problem.items():
        print(f"{problem:>4}  {np.mean(scores):.3f}")
    overall = float(np.mean([np.mean(v) for v in per_problem.values()]))
    print(f"{label}: mean peak ratio {overall:.3f} over {len(per_problem)} problems, "
          f"seeds {first}-{first + runs - 1}, {time.perf_counter() - start:.0f} s")
    new = not args.out.exists()
    with open(args.out, "a", newline="") as handle:
        writer = csv.writer(handle)
        if new:
            writer.writerow(["label", "problem", "seed", "mean_peak_ratio", "evaluations"])
        for row in rows:
            writer.writerow([label, row["problem"], row["seed"], f"{mean_peak_ratio(row):.4f}",
                             row["evaluations"]])


if __name__ == "__main__":
    main()
