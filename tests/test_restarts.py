"""The converging Diffusion Evolution: precision, modes, restarts, checkpoints, the front door."""

import numpy as np
import pytest

from evodiff import minimize
from evodiff.algorithms.restarts import RestartedDiffusionEvolution, exploration_popsize
from evodiff.driver import run
from evodiff.problems import himmelblau
from evodiff.registry import get_method, make_optimizer

HIMMELBLAU_MINIMA = np.array([[3.0, 2.0], [-2.805118, 3.131312], [-3.779310, -3.283186],
                              [3.584428, -1.848126]])


def shifted_sphere(X):
    return np.sum((X - 1.3) ** 2, axis=-1)


def ellipsoid(X):
    weights = 10.0 ** (6.0 * np.arange(X.shape[-1]) / (X.shape[-1] - 1))
    return np.sum(weights * (X - 0.7) ** 2, axis=-1)


@pytest.mark.parametrize("fun", [shifted_sphere, ellipsoid])
def test_reaches_1e_8_in_10_d(fun):
    opt = RestartedDiffusionEvolution(bounds=[(-5, 5)] * 10, rng=3, ftarget=1e-8)
    history = run(opt, fun)
    assert history.reason == "stop_rule" and "ftarget" in history.message
    assert opt.best_fun <= 1e-8
    # the paper's algorithm with the same budget stays far from it
    paper = make_optimizer("diffevo", bounds=[(-5, 5)] * 10, rng=3, popsize=512,
                           maxiter=max(2, opt.nfev // 512))
    run(paper, fun)
    assert paper.best_fun > 1e3 * opt.best_fun


@pytest.mark.slow
def test_himmelblau_four_minima_in_at_least_16_of_20_seeds():
    problem = himmelblau()
    found_all = 0
    for seed in range(20):
        opt = RestartedDiffusionEvolution(bounds=problem.bounds, rng=seed)
        run(opt, problem)
        modes = opt.candidates()
        distances = np.linalg.norm(modes[None, :, :] - HIMMELBLAU_MINIMA[:, None, :], axis=2)
        found_all += bool(np.all(distances.min(axis=1) < 1e-3))
    assert found_all >= 16


def test_phases_and_budget():
    opt = RestartedDiffusionEvolution(bounds=[(-5, 5)] * 3, rng=0, maxfevals=6000)
    phases = []
    history = run(opt, shifted_sphere, on_generation=lambda g: phases.append(opt.phase))
    assert phases[0] == "explore" and "refine" in phases and "restart" in phases
    assert history.reason == "stop_rule" and history.message.startswith("maxfevals")
    # pycma's semantics: the generation that reaches the budget is the last one
    assert 6000 <= opt.nfev < 6000 + opt.popsize
    assert "CMA-ES refinements" in history.message


def test_exploration_population_scales_with_dimension_and_budget():
    assert exploration_popsize(2) == 256 and exploration_popsize(20) == 640
    assert RestartedDiffusionEvolution(bounds=[(-1, 1)] * 20, rng=0).popsize == 640
    small = RestartedDiffusionEvolution(bounds=[(-1, 1)] * 2, rng=0, maxfevals=2000)
    assert small.popsize == 25  # 25 * 20 steps = a quarter of the budget
    assert RestartedDiffusionEvolution(bounds=[(-1, 1)] * 2, rng=0, maxfevals=100).popsize == 16
    assert RestartedDiffusionEvolution(bounds=[(-1, 1)] * 2, rng=0, popsize=100).popsize == 100


def _drive_to(opt, fun, phase):
    while opt.phase != phase:
        opt.tell(fun(opt.ask()))


@pytest.mark.parametrize("phase", ["explore", "refine", "restart"])
def test_state_round_trip_continues_bit_for_bit(phase):
    settings = dict(bounds=[(-5, 5)] * 3, maxfevals=20_000)
    original = RestartedDiffusionEvolution(rng=1, **settings)
    _drive_to(original, shifted_sphere, phase)
    for _ in range(3):
        original.tell(shifted_sphere(original.ask()))
    state = original.state_dict()
    copy = RestartedDiffusionEvolution(rng=99, **settings)
    copy.load_state_dict(state)
    assert copy.phase == phase and copy.popsize == original.popsize
    for _ in range(40):
        a, b = original.ask(), copy.ask()
        np.testing.assert_array_equal(a, b)
        original.tell(shifted_sphere(a))
        copy.tell(shifted_sphere(b))
    assert original.best_fun == copy.best_fun and original.phase == copy.phase


def test_minimize_resume_equals_an_uninterrupted_run(tmp_path):
    common = dict(bounds=[(-5, 5)] * 2, vectorized=True, rng=4, method="diffevo-restarts",
                  options={"maxfevals": 8000})
    whole = minimize(shifted_sphere, **common)
    path = tmp_path / "run.npz"
    stopped = minimize(shifted_sphere, callback=lambda r: r.nit >= 30, checkpoint=path, **common)
    assert not stopped.success
    resumed = minimize(shifted_sphere, resume=path, **common)
    assert resumed.fun == whole.fun and resumed.nfev == whole.nfev
    np.testing.assert_array_equal(resumed.x, whole.x)


def test_a_corrupt_phase_is_refused_and_leaves_the_optimiser_intact():
    opt = RestartedDiffusionEvolution(bounds=[(-5, 5)] * 2, rng=0)
    state = opt.state_dict()
    before = opt.ask().copy()
    with pytest.raises(ValueError, match="not a valid evodiff checkpoint"):
        opt.load_state_dict({**state, "phase": "sleeping"})
    np.testing.assert_array_equal(opt.ask(), before)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"modes": 0}, ValueError, "modes"),
    ({"mode_sigma": 0.0}, ValueError, "mode_sigma"),
    ({"restarts": -1}, ValueError, "restarts"),
    ({"steps": 1}, ValueError, "steps"),
    ({"explore_every": -2}, ValueError, "explore_every"),
    ({"fitness": lambda xp, c: c}, TypeError, "fitness"),
    ({"latent": np.eye(2)}, TypeError, "latent"),
])
def test_bad_settings_are_named(kwargs, error, match):
    with pytest.raises(error, match=match):
        RestartedDiffusionEvolution(bounds=[(-5, 5)] * 2, **kwargs)


