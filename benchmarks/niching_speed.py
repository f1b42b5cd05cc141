"""The niching method's own cost per 10^5 evaluations, against the default method, in one run.

The time inside ``ask`` and ``tell`` only (the objective's own time is
excluded) of ``diffevo-niching`` and of ``diffevo-restarts`` (what
``minimize`` runs by default), each spending the problem's MaxFEs on
CEC'2013 niching problems of 1 to 20 dimensions; the ratio of the two is the
figure that counts (these machines are shared and noisy).

Usage::

    python benchmarks/niching_speed.py

writes ``docs/niching_tables/speed.md.inc``.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from evodiff.bench.cec2013 import niching_problem
from evodiff.registry import get_method

PROBLEMS = (2, 6, 9, 12, 17, 20)
#: The table the docs include.
OUT = Path(__file__).resolve().parents[1] / "docs" / "niching_tables" / "speed.md.inc"
METHODS = ("diffevo-niching", "diffevo-restarts")


def own_seconds(method, problem, seed=0):
    """(seconds in ask/tell, evaluations) of one run of ``method`` on ``problem``."""
    spec = get_method(method)
    settings = spec.budget_settings(problem.max_fes, spec.default_popsize or 256)
    opt = spec.build(bounds=problem.bounds, sense="max", rng=seed, **settings)
    inside, evaluations = 0.0, 0
    while not opt.done and opt.stop_reason() is None and evaluations < problem.max_fes:
        start = time.perf_counter()
        X = np.asarray(opt.ask())
        inside += time.perf_counter() - start
        values = problem(X)
        start = time.perf_counter()
        opt.tell(values)
        inside += time.perf_counter() - start
        evaluations += X.shape[0]
    return inside, evaluations


def main():
    lines = ["| problem | " + " | ".join(f"{m} s / 1e5 evals" for m in METHODS) + " | ratio |",
             "|---|" + "---|" * (len(METHODS) + 1)]
    ratios = []
    for number in PROBLEMS:
        problem = niching_problem(number)
        per = [1e5 * s / n for s, n in (own_seconds(m, problem) for m in METHODS)]
        ratios.append(per[0] / per[1])
        lines.append(f"| {problem.label} | " + " | ".join(f"{v:.2f}" for v in per)
                     + f" | {ratios[-1]:.2f} |")
    lines.append(f"| geometric mean | | | {np.exp(np.mean(np.log(ratios))):.2f} |")
    table = "\n".join(lines)
    print(table)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(table + "\n")


if __name__ == "__main__":
    main()
