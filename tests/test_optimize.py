"""minimize / maximize: the front door."""

import numpy as np
import pytest

from evodiff import METHODS, OptimizeResult, make_optimizer, maximize, minimize, problems, register_method
from evodiff.registry import method_label
from evodiff.schedules import linear_schedule


def sphere_shifted(X):
    return np.sum((X - 1.0) ** 2, axis=-1)


def test_result_fields_and_accounting(backend_name):
    res = minimize(sphere_shifted, bounds=[(-5, 5)] * 2, vectorized=True, popsize=64,
                   maxiter=10, rng=0, backend=backend_name, method="diffevo")
    assert isinstance(res, OptimizeResult)
    assert res.success and res.message == "completed 10 generations" and res.nit == 10
    assert res.x.shape == (2,) and res.fun == pytest.approx(sphere_shifted(res.x))
    assert res.population.shape == (64, 2) and res.candidates.shape == (64, 2)
    assert res.history["best"].shape == (10,) and res.history["median"].shape == (10,)
    np.testing.assert_array_equal(res.history["nfev"], 64 * np.arange(1, 11))
    # every mode centre costs one evaluation
    assert res.nfev == 640 + len(res.modes)
    assert len(res.modes) >= 1 and all(m.count >= 1 and 0 < m.support <= 1 for m in res.modes)
    assert all(res.modes[i].fun <= res.modes[i + 1].fun for i in range(len(res.modes) - 1))
    assert res.fun <= min(res.history["best"]) and res.fun <= res.modes[0].fun


def test_per_point_and_vectorized_give_the_same_run():
    a = minimize(sphere_shifted, bounds=[(-5, 5)] * 3, popsize=32, maxiter=6, rng=1)
    b = minimize(sphere_shifted, bounds=[(-5, 5)] * 3, popsize=32, maxiter=6, rng=1, vectorized=True)
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.population, b.population)


def test_args_are_passed():
    res = minimize(lambda x, c: float(np.sum((x - c) ** 2)), bounds=[(-5, 5)] * 2, args=(2.0,),
                   popsize=128, maxiter=30, rng=0)
    np.testing.assert_allclose(res.x, [2.0, 2.0], atol=0.05)


def test_x0_and_sigma_region():
    res = minimize(sphere_shifted, x0=[1.2, 0.8], sigma=0.5, vectorized=True, popsize=128,
                   maxiter=30, rng=0)
    assert res.fun < 1e-3


def test_maximize_flips_the_sense():
    res = maximize(lambda X: -sphere_shifted(X), bounds=[(-5, 5)] * 2, vectorized=True,
                   popsize=128, maxiter=30, rng=0, method="diffevo")
    assert res.fun > -1e-3
    assert res.history["best"][-1] == pytest.approx(res.history["best"].max(), abs=1e-2)
    assert all(res.modes[i].fun >= res.modes[i + 1].fun for i in range(len(res.modes) - 1))


def test_two_peaks_maximised_modes():
    problem = problems.two_peaks(2)
    res = maximize(problem, bounds=problem.bounds, vectorized=True, popsize=512, maxiter=50,
                   rng=0, polish=True)
    assert res.fun == pytest.approx(problem.optimum_value, abs=1e-9)
    assert problem.distance_to_optima(res.x[None, :])[0] < 1e-4


def test_callback_can_stop_the_run():
    seen = []

    def callback(intermediate):
        seen.append((intermediate.nit, intermediate.fun))
        return intermediate.nit >= 3

    res = minimize(sphere_shifted, bounds=[(-5, 5)] * 2, vectorized=True, popsize=16,
                   maxiter=10, rng=0, callback=callback)
    assert res.nit == 3 and not res.success and "callback" in res.message
    assert [s[0] for s in seen] == [1, 2, 3]

    def stop_iteration(_):
        raise StopIteration

    res = minimize(sphere_shifted, bounds=[(-5, 5)] * 2, vectorized=True, popsize=16,
                   maxiter=10, rng=0, callback=stop_iteration)
    assert res.nit == 1 and not res.success


def test_same_seed_same_result():
    a = minimize(sphere_shifted, bounds=[(-5, 5)] * 2, vectorized=True, popsize=32, maxiter=8, rng=7)
    b = minimize(sphere_shifted, bounds=[(-5, 5)] * 2, vectorized=True, popsize=32, maxiter=8, rng=7)
    c = minimize(sphere_shifted, bounds=[(-5, 5)] * 2, vectorized=True, popsize=32, maxiter=8, rng=8)
    np.testing.assert_array_equal(a.population, b.population)
    assert a.fun == b.fun and not np.array_equal(a.population, c.population)


