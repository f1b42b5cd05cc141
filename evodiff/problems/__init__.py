"""Vectorised benchmark functions with known optima.

Every benchmark is a :class:`Problem`: a callable that evaluates a batch of
points of shape ``(N, D)`` from any Array-API library (NumPy, CuPy,
array-api-strict, ...) and returns shape ``(N,)`` in the input's dtype.
Metadata (domain, optima, sense) is kept as NumPy ``float64`` host arrays.

Examples
--------
>>> import numpy as np
>>> from evodiff.problems import get_problem
>>> problem = get_problem("rastrigin", dim=2)
>>> float(problem(np.array([1.0, 2.0])))
5.0
"""

from __future__ import annotations

import numpy as np

from .functions import ackley, beale, ellipsoid, himmelblau, rastrigin, rosenbrock, sphere, two_peaks
from .problem import Problem
from .transforms import random_rotation, random_shift, rotated, shifted

__all__ = [
    "PROBLEMS",
    "Problem",
    "ackley",
    "beale",
    "ellipsoid",
    "get_problem",
    "himmelblau",
    "random_rotation",
    "random_shift",
    "rotated",
    "rastrigin",
    "rosenbrock",
    "shifted",
    "sphere",
    "two_peaks",
]


PROBLEMS = {
    "sphere": sphere,
    "ellipsoid": ellipsoid,
    "rastrigin": rastrigin,
    "ackley": ackley,
    "rosenbrock": rosenbrock,
    "beale": beale,
    "himmelblau": himmelblau,
    "two_peaks": two_peaks,
}


def get_problem(name, dim=None, shift=None, rng=None):
    """Build a benchmark problem by name.

    Parameters
    ----------
    name : str
        A key of :data:`PROBLEMS`, case-insensitive.
    dim : int, optional
        Number of variables (default 2).
    shift : None, bool or array_like, optional
        ``None``/``False``: no shift; ``True``: :func:`random_shift` with
        ``rng``; otherwise an offset passed to :func:`shifted`.
    rng : None, int or numpy.random.Generator, optional
        Randomness for ``shift=True``; ignored otherwise.

    Returns
    -------
    Problem

    Raises
    ------
    ValueError
        If ``name`` is unknown (the message lists the available names).
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a string, got {name!r}")
    factory = PROBLEMS.get(name.lower())
    if factory is None:
        raise ValueError(
            f"unknown problem {name!r}; available: {', '.join(sorted(PROBLEMS))}"
        )
    problem = factory(dim=2 if dim is None else dim)
    if shift is None or (isinstance(shift, (bool, np.bool_)) and not shift):
        return problem
    if isinstance(shift, (bool, np.bool_)):
        return random_shift(problem, rng)
    return shifted(problem, shift)
