"""Figures for benchmark runs: landscapes, trajectories, convergence and entropy.

Every function draws on a fresh :class:`matplotlib.figure.Figure` attached to
an Agg canvas, saves it to ``path`` and returns ``path`` as a
:class:`pathlib.Path`.  No pyplot state and no global backend is touched, so
the functions work on headless machines and do not disturb an interactive
session.  Figures are saved at 100 dpi by default, so a figure of
``figsize=(w, h)`` inches is ``(100 w) x (100 h)`` pixels.

Runs are described by *traces*, plain dicts with the keys

``"best"`` : array, shape (G,)
    Best objective value of each generation.
``"median"`` : array, shape (G,)
    Median objective value of each generation.
``"positions"`` : array, shape (G, N, 2), or None
    Positions of N tracked individuals in every generation (2-D problems).
``"final"`` : array, shape (M, D), or None
    Final points of the run, e.g. the x0 estimates kept for scoring.

Problems may be :class:`evodiff.problems.Problem` objects, names of
evodiff problems (built in two dimensions) or any object with a ``name``,
``bounds`` of shape (2, 2) (one ``(min, max)`` row per coordinate) and a
vectorised objective, either an ``objective(X)`` method or ``__call__``,
mapping ``(N, 2)`` to ``(N,)``.

Examples
--------
>>> import numpy as np

>>> from evodiff.problems import himmelblau
>>> from evodiff.plotting import landscape
>>> points = np.array([[3.0, 2.0], [-2.8, 3.1]])
>>> landscape(himmelblau(), "himmelblau.png", points=points)  # doctest: +SKIP
PosixPath('himmelblau.png')
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.cm import ScalarMappable
from matplotlib.colors import LogNorm, Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from .backend import to_numpy

__all__ = [
    "METHOD_LABELS",
    "convergence",
    "entropy_fitness_scatter",
    "landscape",
    "landscape_grid",
    "population_gif",
]

#: Display names of evodiff's registered methods; other method strings are shown as given.
METHOD_LABELS = {
    "diffevo": "Diffusion Evolution",
    "latent-diffevo": "Latent Diffusion Evolution",
    "cmaes": "CMA-ES",
    "openes": "OpenES",
    "pepg": "PEPG",
}

# Fixed colours and markers for the known methods, so a method looks the same in every figure.
_PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
            "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
_MARKERS = ["o", "s", "^", "D", "v", "P", "X", "<", ">", "h"]
_KNOWN_ORDER = ["diffevo", "cmaes", "openes", "pepg", "latent-diffevo"]

# Readable at 100 dpi: nothing smaller than 8 points.
_STYLE = {
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "figure.titlesize": 11,
}

_CMAP = "viridis"
_TRAJECTORY_COLOR = "white"
_FINAL_COLOR = "#e4002b"
_OPTIMUM_COLOR = "#ffd700"


# -- small helpers ------------------------------------------------------------------------


def _label(method):
    """Display name of a method string."""
    return METHOD_LABELS.get(method, str(method))


def _method_styles(methods):
    """Colour and marker for every method: known methods keep theirs, others take the rest."""
    styles = {}
    taken = set()
    for method in methods:
        if method in _KNOWN_ORDER:
            index = _KNOWN_ORDER.index(method)
            styles[method] = (_PALETTE[index], _MARKERS[index])
            taken.add(index)
    free = [i for i in range(len(_PALETTE)) if i not in taken]
    position = 0
    for method in methods:
        if method not in styles:
            index = free[position % len(free)] if free else position % len(_PALETTE)
            styles[method] = (_PALETTE[index], _MARKERS[index % len(_MARKERS)])
            position += 1
    return styles


def _new_figure(figsize):
    """A figure on its own Agg canvas, with constrained layout (no pyplot involved)."""
    fig = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _panel_grid(fig, nrows, ncols, figsize, legend_height):
    """``nrows x ncols`` axes above a strip of ``legend_height`` inches for a legend.

    The legend gets an axes of its own (axis hidden) so that constrained
    layout keeps it clear of the panels on every matplotlib >= 3.6.
    """
    panel_height = max(figsize[1] - legend_height, 0.5) / nrows
    grid = fig.add_gridspec(nrows + 1, ncols, height_ratios=[panel_height] * nrows + [legend_height])
    axes = np.empty((nrows, ncols), dtype=object)
    for i in range(nrows):
        for j in range(ncols):
            axes[i, j] = fig.add_subplot(grid[i, j])
    legend_ax = fig.add_subplot(grid[nrows, :])
    legend_ax.set_axis_off()
    return axes, legend_ax


def _save(fig, path, dpi):
    """Save ``fig`` to ``path`` (parents created) and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi)
    return path


