"""CMA-ES: evaluation budgets in the style of pycma's own tests, stopping rules, bad input."""

import numpy as np
import pytest

from evodiff import CMAES, NonFiniteObjectiveWarning, maximize, minimize, problems
from evodiff.algorithms.cmaes import _Parameters, default_popsize


def sphere(X):
    return np.sum(X * X, axis=1)


def rosenbrock(X):
    return np.sum(100.0 * (X[:, 1:] - X[:, :-1] ** 2) ** 2 + (1.0 - X[:, :-1]) ** 2, axis=1)


def run(opt, fun):
    while True:
        opt.tell(fun(opt.backend.to_host(opt.ask())))
        reason = opt.stop_reason()
        if reason is not None:
            return reason


def evaluations_to_target(fun, x0, sigma0, seed, backend="numpy", popsize=10, target=1e-8):
    opt = CMAES(center=x0, sigma0=sigma0, popsize=popsize, rng=seed, ftarget=target,
                backend=backend)
    reason = run(opt, fun)
    return opt.nfev, opt.best_fun <= target, reason


def test_default_parameters_follow_the_tutorial():
    assert default_popsize(10) == 10 and default_popsize(2) == 6 and default_popsize(100) == 17
    p = _Parameters(10, 10)
    assert p.mu == 5
    positive = p.weights[p.weights > 0]
    assert positive.size == 5 and positive.sum() == pytest.approx(1.0)
    assert np.all(np.diff(p.weights) < 0)
    assert p.mueff == pytest.approx(1.0 / (positive**2).sum())
    assert p.cs == pytest.approx((p.mueff + 2) / (10 + p.mueff + 5))
    # negative weights: the sum is bounded so that C stays positive definite
    assert p.weights.sum() <= 1.0
    assert p.c1 + p.cmu <= 1.0
    assert (p.c1 + p.cmu * p.weights.sum()) <= 1.0


def test_sphere_budget(backend_name):
    """10-D sphere, x0 = 3, sigma0 = 1, popsize 10, target 1e-8: median <= 1650 over 11 seeds."""
    results = [evaluations_to_target(sphere, 3 * np.ones(10), 1.0, seed, backend_name)
               for seed in range(11)]
    assert all(ok for _, ok, _ in results), [r for _, _, r in results]
    median = np.median([n for n, _, _ in results])
    assert median <= 1650, median


def test_rosenbrock_budget():
    """10-D Rosenbrock, x0 = 0, sigma0 = 0.5, popsize 10: >= 9 of 11 succeed, median <= 6000."""
    results = [evaluations_to_target(rosenbrock, np.zeros(10), 0.5, seed) for seed in range(11)]
    successes = [n for n, ok, _ in results if ok]
    assert len(successes) >= 9, len(successes)
    assert np.median(successes) <= 6000, np.median(successes)


def test_ill_conditioned_ellipsoid_needs_covariance_learning(backend_name):
    problem = problems.ellipsoid(20, condition=1e6)
    opt = CMAES(center=np.ones(20), sigma0=1.0, rng=0, ftarget=1e-8, backend=backend_name)
    reason = run(opt, problem)
    assert reason.startswith("ftarget") and opt.best_fun <= 1e-8
    # the learnt covariance is ill-conditioned, as the problem (condition 1e6) demands
    assert opt._condition > 1e4


def test_same_budget_as_the_reference_cma_package():
    cma = pytest.importorskip("cma")
    seeds = range(11)
    ours = [evaluations_to_target(sphere, 3 * np.ones(10), 1.0, seed)[0] for seed in seeds]
    theirs = []
    for seed in seeds:
        es = cma.CMAEvolutionStrategy(3 * np.ones(10), 1.0, {
            "popsize": 10, "ftarget": 1e-8, "seed": seed + 1, "verbose": -9, "verb_log": 0})
        while not es.stop():
            X = es.ask()
            es.tell(X, [float(np.sum(np.asarray(x) ** 2)) for x in X])
        theirs.append(es.result.evaluations)
    assert abs(np.median(ours) - np.median(theirs)) <= 0.1 * np.median(theirs), (ours, theirs)


def test_same_seed_same_run(backend_name):
    a = CMAES(center=np.ones(4), rng=3, backend=backend_name)
    b = CMAES(center=np.ones(4), rng=3, backend=backend_name)
    for _ in range(5):
        a.tell(sphere(a.backend.to_host(a.ask())))
        b.tell(sphere(b.backend.to_host(b.ask())))
    np.testing.assert_array_equal(a.backend.to_host(a.mean), b.backend.to_host(b.mean))


