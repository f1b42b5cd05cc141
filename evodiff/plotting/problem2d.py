"""A 2-D problem as the landscape figures see it: its box, its values on a grid, its colours.

Only :class:`evodiff.problems.Problem` objects in two dimensions and names
of evodiff problems are accepted; anything else is a ``TypeError``.
"""

from __future__ import annotations

import numpy as np
from matplotlib.colors import LogNorm, Normalize

from ..backend import to_numpy
from ..problems import Problem, get_problem

__all__ = ["Problem2D", "landscape_norm"]


class Problem2D:
    """What the plots need of a 2-D problem: name, box, objective, optima and sense.

    Parameters
    ----------
    problem : Problem or str
        A :class:`~evodiff.problems.Problem` with ``dim == 2``, or the name
        of an evodiff problem (built with ``get_problem(name, dim=2)``).
    argname : str
        Name of the argument, used in error messages.

    Raises
    ------
    TypeError
        If ``problem`` is neither a Problem nor a string.
    ValueError
        If the name is unknown, the problem is not 2-D or its box is not
        finite with ``lower < upper``.
    """

    def __init__(self, problem, argname):
        if isinstance(problem, str):
            try:
                problem = get_problem(problem, dim=2)
            except ValueError as exc:
                raise ValueError(f"{argname}: {exc}") from None
        if not isinstance(problem, Problem):
            raise TypeError(f"{argname} must be an evodiff Problem or a problem name; "
                            f"got {type(problem).__name__}")
        if problem.dim != 2:
            raise ValueError(f"{argname} must be a 2-D problem, got dim={problem.dim!r}")
        lower = np.asarray(problem.lower, dtype=np.float64)
        upper = np.asarray(problem.upper, dtype=np.float64)
        if not (np.all(np.isfinite(lower)) and np.all(np.isfinite(upper))
                and np.all(lower < upper)):
            raise ValueError(f"{argname}.bounds must be finite with min < max; "
                             f"got {np.stack([lower, upper], axis=1).tolist()}")
        self.name, self.sense, self.argname = problem.name, problem.sense, argname
        self.lower, self.upper = lower, upper
        self.optima = np.asarray(problem.optima, dtype=np.float64)
        self._problem = problem

    @property
    def extent(self):
        """``(x1_min, x1_max, x2_min, x2_max)`` for imshow and axis limits."""
        return (self.lower[0], self.upper[0], self.lower[1], self.upper[1])

    def grid(self, resolution):
        """Objective on a ``resolution x resolution`` grid; rows follow x2, columns x1.

        Parameters
        ----------
        resolution : int

        Returns
        -------
        numpy.ma.MaskedArray, shape (resolution, resolution)
            Non-finite values are masked.

        Raises
        ------
        ValueError
            If the objective fails on an (N, 2) array or does not return N values.
        """
        x1 = np.linspace(self.lower[0], self.upper[0], resolution)
        x2 = np.linspace(self.lower[1], self.upper[1], resolution)
        mesh1, mesh2 = np.meshgrid(x1, x2)
        points = np.column_stack([mesh1.ravel(), mesh2.ravel()])
        try:
            values = self._problem(points)
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
        return np.ma.masked_invalid(values.reshape(resolution, resolution))


def landscape_norm(values, sense, color_scale):
    """Colour normalisation of a landscape: logarithmic for wide minimisation landscapes.

    Parameters
    ----------
    values : numpy.ma.MaskedArray
        The landscape, as returned by :meth:`Problem2D.grid`.
    sense : {'min', 'max'}
    color_scale : {'auto', 'linear', 'log'}
        ``'auto'`` is logarithmic when ``sense`` is ``'min'``, the values are
        non-negative and the maximum is more than five times the median,
        both measured from the minimum.

    Returns
    -------
    matplotlib.colors.Normalize
    """
    data = values.compressed()
    if data.size == 0:
        return Normalize(0.0, 1.0)
    low, median, high = np.min(data), np.median(data), np.max(data)
    use_log = color_scale == "log"
    if color_scale == "auto":
        use_log = sense == "min" and low >= 0 and median > low and (high - low) / (median - low) > 5
    if use_log and high > 0:
        floor = float(data[data > 0].min())
        if median > 0:
            # No colour below a thousandth of the median: exact zeros would stretch the scale.
            floor = max(floor, 1e-3 * float(median))
        return LogNorm(vmin=min(floor, high / 10), vmax=high, clip=True)
    if high == low:
        return Normalize(low - 0.5, high + 0.5)
    return Normalize(low, high)
