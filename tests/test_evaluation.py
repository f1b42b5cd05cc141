"""Evaluating the objective: in this process, on local pools, on map-like callables and on Dask.

Every way of evaluating must give the same values, in the population's order,
and therefore the same run of ``minimize`` for the same seed.  The failure
semantics are checked by objectives that raise, return nonsense, cannot be
pickled, or kill the worker process that runs them.

The objectives live at module level so that worker processes (forked,
spawned, or started by a Dask nanny) can import them by name.  The Dask tests
are skipped when ``distributed`` is not installed.
"""

import concurrent.futures
import os
import time

import numpy as np
import pytest

import evodiff.evaluation as evaluation
from evodiff import maximize, minimize
from evodiff.evaluation import EvaluationError, Evaluator, evaluate

BOUNDS = [(-5.0, 5.0)] * 3


def sphere(x):
    return float(np.sum((x - 1.0) ** 2))


def sphere_rows(X):
    return np.sum((X - 1.0) ** 2, axis=1)


def shifted(x, shift):
    return float(np.sum((x - shift) ** 2))


def fails_at_marker(x):
    """Raise on the point whose first coordinate is the marker 1000."""
    if x[0] == 1000.0:
        raise ZeroDivisionError("the marker point")
    return float(x[0])


def fails_on_marker_rows(X):
    if np.any(X[:, 0] == 1000.0):
        raise KeyError("a marker row")
    return X[:, 0].copy()


def always_fails(x):
    raise ArithmeticError("always")


def always_dies(x):
    os._exit(1)


def returns_text(x):
    return "not a number" if x[0] == 1000.0 else 0.0


def sleeps(x, seconds):
    time.sleep(seconds)
    return float(np.sum(x**2))


def records_its_run(x, folder, seconds):
    """The sum of squares, writing its process and the interval it ran into ``folder``."""
    start = time.time()
    time.sleep(seconds)
    record = [os.getpid(), start, time.time()]
    np.savetxt(os.path.join(folder, f"{os.getpid()}-{start!r}.txt"), record)
    return float(np.sum(x**2))


def worker_pid(x):
    return float(os.getpid())


