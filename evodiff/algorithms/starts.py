"""Where a run starts: a start point ``x0``, and evaluations the user already has.

:func:`start_as_center` turns a start point into the region's centre when no
box or centre is given; :func:`check_prior_evaluations` checks the points and
values given to :meth:`~evodiff.algorithms.base.Optimizer.warm_start` and
returns them as the optimiser sees them (normalised points, costs).
"""

from __future__ import annotations

import numpy as np

from ..fitness import to_cost

__all__ = ["start_as_center", "check_prior_evaluations"]


def start_as_center(x0, dim, bounds, center):
    """Without bounds or centre, a start point ``x0`` becomes the region's centre.

    Returns ``(center, x0)``: either ``(x0, None)`` when ``x0`` takes the role of
    the centre, or the arguments unchanged.  The shape of ``x0`` is checked
    here so that errors name ``x0``.
    """
    if x0 is None or bounds is not None or center is not None:
        return center, x0
    point = np.asarray(x0, dtype=np.float64)
    if point.ndim != 1 or (dim is not None and point.shape != (dim,)):
        expected = f"({dim},)" if dim is not None else "(D,)"
        raise ValueError(f"x0 must have shape {expected}; got shape {point.shape}")
    return point, None


def check_prior_evaluations(opt, points, values, names=("points", "values")):
    """Check prior evaluations for ``opt`` and return them as the optimiser sees them.

    Parameters
    ----------
    opt : Optimizer
        The optimiser that takes them (its dimension, box, backend and sense).
    points : array_like, shape (M, D)
        Points of the search space, inside the bounds if any.
    values : array_like, shape (M,)
        Their finite objective values (user's sign).
    names : (str, str), default ('points', 'values')
        How errors name the two arguments (``initial_population`` and
        ``initial_values`` for :func:`evodiff.minimize`).

    Returns
    -------
    normalised, points : array, shape (M, D)
        Backend arrays in normalised and problem coordinates.
    cost : array, shape (M,)
        The values as costs (lower is better).

    Raises
    ------
    TypeError
        Values that are not real numbers.
    ValueError
        Wrong shapes, non-finite entries, points outside the bounds.
    """
    point_name, value_name = names
    for name, value in ((point_name, points), (value_name, values)):
        if isinstance(value, (str, bytes)) or np.asarray(value).dtype.kind not in "iuf":
            raise TypeError(f"{name} must be real numbers; got {value!r}")
    host = np.array(points, dtype=np.float64)
    fun = np.array(values, dtype=np.float64)
    if host.ndim != 2 or host.shape[0] < 1 or host.shape[1] != opt.dim:
        raise ValueError(f"{point_name} must have shape (M, {opt.dim}) with M >= 1; got shape "
                         f"{host.shape}")
    if fun.shape != (host.shape[0],):
        raise ValueError(f"{value_name} must hold one value per point, shape "
                         f"({host.shape[0]},); got shape {fun.shape}")
    if not np.all(np.isfinite(host)):
        raise ValueError(f"{point_name} must be finite")
    if not np.all(np.isfinite(fun)):
        raise ValueError(f"{value_name} must be finite (a failed evaluation is not a prior)")
    space = opt.space
    if space.bounded and (np.any(host < space.lower) or np.any(host > space.upper)):
        raise ValueError(f"{point_name} must lie inside the bounds")
    backend = opt.backend
    problem = backend.asarray(host)
    cost = to_cost(opt.xp, backend.asarray(fun), opt.sense)
    return space.to_normalised(problem), problem, cost
