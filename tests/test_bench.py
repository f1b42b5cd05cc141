"""Tests of evodiff.bench: the paper's protocol, runs, parallel equality, aggregates, files."""

import csv
import json
import math
import re

import numpy as np
import pytest

from evodiff import bench
from evodiff.bench import (
    ROW_KEYS,
    SUITES,
    BenchResult,
    aggregate,
    count_optima,
    problem_instance,
    run_one,
    run_suite,
    write_results,
)
from evodiff.problems import random_rotation
from evodiff.registry import method_names

# Table of the paper's functions (Zhang et al. ICLR 2025, Table 1; PAPER_PROTOCOL.md):
# name -> (D, sense, target of f, scale, max distance).  For the maximised functions the
# paper's f is -foo and its target -max foo.
PROTOCOL = {
    "rosenbrock-2": (2, "min", 0.0, 287.51, 40009.0),
    "beale-2": (2, "min", 0.0, 20.0, 72769.2),
    "himmelblau-2": (2, "min", 0.0, 17.01, 308.803),
    "ackley-2": (2, "max", -12.5401, 2.0, 12.5401),
    "rastrigin-2": (2, "max", -64.6249, 30.0, 64.6249),
    "rastrigin-4": (4, "max", -129.2498, 60.0, 129.2498),
    "rastrigin-32": (32, "max", -1033.9980, 500.0, 1033.9980),
    "rastrigin-256": (256, "max", -8271.9844, 4000.0, 8271.9844),
}

SMALL = {"methods": ["diffevo", "cmaes"], "problems": ["himmelblau", "rastrigin-2"], "runs": 2}


def _without_seconds(rows):
    """Rows without their timings, NaN written as a string (NaN != NaN would fail any compare)."""
    return [{k: ("nan" if isinstance(v, float) and np.isnan(v) else v)
             for k, v in row.items() if k != "seconds"} for row in rows]


@pytest.fixture(scope="module")
def parallel():
    return run_suite("paper", jobs=2, **SMALL)


@pytest.fixture(scope="module")
def serial():
    return run_suite("paper", jobs=1, **SMALL)


# ---- the protocol -----------------------------------------------------------------------

def test_paper_problems_match_the_protocol_table():
    problems = {p.name: p for p in SUITES["paper"].problems}
    assert list(problems) == list(PROTOCOL)
    for name, (dim, sense, target, scale, max_distance) in PROTOCOL.items():
        p = problems[name]
        assert p.dim == dim and p.sense == sense
        assert p.scale == scale and p.max_distance == max_distance
        # The objective here is foo itself (maximised), so the target is -(paper's target).
        assert p.target == (target if sense == "min" else -target)
        np.testing.assert_array_equal(p.bounds, np.tile([-4.0, 4.0], (dim, 1)))


@pytest.mark.parametrize("name", ["ackley-2", "rastrigin-2", "rastrigin-4", "rastrigin-32",
                                  "rastrigin-256"])
def test_ackley_and_rastrigin_are_maximised_towards_the_box_corners(name):
    p = {p.name: p for p in SUITES["paper"].problems}[name]
    assert p.sense == "max"
    expected_corner = 3.614 if name.startswith("ackley") else 3.5179
    assert p.corner == pytest.approx(expected_corner, abs=2e-3)
    corner = np.full((1, p.dim), p.corner)
    origin = np.zeros((1, p.dim))
    # The corner reaches the target; the origin (the usual minimum) is the worst point inside.
    assert p(corner)[0] == pytest.approx(p.target, abs=1e-3)
    assert p(origin)[0] == pytest.approx(0.0, abs=1e-12)
    rng = np.random.default_rng(0)
    near = corner + rng.uniform(-0.05, 0.05, (200, p.dim))
    assert np.all(p(near) <= p(corner)[0] + 1e-9)
    # Outside the box: a fixed value below every value inside.
    outside = np.full((1, p.dim), 4.5)
    assert p(outside)[0] == -1e-9
    assert count_optima(p, np.vstack([corner, -corner, origin])) == 2


