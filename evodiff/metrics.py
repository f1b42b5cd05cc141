"""Scores of a run: diversity, normalised fitness, optima found, speed to a target.

These are the measures of the benchmark runner (:mod:`evodiff.bench`):

- :func:`top_k` keeps the best ``k`` points of a generation
  (:func:`top_k_indices`: their indices);
- :func:`top_k_entropy` measures how spread those points are: the Shannon
  entropy, in bits, of their distribution over the cells of a grid (0.1 wide
  by default), as in Zhang et al. (ICLR 2025), Table 1;
- :func:`normalized_fitness` maps objective values to [0, 1]: 1 at the target
  value, 0 at a stated maximum distance from it (the same paper);
- :func:`distinct_optima_found` and :func:`distinct_corners_found` count the
  known optima that have a point nearby;
- :func:`evaluations_to_target` reads off when a run first reached a target.

Examples
--------
>>> import numpy as np
>>> from evodiff.metrics import top_k_entropy
>>> float(top_k_entropy(np.zeros((64, 2))))
0.0
>>> float(top_k_entropy(np.arange(64.0)[:, None]))
6.0
"""

from __future__ import annotations

import math
from numbers import Real

import numpy as np

from .validation import check_int, check_real, check_sense

__all__ = [
    "top_k",
    "top_k_entropy",
    "top_k_indices",
    "normalized_fitness",
    "distinct_optima_found",
    "distinct_corners_found",
    "evaluations_to_target",
]


def _points(name, points):
    """Return ``points`` as a finite float64 array of shape (M, D)."""
    try:
        array = np.asarray(points, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a real array of shape (M, D); got {points!r}") from exc
    if array.ndim != 2 or array.shape[1] < 1:
        raise ValueError(f"{name} must have shape (M, D) with D >= 1; got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite; it contains NaN or inf")
    return array


def top_k(points, values, k=64, sense="min"):
    """The ``k`` best points and their values, best first.

    Parameters
    ----------
    points : array_like, shape (M, D)
    values : array_like, shape (M,)
        Objective values of ``points``; NaN counts as the worst value.
    k : int, default 64
        How many to keep; all ``M`` when ``M < k``.
    sense : {'min', 'max'}, default 'min'
        Whether low or high values are best.

    Returns
    -------
    best_points : numpy.ndarray, shape (min(k, M), D)
    best_values : numpy.ndarray, shape (min(k, M),)
        Sorted best first; ties keep their original order.

    Raises
    ------
    ValueError
        If the shapes disagree, ``k < 1`` or ``sense`` is unknown.
    """
    points = _points("points", points)
    values = np.asarray(values, dtype=np.float64)
    if values.shape != (points.shape[0],):
        raise ValueError(
            f"values must have shape ({points.shape[0]},), one per point; got shape {values.shape}")
    order = top_k_indices(values, k, sense)
    return points[order], values[order]


def top_k_indices(values, k=64, sense="min"):
    """Indices of the ``k`` best values, best first.

    Parameters
    ----------
    values : array_like, shape (M,)
        NaN counts as the worst value.
    k : int, default 64
        How many; all ``M`` when ``M < k``.
    sense : {'min', 'max'}, default 'min'

    Returns
    -------
    numpy.ndarray of int, shape (min(k, M),)
        Ties keep their original order.

    Examples
    --------
    >>> top_k_indices([3.0, 1.0, 2.0], k=2).tolist()
    [1, 2]
    """
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 1:
        raise ValueError(f"values must be one-dimensional; got shape {values.shape}")
    k = check_int("k", k, minimum=1)
    key = values if check_sense(sense) == "min" else -values
    key = np.where(np.isnan(key), np.inf, key)
    return np.argsort(key, kind="stable")[:k]


def top_k_entropy(points, k=64, resolution=0.1):
    """Entropy, in bits, of points binned on a grid: how many distinct places they occupy.

    Each point falls in the cell ``round(points / resolution)`` (one integer
    per coordinate; halves round to even).  With ``p_c`` the fraction of the
    points in occupied cell ``c``, the entropy is ``-sum_c p_c log2 p_c``:
    0 when all points share a cell, ``log2(k)`` when each has its own (6 bits
    for 64 points).

    Parameters
    ----------
    points : array_like, shape (M, D)
        The points to score, best first (e.g. from :func:`top_k`).
    k : int or None, default 64
        Only the first ``k`` rows are used (all of them when ``None`` or
        ``M <= k``).
    resolution : float, default 0.1
        Width of a grid cell, in the units of the points.

    Returns
    -------
    float
        Entropy in bits (0 for an empty set of points).

    Raises
    ------
    ValueError
        If ``points`` is not a finite (M, D) array, ``k < 1`` or
        ``resolution <= 0``.
    """
    points = _points("points", points)
    if k is not None:
        points = points[:check_int("k", k, minimum=1)]
    resolution = check_real("resolution", resolution, minimum=0.0, strict=True)
    if points.shape[0] == 0:
        return 0.0
    cells = np.rint(points / resolution)
    _, counts = np.unique(cells, axis=0, return_counts=True)
    p = counts / counts.sum()
    return float(max(0.0, -np.sum(p * np.log2(p))))


def normalized_fitness(values, target, scale, max_distance):
    """Objective values mapped to [0, 1]: 1 at the target, 0 at the maximum distance.

    ``g = (exp(-|f - target| / scale) - p_min) / (1 - p_min)`` with
    ``p_min = exp(-max_distance / scale)``, clipped to [0, 1] (Zhang et al.,
    ICLR 2025, Table 1).  The distance ``|f - target|`` makes the score the
    same for a function and its negative with the target negated.

    Parameters
    ----------
    values : array_like
        Objective values ``f``; NaN scores 0.
    target : float
        The best attainable value.
    scale : float
        Distance from the target at which the unnormalised score falls to
        ``1/e``; positive.
    max_distance : float
        Distance from the target that scores 0 (the largest distance in the
        search domain); positive.

    Returns
    -------
    numpy.ndarray
        Same shape as ``values``.

    Raises
    ------
    ValueError
        If ``target`` is not finite, or ``scale`` or ``max_distance`` is not
        positive and finite.
    """
    if isinstance(target, bool) or not isinstance(target, Real) or not math.isfinite(target):
        raise ValueError(f"target must be a finite number; got {target!r}")
    scale = check_real("scale", scale, minimum=0.0, strict=True)
    max_distance = check_real("max_distance", max_distance, minimum=0.0, strict=True)
    try:
        f = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"values must be real numbers; got {values!r}") from exc
    p_min = math.exp(-max_distance / scale)
    with np.errstate(invalid="ignore"):
        g = (np.exp(-np.abs(f - target) / scale) - p_min) / (1.0 - p_min)
    return np.clip(np.nan_to_num(g, nan=0.0), 0.0, 1.0)


