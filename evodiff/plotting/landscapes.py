"""Two-dimensional fitness landscapes: one panel, a grid of methods x problems, and a GIF.

Problems are :class:`evodiff.problems.Problem` objects in two dimensions,
or names of evodiff problems (built with ``get_problem(name, dim=2)``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.cm import ScalarMappable
from matplotlib.lines import Line2D

from ..registry import method_label
from ..validation import check_bool, check_choice, check_int, check_real
from .problem2d import Problem2D, landscape_norm
from .style import (
    CMAP,
    FINAL_COLOR,
    OPTIMUM_COLOR,
    STYLE,
    TRAJECTORY_COLOR,
    check_dpi,
    check_figsize,
    new_figure,
    panel_grid,
    save_figure,
)
from .traces import first_trace, points_array, positions_array

__all__ = ["landscape", "landscape_grid", "population_gif"]

_COLOR_SCALES = ("auto", "linear", "log")


def _check_resolution(resolution):
    return check_int("resolution", resolution, minimum=2)


def _show_values(ax, prob, values, norm):
    return ax.imshow(values, origin="lower", extent=prob.extent, aspect="auto", cmap=CMAP,
                     norm=norm, interpolation="bilinear")


def _frame(ax, prob):
    """Axis limits and labels of a landscape panel."""
    ax.set_xlim(prob.lower[0], prob.upper[0])
    ax.set_ylim(prob.lower[1], prob.upper[1])
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")


def _draw_landscape(ax, prob, resolution, color_scale):
    """Draw the objective as an image on ``ax``; return the image (for a colour bar)."""
    values = prob.grid(resolution)
    image = _show_values(ax, prob, values, landscape_norm(values, prob.sense, color_scale))
    _frame(ax, prob)
    return image


def _draw_optima(ax, prob):
    ax.scatter(prob.optima[:, 0], prob.optima[:, 1], marker="*", s=70, c=OPTIMUM_COLOR,
               edgecolors="black", linewidths=0.6, zorder=4, label="known optima")


def _draw_trajectories(ax, positions):
    """One thin line per tracked individual through its generations."""
    for i in range(positions.shape[1]):
        ax.plot(positions[:, i, 0], positions[:, i, 1], color=TRAJECTORY_COLOR, lw=0.6,
                alpha=0.45, zorder=2)


def _draw_points(ax, points, label="final points"):
    ax.scatter(points[:, 0], points[:, 1], s=16, c=FINAL_COLOR, edgecolors="white",
               linewidths=0.5, zorder=5, label=label)


def landscape(problem, path, points=None, *, trajectories=None, resolution=200, title=None,
              color_scale="auto", show_optima=True, figsize=None, dpi=100):
    """Plot one 2-D fitness landscape, optionally with points and trajectories.

    Parameters
    ----------
    problem : Problem or str
        A 2-D :class:`~evodiff.problems.Problem`, or the name of one.
    path : str or path-like
        Output file; the format follows its suffix (PNG normally).
    points : array_like, shape (M, 2), optional
        Points drawn as markers, e.g. final solutions.
    trajectories : array_like, shape (G, N, 2), optional
        Positions of N individuals over G generations, drawn as thin lines.
    resolution : int, default 200
        Grid points per axis for the landscape, >= 2.
    title : str, optional
        Panel title (default: the problem's name).
    color_scale : {'auto', 'linear', 'log'}, default 'auto'
        ``'auto'`` uses a logarithmic colour scale for non-negative
        minimisation landscapes whose range is wide (maximum more than five
        times the median, both measured from the minimum).
    show_optima : bool, default True
        Mark the problem's known global optima.
    figsize : (float, float), default (5.0, 4.2)
        Figure size in inches.
    dpi : float, default 100

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    TypeError
        If an argument has the wrong kind (e.g. the problem is neither a
        Problem nor a name); the message names the argument.
    ValueError
        If the problem is not 2-D, ``points`` or ``trajectories`` have the
        wrong shape, or an option is out of range.
    """
    prob = Problem2D(problem, "problem")
    points = points_array(points, "points")
    trajectories = positions_array(trajectories, "trajectories")
    resolution = _check_resolution(resolution)
    color_scale = check_choice("color_scale", color_scale, _COLOR_SCALES)
    show_optima = check_bool("show_optima", show_optima)
    dpi = check_dpi(dpi)
    figsize = check_figsize(figsize, (5.0, 4.2))
    with matplotlib.rc_context(STYLE):
        fig = new_figure(figsize)
        ax = fig.add_subplot()
        image = _draw_landscape(ax, prob, resolution, color_scale)
        fig.colorbar(image, ax=ax, label="objective")
        if trajectories is not None:
            _draw_trajectories(ax, trajectories)
        if show_optima:
            _draw_optima(ax, prob)
        if points is not None:
            _draw_points(ax, points)
        ax.set_title(prob.name if title is None else title)
        if points is not None or show_optima:
            ax.legend(loc="upper right", framealpha=0.85)
        return save_figure(fig, path, dpi)


# -- landscape_grid -------------------------------------------------------------------------


def _check_names(value, argname, what):
    """A non-empty sequence of strings (methods or titles) as a list."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise TypeError(f"{argname} must be a sequence of {what}; got {value!r}")
    if not all(isinstance(v, str) for v in value):
        raise TypeError(f"{argname} must hold strings; got {list(value)!r}")
    return list(value)


def _grid_problems(problems):
    if isinstance(problems, (str, bytes)) or not isinstance(problems, Sequence):
        raise TypeError(f"problems must be a sequence of problems; got {problems!r}")
    if not problems:
        raise ValueError("problems must be a non-empty sequence of problems")
    return [Problem2D(p, f"problems[{j}]") for j, p in enumerate(problems)]


def _grid_titles(titles, probs):
    if titles is None:
        return [p.name for p in probs]
    titles = _check_names(titles, "titles", "strings")
    if len(titles) != len(probs):
        raise ValueError(f"titles must be a sequence of {len(probs)} strings, got {titles!r}")
    return titles


def _grid_panels(traces, methods, probs):
    """``{(method, problem name): (positions, final)}``, every trace checked before drawing."""
    if not isinstance(traces, Mapping):
        raise TypeError(f"traces must be a mapping (method, problem name) -> trace, "
                        f"got {type(traces).__name__}")
    panels = {}
    for method in methods:
        for prob in probs:
            key = (method, prob.name)
            found = first_trace(traces[key], f"traces[{key!r}]") if key in traces else None
            if found is not None:
                trace, argname = found
                panels[key] = (positions_array(trace.get("positions"), f"{argname}['positions']"),
                               points_array(trace.get("final"), f"{argname}['final']"))
    return panels


def _draw_run(ax, prob, values, norm, panel, show_optima):
    """Landscape, trajectories, optima and final points of one run."""
    _show_values(ax, prob, values, norm)
    positions, final = panel
    if positions is not None:
        _draw_trajectories(ax, positions)
    if show_optima:
        _draw_optima(ax, prob)
    if final is not None:
        _draw_points(ax, final)


def _draw_not_run(ax):
    ax.set_facecolor("0.93")
    ax.text(0.5, 0.5, "not run", transform=ax.transAxes, ha="center", va="center",
            fontsize=12, color="0.3")


def _label_panel(ax, i, j, nrows, title, method):
    """Titles on the top row, method names left of the first column, x labels at the bottom."""
    if i == 0:
        ax.set_title(title, fontweight="bold")
    if i < nrows - 1:
        ax.set_xlabel("")
        ax.tick_params(labelbottom=False)
    if j == 0:
        ax.annotate(method_label(method), xy=(0, 0.5), xycoords=ax.yaxis.label, xytext=(-6, 0),
                    textcoords="offset points", rotation=90, ha="right", va="center",
                    fontsize=10, fontweight="bold")


def _grid_legend(legend_ax, show_optima):
    handles = [Line2D([], [], color="0.45", lw=1.0,
                      label="trajectory of a tracked individual (white)"),
               Line2D([], [], marker="o", ls="", markersize=5, markerfacecolor=FINAL_COLOR,
                      markeredgecolor="white", label="final points")]
    if show_optima:
        handles.append(Line2D([], [], marker="*", ls="", markersize=9,
                              markerfacecolor=OPTIMUM_COLOR, markeredgecolor="black",
                              label="known optima"))
    legend_ax.legend(handles=handles, loc="center", ncols=len(handles), frameon=False)


def landscape_grid(problems, methods, traces, path, resolution=200, titles=None, *,
                   color_scale="auto", show_optima=True, figsize=None, dpi=100):
    """Trajectories of several methods on several 2-D landscapes (the paper's Figure 3).

    Rows are methods and columns problems.  Each panel shows the problem's
    landscape (one colour bar per column, labelled "objective"), the
    trajectories of the tracked individuals as thin light lines, the final
    points as red markers and the known optima as yellow stars.

    Parameters
    ----------
    problems : sequence of Problem or str
        The 2-D problems, one per column, or their names.
    methods : sequence of str
        Method names, one per row, shown with their display names
        (:func:`evodiff.registry.method_label`).
    traces : mapping
        ``traces[(method, problem.name)]`` is a trace dict (its
        ``"positions"``, shape (G, N, 2), and ``"final"``, shape (M, 2), are
        used; either may be None) or a list of such dicts over seeds, of
        which the first is drawn.  A missing key gives an empty panel marked
        "not run".
    path : str or path-like
        Output file (PNG normally).
    resolution : int, default 200
        Grid points per axis for each landscape, >= 2.
    titles : sequence of str, optional
        Column titles (default: the problem names).
    color_scale : {'auto', 'linear', 'log'}, default 'auto'
        See :func:`landscape`.
    show_optima : bool, default True
        Mark each problem's known global optima.
    figsize : (float, float), optional
        Default ``(max(3.6 * len(problems) + 0.4, 6.4), 3.0 * len(methods) + 0.3)``.
    dpi : float, default 100

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    TypeError
        If an argument has the wrong kind (a problem that is neither a
        Problem nor a name, ``methods`` not a sequence of strings, a trace
        that is not a dict, ...); the message names it.
    ValueError
        If a problem is unknown or not 2-D, ``problems``, ``methods`` or
        ``titles`` have the wrong length, a trace's positions or final
        points have the wrong shape, or an option is out of range.
    """
    probs = _grid_problems(problems)
    methods = _check_names(methods, "methods", "method names")
    if not methods:
        raise ValueError("methods must be a non-empty sequence of method names")
    titles = _grid_titles(titles, probs)
    resolution = _check_resolution(resolution)
    color_scale = check_choice("color_scale", color_scale, _COLOR_SCALES)
    show_optima = check_bool("show_optima", show_optima)
    dpi = check_dpi(dpi)
    nrows, ncols = len(methods), len(probs)
    figsize = check_figsize(figsize, (max(3.6 * ncols + 0.4, 6.4), 3.0 * nrows + 0.3))
    panels = _grid_panels(traces, methods, probs)

    with matplotlib.rc_context(STYLE):
        fig = new_figure(figsize)
        axes, legend_ax = panel_grid(fig, nrows, ncols, figsize, legend_height=0.3)
        for j, prob in enumerate(probs):
            values = prob.grid(resolution)
            norm = landscape_norm(values, prob.sense, color_scale)
            for i, method in enumerate(methods):
                ax = axes[i, j]
                _frame(ax, prob)
                panel = panels.get((method, prob.name))
                if panel is not None:
                    _draw_run(ax, prob, values, norm, panel, show_optima)
                else:
                    _draw_not_run(ax)
                _label_panel(ax, i, j, nrows, titles[j], method)
            fig.colorbar(ScalarMappable(norm=norm, cmap=CMAP), ax=list(axes[:, j]),
                         label="objective", aspect=20 * nrows)
        _grid_legend(legend_ax, show_optima)
        return save_figure(fig, path, dpi)


# -- population_gif -------------------------------------------------------------------------


def _render_frames(prob, positions, final, resolution, color_scale, show_optima, figsize, dpi):
    """One quantised RGB image per generation."""
    from PIL import Image

    generations = positions.shape[0]
    frames = []
    with matplotlib.rc_context(STYLE):
        fig = new_figure(figsize)
        fig.set_dpi(dpi)
        ax = fig.add_subplot()
        image = _draw_landscape(ax, prob, resolution, color_scale)
        fig.colorbar(image, ax=ax, label="objective")
        if show_optima:
            _draw_optima(ax, prob)
        population = ax.scatter(positions[0, :, 0], positions[0, :, 1], s=9, c="white",
                                edgecolors="black", linewidths=0.3, zorder=3)
        ax.set_title(f"{prob.name}: generation {generations} / {generations}")
        fig.canvas.draw()
        # Freeze the layout found for the widest title so that frames do not jitter.
        fig.set_layout_engine("none")
        for g in range(generations):
            population.set_offsets(positions[g])
            ax.set_title(f"{prob.name}: generation {g + 1} / {generations}")
            if g == generations - 1 and final is not None:
                _draw_points(ax, final)
                ax.legend(loc="upper right", framealpha=0.85)
            fig.canvas.draw()
            rgba = np.asarray(fig.canvas.buffer_rgba())
            frames.append(Image.fromarray(rgba[..., :3].copy()).quantize(colors=255))
    return frames


def population_gif(problem, positions, path, fps=5, final=None, *, resolution=200,
                   color_scale="auto", show_optima=True, figsize=None, dpi=100):
    """Animated GIF of a population moving over a 2-D landscape, one frame per generation.

    Parameters
    ----------
    problem : Problem or str
        A 2-D :class:`~evodiff.problems.Problem`, or the name of one.
    positions : array_like, shape (G, N, 2)
        The population (or N tracked individuals) in each of G generations.
    path : str or path-like
        Output GIF file.
    fps : float, default 5
        Frames per second, > 0 (each frame lasts ``1000 / fps`` ms, rounded).
    final : array_like, shape (M, 2), optional
        Final points, drawn as red markers on the last frame.
    resolution : int, default 200
        Grid points per axis for the landscape, >= 2.
    color_scale : {'auto', 'linear', 'log'}, default 'auto'
        See :func:`landscape`.
    show_optima : bool, default True
        Mark the problem's known global optima.
    figsize : (float, float), default (5.0, 4.4)
    dpi : float, default 100

    Returns
    -------
    pathlib.Path
        ``path``; the GIF has exactly G frames and loops forever.

    Raises
    ------
    TypeError
        If an argument has the wrong kind (``positions`` missing or not
        numeric, ``fps`` not a number, ...); the message names it.
    ValueError
        If the problem is unknown or not 2-D, ``positions`` or ``final``
        have the wrong shape, or ``fps`` is not positive.
    """
    prob = Problem2D(problem, "problem")
    positions = positions_array(positions, "positions", allow_none=False)
    final = points_array(final, "final")
    fps = check_real("fps", fps, minimum=0.0, strict=True)
    resolution = _check_resolution(resolution)
    color_scale = check_choice("color_scale", color_scale, _COLOR_SCALES)
    show_optima = check_bool("show_optima", show_optima)
    dpi = check_dpi(dpi)
    figsize = check_figsize(figsize, (5.0, 4.4))
    frames = _render_frames(prob, positions, final, resolution, color_scale, show_optima,
                            figsize, dpi)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    duration = max(1, round(1000.0 / fps))
    frames[0].save(path, format="GIF", save_all=True, append_images=frames[1:],
                   duration=duration, loop=0, disposal=1)
    return path