@pytest.mark.parametrize("name", ["rosenbrock-2", "beale-2", "himmelblau-2"])
def test_minimised_problems_give_100_outside_the_box(name):
    p = {p.name: p for p in SUITES["paper"].problems}[name]
    assert p.sense == "min"
    np.testing.assert_allclose(p(p.optima), 0.0, atol=1e-12)
    assert p(np.array([[4.01, 0.0], [0.0, -5.0]])).tolist() == [100.0, 100.0]
    assert count_optima(p, p.optima) == p.optima.shape[0]


def test_baseline_settings_translate_to_normalised_units():
    p = {p.name: p for p in SUITES["paper"].problems}["himmelblau-2"]
    rng = np.random.default_rng(0)
    cmaes, _ = bench.paper_optimizer("cmaes", p, rng)
    assert cmaes.popsize == 512 and 4.0 * cmaes.sigma0 == 4.0
    pepg, _ = bench.paper_optimizer("pepg", p, rng)
    assert 4.0 * float(pepg.sigma[0]) == 4.0 and pepg.elite_ratio == 0.1
    assert pepg.sigma_decay == pytest.approx(0.01 ** (1 / 25))
    assert pepg.weight_decay == pytest.approx(0.01 * 16) and 4 * pepg.sigma_limit == 0.01
    diffevo, _ = bench.paper_optimizer("diffevo", p, rng)
    assert diffevo.popsize == 512 and len(diffevo.schedule) == 25 and diffevo.noise == 0.1
    latent, _ = bench.paper_optimizer("latent-diffevo", p, rng)
    assert latent.projection.shape == (2, 2)
    np.testing.assert_allclose(np.linalg.norm(latent.projection, axis=1), 1.0)


def test_openes_follows_the_papers_update_in_problem_units():
    """Three generations against the scripts' rule, written out in problem units."""
    p = {p.name: p for p in SUITES["paper"].problems}["himmelblau-2"]
    opt, fitness = bench.paper_optimizer("openes", p, np.random.default_rng(3))
    theta, velocity, sigma, lr = np.zeros(2), np.zeros(2), 4.0, 1000.0
    for _ in range(3):
        X = np.asarray(opt.ask())
        eps = (X - theta) / sigma
        F = fitness(p(X))
        np.testing.assert_allclose(F, np.exp(-np.abs(p(X)) / (0.5 * 17.01)))
        opt.tell(F)
        velocity = 0.9 * velocity + 0.1 * (F[:, None] * eps).mean(axis=0) / sigma
        theta = theta + lr * velocity
        sigma *= 0.01 ** (1 / 1000)
        lr *= 1e-5 ** (1 / 1000)
        np.testing.assert_allclose(4.0 * np.asarray(opt.mean), theta, rtol=1e-9, atol=1e-12)
    assert opt.maxiter == 1000


# ---- runs -------------------------------------------------------------------------------

def test_rows_are_complete_sorted_and_seeds_differ(parallel):
    rows = parallel.rows
    assert len(rows) == 2 * 2 * 2
    for row in rows:
        assert tuple(row) == ROW_KEYS
        assert row["evaluations"] == 25 * 512
        assert 0.0 <= row["entropy"] <= 6.0 and 0.0 <= row["fitness"] <= 1.0
        assert row["seconds"] > 0
    assert rows == sorted(rows, key=lambda r: (r["problem"], r["method"], r["seed"]))
    assert {r["problem"] for r in rows} == {"himmelblau-2", "rastrigin-2"}
    by_seed = {(r["method"], r["problem"], r["seed"]): r for r in rows}
    for method in SMALL["methods"]:
        a, b = by_seed[method, "rastrigin-2", 0], by_seed[method, "rastrigin-2", 1]
        assert a["best"] != b["best"]