def _check_dpi(dpi):
    if not isinstance(dpi, numbers.Real) or isinstance(dpi, bool) or not 0 < dpi < math.inf:
        raise ValueError(f"dpi must be a positive number, got {dpi!r}")
    return float(dpi)


def _check_resolution(resolution):
    if not isinstance(resolution, numbers.Integral) or isinstance(resolution, bool) or resolution < 2:
        raise ValueError(f"resolution must be an integer >= 2, got {resolution!r}")
    return int(resolution)


def _check_figsize(figsize, default):
    if figsize is None:
        return default
    try:
        width, height = (float(v) for v in figsize)
    except (TypeError, ValueError):
        raise ValueError(f"figsize must be a pair (width, height) in inches, got {figsize!r}") from None
    if not (0 < width < math.inf and 0 < height < math.inf):
        raise ValueError(f"figsize must be positive, got {figsize!r}")
    return width, height


class _Problem2D:
    """What the plots need of a 2-D problem: name, box, objective, optima and sense."""

    def __init__(self, problem, argname):
        if isinstance(problem, str):
            from .problems import get_problem

            try:
                problem = get_problem(problem, dim=2)
            except ValueError as exc:
                raise ValueError(f"{argname}: {exc}") from None
        dim = getattr(problem, "dim", 2)
        if dim != 2:
            raise ValueError(f"{argname} must be a 2-D problem, got dim={dim!r}")
        self.lower, self.upper = self._box(problem, argname)
        name = getattr(problem, "name", None) or getattr(problem, "__name__", None)
        if not isinstance(name, str):
            raise ValueError(
                f"{argname} must have a string 'name' attribute; got {type(problem).__name__} "
                f"without one"
            )
        self.name = name
        objective = getattr(problem, "objective", None)
        if callable(objective):
            self._fn = objective
        elif callable(problem):
            self._fn = problem
        else:
            raise ValueError(
                f"{argname} ({name!r}) has no callable 'objective' method and is not callable"
            )
        self.argname = argname
        self.sense = getattr(problem, "sense", "min")
        optima = getattr(problem, "optima", None)
        self.optima = None
        if optima is not None:
            optima = np.asarray(optima, dtype=np.float64)
            if optima.ndim == 2 and optima.shape[1] == 2:
                self.optima = optima

    @staticmethod
    def _box(problem, argname):
        lower = getattr(problem, "lower", None)
        upper = getattr(problem, "upper", None)
        if lower is not None and upper is not None:
            box = np.stack([np.asarray(lower, dtype=np.float64),
                            np.asarray(upper, dtype=np.float64)], axis=-1)
        elif getattr(problem, "bounds", None) is not None:
            try:
                box = np.asarray(problem.bounds, dtype=np.float64)
            except (TypeError, ValueError):
                raise ValueError(f"{argname}.bounds must be numeric, got {problem.bounds!r}") from None
        else:
            raise ValueError(
                f"{argname} must be an evodiff Problem, a problem name, or an object with "
                f"'bounds' and a callable objective; got {type(problem).__name__}"
            )
        if box.shape != (2, 2) or not np.all(np.isfinite(box)) or not np.all(box[:, 0] < box[:, 1]):
            raise ValueError(
                f"{argname}.bounds must be finite with shape (2, 2), one (min, max) row per "
                f"coordinate and min < max; got {box.tolist()}"
            )
        return box[:, 0], box[:, 1]

    @property
    def extent(self):
        """``(x1_min, x1_max, x2_min, x2_max)`` for imshow and axis limits."""
        return (self.lower[0], self.upper[0], self.lower[1], self.upper[1])

    def grid(self, resolution):
        """Objective on a ``resolution x resolution`` grid; rows follow x2, columns x1."""
        x1 = np.linspace(self.lower[0], self.upper[0], resolution)
        x2 = np.linspace(self.lower[1], self.upper[1], resolution)
        mesh1, mesh2 = np.meshgrid(x1, x2)
        points = np.column_stack([mesh1.ravel(), mesh2.ravel()])
        try:
            values = self._fn(points)
        except Exception as exc:
            raise ValueError(
                f"the objective of {self.argname} ({self.name!r}) failed on an (N, 2) array: {exc}"
            ) from exc
        values = np.asarray(to_numpy(values), dtype=np.float64)
        if values.size != points.shape[0]:
            raise ValueError(
                f"the objective of {self.argname} ({self.name!r}) must map (N, 2) to (N,), "
                f"got shape {values.shape} for N = {points.shape[0]}"
            )
        values = values.reshape(resolution, resolution)
        return np.ma.masked_invalid(values)


