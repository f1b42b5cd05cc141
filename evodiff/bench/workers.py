"""Worker processes of the benchmarks: fresh ("spawn") processes with one BLAS thread each."""

from __future__ import annotations

import contextlib
import os

__all__ = ["single_threaded_children"]

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
