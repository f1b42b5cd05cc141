import numpy as np
import pytest

from evodiff.modes import cluster_points


def test_planted_clusters_are_found():
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, -1.0]])
    sizes = [50, 30, 20]
    points = np.concatenate([c + 0.01 * rng.standard_normal((k, 2)) for c, k in zip(centres, sizes)])
    points = points[rng.permutation(points.shape[0])]
    found, counts = cluster_points(points, radius=0.1)
    np.testing.assert_array_equal(counts, [50, 30, 20])
    np.testing.assert_allclose(found, centres, atol=0.01)


def test_small_clusters_are_dropped():
    points = np.array([[0.0], [0.01], [0.02], [5.0]])
    found, counts = cluster_points(points, radius=0.1, min_count=2)
    assert counts.tolist() == [3]
    assert found.shape == (1, 1)


def test_no_cluster_left():
    found, counts = cluster_points(np.array([[0.0, 0.0]]), radius=0.1, min_count=2)
    assert found.shape == (0, 2) and counts.size == 0


def test_bad_arguments():
    with pytest.raises(ValueError, match="radius"):
        cluster_points(np.zeros((3, 2)), radius=0.0)
    with pytest.raises(ValueError, match="shape"):
        cluster_points(np.zeros(3), radius=0.1)
