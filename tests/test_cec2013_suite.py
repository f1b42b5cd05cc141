"""The CEC'2013 niching suite: definitions, data files and the official counting."""

import math

import numpy as np
import pytest

from evodiff.bench.cec2013 import (
    count_global_optima,
    niching_problem,
    niching_problems,
    score_solutions,
)
from evodiff.bench.cec2013 import functions as f
from evodiff.bench.cec2013.problems import data_path

PROBLEMS = niching_problems()

#: The facts of the report's table: (D, optima, f*, rho, MaxFEs).
FACTS = {
    1: (1, 2, 200.0, 0.01, 50_000), 2: (1, 5, 1.0, 0.01, 50_000),
    3: (1, 1, 1.0, 0.01, 50_000), 4: (2, 4, 200.0, 0.01, 50_000),
    5: (2, 2, 1.031628453489877, 0.5, 50_000), 6: (2, 18, 186.7309088310239, 0.5, 200_000),
    7: (2, 36, 1.0, 0.2, 200_000), 8: (3, 81, 2709.093505572820, 0.5, 400_000),
    9: (3, 216, 1.0, 0.2, 400_000), 10: (2, 12, -2.0, 0.01, 200_000),
    11: (2, 6, 0.0, 0.01, 200_000), 12: (2, 8, 0.0, 0.01, 200_000),
    13: (2, 6, 0.0, 0.01, 200_000), 14: (3, 6, 0.0, 0.01, 400_000),
    15: (3, 8, 0.0, 0.01, 400_000), 16: (5, 6, 0.0, 0.01, 400_000),
    17: (5, 8, 0.0, 0.01, 400_000), 18: (10, 6, 0.0, 0.01, 400_000),
    19: (10, 8, 0.0, 0.01, 400_000), 20: (20, 8, 0.0, 0.01, 400_000),
}


def test_twenty_problems_with_the_reports_facts():
    assert [p.number for p in PROBLEMS] == list(range(1, 21))
    for p in PROBLEMS:
        dim, n_optima, fstar, rho, max_fes = FACTS[p.number]
        assert (p.dim, p.n_optima, p.rho, p.max_fes) == (dim, n_optima, rho, max_fes)
        assert p.fstar == pytest.approx(fstar, abs=1e-12)
        assert p.lower.shape == p.upper.shape == (dim,)


@pytest.mark.parametrize("problem", PROBLEMS, ids=lambda p: p.name)
def test_value_at_every_known_optimum_is_fstar(problem):
    optima = problem.known_optima()
    assert optima.shape == (problem.n_optima, problem.dim)
    assert np.all((optima >= problem.lower) & (optima <= problem.upper))
    np.testing.assert_allclose(problem(optima), problem.fstar, rtol=0, atol=1e-6)


@pytest.mark.parametrize("problem", PROBLEMS, ids=lambda p: p.name)
def test_counting_finds_every_optimum_of_the_optima_files(problem):
    optima = problem.known_optima()
    values = problem(optima)
    for accuracy in (1e-1, 1e-5):
        found = count_global_optima(optima, values, problem.fstar, accuracy, problem.rho,
                                    problem.n_optima)
        assert sorted(found.tolist()) == list(range(problem.n_optima))


@pytest.mark.parametrize("problem", PROBLEMS, ids=lambda p: p.name)
def test_no_point_of_the_box_beats_fstar(problem):
    """Random points and points near the optima never exceed f* (it is the maximum)."""
    rng = np.random.default_rng(problem.number)
    X = rng.uniform(problem.lower, problem.upper, size=(2000, problem.dim))
    near = problem.known_optima()[rng.integers(problem.n_optima, size=2000)]
    near = np.clip(near + rng.normal(scale=1e-3, size=near.shape), problem.lower, problem.upper)
    values = problem(np.vstack([X, near]))
    assert values.shape == (4000,)
    assert np.all(np.isfinite(values))
    assert np.max(values) <= problem.fstar + 1e-6


@pytest.mark.slow
@pytest.mark.parametrize("number", [4, 5, 6, 7, 10, 11, 12, 13])
def test_grid_maximum_of_the_2d_problems_is_fstar(number):
    """An independent check of the definitions: the maximum over a fine grid reaches f*."""
    problem = niching_problem(number)
    axes = [np.linspace(lo, hi, 801) for lo, hi in zip(problem.lower, problem.upper)]
    grid = np.stack(np.meshgrid(*axes), axis=-1).reshape(-1, 2)
    best = grid[np.argmax(problem(grid))]
    from scipy.optimize import minimize
    polished = minimize(lambda x: -problem(x), best, method="L-BFGS-B",
                        bounds=problem.bounds)
    assert -polished.fun == pytest.approx(problem.fstar, abs=1e-4)


def test_the_one_dimensional_problems_by_hand():
    assert f.five_uneven_peak_trap(np.array([[0.0], [2.5], [5.0], [30.0], [12.5]])).tolist() == \
        [200.0, 0.0, 160.0, 200.0, 140.0]
    np.testing.assert_allclose(f.equal_maxima(np.array([[0.1], [0.2]])), [1.0, 0.0], atol=1e-12)
    x = 0.5
    expected = (math.exp(-2 * math.log(2) * ((x - 0.08) / 0.854) ** 2)
                * math.sin(5 * math.pi * (x ** 0.75 - 0.05)) ** 6)
    assert f.uneven_decreasing_maxima(np.array([[x]]))[0] == pytest.approx(expected)


