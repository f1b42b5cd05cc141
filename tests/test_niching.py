"""Niching Diffusion Evolution (method 'diffevo-niching') and the niching harness."""

import numpy as np
import pytest

from evodiff import maximize, minimize
from evodiff.algorithms.hill_valley import (
    interior_counts,
    nearest_better,
    same_basin,
    segment_points,
)
from evodiff.algorithms.niching import NichingDiffusionEvolution
from evodiff.bench.cec2013 import niching_problem
from evodiff.bench.cec2013.protocol import BudgetedObjective, run_niching


def himmelblau(X):
    x, y = X[:, 0], X[:, 1]
    return (x ** 2 + y - 11) ** 2 + (x + y ** 2 - 7) ** 2


HIMMELBLAU_MINIMA = np.array([[3.0, 2.0], [-2.805118, 3.131312], [-3.779310, -3.283186],
                              [3.584428, -1.848127]])


@pytest.mark.parametrize("seed", range(5))
def test_finds_all_four_himmelblau_minima_as_evaluated_points(seed):
    res = minimize(himmelblau, [(-6, 6)] * 2, method="diffevo-niching", vectorized=True,
                   rng=seed, options={"maxfevals": 20_000})
    assert res.nfev <= 20_000
    assert len(res.modes) == 4
    points = np.array([m.x for m in res.modes])
    values = np.array([m.fun for m in res.modes])
    np.testing.assert_allclose(himmelblau(points), values)  # every mode is an evaluated point
    assert np.all(values < 1e-8)
    distances = np.linalg.norm(points[:, None] - HIMMELBLAU_MINIMA[None], axis=2)
    assert np.all(distances.min(axis=0) < 1e-3)
    assert list(values) == sorted(values)  # best first


def test_budget_is_never_exceeded_and_the_last_generation_is_shortened():
    calls = []

    def fun(X):
        calls.append(X.shape[0])
        return himmelblau(X)

    opt = NichingDiffusionEvolution(bounds=[(-6, 6)] * 2, maxfevals=1001, rng=1)
    while not opt.done:
        X = opt.ask()
        opt.tell(fun(np.asarray(X)))
    assert opt.nfev == sum(calls) == 1001


def test_maximize_reports_values_in_the_users_sign():
    problem = niching_problem(2)  # five equal maxima 1 in [0, 1]
    res = maximize(problem, problem.bounds, method="diffevo-niching", vectorized=True, rng=3,
                   options={"maxfevals": 5_000})
    values = np.array([m.fun for m in res.modes])
    assert len(res.modes) == 5 and np.all(np.abs(values - 1.0) < 1e-6)
    assert res.fun == pytest.approx(values.max())


def test_same_seed_same_run():
    runs = [minimize(himmelblau, [(-6, 6)] * 2, method="diffevo-niching", vectorized=True,
                     rng=7, options={"maxfevals": 5_000}) for _ in range(2)]
    np.testing.assert_array_equal(*[np.array([m.x for m in r.modes]) for r in runs])


@pytest.mark.parametrize("bad, message", [({"selection": 0.0}, "selection"),
                                          ({"selection": 1.5}, "selection"),
                                          ({"growth": 0.5}, "growth"),
                                          ({"maxfevals": 0}, "maxfevals"),
                                          ({"explore_steps": -1}, "explore_steps"),
                                          ({"local_popsize": 2}, "local_popsize")])
def test_bad_settings_are_refused_by_name(bad, message):
    with pytest.raises(ValueError, match=message):
        NichingDiffusionEvolution(bounds=[(-1, 1)] * 2, **bad)


def test_hill_valley_helpers():
    a, b = np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([[1.0, 2.0], [3.0, 1.0]])
    inner = segment_points(a, b, [3, 1])
    np.testing.assert_allclose(inner, [[0.25, 0.5], [0.5, 1.0], [0.75, 1.5], [2.0, 1.0]])
    assert interior_counts([0.0, 0.25, 1.0, 100.0], 0.5).tolist() == [1, 1, 3, 5]
    verdicts = same_basin([1.0, 1.0, 1.0, 5.0], [2.0, 2.0, 2.0, 4.0],
                          [1.5, 2.0, 2.0 + 1e-13, 1.5, 2.1, 4.5], [2, 1, 2, 1])
    assert verdicts.tolist() == [True, True, False, True]
    rng = np.random.default_rng(0)
    for dim in (3, 8):  # the k-d tree and the blocks of distances
        points, costs = rng.normal(size=(1200, dim)), rng.normal(size=1200)
        order, candidates = nearest_better(points, costs, 2)
        assert order[0] == np.argmin(costs) and np.all(candidates[0] == -1)
        for rank in (1, 2, 50, 600, 1199):  # against brute force
            i = order[rank]
            better = np.flatnonzero(costs < costs[i])
            expected = better[np.argsort(np.linalg.norm(points[better] - points[i], axis=1))[:2]]
            found = candidates[rank]
            assert found[found >= 0].tolist() == expected.tolist()
        assert candidates[1].tolist() == [order[0], -1]  # one better point only
    # the best points far from a crowd: their better points lie beyond the tree's neighbours
    crowd = np.vstack([rng.normal(size=(400, 2)), [[50.0, 50.0], [-50.0, 50.0]]])
    costs = np.concatenate([rng.random(400), [-2.0, -1.0]])
    order, candidates = nearest_better(crowd, costs, 3)
    assert order[:2].tolist() == [400, 401] and candidates[1].tolist() == [400, -1, -1]
    for rank in (2, 3, 200):
        i = order[rank]
        better = np.flatnonzero(costs < costs[i])
        nearest = better[np.argsort(np.linalg.norm(crowd[better] - crowd[i], axis=1))[:3]]
        found = candidates[rank]
        assert found[found >= 0].tolist() == nearest.tolist()


