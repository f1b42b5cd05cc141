"""Prior evaluations (warm starts) for every registered method, through minimize and ask/tell."""

import warnings

import numpy as np
import pytest

from evodiff import minimize, problems
from evodiff.binary import QUBO
from evodiff.registry import METHODS, make_optimizer

NAMES = sorted(METHODS)
BOX = [(-2.0, 3.0)] * 3


def _qubo():
    rng = np.random.default_rng(4)
    Q = rng.normal(size=(8, 8))
    return QUBO((Q + Q.T) / 2.0)


def _setup(spec):
    """``(fun, minimize keyword arguments, prior points, prior values)``."""
    settings = dict(spec.budget_settings(300, 16))
    sizes = {"popsize": settings.pop("popsize", None), "maxiter": settings.pop("maxiter", None),
             "options": settings or None}
    rng = np.random.default_rng(11)
    if spec.domain == "binary":
        fun = _qubo()
        points = (rng.random((6, 8)) < 0.5).astype(float)
        return fun, sizes, points, fun(points)
    calls = []

    def sphere(X):
        calls.append(len(X))
        return np.sum((np.asarray(X) - 0.7) ** 2, axis=1)
    sphere.calls = calls
    points = rng.uniform(-2.0, 3.0, (10, 3))
    return sphere, dict(sizes, bounds=BOX, vectorized=True), points, sphere(points)


@pytest.mark.parametrize("name", NAMES)
def test_prior_evaluations_are_taken_or_refused_before_any_evaluation(name):
    spec = METHODS[name]
    fun, kwargs, points, values = _setup(spec)
    calls = getattr(fun, "calls", None)
    if calls is not None:
        calls.clear()
    probe = make_optimizer(name, rng=0, **(
        {"problem": fun, "dim": 8, "domain": (0, 1)} if spec.domain == "binary"
        else {"bounds": BOX}))
    if name == "diffevo-niching":
        with pytest.raises(TypeError, match="takes no prior evaluations"):
            minimize(fun, method=name, rng=0, initial_population=points, initial_values=values,
                     **kwargs)
        assert not calls
        return
    probe.warm_start(points, values)
    assert probe.nfev == 0 and probe.best_fun == values.min()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = minimize(fun, method=name, rng=0, initial_population=points,
                       initial_values=values, **kwargs)
    assert res.fun <= values.min()  # a prior may be the answer ...
    if calls is not None:
        assert res.nfev == sum(calls)  # ... but is not counted as an evaluation of the run


@pytest.mark.parametrize("name", ["diffevo", "cmaes", "diffevo-restarts", "map-elites",
                                  "anneal", "binary-diffevo"])
def test_a_warm_started_run_resumes_bit_for_bit(name, tmp_path):
    spec = METHODS[name]
    fun, kwargs, points, values = _setup(spec)
    prior = {"initial_population": points, "initial_values": values}
    whole = minimize(fun, method=name, rng=2, **prior, **kwargs)
    path = tmp_path / "run.npz"
    minimize(fun, method=name, rng=2, checkpoint=path, callback=lambda r: r.nit >= 2, **prior,
             **kwargs)
    resumed = minimize(fun, method=name, rng=2, resume=path, **prior, **kwargs)
    assert (resumed.fun, resumed.nfev, resumed.nit) == (whole.fun, whole.nfev, whole.nit)
    np.testing.assert_array_equal(resumed.x, whole.x)


@pytest.mark.parametrize("points, values, error, match", [
    (np.zeros((3, 2)), np.zeros(3), ValueError, r"initial_population must have shape \(M, 3\)"),
    (np.zeros((3, 3)), np.zeros(2), ValueError, "initial_values must hold one value per point"),
    (np.full((1, 3), 5.0), np.zeros(1), ValueError, "initial_population must lie inside"),
    (np.zeros((1, 3)), np.array([np.nan]), ValueError, "initial_values must be finite"),
    (np.zeros((1, 3)), None, ValueError, "together"),
    ([["a", "b", "c"]], [1.0], TypeError, "initial_population must be real numbers"),
])
def test_bad_prior_evaluations_are_refused_naming_the_argument(points, values, error, match):
    calls = []
    with pytest.raises(error, match=match):
        minimize(lambda X: calls.append(1) or np.sum(X**2, axis=1), bounds=BOX, vectorized=True,
                 rng=0, initial_population=points, initial_values=values)
    assert not calls


def test_binary_priors_must_be_states_and_ask_tell_priors_come_first():
    problem = _qubo()
    with pytest.raises(ValueError, match="states of the problem's domain"):
        minimize(problem, method="anneal", rng=0, initial_population=np.full((1, 8), 0.5),
                 initial_values=[0.0])
    opt = make_optimizer("cmaes", bounds=BOX, rng=0)
    opt.ask()
    with pytest.raises(RuntimeError, match="before the first ask"):
        opt.warm_start(np.zeros((1, 3)), [1.0])


def _recorded(fun):
    seen = []

    def wrapper(X):
        values = fun(X)
        seen.append((np.array(X, dtype=float), np.array(values, dtype=float)))
        return values
    wrapper.seen = seen
    return wrapper


@pytest.mark.parametrize("method", ["diffevo-restarts", "cmaes"])
def test_a_run_warm_started_from_a_previous_run_reaches_the_target_sooner(method):
    problem = problems.rosenbrock(5)
    first = _recorded(problem)
    minimize(first, bounds=problem.bounds, vectorized=True, method=method, rng=0,
             options={"maxfevals": 1500})
    X = np.concatenate([x for x, _ in first.seen])
    F = np.concatenate([f for _, f in first.seen])
    best = np.argsort(F)[:32]
    options = {"maxfevals": 40_000, "ftarget": 1e-8}
    if method == "cmaes":
        options["restarts"] = 9  # IPOP, as the default method does
    cold = minimize(problem, bounds=problem.bounds, vectorized=True, method=method, rng=1,
                    options=options)
    warm = minimize(problem, bounds=problem.bounds, vectorized=True, method=method, rng=1,
                    options=options, initial_population=X[best], initial_values=F[best])
    assert warm.fun <= 1e-8 and cold.fun <= 1e-8
    assert warm.nfev < cold.nfev
