"""The high-dimensional Rastrigin demo: its table on a small case and its argument checks."""

import math
import pathlib
import subprocess
import sys

import numpy as np
import pytest

from evodiff import minimize
from evodiff.demos import rastrigin_highdim as demo
from evodiff.demos import rastrigin_report as report
from evodiff.fitness import Rank
from evodiff.registry import method_label, method_names

ROOT = pathlib.Path(__file__).resolve().parents[1]
SMALL = {"dims": (4,), "seeds": 1, "budget": 64, "popsize": 16}


def test_small_run_has_every_method_with_finite_scores_and_equal_budgets():
    lines = []
    budget, popsize = 640, 64
    results = demo.main(dims=(8,), seeds=1, budget=budget, popsize=popsize, report=lines.append)
    assert set(results) == {8}
    assert tuple(results[8]) == demo.METHODS
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
    for method in demo.METHODS:
        assert method_label(method) in table
    assert f"{budget} evaluations per run" in table


def test_methods_are_registry_names_with_registry_labels():
    assert set(demo.METHODS) <= set(method_names())
    assert demo.MethodResult("latent-diffevo", 4).label == method_label("latent-diffevo")


def test_the_same_seed_gives_the_same_table():
    methods = ("latent-diffevo", "cmaes")
    a = demo.run(**SMALL, methods=methods, report=None)
    b = demo.run(**SMALL, methods=methods, report=None)
    for method in methods:
        assert a[4][method].best == b[4][method].best


def test_the_run_generator_is_the_first_child_of_the_seed():
    for seed in (0, 1, 12345):
        expected = np.random.default_rng(np.random.SeedSequence(seed).spawn(1)[0])
        got = demo._run_generator(seed)
        np.testing.assert_array_equal(got.standard_normal(64), expected.standard_normal(64))


def test_latent_run_is_plain_diffevo_with_a_random_projection():
    settings = demo.DiffusionSettings()
    problem = demo.make_problem(6, 0)
    one = demo.run_method("latent-diffevo", problem, 32, 4, 0, settings)
    rng = np.random.default_rng(np.random.SeedSequence(0).spawn(1)[0])
    res = minimize(problem, bounds=problem.bounds, popsize=32, maxiter=4, vectorized=True, rng=rng,
                   method="diffevo", latent="random",
                   options={"noise": settings.noise, "fitness": Rank(settings.rank_strength),
                            "latent_dim": settings.latent_dim})
    assert one["best"] == float(res.fun)
    assert one["evaluations"] == int(res.nfev)


def test_markdown_fragment_names_its_command_and_holds_the_table(tmp_path):
    path = tmp_path / "generated" / "table.md.inc"
    lines = []
    results = demo.main(**SMALL, report=lines.append, markdown=path)
    text = path.read_text(encoding="utf-8")
    command = report.command_line(**SMALL, markdown=path)
    assert text.startswith(f"% Written by `{command}`")
    assert f"*Made by `{command}`.*" in text
    header = "| D | " + " | ".join(method_label(m) for m in demo.METHODS) + " |"
    assert header in text
    row = next(line for line in text.splitlines() if line.startswith("| 4 | ") and "[" in line)
    assert row.count("**") == 2  # one best median in bold
    best = min(r.median_best for r in results[4].values())
    assert f"{best:.2f}" in text
    assert lines[-1] == f"wrote {path}"
    # The same run writes the same fragment (no timings in it).
    again = tmp_path / "again.md.inc"
    demo.main(**SMALL, report=None, markdown=again)
    assert again.read_text(encoding="utf-8") == text.replace(str(path), str(again))


def test_command_line_lists_only_what_differs_from_the_defaults():
    assert report.command_line() == "python demos/rastrigin_highdim.py"
    library = demo.DiffusionSettings.library_defaults()
    assert report.command_line(settings=library, markdown="a b.md.inc") == (
        "python demos/rastrigin_highdim.py --library-defaults --markdown 'a b.md.inc'")
    assert report.command_line(dims=(8,), seeds=2, settings=demo.DiffusionSettings(noise=0.5)) == (
        "python demos/rastrigin_highdim.py --dims 8 --seeds 2 --noise 0.5")


def test_the_script_writes_the_fragment(tmp_path):
    path = tmp_path / "fragment.md.inc"
    argv = ["--dims", "4", "--seeds", "1", "--budget", "64", "--popsize", "16",
            "--library-defaults", "--markdown", str(path)]
    done = subprocess.run([sys.executable, str(ROOT / "demos" / "rastrigin_highdim.py"), *argv],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    text = path.read_text(encoding="utf-8")
    assert "python demos/rastrigin_highdim.py --dims 4 --seeds 1 --budget 64 --popsize 16 " \
           f"--library-defaults --markdown {path}" in text
    assert "`noise=0.1` and `Rank(10)`" in text


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
    ({"popsize": 16.0}, TypeError, "popsize"),
    ({"budget": 100, "popsize": 16}, ValueError, "budget"),
    ({"budget": 16, "popsize": 16}, ValueError, "budget"),
    ({"budget": 0}, ValueError, "budget"),
    ({"budget": 64.0}, TypeError, "budget"),
    ({"settings": demo.DiffusionSettings(noise=-1.0)}, ValueError, "settings.noise"),
    ({"settings": demo.DiffusionSettings(latent_dim=1.5)}, TypeError, "settings.latent_dim"),
])
def test_bad_arguments_name_the_argument(kwargs, error, match):
    with pytest.raises(error, match=match):
        demo.main(**{**SMALL, "report": None, **kwargs})


@pytest.mark.parametrize("methods, error, match", [
    (("latent-diffevo", "nelder-mead"), ValueError, r"methods\[1\]"),
    (("latent",), ValueError, r"methods\[0\]"),  # the demo's former vocabulary
    ((), ValueError, "methods"),
    ("cmaes", TypeError, "methods"),
])
def test_bad_methods_are_refused(methods, error, match):
    with pytest.raises(error, match=match):
        demo.run(**SMALL, methods=methods, report=None)


def test_unknown_method_of_one_run_is_refused():
    with pytest.raises(ValueError, match="method"):
        demo.run_method("plain", demo.make_problem(4, 0), 16, 4, 0)