def test_budgeted_objective_refuses_past_the_budget():
    problem = niching_problem(4)
    objective = BudgetedObjective(problem, 5)
    values = objective(np.zeros((3, 2)))
    assert np.all(np.isfinite(values)) and objective.used == 3
    values = objective(np.zeros((4, 2)))
    assert np.isfinite(values[:2]).all() and np.isnan(values[2:]).all()
    assert objective.used == 5 and objective.spent


@pytest.mark.parametrize("method", ["diffevo-niching", "diffevo"])
def test_a_run_of_the_protocol_keeps_the_budget(method):
    row = run_niching(method, 2, seed=0)
    assert row["evaluations"] <= row["max_fes"] == 50_000
    assert 0 <= row["peak_ratio_5"] <= row["peak_ratio_1"] <= 1
    assert row["reported"] >= 1  # the modes were evaluated inside the budget
    if method == "diffevo-niching":
        assert row["peak_ratio_5"] == 1.0 and row["f1_5"] == 1.0


@pytest.mark.slow
def test_cli_niching_suite_smoke(tmp_path, capsys):
    """Two problems, two runs: the counting, the budget kept and the files written."""
    import csv
    import json

    from evodiff.cli import main

    out = tmp_path / "niching"
    argv = ["bench", "--suite", "cec2013-niching", "--methods", "diffevo-niching", "nmmso",
            "--problems", "F1", "F2", "--runs", "2", "--seed", "100", "--jobs", "2",
            "--out", str(out), "--no-progress"]
    assert main(argv) == 0
    with open(out / "results.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 2 * 2 * 2
    assert {r["seed"] for r in rows} == {"100", "101"}
    for row in rows:
        assert int(row["evaluations"]) <= int(row["max_fes"]) == 50_000
        assert 0 <= int(row["found_5"]) <= int(row["found_1"]) <= int(row["reported"])
    ours = [r for r in rows if r["method"] == "diffevo-niching"]
    assert all(float(r["peak_ratio_5"]) == 1.0 for r in ours)
    data = json.loads((out / "results.json").read_text())
    assert data["metadata"]["seeds"] == [100, 101] and len(data["rows"]) == 8
    summary = (out / "summary.md").read_text()
    assert "HillVallEA19" in summary and "NMMSO (CEC 2015)" in summary
    assert "| F1 five-uneven-peak trap 1-D | 1.000 |" in summary
    assert (out / "peak_ratio.png").stat().st_size > 10_000
    assert "summary.md" in capsys.readouterr().out


@pytest.mark.parametrize("argv, needle", [
    (["--suite", "cec2013-niching", "--problems", "F21"], "F1 ... F20"),
    (["--suite", "paper", "--methods", "nmmso"], "'nmmso' runs on --suite cec2013-niching"),
    (["--suite", "paper", "--seed", "3"], "--seed: not for --suite paper"),
    (["--suite", "cec2013-niching", "--dimensions", "2"], "--dimensions: only for --suite bbob"),
])
def test_cli_niching_usage_errors(argv, needle, capsys, tmp_path):
    from evodiff.cli import main

    with pytest.raises(SystemExit) as info:
        main(["bench", *argv, "--out", str(tmp_path), "--no-progress"])
    assert info.value.code == 2
    assert needle in capsys.readouterr().err


def test_checkpoints_are_refused_before_anything_runs(tmp_path):
    calls = []

    def fun(X):
        calls.append(1)
        return himmelblau(X)

    with pytest.raises(ValueError, match="cannot be checkpointed"):
        minimize(fun, [(-6, 6)] * 2, method="diffevo-niching", vectorized=True, rng=0,
                 checkpoint=tmp_path / "run.npz")
    assert not calls
    with pytest.raises(NotImplementedError):
        NichingDiffusionEvolution(bounds=[(-1, 1)] * 2).state_dict()


def test_evaluations_by_phase_add_up():
    opt = NichingDiffusionEvolution(bounds=[(-6, 6)] * 2, maxfevals=3000, rng=2)
    while not opt.done:
        opt.tell(himmelblau(np.asarray(opt.ask())))
    assert sum(opt.evaluations_by_phase.values()) == opt.nfev == 3000
    assert all(v > 0 for v in opt.evaluations_by_phase.values())


def test_suite_and_counting_refuse_bad_input():
    from evodiff.bench.cec2013 import count_global_optima
    from evodiff.bench.cec2013.suite import run_niching_suite

    with pytest.raises(ValueError, match="shape"):
        count_global_optima(np.zeros((3, 2)), np.zeros(2), 0.0, 0.1, 0.01, 3)
    with pytest.raises(ValueError, match="method"):
        run_niching_suite(["simplex"], [1], runs=1)
    with pytest.raises(ValueError, match="runs"):
        run_niching_suite(["diffevo-niching"], [1], runs=0)
    with pytest.raises(ValueError, match="empty"):
        run_niching_suite([], [1], runs=1)
    with pytest.raises(ValueError, match="F1 ... F20"):
        run_niching_suite(["diffevo-niching"], ["F0"], runs=1)


def test_protocol_options_reach_the_method_and_peers_refuse_them():
    with pytest.raises(ValueError, match="selection"):
        run_niching("diffevo-niching", "F1", 0, options={"selection": 2.0})
    with pytest.raises(ValueError, match="takes no options"):
        run_niching("nmmso", "F1", 0, options={"selection": 0.5})
    row = run_niching("diffevo-niching", "F1", 0, options={"concurrent": 1})
    assert row["evaluations"] <= row["max_fes"] and row["found_1"] == 2
