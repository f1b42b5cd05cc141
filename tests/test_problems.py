"""Tests for evodiff.problems."""

import math

import array_api_strict
import numpy as np
import pytest

from evodiff.problems import (
    PROBLEMS,
    Problem,
    ackley,
    beale,
    ellipsoid,
    get_problem,
    himmelblau,
    random_shift,
    rastrigin,
    rosenbrock,
    shifted,
    sphere,
    two_peaks,
)

ALL = [
    sphere(2),
    sphere(5),
    ellipsoid(1),
    ellipsoid(2),
    ellipsoid(5),
    rastrigin(2),
    rastrigin(5),
    ackley(2),
    ackley(5),
    rosenbrock(2),
    rosenbrock(5),
    beale(),
    himmelblau(),
    two_peaks(1),
    two_peaks(2),
    two_peaks(5),
    shifted(rastrigin(3), [0.5, -1.0, 2.0]),
    random_shift(himmelblau(), rng=0),
]
IDS = [f"{p.name}-{p.dim}d" for p in ALL]


def signed(problem, values):
    """Values turned into a minimisation: larger means worse."""
    return values if problem.sense == "min" else -values


def sample_domain(problem, rng, n=20_000):
    """Random points in the domain plus a fine grid when 2-D."""
    pts = rng.uniform(problem.lower, problem.upper, size=(n, problem.dim))
    if problem.dim == 2:
        axes = [np.linspace(lo, hi, 201) for lo, hi in problem.bounds]
        grid = np.stack(np.meshgrid(*axes), axis=-1).reshape(-1, 2)
        pts = np.concatenate([pts, grid])
    return pts


def fd_gradient(problem, point, h=1e-5):
    grad = np.empty(problem.dim)
    for i in range(problem.dim):
        step = np.zeros(problem.dim)
        step[i] = h
        grad[i] = (problem(point + step) - problem(point - step)) / (2 * h)
    return grad


# --- optima ---------------------------------------------------------------


@pytest.mark.parametrize("problem", ALL, ids=IDS)
def test_value_at_optima(problem):
    values = problem(problem.optima)
    np.testing.assert_allclose(values, problem.optimum_value, rtol=0, atol=1e-12)


@pytest.mark.parametrize("problem", ALL, ids=IDS)
def test_optima_are_global(problem):
    rng = np.random.default_rng(1)
    near = problem.optima[:, None, :] + rng.normal(0, 0.01, (1, 200, problem.dim))
    near = np.clip(near.reshape(-1, problem.dim), problem.lower, problem.upper)
    pts = np.concatenate([sample_domain(problem, rng), near])
    worst_allowed = signed(problem, problem.optimum_value) - 1e-12
    assert np.all(signed(problem, problem(pts)) >= worst_allowed)


@pytest.mark.parametrize("problem", ALL, ids=IDS)
def test_optima_inside_domain(problem):
    for pts in (problem.optima, problem.local_optima):
        assert np.all((pts >= problem.lower) & (pts <= problem.upper))


def test_himmelblau_has_four_distinct_minima():
    opt = himmelblau().optima
    assert opt.shape == (4, 2)
    np.testing.assert_array_equal(opt[0], [3.0, 2.0])
    gaps = np.linalg.norm(opt[:, None] - opt[None], axis=2) + np.eye(4) * 10
    assert gaps.min() > 1.0
    approx = [(-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)]
    np.testing.assert_allclose(opt[1:], approx, atol=1e-6)


def test_himmelblau_gradient_vanishes_at_minima():
    problem = himmelblau()
    for point in problem.optima:
        assert np.max(np.abs(fd_gradient(problem, point))) < 1e-7
    # The 6-decimal values fail the same check, so it does measure accuracy.
    rounded = np.round(problem.optima[1], 6)
    assert np.max(np.abs(fd_gradient(problem, rounded))) > 1e-6


def test_two_peaks_optimum_located_numerically():
    problem = two_peaks(1)
    # In 1-D the far bump pulls the peak visibly off 1.5.
    assert problem.optima[0, 0] < 1.5
    assert abs(fd_gradient(problem, problem.optima[0])[0]) < 1e-9
    assert abs(fd_gradient(problem, np.array([1.5]))[0]) > 1e-8
    assert abs(fd_gradient(problem, problem.local_optima[0])[0]) < 1e-9
    assert problem.optimum_value > float(problem(np.array([1.5])))


