"""What the Diffusion Evolution timers share: the objective and the interleaved timing loop."""

from __future__ import annotations

import gc
import statistics
import time

import numpy as np

# Untimed generations before the timed ones (for evosax they include the compilation).
WARMUP = 2
# Seconds of sleep before each timed generation, so that the worker threads of the library
# timed before (OpenBLAS, PyTorch's OpenMP, XLA's pool) have stopped spinning.  It does not
# remove every trace of the library before: see docs/performance.md.
PAUSE = 0.1


def sphere(X):
    """Sum of squares of each row of a NumPy array (the cheap objective, never timed).

    Parameters
    ----------
    X : numpy.ndarray, shape (N, D)

    Returns
    -------
    numpy.ndarray, shape (N,)
    """
    return np.sum(X * X, axis=1)


def time_around(ask, evaluate, tell):
    """Seconds of ``ask()`` plus ``tell(evaluate(asked))``, the evaluation left out.

    Parameters
    ----------
    ask : callable
        ``ask() -> points``.
    evaluate : callable
        ``evaluate(points) -> values``; not timed.
    tell : callable
        ``tell(points, values)``.

    Returns
    -------
    float
    """
    start = time.perf_counter()
    points = ask()
    asked = time.perf_counter()
    values = evaluate(points)
    resumed = time.perf_counter()
    tell(points, values)
    return (asked - start) + (time.perf_counter() - resumed)


def interleaved_medians(timers, timed, *, warmup=WARMUP, pause=PAUSE):
    """Median seconds per generation of each timer, timed in one interleaved loop.

    In each round every timer runs one generation; the one that goes first
    rotates from round to round, so that a change in the machine's load hits
    all alike.  Each generation is preceded by an untimed pause.

    Parameters
    ----------
    timers : list
        Objects with a ``name`` and a ``generation()`` method returning seconds.
    timed : int
        Timed rounds, after ``warmup`` untimed ones.
    warmup : int, default WARMUP
    pause : float, default PAUSE
        Seconds of sleep before each generation.

    Returns
    -------
    dict
        Timer name to median seconds per generation.
    """
    times = {timer.name: [] for timer in timers}
    gc.collect()
    for i in range(warmup + timed):
        shift = i % len(timers)
        for timer in timers[shift:] + timers[:shift]:
            time.sleep(pause)
            elapsed = timer.generation()
            if i >= warmup:
                times[timer.name].append(elapsed)
    return {name: statistics.median(values) for name, values in times.items()}
