"""Benchmark summaries: objective against generation, and diversity against quality.

:func:`convergence` summarises benchmark traces over seeds and
:func:`entropy_fitness_scatter` places runs by the entropy and fitness of
their final points.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from numbers import Real

import matplotlib
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from ..registry import method_label
from ..validation import check_bool, check_choice
from .style import (
    STYLE,
    check_dpi,
    check_figsize,
    hide_unused,
    method_styles,
    new_figure,
    panel_grid,
    panel_shape,
    save_figure,
)
from .traces import seed_curves

__all__ = ["convergence", "entropy_fitness_scatter"]

_BANDS = {"iqr": (0.25, 0.75, "25-75 % over seeds"), "minmax": (0.0, 1.0, "min-max over seeds")}


def _stack(curves):
    """Stack curves of unequal length into (seeds, G) with NaN after each curve's end."""
    length = max(c.size for c in curves)
    out = np.full((len(curves), length), np.nan)
    for s, c in enumerate(curves):
        out[s, : c.size] = c
    return out


def _nanquantile(values, q):
    # Columns past the end of every seed are all-NaN; their quantile is NaN, silently.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanquantile(values, q, axis=0)


# -- convergence ----------------------------------------------------------------------------


def _collect_traces(traces_by_key):
    """Methods and problems in first-seen order, and the checked curves of every key."""
    if not isinstance(traces_by_key, Mapping):
        raise TypeError(f"traces_by_key must be a mapping (method, problem) -> traces; "
                        f"got {type(traces_by_key).__name__}")
    if not traces_by_key:
        raise ValueError("traces_by_key must be a non-empty mapping (method, problem) -> traces")
    methods, problems, data = [], [], {}
    for key, value in traces_by_key.items():
        if not (isinstance(key, tuple) and len(key) == 2 and all(isinstance(k, str) for k in key)):
            raise TypeError(f"traces_by_key keys must be (method, problem_name) string pairs, "
                            f"got {key!r}")
        data[key] = seed_curves(value, f"traces_by_key[{key!r}]")
        methods += [key[0]] if key[0] not in methods else []
        problems += [key[1]] if key[1] not in problems else []
    return methods, problems, data


def _draw_method(ax, runs, color, band):
    """Median and band of the seeds' best values, and median of their medians (drawn curves)."""
    low_q, high_q, _ = _BANDS[band]
    best = _stack([r[0] for r in runs])
    generations = np.arange(1, best.shape[1] + 1)
    centre = _nanquantile(best, 0.5)
    lower, upper = _nanquantile(best, low_q), _nanquantile(best, high_q)
    ax.fill_between(generations, lower, upper, color=color, alpha=0.2, lw=0)
    ax.plot(generations, centre, color=color, lw=1.6)
    drawn = [centre, lower, upper]
    medians = [r[1] for r in runs if r[1] is not None]
    if medians:
        med = _nanquantile(_stack(medians), 0.5)
        ax.plot(np.arange(1, med.size + 1), med, color=color, lw=1.2, ls="--")
        drawn.append(med)
    return drawn


def _value_scale(ax, drawn):
    """Log axis for positive values, else symlog with a threshold at most ~6 decades down."""
    values = np.concatenate([v[np.isfinite(v)] for v in drawn]) if drawn else np.array([])
    if not values.size:
        return
    if np.all(values > 0):
        ax.set_yscale("log")
        return
    nonzero = np.abs(values[values != 0])
    linthresh = 1.0
    if nonzero.size:
        smallest = max(nonzero.min(), 1e-6 * nonzero.max())
        linthresh = 10.0 ** math.floor(math.log10(smallest))
    ax.set_yscale("symlog", linthresh=linthresh)


def _seeds_text(counts):
    counts = sorted(counts)
    if len(counts) == 1:
        return f"{counts[0]} seed" + ("s" if counts[0] != 1 else "")
    return f"{counts[0]}-{counts[-1]} seeds"


def _convergence_legend(legend_ax, methods, styles, seeds_of, band):
    handles = [Line2D([], [], color=styles[m][0], lw=2.5,
                      label=f"{method_label(m)} ({_seeds_text(seeds_of.get(m, ()))})")
               for m in methods]
    handles.append(Line2D([], [], color="0.3", lw=1.6,
                          label=f"best of generation (median, band {_BANDS[band][2]})"))
    handles.append(Line2D([], [], color="0.3", lw=1.2, ls="--",
                          label="population median (median over seeds)"))
    legend_ax.legend(handles=handles, loc="center", ncols=2, frameon=False)


