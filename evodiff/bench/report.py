"""Benchmark result files: ``results.csv``, ``results.json``, ``summary.md``, ``traces.npz``."""

from __future__ import annotations

import csv
import json
import math
import platform
from pathlib import Path

import numpy as np

from ..jsonvalues import to_plain
from ..registry import method_names
from .runner import ROW_KEYS
from .standard import STANDARD_TOLERANCE
from .statistics import aggregate
from .suites import SUITES, check_suite

__all__ = ["paper_summary", "standard_summary", "write_results", "TRACES_SAVED"]


def _versions():
    import scipy

    from .._version import __version__
    return {"evodiff": __version__, "numpy": np.__version__, "scipy": scipy.__version__,
            "python": platform.python_version(), "platform": platform.platform()}


def _ordered(values, order):
    rank = {v: i for i, v in enumerate(order)}
    return sorted(set(values), key=lambda v: (rank.get(v, len(rank)), v))


def _format_p(p):
    return "n/a" if not math.isfinite(p) else f"{p:.2g}"


def _markdown_table(corner, columns, lines):
    out = [f"| {corner} | " + " | ".join(columns) + " |",
           "|---|" + "---|" * len(columns)]
    out += [f"| {name} | " + " | ".join(cells) + " |" for name, cells in lines]
    return "\n".join(out)


def _grid_parts(stats, suite, runs):
    """The methods x problems grid of the cells of ``stats`` and the summary's heading."""
    problem_order = [p.name for p in SUITES[suite].problems]
    problems = _ordered([s["problem"] for s in stats], problem_order)
    methods = _ordered([s["method"] for s in stats], method_names())
    cell = {(s["method"], s["problem"]): s for s in stats}

    def grid(fmt):
        return [(m, [fmt(cell[m, p]) if (m, p) in cell else "—" for p in problems])
                for m in methods]

    parts = [f"# Benchmark: suite `{suite}`", "",
             f"{runs} runs per method and problem; seeds 0 to {runs - 1}.", ""]
    return problems, methods, cell, grid, parts


def paper_summary(stats, suite, runs):
    """The paper suite's summary: "entropy (fitness)" cells, the x0 entropies, p-values."""
    problems, methods, cell, grid, parts = _grid_parts(stats, suite, runs)
    with_estimates = [m for m in methods
                      if any(math.isfinite(cell[m, p]["entropy_x0_mean"])
                             for p in problems if (m, p) in cell)]
    parts += ["Each cell: mean top-64 entropy in bits (mean normalised fitness of the top 64), "
              "as the paper's scripts score a run: the entropy of the final population at "
              "the indices of the 64 fittest (plain Diffusion Evolution ranked by the "
              "fitness of its final x0 estimates, every other method by that of its final "
              "population).", "",
              _markdown_table("method", problems, grid(
                  lambda s: f"{s['entropy_mean']:.2f} ({s['fitness_mean']:.2f})")), ""]
    if with_estimates:
        parts += ["Extra column: mean entropy of the top 64 final x0 estimates themselves.",
                  "",
                  _markdown_table("method", problems, [
                      line for line in grid(lambda s: f"{s['entropy_x0_mean']:.2f}")
                      if line[0] in with_estimates]), ""]
    parts += ["Two-sided Mann-Whitney U p-values against `diffevo`: entropy (fitness).", "",
              _markdown_table("method", problems, grid(
                  lambda s: f"{_format_p(s['p_value_entropy'])} "
                            f"({_format_p(s['p_value_fitness'])})"))]
    return "\n".join(parts) + "\n"


def standard_summary(stats, suite, runs):
    """The standard suites' summary: median best values, evaluations to the target, p-values."""
    problems, methods, cell, grid, parts = _grid_parts(stats, suite, runs)
    parts += [f"Each cell: median best value (minimised; optimum + {STANDARD_TOLERANCE:g} "
              "is the target).", "",
              _markdown_table("method", problems, grid(lambda s: f"{s['best_median']:.3g}")),
              "",
              "Median evaluations to the target [runs that reached it / runs].", "",
              _markdown_table("method", problems, grid(
                  lambda s: f"{s['evaluations_median']:.4g} [{s['reached']}/{s['n']}]")),
              "",
              "Two-sided Mann-Whitney U p-values of the best value against `diffevo`.", "",
              _markdown_table("method", problems, grid(
                  lambda s: _format_p(s["p_value_best"])))]
    return "\n".join(parts) + "\n"


#: Seeds whose traces ``write_results`` keeps in ``traces.npz``.
TRACES_SAVED = 3


def write_results(result, out_dir, suite):
    """Write a :class:`BenchResult` as CSV, JSON and a markdown summary.

    Parameters
    ----------
    result : BenchResult
    out_dir : str or path-like
        Created if needed.
    suite : str
        The suite the rows come from (it decides the summary's layout).

    Returns
    -------
    dict
        File name -> path (str): ``'results.csv'``, ``'results.json'``,
        ``'summary.md'``, and ``'traces.npz'`` when the result holds traces.

        - ``results.csv``: the rows, columns :data:`ROW_KEYS`;
        - ``results.json``: ``{"metadata": {suite, runs, versions}, "rows",
          "aggregate"}`` (:func:`aggregate`), with NaN written as ``null``
          and infinities as the strings ``"inf"`` / ``"-inf"``;
        - ``summary.md``: a table with a row per method and a column per
          problem; paper suite cells ``"entropy (fitness)"`` (means, two
          decimals), standard suites the median best value and the median
          evaluations to the target; then the p-values against ``diffevo``;
        - ``traces.npz``: arrays named ``<method>/<problem>/<seed>/<key>``, for
          the first :data:`TRACES_SAVED` seeds only.
    """
    suite = check_suite(suite, generic=True)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rows = list(result.rows)
    stats = aggregate(rows)
    runs = result.runs if result.runs is not None else max((s["n"] for s in stats), default=0)
    paths = {name: out / name for name in ("results.csv", "results.json", "summary.md")}
    with open(paths["results.csv"], "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=ROW_KEYS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    document = {"metadata": {"suite": suite, "runs": runs, "versions": _versions()},
                "rows": rows, "aggregate": stats}
    with open(paths["results.json"], "w") as handle:
        json.dump(to_plain(document, "results", standard=True), handle, indent=1)
    paths["summary.md"].write_text(SUITES[suite].summary(stats, suite, runs))
    if result.traces:
        arrays = {}
        for (method, problem), traces in result.traces.items():
            # The first seeds suffice to redraw the figures; all seeds would be hundreds of MB.
            for seed, trace in enumerate(traces[:TRACES_SAVED]):
                for key, value in trace.items():
                    if value is not None:
                        arrays[f"{method}/{problem}/{seed}/{key}"] = value
        paths["traces.npz"] = out / "traces.npz"
        np.savez_compressed(paths["traces.npz"], **arrays)
    return {key: str(path) for key, path in paths.items()}
