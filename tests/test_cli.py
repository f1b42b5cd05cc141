"""Tests of the ``evodiff`` command (the evodiff.cli package)."""

import copy
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import evodiff
from evodiff import cli, problems, registry
from evodiff.cli import build_parser, main
from evodiff.randomness import spawn_generators

SMALL = ["--popsize", "128", "--steps", "20", "--no-progress"]


@pytest.fixture(autouse=True)
def _work_in_tmp_path(tmp_path, monkeypatch):
    """The demos write figures into ./evodiff-out: keep them out of the repository."""
    monkeypatch.chdir(tmp_path)


def _field(text, label):
    """The rest of the first report line that starts with ``label``."""
    match = re.search(rf"^\s*{re.escape(label)}\s+(.*)$", text, flags=re.MULTILINE)
    assert match is not None, f"no {label!r} line in:\n{text}"
    return match.group(1)


def test_demo_himmelblau_reports_the_run(capsys):
    assert main(["demo", "himmelblau", *SMALL]) == 0
    out, err = capsys.readouterr()
    assert "Himmelblau" in out
    assert "Rastrigin" not in out
    assert err == ""  # --no-progress: no bar on stderr

    evaluations = re.match(r"(\d+)\s+\((\d+) by the population, (\d+) by polishing\)",
                           _field(out, "evaluations"))
    assert evaluations is not None
    total, population, polishing = map(int, evaluations.groups())
    assert population == 128 * 20
    assert polishing > 0
    assert total == population + polishing

    assert int(_field(out, "generations")) == 20

    best = float(_field(out, "best value").split()[0])
    assert 0.0 <= best < 1e-6  # the modes are polished

    found = re.match(r"(\d+) of (\d+) found", _field(out, "global optima"))
    assert found is not None
    assert int(found.group(2)) == 4
    # At this small budget about three runs in four find all four minima.
    assert int(found.group(1)) >= 3

    n_modes = int(re.search(r"distinct optima \(modes\): (\d+)", out).group(1))
    rows = re.findall(r"^\s+\d+\s+\(([^)]*)\)\s+(\S+)\s+([\d.]+)%", out, flags=re.MULTILINE)
    assert len(rows) == min(n_modes, 10)
    values = [float(value) for _, value, _ in rows]
    assert values == sorted(values)
    assert values[0] == pytest.approx(best)
    supports = [float(s) for _, _, s in rows]
    assert all(0 < s <= 100 for s in supports)
    assert sum(supports) <= 100.5


def test_demo_is_reproducible_for_a_seed(capsys):
    args = ["demo", "himmelblau", "--seed", "3", *SMALL]
    main(args)
    first = capsys.readouterr().out
    main(args)
    second = capsys.readouterr().out

    def drop_time(text):
        text = re.sub(r"time\s+\S+ s", "", text)
        # the comparison table's seconds column
        return re.sub(r"(?m)^(  (?:diffevo|cmaes|openes|pepg) .*?)\s+\d+\.\d\d  ", r"\1  ", text)

    assert drop_time(first) == drop_time(second)
    assert "seed 3" in first


def test_demo_all_runs_both_problems(capsys):
    assert main(["demo", "--popsize", "64", "--steps", "10", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert out.index("Himmelblau") < out.index("Rastrigin")
    assert "of 1 found" in out


def test_progress_bar_goes_to_stderr(capsys):
    assert main(["demo", "himmelblau", "--popsize", "16", "--steps", "5"]) == 0
    out, err = capsys.readouterr()
    assert "5/5" in err
    assert "5/5" not in out


def test_missing_command_exits_2(capsys):
    with pytest.raises(SystemExit) as info:
        main([])
    assert info.value.code == 2
    assert "required" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["--help"], ["demo", "--help"]])
def test_help_exits_0(argv, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "usage: evodiff" in out
    if argv[0] == "demo":
        for option in ("--seed", "--popsize", "--steps", "--no-progress", "himmelblau"):
            assert option in out
    else:
        assert "demo" in out


def test_python_dash_m_runs_the_command():
    # The child must import the evodiff under test even when it is not installed.
    root = str(Path(evodiff.__file__).resolve().parent.parent)
    path = os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path}
    proc = subprocess.run([sys.executable, "-m", "evodiff", "demo", "--popsize", "x"],
                          check=False, capture_output=True, text=True, timeout=60, env=env)
    assert proc.returncode == 2
    assert "'x'" in proc.stderr
    assert "Traceback" not in proc.stderr