def convergence(traces_by_key, path, log=True, *, band="iqr", figsize=None, dpi=100):
    """Objective against generation: one panel per problem, one colour per method.

    For every (method, problem) the solid line is the median over seeds of
    the per-generation best value, with a shaded band over seeds, and the
    dashed line the median over seeds of the per-generation population
    median.  Seeds whose runs stopped early count only while they ran.

    Parameters
    ----------
    traces_by_key : mapping
        ``traces_by_key[(method, problem_name)]`` is a list of trace dicts
        (one per seed) with ``"best"`` and, optionally, ``"median"`` arrays
        of shape (G,); a single dict counts as one seed.
    path : str or path-like
        Output file (PNG normally).
    log : bool, default True
        Logarithmic y axis when every plotted value of a panel is positive,
        else a symmetric-log axis; ``False`` gives a linear axis.
    band : {'iqr', 'minmax'}, default 'iqr'
        Shaded band of the best value: 25-75 % quantiles or min-max over seeds.
    figsize : (float, float), optional
        Default ``(4.4 * ncols, 3.4 * nrows + h)`` with at most 3 panels
        per row and ``h = 0.25 * ceil((n_methods + 2) / 2) + 0.15`` inches
        for the legend.
    dpi : float, default 100

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    TypeError
        If ``traces_by_key`` is not a mapping, a key is not a
        ``(method, problem_name)`` pair of strings, a trace is not a dict
        or an option has the wrong kind; the message names it.
    ValueError
        If ``traces_by_key`` or a list of traces is empty, a trace has no
        1-D ``"best"`` array, or ``band`` is unknown.
    """
    methods, problems, data = _collect_traces(traces_by_key)
    log = check_bool("log", log)
    band = check_choice("band", band, tuple(_BANDS))
    dpi = check_dpi(dpi)
    styles = method_styles(methods)
    nrows, ncols = panel_shape(len(problems))
    legend_height = 0.25 * math.ceil((len(methods) + 2) / 2) + 0.15
    figsize = check_figsize(figsize, (4.4 * ncols, 3.4 * nrows + legend_height))

    with matplotlib.rc_context(STYLE):
        fig = new_figure(figsize)
        axes, legend_ax = panel_grid(fig, nrows, ncols, figsize, legend_height)
        hide_unused(axes, len(problems))
        seeds_of = {}
        for ax, problem in zip(axes.ravel(), problems):
            drawn = []
            for method in methods:
                runs = data.get((method, problem))
                if runs is not None:
                    seeds_of.setdefault(method, set()).add(len(runs))
                    drawn += _draw_method(ax, runs, styles[method][0], band)
            if log:
                _value_scale(ax, drawn)
            ax.set_title(problem)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_xlabel("generation")
            ax.set_ylabel("objective")
            ax.grid(alpha=0.3, which="major")
        _convergence_legend(legend_ax, methods, styles, seeds_of, band)
        return save_figure(fig, path, dpi)


# -- entropy_fitness_scatter ----------------------------------------------------------------

_ROW_KEYS = ("method", "problem", "entropy", "fitness")


def _row_number(row, field, r):
    value = row[field]
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"rows[{r}]['{field}'] must be a real number, got {value!r}")
    return float(value)


def _scatter_rows(rows):
    """Methods and problems in first-seen order, and the finite (method, problem, e, f) points."""
    if isinstance(rows, (Mapping, str, bytes)) or not isinstance(rows, Sequence):
        raise TypeError(f"rows must be a list of dicts (method, problem, entropy, fitness); "
                        f"got {type(rows).__name__}")
    if len(rows) == 0:
        raise ValueError("rows must be a non-empty list of dicts (method, problem, entropy, "
                         "fitness)")
    methods, problems, points = [], [], []
    for r, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise TypeError(f"rows[{r}] must be a dict, got {type(row).__name__}")
        missing = [k for k in _ROW_KEYS if k not in row]
        if missing:
            raise ValueError(f"rows[{r}] lacks the key(s) {', '.join(map(repr, missing))}")
        values = [_row_number(row, "entropy", r), _row_number(row, "fitness", r)]
        method, problem = str(row["method"]), str(row["problem"])
        methods += [method] if method not in methods else []
        problems += [problem] if problem not in problems else []
        if all(math.isfinite(v) for v in values):
            points.append((method, problem, *values))
    return methods, problems, points


def _scatter_panel(ax, problem, methods, styles, points):
    for method in methods:
        mine = [(e, f) for m, q, e, f in points if m == method and q == problem]
        if mine:
            color, marker = styles[method]
            ax.scatter([e for e, _ in mine], [f for _, f in mine], c=color, marker=marker, s=30,
                       alpha=0.8, edgecolors="black", linewidths=0.4)
    ax.set_title(problem)
    ax.set_xlabel("entropy of final points (bits)")
    ax.set_ylabel("mean normalised fitness")
    ax.grid(alpha=0.3)


def entropy_fitness_scatter(rows, path, *, figsize=None, dpi=100):
    """Diversity against quality: entropy of the final points vs normalised fitness.

    Parameters
    ----------
    rows : sequence of mapping
        One dict per run with keys ``"method"`` (str), ``"problem"`` (str),
        ``"entropy"`` (bits) and ``"fitness"`` (mean normalised fitness).
        Runs with a non-finite entropy or fitness are left out.
    path : str or path-like
        Output file (PNG normally).
    figsize : (float, float), optional
        Default ``(4.0 * ncols, 3.4 * nrows + 0.4)`` with at most 3 panels
        per row.
    dpi : float, default 100

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    TypeError
        If ``rows`` is not a list of dicts, or an entropy or fitness is not
        a real number; the message names the row.
    ValueError
        If ``rows`` is empty or a row lacks a key.
    """
    methods, problems, points = _scatter_rows(rows)
    dpi = check_dpi(dpi)
    styles = method_styles(methods)
    nrows, ncols = panel_shape(len(problems))
    figsize = check_figsize(figsize, (4.0 * ncols, 3.4 * nrows + 0.4))

    with matplotlib.rc_context(STYLE):
        fig = new_figure(figsize)
        axes, legend_ax = panel_grid(fig, nrows, ncols, figsize, legend_height=0.3)
        hide_unused(axes, len(problems))
        for ax, problem in zip(axes.ravel(), problems):
            _scatter_panel(ax, problem, methods, styles, points)
        handles = [Line2D([], [], ls="", marker=styles[m][1], markersize=6,
                          markerfacecolor=styles[m][0], markeredgecolor="black",
                          markeredgewidth=0.4, label=method_label(m)) for m in methods]
        legend_ax.legend(handles=handles, loc="center", ncols=min(5, len(handles)),
                         frameon=False)
        return save_figure(fig, path, dpi)