def _landscape_norm(values, sense, color_scale):
    """Colour normalisation: logarithmic for minimisation landscapes with a wide range."""
    if color_scale not in ("auto", "linear", "log"):
        raise ValueError(f"color_scale must be 'auto', 'linear' or 'log', got {color_scale!r}")
    data = values.compressed()
    if data.size == 0:
        return Normalize(0.0, 1.0)
    low, median, high = np.min(data), np.median(data), np.max(data)
    use_log = color_scale == "log"
    if color_scale == "auto":
        use_log = sense == "min" and low >= 0 and median > low and (high - low) / (median - low) > 5
    if use_log and high > 0:
        positive = data[data > 0]
        floor = max(float(positive.min()), 1e-3 * float(median)) if median > 0 else float(positive.min())
        return LogNorm(vmin=min(floor, high / 10), vmax=high, clip=True)
    if high == low:
        return Normalize(low - 0.5, high + 0.5)
    return Normalize(low, high)


def _draw_landscape(ax, prob, resolution, color_scale):
    """Draw the objective as an image on ``ax``; return the image (for a colour bar)."""
    values = prob.grid(resolution)
    norm = _landscape_norm(values, prob.sense, color_scale)
    image = ax.imshow(values, origin="lower", extent=prob.extent, aspect="auto", cmap=_CMAP,
                      norm=norm, interpolation="bilinear")
    _frame(ax, prob)
    return image


def _frame(ax, prob):
    """Axis limits and labels of a landscape panel."""
    ax.set_xlim(prob.lower[0], prob.upper[0])
    ax.set_ylim(prob.lower[1], prob.upper[1])
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")


def _draw_optima(ax, prob):
    if prob.optima is not None:
        ax.scatter(prob.optima[:, 0], prob.optima[:, 1], marker="*", s=70, c=_OPTIMUM_COLOR,
                   edgecolors="black", linewidths=0.6, zorder=4, label="known optima")


def _draw_trajectories(ax, positions):
    """One thin line per tracked individual through its generations."""
    for i in range(positions.shape[1]):
        ax.plot(positions[:, i, 0], positions[:, i, 1], color=_TRAJECTORY_COLOR, lw=0.6,
                alpha=0.45, zorder=2)


def _draw_points(ax, points, label="final points"):
    ax.scatter(points[:, 0], points[:, 1], s=16, c=_FINAL_COLOR, edgecolors="white",
               linewidths=0.5, zorder=5, label=label)


