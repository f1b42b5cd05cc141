"""Tests of the ``evodiff`` command (evodiff/cli.py)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import evodiff
from evodiff.cli import main

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


@pytest.mark.parametrize("argv, bad", [
    (["frobnicate"], "frobnicate"),
    (["demo", "sphere"], "sphere"),
    (["demo", "--popsize", "-3"], "-3"),
    (["demo", "--popsize", "abc"], "abc"),
    (["demo", "--popsize", "1"], "1"),
    (["demo", "--steps", "1"], "1"),
    (["demo", "--steps", "2.5"], "2.5"),
    (["demo", "--seed", "-1"], "-1"),
    (["demo", "--bogus"], "--bogus"),
])
def test_bad_arguments_exit_2_naming_the_value(argv, bad, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert f"'{bad}'" in err or bad in err.split("error:")[1]
    assert "Traceback" not in err


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
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
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


@pytest.mark.parametrize("argv, needle", [
    (["run", "nosuch"], "nosuch"),
    (["run", "sphere", "--method", "nelder"], "nelder"),
    (["run", "sphere", "--dim", "0"], "'0'"),
    (["run", "beale", "--dim", "3"], "dim=3"),
    (["run", "sphere", "--method", "cmaes", "--latent", "random"], "--latent"),
    (["run", "sphere", "--maxiter", "x"], "'x'"),
])
def test_run_bad_arguments(argv, needle, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert needle in capsys.readouterr().err


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
                             "entropy", "fitness", "optima_found", "seconds"]
    assert len(rows) == 2 * 2 * 2
    himmelblau = [r for r in rows if r["problem"] == "himmelblau-2" and r["method"] == "diffevo"]
    assert {r["seed"] for r in himmelblau} == {"0", "1"}
    assert himmelblau[0]["best"] != himmelblau[1]["best"]  # the two seeds differ
    data = json.loads((out / "results.json").read_text())
    assert len(data["rows"]) == 8
    summary = (out / "summary.md").read_text()
    assert re.search(r"\d\.\d\d \(\d\.\d\d\)", summary)  # "entropy (fitness)" cells
    for figure in ("landscape_grid.png", "convergence.png", "entropy_fitness.png"):
        assert (out / figure).stat().st_size > 10_000
    assert "summary.md" in capsys.readouterr().out


@pytest.mark.parametrize("argv, needle", [
    (["bench", "--suite", "tiny"], "tiny"),
    (["bench", "--methods", "simplex"], "simplex"),
    (["bench", "--problems", "rastrigin-3"], "rastrigin-3"),
    (["bench", "--runs", "0"], "'0'"),
    (["bench", "--jobs", "-1"], "'-1'"),
])
def test_bench_bad_arguments(argv, needle, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert needle in capsys.readouterr().err
