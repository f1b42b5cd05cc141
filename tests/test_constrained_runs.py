"""minimize(..., constraints=...): Deb's rules, the feasible answer, the CEC 2006 problems."""

import numpy as np
import pytest
from scipy.optimize import NonlinearConstraint

from evodiff import maximize, minimize
from evodiff.binary import QUBO
from evodiff.problems.constrained import g06, g07


def test_g06_is_solved_by_the_default_method():
    problem = g06()
    res = minimize(problem, bounds=problem.bounds, vectorized=True, rng=0,
                   constraints=problem.constraints, options={"maxfevals": 30_000})
    assert res.feasible and res.constraint_violation == 0.0 and res.success
    assert res.fun - problem.f_best < 1e-5
    assert np.all(problem.constraints(res.x[None, :]) <= 0.0)
    assert res.modes and all(np.all(problem.constraints(m.x[None, :]) <= 0.0) for m in res.modes)


def test_g07_is_solved_by_cma_es_with_restarts():
    problem = g07()
    res = minimize(problem, bounds=problem.bounds, vectorized=True, method="cmaes", rng=0,
                   constraints=problem.constraints, options={"maxfevals": 50_000, "restarts": 9})
    assert res.feasible and res.fun - problem.f_best < 1e-6


def test_scipy_constraints_under_maximize():
    disc = NonlinearConstraint(lambda x: x[0] ** 2 + x[1] ** 2, -np.inf, 1.0)
    res = maximize(lambda x: float(x[0] + x[1]), bounds=[(-2, 2)] * 2, rng=1, constraints=disc,
                   options={"maxfevals": 6000})
    assert res.feasible and res.fun == pytest.approx(np.sqrt(2.0), abs=1e-4)
    assert res.x @ res.x <= 1.0
    finite = res.history["best"][np.isfinite(res.history["best"])]
    assert np.all(finite <= res.fun)  # the history holds feasible values only


def test_an_empty_feasible_region_is_reported_with_the_least_violating_point():
    res = minimize(lambda X: np.sum(X**2, axis=1), bounds=[(-1, 1)] * 2, vectorized=True,
                   method="cmaes", rng=0, constraints=lambda X: 10.0 - X[:, 0],
                   options={"maxfevals": 2000})
    assert not res.feasible and not res.success and "no feasible point" in res.message
    assert res.constraint_violation == pytest.approx(10.0 - res.x[0]) and res.x[0] > 0.99
    assert np.all(np.isnan(res.history["best"])) and res.modes == []


def test_a_constrained_run_resumes_bit_for_bit(tmp_path):
    problem = g06()
    common = dict(bounds=problem.bounds, vectorized=True, rng=3, constraints=problem.constraints,
                  options={"maxfevals": 4000})
    whole = minimize(problem, **common)
    path = tmp_path / "run.npz"
    minimize(problem, checkpoint=path, callback=lambda r: r.nit >= 5, **common)
    resumed = minimize(problem, resume=path, **common)
    assert (resumed.fun, resumed.nfev, resumed.feasible) == (whole.fun, whole.nfev, whole.feasible)
    np.testing.assert_array_equal(resumed.x, whole.x)
    plain = tmp_path / "plain.npz"  # a run saved without constraints cannot go on with them
    unconstrained = {key: value for key, value in common.items() if key != "constraints"}
    minimize(problem, checkpoint=plain, callback=lambda r: r.nit >= 2, **unconstrained)
    with pytest.raises(ValueError, match="holds no constrained run"):
        minimize(problem, resume=plain, **common)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"polish": True}, ValueError, "polish does not apply"),
    ({"method": "map-elites"}, ValueError, "seek one optimum"),
    ({"method": "diffevo-niching"}, ValueError, "seek one optimum"),
])
def test_what_does_not_apply_is_refused_before_any_evaluation(kwargs, error, match):
    calls = []

    def f(X):
        calls.append(1)
        return np.sum(X**2, axis=1)

    with pytest.raises(error, match=match):
        minimize(f, bounds=[(-1, 1)] * 2, vectorized=True, rng=0,
                 constraints=lambda X: X[:, 0], **kwargs)
    with pytest.raises(TypeError, match="NonlinearConstraint or a callable"):
        minimize(f, bounds=[(-1, 1)] * 2, vectorized=True, rng=0, constraints=[3])
    assert not calls
    with pytest.raises(ValueError, match="continuous problems"):
        minimize(QUBO(np.eye(3)), constraints=lambda x: x[0])


@pytest.mark.parametrize("method", ["diffevo-restarts", "cmaes", "diffevo"])
def test_skipping_the_objective_at_infeasible_points_changes_nothing_but_the_calls(method):
    problem = g06()
    calls = []

    def counted(X):
        calls.append(len(X))
        return problem(X)

    common = dict(bounds=problem.bounds, vectorized=True, method=method, rng=2,
                  constraints=problem.constraints,
                  options={"maxfevals": 3000} if method != "diffevo" else None,
                  **({"popsize": 64, "maxiter": 20} if method == "diffevo" else {}))
    full = minimize(problem, **common)
    skipped = minimize(counted, skip_infeasible=True, **common)
    assert skipped.feasible == full.feasible
    # without a feasible point, the least violating one was not evaluated: its value is NaN
    assert skipped.fun == full.fun or (np.isnan(skipped.fun) and not full.feasible)
    np.testing.assert_array_equal(skipped.x, full.x)
    np.testing.assert_array_equal(skipped.history["best"], full.history["best"])
    assert skipped.nfev == sum(calls) < full.nfev
    with pytest.raises(ValueError, match="with constraints only"):
        minimize(problem, bounds=problem.bounds, vectorized=True, skip_infeasible=True)
