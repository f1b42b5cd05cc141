"""MAP-Elites: the archive keeps the best of every cell, the paper preset, the toolkit, pyribs."""

import numpy as np
import pytest

import evodiff
from evodiff.algorithms.map_elites import MAPElites, first_coordinates
from evodiff.bench.paper import paper_optimizer
from evodiff.bench.suites import problem_instance
from evodiff.metrics import normalized_fitness, top_k, top_k_entropy


def himmelblau(X):
    X = np.asarray(X)
    return (X[:, 0] ** 2 + X[:, 1] - 11) ** 2 + (X[:, 0] + X[:, 1] ** 2 - 7) ** 2


def run_recording(opt, fun):
    """Run to the end; return every point asked and its value."""
    seen, values = [], []
    while not opt.done:
        X = np.asarray(opt.ask())
        F = fun(X)
        opt.tell(F)
        seen.append(X.copy())
        values.append(np.asarray(F, dtype=float))
    return np.concatenate(seen), np.concatenate(values)


@pytest.mark.parametrize("sense", ["min", "max"])
def test_every_elite_is_the_best_point_evaluated_in_its_cell(sense):
    opt = MAPElites(popsize=32, bounds=[(-5, 5)] * 3, cells=(6, 4), maxiter=15, sense=sense,
                    rng=1)
    seen, values = run_recording(opt, himmelblau)
    archive = opt.archive
    cells = opt.cell_index(first_coordinates(seen))
    assert archive.cells.size == len(np.unique(archive.cells)) == len(archive)
    np.testing.assert_array_equal(archive.cells, np.unique(cells))  # every visited cell is kept
    for cell, point, value in zip(archive.cells, archive.points, archive.values):
        here = values[cells == cell]
        assert value == (here.min() if sense == "min" else here.max())
        assert opt.cell_index(point[None, :2])[0] == cell
        assert himmelblau(point[None])[0] == value
    assert archive.coverage == len(archive) / 24
    assert archive.qd_score(lambda v: np.ones_like(v)) == len(archive)
    assert opt.nfev == 15 * 32 and "elites" in opt.finish_message()


def test_descriptors_grid_and_edge_cells():
    opt = MAPElites(dim=2, popsize=4, cells=(4, 2), descriptor_bounds=[(0, 4), (0, 1)],
                    descriptors=lambda X: X, center=0.0, scale=1.0)
    cells = opt.cell_index(np.array([[0.0, 0.0], [3.99, 0.99], [1.5, 0.6], [-9.0, 9.0]]))
    assert cells.tolist() == [0, 7, 3, 1]  # row-major (4 x 2); beyond the range: edge cells
    default = MAPElites(popsize=4, bounds=[(-1, 1), (0, 2), (5, 6)])
    np.testing.assert_array_equal(default.descriptor_bounds, [[-1, 1], [0, 2]])
    assert default.cells == [50, 50]
    unbounded = MAPElites(dim=1, popsize=4, center=1.0, scale=0.5)
    np.testing.assert_array_equal(unbounded.descriptor_bounds, [[0.0, 2.0]])


@pytest.mark.filterwarnings("ignore::evodiff.NonFiniteObjectiveWarning")
def test_non_finite_values_and_descriptors_stay_out():
    def descriptors(X):
        d = X[:, :1].copy()
        d[X[:, 1] > 0] = np.nan
        return d

    opt = MAPElites(popsize=64, bounds=[(-1, 1)] * 2, descriptors=descriptors,
                    descriptor_bounds=[(-1, 1)], cells=8, maxiter=6, rng=0)
    seen, values = run_recording(opt, lambda X: np.where(X[:, 0] > 0.5, np.nan, X[:, 0] ** 2))
    archive = opt.archive
    assert len(archive) > 0
    assert np.all(archive.points[:, 1] <= 0) and np.all(archive.points[:, 0] <= 0.5)
    assert np.all(np.isfinite(archive.values))


