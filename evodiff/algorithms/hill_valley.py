"""Basins of a sample: the hill-valley test and nearest-better clustering built on it.

Two points lie in the same basin of a landscape (to be minimised, here as
*costs*) when no point on the segment between them is worse than the worse
of the two: there is no valley, or rather no hill, between them
(Ursem's hill-valley test, as HillVallEA uses it, Maree et al. 2018).  The
test costs evaluations: ``k`` interior points at ``i / (k + 1)`` of the
segment, ``k`` growing with the segment's length measured in ``edge``, the
typical spacing of the sample.

The functions here never evaluate anything themselves: they return the test
points to evaluate and decide from their costs, so that an ask/tell
optimiser can batch the evaluations of many tests in one generation.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["expected_edge", "nearest_better", "segment_points", "same_basin"]

#: Most interior points of one test (a long segment is tested as finely as a short one).
MAX_TEST_POINTS = 5


def expected_edge(volume, count, dim):
    """Typical distance between neighbours of ``count`` uniform points in a box of ``volume``."""
    return (volume / max(count, 1)) ** (1.0 / dim)


def test_point_count(distance, edge):
    """Interior points of the test of a segment of length ``distance``: 1 + floor(distance / edge)."""
    return int(min(MAX_TEST_POINTS, 1 + math.floor(distance / edge)))


def segment_points(a, b, count):
    """``count`` points evenly inside the segment from ``a`` to ``b`` (shape (count, D))."""
    fractions = np.arange(1, count + 1) / (count + 1.0)
    return a[None, :] + fractions[:, None] * (b - a)[None, :]


#: Relative rounding allowance of a test: two points at one optimum differ by rounding only.
ROUNDING = 1e-12


def same_basin(cost_a, cost_b, test_costs, slack=None):
    """Whether no interior test point is worse than the worse end.

    ``slack`` (default ``ROUNDING * (1 + |worse end|)``) absorbs rounding, so
    that two points at one optimum pass even when their test points differ
    from them in the last digits.
    """
    worse = max(cost_a, cost_b)
    if slack is None:
        slack = ROUNDING * (1.0 + abs(worse)) if np.isfinite(worse) else 0.0
    return bool(np.all(np.asarray(test_costs) <= worse + slack))


def nearest_better(points, costs, count):
    """For each point, the indices of its ``count`` nearest strictly better points.

    A k-d tree gives every point its nearest neighbours; the better ones
    among them are its candidates.  A point with too few better points
    among its neighbours (the good ones, which have few better points at
    all) is searched by brute force among the points better than it.

    Parameters
    ----------
    points : ndarray, shape (N, D)
    costs : ndarray, shape (N,)
    count : int

    Returns
    -------
    order : ndarray, shape (N,)
        The points sorted best first (ties broken by index).
    candidates : list of ndarray
        ``candidates[r]`` are the indices (into ``points``) of the nearest
        better points of ``points[order[r]]``, nearest first (empty for the best).
    """
    order = np.argsort(costs, kind="stable")
    ranked = np.asarray(points, dtype=np.float64)[order]
    if ranked.shape[1] <= KD_TREE_MAX_DIM:
        return order, _with_tree(ranked, order, count)
    return order, _by_blocks(ranked, order, count)


#: Up to this dimension a k-d tree finds the neighbours; beyond it, blocks of distances do.
KD_TREE_MAX_DIM = 5
#: Rows per block of the brute-force search.
_BLOCK = 512


def _with_tree(ranked, order, count):
    from scipy.spatial import cKDTree

    n = len(order)
    neighbours = min(n, 4 * count + 8)
    _, near = cKDTree(ranked).query(ranked, k=neighbours)
    near = np.asarray(near).reshape(n, neighbours)
    candidates = []
    for rank in range(n):
        better = near[rank][near[rank] < rank][:count]
        if len(better) < min(count, rank) and neighbours < n:
            distance = np.sum((ranked[:rank] - ranked[rank]) ** 2, axis=1)
            better = np.argsort(distance, kind="stable")[:count]
        candidates.append(order[better])
    return candidates


def _by_blocks(ranked, order, count):
    n = len(order)
    squared = np.sum(ranked ** 2, axis=1)
    candidates = [np.zeros(0, dtype=int)]
    for start in range(1, n, _BLOCK):
        stop = min(start + _BLOCK, n)
        block = squared[start:stop, None] - 2.0 * ranked[start:stop] @ ranked[:stop].T \
            + squared[None, :stop]
        ranks = np.arange(start, stop)
        block[np.arange(stop)[None, :] >= ranks[:, None]] = np.inf  # only better points
        k = min(count, stop - 1)
        nearest = np.argpartition(block, k - 1, axis=1)[:, :k] if k < stop else \
            np.tile(np.arange(stop), (len(ranks), 1))
        near_distance = np.take_along_axis(block, nearest, axis=1)
        sorted_columns = np.lexsort((nearest, near_distance), axis=1)
        nearest = np.take_along_axis(nearest, sorted_columns, axis=1)
        for row, rank in enumerate(ranks):
            chosen = nearest[row][nearest[row] < rank][:count]
            candidates.append(order[chosen])
    return candidates
