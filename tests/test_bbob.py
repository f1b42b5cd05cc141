"""The COCO/BBOB harness: files written, budget kept, jobs-independent results, cocopp figures."""

import re

import pytest

from evodiff.bench import bbob, bbob_report
from evodiff.cli import main

pytest.importorskip("cocoex")

TINY = {"dimensions": [2], "instances": [1], "budget_multiplier": 50}


def _info_entries(folder, function):
    text = (folder / f"bbobexp_f{function}.info").read_text()
    return re.findall(r"(\d+):(\d+)\|([-+.\deE]+)", text)


def test_smoke_run_writes_exdata_and_keeps_the_budget(tmp_path):
    # Rastrigin f3 is not solved in 100 evaluations: every run spends its budget exactly
    records = bbob.run_bbob(["diffevo-restarts", "cmaes", "pycma"], tmp_path, functions=[3],
                            **TINY)
    assert [r["method"] for r in records] == ["diffevo-restarts", "cmaes", "pycma"]
    for record in records:
        assert record["evaluations"] == 100 and not record["target_hit"]
        folder = bbob.exdata_folder(tmp_path, record["method"]) / "f03-d02"
        data = folder / "data_f3"
        assert {p.suffix for p in data.iterdir()} >= {".dat", ".tdat"}
        [(instance, evaluations, delta)] = _info_entries(folder, 3)
        assert (int(instance), int(evaluations)) == (1, 100)
        assert record["precision"] == pytest.approx(float(delta)) and record["precision"] > 1e-8
        # the last evaluation logged by cocoex is the 100th, never more
        last = [line for line in (data / "bbobexp_f3_DIM2.tdat").read_text().splitlines()
                if line and not line.startswith("%")][-1]
        assert int(last.split()[0]) == 100
    rows = bbob.read_records(tmp_path / "runs.csv")
    assert [(r["method"], r["evaluations"]) for r in rows] == [
        (r["method"], r["evaluations"]) for r in records]


def test_a_solved_run_stops_at_the_target(tmp_path):
    records = bbob.run_bbob(["diffevo-restarts", "pycma"], tmp_path, functions=[1],
                            dimensions=[2], instances=[1], budget_multiplier=2000)
    for record in records:
        assert record["target_hit"] and record["precision"] <= 1e-8
        assert record["evaluations"] < 4000


def test_results_do_not_depend_on_jobs(tmp_path):
    settings = dict(functions=[3, 7], dimensions=[2], instances=[1, 2], budget_multiplier=100)
    serial = bbob.run_bbob(["cmaes", "diffevo-restarts"], tmp_path / "serial", **settings)
    parallel = bbob.run_bbob(["cmaes", "diffevo-restarts"], tmp_path / "parallel", jobs=2,
                             **settings)
    strip = [{k: v for k, v in r.items() if k != "seconds"} for r in serial]
    assert strip == [{k: v for k, v in r.items() if k != "seconds"} for r in parallel]
    assert len(strip) == 8


def test_existing_results_are_kept_unless_overwrite(tmp_path):
    bbob.run_bbob("cmaes", tmp_path, functions=[1], **TINY)
    with pytest.raises(FileExistsError, match="overwrite"):
        bbob.run_bbob("cmaes", tmp_path, functions=[1], **TINY)
    assert bbob.run_bbob("cmaes", tmp_path, functions=[1], overwrite=True, **TINY)


@pytest.mark.parametrize("kwargs, match", [
    ({"dimensions": [4]}, "dimensions must be among"),
    ({"functions": [25]}, "functions must be"),
    ({"instances": []}, "instances must not be empty"),
    ({"methods": ["nelder-mead"]}, "method must be one of"),
    ({"budget_multiplier": 0}, "budget_multiplier"),
])
def test_bad_arguments_are_named(tmp_path, kwargs, match):
    arguments = {"methods": ["cmaes"], **TINY, **kwargs}
    with pytest.raises(ValueError, match=match):
        bbob.run_bbob(arguments.pop("methods"), tmp_path, **arguments)


def test_solved_table_counts_pairs_per_group():
    records = [{"method": "m", "dimension": 5, "function": f, "instance": i,
                "target_hit": f <= 5 and i == 1} for f in range(1, 25) for i in (1, 2)]
    counts = bbob_report.solved_fractions(records)
    assert counts[("m", 5, "all")] == (5, 48)
    assert counts[("m", 5, "separ")] == (5, 10) and counts[("m", 5, "mult2")] == (0, 10)
    table = bbob_report.solved_table(records)
    assert "| 5 | m | 0.10 (5/48) | 0.50 (5/10) |" in table


@pytest.mark.slow
def test_cocopp_renders_ecdf_figures_per_group(tmp_path):
    pytest.importorskip("cocopp")
    bbob.run_bbob(["cmaes", "pycma"], tmp_path, functions=[1, 2], **TINY)
    figures = bbob_report.render(tmp_path, ["cmaes", "pycma"])
    assert (2, "separ") in figures["groups"]
    png = figures["groups"][(2, "separ")]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_bbob_suite(tmp_path, capsys):
    out = tmp_path / "bbob"
    argv = ["bench", "--suite", "bbob", "--methods", "cmaes", "--dimensions", "2",
            "--functions", "1", "--instances", "1", "--budget-multiplier", "500",
            "--out", str(out), "--no-figures", "--no-progress"]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "| 2 | CMA-ES | 1.00 (1/1) |" in printed
    assert (out / "summary.md").exists() and (out / "runs.csv").exists()
    assert (out / "exdata" / "cmaes" / "f01-d02" / "bbobexp_f1.info").exists()