def test_maximisation_through_maximize():
    res = maximize(lambda X: -sphere(X - 1.0), x0=np.zeros(5), sigma=1.0, method="cmaes",
                   vectorized=True, rng=0, options={"ftarget": -1e-10})
    assert res.message.startswith("ftarget") and -1e-10 <= res.fun <= 0.0
    np.testing.assert_allclose(res.x, np.ones(5), atol=1e-4)


# --- stopping rules, each on a problem built to trigger it ---------------------------------


def stop_message(fun, **options):
    res = minimize(fun, x0=np.zeros(3), sigma=1.0, method="cmaes", vectorized=True, rng=0,
                   options=options)
    return res


def test_rule_ftarget():
    assert stop_message(sphere, ftarget=1e-3).message.startswith("ftarget")


def test_rule_maxfevals():
    # 7 samples per generation: the eighth generation is cut to the one evaluation left
    res = stop_message(sphere, maxfevals=50)
    assert res.message.startswith("maxfevals") and res.nfev == 50
    assert res.history["nfev"][-2:].tolist() == [49, 50]


def test_rule_maxiter():
    res = minimize(sphere, x0=np.zeros(3), sigma=1.0, method="cmaes", vectorized=True, rng=0,
                   maxiter=7)
    assert res.message.startswith("maxiter") and res.nit == 7


def test_rule_tolfun_on_a_flat_function():
    res = stop_message(lambda X: np.ones(X.shape[0]))
    assert res.message.startswith("tolfun")


def test_rule_tolx_on_a_sharp_minimum():
    # |x| has no plateau: values keep changing, so tolx (not tolfun) must stop it.
    res = stop_message(lambda X: np.sqrt(np.sqrt(np.sum(np.abs(X), axis=1))) * 1e6, tolx=1e-6,
                       tolfun=0.0)
    assert res.message.startswith("tolx")


def test_rule_tolstagnation_on_noise():
    rng = np.random.default_rng(0)
    res = stop_message(lambda X: rng.random(X.shape[0]), tolstagnation=60, tolfun=0.0)
    assert res.message.startswith("tolstagnation")


def test_rule_tolconditioncov_on_a_degenerate_direction():
    # The value depends on x[0] alone: the other axes are never selected and C stretches.
    res = stop_message(lambda X: X[:, 0] ** 2, tolconditioncov=1e5, tolfun=0.0, tolx=0.0)
    assert res.message.startswith("tolconditioncov")


def test_ipop_restarts_double_the_population():
    opt = CMAES(bounds=[(-5.12, 5.12)] * 2, rng=1, restarts=2, tolfun=1e-3)
    first = opt.popsize
    reason = run(opt, problems.rastrigin(2))
    assert opt.restart_count == 2 and opt.popsize == 4 * first
    assert "after 2 restarts" in reason


def test_restarts_stop_at_a_global_rule():
    opt = CMAES(bounds=[(-5.12, 5.12)] * 2, rng=1, restarts=5, ftarget=1e-6)
    reason = run(opt, problems.sphere(2))
    assert reason.startswith("ftarget") and opt.restart_count == 0


# --- bad input and the NaN policy ---------------------------------------------------------


@pytest.mark.parametrize("kwargs, error, match", [
    ({"center": np.zeros(3), "x0": np.zeros(2), "bounds": None}, ValueError, r"x0 must have shape \(3,\)"),
    ({"bounds": [(-1, 1)] * 3, "x0": np.zeros(2)}, ValueError, r"x0 must have shape \(3,\)"),
    ({"bounds": [(-1, 1)] * 3, "x0": np.full(3, 2.0)}, ValueError, "inside the bounds"),
    ({"center": np.zeros(3), "sigma0": 0.0}, ValueError, "sigma0 must be > 0"),
    ({"center": np.zeros(3), "sigma0": -1.0}, ValueError, "sigma0"),
    ({"center": np.zeros(3), "popsize": 1}, ValueError, "popsize"),
    ({"center": np.zeros(3), "restarts": -1}, ValueError, "restarts"),
    ({"center": np.zeros(3), "maxfevals": 0}, ValueError, "maxfevals"),
    ({"center": np.zeros(3), "ftarget": float("nan")}, ValueError, "ftarget"),
])
def test_bad_parameters(kwargs, error, match):
    with pytest.raises(error, match=match):
        CMAES(**kwargs)


def test_nan_values_rank_last_with_one_warning():
    def half_nan(X):
        f = sphere(X)
        f[::2] = np.nan
        return f

    opt = CMAES(center=np.ones(3), rng=0, ftarget=1e-6, popsize=12)
    with pytest.warns(NonFiniteObjectiveWarning) as record:
        reason = run(opt, half_nan)
    assert len(record) == 1
    assert reason.startswith("ftarget") and np.isfinite(opt.best_fun)