def dies_once_when_armed(x, folder):
    """``sphere``, except that the first call after ``folder/armed`` exists kills its process.

    ``folder/killed`` is created atomically (O_EXCL) by the call that dies, so
    exactly one worker dies in the whole test, whichever worker it is.
    """
    if os.path.exists(os.path.join(folder, "armed")):
        try:
            fd = os.open(os.path.join(folder, "killed"), os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            pass
        else:
            os.close(fd)
            os._exit(1)
    return sphere(x)


def arm_after_first_generation(folder):
    def callback(intermediate):
        if intermediate.nit == 1:
            open(os.path.join(folder, "armed"), "w").close()
    return callback


def population(n=37, dim=3, seed=0):
    return np.random.default_rng(seed).uniform(-5.0, 5.0, size=(n, dim))


def assert_same_run(a, b, name=""):
    np.testing.assert_array_equal(a.x, b.x, err_msg=name)
    assert (a.fun, a.nfev, a.nit) == (b.fun, b.nfev, b.nit), name
    np.testing.assert_array_equal(a.population, b.population, err_msg=name)
    for key in ("best", "median", "nfev"):
        np.testing.assert_array_equal(a.history[key], b.history[key], err_msg=name)


class CountingPool(concurrent.futures.ProcessPoolExecutor):
    """A ProcessPoolExecutor that records how many were started and shut down."""

    started = 0
    shut_down = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        type(self).started += 1

    def shutdown(self, *args, **kwargs):
        type(self).shut_down += 1
        return super().shutdown(*args, **kwargs)


@pytest.fixture
def counting_pool(monkeypatch):
    CountingPool.started = CountingPool.shut_down = 0
    monkeypatch.setattr(evaluation, "ProcessPoolExecutor", CountingPool)
    return CountingPool


@pytest.fixture(scope="module")
def threads():
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        yield pool


def local_workers(threads):
    """The local kinds of ``workers``, by name."""
    return {"serial": None, "one": 1, "int pool": 2, "threads": threads, "map-like": threads.map,
            "builtin map": map}


# -- Identical values and identical runs ------------------------------------------------

@pytest.mark.parametrize("batch_size", [None, 1, 5, 100])
def test_every_kind_of_workers_gives_the_serial_values_in_order(threads, batch_size):
    X = population()
    expected = np.array([sphere(x) for x in X])
    for name, workers in local_workers(threads).items():
        values = evaluate(sphere, X, workers=workers, batch_size=batch_size)
        np.testing.assert_array_equal(values, expected, err_msg=name)
        rows = evaluate(sphere_rows, X, vectorized=True, workers=workers, batch_size=batch_size)
        np.testing.assert_array_equal(np.asarray(rows), sphere_rows(X), err_msg=name)


def test_batches_of_a_vectorized_fun_are_sub_arrays(threads):
    sizes = []

    def recording(X):
        sizes.append(X.shape)
        return sphere_rows(X)

    evaluate(recording, population(10), vectorized=True, workers=threads, batch_size=4)
    assert sorted(sizes) == [(2, 3), (4, 3), (4, 3)]
    sizes.clear()
    evaluate(recording, population(10), vectorized=True)
    assert sizes == [(10, 3)]


def test_args_reach_the_workers(threads):
    X = population(9)
    expected = np.array([shifted(x, 2.0) for x in X])
    for workers in (None, 2, threads):
        np.testing.assert_array_equal(evaluate(shifted, X, workers=workers, args=(2.0,)), expected)


def test_minimize_gives_the_same_run_for_every_kind_of_workers(threads):
    kwargs = dict(bounds=BOUNDS, popsize=24, maxiter=5, rng=3)
    serial = minimize(sphere, **kwargs)
    for name, workers in local_workers(threads).items():
        res = minimize(sphere, workers=workers, **kwargs)
        assert_same_run(res, serial, name)
    vectorized = minimize(sphere_rows, vectorized=True, workers=2, batch_size=5, **kwargs)
    assert_same_run(vectorized, serial)
    cmaes = dict(bounds=BOUNDS, method="cmaes", maxiter=6, rng=4)
    assert_same_run(maximize(sphere, workers=threads, **cmaes), maximize(sphere, **cmaes))


def test_minimize_starts_one_pool_per_run_and_closes_it(counting_pool):
    res = minimize(sphere, bounds=BOUNDS, popsize=16, maxiter=4, rng=0, workers=2,
                   method="diffevo")
    assert res.nit == 4
    assert counting_pool.started == 1 and counting_pool.shut_down == 1


def test_an_evaluator_reuses_its_pool_between_calls(counting_pool):
    X = population(16)
    with Evaluator(worker_pid, workers=2, batch_size=2) as evaluator:
        pids = set(evaluator(X)) | set(evaluator(X)) | set(evaluator(X))
        assert evaluator.pools_started == 1
    assert len(pids) <= 2 and os.getpid() not in pids
    assert counting_pool.started == 1 and counting_pool.shut_down == 1


def test_the_pool_is_closed_when_the_run_fails(counting_pool):
    X0 = population(8)
    X0[5, 0] = 1000.0
    with pytest.raises(EvaluationError):
        with Evaluator(fails_at_marker, workers=2) as evaluator:
            evaluator(X0)
    assert counting_pool.started == 1 and counting_pool.shut_down == 1


def test_caller_owned_executors_stay_open(threads):
    minimize(sphere, bounds=BOUNDS, popsize=8, maxiter=2, rng=0, workers=threads)
    assert threads.submit(sum, [1, 2]).result() == 3


def test_two_processes_evaluate_at_the_same_time(tmp_path):
    # concurrency shown by what the workers record (their process and the interval each
    # evaluation ran), not by a wall-clock ratio on a shared machine
    X = population(8)
    values = evaluate(records_its_run, X, args=(str(tmp_path), 0.3), workers=2)
    np.testing.assert_array_equal(values, np.sum(X**2, axis=1))
    runs = [np.loadtxt(path) for path in sorted(tmp_path.glob("*.txt"))]
    assert len(runs) == 8 and len({int(pid) for pid, _, _ in runs}) == 2
    overlapping = any(a[1] < b[2] and b[1] < a[2]
                      for a in runs for b in runs if a[0] != b[0])
    assert overlapping, runs


# -- Failures ---------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["serial", "int pool", "threads", "map-like"])
def test_an_exception_names_the_individual_and_chains_the_original(threads, kind):
    workers = local_workers(threads)[kind]
    X = population(20)
    X[[13, 17], 0] = 1000.0  # two failing points: the first in population order is reported
    with pytest.raises(EvaluationError, match=r"individual 13\b") as info:
        evaluate(fails_at_marker, X, workers=workers, batch_size=3)
    assert info.value.index == 13 and info.value.rows == (13, 14)
    assert isinstance(info.value, RuntimeError)
    assert isinstance(info.value.__cause__, ZeroDivisionError)
    assert "the marker point" in str(info.value)


def test_a_vectorized_exception_names_the_rows_of_its_batch(threads):
    X = population(20)
    X[9, 0] = 1000.0
    with pytest.raises(EvaluationError, match="rows 8 to 11") as info:
        evaluate(fails_on_marker_rows, X, vectorized=True, workers=threads, batch_size=4)
    assert info.value.index is None and info.value.rows == (8, 12)
    assert isinstance(info.value.__cause__, KeyError)
    with pytest.raises(EvaluationError, match="rows 0 to 19"):
        evaluate(fails_on_marker_rows, X, vectorized=True)


def test_an_exception_in_minimize_propagates_from_the_pool():
    with pytest.raises(EvaluationError, match=r"individual 0\b") as info:
        minimize(always_fails, bounds=BOUNDS, popsize=8, maxiter=2, rng=0, workers=2)
    assert info.value.index == 0 and isinstance(info.value.__cause__, ArithmeticError)


@pytest.mark.parametrize("workers", [None, 2])
def test_a_value_that_is_not_a_number_is_a_value_error_with_the_index(workers):
    X = population(10)
    X[6, 0] = 1000.0
    with pytest.raises(ValueError, match="point 6 gave 'not a number'"):
        evaluate(returns_text, X, workers=workers)


def test_a_vectorized_fun_of_the_wrong_shape_is_a_value_error(threads):
    X = population(10)
    for workers in (None, threads):
        with pytest.raises(ValueError, match="shape"):
            evaluate(lambda X: np.zeros(3), X, vectorized=True, workers=workers, batch_size=5)


def test_a_fun_that_cannot_be_pickled_is_a_type_error_naming_fun():
    with pytest.raises(TypeError, match=r"fun \(.*<lambda>\).*picklable.*module-level function.*Thread"):
        evaluate(lambda x: 0.0, population(4), workers=2)
    with concurrent.futures.ProcessPoolExecutor(max_workers=1) as pool:
        with pytest.raises(TypeError, match="fun .*picklable"):
            minimize(lambda x: 0.0, bounds=BOUNDS, popsize=4, maxiter=2, workers=pool)


@pytest.mark.parametrize("workers, error", [
    (0, ValueError), (-1, ValueError), ("four", TypeError), (object(), TypeError),
    (2.5, TypeError), (True, TypeError), ([1, 2], TypeError),
])
def test_bad_workers_are_rejected_naming_workers(workers, error):
    with pytest.raises(error, match="workers"):
        evaluate(sphere, population(4), workers=workers)
    with pytest.raises(error, match="workers"):
        minimize(sphere, bounds=BOUNDS, popsize=4, maxiter=2, workers=workers)


@pytest.mark.parametrize("batch_size, error", [(0, ValueError), (2.0, TypeError), ("8", TypeError)])
def test_bad_batch_sizes_are_rejected_naming_batch_size(batch_size, error):
    with pytest.raises(error, match="batch_size"):
        evaluate(sphere, population(4), workers=2, batch_size=batch_size)


def test_a_dead_pool_worker_loses_no_evaluation(tmp_path, counting_pool):
    kwargs = dict(bounds=BOUNDS, popsize=24, maxiter=5, rng=7)
    serial = minimize(sphere, **kwargs)
    folder = str(tmp_path)
    res = minimize(dies_once_when_armed, args=(folder,), workers=2, batch_size=3,
                   callback=arm_after_first_generation(folder), **kwargs)
    assert (tmp_path / "killed").exists()  # a worker really died, in generation 2
    assert_same_run(res, serial)
    assert counting_pool.started == 2 and counting_pool.shut_down == 2  # replaced once, both closed


def test_a_pool_that_keeps_dying_gives_up():
    X = population(4)
    with Evaluator(always_dies, workers=2) as evaluator:
        with pytest.raises(RuntimeError, match="died"):
            evaluator(X)
        assert evaluator.pools_started == evaluation.MAX_POOL_RESTARTS + 1


# -- Dask -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def dask_client():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                       dashboard_address=None, silence_logs=50)
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


@pytest.mark.slow
def test_dask_gives_the_serial_values_and_run(dask_client):
    X = population()
    np.testing.assert_array_equal(evaluate(sphere, X, workers=dask_client, batch_size=4),
                                  [sphere(x) for x in X])
    np.testing.assert_array_equal(evaluate(sphere_rows, X, vectorized=True, workers=dask_client),
                                  sphere_rows(X))
    kwargs = dict(bounds=BOUNDS, popsize=24, maxiter=5, rng=3)
    assert_same_run(minimize(sphere, workers=dask_client, **kwargs), minimize(sphere, **kwargs))


def test_dask_exception_names_the_individual(dask_client):
    X = population(12)
    X[10, 0] = 1000.0
    with pytest.raises(EvaluationError, match=r"individual 10\b") as info:
        evaluate(fails_at_marker, X, workers=dask_client, batch_size=3)
    assert isinstance(info.value.__cause__, ZeroDivisionError)


@pytest.mark.slow
def test_a_dead_dask_worker_loses_no_evaluation(dask_client, tmp_path):
    kwargs = dict(bounds=BOUNDS, popsize=24, maxiter=5, rng=7)
    serial = minimize(sphere, **kwargs)
    folder = str(tmp_path)
    res = minimize(dies_once_when_armed, args=(folder,), workers=dask_client, batch_size=3,
                   callback=arm_after_first_generation(folder), **kwargs)
    assert (tmp_path / "killed").exists()
    assert_same_run(res, serial)
    dask_client.wait_for_workers(2, timeout=60)  # the nanny restarted the dead worker
