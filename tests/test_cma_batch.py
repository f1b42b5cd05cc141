"""CMABatch: many CMA-ES updated at once, each the same search as a CMAES object."""

import numpy as np
import pytest

from evodiff.algorithms.cma_batch import CMABatch
from evodiff.algorithms.cmaes import CMAES


def ellipsoid(X, centre=0.3):
    return np.sum((X - centre) ** 2 * np.logspace(0, 2, X.shape[1]), axis=1)


def test_one_slot_is_the_cmaes_search_step_for_step():
    dim = 3
    single = CMAES(x0=np.zeros(dim), sigma0=0.3, bounds=[(-1, 1)] * dim,
                   rng=np.random.default_rng(5), tolfun=1e-10, tolx=1e-12)
    batch = CMABatch(dim, 2, rng=np.random.default_rng(5), tolfun=1e-10, tolx=1e-12)
    batch.start(np.zeros(dim), 0.3)
    for _ in range(60):
        X = np.asarray(single.ask())
        Y = batch.ask()
        np.testing.assert_allclose(Y, X, rtol=0, atol=1e-12)
        single.tell(ellipsoid(X))
        batch.tell(ellipsoid(Y))
    np.testing.assert_allclose(batch.mean[0], np.asarray(single.mean), atol=1e-12)
    assert batch.sigma[0] == pytest.approx(single.sigma, rel=1e-10)


def test_searches_in_slots_are_independent_and_stop_at_their_optima():
    dim, centres = 2, np.array([[-0.5, 0.5], [0.6, -0.2], [0.1, 0.1]])
    batch = CMABatch(dim, 2, rng=np.random.default_rng(1), tolfun=1e-12, tolx=1e-12)
    queue, owner, found = [0, 1, 2], {}, []
    while queue or batch.running:
        while queue and batch.free:
            k = queue.pop(0)
            owner[batch.start(centres[k] + 0.2, 0.1)] = k
        slots = np.flatnonzero(batch.active)
        X = batch.ask().reshape(slots.size, batch.popsize, dim)
        batch.tell(np.concatenate([np.sum((X[i] - centres[owner[s]]) ** 2, axis=1)
                                   for i, s in enumerate(slots)]))
        points, values = batch.finished()
        assert np.all(values < 1e-10)
        found += [int(np.argmin(np.linalg.norm(centres - p, axis=1))) for p in points]
        assert batch.generation.max() < 2000
    assert sorted(found) == [0, 1, 2]
    assert batch.running == 0 and batch.free == 2


def test_samples_stay_in_the_box_and_an_optimum_outside_ends_at_the_wall():
    dim = 2
    batch = CMABatch(dim, 1, rng=np.random.default_rng(0), tolfun=1e-12, tolx=1e-12)
    batch.start(np.full(dim, 0.8), 0.3)
    for _ in range(500):
        X = batch.ask()
        assert np.all(np.abs(X) <= 1.0)
        batch.tell(np.sum((X - 1.5) ** 2, axis=1))
        points, values = batch.finished()
        if len(values):
            break
    np.testing.assert_allclose(points[0], [1.0, 1.0])
    assert values[0] == pytest.approx(0.5)


def test_failed_evaluations_do_not_become_the_best_point():
    batch = CMABatch(2, 1, rng=np.random.default_rng(0))
    batch.start(np.zeros(2), 0.2)
    X = batch.ask()
    costs = np.sum(X ** 2, axis=1)
    costs[0], costs[1] = np.nan, np.inf
    batch.tell(costs)
    assert batch.best_cost[0] == np.min(costs[2:])
    assert np.all(np.isfinite(batch.mean))


def test_misuse_is_refused():
    batch = CMABatch(2, 1, rng=np.random.default_rng(0))
    with pytest.raises(RuntimeError, match="ask"):
        batch.tell(np.zeros(6))
    batch.start(np.zeros(2), 0.1)
    with pytest.raises(RuntimeError, match="every slot"):
        batch.start(np.zeros(2), 0.1)
    batch.finished(extra=[True])
    batch.ask()
    with pytest.raises(RuntimeError, match="between a tell"):
        batch.start(np.zeros(2), 0.1)