def _float_array(value, argname, shape_text, allow_none):
    """``value`` as a float64 host array; ``None`` passes only when allowed."""
    if value is None:
        if allow_none:
            return None
        raise ValueError(f"{argname} must be an array of shape {shape_text}, got None")
    try:
        return np.asarray(to_numpy(value), dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{argname} must be a numeric array of shape {shape_text}") from None


def _points(value, argname, allow_none=True):
    """``value`` as a float array of shape (M, 2); a single point (2,) becomes (1, 2)."""
    arr = _float_array(value, argname, "(M, 2)", allow_none)
    if arr is None:
        return None
    if arr.ndim == 1 and arr.shape == (2,):
        arr = arr[None, :]
    if arr.ndim != 2 or arr.shape[1] != 2 or arr.shape[0] == 0:
        raise ValueError(f"{argname} must have shape (M, 2) with M >= 1, got shape {arr.shape}")
    return arr


def _positions(value, argname, allow_none=True):
    """``value`` as a float array of shape (G, N, 2)."""
    arr = _float_array(value, argname, "(G, N, 2)", allow_none)
    if arr is None:
        return None
    if arr.ndim != 3 or arr.shape[2] != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(
            f"{argname} must have shape (G, N, 2) with G, N >= 1, got shape {arr.shape}"
        )
    return arr


def _single_trace(value, argname):
    """A trace dict; a list of traces (seeds) gives its first."""
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        if len(value) == 0:
            return None
        value = value[0]
        argname = f"{argname}[0]"
    if not isinstance(value, Mapping):
        raise ValueError(f"{argname} must be a trace dict, got {type(value).__name__}")
    return value, argname


# -- public API ---------------------------------------------------------------------------


def landscape(problem, path, points=None, *, trajectories=None, resolution=200, title=None,
              color_scale="auto", show_optima=True, figsize=None, dpi=100):
    """Plot one 2-D fitness landscape, optionally with points and trajectories.

    Parameters
    ----------
    problem : Problem, str or object
        A 2-D problem (see the module docstring for what is accepted).
    path : str or path-like
        Output file; the format follows its suffix (PNG normally).
    points : array_like, shape (M, 2), optional
        Points drawn as markers, e.g. final solutions.
    trajectories : array_like, shape (G, N, 2), optional
        Positions of N individuals over G generations, drawn as thin lines.
    resolution : int, default 200
        Grid points per axis for the landscape.
    title : str, optional
        Panel title (default: the problem's name).
    color_scale : {'auto', 'linear', 'log'}, default 'auto'
        ``'auto'`` uses a logarithmic colour scale for non-negative
        minimisation landscapes whose range is wide (maximum more than five
        times the median, both measured from the minimum).
    show_optima : bool, default True
        Mark the problem's known global optima (if it has ``optima``).
    figsize : (float, float), default (5.0, 4.2)
        Figure size in inches.
    dpi : float, default 100

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ValueError
        If the problem, ``points`` or ``trajectories`` are not usable; the
        message names the argument.
    """
    prob = _Problem2D(problem, "problem")
    points = _points(points, "points")
    trajectories = _positions(trajectories, "trajectories")
    resolution = _check_resolution(resolution)
    dpi = _check_dpi(dpi)
    figsize = _check_figsize(figsize, (5.0, 4.2))
    with matplotlib.rc_context(_STYLE):
        fig = _new_figure(figsize)
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
        if points is not None or (show_optima and prob.optima is not None):
            ax.legend(loc="upper right", framealpha=0.85)
        return _save(fig, path, dpi)


def landscape_grid(problems, methods, traces, path, resolution=200, titles=None, *,
                   color_scale="auto", show_optima=True, figsize=None, dpi=100):
    """Trajectories of several methods on several 2-D landscapes (the paper's Figure 3).

    Rows are methods and columns problems.  Each panel shows the problem's
    landscape (one colour bar per column, labelled "objective"), the
    trajectories of the tracked individuals as thin light lines, the final
    points as red markers and the known optima as yellow stars.

    Parameters
    ----------
    problems : sequence of Problem, str or object
        The 2-D problems, one per column (see the module docstring).
    methods : sequence of str
        Method names, one per row; known evodiff names (``"diffevo"``,
        ``"cmaes"``, ...) are shown with their display names.
    traces : mapping
        ``traces[(method, problem.name)]`` is a trace dict (its
        ``"positions"``, shape (G, N, 2), and ``"final"``, shape (M, 2), are
        used; either may be None) or a list of such dicts over seeds, of
        which the first is drawn.  A missing key gives an empty panel marked
        "not run".
    path : str or path-like
        Output file (PNG normally).
    resolution : int, default 200
        Grid points per axis for each landscape.
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
    ValueError
        If a problem is unusable or not 2-D, ``methods`` or ``titles`` are
        malformed, or a trace's positions or final points have the wrong
        shape; the message names the offending argument.
    """
    if isinstance(problems, (str, bytes)) or not isinstance(problems, Sequence) or not problems:
        raise ValueError("problems must be a non-empty sequence of problems")
    probs = [_Problem2D(p, f"problems[{j}]") for j, p in enumerate(problems)]
    if isinstance(methods, (str, bytes)) or not isinstance(methods, Sequence) or not methods:
        raise ValueError("methods must be a non-empty sequence of method names")
    if not all(isinstance(m, str) for m in methods):
        raise ValueError(f"methods must be strings, got {list(methods)!r}")
    if not isinstance(traces, Mapping):
        raise ValueError(f"traces must be a mapping (method, problem name) -> trace, "
                         f"got {type(traces).__name__}")
    if titles is None:
        titles = [p.name for p in probs]
    elif isinstance(titles, (str, bytes)) or len(titles) != len(probs):
        raise ValueError(f"titles must be a sequence of {len(probs)} strings, got {titles!r}")
    resolution = _check_resolution(resolution)
    dpi = _check_dpi(dpi)
    nrows, ncols = len(methods), len(probs)
    figsize = _check_figsize(figsize, (max(3.6 * ncols + 0.4, 6.4), 3.0 * nrows + 0.3))

    # Validate every trace before drawing anything.
    panels = {}
    for method in methods:
        for prob in probs:
            key = (method, prob.name)
            if key not in traces:
                continue
            found = _single_trace(traces[key], f"traces[{key!r}]")
            if found is None:
                continue
            trace, argname = found
            positions = _positions(trace.get("positions"), f"{argname}['positions']")
            final = _points(trace.get("final"), f"{argname}['final']")
            panels[key] = (positions, final)

    with matplotlib.rc_context(_STYLE):
        fig = _new_figure(figsize)
        axes, legend_ax = _panel_grid(fig, nrows, ncols, figsize, legend_height=0.3)
        for j, prob in enumerate(probs):
            values = prob.grid(resolution)
            norm = _landscape_norm(values, prob.sense, color_scale)
            for i, method in enumerate(methods):
                ax = axes[i, j]
                key = (method, prob.name)
                _frame(ax, prob)
                if key in panels:
                    ax.imshow(values, origin="lower", extent=prob.extent, aspect="auto",
                              cmap=_CMAP, norm=norm, interpolation="bilinear")
                    positions, final = panels[key]
                    if positions is not None:
                        _draw_trajectories(ax, positions)
                    if show_optima:
                        _draw_optima(ax, prob)
                    if final is not None:
                        _draw_points(ax, final)
                else:
                    ax.set_facecolor("0.93")
                    ax.text(0.5, 0.5, "not run", transform=ax.transAxes, ha="center",
                            va="center", fontsize=12, color="0.3")
                if i == 0:
                    ax.set_title(titles[j], fontweight="bold")
                if i < nrows - 1:
                    ax.set_xlabel("")
                    ax.tick_params(labelbottom=False)
                if j == 0:
                    ax.annotate(_label(method), xy=(0, 0.5), xycoords=ax.yaxis.label,
                                xytext=(-6, 0), textcoords="offset points", rotation=90,
                                ha="right", va="center", fontsize=10, fontweight="bold")
            fig.colorbar(ScalarMappable(norm=norm, cmap=_CMAP), ax=list(axes[:, j]),
                         label="objective", aspect=20 * nrows)
        handles = [Line2D([], [], color="0.45", lw=1.0, label="trajectory of a tracked individual (white)"),
                   Line2D([], [], marker="o", ls="", markersize=5, markerfacecolor=_FINAL_COLOR,
                          markeredgecolor="white", label="final points")]
        if show_optima:
            handles.append(Line2D([], [], marker="*", ls="", markersize=9,
                                  markerfacecolor=_OPTIMUM_COLOR, markeredgecolor="black",
                                  label="known optima"))
        legend_ax.legend(handles=handles, loc="center", ncols=len(handles), frameon=False)
        return _save(fig, path, dpi)


def _seed_traces(value, argname):
    """A list of (best, median-or-None) arrays, one per seed."""
    if isinstance(value, Mapping):
        value = [value]
        single = True
    else:
        single = False
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence) or len(value) == 0:
        raise ValueError(f"{argname} must be a non-empty list of trace dicts")
    runs = []
    for s, trace in enumerate(value):
        name = argname if single else f"{argname}[{s}]"
        if not isinstance(trace, Mapping):
            raise ValueError(f"{name} must be a trace dict, got {type(trace).__name__}")
        curves = []
        for field in ("best", "median"):
            raw = trace.get(field)
            if raw is None:
                if field == "best":
                    raise ValueError(f"{name} has no 'best' array")
                curves.append(None)
                continue
            try:
                arr = np.asarray(to_numpy(raw), dtype=np.float64)
            except (TypeError, ValueError):
                raise ValueError(f"{name}['{field}'] must be a numeric array of shape (G,)") from None
            if arr.ndim != 1 or arr.size == 0:
                raise ValueError(f"{name}['{field}'] must have shape (G,) with G >= 1, "
                                 f"got shape {arr.shape}")
            curves.append(arr)
        runs.append(tuple(curves))
    return runs


