"""Distinct optima found by a run: clustering the final estimates.

Diffusion Evolution ends with many estimates ``x0`` gathered around several
optima.  :func:`cluster_points` groups them by distance (in the normalised
coordinates of the search region, so one radius fits every problem) and
:class:`Mode` describes one group: its centre, its objective value and how
many estimates support it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial.distance import cdist

__all__ = ["Mode", "cluster_points"]


@dataclass
class Mode:
    """One distinct optimum found by a run.

    Attributes
    ----------
    x : numpy.ndarray, shape (D,)
        Location (problem space): the mean of the cluster, or the polished point.
    fun : float
        Objective value at ``x``.
    count : int
        Number of final estimates in the cluster.
    support : float
        ``count`` as a fraction of all estimates, in (0, 1].
    """

    x: np.ndarray
    fun: float
    count: int
    support: float


def cluster_points(points, radius, min_count=1):
    """Group points that lie within ``radius`` of each other.

    Leader clustering: the unassigned point with the most neighbours within
    ``radius`` founds a cluster with all its unassigned neighbours; repeat.
    Costs one pass over all pairs (in row blocks) plus one row per cluster.
    The centres are the cluster means, and clusters whose centres end up
    closer than ``radius`` are merged.

    Parameters
    ----------
    points : numpy.ndarray, shape (M, D)
        Points in normalised coordinates.
    radius : float
        Neighbourhood radius, positive.
    min_count : int, default 1
        Clusters with fewer members are dropped.

    Returns
    -------
    centres : numpy.ndarray, shape (K, D)
    counts : numpy.ndarray of int, shape (K,)
        Sorted by decreasing count.
    """
    points = np.asarray(points, dtype=np.float64)
    if points.ndim != 2:
        raise ValueError(f"points must have shape (M, D); got shape {points.shape}")
    if not radius > 0:
        raise ValueError(f"radius must be positive; got {radius!r}")
    radius2 = radius * radius
    # Leaders in order of decreasing neighbour count: dense regions found first.
    order = np.argsort(-_neighbour_counts(points, radius2), kind="stable")
    unassigned = np.ones(points.shape[0], dtype=bool)
    groups = []
    for leader in order:
        if not unassigned[leader]:
            continue
        near = cdist(points[leader][None, :], points, "sqeuclidean")[0] <= radius2
        members = np.flatnonzero(near & unassigned)
        groups.append(members)
        unassigned[members] = False
    groups = _merge_close(points, groups, radius2)
    groups = [g for g in groups if g.size >= min_count]
    groups.sort(key=lambda g: -g.size)
    if not groups:
        return np.empty((0, points.shape[1])), np.empty(0, dtype=int)
    centres = np.array([points[g].mean(axis=0) for g in groups])
    counts = np.array([g.size for g in groups], dtype=int)
    return centres, counts


def _neighbour_counts(points, radius2, block_entries=2**22):
    """Number of points within ``sqrt(radius2)`` of each point, computed in row blocks."""
    n = points.shape[0]
    rows = max(1, block_entries // max(n, 1))
    counts = np.empty(n, dtype=np.int64)
    for start in range(0, n, rows):
        block = cdist(points[start:start + rows], points, "sqeuclidean")
        counts[start:start + rows] = (block <= radius2).sum(axis=1)
    return counts


def _merge_close(points, groups, radius2):
    merged = True
    while merged and len(groups) > 1:
        merged = False
        centres = np.array([points[g].mean(axis=0) for g in groups])
        d2 = cdist(centres, centres, "sqeuclidean")
        np.fill_diagonal(d2, np.inf)
        i, j = np.unravel_index(np.argmin(d2), d2.shape)
        if d2[i, j] < radius2:
            groups[i] = np.concatenate([groups[i], groups[j]])
            del groups[j]
            merged = True
    return groups
