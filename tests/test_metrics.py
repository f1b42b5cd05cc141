"""Tests of evodiff.metrics: entropy, normalised fitness, top-k, optima found, target hits."""

import math

import numpy as np
import pytest

from evodiff.metrics import (
    distinct_corners_found,
    distinct_optima_found,
    evaluations_to_target,
    normalized_fitness,
    top_k,
    top_k_entropy,
)


def test_entropy_of_identical_points_is_zero():
    assert top_k_entropy(np.full((64, 3), 1.234)) == 0.0


def test_entropy_of_64_distinct_cells_is_six_bits():
    points = np.stack([0.1 * np.arange(64), np.zeros(64)], axis=1)
    assert top_k_entropy(points) == pytest.approx(6.0, abs=1e-12)


def test_entropy_bins_on_the_resolution_grid():
    # 0.04 rounds to cell 0 and 0.06 to cell 1 on a 0.1 grid: two equal cells, one bit.
    points = np.array([[0.04]] * 32 + [[0.06]] * 32)
    assert top_k_entropy(points) == pytest.approx(1.0)
    assert top_k_entropy(points, resolution=1.0) == 0.0


def test_entropy_uses_only_the_first_k_points():
    points = np.concatenate([np.zeros((4, 2)), np.arange(8.0)[:, None] * np.ones((1, 2))])
    assert top_k_entropy(points, k=4) == 0.0
    assert top_k_entropy(points, k=None) > 0.0


@pytest.mark.parametrize("kwargs, name", [
    ({"points": np.zeros(5)}, "points"),
    ({"points": [[np.nan, 0.0]]}, "points"),
    ({"points": np.zeros((3, 2)), "k": 0}, "k"),
    ({"points": np.zeros((3, 2)), "resolution": 0.0}, "resolution"),
])
def test_entropy_rejects_bad_input(kwargs, name):
    with pytest.raises(ValueError, match=name):
        top_k_entropy(**kwargs)


def test_normalized_fitness_is_one_at_target_and_zero_at_max_distance():
    g = normalized_fitness([5.0, 5.0 + 40.0, 5.0 - 40.0, 5.0 + 100.0], target=5.0, scale=10.0,
                           max_distance=40.0)
    np.testing.assert_allclose(g, [1.0, 0.0, 0.0, 0.0], atol=1e-15)


def test_normalized_fitness_formula_and_monotonicity():
    scale, dmax = 30.0, 64.6249
    f = np.linspace(-64.6249, 0.0, 11)
    p_min = math.exp(-dmax / scale)
    expected = (np.exp(-np.abs(f + 64.6249) / scale) - p_min) / (1 - p_min)
    g = normalized_fitness(f, -64.6249, scale, dmax)
    np.testing.assert_allclose(g, expected)
    assert np.all(np.diff(g) < 0)
    # The distance makes the score the same for -f with the target negated.
    np.testing.assert_allclose(normalized_fitness(-f, 64.6249, scale, dmax), g)


def test_normalized_fitness_scores_nan_as_zero():
    assert normalized_fitness([np.nan], 0.0, 1.0, 1.0)[0] == 0.0


@pytest.mark.parametrize("args, name", [
    ((1.0, math.nan, 1.0, 1.0), "target"),
    ((1.0, 0.0, 0.0, 1.0), "scale"),
    ((1.0, 0.0, -2.0, 1.0), "scale"),
    ((1.0, 0.0, 1.0, 0.0), "max_distance"),
    ((1.0, 0.0, 1.0, math.inf), "max_distance"),
])
def test_normalized_fitness_rejects_bad_input(args, name):
    with pytest.raises(ValueError, match=name):
        normalized_fitness(*args)


def test_top_k_orders_best_first_in_both_senses():
    points = np.arange(10.0)[:, None]
    values = np.array([5, 3, 9, 1, 7, 0, 8, 2, 6, 4], dtype=float)
    best, vals = top_k(points, values, k=3)
    np.testing.assert_array_equal(vals, [0, 1, 2])
    np.testing.assert_array_equal(best[:, 0], [5, 3, 7])
    _, vals = top_k(points, values, k=3, sense="max")
    np.testing.assert_array_equal(vals, [9, 8, 7])