def test_no_output_by_default(capsys):
    minimize(sphere_shifted, bounds=[(-5, 5)] * 2, vectorized=True, popsize=16, maxiter=4, rng=0)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
    minimize(sphere_shifted, bounds=[(-5, 5)] * 2, vectorized=True, popsize=16, maxiter=4, rng=0,
             progress=True)
    assert "evodiff diffevo" in capsys.readouterr().err


def _recording_method(built):
    """Register 'recording': Diffusion Evolution, keeping every optimiser it builds."""
    def builder(**kwargs):
        built.append(make_optimizer("diffevo", **kwargs))
        return built[-1]
    register_method("Recording", builder, label="Recording DE", replace=True)


def test_options_reach_the_method():
    built = []
    _recording_method(built)
    try:
        res = minimize(sphere_shifted, bounds=[(-5, 5)] * 4, vectorized=True, popsize=32,
                       maxiter=5, rng=0, method="recording",
                       options={"schedule": "linear", "noise": 0.0, "latent": 2})
    finally:
        del METHODS["recording"]
    opt = built[0]
    assert res.nit == 5 and opt.noise == 0.0 and opt.projection.shape == (2, 4)
    np.testing.assert_array_equal(opt.schedule.alphas, linear_schedule(5).alphas)
    default = minimize(sphere_shifted, bounds=[(-5, 5)] * 4, vectorized=True, popsize=32,
                       maxiter=5, rng=0)
    assert not np.array_equal(default.population, res.population)


def test_register_method():
    built = []
    _recording_method(built)
    try:
        res = minimize(sphere_shifted, bounds=[(-1, 1)], vectorized=True, popsize=8, maxiter=3,
                       method="RECORDING", rng=0)
        assert res.method == "recording" and built[0].popsize == 8
        assert method_label("recording") == "Recording DE"
        with pytest.raises(ValueError, match="already registered"):
            register_method("recording", lambda **kw: None)
    finally:
        del METHODS["recording"]
    with pytest.raises(TypeError, match="builder"):
        register_method("x", 3)
    with pytest.raises(ValueError, match="method must be one of"):
        minimize(sphere_shifted, bounds=[(-1, 1)], vectorized=True, method="recording")


def test_latent_diffevo_is_a_method_of_minimize():
    kwargs = dict(bounds=[(-5, 5)] * 4, vectorized=True, popsize=32, maxiter=5, rng=3)
    named = minimize(sphere_shifted, method="latent-diffevo", **kwargs)
    spelled = minimize(sphere_shifted, latent="random", **kwargs)
    np.testing.assert_array_equal(named.candidates, spelled.candidates)
    assert named.method == "latent-diffevo"


def test_candidates_and_the_deprecated_names():
    res = minimize(sphere_shifted, bounds=[(-5, 5)] * 2, vectorized=True, popsize=16, maxiter=4,
                   rng=0, method="diffevo")
    assert res.candidates.shape == (16, 2)
    with pytest.warns(DeprecationWarning, match="candidates"):
        alias = res.estimates
    assert alias is res.candidates
    assert not hasattr(res, "x0")  # the alias of 0.1.0 is gone: x0 is a start point
    from evodiff import DiffusionEvolution, LatentDiffusionEvolution

    opt = DiffusionEvolution(bounds=[(-5, 5)] * 2, popsize=8, steps=3, rng=0)
    opt.tell(np.sum(np.asarray(opt.ask()) ** 2, axis=1))
    with pytest.warns(DeprecationWarning, match="estimates"):
        np.testing.assert_array_equal(opt.x0, opt.estimates)
    with pytest.warns(DeprecationWarning, match="latent='random'"):
        LatentDiffusionEvolution(bounds=[(-5, 5)] * 4, popsize=8, steps=3)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"method": "nelder-mead"}, ValueError, "method must be one of"),
    ({"popsize": 1}, ValueError, "popsize must be >= 2"),
    ({"popsize": 2.5}, TypeError, "popsize"),
    ({"maxiter": 0}, ValueError, "maxiter"),
    ({"maxiter": 1, "method": "diffevo"}, ValueError, "maxiter must be >= 2"),
    ({"callback": 3}, TypeError, "callback"),
    ({"mode_radius": 0}, ValueError, "mode_radius"),
    ({"polish": 1}, ValueError, "polish must be False, True"),
    ({"polish": "yes"}, ValueError, "polish must be False, True"),
    ({"min_support": 2.0}, ValueError, "min_support must be >= 0.0 and <= 1.0"),
    ({"x0": [0.0, 0.0]}, ValueError, "either bounds or x0"),
    ({"backend": "torch"}, ValueError, "backend"),
    ({"options": {"noise": -1}}, ValueError, "noise"),
    ({"options": {"colour": 1}}, TypeError, "colour"),
])
def test_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        minimize(sphere_shifted, bounds=[(-1, 1)] * 2, vectorized=True, **kwargs)


