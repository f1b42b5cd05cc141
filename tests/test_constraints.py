"""Constraints: the violation of scipy-style and callable constraints, Deb's ranking, and the
CEC 2006 problems g06 and g07 checked against their published optima."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import NonlinearConstraint

from evodiff.constraints import Constraints, feasibility_first
from evodiff.problems.constrained import CONSTRAINED_PROBLEMS


@pytest.mark.parametrize("name", sorted(CONSTRAINED_PROBLEMS))
def test_the_published_optimum_is_reproduced_and_is_the_best_feasible_point_nearby(name):
    problem = CONSTRAINED_PROBLEMS[name]()
    x = problem.x_best[None, :]
    assert problem(x)[0] == pytest.approx(problem.f_best, rel=1e-10, abs=1e-9)
    assert np.all(problem.constraints(x) <= 1e-6)  # feasible (active ones at zero)
    rng = np.random.default_rng(0)
    low, high = np.array(problem.bounds).T
    near = np.clip(x + rng.uniform(-0.05, 0.05, (20_000, problem.dim)), low, high)
    feasible = np.all(problem.constraints(near) <= 0.0, axis=1)
    assert feasible.sum() > 10  # the neighbourhood holds feasible points ...
    assert problem(near[feasible]).min() >= problem.f_best - 1e-6  # ... none of them better


def test_nonlinear_constraints_give_their_violations():
    box = NonlinearConstraint(lambda x: np.array([x[0] + x[1], x[0] - x[1]]), [-1.0, -np.inf],
                              [1.0, 0.5])
    equal = NonlinearConstraint(lambda x: x[0] * x[1], 0.25, 0.25)
    c = Constraints([box, equal, lambda x: x[1] - 2.0], dim=2)
    X = np.array([[0.5, 0.5], [2.0, 0.5], [-3.0, 3.0]])
    # columns g <= 0: lb0 - c0, c0 - ub0, c1 - ub1, 0.25 - c2, c2 - 0.25, x1 - 2
    np.testing.assert_allclose(c.values(X), [[-2.0, 0.0, -0.5, 0.0, 0.0, -1.5],
                                             [-3.5, 1.5, 1.0, -0.75, 0.75, -1.5],
                                             [-1.0, -1.0, -6.5, 9.25, -9.25, 1.0]])
    np.testing.assert_allclose(c.violations(X), [[0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
                                                 [0.0, 1.5, 1.0, 0.0, 0.75, 0.0],
                                                 [0.0, 0.0, 0.0, 9.25, 0.0, 1.0]])
    assert c.count == 6
    np.testing.assert_allclose(c.violation(X), [0.0, 3.25, 10.25])


def test_vectorised_callables_and_nan_values():
    c = Constraints(lambda X: np.stack([X[:, 0], np.where(X[:, 1] > 0, np.nan, -1.0)], 1),
                    dim=2, vectorized=True)
    v = c.violation(np.array([[-1.0, -1.0], [2.0, -1.0], [-1.0, 1.0]]))
    assert v[0] == 0.0 and v[1] == 2.0 and v[2] == np.inf


@pytest.mark.parametrize("constraints, error, match", [
    ([], ValueError, "at least one"),
    (3, TypeError, r"constraints\[0\] must be a NonlinearConstraint or a callable"),
])
def test_bad_constraints_are_refused(constraints, error, match):
    with pytest.raises(error, match=match):
        Constraints(constraints, dim=2)


def test_points_of_the_wrong_shape_are_refused():
    with pytest.raises(ValueError, match=r"shape \(N, 2\)"):
        Constraints(lambda x: x[0], dim=2).violation(np.zeros((3, 3)))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(-1e6, 1e6), st.floats(0, 10) | st.just(0.0)),
                min_size=1, max_size=20),
       st.sampled_from(["min", "max"]))
def test_property_the_costs_follow_debs_rules(rows, sense):
    values = np.array([v for v, _ in rows])
    violation = np.array([w for _, w in rows])
    cost = feasibility_first(values, violation, sense)
    own = values if sense == "min" else -values
    for i in range(len(rows)):
        for j in range(len(rows)):
            fi, fj = violation[i] == 0, violation[j] == 0
            if fi and not fj:
                assert cost[i] < cost[j]  # feasible beats infeasible
            elif fi and fj and own[i] < own[j]:
                assert cost[i] < cost[j]  # feasible: by the objective
            elif not fi and not fj and violation[i] < violation[j]:
                assert cost[i] < cost[j]  # infeasible: by the violation


def test_feasibility_first_refuses_arrays_that_do_not_pair():
    with pytest.raises(ValueError, match="1-D arrays of one length"):
        feasibility_first(np.zeros(3), np.zeros(2), "min")
    with pytest.raises(ValueError, match="sense"):
        feasibility_first(np.zeros(2), np.zeros(2), "up")
