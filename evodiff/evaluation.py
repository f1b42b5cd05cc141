"""Evaluating the objective on a population, in this process or on workers.

:func:`evaluate` is the single place where a run calls the user's objective.
With ``vectorized=True`` the objective receives ``(N, D)`` points and returns
``(N,)`` values; otherwise it is called once per point with a ``(D,)`` host
NumPy array and returns a number.

The ``workers`` argument spreads a generation over several workers:

- ``None`` or ``1``: everything runs in this process, one call after the other;
- an int ``n > 1``: a pool of ``n`` local processes;
- a :class:`concurrent.futures.Executor` (threads or processes);
- a Dask ``distributed.Client`` (local or remote cluster);
- any map-like callable ``workers(func, iterable)``, such as ``pool.map``.

The population is cut into batches of ``batch_size`` consecutive points, and
one task evaluates one batch, so that a cheap objective is not drowned in
the cost of sending work around.  The values come back in the order of the
population whatever the order in which the batches finish.

A run that evaluates many generations uses an :class:`Evaluator`, which
starts its process pool once and reuses it until :meth:`Evaluator.close`;
:func:`evaluate` is the one-shot form.
"""

from __future__ import annotations

import math
import os
import pickle
import sys
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from numbers import Integral

import numpy as np

from .backend import to_numpy
from .objective_calls import (
    BatchTask,
    EvaluationError,
    Failure,
    raise_failure,
    vectorized_result_problem,
)
from .validation import check_int

__all__ = ["evaluate", "Evaluator", "EvaluationError", "MAX_POOL_RESTARTS"]

#: How many times one call may replace a process pool whose workers died.
MAX_POOL_RESTARTS = 3

#: Batches per worker when ``batch_size`` is not given: a few, so that a worker that
#: finishes early takes more work; fewer on Dask, where a task costs milliseconds.
_BATCHES_PER_WORKER = 4
_BATCHES_PER_DASK_WORKER = 2


# -- Recognising the kinds of workers --------------------------------------------------

def _is_dask_client(obj):
    """Whether ``obj`` is a Dask ``distributed.Client``, without importing Dask.

    A Client can only exist once ``distributed`` has been imported, so an
    ``isinstance`` check against the already loaded module is enough; an
    object that quacks like a Client (``submit``, ``map``, ``gather``,
    ``nthreads``) is accepted too.
    """
    distributed = sys.modules.get("distributed")
    client_type = getattr(distributed, "Client", None) if distributed is not None else None
    if client_type is not None and isinstance(obj, client_type):
        return True
    return all(callable(getattr(obj, name, None)) for name in ("submit", "map", "gather", "nthreads"))


def _check_picklable(fun, args, what):
    try:
        pickle.dumps((fun, args))
    except Exception as exc:
        name = getattr(fun, "__qualname__", None) or type(fun).__name__
        raise TypeError(
            f"fun ({name}) and args must be picklable to be sent to {what}, and they are not "
            f"({type(exc).__name__}: {exc}). Define fun as a module-level function (not a "
            f"lambda or a nested function), or evaluate in threads with "
            f"workers=concurrent.futures.ThreadPoolExecutor(...)") from exc


def _workers_kind(workers):
    """Classify ``workers``: ('serial'|'pool'|'executor'|'dask'|'map', size or None)."""
    if workers is None:
        return "serial", 1
    if isinstance(workers, Integral) and not isinstance(workers, bool):
        if workers < 1:
            raise ValueError(
                f"workers must be an int >= 1 (the number of local processes), a map-like "
                f"callable, a concurrent.futures.Executor or a Dask Client; got {workers!r}")
        return ("serial", 1) if workers == 1 else ("pool", int(workers))
    if isinstance(workers, Executor):
        return "executor", getattr(workers, "_max_workers", None)
    if _is_dask_client(workers):
        return "dask", None
    if callable(workers) and not isinstance(workers, (str, bytes, bool)):
        return "map", None
    raise TypeError(
        f"workers must be None, an int >= 1, a map-like callable, a concurrent.futures.Executor "
        f"or a Dask Client; got {workers!r} of type {type(workers).__name__}")