def test_top_k_keeps_all_when_fewer_and_ranks_nan_last():
    best, vals = top_k(np.zeros((3, 2)), [np.nan, 2.0, 1.0], k=64)
    assert best.shape == (3, 2)
    assert vals[0] == 1.0 and np.isnan(vals[-1])


@pytest.mark.parametrize("kwargs, name", [
    ({"points": np.zeros((3, 2)), "values": np.zeros(4)}, "values"),
    ({"points": np.zeros((3, 2)), "values": np.zeros(3), "k": 0}, "k"),
    ({"points": np.zeros((3, 2)), "values": np.zeros(3), "sense": "up"}, "sense"),
])
def test_top_k_rejects_bad_input(kwargs, name):
    with pytest.raises(ValueError, match=name):
        top_k(**kwargs)


def test_distinct_optima_found_counts_optima_within_radius():
    optima = np.array([[0.0, 0.0], [3.0, 3.0], [-3.0, 3.0]])
    points = np.array([[0.1, 0.0], [0.0, 0.1], [2.85, 3.0], [-3.0, 2.0]])
    assert distinct_optima_found(points, optima, radius=0.2) == 2
    assert distinct_optima_found(points, optima, radius=1.0) == 3
    assert distinct_optima_found(points[:0], optima, radius=1.0) == 0


def test_distinct_optima_found_rejects_bad_input():
    with pytest.raises(ValueError, match="optima"):
        distinct_optima_found(np.zeros((2, 2)), np.zeros((1, 3)), 0.1)
    with pytest.raises(ValueError, match="radius"):
        distinct_optima_found(np.zeros((2, 2)), np.zeros((1, 2)), 0.0)


def test_distinct_corners_found_works_without_listing_the_corners():
    c = 3.5
    points = np.array([[c, c, -c], [c + 0.1, c, -c], [-c, -c, -c], [0.0, 0.0, 0.0]])
    assert distinct_corners_found(points, c, 0.2) == 2
    big = np.full((5, 256), c)
    big[1:, 0] = -c
    assert distinct_corners_found(big, c, 0.2) == 2
    with pytest.raises(ValueError, match="corner"):
        distinct_corners_found(points, -1.0, 0.2)


def test_evaluations_to_target():
    nfev = [10, 20, 30, 40]
    assert evaluations_to_target(nfev, [5.0, 1.0, 1e-7, 2.0], 1e-6, "min") == 30
    assert evaluations_to_target(nfev, [5.0, 1.0, 0.5, 2.0], 1e-6, "min") == math.inf
    assert evaluations_to_target(nfev, [1.0, 9.0, 3.0, 2.0], 8.0, "max") == 20
    assert evaluations_to_target([], [], 0.0, "min") == math.inf


@pytest.mark.parametrize("args, name", [
    (([1, 2], [1.0], 0.0, "min"), "history"),
    (([1], [1.0], 0.0, "best"), "sense"),
    (([1], [1.0], math.nan, "min"), "target"),
])
def test_evaluations_to_target_rejects_bad_input(args, name):
    with pytest.raises(ValueError, match=name):
        evaluations_to_target(*args)


def test_checks_follow_the_one_validation_rule():
    from evodiff.metrics import top_k

    points, values = np.eye(3), np.array([3.0, 1.0, 2.0])
    with pytest.raises(TypeError, match="k must be an int"):
        top_k(points, values, k=2.0)
    with pytest.raises(ValueError, match="k must be >= 1"):
        top_k(points, values, k=0)
    best, _ = top_k(points, values, k=1, sense="minimize")  # the spellings CMAES accepts
    np.testing.assert_array_equal(best, points[[1]])
    worst, _ = top_k(points, values, k=1, sense="Maximise")
    np.testing.assert_array_equal(worst, points[[0]])
