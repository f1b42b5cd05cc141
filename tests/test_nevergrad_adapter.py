"""Evodiff's optimisers in nevergrad's registry, run by nevergrad's own loops."""

import dataclasses
import importlib
import sys
import warnings

import numpy as np
import pytest

from evodiff import DiffusionEvolution, registry

ng = pytest.importorskip("nevergrad")
adapter = importlib.import_module("evodiff.integrations.nevergrad")

SHIFT = np.array([0.5, -0.3, 0.2])


def shifted_sphere(x):
    return float(np.sum((np.asarray(x) - SHIFT[: len(x)]) ** 2))


def seeded(parametrization, seed):
    parametrization.random_state = np.random.RandomState(seed)
    return parametrization


def run(name, parametrization, budget, fun, num_workers=1):
    opt = ng.optimizers.registry[name](parametrization=parametrization, budget=budget,
                                       num_workers=num_workers)
    return opt, opt.minimize(fun)


def spy_on_tells(monkeypatch):
    """Record, for every generation told to an evodiff optimiser, its points and values."""
    told = []
    start = adapter.EvodiffOptimizer._start_run

    def start_and_spy(self):
        start(self)
        inner = self.evodiff_optimizer
        tell = inner.tell

        def recording_tell(values):
            told.append((np.array(inner.ask()), np.array(values)))
            tell(values)

        inner.tell = recording_tell

    monkeypatch.setattr(adapter.EvodiffOptimizer, "_start_run", start_and_spy)
    return told


def test_the_optimizers_are_in_nevergrads_registry():
    for name in ("DiffusionEvolution", "DiffusionEvolutionRestarts", "LatentDiffusionEvolution",
                 "EvodiffCMAES"):
        config = ng.optimizers.registry[name]
        assert isinstance(config, adapter.ParametrizedEvodiff)
        opt = config(parametrization=3, budget=100)
        assert isinstance(opt, adapter.EvodiffOptimizer)
        assert opt.name == name
    assert set(adapter.REGISTERED) == {"DiffusionEvolution", "DiffusionEvolutionRestarts",
                                       "LatentDiffusionEvolution", "EvodiffCMAES"}


def test_reloading_the_module_registers_again_without_a_collision():
    importlib.reload(adapter)
    assert ng.optimizers.registry["DiffusionEvolution"] is adapter.REGISTERED["DiffusionEvolution"]


def test_diffusion_evolution_beats_random_search_on_the_sphere():
    ours, random = [], []
    for seed in range(5):
        _, rec = run("DiffusionEvolution", seeded(ng.p.Array(shape=(3,)), 10 + seed), 2000,
                     shifted_sphere)
        ours.append(shifted_sphere(rec.value))
        _, rec = run("RandomSearch", seeded(ng.p.Array(shape=(3,)), 10 + seed), 2000,
                     shifted_sphere)
        random.append(shifted_sphere(rec.value))
    # measured over four blocks of five seeds: Random Search's median is 8.6 to 18 times ours
    assert np.median(ours) < 0.25 * np.median(random)


def test_a_bounded_parametrization_is_never_left_and_the_shifted_optimum_is_found():
    target = np.array([2.5, -1.5])
    distances = []
    for seed in range(3):
        seen = []

        def fun(x, seen=seen):
            seen.append(np.array(x))
            return float(np.sum((x - target) ** 2))

        _, rec = run("DiffusionEvolution", seeded(ng.p.Array(shape=(2,)).set_bounds(-5, 5), seed),
                     1000, fun)
        seen = np.array(seen)
        assert seen.shape == (1000, 2)
        assert np.all(seen >= -5) and np.all(seen <= 5)
        distances.append(np.linalg.norm(rec.value - target))
    assert np.median(distances) < 0.3


def test_a_narrow_box_stays_a_box_although_the_standard_normal_leaves_it():
    seen = []
    opt, rec = run("DiffusionEvolution", seeded(ng.p.Array(shape=(3,)).set_bounds(-0.5, 0.5), 1),
                   300, lambda x: seen.append(np.array(x)) or float(np.sum((x - 0.4) ** 2)))
    seen = np.array(seen)
    assert np.all(np.abs(seen) <= 0.5)
    assert np.all(np.abs(rec.value) <= 0.5)
    assert np.sum((rec.value - 0.4) ** 2) < 0.1 * np.sum((np.zeros(3) - 0.4) ** 2)