# -- The evaluator ---------------------------------------------------------------------

class Evaluator:
    """Evaluate an objective on populations, reusing its workers from call to call.

    A run creates one evaluator before its first generation and closes it
    after the last one (it is a context manager): a process pool asked for
    with an int ``workers`` is started at the first call and kept until
    :meth:`close`.  Executors, map-like callables and Dask clients belong to
    the caller and are never shut down here.

    Parameters
    ----------
    fun : callable
        ``fun(x, *args) -> float`` for a ``(D,)`` point, or with
        ``vectorized=True``, ``fun(X, *args) -> (n,)`` for ``n`` points.
    vectorized : bool, default False
        Whether ``fun`` takes several points at once.
    workers : None, int, callable, concurrent.futures.Executor or distributed.Client, optional
        Where the work runs.  ``None`` or ``1``: in this process.  An int
        ``n > 1``: a pool of ``n`` local processes (``fun`` and ``args``
        must be picklable).  A :class:`concurrent.futures.Executor`: its
        workers (threads or processes).  A Dask ``distributed.Client``: the
        workers of its cluster.  Any other callable is used like the
        built-in :func:`map`: ``workers(func, batches)`` must return the
        results in order (``multiprocessing.Pool.map`` for instance).
    batch_size : int, optional
        Points per task.  Default: ``ceil(N / (4 * number of workers))``,
        so that each worker receives about four batches per generation
        (two on Dask, whose tasks cost more to send: ``ceil(N / (2 *
        number of worker threads))``).  The number of workers of an
        executor is its ``_max_workers`` if it has one, else the number of
        CPUs, as for a map-like callable.  In
        this process (``workers=None``) a vectorised ``fun`` is called on
        the whole population unless ``batch_size`` is given; a per-point
        ``fun`` is not affected.
    args : tuple, default ()
        Extra positional arguments passed to ``fun``.

    Raises
    ------
    TypeError
        When ``fun`` is not callable, ``workers`` or ``batch_size`` is of the
        wrong kind, or ``fun`` cannot be pickled for a process pool.
    ValueError
        When ``workers`` or ``batch_size`` is below 1.

    See Also
    --------
    evaluate : the one-shot form.

    Notes
    -----
    A batch is a slice of consecutive rows of the population.  For a
    vectorised ``fun`` it is evaluated in one call: a host NumPy array of
    shape ``(batch_size, D)`` when the work leaves this process, the
    population's own array type otherwise.  For a per-point ``fun`` the
    worker calls ``fun`` on each row of its batch in turn.

    When a worker process of an int ``workers`` pool dies (killed, out of
    memory, ``os._exit``), the pool is replaced and the batches whose
    results had not come back are evaluated again, up to
    :data:`MAX_POOL_RESTARTS` times per call; a Dask cluster reschedules
    the tasks of a dead worker itself.  Either way every point gets exactly
    one value.

    Examples
    --------
    >>> import numpy as np
    >>> from evodiff.evaluation import Evaluator
    >>> def sphere(x):
    ...     return float(np.sum(x**2))
    >>> with Evaluator(sphere, workers=None) as evaluator:
    ...     evaluator(np.array([[1.0, 2.0], [0.0, 3.0]]))
    array([5., 9.])
    """

    def __init__(self, fun, *, vectorized=False, workers=None, batch_size=None, args=()):
        if not callable(fun):
            raise TypeError(f"fun must be callable; got {type(fun).__name__}")
        if not isinstance(args, tuple):
            args = (args,)
        if batch_size is not None:
            batch_size = check_int("batch_size", batch_size, minimum=1)
        kind, size = _workers_kind(workers)
        if kind == "pool":
            _check_picklable(fun, args, f"a pool of {size} worker processes (workers={size})")
        elif kind == "executor" and isinstance(workers, ProcessPoolExecutor):
            _check_picklable(fun, args, "the worker processes of a ProcessPoolExecutor")
        self.fun = fun
        self.args = args
        self.vectorized = bool(vectorized)
        self.workers = workers
        self.batch_size = batch_size
        self.kind = kind
        self._size = size
        self._pool = None
        #: Number of process pools this evaluator has started (restarts included).
        self.pools_started = 0
        self._task = BatchTask(fun, args, self.vectorized, portable=kind in ("pool", "dask", "map")
                                or isinstance(workers, ProcessPoolExecutor))

    # -- context manager and lifetime --

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
        return False

    def close(self):
        """Shut down the process pool this evaluator started, if any.

        Executors, map-like callables and Dask clients given as ``workers``
        are left running: they belong to the caller.  Calling the evaluator
        again after ``close`` starts a new pool.
        """
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    def __repr__(self):
        name = getattr(self.fun, "__qualname__", None) or type(self.fun).__name__
        return (f"Evaluator(fun={name}, vectorized={self.vectorized}, workers={self.workers!r}, "
                f"batch_size={self.batch_size!r})")

    # -- evaluation --

    def __call__(self, X):
        """Evaluate the objective on every row of ``X``.

        Parameters
        ----------
        X : array, shape (N, D)
            Points; any supported array type.  Not modified.

        Returns
        -------
        array, shape (N,)
            The values, in the order of the rows of ``X``: whatever a
            vectorised ``fun`` returned when it was called once on the whole
            population in this process, a float64 NumPy array otherwise.

        Raises
        ------
        EvaluationError
            When ``fun`` raises; the message names the index of the failing
            individual and the original exception is chained.
        ValueError
            When ``fun`` returns something that is not one real number per
            point (or, vectorised, not shape ``(n,)`` for ``n`` points).
        """
        n = X.shape[0]
        if self.kind == "serial":
            return self._serial(X, n)
        if n == 0:
            return np.empty(0, dtype=np.float64)
        host = to_numpy(X)
        per_worker = _BATCHES_PER_DASK_WORKER if self.kind == "dask" else _BATCHES_PER_WORKER
        size = self.batch_size or math.ceil(n / (per_worker * self._worker_count()))
        batches = [(start, host[start:start + size].copy()) for start in range(0, n, size)]
        run = {"pool": self._run_pool, "executor": self._run_executor,
               "dask": self._run_dask, "map": self._run_map}[self.kind]
        return self._assemble(run(batches), n)

    def _serial(self, X, n):
        if self.vectorized and (self.batch_size is None or self.batch_size >= n):
            # one call on the whole population, which keeps what fun returns (on its backend)
            try:
                values = self.fun(X, *self.args)
            except Exception as exc:
                raise_failure(Failure("raised", None, (0, n), exc), self.fun)
            problem = vectorized_result_problem(values, n)
            if problem is not None:
                raise ValueError(problem)
            return values
        host = X if self.vectorized else to_numpy(X)
        size = self.batch_size if self.vectorized else max(n, 1)
        return self._assemble([self._task((start, host[start:start + size]))
                               for start in range(0, n, size)], n)

    def _assemble(self, outcomes, n):
        """Raise the first failure in population order, else concatenate the batches."""
        for outcome in outcomes:
            if isinstance(outcome, Failure):
                raise_failure(outcome, self.fun)
        values = np.concatenate(outcomes) if outcomes else np.empty(0, dtype=np.float64)
        if values.shape != (n,):  # a broken map-like callable
            raise RuntimeError(f"workers returned {values.shape[0]} values for {n} points")
        return values

    def _worker_count(self):
        if self._size:
            return self._size
        if self.kind == "dask":
            try:
                threads = sum(self.workers.nthreads().values())
            except Exception:
                threads = 0
            if threads > 0:
                return threads
        return os.cpu_count() or 1

    def _run_pool(self, batches):
        outcomes = [None] * len(batches)
        pending = list(range(len(batches)))
        restarts = 0
        while pending:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(max_workers=self._size)
                self.pools_started += 1
            futures = []
            try:
                for k in pending:
                    futures.append((k, self._pool.submit(self._task, batches[k])))
            except BrokenProcessPool:
                pass  # the batches not submitted stay pending
            lost, broken = [], None
            submitted = {k for k, _ in futures}
            for k, future in futures:
                try:
                    outcome = future.result()
                except BrokenProcessPool as exc:
                    lost.append(k)
                    broken = exc
                    continue
                outcomes[k] = outcome
                if isinstance(outcome, Failure) and not lost:
                    # every batch before k is done (in this round or an earlier one), so the
                    # first failure among those done is the first in population order
                    for _, other in futures:
                        other.cancel()
                    first = next(o for o in outcomes if isinstance(o, Failure))
                    raise_failure(first, self.fun)
            pending = lost + [k for k in pending if k not in submitted]
            pending.sort()
            if pending:
                restarts += 1
                self.close()
                if restarts > MAX_POOL_RESTARTS:
                    raise RuntimeError(
                        f"the worker processes died {restarts} times while evaluating one "
                        f"population ({len(pending)} batches unfinished); fun may be killing "
                        f"its process or running out of memory") from broken
        return outcomes

    def _run_executor(self, batches):
        futures = [self.workers.submit(self._task, batch) for batch in batches]
        try:
            outcomes = []
            for future in futures:
                outcome = future.result()
                if isinstance(outcome, Failure):
                    raise_failure(outcome, self.fun)
                outcomes.append(outcome)
            return outcomes
        finally:
            for future in futures:
                future.cancel()

    def _run_dask(self, batches):
        client = self.workers
        futures = client.map(self._task, batches, pure=False)
        try:
            return client.gather(futures)
        except BaseException:
            client.cancel(futures)  # finished futures are released when dropped; a cancel costs a round trip
            raise

    def _run_map(self, batches):
        try:
            return list(self.workers(self._task, batches))
        except Exception:
            # the usual reason a map fails outside the objective: fun cannot travel
            _check_picklable(self.fun, self.args, f"the map-like workers {self.workers!r}")
            raise


