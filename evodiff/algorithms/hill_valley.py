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

import numpy as np

__all__ = ["expected_edge", "nearest_better", "same_basin", "segment_points", "interior_counts"]

#: Most interior points of one test (a long segment is tested as finely as a short one).
MAX_TEST_POINTS = 5


def expected_edge(volume, count, dim):
    """Typical distance between neighbours of ``count`` uniform points in a box of ``volume``."""
    return (volume / max(count, 1)) ** (1.0 / dim)


def interior_counts(distances, edge):
    """Interior points of the tests of segments of these lengths: ``1 + floor(distance / edge)``,
    at most :data:`MAX_TEST_POINTS` (array of int)."""
    distances = np.asarray(distances, dtype=np.float64)
    return np.minimum(MAX_TEST_POINTS, 1 + np.floor(distances / edge)).astype(int)


def segment_points(a, b, counts):
    """Test points of segments ``a[i] -> b[i]``: ``counts[i]`` evenly inside each, concatenated.

    Parameters
    ----------
    a, b : ndarray, shape (P, D)
        The ends of ``P`` segments.
    counts : array_like of int, shape (P,)

    Returns
    -------
    ndarray, shape (sum(counts), D)
        The points of segment 0 first, at ``k / (counts[i] + 1)`` of it, ``k = 1..counts[i]``.
    """
    a, b = np.atleast_2d(a), np.atleast_2d(b)
    counts = np.asarray(counts, dtype=int).reshape(-1)
    segment = np.repeat(np.arange(counts.size), counts)
    step = np.arange(segment.size) - np.repeat(np.cumsum(counts) - counts, counts) + 1
    fractions = step / (counts[segment] + 1.0)
    return a[segment] + fractions[:, None] * (b - a)[segment]


#: Relative rounding allowance of a test: two points at one optimum differ by rounding only.
ROUNDING = 1e-12


def same_basin(cost_a, cost_b, test_costs, counts):
    """Whether no interior test point of each segment is worse than the worse of its ends.

    A slack of ``ROUNDING * (1 + |worse end|)`` absorbs rounding, so that
    two points at one optimum pass even when their test points differ from
    them in the last digits.

    Parameters
    ----------
    cost_a, cost_b : array_like, shape (P,)
        Costs of the ends of ``P`` segments.
    test_costs : array_like, shape (sum(counts),)
        Costs of their test points, as :func:`segment_points` orders them.
    counts : array_like of int, shape (P,)
        Test points per segment (each at least 1).

    Returns
    -------
    ndarray of bool, shape (P,)
    """
    worse = np.maximum(np.asarray(cost_a, dtype=np.float64), np.asarray(cost_b, dtype=np.float64))
    counts = np.asarray(counts, dtype=int).reshape(-1)
    with np.errstate(invalid="ignore"):
        slack = np.where(np.isfinite(worse), ROUNDING * (1.0 + np.abs(worse)), 0.0)
    highest = np.maximum.reduceat(np.asarray(test_costs, dtype=np.float64),
                                  np.cumsum(counts) - counts)
    return highest <= worse + slack


def nearest_better(points, costs, count):
    """For each point, the indices of its ``count`` nearest strictly better points.

    A k-d tree gives every point its nearest neighbours; the better ones
    among them are its candidates.  The points with too few better points
    among their neighbours (the good ones, which have few better points at
    all) ask the tree again for twice as many neighbours.  Beyond
    :data:`KD_TREE_MAX_DIM` dimensions, blocks of distances replace the tree.

    Parameters
    ----------
    points : ndarray, shape (N, D)
    costs : ndarray, shape (N,)
    count : int

    Returns
    -------
    order : ndarray, shape (N,)
        The points sorted best first (ties broken by index).
    candidates : ndarray of int, shape (N, count)
        ``candidates[r]`` are the indices (into ``points``) of the nearest
        better points of ``points[order[r]]``, nearest first, padded with -1
        (all -1 for the best).
    """
    order = np.argsort(costs, kind="stable")
    ranked = np.asarray(points, dtype=np.float64)[order]
    if ranked.shape[1] <= KD_TREE_MAX_DIM:
        by_rank = _with_tree(ranked, count)
    else:
        by_rank = _by_blocks(ranked, count)
    return order, np.where(by_rank >= 0, order[by_rank.clip(0)], -1)


#: Up to this dimension a k-d tree finds the neighbours; beyond it, blocks of distances do.
KD_TREE_MAX_DIM = 5
#: Rows per block of the brute-force search.
_BLOCK = 512


def _first_better(near, ranks, count):
    """Per row, the first ``count`` entries of ``near`` below the row's rank, padded with -1;
    and whether the row has ``min(count, rank)`` of them."""
    better = (near < ranks[:, None]) & (near >= 0)
    taken = better & (np.cumsum(better, axis=1) <= count)
    rows, columns = np.nonzero(taken)
    slot = np.cumsum(taken, axis=1)[rows, columns] - 1
    chosen = np.full((ranks.size, count), -1)
    chosen[rows, slot] = near[rows, columns]
    return chosen, taken.sum(axis=1) >= np.minimum(count, ranks)


#: Most neighbours asked of the k-d tree; a point still short of better ones is searched by
#: brute force among the points better than it.
_MAX_TREE_NEIGHBOURS = 128


def _with_tree(ranked, count):
    from scipy.spatial import cKDTree

    n = ranked.shape[0]
    tree = cKDTree(ranked)
    candidates = np.full((n, count), -1)
    pending, neighbours = np.arange(n), min(n, 2 * count + 2)
    # the points short of better neighbours ask the tree again for twice as many
    while pending.size and neighbours <= _MAX_TREE_NEIGHBOURS:
        _, near = tree.query(ranked[pending], k=neighbours)
        chosen, enough = _first_better(np.asarray(near).reshape(pending.size, neighbours),
                                       pending, count)
        enough |= neighbours >= n
        candidates[pending[enough]] = chosen[enough]
        pending, neighbours = pending[~enough], min(n, 2 * neighbours)
    for rank in pending:
        distance = np.sum((ranked[:rank] - ranked[rank]) ** 2, axis=1)
        k = min(count, rank)
        nearest = np.argpartition(distance, k - 1)[:k] if k < rank else np.arange(rank)
        candidates[rank, :k] = nearest[np.lexsort((nearest, distance[nearest]))]
    return candidates


def _by_blocks(ranked, count):
    n = ranked.shape[0]
    squared = np.sum(ranked ** 2, axis=1)
    candidates = np.full((n, count), -1)
    for start in range(1, n, _BLOCK):
        stop = min(start + _BLOCK, n)
        block = squared[start:stop, None] - 2.0 * ranked[start:stop] @ ranked[:stop].T \
            + squared[None, :stop]
        ranks = np.arange(start, stop)
        block[np.arange(stop)[None, :] >= ranks[:, None]] = np.inf  # only better points
        k = min(count, stop - 1)
        nearest = np.argpartition(block, k - 1, axis=1)[:, :k]
        near_distance = np.take_along_axis(block, nearest, axis=1)
        sorted_columns = np.lexsort((nearest, near_distance), axis=1)
        nearest = np.take_along_axis(nearest, sorted_columns, axis=1)
        candidates[start:stop] = _first_better(nearest, ranks, count)[0]
    return candidates