class _Scored:
    """An optimiser's face as the scorer sees it: estimates, candidates, encoder."""

    def __init__(self, estimates, encoder=None):
        self.estimates, self.encoder = estimates, encoder

    def candidates(self):
        return self.estimates


def test_paper_entropy_is_the_population_at_the_ranked_indices():
    from evodiff.bench.runner import _score
    from evodiff.bench.suites import problem_instance
    from evodiff.metrics import normalized_fitness, top_k_entropy

    problem = problem_instance("paper", "himmelblau-2", 0)
    rng = np.random.default_rng(0)
    population = rng.uniform(-4, 4, size=(128, 2))
    # estimates: the first 64 sit on an optimum (3, 2), the rest far away
    estimates = np.where(np.arange(128)[:, None] < 64, [3.0, 2.0], [-4.0, 4.0])
    estimates = estimates + rng.normal(scale=1e-3, size=(128, 2))
    last = {"X": population, "values": problem(population)}
    plain = _score(_Scored(estimates), problem, last)
    _, entropy, fitness, found, entropy_x0 = plain
    # ranked by the estimates: the first 64 individuals, whose positions are spread
    assert entropy == top_k_entropy(population[:64])
    assert entropy > 5.0 and entropy_x0 == 0.0  # the estimates share one cell
    assert fitness == pytest.approx(1.0, abs=1e-3) and found == 1
    latent = _score(_Scored(estimates, encoder=object()), problem, last)
    g = normalized_fitness(last["values"], problem.target, problem.scale, problem.max_distance)
    order = np.argsort(-g, kind="stable")[:64]
    assert latent[1] == top_k_entropy(population[order])
    assert latent[2] == pytest.approx(np.mean(g[order]))
    assert latent[4] == 0.0
    without = _score(_Scored(None), problem, last)
    assert without[1] == latent[1] and np.isnan(without[4])


def test_rows_do_not_depend_on_jobs(parallel, serial):
    assert _without_seconds(parallel.rows) == _without_seconds(serial.rows)


def test_diffusion_evolution_is_diverse_where_cmaes_converges(serial):
    rows = [r for r in serial.rows if r["problem"] == "himmelblau-2"]
    diffevo = [r for r in rows if r["method"] == "diffevo"]
    cmaes = [r for r in rows if r["method"] == "cmaes"]
    assert min(r["entropy"] for r in diffevo) > max(r["entropy"] for r in cmaes)
    assert min(r["optima_found"] for r in diffevo) >= 3


def test_run_one_is_reproducible_and_records_a_trace():
    row, trace = run_one("paper", "cmaes", "himmelblau-2", 4, record_trace=True)
    again, _ = run_one("paper", "cmaes", "himmelblau-2", 4)
    assert _without_seconds([row]) == _without_seconds([again])
    assert trace["best"].shape == (25,) and trace["median"].shape == (25,)
    assert trace["positions"].shape == (25, 64, 2)
    assert trace["final"].shape == (64, 2)
    assert row["best"] == pytest.approx(trace["best"].min())
    _, high = run_one("paper", "pepg", "rastrigin-32", 0, record_trace=True)
    assert high["positions"] is None and high["final"].shape == (64, 32)


def test_openes_runs_the_papers_1000_generations():
    row, trace = run_one("paper", "openes", "beale", 0, record_trace=True)
    assert row["evaluations"] == 1000 * 512 and trace["best"].shape == (1000,)


def test_standard_instances_are_shifted_per_seed_and_shared_by_methods():
    a = problem_instance("standard", "rastrigin-10", 0)
    b = problem_instance("standard", "rastrigin-10", 1)
    assert not np.allclose(a.optima, b.optima)
    np.testing.assert_array_equal(a.optima, problem_instance("standard", "rastrigin-10", 0).optima)
    np.testing.assert_allclose(a(a.optima), 0.0, atol=1e-9)
    # Rotated: the landscape is not separable any more, its grid of minima is turned.
    shifted = problem_instance("standard-shifted", "rastrigin-10", 0)
    np.testing.assert_array_equal(shifted.optima, a.optima)
    step = a.optima + np.eye(10)[0]
    assert shifted(step)[0] == pytest.approx(1.0, abs=1e-9)
    assert a(step)[0] > 1.5
    q = random_rotation(5, np.random.default_rng(1))
    np.testing.assert_allclose(q @ q.T, np.eye(5), atol=1e-12)


