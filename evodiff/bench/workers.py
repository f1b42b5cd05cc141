"""Worker processes of the benchmarks: fresh ("spawn") processes with one BLAS thread each."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor, as_completed

from tqdm.auto import tqdm

__all__ = ["run_tasks", "single_threaded_children"]

#: Thread-count variables of the BLAS and OpenMP libraries NumPy may use.
_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


@contextlib.contextmanager
def single_threaded_children():
    """Start worker processes with one BLAS thread each (unless the user set a count).

    ``jobs`` processes that each run a multi-threaded BLAS on the same cores
    slow each other down many times over (Diffusion Evolution's 512 x 512
    products most); the variables must be set before a worker imports NumPy,
    hence fresh ("spawn") workers and the environment they inherit.
    """
    saved = {name: os.environ.get(name) for name in _THREAD_VARIABLES}
    for name in _THREAD_VARIABLES:
        os.environ.setdefault(name, "1")
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def run_tasks(function, tasks, jobs, progress=False, desc="bench", unit="run"):
    """``[function(task) for task in tasks]``, in this process or in ``jobs`` fresh ones.

    Parameters
    ----------
    function : callable
        Module-level (it is pickled to the workers).
    tasks : list
    jobs : int
        1: in this process, in order; more: a pool of fresh ("spawn")
        processes with one BLAS thread each, results in the order they finish.
    progress : bool, default False
        A tqdm bar over the tasks.
    desc, unit : str
        The bar's label and unit.

    Returns
    -------
    list
        The results (sort them: with ``jobs > 1`` their order is the order of completion).
    """
    results = []
    with tqdm(total=len(tasks), disable=not progress, desc=desc, unit=unit) as bar:
        if jobs == 1:
            for task in tasks:
                results.append(function(task))
                bar.update(1)
            return results
        with single_threaded_children(), ProcessPoolExecutor(
                max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
            for future in as_completed([pool.submit(function, task) for task in tasks]):
                results.append(future.result())
                bar.update(1)
    return results