def test_an_instrumentation_with_a_scalar_and_an_array():
    calls = []

    def fun(a, b, *, c):
        calls.append((a, b, c))
        return (a - 1.0) ** 2 + float(np.sum((b + 0.5) ** 2)) + (c - 2.0) ** 2

    parametrization = seeded(ng.p.Instrumentation(ng.p.Scalar(lower=-3, upper=3),
                                                  ng.p.Array(shape=(2,)), c=ng.p.Scalar()), 3)
    opt, rec = run("DiffusionEvolution", parametrization, 1500, fun)
    assert opt.dimension == 4
    a, b, c = calls[0]
    assert isinstance(a, float) and isinstance(c, float) and b.shape == (2,)
    assert all(-3 <= call[0] <= 3 for call in calls)
    assert fun(*rec.args, **rec.kwargs) < 0.05 * fun(0.0, np.zeros(2), c=0.0)


def test_many_workers_telling_out_of_order(monkeypatch):
    told = spy_on_tells(monkeypatch)
    rng = np.random.default_rng(0)
    opt = adapter.ParametrizedEvodiff(popsize=12, generations=5)(
        parametrization=seeded(ng.p.Array(shape=(3,)), 0), budget=400, num_workers=8)
    running = [opt.ask() for _ in range(8)]
    for _ in range(400 - 8):
        done = running.pop(int(rng.integers(len(running))))
        opt.tell(done, shifted_sphere(done.value))
        running.append(opt.ask())
    while running:
        done = running.pop(int(rng.integers(len(running))))
        opt.tell(done, shifted_sphere(done.value))
    # with 8 in flight and 12 per generation, the generation often waits for its last losses
    assert opt.extra_asks > 0
    assert len(told) >= 8
    # every one of the 400 asks was a point of a generation or an extra point
    assert 12 * len(told) <= 400 - opt.extra_asks < 12 * (len(told) + 1)
    for points, values in told:  # each generation told in the order it was asked
        assert points.shape == (12, 3)
        np.testing.assert_allclose(values, [shifted_sphere(x) for x in points])
    assert opt.runs >= 2 and len(told) // 5 <= opt.runs <= len(told) // 5 + 1
    assert shifted_sphere(opt.recommend().value) < 0.1


def test_the_popsize_is_at_least_the_number_of_workers():
    assert adapter.default_settings("diffevo", 1000, num_workers=300) == (300, 3)
    assert adapter.default_settings("diffevo", 1000) == (100, 10)
    assert adapter.default_settings("diffevo", 100_000) == (256, 10)
    assert adapter.default_settings("diffevo", 30) == (8, 3)
    assert adapter.default_settings("diffevo", None) == (64, 10)
    assert adapter.default_settings("diffevo", 1000, popsize=50) == (50, 10)
    assert adapter.default_settings("cmaes", 1000, dimension=10) == (10, None)
    assert adapter.default_settings("cmaes", 1000, num_workers=32, dimension=10) == (32, None)
    opt = ng.optimizers.registry["DiffusionEvolution"](parametrization=2, budget=500,
                                                       num_workers=64)
    assert (opt.popsize, opt.generations) == (64, 7)


def test_the_same_seed_gives_the_same_recommendation():
    def once(seed, name="DiffusionEvolution"):
        _, rec = run(name, seeded(ng.p.Array(shape=(3,)), seed), 300, shifted_sphere)
        return rec.value

    np.testing.assert_array_equal(once(5), once(5))
    assert not np.array_equal(once(5), once(6))
    np.testing.assert_array_equal(once(5, "EvodiffCMAES"), once(5, "EvodiffCMAES"))


def test_a_finished_schedule_restarts_with_a_new_seed(monkeypatch):
    told = spy_on_tells(monkeypatch)
    seeds = []
    spec = registry.METHODS["diffevo"]

    def recording_builder(**settings):
        seeds.append(settings["rng"])
        return spec.builder(**settings)

    monkeypatch.setitem(registry.METHODS, "diffevo",
                        dataclasses.replace(spec, builder=recording_builder))
    opt = adapter.ParametrizedEvodiff(popsize=10, generations=3)(
        parametrization=seeded(ng.p.Array(shape=(2,)), 0), budget=100)
    opt.minimize(shifted_sphere)
    assert opt.runs == 4 and len(seeds) == 4 and len(set(seeds)) == 4
    assert len(told) == 10  # three runs of 3 generations, and the first of the fourth
    # the registry's default spends 6,000 evaluations in runs of 256 x 10
    opt = ng.optimizers.registry["DiffusionEvolution"](parametrization=2, budget=6000)
    opt.minimize(shifted_sphere)
    assert opt.runs == 3


def test_the_cmaes_variant():
    opt, rec = run("EvodiffCMAES", seeded(ng.p.Array(shape=(3,)), 2), 800, shifted_sphere)
    assert opt.popsize == 7 and opt.generations is None
    assert shifted_sphere(rec.value) < 1e-8
    opt, rec = run("EvodiffCMAES", seeded(ng.p.Array(shape=(3,)), 2), 800, shifted_sphere,
                   num_workers=12)
    assert opt.popsize == 12
    assert shifted_sphere(rec.value) < 1e-6