def test_standard_suite_scores_evaluations_to_target_within_the_budget():
    row, trace = run_one("standard", "cmaes", "sphere-2", 0, record_trace=True)
    assert row["best"] <= SUITES["standard"].problems[0].target
    assert math.isfinite(row["evaluations"]) and row["evaluations"] <= 10000
    assert math.isnan(row["fitness"]) and row["optima_found"] == 1
    row, trace = run_one("standard", "diffevo", "sphere-2", 0, record_trace=True)
    assert len(trace["best"]) * 256 <= bench.STANDARD_BUDGET_PER_DIM * 2
    assert row["evaluations"] == math.inf or row["best"] <= 1e-6


# ---- statistics and files ---------------------------------------------------------------

def test_aggregate_gives_p_values_against_diffevo(serial):
    stats = aggregate(serial.rows)
    assert len(stats) == 4
    for entry in stats:
        assert entry["n"] == 2
        for key in ("best", "entropy", "fitness", "evaluations"):
            assert {f"{key}_mean", f"{key}_std", f"{key}_median"} <= set(entry)
        for key in ("p_value_best", "p_value_entropy", "p_value_fitness"):
            if entry["method"] == "diffevo":
                assert math.isnan(entry[key])
            else:
                assert 0.0 <= entry[key] <= 1.0
    diff = next(e for e in stats if e["method"] == "diffevo" and e["problem"] == "himmelblau-2")
    rows = [r for r in serial.rows if r["method"] == "diffevo" and r["problem"] == "himmelblau-2"]
    assert diff["entropy_mean"] == pytest.approx(np.mean([r["entropy"] for r in rows]))


def test_p_values_are_nan_when_undefined():
    rows = [{"method": m, "problem": "p", "dim": 2, "seed": s, "evaluations": 10, "best": 1.0,
             "entropy": float(s), "fitness": 0.5, "optima_found": 0, "seconds": 0.1}
            for m in ("diffevo", "cmaes") for s in range(3)]
    cmaes = next(e for e in aggregate(rows) if e["method"] == "cmaes")
    assert math.isnan(cmaes["p_value_best"])  # all values equal
    assert 0.0 <= cmaes["p_value_entropy"] <= 1.0
    single = aggregate([r for r in rows if r["seed"] == 0])
    assert all(math.isnan(e["p_value_entropy"]) for e in single)
    alone = aggregate([r for r in rows if r["method"] == "cmaes"])
    assert math.isnan(alone[0]["p_value_entropy"])


def test_write_results_writes_the_three_files(serial, tmp_path):
    out = tmp_path / "deep" / "bench"
    paths = write_results(serial, out, "paper")
    assert set(paths) == {"results.csv", "results.json", "summary.md"}
    with open(paths["results.csv"]) as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames) == ROW_KEYS
        assert len(list(reader)) == len(serial.rows)
    document = json.loads(open(paths["results.json"]).read())
    assert document["metadata"]["suite"] == "paper" and document["metadata"]["runs"] == 2
    assert "numpy" in document["metadata"]["versions"]
    assert len(document["rows"]) == 8 and len(document["aggregate"]) == 4
    assert document["aggregate"][0]["p_value_best"] is None or \
        document["aggregate"][0]["method"] != "diffevo"
    summary = open(paths["summary.md"]).read()
    diffevo_line = next(line for line in summary.splitlines() if line.startswith("| diffevo |"))
    cells = [c.strip() for c in diffevo_line.strip("|").split("|")[1:]]
    assert len(cells) == 2
    assert all(re.fullmatch(r"\d\.\d\d \((0|1)\.\d\d\)", c) for c in cells)
    stats = {(e["method"], e["problem"]): e for e in aggregate(serial.rows)}
    entry = stats["diffevo", "himmelblau-2"]
    assert cells[0] == f"{entry['entropy_mean']:.2f} ({entry['fitness_mean']:.2f})"
    assert "Mann-Whitney" in summary