def distinct_optima_found(points, optima, radius):
    """How many known optima have at least one point within ``radius``.

    Parameters
    ----------
    points : array_like, shape (M, D)
    optima : array_like, shape (K, D)
        Known optima.
    radius : float
        Euclidean distance, in the units of the points; positive.

    Returns
    -------
    int
        Between 0 and ``K``.

    Raises
    ------
    ValueError
        If the arrays are not finite 2-D arrays of the same width or
        ``radius <= 0``.
    """
    points = _points("points", points)
    optima = _points("optima", optima)
    if optima.shape[1] != points.shape[1]:
        raise ValueError(
            f"optima must have {points.shape[1]} columns like points; got shape {optima.shape}")
    radius = check_real("radius", radius, minimum=0.0, strict=True)
    if points.shape[0] == 0 or optima.shape[0] == 0:
        return 0
    found = np.zeros(optima.shape[0], dtype=bool)
    for start in range(0, points.shape[0], 256):  # blocks keep memory at 256 x K x D
        block = points[start:start + 256]
        d2 = np.sum((block[:, None, :] - optima[None, :, :]) ** 2, axis=2)
        found |= np.any(d2 <= radius * radius, axis=0)
    return int(found.sum())


def distinct_corners_found(points, corner, radius):
    """How many of the ``2**D`` optima at ``(+-corner, ..., +-corner)`` have a point nearby.

    The optima are never listed, so this works in any dimension: the corner
    nearest a point has the signs of the point's coordinates.

    Parameters
    ----------
    points : array_like, shape (M, D)
    corner : float
        Distance of the optima from 0 along every coordinate; positive.
    radius : float
        Euclidean distance, in the units of the points; positive.

    Returns
    -------
    int
        Number of distinct corners within ``radius`` of at least one point.

    Raises
    ------
    ValueError
        If ``points`` is not a finite (M, D) array or ``corner`` or ``radius``
        is not positive.
    """
    points = _points("points", points)
    corner = check_real("corner", corner, minimum=0.0, strict=True)
    radius = check_real("radius", radius, minimum=0.0, strict=True)
    signs = np.where(points >= 0, 1.0, -1.0)
    near = np.sum((points - corner * signs) ** 2, axis=1) <= radius * radius
    if not np.any(near):
        return 0
    return int(np.unique(signs[near], axis=0).shape[0])


def evaluations_to_target(history_nfev, history_best, target, sense):
    """The first cumulative evaluation count at which the best value reached ``target``.

    Parameters
    ----------
    history_nfev : array_like of int, shape (G,)
        Cumulative evaluations after each generation.
    history_best : array_like, shape (G,)
        Best value of each generation, or best so far (either works: the
        running best is taken here).
    target : float
        Reached when the best is ``<= target`` (``sense='min'``) or
        ``>= target`` (``sense='max'``).
    sense : {'min', 'max'}

    Returns
    -------
    int or float
        ``history_nfev`` of the first generation at which the target was
        reached, or ``math.inf`` if it never was.

    Raises
    ------
    ValueError
        If the histories differ in length or are not 1-D, ``target`` is NaN,
        or ``sense`` is unknown.
    """
    nfev = np.asarray(history_nfev)
    best = np.asarray(history_best, dtype=np.float64)
    if nfev.ndim != 1 or best.ndim != 1 or nfev.shape != best.shape:
        raise ValueError(
            "history_nfev and history_best must be 1-D of the same length; "
            f"got shapes {nfev.shape} and {best.shape}")
    if isinstance(target, bool) or not isinstance(target, Real) or math.isnan(target):
        raise ValueError(f"target must be a number; got {target!r}")
    sense = check_sense(sense)
    cost = best if sense == "min" else -best
    cost = np.where(np.isnan(cost), np.inf, cost)
    goal = target if sense == "min" else -target
    reached = np.flatnonzero(np.minimum.accumulate(cost) <= goal) if cost.size else []
    if len(reached) == 0:
        return math.inf
    return int(nfev[reached[0]])
