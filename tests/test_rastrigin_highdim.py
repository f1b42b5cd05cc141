"""The high-dimensional Rastrigin demo: its table on a small case and its argument checks."""

import math

import pytest

from evodiff.demos import rastrigin_highdim as demo


def test_small_run_has_every_method_with_finite_scores_and_equal_budgets():
    lines = []
    budget, popsize = 640, 64
    results = demo.main(dims=(8,), seeds=1, budget=budget, popsize=popsize, report=lines.append)
    assert set(results) == {8}
    assert set(results[8]) == set(demo.METHODS)
    for method, r in results[8].items():
        assert r.method == method and r.dim == 8
        assert len(r.best) == len(r.final) == len(r.evaluations) == 1
        assert all(math.isfinite(v) for v in r.best + r.final + r.seconds)
        assert r.best[0] >= 0.0  # Rastrigin is non-negative
        assert r.early_stops == [], (method, r.messages)
        # The budget, plus at most one evaluation per final estimate (the modes' centres).
        assert budget <= r.evaluations[0] <= budget + popsize, (method, r.evaluations)
    extras = [r.evaluations[0] - budget for r in results[8].values()]
    assert max(extras) - min(extras) <= popsize
    table = lines[-2]
    for label in demo.METHODS.values():
        assert label in table
    assert f"{budget} evaluations per run" in table


def test_the_same_seed_gives_the_same_table():
    a = demo.run(dims=4, seeds=1, budget=64, popsize=16, methods=("latent", "cmaes"), report=None)
    b = demo.run(dims=4, seeds=1, budget=64, popsize=16, methods=("latent", "cmaes"), report=None)
    for method in ("latent", "cmaes"):
        assert a[4][method].best == b[4][method].best


def test_library_defaults_are_the_library_s():
    settings = demo.DiffusionSettings.library_defaults()
    assert (settings.noise, settings.rank_strength, settings.latent_dim) == (0.1, 10.0, 2)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"dims": ()}, ValueError, "dims"),
    ({"dims": []}, ValueError, "dims"),
    ({"dims": (8, 0)}, ValueError, r"dims\[1\]"),
    ({"dims": (-3,)}, ValueError, r"dims\[0\]"),
    ({"dims": "32"}, TypeError, "dims"),
    ({"dims": (8.5,)}, TypeError, r"dims\[0\]"),
    ({"seeds": 0}, ValueError, "seeds"),
    ({"seeds": 1.5}, TypeError, "seeds"),
    ({"popsize": 7}, ValueError, "popsize"),
    ({"popsize": 2}, ValueError, "popsize"),
    ({"budget": 100, "popsize": 16}, ValueError, "budget"),
    ({"budget": 16, "popsize": 16}, ValueError, "budget"),
    ({"budget": 0}, ValueError, "budget"),
])
def test_bad_arguments_name_the_argument(kwargs, error, match):
    with pytest.raises(error, match=match):
        demo.main(**{"dims": (4,), "seeds": 1, "budget": 64, "popsize": 16, "report": None, **kwargs})


def test_unknown_method_is_refused():
    with pytest.raises(ValueError, match="methods"):
        demo.run(dims=4, seeds=1, budget=64, popsize=16, methods=("latent", "nelder-mead"), report=None)