@pytest.mark.parametrize("dim", [1, 2, 5])
def test_two_peaks_local_peak(dim):
    problem = two_peaks(dim)
    assert problem.sense == "max"
    assert problem.local_optima.shape == (1, dim)
    np.testing.assert_allclose(problem.local_optima, -1.5, atol=1e-6)
    np.testing.assert_allclose(problem.optima, 1.5, atol=1e-6)
    local_value = float(problem(problem.local_optima[0]))
    assert local_value == pytest.approx(0.6, abs=1e-6)
    assert local_value < problem.optimum_value
    # A local maximum: nearby points are lower.
    rng = np.random.default_rng(2)
    near = problem.local_optima + rng.normal(0, 0.01, (100, dim))
    assert np.all(problem(near) <= local_value)


@pytest.mark.parametrize(
    "problem", [p for p in ALL if p.sense == "min"], ids=lambda p: p.name
)
def test_min_problems_have_no_local_optima_listed(problem):
    assert problem.local_optima.shape == (0, problem.dim)


# --- reference values -----------------------------------------------------


def test_reference_values():
    # Each expected value is the formula worked out by hand.
    assert float(sphere(3)(np.array([1.0, -2.0, 3.0]))) == 14.0
    # weights 1e6**(0, 0.5, 1) = 1, 1e3, 1e6
    assert float(ellipsoid(3)(np.array([1.0, 1.0, 1.0]))) == pytest.approx(1_001_001.0)
    assert float(ellipsoid(1)(np.array([3.0]))) == 9.0
    assert float(ellipsoid(2, condition=100.0)(np.array([1.0, 2.0]))) == pytest.approx(
        401.0
    )
    # 20 + (1 - 10) + (4 - 10)
    assert float(rastrigin(2)(np.array([1.0, 2.0]))) == pytest.approx(5.0, abs=1e-12)
    assert float(rastrigin(1)(np.array([0.5]))) == pytest.approx(20.25)
    # mean x^2 = 1, mean cos = 1: -20 e^-0.2 - e + 20 + e
    expected = -20 * math.exp(-0.2) + 20
    assert float(ackley(2)(np.array([1.0, -1.0]))) == pytest.approx(expected, rel=1e-12)
    assert float(rosenbrock(2)(np.array([0.0, 0.0]))) == 1.0
    # 100 (1 - 0)^2 + (1 - 0)^2 + 100 (1 - 1)^2 + 0
    assert float(rosenbrock(3)(np.array([0.0, 1.0, 1.0]))) == 101.0
    assert float(beale()(np.array([0.0, 0.0]))) == pytest.approx(14.203125)
    # (1.5 - 1 + 1)^2 + (2.25 - 1 + 1)^2 + (2.625 - 1 + 1)^2
    assert float(beale()(np.array([1.0, 1.0]))) == pytest.approx(
        2.25 + 5.0625 + 6.890625
    )
    assert float(himmelblau()(np.array([0.0, 0.0]))) == 170.0
    # (1 + 1 - 11)^2 + (1 + 1 - 7)^2 = 81 + 25
    assert float(himmelblau()(np.array([1.0, 1.0]))) == 106.0
    # centre term exp(-2 * 1.5^2 * 2) for the high bump, 0.6 for the low one at -c
    value = float(two_peaks(2)(np.array([0.0, 0.0])))
    assert value == pytest.approx(1.6 * math.exp(-9.0), rel=1e-12)


def test_domains():
    assert np.array_equal(sphere(3).bounds, [[-5, 5]] * 3)
    assert np.array_equal(rastrigin(2).bounds, [[-5.12, 5.12]] * 2)
    assert np.array_equal(ackley(2).bounds, [[-32.768, 32.768]] * 2)
    assert np.array_equal(rosenbrock(4).bounds, [[-5, 10]] * 4)
    assert np.array_equal(beale().bounds, [[-4.5, 4.5]] * 2)
    assert np.array_equal(himmelblau().bounds, [[-5, 5]] * 2)
    assert np.array_equal(two_peaks(3).bounds, [[-4, 4]] * 3)
    assert rosenbrock(3).bounds.shape == (3, 2)


def test_problem_is_immutable():
    problem = sphere(2)
    with pytest.raises(AttributeError):
        problem.dim = 3
    with pytest.raises(ValueError):
        problem.optima[0, 0] = 1.0
    problem.bounds[0, 0] = 99.0  # bounds is a fresh copy
    assert problem.lower[0] == -5.0


def test_distance_to_optima():
    problem = himmelblau()
    estimates = problem.optima[::-1] + 0.1
    np.testing.assert_allclose(problem.distance_to_optima(estimates), math.sqrt(0.02))
    d = problem.distance_to_optima(np.array([3.0, 2.0]))
    assert d.shape == (4,)
    assert d[0] == 0.0 and np.all(d[1:] > 1)
    with pytest.raises(ValueError, match="points"):
        problem.distance_to_optima(np.zeros((2, 3)))