def evaluate(fun, X, *, vectorized=False, workers=None, batch_size=None, args=()):
    """Evaluate ``fun`` on every row of ``X``.

    Parameters
    ----------
    fun : callable
        ``fun(x, *args) -> float`` for a ``(D,)`` point, or with
        ``vectorized=True``, ``fun(X, *args) -> (n,)`` for ``n`` points.
    X : array, shape (N, D)
        Points; any supported array type.  Not modified.
    vectorized : bool, default False
        Whether ``fun`` takes several points at once.
    workers : None, int, callable, concurrent.futures.Executor or distributed.Client, optional
        Where the work runs: ``None`` or ``1`` in this process, an int
        ``n > 1`` in a pool of ``n`` processes started for this call, or the
        given executor, map-like callable or Dask client; see
        :class:`Evaluator`.  To evaluate many populations on one pool, use an
        :class:`Evaluator` (as :func:`~evodiff.optimize.minimize` does).
    batch_size : int, optional
        Points per task; default ``ceil(N / (4 * number of workers))``
        (``ceil(N / (2 * number of worker threads))`` on Dask).
    args : tuple, default ()
        Extra positional arguments passed to ``fun``.

    Returns
    -------
    array, shape (N,)
        The objective values in the order of the rows of ``X``: whatever a
        vectorised ``fun`` returned when it was called once on the whole
        population in this process, a float64 NumPy array otherwise.

    Raises
    ------
    EvaluationError
        When ``fun`` raises; the message names the index of the failing
        individual (or the rows of the failing batch of a vectorised
        ``fun``) and the original exception is chained.
    ValueError
        When a vectorised ``fun`` returns the wrong shape, or a per-point
        ``fun`` returns something that is not a single number; the message
        names the failing point's index.  Also for ``workers`` or
        ``batch_size`` below 1.
    TypeError
        When ``fun`` is not callable, ``workers`` is of an unknown kind, or
        ``fun`` cannot be pickled for a process pool.

    Examples
    --------
    >>> import numpy as np
    >>> from evodiff import evaluate
    >>> evaluate(lambda X: X.sum(axis=1), np.ones((3, 2)), vectorized=True)
    array([2., 2., 2.])
    """
    with Evaluator(fun, vectorized=vectorized, workers=workers, batch_size=batch_size,
                   args=args) as evaluator:
        return evaluator(X)
