"""OpenES and PEPG: progress bars over seeds, their update rules, bad input."""

import numpy as np
import pytest

from evodiff import PEPG, NonFiniteObjectiveWarning, OpenES, minimize, problems
from evodiff.algorithms.gradient import Adam, Momentum, make_stepper
from evodiff.backend import Backend
from evodiff.fitness import centered_ranks

STRATEGIES = [OpenES, PEPG]


def run(opt, fun, generations):
    for _ in range(generations):
        opt.tell(fun(opt.backend.to_host(opt.ask())))
    return opt


@pytest.mark.parametrize("cls", STRATEGIES)
def test_shifted_sphere_improves_a_hundredfold(cls, backend_name):
    """10-D shifted sphere from the origin, popsize 64, 300 generations: >= 100x in >= 9 of 10."""
    gains = []
    for seed in range(10):
        problem = problems.random_shift(problems.sphere(10), rng=seed)
        opt = run(cls(bounds=problem.bounds, popsize=64, rng=seed, backend=backend_name),
                  problem, 300)
        start = float(problem(np.zeros(10)))
        gains.append(start / float(problem(opt.candidates()[0])))
    assert sum(g >= 100 for g in gains) >= 9, np.round(gains, 1)


@pytest.mark.parametrize("cls, generations", [(OpenES, 3000), (PEPG, 1000)])
def test_himmelblau_ends_at_a_minimum(cls, generations):
    problem = problems.himmelblau()
    for seed in range(5):
        opt = run(cls(bounds=problem.bounds, popsize=64, rng=seed, maxiter=generations), problem,
                  generations)
        assert problem.distance_to_optima(opt.candidates()).min() < 0.05, seed


@pytest.mark.parametrize("cls", STRATEGIES)
def test_himmelblau_on_the_strict_backend(cls):
    problem = problems.himmelblau()
    opt = run(cls(bounds=problem.bounds, popsize=64, rng=0, backend="array_api_strict"),
              problem, 1000)
    assert problem.distance_to_optima(opt.candidates()).min() < 0.1


@pytest.mark.parametrize("method", ["openes", "pepg"])
def test_reachable_through_minimize(method):
    res = minimize(lambda X: np.sum((X - 0.5) ** 2, axis=1), bounds=[(-2, 2)] * 3,
                   method=method, vectorized=True, popsize=32, maxiter=400, rng=0)
    assert res.nit == 400 and res.message == "completed 400 generations"
    assert res.fun < 1e-2 and len(res.modes) == 1


@pytest.mark.parametrize("cls", STRATEGIES)
def test_same_seed_same_run(cls, backend_name):
    def final(seed):
        opt = run(cls(dim=3, popsize=8, rng=seed, backend=backend_name),
                  lambda X: np.sum(X * X, axis=1), 5)
        return opt.candidates()

    np.testing.assert_array_equal(final(1), final(1))
    assert not np.array_equal(final(1), final(2))


def test_openes_antithetic_samples_mirror():
    opt = OpenES(dim=3, popsize=6, antithetic=True, rng=0)
    X = opt.ask()
    np.testing.assert_allclose(X[:3] + X[3:], 0.0, atol=1e-15)


def test_pepg_samples_mirror_and_first_sample_baseline():
    opt = PEPG(dim=2, popsize=7, average_baseline=False, rng=0, center=[1.0, 2.0])
    X = opt.ask()
    np.testing.assert_array_equal(X[0], [1.0, 2.0])
    np.testing.assert_allclose(X[1:4] + X[4:], np.tile([2.0, 4.0], (3, 1)), atol=1e-14)


def test_pepg_sigma_change_is_bounded():
    opt = PEPG(dim=4, popsize=8, sigma_max_change=0.2, sigma_decay=1.0, rng=0)
    before = np.array(opt.sigma)
    opt.ask()
    opt.tell(np.random.default_rng(0).standard_normal(8))
    ratio = np.array(opt.sigma) / before
    assert np.all(ratio >= 0.8 - 1e-12) and np.all(ratio <= 1.2 + 1e-12)


def test_pepg_sigma_shrinks_near_a_minimum():
    opt = run(PEPG(dim=2, popsize=32, sigma_decay=1.0, rng=0), lambda X: np.sum(X * X, axis=1), 200)
    assert np.all(np.array(opt.sigma) < 0.1)


def test_pepg_elite_moves_the_mean_to_the_elite_average():
    opt = PEPG(dim=2, popsize=10, elite_ratio=0.2, rng=0, sigma_alpha=0.0)
    X = np.array(opt.ask())
    values = np.sum((X - 5.0) ** 2, axis=1)
    opt.tell(values)
    best_two = X[np.argsort(values)[:2]]
    np.testing.assert_allclose(np.array(opt.mean), best_two.mean(axis=0), atol=1e-12)