# --- evaluation semantics -------------------------------------------------


@pytest.mark.parametrize("problem", ALL, ids=IDS)
def test_vectorised_matches_rows(problem):
    X = np.random.default_rng(3).uniform(problem.lower, problem.upper, (7, problem.dim))
    batch = problem(X)
    assert batch.shape == (7,)
    rows = [problem(x) for x in X]
    assert all(isinstance(r, np.ndarray) and r.shape == () for r in rows)
    np.testing.assert_allclose(batch, [float(r) for r in rows], rtol=1e-14)


@pytest.mark.parametrize("problem", ALL, ids=IDS)
def test_input_not_modified(problem):
    X = np.random.default_rng(4).uniform(problem.lower, problem.upper, (5, problem.dim))
    before = X.copy()
    problem(X)
    problem(X[0])
    np.testing.assert_array_equal(X, before)


@pytest.mark.parametrize("problem", ALL, ids=IDS)
def test_array_api_strict(problem):
    X = np.random.default_rng(5).uniform(problem.lower, problem.upper, (6, problem.dim))
    xs = array_api_strict.asarray(X)
    out = problem(xs)
    assert isinstance(out, type(xs))
    assert out.shape == (6,) and out.dtype == array_api_strict.float64
    np.testing.assert_allclose(np.from_dlpack(out), problem(X), rtol=1e-13)
    single = problem(xs[0, ...])
    assert isinstance(single, type(xs)) and single.shape == ()
    np.testing.assert_array_equal(np.from_dlpack(xs), X)

    x32 = array_api_strict.asarray(X, dtype=array_api_strict.float32)
    assert problem(x32).dtype == array_api_strict.float32


@pytest.mark.parametrize("problem", ALL, ids=IDS)
def test_float32_in_float32_out(problem):
    X = np.random.default_rng(6).uniform(problem.lower, problem.upper, (4, problem.dim))
    out = problem(X.astype(np.float32))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, problem(X), rtol=1e-3, atol=1e-3)


def test_integer_and_list_input():
    assert float(rastrigin(2)(np.array([1, 2]))) == pytest.approx(5.0)
    assert float(rastrigin(2)([1, 2])) == pytest.approx(5.0)
    assert rastrigin(2)(np.array([[1, 2]])).dtype == np.float64
    strict_int = array_api_strict.asarray([[1, 2]])
    assert float(rastrigin(2)(strict_int)[0]) == pytest.approx(5.0)


def test_empty_batch():
    assert sphere(3)(np.zeros((0, 3))).shape == (0,)


# --- shifting -------------------------------------------------------------


def test_shifted_moves_optimum():
    base = rastrigin(2)
    offset = np.array([1.0, -2.0])
    problem = shifted(base, offset)
    assert problem.name == "shifted-rastrigin"
    np.testing.assert_array_equal(problem.optima, [[1.0, -2.0]])
    assert float(problem(offset)) == pytest.approx(0.0, abs=1e-12)
    assert float(problem(np.zeros(2))) == pytest.approx(float(base(-offset)))
    np.testing.assert_array_equal(problem.bounds, base.bounds)
    # The original is untouched.
    np.testing.assert_array_equal(base.optima, [[0.0, 0.0]])
    assert base.name == "rastrigin"
    assert float(base(np.zeros(2))) == 0.0


def test_shifted_scalar_offset_and_max_problem():
    problem = shifted(two_peaks(2), 0.5)
    np.testing.assert_allclose(problem.optima, [[2.0, 2.0]])
    np.testing.assert_allclose(problem.local_optima, [[-1.0, -1.0]])
    assert problem.sense == "max"
    assert float(problem(np.array([2.0, 2.0]))) == pytest.approx(problem.optimum_value)


def test_shifted_drops_local_optima_leaving_domain():
    problem = shifted(two_peaks(1), -2.4)  # local peak -1.5 -> -3.9 stays
    assert problem.local_optima.shape == (1, 1)
    problem = shifted(two_peaks(1), -2.6)  # local peak -> -4.1, outside [-4, 4]
    assert problem.local_optima.shape == (0, 1)
    assert problem.optima[0, 0] == pytest.approx(-1.1, abs=1e-6)


