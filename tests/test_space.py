import numpy as np
import pytest
from scipy.optimize import Bounds

from evodiff.backend import Backend
from evodiff.space import SearchSpace, parse_bounds


def test_bounds_forms():
    lower, upper = parse_bounds([(-1, 2), (0, 3)])
    np.testing.assert_array_equal(lower, [-1, 0])
    np.testing.assert_array_equal(upper, [2, 3])
    lower, upper = parse_bounds(Bounds([-1, 0], [2, 3]))
    np.testing.assert_array_equal(upper, [2, 3])


@pytest.mark.parametrize("bounds, error, match", [
    ([(-1, 1, 2)], ValueError, r"shape \(D, 2\)"),
    ([], ValueError, r"shape \(D, 2\)"),
    ([(0, np.inf)], ValueError, "finite"),
    ([(0, np.nan)], ValueError, "finite"),
    ([(1, 1)], ValueError, "coordinate 0 has min=1.0 >= max=1.0"),
    ([(0, 1), (3, -3)], ValueError, "coordinate 1"),
    ("box", TypeError, "pairs"),
    (Bounds([0, 2], [1, 1]), ValueError, "coordinate 1"),
])
def test_bad_bounds(bounds, error, match):
    with pytest.raises(error, match=match):
        parse_bounds(bounds)


def test_dimension_mismatch():
    with pytest.raises(ValueError, match="3 \\(min, max\\) pairs; got 2"):
        parse_bounds([(0, 1), (0, 1)], dim=3)


def test_center_scale_region(backend_name):
    b = Backend(backend_name)
    space = SearchSpace(b, center=[1.0, 2.0], scale=0.5)
    X, excess = space.to_problem(b.asarray([[2.0, -2.0]]))
    assert excess is None
    np.testing.assert_allclose(b.to_host(X), [[2.0, 1.0]])
    np.testing.assert_allclose(b.to_host(space.to_normalised(X)), [[2.0, -2.0]])


@pytest.mark.parametrize("kwargs, error, match", [
    ({"center": [0.0, 0.0], "scale": [1.0, -1.0]}, ValueError, "scale must be positive"),
    ({"center": [0.0, np.nan]}, ValueError, "center must be finite"),
    ({"center": 0.0}, ValueError, "dimension must be given"),
    ({"center": [[0.0]]}, ValueError, "center must be"),
    ({}, ValueError, "dimension is unknown"),
    ({"bounds": [(0, 1)], "center": [0.0]}, ValueError, "either bounds or center"),
    ({"dim": 0, "center": 0.0}, ValueError, "dim"),
    ({"dim": 2.0, "center": 0.0}, TypeError, "dim"),
])
def test_bad_region(kwargs, error, match):
    with pytest.raises(error, match=match):
        SearchSpace(Backend(), **kwargs)


def test_clipping_and_penalty(backend_name):
    b = Backend(backend_name)
    space = SearchSpace(b, bounds=[(-1, 1), (0, 4)])
    x = b.asarray([[0.0, 0.0], [2.0, 0.0], [0.0, -1.5]])
    X, excess = space.to_problem(x)
    np.testing.assert_allclose(b.to_host(X), [[0.0, 2.0], [1.0, 2.0], [0.0, 0.0]])
    np.testing.assert_allclose(b.to_host(excess), [0.0, 1.0, 0.25])
    cost = space.penalize(b.asarray([5.0, 1.0, 3.0]), excess)
    # span of the costs is 4: penalties 4 * 1 and 4 * 0.25
    np.testing.assert_allclose(b.to_host(cost), [5.0, 5.0, 4.0])


def test_penalty_keeps_failed_points_worst(backend_name):
    b = Backend(backend_name)
    space = SearchSpace(b, bounds=[(-1, 1)])
    cost = space.penalize(b.asarray([np.inf, 2.0]), b.asarray([1.0, 1.0]))
    host = b.to_host(cost)
    assert host[0] == np.inf and host[1] == pytest.approx(4.0)  # span falls back to |2|


@pytest.mark.parametrize("kwargs, match", [
    ({"bounds": [(0, 1), (-1e300, 1e300)]}, "bounds: coordinate 1 spans 2e\\+300, beyond the float32"),
    ({"center": [0.0, 1e39], "scale": 1.0}, "center: coordinate 1 is 1e\\+39"),
    ({"center": [0.0, 0.0], "scale": [1e39, 1.0]}, "scale: coordinate 0 is 1e\\+39"),
])
def test_a_region_float32_cannot_hold_is_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        SearchSpace(Backend("numpy", dtype="float32"), **kwargs)
    SearchSpace(Backend("numpy", dtype="float64"), **kwargs)  # float64 holds it
