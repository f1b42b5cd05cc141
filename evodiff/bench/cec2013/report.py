"""Tables and a figure of niching runs, beside the published results of the best methods."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

from ...jsonvalues import to_plain
from ...registry import method_label
from .counting import ACCURACIES
from .problems import data_path, niching_problems

__all__ = ["PUBLISHED", "aggregate_niching", "niching_summary", "published_peak_ratios",
           "standing", "write_niching_results"]

#: The goals a method is held to (issue 25): mean peak ratio, mean static F1, peak ratio of
#: F1-F13 at accuracy 1e-4, and F14-F20 at least HillVallEA19's per-problem mean.
GOAL_MEAN_PEAK_RATIO = 0.92
GOAL_MEAN_F1 = 0.93
GOAL_SIMPLE_PEAK_RATIO = 0.99

#: Published entries: label -> file of its 20 x 5 peak ratios (``published/``).
PUBLISHED = {
    "HillVallEA19 (GECCO 2019)": "gecco2019_HillVallEA19_PR.dat",
    "RS-CMSA-ESII (WCCI 2020)": "wcci2020_RS-CMSA-ESII_PR.dat",
    "RS-CMSA17 (GECCO 2017)": "gecco2017_RSCMSA17_PR.dat",
    "NMMSO (CEC 2015)": "cec2015_NMMSO_PR.dat",
    "NEA2 (CEC 2013)": "cec2013_nea2_PR.dat",
    "CMA-ES niching (CEC 2013)": "cec2013_cma1_PR.dat",
    "IPOP-CMA-ES (CEC 2013)": "cec2013_ipop1_PR.dat",
}

_LEVELS = len(ACCURACIES)

#: Display names of the peers (they are not registered methods).
PEER_LABELS = {"nmmso": "NMMSO (pynmmso, live)"}


def _label(method):
    return PEER_LABELS.get(method) or method_label(method)


def published_peak_ratios():
    """label -> ndarray (20, 5): the published peak ratios, problems x accuracies."""
    tables = {}
    for label, name in PUBLISHED.items():
        with data_path("published", name).open() as handle:
            tables[label] = np.loadtxt(handle, ndmin=2)
    return tables


def aggregate_niching(rows):
    """Means per (method, problem) of the rows of :func:`run_niching_suite`.

    Returns
    -------
    dict
        ``(method, problem) -> {'runs', 'peak_ratio' (5,), 'success' (5,), 'f1' (5,),
        'evaluations' (the most any run used), 'max_fes', 'seconds' (mean)}``.
    """
    groups = {}
    for row in rows:
        groups.setdefault((row["method"], row["problem"]), []).append(row)
    stats = {}
    for key, group in groups.items():
        def levels(name, group=group):
            return np.array([[float(r[f"{name}_{i}"]) for i in range(1, _LEVELS + 1)]
                             for r in group]).mean(axis=0)
        stats[key] = {"runs": len(group), "peak_ratio": levels("peak_ratio"),
                      "success": levels("success"), "f1": levels("f1"),
                      "evaluations": max(r["evaluations"] for r in group),
                      "max_fes": group[0]["max_fes"],
                      "seconds": float(np.mean([r["seconds"] for r in group]))}
    return stats


def _table(header, lines):
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(line) + " |" for line in lines]
    return "\n".join(out)


def _methods(stats):
    return list(dict.fromkeys(method for method, _ in stats))


def niching_summary(rows):
    """The markdown summary: mean peak ratio per problem of every method run and every
    published entry; then per-accuracy peak ratio, success rate and static F1 of the runs."""
    stats = aggregate_niching(rows)
    methods = _methods(stats)
    problems = [p for p in niching_problems() if any((m, p.name) in stats for m in methods)]
    published = published_peak_ratios()
    labels = [_label(m) for m in methods] + list(published)
    lines, means = [], {label: [] for label in labels}
    for p in problems:
        cells = []
        for m, label in zip(methods, labels):
            value = stats[m, p.name]["peak_ratio"].mean() if (m, p.name) in stats else np.nan
            means[label].append(value)
            cells.append("—" if np.isnan(value) else f"{value:.3f}")
        for label, table in published.items():
            means[label].append(table[p.number - 1].mean())
            cells.append(f"{table[p.number - 1].mean():.3f}")
        lines.append([p.label, *cells])
    lines.append(["**mean**", *[f"**{np.nanmean(means[label]):.3f}**" for label in labels]])
    seen = {}
    for row in rows:
        seen.setdefault(row["method"], set()).add(int(row["seed"]))
    runs_text = "; ".join(
        f"{_label(m)}: {len(s)} runs per problem, seeds {min(s)} to {max(s)}"
        for m, s in seen.items())
    parts = ["# Benchmark: suite `cec2013-niching`", "",
             f"{runs_text}; each run within the problem's "
             "MaxFEs. Each cell: peak ratio averaged over the runs and the five accuracies "
             "1e-1 ... 1e-5 (the GECCO ranking's measure); published entries from their "
             "submitted archives, counted the same way.", "",
             _table(["problem", *labels], lines), ""]
    for m in methods:
        detail = []
        for p in problems:
            if (m, p.name) not in stats:
                continue
            s = stats[m, p.name]
            detail.append([p.label, *[f"{v:.3f}" for v in s["peak_ratio"]],
                           *[f"{v:.2f}" for v in s["success"]], f"{s['f1'].mean():.3f}",
                           f"{s['evaluations']}/{s['max_fes']}", f"{s['seconds']:.1f}"])
        f1_mean = np.mean([stats[m, p.name]["f1"].mean() for p in problems if (m, p.name) in stats])
        parts += [f"## {_label(m)} (`{m}`): mean static F1 {f1_mean:.3f}", "",
                  _table(["problem", *[f"PR {a:g}" for a in ACCURACIES],
                          *[f"SR {a:g}" for a in ACCURACIES], "F1", "evaluations (max)",
                          "s/run"], detail), ""]
    return "\n".join(parts)


def standing(rows, method):
    """Markdown: where ``method`` stands against the goals, problem by problem, with shortfalls."""
    stats = aggregate_niching(rows)
    reference = published_peak_ratios()["HillVallEA19 (GECCO 2019)"]
    problems = [p for p in niching_problems() if (method, p.name) in stats]
    mean_pr = np.mean([stats[method, p.name]["peak_ratio"].mean() for p in problems])
    mean_f1 = np.mean([stats[method, p.name]["f1"].mean() for p in problems])
    lines = [["mean peak ratio", f">= {GOAL_MEAN_PEAK_RATIO}", f"{mean_pr:.3f}",
              "met" if mean_pr >= GOAL_MEAN_PEAK_RATIO else f"short by {GOAL_MEAN_PEAK_RATIO - mean_pr:.3f}"],
             ["mean static F1", f">= {GOAL_MEAN_F1}", f"{mean_f1:.3f}",
              "met" if mean_f1 >= GOAL_MEAN_F1 else f"short by {GOAL_MEAN_F1 - mean_f1:.3f}"]]
    level = ACCURACIES.index(1e-4)
    for p in problems:
        value = stats[method, p.name]["peak_ratio"]
        if p.number <= 13:
            goal, got = GOAL_SIMPLE_PEAK_RATIO, value[level]
            what = f"{p.label}: PR at 1e-4"
        else:
            goal, got = reference[p.number - 1].mean(), value.mean()
            what = f"{p.label}: mean PR vs HillVallEA19"
        lines.append([what, f">= {goal:.3f}", f"{got:.3f}",
                      "met" if got >= goal - 1e-12 else f"short by {goal - got:.3f}"])
    return _table(["goal", "target", method, "verdict"], lines)


def peak_ratio_figure(rows, path):
    """Bars of the mean peak ratio per problem: every method run and every published entry."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    stats = aggregate_niching(rows)
    methods = _methods(stats)
    published = published_peak_ratios()
    series = {_label(m): [stats[m, f"F{n}"]["peak_ratio"].mean()
                                if (m, f"F{n}") in stats else np.nan for n in range(1, 21)]
              for m in methods}
    series.update({label: table.mean(axis=1) for label, table in published.items()})
    fig, ax = plt.subplots(figsize=(13, 5.5))
    width = 0.85 / len(series)
    for k, (label, values) in enumerate(series.items()):
        ax.bar(np.arange(1, 21) + (k - (len(series) - 1) / 2) * width, values, width,
               label=label, hatch=None if k < len(methods) else "//", alpha=0.9)
    ax.set_xticks(range(1, 21), [f"F{n}" for n in range(1, 21)])
    ax.set_ylabel("peak ratio (mean of 5 accuracies)")
    ax.set_ylim(0, 1.05)
    ax.set_title("CEC'2013 niching suite: peak ratio per problem")
    ax.legend(ncol=5, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.07))
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return str(path)


def write_niching_results(rows, out_dir, seeds=None, figures=True):
    """Write ``results.csv``, ``results.json``, ``summary.md`` (and ``peak_ratio.png``).

    Returns
    -------
    dict
        File name -> path.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {name: out / name for name in ("results.csv", "results.json", "summary.md")}
    keys = list(rows[0]) if rows else []
    with open(paths["results.csv"], "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=keys)
        writer.writeheader()
        writer.writerows(rows)
    stats = aggregate_niching(rows)
    document = {"metadata": {"suite": "cec2013-niching", "accuracies": list(ACCURACIES),
                             "seeds": list(seeds) if seeds else None},
                "rows": rows,
                "aggregate": [{"method": m, "problem": p, **s} for (m, p), s in stats.items()]}
    with open(paths["results.json"], "w") as handle:
        json.dump(to_plain(document, "results", standard=True), handle, indent=1)
    paths["summary.md"].write_text(niching_summary(rows))
    if figures and rows:
        paths["peak_ratio.png"] = Path(peak_ratio_figure(rows, out / "peak_ratio.png"))
    return {name: str(path) for name, path in paths.items()}

