"""The tables of the high-dimensional Rastrigin demo (:mod:`evodiff.demos.rastrigin_highdim`):
plain text for the terminal, a Markdown fragment for the docs, and the command that reruns it."""

from __future__ import annotations

import shlex

import numpy as np

from ..registry import method_label
from .rastrigin_highdim import SCRIPT, DiffusionSettings

__all__ = ["summary", "markdown_summary", "command_line"]


def _span(values):
    """``'low'`` or ``'low-high'`` of a list of evaluation counts."""
    low, high = min(values), max(values)
    return f"{low}" if low == high else f"{low}-{high}"


def _seed_count(results):
    return max((len(r.best) for by in results.values() for r in by.values()), default=0)


def _early_stop_notes(results, marker):
    """One line per method and dimension that stopped before the budget."""
    notes = []
    for dim, by_method in results.items():
        for r in by_method.values():
            if r.early_stops:
                stops = "; ".join(f"seed {s}: {r.messages[s]}" for s in r.early_stops)
                notes.append(f"{marker} D={dim} {r.label} stopped before the budget ({stops})")
    return notes


def summary(results, budget, popsize, settings=None):
    """A plain-text table of :func:`run`'s results.

    Parameters
    ----------
    results : dict
        ``{dim: {method: MethodResult}}`` from :func:`run`.
    budget, popsize : int
        The budget and population size of the runs (for the header).
    settings : DiffusionSettings, optional
        The Diffusion Evolution settings of the runs (for the header).

    Returns
    -------
    str
    """
    settings = settings or DiffusionSettings()
    lines = [
        f"Shifted Rastrigin, [-5.12, 5.12]^D, minimum 0; {budget} evaluations per run "
        f"(population {popsize} x {budget // popsize} generations), {_seed_count(results)} seeds",
        f"Diffusion Evolution: noise {settings.noise:g}, rank strength {settings.rank_strength:g}, "
        f"latent dimension {settings.latent_dim} (latent variant)",
        "best: res.fun, median [min, max] over seeds; final: value of the final estimates "
        "(median over seeds);",
        "evaluations: res.nfev, the mode evaluations at the end included; s/run: median seconds",
        f"  {'D':>4}  {'method':<27} {'median best':>12} {'[min, max]':>22} {'final':>10} "
        f"{'evaluations':>12} {'s/run':>6}",
    ]
    for dim, by_method in results.items():
        for r in by_method.values():
            flag = "*" if r.early_stops else " "
            lines.append(
                f"  {dim:>4}  {r.label:<27} {r.median_best:>12.2f} "
                f"{f'[{min(r.best):.2f}, {max(r.best):.2f}]':>22} {r.median_final:>10.2f} "
                f"{_span(r.evaluations):>12}{flag}{float(np.median(r.seconds)):>6.2f}")
    return "\n".join(lines + _early_stop_notes(results, "  *"))


def _short(value):
    """A score for the compact table: whole numbers from 100 up, three digits below."""
    return f"{value:.0f}" if abs(value) >= 100 else f"{value:.3g}"


def command_line(dims=(32, 256), seeds=3, budget=12800, popsize=256, settings=None,
                 markdown=None):
    """The command line of ``demos/rastrigin_highdim.py`` that runs these settings.

    Only the options that differ from the defaults are written, so the
    default run is ``python demos/rastrigin_highdim.py``.

    Parameters
    ----------
    dims, seeds, budget, popsize, settings
        As for :func:`main`.
    markdown : str or pathlib.Path, optional
        Path of the Markdown fragment (the ``--markdown`` option).

    Returns
    -------
    str
    """
    settings = settings or DiffusionSettings()
    argv = ["python", SCRIPT]
    if tuple(dims) != (32, 256):
        argv += ["--dims", *(str(d) for d in dims)]
    for option, value, default in (("--seeds", seeds, 3), ("--budget", budget, 12800),
                                   ("--popsize", popsize, 256)):
        if value != default:
            argv += [option, str(value)]
    if settings == DiffusionSettings.library_defaults():
        argv.append("--library-defaults")
    else:
        for option, value, default in zip(("--noise", "--rank-strength", "--latent-dim"),
                                          (settings.noise, settings.rank_strength,
                                           settings.latent_dim),
                                          (1.0, 100.0, 2)):
            if value != default:
                argv += [option, str(value)]
    if markdown is not None:
        argv += ["--markdown", str(markdown)]
    return shlex.join(argv)


def markdown_summary(results, budget, popsize, settings=None, command=None):
    """The results as a MyST Markdown fragment for the documentation.

    A comparison table (one row per dimension, one column per method: median
    best value and ``[min, max]`` over the seeds, the best median in bold),
    then a table of the value of the final estimates and of the evaluations.
    Wall times are left out, so that the same run writes the same fragment.

    Parameters
    ----------
    results : dict
        ``{dim: {method: MethodResult}}`` from :func:`run`.
    budget, popsize : int
        The budget and population size of the runs.
    settings : DiffusionSettings, optional
        The Diffusion Evolution settings of the runs.
    command : str, optional
        The command that wrote the fragment, named in it.

    Returns
    -------
    str
    """
    settings = settings or DiffusionSettings()
    seeds = _seed_count(results)
    methods = list(dict.fromkeys(m for by in results.values() for m in by))
    blocks = []
    if command is not None:
        blocks.append(f"% Written by `{command}`; regenerate it with that command, "
                      "do not edit it by hand.")
    blocks.append(
        f"Shifted Rastrigin, minimum 0; {budget:,} evaluations per run (population {popsize} x "
        f"{budget // popsize} generations), seeds 0 to {seeds - 1}; Diffusion Evolution with "
        f"`noise={settings.noise:g}` and `Rank({settings.rank_strength:g})`, latent dimension "
        f"{settings.latent_dim}.  Median best value (`res.fun`) over the seeds, [min, max] in "
        "brackets; the best median of each dimension in bold.")
    rows = ["| D | " + " | ".join(method_label(m) for m in methods) + " |",
            "|---:|" + "---:|" * len(methods)]
    for dim, by_method in results.items():
        best = min(r.median_best for r in by_method.values())
        cells = []
        for method in methods:
            r = by_method.get(method)
            if r is None:
                cells.append("")
                continue
            median = _short(r.median_best)
            median = f"**{median}**" if r.median_best == best else median
            stop = "*" if r.early_stops else ""
            cells.append(f"{median}{stop} [{_short(min(r.best))}, {_short(max(r.best))}]")
        rows.append(f"| {dim} | " + " | ".join(cells) + " |")
    blocks.append("\n".join(rows))
    details = ["| D | method | median best | [min, max] | final | evaluations |",
               "|---:|---|---:|---:|---:|---:|"]
    for dim, by_method in results.items():
        for r in by_method.values():
            details.append(f"| {dim} | {r.label} | {r.median_best:.2f} | "
                           f"[{min(r.best):.2f}, {max(r.best):.2f}] | {r.median_final:.2f} | "
                           f"{_span(r.evaluations)} |")
    blocks.append("Final: value of the final estimates (the mean over the x0 estimates for "
                  "Diffusion Evolution, the value at the final mean for the evolution "
                  "strategies), median over the seeds.  Evaluations: `res.nfev`, the evaluations "
                  "of the modes' centres at the end included.")
    blocks.append("\n".join(details))
    blocks.extend(_early_stop_notes(results, "\\*"))
    if command is not None:
        blocks.append(f"*Made by `{command}`.*")
    return "\n\n".join(blocks) + "\n"