def test_front_door_chooses_by_dimension_and_says_so():
    res = minimize(shifted_sphere, bounds=[(-5, 5)] * 10, vectorized=True, rng=0)
    assert res.method == "diffevo-restarts" and res.fun < 1e-8
    assert res.message.startswith("method 'auto' chose 'diffevo-restarts' (D = 10 <= 1000)")
    wide = minimize(shifted_sphere, bounds=[(-5, 5)] * 1001, vectorized=True, rng=0,
                    popsize=16, maxiter=2)
    assert wide.method == "latent-diffevo" and "D = 1001 > 1000" in wide.message
    latent = minimize(shifted_sphere, bounds=[(-5, 5)] * 4, vectorized=True, rng=0,
                      popsize=16, maxiter=3, latent="random")
    assert latent.method == "diffevo" and "latent encoder" in latent.message
    explicit = minimize(shifted_sphere, bounds=[(-5, 5)] * 2, vectorized=True, rng=0,
                        method="diffevo", popsize=16, maxiter=3)
    assert "auto" not in explicit.message


def test_himmelblau_front_door_reports_the_four_minima():
    problem = himmelblau()
    res = minimize(problem, bounds=problem.bounds, vectorized=True, rng=0)
    found = [np.min(np.linalg.norm(HIMMELBLAU_MINIMA - m.x, axis=1)) < 1e-4 for m in res.modes]
    assert sum(found) == 4 and res.fun < 1e-12


def test_cmaes_polish_refines_the_paper_algorithm():
    common = dict(bounds=[(-5, 5)] * 3, vectorized=True, rng=0, method="diffevo", popsize=64,
                  maxiter=10)
    plain = minimize(shifted_sphere, **common)
    polished = minimize(shifted_sphere, polish="cmaes", **common)
    assert polished.fun < 1e-10 < plain.fun
    assert polished.nfev > plain.nfev  # the refinement's evaluations are counted
    with pytest.raises(ValueError, match="polish must be"):
        minimize(shifted_sphere, polish="bfgs", **common)


def test_patience_stops_restarts_that_bring_nothing():
    patient = RestartedDiffusionEvolution(bounds=[(-5, 5)] * 2, rng=0)
    history = run(patient, shifted_sphere)
    assert history.message.startswith("patience: 3 restart cycles")
    assert patient.nfev < patient.maxfevals and patient.best_fun < 1e-12
    spender = RestartedDiffusionEvolution(bounds=[(-5, 5)] * 2, rng=0, patience=None)
    history = run(spender, shifted_sphere)
    assert history.message.startswith("maxfevals") and spender.nfev >= spender.maxfevals
    # the bbob harness spends the whole budget
    assert make_optimizer("diffevo-restarts", dim=2, **get_method(
        "diffevo-restarts").budget_settings(1000, None)).patience is None


def two_funnels(X):
    """Two funnels in 5-D: the global one at (2, ..., 2), a second 0.5 higher at (-2, ..., -2)."""
    return np.minimum(np.sum((X - 2.0) ** 2, axis=-1), np.sum((X + 2.0) ** 2, axis=-1) + 0.5)


@pytest.mark.parametrize("seed", range(5))
def test_distinct_modes_on_a_two_funnel_function(seed):
    res = minimize(two_funnels, bounds=[(-5, 5)] * 5, vectorized=True, rng=seed)
    assert res.fun < 1e-12
    np.testing.assert_allclose(res.modes[0].x, 2.0, atol=1e-5)
    second = [m for m in res.modes[1:] if np.allclose(m.x, -2.0, atol=1e-5)]
    assert second and abs(second[0].fun - 0.5) < 1e-10


@pytest.mark.parametrize("maxfevals", [1000, 1234, 5003])
def test_the_last_generation_is_cut_so_maxfevals_is_never_exceeded(maxfevals):
    opt = RestartedDiffusionEvolution(bounds=[(-5, 5)] * 3, maxfevals=maxfevals, rng=1)
    history = run(opt, lambda X: np.sum(np.asarray(X) ** 2, axis=1) + 1.0)
    assert opt.nfev == maxfevals and history.nfev[-1] == maxfevals
    assert history.reason == "stop_rule" and "maxfevals" in history.message


def test_a_run_saved_when_the_exploration_hands_over_to_cma_es_resumes(tmp_path):
    # the generation told last is the exploration's (more points than CMA-ES asks next): a
    # checkpoint written right then must load
    from evodiff import minimize

    def sphere(X):
        return np.sum((np.asarray(X) - 0.3) ** 2, axis=1)

    kwargs = dict(bounds=[(-2, 2)] * 3, vectorized=True, method="diffevo-restarts", rng=1,
                  popsize=16, options={"steps": 4, "maxfevals": 600})
    whole = minimize(sphere, **kwargs)
    path = tmp_path / "run.npz"
    stopped = minimize(sphere, checkpoint=path, callback=lambda r: r.nit >= 4, **kwargs)
    assert stopped.nit == 4  # the last generation of the exploration
    resumed = minimize(sphere, resume=path, **kwargs)
    assert resumed.nfev == whole.nfev and resumed.fun == whole.fun
    np.testing.assert_array_equal(resumed.x, whole.x)