@pytest.mark.parametrize("kwargs,error,match", [
    ({"descriptors": lambda X: X}, ValueError, "descriptor_bounds is required"),
    ({"descriptors": 3}, TypeError, "descriptors must be callable"),
    ({"descriptor_bounds": [(1, 0)]}, ValueError, "low < high"),
    ({"descriptor_bounds": [1, 2]}, ValueError, "pairs"),
    ({"cells": (3, 3, 3)}, ValueError, "one count per descriptor"),
    ({"cells": 0}, ValueError, "cells"),
    ({"mutation_sigma": 0.0}, ValueError, "mutation_sigma"),
    ({"sigma0": -1.0}, ValueError, "sigma0"),
    ({"maxiter": 0}, ValueError, "maxiter"),
])
def test_bad_settings_are_named(kwargs, error, match):
    with pytest.raises(error, match=match):
        MAPElites(popsize=8, bounds=[(-1, 1)] * 2, **kwargs)


def test_descriptors_of_the_wrong_shape_are_named():
    opt = MAPElites(popsize=8, bounds=[(-1, 1)] * 3, descriptors=lambda X: X,
                    descriptor_bounds=[(-1, 1)] * 2)
    X = opt.ask()
    with pytest.raises(ValueError, match=r"descriptors must return shape \(8, 2\)"):
        opt.tell(np.zeros(8))
    del X


def test_minimize_map_elites_resumes_bit_for_bit(tmp_path):
    common = dict(bounds=[(-5, 5)] * 2, method="map-elites", popsize=32, maxiter=10, rng=4,
                  vectorized=True, options={"cells": 20})
    whole = evodiff.minimize(himmelblau, **common)
    assert whole.fun < 1.0 and len(whole.modes) >= 2
    path = tmp_path / "run.npz"
    evodiff.minimize(himmelblau, checkpoint=path, callback=lambda r: r.nit >= 4, **common)
    resumed = evodiff.minimize(himmelblau, resume=path, **common)
    assert resumed.fun == whole.fun and resumed.nfev == whole.nfev
    np.testing.assert_array_equal(resumed.population, whole.population)
    other = dict(common, options={"cells": 10})
    with pytest.raises(ValueError, match="cells"):
        evodiff.minimize(himmelblau, resume=path, **other)


def _paper_score(points, values, problem):
    g = normalized_fitness(values, problem.target, problem.scale, problem.max_distance)
    best, best_g = top_k(points, g, 64, sense="max")
    return top_k_entropy(best), float(np.mean(best_g))


def test_paper_preset_spends_6400_evaluations_and_finds_every_himmelblau_minimum():
    problem = problem_instance("paper", "himmelblau-2", 0)
    scores = []
    for seed in range(3):
        opt, transform = paper_optimizer("map-elites", problem, np.random.default_rng(seed))
        assert transform is None and opt.popsize == 256 and opt.maxiter == 25
        run_recording(opt, problem)
        archive = opt.archive
        assert opt.nfev == 6400 and opt.cell_count == 80 * 80
        scores.append(_paper_score(archive.points, archive.values, problem))
        near = np.linalg.norm(archive.points[:, None] - problem.optima[None], axis=2) < 0.3
        assert near.any(axis=0).all()  # an elite beside each of the four minima
    entropy, fitness = np.mean(scores, axis=0)
    assert entropy > 5.0 and fitness > 0.8


def test_same_quality_as_pyribs_at_the_same_budget():
    pytest.importorskip("ribs")
    from ribs.archives import GridArchive
    from ribs.emitters import GaussianEmitter
    from ribs.schedulers import Scheduler

    problem = problem_instance("paper", "himmelblau-2", 0)
    ours, theirs = [], []
    for seed in range(3):
        opt, _ = paper_optimizer("map-elites", problem, np.random.default_rng(seed))
        run_recording(opt, problem)
        ours.append(_paper_score(opt.archive.points, opt.archive.values, problem))
        archive = GridArchive(solution_dim=2, dims=(80, 80), ranges=[(-4, 4)] * 2, seed=seed)
        start = np.random.default_rng(100 + seed).normal(scale=4.0, size=(256, 2))
        emitter = GaussianEmitter(archive, sigma=0.5, initial_solutions=start, batch_size=256,
                                  seed=seed)
        scheduler = Scheduler(archive, [emitter])
        for _ in range(25):
            X = scheduler.ask()
            scheduler.tell(-problem(X), X[:, :2])
        data = archive.data()
        theirs.append(_paper_score(data["solution"], -data["objective"], problem))
    ours, theirs = np.mean(ours, axis=0), np.mean(theirs, axis=0)
    assert ours[0] >= theirs[0] - 0.3 and ours[1] >= theirs[1] - 0.05
