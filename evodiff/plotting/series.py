"""Plain labelled lines: a value per generation of several methods, or any x-y series.

The demos use :func:`series_plot` for their per-generation returns and the
benchmarks for parameter sweeps; it draws like the rest of the package, on
an Agg canvas with the package's style and method colours.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from numbers import Real

import matplotlib
import numpy as np
from matplotlib.ticker import MaxNLocator

from ..registry import method_label
from ..validation import check_bool, check_real
from .style import (
    STYLE,
    check_dpi,
    check_figsize,
    hide_unused,
    method_styles,
    new_figure,
    panel_shape,
    save_figure,
)
from .traces import float_array

__all__ = ["series_plot"]


def _line(value, argname):
    arr = float_array(value, argname, "(G,)", allow_none=False)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{argname} must have shape (G,) with G >= 1, got shape {arr.shape}")
    return arr


def _series(value, argname):
    """``(x, y)`` of a line (x None for a horizontal reference line at the number y)."""
    if isinstance(value, tuple):
        if len(value) != 2:
            raise ValueError(f"{argname} must be a pair (x, y); got {len(value)} entries")
        x, y = _line(value[0], f"{argname}[0]"), _line(value[1], f"{argname}[1]")
        if x.size != y.size:
            raise ValueError(f"{argname} must have x and y of one length; "
                             f"got {x.size} and {y.size}")
        return x, y
    if isinstance(value, Real) and not isinstance(value, bool):
        return None, check_real(argname, value)
    y = _line(value, argname)
    return np.arange(1, y.size + 1), y


def _collect_panels(panels):
    """``{title: {label: (x, y)}}`` with every series checked."""
    if not isinstance(panels, Mapping):
        raise TypeError(f"panels must be a mapping title -> {{label: values}}; "
                        f"got {type(panels).__name__}")
    if not panels:
        raise ValueError("panels must hold at least one panel")
    checked = {}
    for title, series in panels.items():
        if not isinstance(title, str) or not isinstance(series, Mapping):
            raise TypeError(f"panels must map str titles to mappings of series; "
                            f"got {title!r}: {type(series).__name__}")
        for label in series:
            if not isinstance(label, str):
                raise TypeError(f"panels[{title!r}] labels must be strings; got {label!r}")
        checked[title] = {label: _series(v, f"panels[{title!r}][{label!r}]")
                          for label, v in series.items()}
    return checked


def _check_text(name, value):
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string; got {value!r}")
    return value


def _check_ylim(ylim):
    if ylim is None:
        return None
    if isinstance(ylim, (str, bytes)) or not isinstance(ylim, Sequence):
        raise TypeError(f"ylim must be a pair (low, high); got {ylim!r}")
    if len(ylim) != 2:
        raise ValueError(f"ylim must hold two values (low, high); got {ylim!r}")
    low, high = (check_real(f"ylim[{i}]", v) for i, v in enumerate(ylim))
    if not low < high:
        raise ValueError(f"ylim must have low < high; got {ylim!r}")
    return low, high


def _series_panel(ax, title, series, styles, options):
    """Draw one panel's lines (markers per series) and reference lines (dashed)."""
    for label, (x, y) in series.items():
        color, marker = styles[label]
        if x is None:
            ax.axhline(y, color=color, ls="--", lw=1.2, label=method_label(label))
        else:
            ax.plot(x, y, color=color, marker=marker, markersize=4, lw=1.4,
                    label=method_label(label))
    if options["log"]:
        ax.set_yscale("log")
    if options["log_x"] is not None:
        ax.set_xscale("log", base=options["log_x"])
    elif all(x is None or np.all(x == np.arange(1, x.size + 1)) for x, _ in series.values()):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if options["ylim"] is not None:
        ax.set_ylim(*options["ylim"])
    ax.set_title(title)
    ax.set_xlabel(options["xlabel"])
    ax.set_ylabel(options["ylabel"])
    ax.grid(alpha=0.3, which="both")
    if series:
        ax.legend(loc="best", framealpha=0.85)


def series_plot(panels, path, *, xlabel="generation", ylabel="value", log=False, log_x=None,
                ylim=None, figsize=None, dpi=100):
    """Labelled lines, e.g. a value per generation of several methods, one panel per title.

    Series are labelled through :func:`evodiff.registry.method_label`, so a
    registered method name (``"latent-diffevo"``) shows its display name and
    its usual colour; any other label is shown as given.

    Parameters
    ----------
    panels : mapping
        ``panels[title][label]`` is one series of the panel ``title``: an
        array of shape (G,), drawn against generations 1..G; a tuple
        ``(x, y)`` of two arrays of one length; or a number, drawn as a
        dashed horizontal reference line.  Panels are laid out in rows of
        at most 3; a panel may hold no series.
    path : str or path-like
        Output file (PNG normally).
    xlabel, ylabel : str, default 'generation', 'value'
        Axis labels of every panel.
    log : bool, default False
        Logarithmic y axis (non-positive values cannot be shown).
    log_x : float, optional
        Base (> 1) of a logarithmic x axis, e.g. 2; linear by default.
    ylim : (float, float), optional
        Limits of the y axis (default: fitted to the data).
    figsize : (float, float), optional
        Default ``(6.0 * ncols, 4.0 * nrows)``.
    dpi : float, default 100

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    TypeError
        If an argument has the wrong kind (``panels`` not a mapping of
        mappings, a label not a string, values not numeric, ...); the
        message names it.
    ValueError
        If ``panels`` is empty, a series is empty, not 1-D or its x and y
        differ in length, or an option is out of range.

    Examples
    --------
    >>> from evodiff.plotting import series_plot
    >>> series_plot({"returns": {"diffevo": [9.0, 20.0, 35.0], "goal": 30.0}},
    ...             "returns.png", ylabel="median return")  # doctest: +SKIP
    PosixPath('returns.png')
    """
    panels = _collect_panels(panels)
    options = {"xlabel": _check_text("xlabel", xlabel), "ylabel": _check_text("ylabel", ylabel),
               "log": check_bool("log", log), "ylim": _check_ylim(ylim),
               "log_x": None if log_x is None else check_real("log_x", log_x, minimum=1.0,
                                                              strict=True)}
    dpi = check_dpi(dpi)
    labels = list(dict.fromkeys(label for series in panels.values() for label in series))
    styles = method_styles(labels)
    nrows, ncols = panel_shape(len(panels))
    figsize = check_figsize(figsize, (6.0 * ncols, 4.0 * nrows))
    with matplotlib.rc_context(STYLE):
        fig = new_figure(figsize)
        axes = np.array(fig.subplots(nrows, ncols, squeeze=False))
        hide_unused(axes, len(panels))
        for ax, (title, series) in zip(axes.ravel(), panels.items()):
            _series_panel(ax, title, series, styles, options)
        return save_figure(fig, path, dpi)
