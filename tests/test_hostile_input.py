"""Hostile input: the box promise in every dtype, read-only arrays, the non-finite policy."""

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evodiff import minimize
from evodiff.registry import METHODS as REGISTRY
from evodiff.registry import make_optimizer, method_names

#: Every registered continuous method (a new one is covered without editing this file).
METHODS = tuple(method_names("continuous"))


class BoxGuard:
    """A vectorised sphere that records every point outside the box or not finite."""

    def __init__(self, lower, upper):
        self.lower, self.upper = np.asarray(lower, float), np.asarray(upper, float)
        self.bad = 0
        self.calls = 0

    def __call__(self, X):
        X = np.asarray(X, dtype=np.float64)
        self.calls += X.shape[0]
        outside = (X < self.lower) | (X > self.upper) | ~np.isfinite(X)
        self.bad += int(np.any(outside, axis=1).sum())
        return np.sum((X - self.lower) ** 2, axis=1)


def _sizes(method, budget=300):
    """minimize's size arguments for a small run, from the method's registry entry."""
    settings = dict(REGISTRY[method].budget_settings(budget, 16))
    return {"popsize": settings.pop("popsize", None), "maxiter": settings.pop("maxiter", None),
            "options": settings or None}


def _run(method, bounds, dtype, polish, rng, latent=None):
    lower, upper = zip(*bounds)
    guard = BoxGuard(lower, upper)
    kwargs = _sizes(method)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = minimize(guard, bounds=bounds, vectorized=True, method=method, dtype=dtype,
                       polish=polish, rng=rng, latent=latent, **kwargs)
    return guard, res


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("polish", [False, True, "cmaes"])
def test_float32_never_evaluates_outside_a_box_that_rounds_outward(method, polish):
    # float32(0.3) > 0.3 and float32(-0.001) < -0.001: the limits round outward
    bounds = [(0.3, 0.7), (-0.5, -0.001)]
    guard, res = _run(method, bounds, "float32", polish, rng=0)
    assert guard.calls > 0 and guard.bad == 0
    assert np.all(res.x >= [0.3, -0.5]) and np.all(res.x <= [0.7, -0.001])


def test_inward_box_moves_limits_that_round_outward_one_step_in():
    from evodiff.space import inward_box

    low, high = inward_box(np.array([0.3, -0.5]), np.array([0.7, -0.001]), "float32")
    assert low.dtype == np.float32
    assert np.all(low.astype(float) >= [0.3, -0.5]) and np.all(high.astype(float) <= [0.7, -0.001])
    with pytest.raises(ValueError, match="holds no float32 value"):
        inward_box(np.array([0.3]), np.array([0.3 + 1e-12]), "float32")


def test_bounds_whose_width_overflows_are_refused():
    with pytest.raises(ValueError, match="finite width"):
        minimize(lambda X: X[:, 0], bounds=[(-1e308, 1e308)], vectorized=True)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(method=st.sampled_from(METHODS), dtype=st.sampled_from(["float32", "float64"]),
       polish=st.sampled_from([False, True, "cmaes"]),
       centre=st.floats(-1e3, 1e3), width=st.floats(1e-3, 1e3),
       dim=st.integers(1, 3), seed=st.integers(0, 2**16))
def test_property_the_objective_only_sees_finite_points_inside_the_box(
        method, dtype, polish, centre, width, dim, seed):
    bounds = [(centre - width / 2, centre + width / 2)] * dim
    if method == "latent-diffevo" and dim == 1:
        method = "diffevo"
    guard, res = _run(method, bounds, dtype, polish, rng=seed)
    assert guard.bad == 0
    assert np.all(res.x >= bounds[0][0]) and np.all(res.x <= bounds[0][1])


@pytest.mark.parametrize("method", METHODS)
def test_an_objective_cannot_edit_the_population(method):
    def editing(X):
        X[:, 0] = 10.0
        return np.sum(X**2, axis=1)

    with pytest.raises(Exception, match="read-only"):
        minimize(editing, bounds=[(-5, 5)] * 2, vectorized=True, method=method, rng=0)


@pytest.mark.parametrize("method", METHODS)
def test_writing_into_ask_is_refused(method):
    opt = make_optimizer(method, bounds=[(-5, 5)] * 2, rng=0)
    points = opt.ask()
    with pytest.raises(ValueError, match="read-only"):
        points[0, 0] = 1e6
    opt.tell(np.sum(np.asarray(points) ** 2, axis=1))
    assert np.all(np.abs(opt.best_x) <= 5)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("sense", ["min", "max"])
