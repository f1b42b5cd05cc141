"""``evodiff bench --suite binary``: binary solvers through the benchmark command."""

import itertools

import numpy as np
import pytest

from evodiff.bench.binary_suite import (
    BINARY_INSTANCES,
    _enumerated_maxcut,
    binary_instance,
    run_binary_one,
    run_binary_suite,
)
from evodiff.binary import SimulatedAnnealing
from evodiff.cli import main
from evodiff.registry import METHODS, register_method


def test_the_enumerated_maximum_cut_is_the_brute_force_one():
    problem, best, sense = _enumerated_maxcut(9, 0.5, 7)
    brute = max(problem(np.array([s]))[0] for s in itertools.product((-1, 1), repeat=9))
    assert sense == "max" and best == brute


@pytest.mark.parametrize("name", [n for n in BINARY_INSTANCES if n.startswith("wishart")])
def test_the_planted_state_reaches_the_stated_ground_energy(name):
    from evodiff.binary.generators import wishart_planted

    n, m, seed = {"wishart-32": (32, 8, 1), "wishart-64": (64, 16, 2)}[name]
    problem, state, energy = wishart_planted(n, m, rng=seed)
    instance = binary_instance(name)
    assert instance.optimum == energy
    assert problem(state[None, :].astype(float))[0] == pytest.approx(energy, rel=1e-12)
    # no one-spin flip of the planted state is lower
    flips = np.tile(state.astype(float), (n, 1))
    flips[np.arange(n), np.arange(n)] *= -1
    assert np.all(problem(flips) >= energy - 1e-12)


def test_a_run_is_scored_against_the_optimum():
    row = run_binary_one("anneal", binary_instance("maxcut-18"), seed=0)
    assert row["solved"] and row["gap"] == 0.0 and row["best"] == row["optimum"]
    assert row["evaluations"] > 0


def test_a_newly_registered_binary_method_is_benchmarked_like_the_built_in_ones():
    def build(*, popsize, maxiter, problem=None, dim=None, domain=None, **settings):
        return SimulatedAnnealing(problem, popsize or 8, sweeps=maxiter or 100, **settings)

    register_method("quick-anneal", build, domain="binary")
    try:
        rows = run_binary_suite(problems=["maxcut-18"], runs=1)
    finally:
        METHODS.pop("quick-anneal")
    assert {row["method"] for row in rows} == {"anneal", "tempering", "binary-diffevo",
                                                "quick-anneal"}


def test_the_command_writes_its_tables_and_refuses_a_method_of_the_other_domain(tmp_path,
                                                                                 capsys):
    assert main(["bench", "--suite", "binary", "--methods", "anneal", "--problems", "maxcut-18",
                 "--runs", "1", "--no-progress", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "runs.csv").read_text().count("\n") == 2
    assert "| maxcut-18 | Simulated annealing | 1/1 |" in (tmp_path / "summary.md").read_text()
    assert (tmp_path / "solved.png").stat().st_size > 0
    with pytest.raises(SystemExit) as exit_info:
        main(["bench", "--suite", "binary", "--methods", "cmaes", "--out", str(tmp_path)])
    assert exit_info.value.code == 2
    with pytest.raises(SystemExit) as exit_info:
        main(["bench", "--suite", "paper", "--methods", "anneal", "--out", str(tmp_path)])
    assert exit_info.value.code == 2
    assert "is a binary method" in capsys.readouterr().err


def test_an_unknown_problem_is_refused_with_the_valid_names():
    with pytest.raises(ValueError, match="valid problems: wishart-32"):
        binary_instance("G1")
