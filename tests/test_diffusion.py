"""DiffusionEvolution through its ask/tell interface."""

import warnings

import numpy as np
import pytest

from evodiff import DiffusionEvolution, NonFiniteObjectiveWarning, problems


def run(opt, fun):
    while not opt.done:
        X = opt.backend.to_host(opt.ask())
        opt.tell(fun(X))
    return opt


def sphere(X):
    return np.sum(X * X, axis=1)


def test_generation_count_and_protocol(backend_name):
    opt = DiffusionEvolution(dim=2, popsize=16, steps=5, rng=0, backend=backend_name)
    with pytest.raises(RuntimeError, match="ask"):
        opt.tell(np.zeros(16))
    first = opt.ask()
    assert opt.ask() is first  # asking twice gives the same points
    assert tuple(first.shape) == (16, 2)
    run(opt, sphere)
    assert opt.nit == 5 and opt.nfev == 80 and opt.done
    with pytest.raises(RuntimeError, match="finished"):
        opt.ask()


def test_same_seed_same_run_different_seed_different_run(backend_name):
    def trajectory(seed):
        opt = DiffusionEvolution(dim=3, popsize=32, steps=6, rng=seed, backend=backend_name,
                                 center=[0.5, -1.0, 2.0], scale=2.0)
        run(opt, sphere)
        return opt.backend.to_host(opt.population), opt.candidates(), opt.best_x

    a, b, c = trajectory(1), trajectory(1), trajectory(2)
    for left, right in zip(a, b):
        np.testing.assert_array_equal(left, right)
    assert not np.array_equal(a[0], c[0])


def test_generator_instance_is_used_and_advanced():
    g = np.random.default_rng(3)
    a = DiffusionEvolution(dim=2, popsize=8, steps=3, rng=g)
    b = DiffusionEvolution(dim=2, popsize=8, steps=3, rng=g)
    assert not np.array_equal(a.ask(), b.ask())


def test_objective_is_never_called_outside_the_bounds(backend_name):
    lower, upper = np.array([-1.0, 2.0]), np.array([0.5, 3.0])

    def inside_only(X):
        assert np.all(X >= lower) and np.all(X <= upper)
        return sphere(X)

    opt = DiffusionEvolution(bounds=np.stack([lower, upper], axis=1), popsize=64, steps=10,
                             rng=0, backend=backend_name)
    run(opt, inside_only)
    assert np.all(opt.best_x >= lower) and np.all(opt.best_x <= upper)
    # The unclipped population did leave the box: the policy was exercised.
    assert opt.nfev == 640


def test_bounded_minimum_on_the_boundary_is_found(backend_name):
    # minimum of (x - 3)^2 over [-1, 1] is at the bound x = 1
    opt = DiffusionEvolution(bounds=[(-1, 1)], popsize=128, steps=20, rng=0, backend=backend_name)
    run(opt, lambda X: (X[:, 0] - 3.0) ** 2)
    assert opt.best_x[0] == pytest.approx(1.0, abs=1e-3)


def test_maximisation(backend_name):
    opt = DiffusionEvolution(dim=2, popsize=128, steps=20, sense="max", rng=0,
                             backend=backend_name, scale=2.0)
    run(opt, lambda X: -np.sum((X - 0.5) ** 2, axis=1))
    assert opt.best_fun > -1e-2
    np.testing.assert_allclose(opt.best_x, [0.5, 0.5], atol=0.1)


def test_non_finite_values_are_worst_with_one_warning(backend_name):
    def sometimes_nan(X):
        f = sphere(X)
        f[::3] = np.nan
        f[1] = np.inf
        return f

    opt = DiffusionEvolution(dim=2, popsize=30, steps=6, rng=0, backend=backend_name)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run(opt, sometimes_nan)
    assert sum(issubclass(w.category, NonFiniteObjectiveWarning) for w in caught) == 1
    assert np.isfinite(opt.best_fun)
    assert np.all(np.isfinite(opt.candidates()))


def test_all_nan_generation_does_not_break_the_run(backend_name):
    opt = DiffusionEvolution(dim=2, popsize=10, steps=4, rng=0, backend=backend_name)
    with pytest.warns(NonFiniteObjectiveWarning):
        run(opt, lambda X: np.full(X.shape[0], np.nan))
    assert np.all(np.isfinite(opt.candidates()))
    assert opt.best_fun == np.inf


def test_tell_does_not_modify_its_input():
    opt = DiffusionEvolution(dim=2, popsize=8, steps=3, rng=0, sense="max")
    values = np.arange(8.0)
    values[2] = np.nan
    opt.ask()
    with pytest.warns(NonFiniteObjectiveWarning):
        opt.tell(values)
    assert np.isnan(values[2]) and values[3] == 3.0