def test_a_non_finite_value_is_never_reported_as_the_best(method, sense):
    # finite on the population, -inf (or +inf) at the single points where modes are valued
    bad = -np.inf if sense == "min" else np.inf

    def objective(X):
        values = np.sum(X**2, axis=1) * (1.0 if sense == "min" else -1.0)
        if X.shape[0] == 1:
            values[:] = bad
        return values

    from evodiff import maximize
    front = minimize if sense == "min" else maximize
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = front(objective, bounds=[(-5, 5)] * 2, vectorized=True, method=method, rng=0,
                    **_sizes(method, budget=400))
    assert np.isfinite(res.fun)
    best = np.nanmin(res.history["best"]) if sense == "min" else np.nanmax(res.history["best"])
    assert res.fun == pytest.approx(best) or (res.fun < best if sense == "min" else res.fun > best)


def test_an_objective_without_a_finite_value_is_not_a_success():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = minimize(lambda X: np.full(X.shape[0], np.nan), bounds=[(-5, 5)] * 2,
                       vectorized=True, method="diffevo", popsize=16, maxiter=3, rng=0)
    assert not res.success and "no finite value" in res.message


@pytest.mark.slow
def test_minimize_at_65536_by_10_stays_under_400_mb():
    import tracemalloc

    tracemalloc.start()
    try:
        res = minimize(lambda X: np.sum(X**2, axis=1), bounds=[(-5, 5)] * 10, vectorized=True,
                       method="diffevo", popsize=65536, maxiter=2, rng=0)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert res.candidates.shape == (65536, 10)
    assert peak < 400 * 2**20, f"peak {peak / 2**20:.0f} MiB"