def test_base_functions_by_hand():
    z = np.array([[1.0, 0.0], [0.0, 0.0]])
    np.testing.assert_allclose(f.sphere(z), [1.0, 0.0])
    np.testing.assert_allclose(f.rastrigin(z), [1.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(f.griewank(np.array([[math.pi, 0.0]])),
                               [1 + math.pi ** 2 / 4000 - math.cos(math.pi)])
    np.testing.assert_allclose(f.weierstrass(np.zeros((1, 3))), [0.0], atol=1e-12)
    a, b = 0.5, 3.0
    expected = sum(a ** k * (math.cos(2 * math.pi * b ** k * 0.75) - math.cos(math.pi * b ** k))
                   for k in range(21))
    assert f.weierstrass(np.array([[0.25]]))[0] == pytest.approx(expected)
    np.testing.assert_allclose(f.expanded_griewank_rosenbrock(np.zeros((1, 4))), [0.0], atol=1e-12)
    # one pair (x, y) = (2, 1) after the shift: Rosenbrock 100 (4 - 1)^2 + 1 = 901
    pair = f.expanded_griewank_rosenbrock(np.array([[1.0, 0.0]]))[0]
    r1, r2 = 901.0, 100.0 * (1 - 2) ** 2 + 0.0  # (2, 1) and the wrap-around pair (1, 2)
    expected = sum(1 + r ** 2 / 4000 - math.cos(r) for r in (r1, r2))
    assert pair == pytest.approx(expected)


def test_shubert_and_vincent_match_their_formulas():
    x = np.array([[0.3, -1.2, 2.0]])
    expected = -np.prod([sum(j * math.cos((j + 1) * xi + j) for j in range(1, 6)) for xi in x[0]])
    assert f.shubert(x)[0] == pytest.approx(expected)
    assert f.vincent(x[:, :1] + 1)[0] == pytest.approx(math.sin(10 * math.log(1.3)))


def test_problem_call_shapes_and_errors():
    problem = niching_problem("F4")
    assert problem([3.0, 2.0]) == 200.0
    assert problem(np.zeros((5, 2))).shape == (5,)
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        problem(np.zeros((5, 3)))
    for bad in (0, 21, "F0", "G1", 2.5, True):
        with pytest.raises(ValueError, match="F1 ... F20"):
            niching_problem(bad)


def test_counting_respects_rho_accuracy_and_the_cap():
    problem = niching_problem(2)  # five optima at 0.1, 0.3, ..., 0.9; rho 0.01
    points = np.array([[0.1], [0.105], [0.3], [0.52], [0.5]])
    values = problem(points)
    # 0.105 is within rho of 0.1; 0.52 is not at the optimum 0.5 (value far below 1)
    found = count_global_optima(points, values, 1.0, 1e-1, 0.01, 5)
    assert sorted(points[found, 0].tolist()) == [0.1, 0.3, 0.5]
    capped = count_global_optima(points, values, 1.0, 1e-1, 0.01, 2)
    assert len(capped) == 2
    assert len(count_global_optima(np.zeros((0, 1)), np.zeros(0), 1.0, 0.1, 0.01, 5)) == 0


def test_counting_takes_the_better_of_two_close_points():
    # the better point is the seed; the worse one within rho never counts, even if accurate
    points = np.array([[0.0], [0.005]])
    found = count_global_optima(points, np.array([0.95, 0.99]), 1.0, 0.02, 0.01, 2)
    assert found.tolist() == [1]
    none = count_global_optima(points, np.array([0.95, 0.99]), 1.0, 0.001, 0.01, 2)
    assert none.tolist() == []


def test_score_solutions_precision_and_f1():
    problem = niching_problem(2)
    optima = problem.known_optima()
    extra = np.array([[0.2], [0.4], [0.6]])  # minima of F2
    scores = score_solutions(problem, np.vstack([optima[:4], extra]))
    assert [s["accuracy"] for s in scores] == [1e-1, 1e-2, 1e-3, 1e-4, 1e-5]
    first = scores[0]
    assert first["found"] == 4 and first["peak_ratio"] == 0.8 and not first["success"]
    assert first["precision"] == pytest.approx(4 / 7)
    assert first["f1"] == pytest.approx(2 * (4 / 7) * 0.8 / (4 / 7 + 0.8))
    empty = score_solutions(problem, np.zeros((0, 1)))
    assert all(s["found"] == 0 and s["f1"] == 0.0 and s["precision"] == 0.0 for s in empty)
    full = score_solutions(problem, optima)
    assert all(s["success"] and s["f1"] == 1.0 for s in full)


def test_the_data_files_ship_with_their_licence():
    licence = data_path("LICENSE.txt").read_text()
    assert "Epitropakis" in licence and "Redistribution" in licence
    assert data_path("functions", "optima.dat").is_file()
