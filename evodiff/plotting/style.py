"""The look shared by every figure: palette, markers, rc style, figure creation and saving.

Figures are drawn on a fresh :class:`matplotlib.figure.Figure` attached to
its own Agg canvas, so no pyplot state and no global backend is touched.
Method names are shown through :func:`evodiff.registry.method_label`, and
each built-in method keeps one colour and marker in every figure.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..registry import METHODS
from ..validation import check_real

__all__ = ["STYLE", "CMAP", "TRAJECTORY_COLOR", "FINAL_COLOR", "OPTIMUM_COLOR", "method_styles",
           "new_figure", "panel_grid", "panel_shape", "hide_unused", "save_figure", "check_dpi",
           "check_figsize"]

PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
           "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "<", ">", "h"]


#: rc settings of every figure: readable at 100 dpi, nothing smaller than 8 points.
STYLE = {
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "figure.titlesize": 11,
}

#: Colour map of the landscapes.
CMAP = "viridis"
TRAJECTORY_COLOR = "white"
FINAL_COLOR = "#e4002b"
OPTIMUM_COLOR = "#ffd700"


def method_styles(methods):
    """Colour and marker of every method of a figure.

    Parameters
    ----------
    methods : sequence of str
        Method names (or any series labels), in the order they are drawn.

    Returns
    -------
    dict
        ``{method: (colour, marker)}``.  Built-in methods keep their fixed
        slot of the palette; the others take the free slots in order.
    """
    styles = {}
    taken = set()
    for method in methods:
        spec = METHODS.get(method) if isinstance(method, str) else None
        if spec is not None and spec.style_slot is not None:
            index = spec.style_slot % len(PALETTE)
            styles[method] = (PALETTE[index], MARKERS[index % len(MARKERS)])
            taken.add(index)
    free = [i for i in range(len(PALETTE)) if i not in taken]
    position = 0
    for method in methods:
        if method not in styles:
            index = free[position % len(free)] if free else position % len(PALETTE)
            styles[method] = (PALETTE[index], MARKERS[index % len(MARKERS)])
            position += 1
    return styles


def new_figure(figsize):
    """A figure on its own Agg canvas, with constrained layout (no pyplot involved).

    Parameters
    ----------
    figsize : (float, float)
        Width and height in inches.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def panel_grid(fig, nrows, ncols, figsize, legend_height):
    """``nrows x ncols`` axes above a strip of ``legend_height`` inches for a legend.

    The legend gets an axes of its own (axis hidden) so that constrained
    layout keeps it clear of the panels on every matplotlib >= 3.6.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    nrows, ncols : int
    figsize : (float, float)
        The figure's size in inches.
    legend_height : float
        Height of the legend strip in inches.

    Returns
    -------
    axes : numpy.ndarray of Axes, shape (nrows, ncols)
    legend_ax : matplotlib.axes.Axes
    """
    panel_height = max(figsize[1] - legend_height, 0.5) / nrows
    grid = fig.add_gridspec(nrows + 1, ncols,
                            height_ratios=[panel_height] * nrows + [legend_height])
    axes = np.empty((nrows, ncols), dtype=object)
    for i in range(nrows):
        for j in range(ncols):
            axes[i, j] = fig.add_subplot(grid[i, j])
    legend_ax = fig.add_subplot(grid[nrows, :])
    legend_ax.set_axis_off()
    return axes, legend_ax


def panel_shape(count):
    """``(nrows, ncols)`` for ``count`` panels, at most 3 per row.

    Parameters
    ----------
    count : int
        Number of panels, >= 1.

    Returns
    -------
    (int, int)
    """
    ncols = min(3, count)
    return math.ceil(count / ncols), ncols


def hide_unused(axes, used):
    """Hide the axes after the first ``used`` of ``axes`` (in row-major order).

    Parameters
    ----------
    axes : numpy.ndarray of Axes
    used : int
    """
    for ax in axes.ravel()[used:]:
        ax.set_visible(False)


def save_figure(fig, path, dpi):
    """Save ``fig`` to ``path``, creating its folder.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    path : str or path-like
        Output file; the format follows its suffix.
    dpi : float

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi)
    return path


def check_dpi(dpi):
    """Return ``dpi`` as a positive finite float.

    Raises
    ------
    TypeError
        If ``dpi`` is not a number.
    ValueError
        If it is not positive and finite.
    """
    return check_real("dpi", dpi, minimum=0.0, strict=True)


def check_figsize(figsize, default):
    """Return ``figsize`` as a ``(width, height)`` pair of positive floats (inches).

    Parameters
    ----------
    figsize : pair of float or None
        ``None`` gives ``default``.
    default : (float, float)

    Returns
    -------
    (float, float)

    Raises
    ------
    TypeError
        If ``figsize`` is not a sequence of numbers.
    ValueError
        If it does not hold exactly two values, or one is not positive and finite.
    """
    if figsize is None:
        return default
    if isinstance(figsize, (str, bytes)) or not isinstance(figsize, Iterable):
        raise TypeError(f"figsize must be a pair (width, height) in inches; got {figsize!r}")
    values = list(figsize)
    if len(values) != 2:
        raise ValueError(f"figsize must hold two values (width, height); got {figsize!r}")
    width, height = (check_real(f"figsize[{i}]", v, minimum=0.0, strict=True)
                     for i, v in enumerate(values))
    return width, height