def test_latent_diffusion_evolution_runs():
    opt, rec = run("LatentDiffusionEvolution", seeded(ng.p.Array(shape=(6,)), 0), 600,
                   lambda x: float(np.sum((x - 0.3) ** 2)))
    assert opt.runs == 1
    assert float(np.sum((rec.value - 0.3) ** 2)) < 6 * 0.3**2


def test_points_told_without_being_asked():
    opt = ng.optimizers.registry["DiffusionEvolution"](
        parametrization=seeded(ng.p.Array(shape=(3,)), 0), budget=200)
    opt.suggest(SHIFT)  # the optimum, before the first ask
    first = opt.ask()
    np.testing.assert_array_equal(first.value, SHIFT)
    opt.tell(first, 0.0)
    outsider = opt.parametrization.spawn_child(new_value=SHIFT + 0.01)
    opt.tell(outsider, shifted_sphere(outsider.value))
    assert opt.num_tell_not_asked == 2
    opt.minimize(shifted_sphere)
    assert opt.evodiff_optimizer is None or opt.evodiff_optimizer.nit > 0
    np.testing.assert_array_equal(opt.recommend().value, SHIFT)
    warm = hasattr(DiffusionEvolution, "warm_start")
    assert opt.warm_started == (2 if warm else 0)


def test_a_point_told_during_a_run_does_not_disturb_the_generation(monkeypatch):
    told = spy_on_tells(monkeypatch)
    opt = adapter.ParametrizedEvodiff(popsize=8, generations=4)(parametrization=2, budget=64)
    for _ in range(3):
        candidate = opt.ask()
        opt.tell(candidate, shifted_sphere(candidate.value))
    opt.tell(opt.parametrization.spawn_child(new_value=np.array([9.0, 9.0])), 1e6)
    opt.minimize(shifted_sphere)
    assert len(told) == 8 and all(points.shape == (8, 2) for points, _ in told)
    assert opt.warm_started == 0  # the run had asked already


def test_rejected_candidates_of_a_cheap_constraint_do_not_stall_a_generation():
    parametrization = seeded(ng.p.Array(shape=(2,)), 4)
    parametrization.register_cheap_constraint(lambda x: x[0] > -0.5)
    opt = adapter.ParametrizedEvodiff(popsize=16, generations=5)(parametrization, budget=320)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rec = opt.minimize(shifted_sphere)
    assert opt.runs >= 2  # the schedule ran to its end: no generation waited forever
    assert rec.value[0] > -0.5


@pytest.mark.parametrize("config, message", [
    (dict(options={"bounds": [(-1, 1)]}), "options may not set bounds"),
    (dict(method="anneal"), "not a continuous method"),
    (dict(method="nope"), "method must be one of"),
    (dict(generations=1), "generations must be >= 2"),
])
def test_bad_settings_are_refused(config, message):
    with pytest.raises(ValueError, match=message):
        adapter.ParametrizedEvodiff(**config)(parametrization=2, budget=100)


def test_a_clear_error_without_nevergrad(monkeypatch):
    monkeypatch.setitem(sys.modules, "nevergrad", None)
    monkeypatch.delitem(sys.modules, "evodiff.integrations.nevergrad")
    with pytest.raises(ImportError, match=r"pip install evodiff-toolkit\[nevergrad\]"):
        importlib.import_module("evodiff.integrations.nevergrad")


def test_the_converging_method_spends_the_budget_as_its_own_and_converges():
    for num_workers in (1, 4):
        parametrization = seeded(ng.p.Array(shape=(3,)), 3)
        opt, recommendation = run("DiffusionEvolutionRestarts", parametrization, 3000,
                                  shifted_sphere, num_workers=num_workers)
        assert opt.num_ask <= 3000 + num_workers
        assert opt.evodiff_optimizer is None or opt.evodiff_optimizer.maxfevals == 3000
        assert shifted_sphere(recommendation.value) < 1e-6


def test_a_parametrization_with_a_discrete_choice_is_refused_by_name():
    parametrization = ng.p.Instrumentation(ng.p.Array(shape=(2,)),
                                           kind=ng.p.Choice(["relu", "tanh"]))
    with pytest.raises(TypeError, match="Choice 'kind'"):
        ng.optimizers.registry["DiffusionEvolution"](parametrization=parametrization, budget=50)
    with pytest.raises(TypeError, match="TransitionChoice"):
        ng.optimizers.registry["EvodiffCMAES"](parametrization=ng.p.TransitionChoice([1, 2, 3]),
                                               budget=50)