@pytest.mark.parametrize("kwargs, error, match", [
    ({}, ValueError, "give bounds, or x0 and sigma"),
    ({"x0": [[0.0]]}, ValueError, "x0 must be a 1-D"),
    ({"x0": [0.0], "sigma": 0.0}, ValueError, "sigma must be positive"),
    ({"x0": [0.0, 0.0], "sigma": [1.0, 2.0, 3.0]}, ValueError, "sigma must be a number or 2"),
    ({"x0": [np.nan, 0.0], "sigma": 1.0}, ValueError, "x0 must be finite"),
    ({"bounds": [(0, np.inf)]}, ValueError, "coordinate 0 has the upper limit inf"),
    ({"bounds": [(None, 1)]}, ValueError, "coordinate 0 has no lower limit \\(None\\)"),
    ({"bounds": [(-1, 1), (False, True)]}, TypeError, "coordinate 1 has the lower limit False"),
    ({"bounds": [("0", 1)]}, TypeError, "must be real numbers"),
    ({"bounds": [(1, 0)]}, ValueError, "min < max"),
])
def test_bad_region(kwargs, error, match):
    with pytest.raises(error, match=match):
        minimize(sphere_shifted, vectorized=True, **kwargs)


def test_bad_objective():
    with pytest.raises(TypeError, match="fun must be callable"):
        minimize(3, bounds=[(0, 1)])
    with pytest.raises(ValueError, match="shape"):
        minimize(lambda X: np.zeros(3), bounds=[(0, 1)], vectorized=True, popsize=8)
    with pytest.raises(ValueError, match="single real number per point; point 0"):
        minimize(lambda x: [1.0, 2.0], bounds=[(0, 1)], popsize=8)


@pytest.mark.parametrize("batch_size", [None, 3])
def test_a_masked_array_from_the_objective_is_refused(batch_size):
    def masked(X):
        values = np.sum(np.asarray(X) ** 2, axis=1)
        return np.ma.masked_array(values, mask=values > 0.5)

    with pytest.raises(ValueError, match="masked array"):
        minimize(masked, bounds=[(0, 1)] * 2, vectorized=True, popsize=8, maxiter=2,
                 batch_size=batch_size)
    with pytest.raises(ValueError, match="single real number per point; point 0 gave masked"):
        minimize(lambda x: np.ma.masked, bounds=[(0, 1)], popsize=8, maxiter=2)
    opt = make_optimizer("cmaes", bounds=[(0, 1)] * 2, rng=0)
    X = np.asarray(opt.ask())
    with pytest.raises(TypeError, match="must not be a masked array"):
        opt.tell(np.ma.masked_array(np.sum(X, axis=1)))


# --- behaviour over seeds -------------------------------------------------------------------


@pytest.mark.slow
def test_shifted_sphere_reaches_1e_3_in_every_seed(backend_name):
    for seed in range(20):
        problem = problems.random_shift(problems.sphere(2), rng=100 + seed)
        res = minimize(problem, bounds=problem.bounds, vectorized=True, rng=seed,
                       backend=backend_name)
        assert res.fun <= 1e-3, f"seed {seed}: best value {res.fun}"


@pytest.mark.slow
def test_polish_makes_the_four_himmelblau_modes_exact(backend_name):
    problem = problems.himmelblau()
    exact = 0
    for seed in range(20):
        res = minimize(problem, bounds=problem.bounds, vectorized=True, popsize=512, maxiter=25,
                       rng=seed, polish=True, backend=backend_name, method="diffevo")
        modes = np.array([m.x for m in res.modes])
        exact += bool(np.all(problem.distance_to_optima(modes) < 1e-4))
    assert exact >= 18, f"four exact modes in only {exact} of 20 seeds"


@pytest.mark.slow
def test_polish_finds_the_global_minimum_of_shifted_rastrigin(backend_name):
    hits = 0
    for seed in range(20):
        problem = problems.random_shift(problems.rastrigin(2), rng=1000 + seed)
        res = minimize(problem, bounds=problem.bounds, vectorized=True, popsize=512, maxiter=25,
                       rng=seed, polish=True, backend=backend_name, method="diffevo")
        hits += bool(res.fun - problem.optimum_value <= 1e-6)
    assert hits >= 16, f"global minimum within 1e-6 in only {hits} of 20 seeds"


# --- checkpoint and resume through minimize ------------------------------------------------