# --- evodiff run --------------------------------------------------------------------------


def test_run_success_path(capsys):
    assert main(["run", "sphere", "--dim", "3", "--method", "cmaes", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "sphere (3-D, minimise)" in out and "evaluations" in out
    best = float(re.search(r"best value\s+(\S+)", out).group(1))
    assert best < 1e-8


def test_run_maximisation_problem(capsys):
    assert main(["run", "two_peaks", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "maximise" in out and "1 of 1 known global optima" in out


def test_demo_saves_its_figures(tmp_path, capsys):
    assert main(["demo", "himmelblau", *SMALL, "--out", str(tmp_path / "figs")]) == 0
    out = capsys.readouterr().out
    for name in ("himmelblau_landscape.png", "himmelblau_convergence.png"):
        path = tmp_path / "figs" / "demo" / name
        assert path.stat().st_size > 10_000 and str(path) in out
    assert all(m in out for m in ("cmaes", "openes", "pepg"))


# --- evodiff bench ------------------------------------------------------------------------


def test_bench_paper_suite_writes_tables_and_figures(tmp_path, capsys):
    import csv
    import json

    out = tmp_path / "bench"
    argv = ["bench", "--suite", "paper", "--methods", "diffevo", "cmaes", "--problems",
            "himmelblau-2", "rastrigin-2", "--runs", "2", "--jobs", "2", "--out", str(out),
            "--no-progress"]
    assert main(argv) == 0
    with open(out / "results.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["method", "problem", "dim", "seed", "evaluations", "best",
                             "entropy", "entropy_x0", "fitness", "optima_found", "seconds"]
    assert len(rows) == 2 * 2 * 2
    himmelblau = [r for r in rows if r["problem"] == "himmelblau-2" and r["method"] == "diffevo"]
    assert {r["seed"] for r in himmelblau} == {"0", "1"}
    assert himmelblau[0]["best"] != himmelblau[1]["best"]  # the two seeds differ
    data = json.loads((out / "results.json").read_text())
    assert len(data["rows"]) == 8
    summary = (out / "summary.md").read_text()
    assert re.search(r"\d\.\d\d \(\d\.\d\d\)", summary)  # "entropy (fitness)" cells
    # the x0-estimate entropy: a row for diffevo, none for cmaes (which has no estimates)
    extra = summary.split("x0 estimates themselves.")[1].split("Two-sided")[0]
    assert "| diffevo |" in extra and "| cmaes |" not in extra
    assert all(r["entropy_x0"] == "nan" for r in rows if r["method"] == "cmaes")
    for figure in ("landscape_grid.png", "convergence.png", "entropy_fitness.png"):
        assert (out / figure).stat().st_size > 10_000
    assert "summary.md" in capsys.readouterr().out


# --- bad values: exit 2, one line naming the value, no traceback -------------------------


def _usage_error(argv, capsys):
    """Run ``main(argv)``, check it is a usage error and return the error line."""
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "Traceback" not in err
    last = err.rstrip("\n").splitlines()[-1]
    assert last.startswith("evodiff") and ": error: " in last
    return last


# Each row: the argument vector and strings that the error line must contain.
DEMO_BAD = [
    (["frobnicate"], ["'frobnicate'"]),                             # unknown subcommand
    (["demo", "--bogus"], ["--bogus"]),                             # unknown option
    (["demo", "sphere"], ["'sphere'"]),                             # unknown problem
    (["demo", "--seed", "x"], ["--seed", "'x'"]),                   # wrong type
    (["demo", "--seed", "-1"], ["--seed", "'-1'"]),                 # out of range
    (["demo", "--popsize", "abc"], ["--popsize", "'abc'"]),
    (["demo", "--popsize", "-3"], ["--popsize", "'-3'"]),
    (["demo", "--popsize", "1"], ["--popsize", "'1'"]),
    (["demo", "--steps", "2.5"], ["--steps", "'2.5'"]),
    (["demo", "--steps", "1"], ["--steps", "'1'"]),
    (["demo", "--network", "huge"], ["--network", "'huge'"]),       # unknown choice
    (["demo", "--no-progress=yes"], ["--no-progress", "'yes'"]),    # a flag given a value
    # bad combinations
    (["demo", "himmelblau", "--network", "small"], ["--network 'small'", "'himmelblau'"]),
    (["demo", "--network", "both"], ["--network 'both'", "'all'"]),
    (["demo", "himmelblau", "--popsize", "7", "--steps", "3"],
     ["--popsize 7", "--steps 3", "64"]),
]

RUN_BAD = [
    (["run"], ["problem"]),                                         # missing problem
    (["run", "nosuch"], ["'nosuch'"]),
    (["run", "sphere", "--method", "nelder"], ["--method", "'nelder'"]),
    (["run", "sphere", "--dim", "two"], ["--dim", "'two'"]),
    (["run", "sphere", "--dim", "0"], ["--dim", "'0'"]),
    (["run", "beale", "--dim", "3"], ["--dim", "dim=3"]),           # the problem's own rule
    (["run", "sphere", "--dim", "100000000"], ["--dim", "GiB, above the limit of 4 GiB"]),
    (["run", "sphere", "--popsize", "many"], ["--popsize", "'many'"]),
    (["run", "sphere", "--popsize", "1"], ["--popsize", "'1'"]),
    (["run", "sphere", "--maxiter", "x"], ["--maxiter", "'x'"]),
    (["run", "sphere", "--maxiter", "1"], ["--maxiter", "'1'"]),
    (["run", "sphere", "--seed", "1e3"], ["--seed", "'1e3'"]),
    (["run", "sphere", "--seed", "-2"], ["--seed", "'-2'"]),
    (["run", "sphere", "--latent", "umap"], ["--latent", "'umap'"]),
    (["run", "sphere", "--shift=1"], ["--shift", "'1'"]),
    (["run", "sphere", "--polish=no"], ["--polish", "'no'"]),
    # bad combinations
    (["run", "sphere", "--method", "cmaes", "--latent", "random"],
     ["--latent 'random'", "--method 'cmaes'"]),
    (["run", "sphere", "--method", "openes", "--latent", "pca"],
     ["--latent 'pca'", "--method 'openes'"]),
    (["run", "sphere", "--method", "pepg", "--popsize", "7"],       # PEPG pairs its samples
     ["--method pepg", "popsize", "7"]),
]

BENCH_BAD = [
    (["bench", "--suite", "tiny"], ["--suite", "'tiny'"]),
    (["bench", "--methods", "simplex"], ["--methods", "'simplex'"]),
    (["bench", "--methods", "diffevo", "simplex"], ["--methods", "'simplex'"]),
    (["bench", "--methods"], ["--methods"]),                        # no value at all
    (["bench", "--problems", "rastrigin-3"], ["--problems", "'rastrigin-3'"]),
    (["bench", "--runs", "ten"], ["--runs", "'ten'"]),
    (["bench", "--runs", "0"], ["--runs", "'0'"]),
    (["bench", "--jobs", "1.5"], ["--jobs", "'1.5'"]),
    (["bench", "--jobs", "-1"], ["--jobs", "'-1'"]),
    (["bench", "--no-figures=yes"], ["--no-figures", "'yes'"]),
    # a problem of another suite
    (["bench", "--suite", "paper", "--problems", "sphere-10"], ["'sphere-10'", "'paper'"]),
]


@pytest.mark.parametrize("argv, needles", DEMO_BAD + RUN_BAD + BENCH_BAD,
                         ids=[" ".join(argv) for argv, _ in DEMO_BAD + RUN_BAD + BENCH_BAD])
def test_bad_values_exit_2_naming_the_value(argv, needles, capsys):
    line = _usage_error(argv, capsys)
    for needle in needles:
        assert needle in line


@pytest.mark.parametrize("command", [["demo", "himmelblau"], ["demo", "cartpole"], ["bench"]])
def test_out_that_is_a_file_exits_2(command, tmp_path, capsys):
    taken = tmp_path / "taken"
    taken.write_text("not a folder")
    line = _usage_error([*command, "--out", str(taken / "sub"), "--no-progress"], capsys)
    assert "--out" in line and repr(str(taken)) in line


def test_a_failing_objective_is_not_a_usage_error(monkeypatch):
    def broken(dim):
        def fn(X):
            raise ValueError("the objective failed")
        return problems.Problem(name="broken", dim=dim, lower=[-1.0] * dim, upper=[1.0] * dim,
                                optima=[[0.0] * dim], optimum_value=0.0, sense="min", fn=fn)

    monkeypatch.setitem(problems.PROBLEMS, "broken", broken)
    # Any exception but SystemExit (which is not an Exception): the run's own error, untouched.
    with pytest.raises(Exception, match="the objective failed") as info:
        main(["run", "broken", "--method", "cmaes", "--no-progress"])
    assert "broken" in str(info.value)


# --- method names come from the registry ----------------------------------------------


@pytest.fixture
def user_method(monkeypatch):
    """A method registered by the user for the length of one test."""
    monkeypatch.setattr(registry, "METHODS", dict(registry.METHODS))
    spec = registry.get_method("openes")
    registry.register_method("my-es", spec.builder, label="My ES")
    return "my-es"


def test_every_registered_method_is_a_choice(user_method):
    parser = build_parser()
    for name in registry.method_names():
        assert parser.parse_args(["run", "sphere", "--method", name]).method == name
    args = parser.parse_args(["bench", "--methods", "latent-diffevo", user_method])
    assert args.methods == ["latent-diffevo", user_method]


def test_run_help_lists_the_registered_methods(user_method, capsys):
    with pytest.raises(SystemExit) as info:
        main(["run", "--help"])
    assert info.value.code == 0
    out = " ".join(capsys.readouterr().out.split())
    listed = ["auto", *registry.method_names(), *registry.method_names("binary")]
    assert "{" + ",".join(listed) + "}" in out


def test_run_a_user_registered_method(user_method, capsys):
    assert main(["run", "sphere", "--method", user_method, "--no-progress"]) == 0
    assert f"with {user_method}, seed 0" in capsys.readouterr().out


def test_run_latent_diffevo(capsys):
    assert main(["run", "sphere", "--method", "latent-diffevo", "--popsize", "64",
                 "--maxiter", "10", "--no-progress"]) == 0
    assert "with latent-diffevo" in capsys.readouterr().out


# --- evodiff run --shift --seed: two streams from one seed ------------------------------


def test_shift_and_optimiser_draw_from_independent_streams(monkeypatch, capsys):
    made, seen = [], []
    real_get_problem, real_minimize = problems.get_problem, cli.run.minimize

    def get_problem(*args, **kwargs):
        made.append(real_get_problem(*args, **kwargs))
        return made[-1]

    def spy_minimize(*args, rng=None, **kwargs):
        seen.append(copy.deepcopy(rng))  # the generator before the optimiser draws from it
        return real_minimize(*args, rng=rng, **kwargs)

    monkeypatch.setattr(problems, "get_problem", get_problem)
    monkeypatch.setattr(cli.run, "minimize", spy_minimize)
    assert main(["run", "sphere", "--dim", "3", "--shift", "--seed", "4", "--method", "cmaes",
                 "--maxiter", "5", "--no-progress"]) == 0
    capsys.readouterr()

    base = problems.sphere(3)
    offset = made[0].optima[0] - base.optima[0]
    assert np.any(offset != 0)

    def drawn(generator):
        return problems.random_shift(base, copy.deepcopy(generator)).optima[0] - base.optima[0]

    # The optimiser's generator would not have drawn this shift ...
    assert isinstance(seen[0], np.random.Generator)
    assert not np.allclose(drawn(seen[0]), offset)
    # ... and both are the streams spawned from the seed: first the shift, then the optimiser.
    shift_stream, optimizer_stream = spawn_generators(4, 2)
    np.testing.assert_array_equal(drawn(shift_stream), offset)
    assert seen[0].bit_generator.state == optimizer_stream.bit_generator.state


def test_run_is_reproducible_for_a_seed(capsys):
    argv = ["run", "rastrigin", "--shift", "--seed", "2", "--method", "openes", "--no-progress"]
    main(argv)
    first = capsys.readouterr().out
    main(argv)
    second = capsys.readouterr().out
    assert re.sub(r"time\s+\S+ s", "", first) == re.sub(r"time\s+\S+ s", "", second)


def test_the_latent_methods_are_those_the_registry_flags():
    from evodiff.cli.run import latent_methods

    assert latent_methods() == ["auto", *(n for n, s in registry.METHODS.items() if s.latent)]
    assert "cmaes" not in latent_methods()
    with pytest.raises(SystemExit):
        main(["run", "sphere", "--method", "cmaes", "--latent", "random", "--no-progress"])