def test_write_results_standard_layout_and_traces(tmp_path):
    result = run_suite("standard", methods=["cmaes", "diffevo"], problems=["sphere-2"], runs=2,
                       record_traces=True)
    assert len(result.traces["cmaes", "sphere-2"]) == 2
    paths = write_results(result, tmp_path, "standard")
    summary = open(paths["summary.md"]).read()
    assert "median best value" in summary and "[2/2]" in summary
    document = json.loads(open(paths["results.json"]).read())
    assert all(row["fitness"] is None for row in document["rows"])
    with np.load(paths["traces.npz"]) as traces:
        assert traces["cmaes/sphere-2/1/final"].shape[1] == 2
    assert isinstance(BenchResult([]).traces, dict)


# ---- bad input --------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, message", [
    ({"suite": "tabular"}, "paper"),
    ({"suite": "paper", "methods": ["adam"]}, "latent-diffevo"),
    ({"suite": "paper", "problems": ["sphere-2"]}, "rastrigin-256"),
    ({"suite": "paper", "problems": ["rastrigin"]}, "rastrigin-2"),
    ({"suite": "paper", "runs": 0}, "runs"),
    ({"suite": "paper", "jobs": 0}, "jobs"),
])
def test_run_suite_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        run_suite(**kwargs)


def test_run_one_rejects_bad_input():
    with pytest.raises(ValueError, match="diffevo"):
        run_one("paper", "nelder-mead", "beale-2", 0)
    with pytest.raises(ValueError, match="himmelblau-2"):
        run_one("paper", "cmaes", "nope", 0)
    with pytest.raises(ValueError, match="seed"):
        run_one("paper", "cmaes", "beale-2", -1)
    with pytest.raises(ValueError, match="standard"):
        run_one("nope", "cmaes", "beale-2", 0)


def test_methods_and_suites_are_as_documented():
    assert tuple(method_names()) == ("diffevo", "latent-diffevo", "cmaes", "openes", "pepg",
                                     "map-elites", "diffevo-restarts", "diffevo-niching")
    assert tuple(SUITES) == ("paper", "standard", "standard-shifted", "bbob", "bbob-constrained",
                            "cec2013-niching", "binary")
    assert [name for name, suite in SUITES.items() if suite.generic] == [
        "paper", "standard", "standard-shifted"]
    names = [p.name for p in SUITES["standard"].problems]
    assert "sphere-30" in names and "himmelblau-2" in names and "beale-2" in names


def test_a_registered_method_runs_in_every_suite():
    from evodiff.registry import METHODS, make_optimizer, register_method

    built = []

    def builder(**settings):
        built.append(make_optimizer("pepg", **settings))
        return built[-1]

    register_method("third-party", builder, label="Third party", default_popsize=64)
    try:
        standard, _ = run_one("standard", "third-party", "sphere-2", 0)
        paper, _ = run_one("paper", "third-party", "himmelblau", 0)
        result = run_suite("standard", methods=["third-party"], problems=["sphere-2"], runs=1)
    finally:
        del METHODS["third-party"]
    assert standard["method"] == paper["method"] == result.rows[0]["method"] == "third-party"
    # standard: the suite's popsize and budget // popsize generations; paper: 512 x 25
    assert built[0].popsize == bench.STANDARD_POPSIZE
    assert built[0].maxiter == bench.STANDARD_BUDGET_PER_DIM * 2 // bench.STANDARD_POPSIZE
    assert built[1].popsize == 512 and built[1].maxiter == 25 and paper["evaluations"] == 512 * 25
    assert result.rows[0] == {**standard, "seconds": result.rows[0]["seconds"]}