@pytest.mark.parametrize("method", ["diffevo", "cmaes", "openes", "pepg"])
@pytest.mark.parametrize("stop_at", [1, 5, 9])
def test_interrupted_and_resumed_run_equals_the_uninterrupted_one(method, stop_at, tmp_path):
    problem = problems.himmelblau()
    common = dict(bounds=problem.bounds, vectorized=True, method=method, popsize=16, maxiter=10,
                  rng=4)
    whole = minimize(problem, **common)
    path = tmp_path / "run.npz"
    calls = {"n": 0}

    def crashing(X):
        calls["n"] += 1
        if calls["n"] == stop_at + 1:
            raise KeyboardInterrupt  # the process dies during generation stop_at + 1
        return problem(X)

    with pytest.raises(KeyboardInterrupt):
        minimize(crashing, checkpoint=path, **common)
    resumed = minimize(problem, resume=path, **common)
    assert resumed.fun == whole.fun and resumed.nfev == whole.nfev and resumed.nit == whole.nit
    np.testing.assert_array_equal(resumed.x, whole.x)
    np.testing.assert_array_equal(resumed.population, whole.population)
    for key in whole.history:
        np.testing.assert_array_equal(resumed.history[key], whole.history[key])
    assert resumed.message == whole.message


def test_resume_rejects_a_foreign_checkpoint(tmp_path):
    problem = problems.sphere(2)
    path = tmp_path / "cma.npz"
    minimize(problem, bounds=problem.bounds, vectorized=True, method="cmaes", maxiter=3, rng=0,
             checkpoint=path)
    with pytest.raises(ValueError, match="cmaes"):
        minimize(problem, bounds=problem.bounds, vectorized=True, popsize=8, maxiter=3,
                 resume=path)
    with pytest.raises(ValueError, match="checkpoint_every"):
        minimize(problem, bounds=problem.bounds, vectorized=True, checkpoint=path,
                 checkpoint_every=0)


def test_a_run_whose_clusters_are_all_too_small_still_reports_its_best_point():
    rng = np.random.default_rng(3)
    offsets = rng.uniform(-4, 4, (40, 5))

    def many_wells(X):  # 40 narrow wells in 5-D: the estimates scatter
        X = np.asarray(X)
        return -np.max(np.exp(-np.sum((X[:, None, :] - offsets) ** 2, axis=2) / 0.1), axis=1)

    res = minimize(many_wells, bounds=[(-5, 5)] * 5, method="diffevo", vectorized=True,
                   popsize=64, maxiter=5, rng=0, min_support=1.0)
    assert len(res.modes) == 1
    mode = res.modes[0]
    assert (mode.count, mode.support) == (0, 0.0)
    np.testing.assert_array_equal(mode.x, res.x)
    assert mode.fun == res.fun == pytest.approx(float(many_wells(res.x[None, :])[0]))


@pytest.mark.parametrize("maxfevals, spent", [(1000, 1000), (3000, 2560)])
def test_mode_evaluations_stay_inside_the_budget_of_diffevo(maxfevals, spent):
    # 512 x 5 generations = 2560 < 3000: the 440 left pay for the modes; at 1000 nothing is left
    calls = []

    def counted(X):
        calls.append(len(X))
        return problems.himmelblau()(X)

    res = minimize(counted, bounds=[(-5, 5)] * 2, method="diffevo", maxiter=5,
                           vectorized=True, rng=0, options={"maxfevals": maxfevals})
    assert res.nfev == sum(calls) <= maxfevals
    assert res.modes, "a finished run reports at least its best point"
    if maxfevals == spent:
        assert [(m.count, m.support) for m in res.modes] == [(0, 0.0)]
        assert res.modes[0].fun == res.fun
    else:
        assert res.nfev == spent + len(res.modes) and res.modes[0].count > 0


def test_the_default_method_reports_its_refined_modes_without_new_evaluations():
    calls = []

    def counted(X):
        calls.append(len(X))
        return problems.himmelblau()(X)

    res = minimize(counted, bounds=[(-5, 5)] * 2, vectorized=True, rng=0,
                           options={"maxfevals": 6000})
    assert res.nfev == sum(calls) <= 6000
    assert len(res.modes) >= 1
    for mode in res.modes:  # each value is the objective's at that point
        assert mode.fun == problems.himmelblau()(mode.x[None])[0]
    assert [m.fun for m in res.modes] == sorted(m.fun for m in res.modes)


def test_maxiter_caps_the_generations_of_the_default_method():
    # the one meaning of maxiter: the most generations of the run, restarts included
    res = minimize(sphere_shifted, bounds=[(-5, 5)] * 2, vectorized=True, maxiter=7, rng=0)
    assert res.method == "diffevo-restarts" and res.nit == 7
    assert res.message.split(": ", 1)[1].startswith("maxiter: 7 generations")
    explored = minimize(sphere_shifted, bounds=[(-5, 5)] * 2, vectorized=True, rng=0,
                        options={"steps": 5, "maxfevals": 3000})
    assert explored.nfev <= 3000
