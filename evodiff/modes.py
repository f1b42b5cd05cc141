"""Distinct optima found by a run: clustering the final estimates.

Diffusion Evolution ends with many estimates ``x0`` gathered around several
optima.  :func:`cluster_points` groups them by distance (in the normalised
coordinates of the search region, so one radius fits every problem) and
:class:`Mode` describes one group: its centre, its objective value and how
many estimates support it.  :func:`find_modes` turns a finished optimiser's
answer points into modes, :func:`merge_modes` folds modes that ended at one
optimum.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

__all__ = ["Mode", "cluster_points", "find_modes", "merge_modes", "cost_of"]


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
        Number of final estimates in the cluster; 0 for the best evaluated
        point, reported as the only mode when no cluster reaches
        ``min_support``.
    support : float
        ``count`` as a fraction of all estimates, in [0, 1].
    """

    x: np.ndarray
    fun: float
    count: int
    support: float


def cluster_points(points, radius, min_count=1):
    """Group points that lie within ``radius`` of each other.

    Leader clustering: the unassigned point with the most neighbours within
    ``radius`` founds a cluster with all its unassigned neighbours; repeat.
    Clusters whose centres (means) end up closer than ``radius`` are then
    merged, closest pairs first, until none is.  Neighbours come from a
    KD-tree (:class:`scipy.spatial.cKDTree`), so memory is linear in the
    number of points; no matrix of all pairs, of points or of centres, is
    ever formed.  Beyond :data:`DENSITY_SAMPLE` points the leaders are
    ordered by their neighbours among a sample of that size.

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
    if points.shape[0] == 0:
        return np.empty((0, points.shape[1])), np.empty(0, dtype=int)
    tree = cKDTree(points)
    counts = _neighbour_counts(points, radius, tree)
    # Leaders in order of decreasing neighbour count: dense regions found first.
    order = np.argsort(-counts, kind="stable")
    unassigned = np.ones(points.shape[0], dtype=bool)
    groups = []
    for leader in order:
        if not unassigned[leader]:
            continue
        near = np.asarray(tree.query_ball_point(points[leader], radius), dtype=np.int64)
        members = np.sort(near[unassigned[near]])
        groups.append(members)
        unassigned[members] = False
    groups = _merge_close(points, groups, radius)
    groups = [g for g in groups if g.size >= min_count]
    groups.sort(key=lambda g: -g.size)
    if not groups:
        return np.empty((0, points.shape[1])), np.empty(0, dtype=int)
    centres = np.array([points[g].mean(axis=0) for g in groups])
    sizes = np.array([g.size for g in groups], dtype=int)
    return centres, sizes


#: Neighbour counts (the leaders' order) are taken among at most this many points.
DENSITY_SAMPLE = 4096


def _neighbour_counts(points, radius, tree):
    """Neighbours within ``radius`` of each point: exact up to :data:`DENSITY_SAMPLE` points.

    Beyond, they are counted among an evenly strided sample of that many
    points: the counts only order the leaders, and counting all pairs of a
    dense cloud would cost time quadratic in its size.
    """
    n = points.shape[0]
    if n > DENSITY_SAMPLE:
        tree = cKDTree(points[np.linspace(0, n - 1, DENSITY_SAMPLE).astype(np.int64)])
    return np.asarray(tree.query_ball_point(points, radius, return_length=True))


def _merge_close(points, groups, radius):
    """Merge groups whose centres are closer than ``radius``, closest pairs first.

    Each round finds the close pairs of centres with a KD-tree, merges them
    in order of distance (a group merges at most once per round) and
    recomputes the centres of the merged groups; rounds repeat until no two
    centres are close.
    """
    while len(groups) > 1:
        centres = np.array([points[g].mean(axis=0) for g in groups])
        pairs = cKDTree(centres).query_pairs(radius, output_type="ndarray")
        if pairs.size == 0:
            break
        distance = np.linalg.norm(centres[pairs[:, 0]] - centres[pairs[:, 1]], axis=1)
        pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0], distance))]
        used = np.zeros(len(groups), dtype=bool)
        for i, j in pairs:
            if used[i] or used[j]:
                continue
            groups[i] = np.concatenate([groups[i], groups[j]])
            groups[j] = None
            used[i] = used[j] = True
        groups = [g for g in groups if g is not None]
    return groups


def cost_of(value, sense):
    """A value as a cost to minimise, NaN and infinities worst (the non-finite policy)."""
    if not math.isfinite(value):
        return math.inf
    return value if sense == "min" else -value


def find_modes(opt, objective, radius, min_support):
    """Cluster a finished optimiser's answer points and evaluate each cluster centre.

    Under an evaluation budget (the optimiser's ``maxfevals``) only the centres the
    remaining budget pays for are evaluated, the most supported first; the rest are dropped.

    Parameters
    ----------
    opt : Optimizer
        Its :meth:`candidates` are clustered in the normalised coordinates of its region.
    objective : callable
        Scalar objective of one host point (user's sign).
    radius : float
        Cluster radius (normalised units).
    min_support : float
        Smallest share of the candidates a cluster must gather.

    Returns
    -------
    list of Mode
        Most supported first.
    """
    candidates = opt.candidates()
    if candidates is None or candidates.shape[0] == 0:
        return []
    space = opt.space
    normalised = (candidates - space.center) / space.scale
    min_count = max(1, math.ceil(min_support * candidates.shape[0]))
    centres, counts = cluster_points(normalised, radius, min_count=min_count)
    maxfevals = getattr(opt, "maxfevals", None)
    if maxfevals is not None:  # clusters come most supported first
        affordable = max(0, maxfevals - opt.nfev)
        centres, counts = centres[:affordable], counts[:affordable]
    modes = []
    for centre, count in zip(centres, counts):
        x = space.clip_problem(space.center + space.scale * centre)
        modes.append(Mode(x=x, fun=objective(x), count=int(count),
                          support=float(count / candidates.shape[0])))
    return modes


def merge_modes(modes, space, radius, sense):
    """Sort modes best first and fold each into a better one closer than ``radius``.

    After polishing, several clusters of one basin end at the same point;
    they are one optimum, supported by all their estimates.

    Parameters
    ----------
    modes : list of Mode
    space : evodiff.space.SearchSpace
        Distances are measured in its normalised coordinates.
    radius : float
    sense : {'min', 'max'}

    Returns
    -------
    list of Mode
    """
    modes = sorted(modes, key=lambda m: cost_of(m.fun, sense))
    kept = []
    for mode in modes:
        for i, other in enumerate(kept):
            if np.linalg.norm((mode.x - other.x) / space.scale) < radius:
                kept[i] = Mode(x=other.x, fun=other.fun, count=other.count + mode.count,
                               support=other.support + mode.support)
                break
        else:
            kept.append(mode)
    return kept