@pytest.mark.parametrize("extra, match", [
    (["--runs", "3"], "--runs"),
    (["--problems", "sphere-2"], "--problems"),
    (["--dimensions", "7"], "dimensions"),
])
def test_cli_bbob_bad_arguments_exit_2(tmp_path, capsys, extra, match):
    argv = ["bench", "--suite", "bbob", "--methods", "cmaes", "--functions", "1",
            "--out", str(tmp_path), "--no-progress", *extra]
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    assert match in capsys.readouterr().err


def test_cli_bbob_only_options_are_refused_elsewhere(capsys):
    with pytest.raises(SystemExit) as info:
        main(["bench", "--suite", "standard", "--dimensions", "2"])
    assert info.value.code == 2
    assert "only for --suite bbob" in capsys.readouterr().err


def test_runs_of_other_methods_in_the_same_folder_are_kept(tmp_path):
    bbob.run_bbob("cmaes", tmp_path, functions=[1], **TINY)
    bbob.run_bbob("pycma", tmp_path, functions=[1], **TINY)
    rows = bbob.read_records(tmp_path / "runs.csv")
    assert [r["method"] for r in rows] == ["cmaes", "pycma"]
    bbob.run_bbob("pycma", tmp_path, functions=[1, 2], overwrite=True, **TINY)
    rows = bbob.read_records(tmp_path / "runs.csv")
    assert [(r["method"], r["function"]) for r in rows] == [
        ("cmaes", 1), ("pycma", 1), ("pycma", 2)]


def test_display_names_come_from_the_registry_and_the_reference():
    assert bbob_report.display_name("pycma") == "pycma IPOP-CMA-ES"
    assert bbob_report.display_name("cmaes") == "CMA-ES"
    assert bbob_report.display_name("not-registered") == "not-registered"


# ---- bbob-constrained ------------------------------------------------------------------

def test_constrained_runs_count_objective_and_constraint_evaluations(tmp_path):
    # separable Rastrigin with 36 constraints is not solved in 100 evaluations: the budget is
    # spent exactly, counted as COCO counts it (objective plus constraint evaluations)
    records = bbob.run_bbob(["cmaes", "diffevo-restarts", "pycma"], tmp_path,
                            suite="bbob-constrained", functions=[48], **TINY)
    for record in records:
        assert record["evaluations"] == 100 and not record["target_hit"]
        folder = bbob.exdata_folder(tmp_path, record["method"]) / "f48-d02"
        assert (folder / "bbobexp_f48.info").read_text().startswith("suite = 'bbob-constrained'")
    skipped = bbob.run_bbob(["cmaes"], tmp_path / "skip", suite="bbob-constrained",
                            functions=[48], skip_infeasible=True, **TINY)
    assert skipped[0]["evaluations"] == 100  # the objective skipped: more points tried


@pytest.mark.parametrize("rule", ["augmented-lagrangian", "feasibility-first"])
def test_a_constrained_sphere_is_solved_by_both_rules(tmp_path, rule):
    records = bbob.run_bbob(["cmaes", "pycma"], tmp_path, suite="bbob-constrained",
                            functions=[2], dimensions=[2], instances=[1],
                            budget_multiplier=2000, constraint_rule=rule)
    for record in records:
        assert record["target_hit"] and record["precision"] <= 1e-8
        assert record["evaluations"] < 4000
    table = bbob_report.solved_table(records, suite="bbob-constrained")
    assert "sphere (f1-f6)" in table and "1.00 (1/1)" in table


def test_constrained_settings_are_checked(tmp_path):
    with pytest.raises(ValueError, match="bbob-constrained suite only"):
        bbob.run_bbob("cmaes", tmp_path, functions=[1], constraint_rule="feasibility-first",
                      **TINY)
    with pytest.raises(ValueError, match="suite must be one of"):
        bbob.run_bbob("cmaes", tmp_path, suite="bbob-noisy", **TINY)
    with pytest.raises(ValueError, match="functions must be >= 1 and <= 24"):
        bbob.run_bbob("cmaes", tmp_path, functions=[30], **TINY)
    with pytest.raises(ValueError, match="constraint_rule must be one of"):
        bbob.run_bbob("cmaes", tmp_path, suite="bbob-constrained", functions=[1],
                      constraint_rule="penalty", **TINY)


def test_the_command_line_runs_the_constrained_suite(tmp_path, capsys):
    code = main(["bench", "--suite", "bbob-constrained", "--functions", "1", "--dimensions", "2",
                 "--instances", "1", "--budget-multiplier", "50", "--methods", "cmaes",
                 "--constraint-rule", "feasibility-first", "--no-figures", "--no-progress",
                 "--out", str(tmp_path)])
    assert code == 0
    assert "sphere (f1-f6)" in (tmp_path / "summary.md").read_text()
    assert "| 2 | CMA-ES |" in capsys.readouterr().out