def _stack(curves):
    """Stack curves of unequal length into (seeds, G) with NaN after each curve's end."""
    length = max(c.size for c in curves)
    out = np.full((len(curves), length), np.nan)
    for s, c in enumerate(curves):
        out[s, : c.size] = c
    return out


def _nanquantile(values, q):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanquantile(values, q, axis=0)


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
    ValueError
        If ``traces_by_key`` is empty or malformed (keys must be
        ``(method, problem_name)`` pairs of strings, traces need a 1-D
        ``"best"``), or ``band`` is unknown; the message names the argument.
    """
    if not isinstance(traces_by_key, Mapping) or not traces_by_key:
        raise ValueError("traces_by_key must be a non-empty mapping (method, problem) -> traces")
    if band not in ("iqr", "minmax"):
        raise ValueError(f"band must be 'iqr' or 'minmax', got {band!r}")
    dpi = _check_dpi(dpi)
    methods, problems, data = [], [], {}
    for key, value in traces_by_key.items():
        if not (isinstance(key, tuple) and len(key) == 2 and all(isinstance(k, str) for k in key)):
            raise ValueError(f"traces_by_key keys must be (method, problem_name) string pairs, "
                             f"got {key!r}")
        method, problem = key
        data[key] = _seed_traces(value, f"traces_by_key[{key!r}]")
        if method not in methods:
            methods.append(method)
        if problem not in problems:
            problems.append(problem)
    styles = _method_styles(methods)
    ncols = min(3, len(problems))
    nrows = math.ceil(len(problems) / ncols)
    legend_rows = math.ceil((len(methods) + 2) / 2)
    legend_height = 0.25 * legend_rows + 0.15
    figsize = _check_figsize(figsize, (4.4 * ncols, 3.4 * nrows + legend_height))
    low_q, high_q = (0.25, 0.75) if band == "iqr" else (0.0, 1.0)
    band_label = "25-75 % over seeds" if band == "iqr" else "min-max over seeds"

    with matplotlib.rc_context(_STYLE):
        fig = _new_figure(figsize)
        axes, legend_ax = _panel_grid(fig, nrows, ncols, figsize, legend_height)
        for ax in axes.ravel()[len(problems):]:
            ax.set_visible(False)
        seeds_of = {}
        for p, problem in enumerate(problems):
            ax = axes.ravel()[p]
            plotted = []
            for method in methods:
                runs = data.get((method, problem))
                if runs is None:
                    continue
                color = styles[method][0]
                seeds_of.setdefault(method, set()).add(len(runs))
                best = _stack([r[0] for r in runs])
                generations = np.arange(1, best.shape[1] + 1)
                centre = _nanquantile(best, 0.5)
                lower, upper = _nanquantile(best, low_q), _nanquantile(best, high_q)
                ax.fill_between(generations, lower, upper, color=color, alpha=0.2, lw=0)
                ax.plot(generations, centre, color=color, lw=1.6)
                plotted += [centre, lower, upper]
                medians = [r[1] for r in runs if r[1] is not None]
                if medians:
                    med = _nanquantile(_stack(medians), 0.5)
                    ax.plot(np.arange(1, med.size + 1), med, color=color, lw=1.2, ls="--")
                    plotted.append(med)
            values = np.concatenate([v[np.isfinite(v)] for v in plotted]) if plotted else np.array([])
            if log and values.size:
                if np.all(values > 0):
                    ax.set_yscale("log")
                else:
                    nonzero = np.abs(values[values != 0])
                    if nonzero.size:
                        # Linear near zero, at most ~6 decades of logarithmic scale below the top.
                        smallest = max(nonzero.min(), 1e-6 * nonzero.max())
                        linthresh = 10.0 ** math.floor(math.log10(smallest))
                    else:
                        linthresh = 1.0
                    ax.set_yscale("symlog", linthresh=linthresh)
            ax.set_title(problem)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_xlabel("generation")
            ax.set_ylabel("objective")
            ax.grid(alpha=0.3, which="major")
        handles = []
        for method in methods:
            counts = sorted(seeds_of.get(method, ()))
            if len(counts) == 1:
                seeds = f"{counts[0]} seed" + ("s" if counts[0] != 1 else "")
            else:
                seeds = f"{counts[0]}-{counts[-1]} seeds"
            handles.append(Line2D([], [], color=styles[method][0], lw=2.5,
                                  label=f"{_label(method)} ({seeds})"))
        handles.append(Line2D([], [], color="0.3", lw=1.6,
                              label=f"best of generation (median, band {band_label})"))
        handles.append(Line2D([], [], color="0.3", lw=1.2, ls="--",
                              label="population median (median over seeds)"))
        legend_ax.legend(handles=handles, loc="center", ncols=2, frameon=False)
        return _save(fig, path, dpi)


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
    ValueError
        If ``rows`` is empty, a row lacks a key or has a non-numeric entropy
        or fitness; the message names the row.
    """
    if isinstance(rows, Mapping) or not isinstance(rows, Sequence) or len(rows) == 0:
        raise ValueError("rows must be a non-empty list of dicts (method, problem, entropy, fitness)")
    dpi = _check_dpi(dpi)
    methods, problems, points = [], [], []
    for r, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise ValueError(f"rows[{r}] must be a dict, got {type(row).__name__}")
        missing = [k for k in ("method", "problem", "entropy", "fitness") if k not in row]
        if missing:
            raise ValueError(f"rows[{r}] lacks the key(s) {', '.join(map(repr, missing))}")
        values = []
        for field in ("entropy", "fitness"):
            v = row[field]
            if isinstance(v, bool) or not isinstance(v, (numbers.Real, np.generic)) \
                    or not np.isrealobj(v):
                raise ValueError(f"rows[{r}]['{field}'] must be a real number, got {v!r}")
            values.append(float(v))
        method, problem = str(row["method"]), str(row["problem"])
        if method not in methods:
            methods.append(method)
        if problem not in problems:
            problems.append(problem)
        if all(math.isfinite(v) for v in values):
            points.append((method, problem, *values))
    styles = _method_styles(methods)
    ncols = min(3, len(problems))
    nrows = math.ceil(len(problems) / ncols)
    figsize = _check_figsize(figsize, (4.0 * ncols, 3.4 * nrows + 0.4))

    with matplotlib.rc_context(_STYLE):
        fig = _new_figure(figsize)
        axes, legend_ax = _panel_grid(fig, nrows, ncols, figsize, legend_height=0.3)
        for ax in axes.ravel()[len(problems):]:
            ax.set_visible(False)
        for p, problem in enumerate(problems):
            ax = axes.ravel()[p]
            for method in methods:
                xs = [e for m, q, e, _ in points if m == method and q == problem]
                ys = [f for m, q, _, f in points if m == method and q == problem]
                if xs:
                    color, marker = styles[method]
                    ax.scatter(xs, ys, c=color, marker=marker, s=30, alpha=0.8,
                               edgecolors="black", linewidths=0.4)
            ax.set_title(problem)
            ax.set_xlabel("entropy of final points (bits)")
            ax.set_ylabel("mean normalised fitness")
            ax.grid(alpha=0.3)
        handles = [Line2D([], [], ls="", marker=styles[m][1], markersize=6,
                          markerfacecolor=styles[m][0], markeredgecolor="black",
                          markeredgewidth=0.4, label=_label(m)) for m in methods]
        legend_ax.legend(handles=handles, loc="center", ncols=min(5, len(handles)),
                         frameon=False)
        return _save(fig, path, dpi)