def test_decays_stop_at_their_floors():
    opt = run(OpenES(dim=2, popsize=8, sigma_decay=0.5, sigma_limit=0.01, learning_rate_decay=0.5,
                     learning_rate_limit=0.002, rng=0), lambda X: np.sum(X * X, axis=1), 30)
    assert 0.005 <= opt.sigma <= 0.01 and opt.learning_rate == 0.002


def test_centered_ranks(backend_name):
    b = Backend(backend_name)
    u = b.to_host(centered_ranks(b.xp, b.asarray([3.0, 1.0, np.inf, 2.0, 0.0])))
    np.testing.assert_allclose(u, [-0.25, 0.25, -0.5, 0.0, 0.5])


def test_steppers_descend():
    b = Backend()
    for stepper in (Adam(b.xp), Momentum(b.xp)):
        x = b.asarray([3.0, -2.0])
        for _ in range(300):
            x = x + stepper.step(2 * x, 0.05)
        assert np.all(np.abs(x) < 0.2), type(stepper).__name__
    with pytest.raises(ValueError, match="optimizer"):
        make_stepper("rmsprop", b.xp)
    with pytest.raises(ValueError, match="momentum"):
        Momentum(b.xp, momentum=1.0)


def test_nan_values_are_worst_with_one_warning():
    def some_nan(X):
        f = np.sum((X - 1.0) ** 2, axis=1)
        f[:5] = np.nan
        return f

    opt = OpenES(dim=2, popsize=32, rng=0)
    with pytest.warns(NonFiniteObjectiveWarning) as record:
        run(opt, some_nan, 300)
    assert len(record) == 1
    assert np.isfinite(opt.best_fun) and opt.best_fun < 0.05


@pytest.mark.parametrize("cls, kwargs, error, match", [
    (OpenES, {"popsize": 7, "antithetic": True}, ValueError, "even with antithetic"),
    (PEPG, {"popsize": 7}, ValueError, "even with average_baseline"),
    (PEPG, {"popsize": 8, "average_baseline": False}, ValueError, "odd"),
    (OpenES, {"sigma0": 0.0}, ValueError, "sigma0"),
    (PEPG, {"sigma0": -1.0}, ValueError, "sigma0"),
    (OpenES, {"learning_rate": 0.0}, ValueError, "learning_rate"),
    (OpenES, {"learning_rate_decay": 1.5}, ValueError, "learning_rate_decay"),
    (PEPG, {"sigma_decay": 0.0}, ValueError, "sigma_decay"),
    (PEPG, {"elite_ratio": 2.0}, ValueError, "elite_ratio"),
    (OpenES, {"optimizer": "rmsprop"}, ValueError, "optimizer"),
    (OpenES, {"antithetic": 1}, TypeError, "antithetic"),
    (PEPG, {"rank_fitness": "yes"}, TypeError, "rank_fitness"),
    (OpenES, {"x0": np.zeros(2)}, ValueError, r"x0 must have shape \(3,\)"),
    (OpenES, {"maxiter": 0}, ValueError, "maxiter"),
])
def test_bad_parameters(cls, kwargs, error, match):
    with pytest.raises(error, match=match):
        cls(dim=3, **kwargs)


@pytest.mark.parametrize("cls, kwargs", [
    (PEPG, {"popsize": np.int64(7)}),
    (OpenES, {"popsize": np.int64(7), "antithetic": True}),
])
def test_numpy_integer_popsize_gets_the_same_parity_rule(cls, kwargs):
    with pytest.raises(ValueError, match="popsize must be even"):
        cls(dim=2, **kwargs)
    opt = cls(dim=2, **{**kwargs, "popsize": np.int64(8)})
    assert type(opt.popsize) is int and opt.ask().shape == (8, 2)


def test_popsize_is_validated_for_every_optimizer():
    from evodiff.algorithms.base import Optimizer

    with pytest.raises(TypeError, match="popsize must be an int"):
        Optimizer(popsize="abc", dim=2)
    with pytest.warns(DeprecationWarning, match="popsize=$"):  # the order of 0.1.0
        assert Optimizer(8, dim=2).popsize == 8
    with pytest.raises(TypeError, match="keyword arguments only"):
        Optimizer(8, 2)
    with pytest.raises(TypeError, match="popsize must be an int"):
        OpenES(dim=2, popsize=8.0)
