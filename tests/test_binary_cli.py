"""``evodiff run maxcut|qubo`` and ``evodiff demo maxcut``."""

import pytest

from evodiff.cli import main


@pytest.fixture
def square_graph(tmp_path):
    path = tmp_path / "square.gset"
    path.write_text("4 4\n1 2 1\n2 3 1\n3 4 1\n4 1 1\n")
    return path


def test_run_maxcut_reports_the_best_cut(square_graph, capsys):
    assert main(["run", "maxcut", "--graph", str(square_graph), "--maxiter", "50",
                 "--best-known", "4", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "best cut       4" in out and "gap 0" in out and "anneal (auto)" in out


def test_run_qubo_with_discrete_diffusion(tmp_path, capsys):
    path = tmp_path / "tiny.qubo"
    path.write_text("c tiny\np qubo 0 3 3 2\n0 0 1\n1 1 1\n2 2 1\n0 1 -3\n1 2 -3\n")
    assert main(["run", "qubo", "--file", str(path), "--method", "binary-diffevo",
                 "--popsize", "16", "--maxiter", "10", "--no-progress"]) == 0
    assert "best objective 2" in capsys.readouterr().out  # x = (1, 0, 1): 1 + 1


@pytest.mark.parametrize("argv,message", [
    (["run", "maxcut"], "maxcut needs --graph PATH"),
    (["run", "maxcut", "--graph", "/no/such/file"], "cannot read"),
    (["run", "sphere", "--graph", "x"], "only with maxcut or qubo"),
    (["run", "sphere", "--method", "anneal"], "for maxcut and qubo only"),
    (["run", "maxcut", "--graph", "x", "--dim", "3"], "--dim"),
    (["run", "maxcut", "--graph", "x", "--best-known", "nan"], "expected a finite number"),
    (["run", "maxcut", "--graph", "x", "--best-known=-inf"], "expected a finite number"),
])
def test_run_binary_argument_errors(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_run_maxcut_names_the_bad_line(tmp_path, capsys):
    path = tmp_path / "bad.gset"
    path.write_text("4 3\n1 2 1\n2 9 1\n3 4 1\n")
    with pytest.raises(SystemExit):
        main(["run", "maxcut", "--graph", str(path)])
    assert "line 3" in capsys.readouterr().err


@pytest.mark.parametrize("kind", ["garbage", "directory", "huge header", "nan weight"])
def test_run_maxcut_on_a_bad_file_exits_2_without_a_traceback(kind, tmp_path, capsys):
    path = tmp_path / "graph"
    if kind == "garbage":
        path.write_bytes(bytes(range(256)))
    elif kind == "directory":
        path.mkdir()
    elif kind == "huge header":
        path.write_text("100000000 1\n1 2 1\n")
    else:
        path.write_text("3 2\n1 2 nan\n2 3 1\n")
    with pytest.raises(SystemExit) as exit_info:
        main(["run", "maxcut", "--graph", str(path)])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and "Traceback" not in err and str(path) in err


def test_demo_maxcut_prints_both_methods_and_saves_a_figure(square_graph, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["demo", "maxcut", "--graph", str(square_graph), "--steps", "20",
                 "--popsize", "8", "--out", str(out), "--no-progress"]) == 0
    text = capsys.readouterr().out
    assert text.count("best cut         4") == 2
    assert (out / "demo" / "maxcut.png").stat().st_size > 1000