def population_gif(problem, positions, path, fps=5, final=None, *, resolution=200,
                   color_scale="auto", show_optima=True, figsize=None, dpi=100):
    """Animated GIF of a population moving over a 2-D landscape, one frame per generation.

    Parameters
    ----------
    problem : Problem, str or object
        A 2-D problem (see the module docstring).
    positions : array_like, shape (G, N, 2)
        The population (or N tracked individuals) in each of G generations.
    path : str or path-like
        Output GIF file.
    fps : float, default 5
        Frames per second (each frame lasts ``1000 / fps`` ms, rounded).
    final : array_like, shape (M, 2), optional
        Final points, drawn as red markers on the last frame.
    resolution : int, default 200
        Grid points per axis for the landscape.
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
    ValueError
        If the problem, ``positions``, ``final`` or ``fps`` are not usable;
        the message names the argument.
    """
    from PIL import Image

    prob = _Problem2D(problem, "problem")
    positions = _positions(positions, "positions", allow_none=False)
    final = _points(final, "final")
    if isinstance(fps, bool) or not isinstance(fps, numbers.Real) or not 0 < fps < math.inf:
        raise ValueError(f"fps must be a positive number, got {fps!r}")
    resolution = _check_resolution(resolution)
    dpi = _check_dpi(dpi)
    figsize = _check_figsize(figsize, (5.0, 4.4))
    generations = positions.shape[0]

    frames = []
    with matplotlib.rc_context(_STYLE):
        fig = _new_figure(figsize)
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
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    duration = max(1, round(1000.0 / fps))
    frames[0].save(path, format="GIF", save_all=True, append_images=frames[1:],
                   duration=duration, loop=0, disposal=1)
    return path