@pytest.mark.parametrize("values, error, match", [
    (np.zeros(7), ValueError, r"shape \(8,\)"),
    (np.zeros((8, 1)), ValueError, r"shape \(8,\)"),
    ("abc", TypeError, "values"),
])
def test_bad_values(values, error, match):
    opt = DiffusionEvolution(dim=2, popsize=8, steps=3, rng=0)
    opt.ask()
    with pytest.raises(error, match=match):
        opt.tell(values)


def test_latent_random_projection_has_unit_rows_and_is_reproducible():
    a = DiffusionEvolution(dim=10, popsize=16, steps=3, latent=2, rng=4)
    b = DiffusionEvolution(dim=10, popsize=16, steps=3, latent=2, rng=4)
    assert a.projection.shape == (2, 10)
    np.testing.assert_allclose(np.linalg.norm(a.projection, axis=1), 1.0)
    np.testing.assert_array_equal(a.projection, b.projection)


def test_latent_user_matrix_is_used(backend_name):
    E = np.zeros((1, 3))
    E[0, 0] = 1.0
    opt = DiffusionEvolution(dim=3, popsize=32, steps=8, latent=E, rng=0, backend=backend_name)
    np.testing.assert_array_equal(opt.projection, E)
    run(opt, sphere)
    assert np.isfinite(opt.best_fun)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"popsize": 1}, ValueError, "popsize must be >= 2"),
    ({"popsize": 10.0}, TypeError, "popsize"),
    ({"steps": 1}, ValueError, "steps must be >= 2"),
    ({"steps": "10"}, TypeError, "steps"),
    ({"schedule": "warm"}, ValueError, "schedule must be one of"),
    ({"noise": -0.1}, ValueError, "noise"),
    ({"fitness": "exp"}, ValueError, "fitness"),
    ({"sense": "down"}, ValueError, "sense"),
    ({"latent": np.ones((2, 5))}, ValueError, r"shape \(d, 3\)"),
    ({"latent": np.full((1, 3), np.nan)}, ValueError, "finite"),
    ({"latent": np.zeros((1, 3))}, ValueError, "all-zero row"),
    ({"latent": 0}, ValueError, "latent_dim"),
    ({"latent": "umap"}, ValueError, "latent must be"),
    ({"latent": True}, TypeError, "latent"),
    ({"latent_dim": 2}, ValueError, "latent_dim is given"),
    ({"latent": 2, "latent_dim": 3}, ValueError, "disagree"),
    ({"memory_budget": 0}, ValueError, "memory_budget"),
    ({"dtype": "float16"}, ValueError, "dtype"),
])
def test_bad_parameters(kwargs, error, match):
    with pytest.raises(error, match=match):
        DiffusionEvolution(dim=3, **kwargs)


def test_bad_region():
    with pytest.raises(ValueError, match="dimension is unknown"):
        DiffusionEvolution(popsize=8)
    with pytest.raises(ValueError, match="min < max"):
        DiffusionEvolution(bounds=[(0, 1), (2, 2)])


# --- behaviour over seeds -------------------------------------------------------------------


def test_himmelblau_all_four_minima_among_the_estimates(backend_name):
    """popsize 512, 25 cosine points, default mapping, no polish: >= 16 of 20 seeds."""
    problem = problems.himmelblau()
    found = 0
    for seed in range(20):
        opt = DiffusionEvolution(bounds=problem.bounds, popsize=512, steps=25, rng=seed,
                                 backend=backend_name)
        while not opt.done:
            opt.tell(problem(opt.ask()))
        found += bool(np.all(problem.distance_to_optima(opt.candidates()) < 0.2))
    assert found >= 16, f"all four minima found in only {found} of 20 seeds"


@pytest.mark.parametrize("maxfevals", [64, 1000, 3199])
def test_maxfevals_ends_the_run_inside_a_generation_without_exceeding_it(maxfevals):
    from evodiff.driver import run
    from evodiff.registry import make_optimizer

    opt = make_optimizer("diffevo", bounds=[(-5, 5)] * 2, popsize=64, maxiter=50, rng=0,
                         maxfevals=maxfevals)
    history = run(opt, lambda X: np.sum(np.asarray(X) ** 2, axis=1))
    assert opt.nfev == maxfevals and history.reason == "stop_rule"
    assert history.message == f"maxfevals: {maxfevals} evaluations (limit {maxfevals})"
    with pytest.raises(ValueError, match="maxfevals"):
        make_optimizer("diffevo", bounds=[(-5, 5)] * 2, maxfevals=0)