@pytest.mark.parametrize("n", [300, 20_000])
def test_clustering_without_a_matrix_of_all_pairs(n):
    from evodiff.modes import cluster_points

    rng = np.random.default_rng(0)
    blobs = np.concatenate([rng.normal(0.0, 0.005, (n // 2, 10)),
                            rng.normal(1.0, 0.005, (n - n // 2, 10))])
    centres, counts = cluster_points(blobs, 0.05, min_count=10)
    assert sorted(counts.tolist()) == sorted([n // 2, n - n // 2])
    np.testing.assert_allclose(np.sort(centres.mean(axis=1)), [0.0, 1.0], atol=1e-3)
    spread = rng.normal(size=(n, 10))  # every point its own cluster: no N x N centres
    centres, counts = cluster_points(spread, 0.05)
    assert counts.sum() == n


@pytest.mark.parametrize("popsize", [2, 3])
def test_cmaes_refuses_two_or_three_offspring_up_front(popsize):
    from evodiff import CMAES

    with pytest.raises(ValueError, match="popsize must be >= 4"):
        CMAES(dim=3, popsize=popsize)


def test_a_population_too_large_is_refused_before_anything_is_allocated():
    from evodiff import DiffusionEvolution

    with pytest.raises(ValueError, match="GiB, above the limit of 4 GiB"):
        DiffusionEvolution(dim=2, popsize=10**9)
    with pytest.raises(ValueError, match="popsize and dim: 8 population-sized arrays"):
        make_optimizer("anneal", problem=_ring(10), popsize=10**7)


def test_pca_latent_wider_than_the_problem_is_refused_up_front():
    from evodiff import DiffusionEvolution

    with pytest.raises(ValueError, match="latent_dim must be <= the dimension 2"):
        DiffusionEvolution(dim=2, latent="pca", latent_dim=5)


def test_a_checkpoint_in_a_missing_folder_fails_before_any_evaluation(tmp_path):
    calls = []

    def counted(X):
        calls.append(1)
        return np.sum(X**2, axis=1)

    with pytest.raises(FileNotFoundError, match="does not exist"):
        minimize(counted, bounds=[(-5, 5)] * 2, vectorized=True, method="diffevo",
                 checkpoint=tmp_path / "missing" / "run.npz")
    assert not calls


@pytest.mark.parametrize("argv", [
    ["run", "sphere", "--method", "cmaes", "--popsize", "2"],
    ["run", "sphere", "--dim", "1", "--latent", "pca"],
    ["run", "sphere", "--method", "pepg", "--popsize", "7"],
])
def test_cli_values_the_library_refuses_exit_2(argv, capsys):
    from evodiff.cli import main

    with pytest.raises(SystemExit) as info:
        main([*argv, "--no-progress"])
    assert info.value.code == 2
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize("fun, vectorized, match", [
    (lambda X: np.array(["1.5"] * len(X)), True, "real numbers"),
    (lambda X: np.sum(X, axis=1) + 0j, True, "real numbers"),
    (lambda X: np.array([None] * len(X)), True, "real numbers"),
    (lambda x: "1.5", False, "single real number"),
    (lambda x: np.complex128(1.0), False, "single real number"),
])
def test_values_that_are_not_real_numbers_are_refused(fun, vectorized, match):
    with pytest.raises(ValueError, match=match):
        minimize(fun, bounds=[(-1, 1)] * 2, vectorized=vectorized, method="diffevo",
                 popsize=8, maxiter=2)


@pytest.mark.parametrize("kwargs, match", [
    ({"vectorized": "no"}, "vectorized must be True or False"),
    ({"progress": "yes"}, "progress must be True or False"),
    ({"polish": "no"}, "polish must be"),
    ({"options": {"popsize": 8}}, "options must not repeat arguments of minimize \\(popsize\\)"),
    ({"options": {"rng": 1, "bounds": None}}, "bounds, rng"),
])
def test_loose_arguments_are_refused(kwargs, match):
    with pytest.raises((TypeError, ValueError), match=match):
        minimize(lambda X: np.sum(X**2, axis=1), bounds=[(-1, 1)] * 2, **kwargs)


def test_a_string_sigma_is_refused():
    with pytest.raises(TypeError, match="sigma must be real numbers"):
        minimize(lambda X: np.sum(X**2, axis=1), x0=[0.0, 0.0], sigma="1", vectorized=True)


def test_policy_evaluator_refuses_bad_weights_and_seeds_and_stays_usable():
    pytest.importorskip("gymnasium")
    from evodiff.rl import PolicyEvaluator

    evaluator = PolicyEvaluator("CartPole-v1", hidden_sizes=(4,), episodes=1, rng=0)
    good = np.zeros((2, evaluator.dim))
    with pytest.raises(ValueError, match="seeds\\[0\\] must be >= 0"):
        evaluator.evaluate(good, [-1])
    bad = good.copy()
    bad[1, 0] = np.nan
    with pytest.raises(ValueError, match="params must be finite; 1 policy"):
        evaluator.evaluate(bad, [3])
    assert evaluator.evaluate(good, [3]).shape == (2,)


def test_a_custom_fitness_returning_nan_is_refused():
    from evodiff import DiffusionEvolution

    opt = DiffusionEvolution(bounds=[(-1, 1)] * 2, popsize=8, steps=3, rng=0,
                             fitness=lambda xp, cost: cost * float("nan"))
    with pytest.raises(ValueError, match="fitness returned NaN"):
        opt.tell(np.sum(np.asarray(opt.ask()) ** 2, axis=1))


def _ring(n):
    from evodiff.binary import MaxCut

    return MaxCut(n, [(i, (i + 1) % n) for i in range(n)])


@pytest.mark.parametrize("build, argument", [
    (lambda: make_optimizer("cmaes", bounds=[(-1, 1)] * 30000), "dim: CMA-ES's 30000 x 30000"),
    (lambda: make_optimizer("map-elites", bounds=[(-1, 1)] * 2, cells=20000),
     "cells: an archive of 400000000 cells"),
    (lambda: make_optimizer("diffevo", bounds=[(-1, 1)] * 2, popsize=8, maxiter=2**70),
     "steps \\(maxiter of minimize\\): a schedule of"),
    (lambda: make_optimizer("diffevo", bounds=[(-1, 1)] * 2, popsize=8, maxiter=10**9),
     "steps \\(maxiter of minimize\\): a schedule of 1000000000 points"),
])
def test_requests_whose_memory_is_known_up_front_are_refused_by_name(build, argument):
    import tracemalloc

    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=argument + ".*above the limit of 4 GiB"):
            build()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 64 * 2**20  # refused before anything large was allocated


def test_refuse_footprint_names_the_argument_and_follows_the_limit(monkeypatch):
    from evodiff import validation

    validation.refuse_footprint(validation.MAX_POPULATION_BYTES, "exactly the limit", "x")
    with pytest.raises(ValueError, match="^popsize: a population needs 4 GiB, above the limit of 2 GiB"):
        monkeypatch.setattr(validation, "MAX_POPULATION_BYTES", 2 * 2**30)
        validation.refuse_footprint(4 * 2**30, "a population", "popsize")
