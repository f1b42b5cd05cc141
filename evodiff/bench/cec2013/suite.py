"""Many runs of the niching protocol: methods x problems x seeds, in parallel if asked.

A run is fixed by ``(seed, method, problem)`` (see :mod:`.protocol`), so the
rows do not depend on ``jobs`` or on the order of the runs (``seconds``
aside).
"""

from __future__ import annotations

from ...validation import check_int
from ..workers import run_tasks
from .peers import PEERS
from .problems import niching_problem
from .protocol import run_niching

__all__ = ["DEFAULT_RUNS", "run_niching_suite"]

#: Runs per method and problem of the competition.
DEFAULT_RUNS = 50


def _task(arguments):
    return run_niching(*arguments)


def _check_method(method):
    from ...registry import get_method
    if method in PEERS:
        return method
    return get_method(method).name


def run_niching_suite(methods, problems=None, runs=DEFAULT_RUNS, first_seed=0, jobs=1,
                      progress=False, options=None):
    """Run every method on every problem with seeds ``first_seed .. first_seed + runs - 1``.

    Parameters
    ----------
    methods : list of str
        Registered methods and peers (``'nmmso'``).
    problems : list of int or str, optional
        Default F1 to F20.
    runs : int, default 50
    first_seed : int, default 0
        The issue's protocol tunes on seeds 0-19 and reports on 100-149.
    jobs : int, default 1
        Worker processes (fresh, one BLAS thread each); the rows do not depend on it.
    progress : bool, default False
        A tqdm bar over the runs.
    options : dict, optional
        Settings over the defaults of every registered method named (for tuning).

    Returns
    -------
    list of dict
        The rows of :func:`~evodiff.bench.cec2013.protocol.run_niching`, sorted
        by (problem number, method, seed).
    """
    if isinstance(methods, str):
        methods = [methods]
    methods = list(dict.fromkeys(_check_method(m) for m in methods))
    if problems is None:
        problems = range(1, 21)
    numbers = list(dict.fromkeys(niching_problem(p).number for p in problems))
    runs = check_int("runs", runs, minimum=1)
    first_seed = check_int("first_seed", first_seed, minimum=0)
    jobs = check_int("jobs", jobs, minimum=1)
    if not methods or not numbers:
        raise ValueError("methods and problems must not be empty")
    # the long problems first, so that the pool is not left waiting on them at the end
    options = dict(options or {})
    tasks = [(m, p, s, options) for p in sorted(numbers, key=lambda p: -niching_problem(p).max_fes)
             for m in methods for s in range(first_seed, first_seed + runs)]
    rows = run_tasks(_task, tasks, jobs, progress, desc="bench cec2013-niching")
    rows.sort(key=lambda r: (niching_problem(r["problem"]).number, r["method"], r["seed"]))
    return rows