def test_shifted_errors():
    with pytest.raises(ValueError, match="offset"):
        shifted(sphere(2), [6.0, 0.0])
    with pytest.raises(ValueError, match="offset"):
        shifted(himmelblau(), 1.5)  # (3.78, ...) would pass 5
    with pytest.raises(ValueError, match="offset"):
        shifted(sphere(2), [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="offset"):
        shifted(sphere(2), [np.nan, 0.0])


def test_random_shift_reproducible():
    base = himmelblau()
    a = random_shift(base, rng=42)
    b = random_shift(base, rng=np.random.default_rng(42))
    c = random_shift(base, rng=43)
    np.testing.assert_array_equal(a.optima, b.optima)
    assert not np.allclose(a.optima, c.optima)
    assert not np.allclose(a.optima, base.optima)
    np.testing.assert_array_equal(base.optima[0], [3.0, 2.0])


@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_random_shift_keeps_optima_inside(name):
    base = get_problem(name, dim=2)
    half = (base.upper - base.lower) / 2
    for seed in range(30):
        problem = random_shift(base, rng=seed, fraction=1.0)
        assert np.all((problem.optima >= base.lower) & (problem.optima <= base.upper))
        offset = problem.optima[0] - base.optima[0]
        assert np.all(np.abs(offset) <= half)
        np.testing.assert_allclose(
            problem(problem.optima), base.optimum_value, atol=1e-12
        )


def test_random_shift_fraction():
    base = sphere(3)
    offsets = [random_shift(base, rng=s, fraction=0.1).optima[0] for s in range(50)]
    assert np.max(np.abs(offsets)) <= 0.5
    assert np.array_equal(random_shift(base, rng=0, fraction=0.0).optima, base.optima)
    with pytest.raises(ValueError, match="fraction"):
        random_shift(base, fraction=1.5)


# --- registry -------------------------------------------------------------


def test_registry_names():
    expected = {
        "sphere",
        "ellipsoid",
        "rastrigin",
        "ackley",
        "rosenbrock",
        "beale",
        "himmelblau",
        "two_peaks",
    }
    assert set(PROBLEMS) == expected
    for name in expected:
        problem = get_problem(name)
        assert isinstance(problem, Problem)
        assert problem.name == name and problem.dim == 2


def test_get_problem_options():
    assert get_problem("RaStRiGiN", dim=4).dim == 4
    assert get_problem("ackley", shift=False).optima.tolist() == [[0.0, 0.0]]
    a = get_problem("sphere", dim=3, shift=True, rng=7)
    b = get_problem("sphere", dim=3, shift=True, rng=7)
    assert a.name == "shifted-sphere"
    np.testing.assert_array_equal(a.optima, b.optima)
    assert not np.allclose(a.optima, 0.0)
    c = get_problem("sphere", dim=2, shift=[1.0, 2.0])
    np.testing.assert_array_equal(c.optima, [[1.0, 2.0]])


def test_get_problem_unknown_name():
    with pytest.raises(ValueError, match="unknown problem 'nope'") as info:
        get_problem("nope")
    for name in PROBLEMS:
        assert name in str(info.value)
    with pytest.raises(ValueError, match="dim"):
        get_problem("beale", dim=3)


# --- bad input ------------------------------------------------------------


def test_wrong_input_shape():
    problem = sphere(3)
    with pytest.raises(ValueError, match=r"X .*\(N, 3\).*\(4, 2\)"):
        problem(np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"X .*\(2,\)"):
        problem(np.zeros(2))
    with pytest.raises(ValueError, match=r"X .*\(2, 2, 3\)"):
        problem(np.zeros((2, 2, 3)))
    with pytest.raises(ValueError, match="X"):
        problem(np.float64(1.0))
    with pytest.raises(TypeError, match="X"):
        problem(np.zeros(3, dtype=complex))


@pytest.mark.parametrize(
    "factory", [sphere, ellipsoid, rastrigin, ackley, rosenbrock, two_peaks]
)
def test_bad_dim(factory):
    with pytest.raises(ValueError, match="dim"):
        factory(0)
    with pytest.raises(ValueError, match="dim"):
        factory(-1)
    with pytest.raises(TypeError, match="dim"):
        factory(2.5)
    with pytest.raises(TypeError, match="dim"):
        factory(True)
    assert factory(np.int64(3)).dim == 3


def test_dim_restrictions():
    with pytest.raises(ValueError, match="dim"):
        rosenbrock(1)
    for factory in (beale, himmelblau):
        assert factory(2).dim == 2
        with pytest.raises(ValueError, match="dim"):
            factory(3)
        with pytest.raises(TypeError, match="dim"):
            factory(True)
    with pytest.raises(ValueError, match="condition"):
        ellipsoid(3, condition=0.0)
