"""The adaptive augmented Lagrangian: its formula, its coefficient rules, a run, a resume."""

import numpy as np
import pytest

from evodiff import minimize
from evodiff.augmented_lagrangian import AugmentedLagrangian


def _entered(dim=2, lam=(1.0, 2.0), mu=(4.0, 0.5)):
    al = AugmentedLagrangian(dim)
    al.lam, al.mu = np.array(lam), np.array(mu)
    return al


def test_the_penalty_follows_its_three_branches():
    al = _entered()
    # g = 0.5: lam g + mu g^2 / 2; g = -1 with lam + mu g < 0: -lam^2 / (2 mu); NaN: +inf
    G = np.array([[0.5, 0.0], [-1.0, 1.0], [-0.1, -2.0], [np.nan, 0.0]])
    expected = [1.0 * 0.5 + 4.0 * 0.25 / 2 + 0.0,
                -1.0 / 8.0 + (2.0 + 0.5 / 2),
                (1.0 * -0.1 + 4.0 * 0.01 / 2) + (2.0 * -2.0 + 0.5 * 4.0 / 2),
                np.inf]
    np.testing.assert_allclose(al.penalty(G), expected)
    # a constraint not yet entered (mu == 0) costs nothing, whatever its value
    al.mu[1] = 0.0
    assert al.penalty(np.array([[0.0, 1e6]]))[0] == 0.0


def test_a_constraint_enters_once_a_share_of_the_generation_violates_it():
    al = AugmentedLagrangian(dim=2, share=0.25)
    F = np.arange(8.0)
    G = np.stack([np.full(8, -1.0), np.where(np.arange(8) < 2, 2.0, -2.0)], axis=1)
    G[0, 0] = 0.5  # 1 of 8 violate the first constraint: below the share
    h = al.fitness(F, G)
    assert al.mu[0] == 0.0 and al.lam[0] == 0.0
    iqr = lambda v: np.subtract(*np.percentile(v, [75, 25]))  # noqa: E731
    assert al.lam[1] == pytest.approx(iqr(F) / (2 * iqr(G[:, 1])))
    assert al.mu[1] == pytest.approx(0.4 * al.lam[1])
    np.testing.assert_allclose(h, F + al.penalty(G))


def test_the_multiplier_grows_on_a_violated_reference_and_stops_at_zero():
    al = _entered(dim=1, lam=(1.0,), mu=(2.0,))
    F = np.array([0.0, 5.0])
    al.update(F, np.array([[0.5], [3.0]]))  # the reference (the best by h) violates by 0.5
    assert al.lam[0] == pytest.approx(1.0 + 2.0 * 0.5 / 5.0)
    al.update(F, np.array([[-10.0], [3.0]]))  # deep on the feasible side: clamped at zero
    assert al.lam[0] == 0.0


def test_mu_grows_on_a_violating_reference_and_shrinks_when_few_references_are_feasible():
    al = _entered(dim=1, lam=(10.0,), mu=(1.0,))
    al.update(np.array([0.0]), np.array([[1.0]]))  # violated: mu grows
    assert al.mu[0] == pytest.approx(al.chi ** 0.25)
    al.update(np.array([0.0]), np.array([[-0.5]]))  # met, but by 1 of the last 2 only
    assert al.mu[0] == pytest.approx(1.0)
    al = _entered(dim=1, lam=(1.0,), mu=(1.0,))
    al.update(np.array([0.0]), np.array([[-5.0]]))  # inactive (mu g < -lam): mu stays
    assert al.mu[0] == 1.0


def test_successive_changes_of_one_direction_ramp_up():
    al = _entered(dim=1, lam=(1.0,), mu=(1.0,))
    for _ in range(10):
        al.update(np.array([0.0]), np.array([[1.0]]))
    # exponents 0.25 (1 + e_k), e_k = 4/3 min(max(k - 3, 0), 3): sum e_k = 4/3 + 8/3 + 5 * 4
    assert np.log(al.mu[0]) / np.log(al.chi) == pytest.approx(0.25 * (10 + 24))


def test_cmaes_finds_an_optimum_on_an_active_constraint():
    # minimise |x|^2 subject to x0 >= 1: the optimum (1, 0, 0, 0) lies on the boundary
    res = minimize(lambda X: np.sum(X**2, axis=1), bounds=[(-5, 5)] * 4, vectorized=True,
                   method="cmaes", rng=1, constraints=lambda X: 1.0 - X[:, 0],
                   constraint_rule="augmented-lagrangian", options={"maxfevals": 6000})
    assert res.feasible and res.fun == pytest.approx(1.0, abs=1e-8)
    np.testing.assert_allclose(res.x, [1.0, 0.0, 0.0, 0.0], atol=1e-4)


def test_an_augmented_lagrangian_run_resumes_bit_for_bit(tmp_path):
    common = dict(bounds=[(-5, 5)] * 3, vectorized=True, method="cmaes", rng=2,
                  constraints=lambda X: 1.0 - X[:, 0] - X[:, 1],
                  constraint_rule="augmented-lagrangian", options={"maxfevals": 1500})
    fun = lambda X: np.sum(X**2, axis=1)  # noqa: E731
    whole = minimize(fun, **common)
    path = tmp_path / "run.npz"
    minimize(fun, checkpoint=path, callback=lambda r: r.nit >= 20, **common)
    resumed = minimize(fun, resume=path, **common)
    assert (resumed.fun, resumed.nfev) == (whole.fun, whole.nfev)
    np.testing.assert_array_equal(resumed.x, whole.x)
    deb = {**common, "constraint_rule": "feasibility-first"}
    with pytest.raises(ValueError, match="another constraint rule"):
        minimize(fun, resume=path, **deb)


def test_the_state_round_trips_and_bad_state_is_refused():
    al = _entered()
    al.update(np.array([0.0, 1.0]), np.array([[0.1, -0.1], [1.0, 1.0]]))
    copy = AugmentedLagrangian(2)
    copy.load(al.state())
    np.testing.assert_array_equal(copy.lam, al.lam)
    np.testing.assert_array_equal(copy.mu, al.mu)
    bad = {**al.state(), "al_mu": np.array([-1.0, 1.0])}
    with pytest.raises(ValueError, match="finite and >= 0"):
        copy.load(bad)


@pytest.mark.parametrize("kwargs, match", [
    ({"constraint_rule": "penalty"}, "constraint_rule must be one of"),
    ({"constraint_rule": "augmented-lagrangian", "skip_infeasible": True},
     "skip_infeasible needs constraint_rule='feasibility-first'"),
])
def test_bad_rules_are_refused_before_any_evaluation(kwargs, match):
    def fun(X):
        raise AssertionError("evaluated")
    with pytest.raises(ValueError, match=match):
        minimize(fun, bounds=[(-1, 1)] * 2, vectorized=True, method="cmaes",
                 constraints=lambda X: X[:, 0], **kwargs)
    with pytest.raises(ValueError, match="constraint_rule applies with constraints only"):
        minimize(fun, bounds=[(-1, 1)] * 2, vectorized=True,
                 constraint_rule="augmented-lagrangian")


def test_bad_generations_are_refused():
    al = AugmentedLagrangian(2)
    with pytest.raises(ValueError, match="shape"):
        al.fitness(np.zeros(3), np.zeros((2, 1)))
    al.fitness(np.zeros(3), np.zeros((3, 1)))
    with pytest.raises(ValueError, match="1 columns"):
        al.fitness(np.zeros(3), np.zeros((3, 2)))
    with pytest.raises(ValueError, match="chi"):
        AugmentedLagrangian(2, chi=1.0)
