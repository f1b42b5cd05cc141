"""The 20 problems of the CEC'2013 niching suite, with the facts its protocol needs.

Each :class:`NichingProblem` knows its dimension, box, the global optimum
value ``fstar`` (the suite is maximised), the number of global optima, the
niche radius ``rho`` of the official counting and the budget ``max_fes``;
``problem(X)`` evaluates a population ``X`` of shape ``(N, D)`` (or one point
of shape ``(D,)``).  The data files (shifts, rotations, known optima) ship
in ``evodiff/bench/data/cec2013_niching`` with their licence.

Examples
--------
>>> from evodiff.bench.cec2013 import niching_problem
>>> problem = niching_problem(4)
>>> problem.name, problem.dim, problem.n_optima, problem.max_fes
('F4', 2, 4, 50000)
>>> float(problem([3.0, 2.0]))
200.0
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import numpy as np

from . import functions
from .composition import COMPOSITIONS, composition_function

__all__ = ["NICHING_PROBLEMS", "NichingProblem", "data_path", "niching_problem", "niching_problems"]


def data_path(*parts):
    """Path of a file in the suite's data folder (``evodiff/bench/data/cec2013_niching``)."""
    root = resources.files("evodiff.bench").joinpath("data", "cec2013_niching")
    return root.joinpath(*parts)


@cache
def _load(*parts):
    with data_path(*parts).open() as handle:
        table = np.loadtxt(handle, ndmin=2)
    table.setflags(write=False)
    return table


@dataclass(frozen=True, eq=False)
class NichingProblem:
    """One problem of the suite.

    Attributes
    ----------
    number : int
        1 to 20.
    function : str
        The landscape (``'Shubert'``, ``'CF3'``, ...).
    dim : int
    lower, upper : ndarray, shape (dim,)
    fstar : float
        The value of every global optimum (maximum).
    n_optima : int
        Number of global optima.
    rho : float
        Niche radius of the counting.
    max_fes : int
        Evaluations a run may use.
    fn : callable
        ``fn(X) -> (N,)`` on a float64 ``(N, dim)`` array.
    optima_file : str
        The file of known optima (its first ``n_optima`` rows), for tests.
    """

    number: int
    function: str
    dim: int
    lower: np.ndarray
    upper: np.ndarray
    fstar: float
    n_optima: int
    rho: float
    max_fes: int
    fn: Callable = field(repr=False)
    optima_file: str = field(repr=False)

    @property
    def name(self):
        """``'F<number>'``."""
        return f"F{self.number}"

    @property
    def label(self):
        """``'F6 Shubert 2-D'``: name, landscape and dimension."""
        return f"{self.name} {self.function} {self.dim}-D"

    @property
    def bounds(self):
        """``[(lower_i, upper_i), ...]``, as :func:`evodiff.maximize` takes them."""
        return list(zip(self.lower.tolist(), self.upper.tolist()))

    def known_optima(self):
        """The known global optima (n_optima, dim) from the suite's data files."""
        return np.array(_load("functions", self.optima_file)[:self.n_optima, :self.dim])

    def __call__(self, X):
        X = np.asarray(X, dtype=np.float64)
        if X.ndim == 1:
            return self.fn(X[None, :])[0]
        if X.ndim != 2 or X.shape[1] != self.dim:
            raise ValueError(f"{self.name} takes points of shape (N, {self.dim}); "
                             f"got shape {X.shape}")
        return self.fn(X)


def _box(low, high, dim):
    return np.full(dim, float(low)), np.full(dim, float(high))


def _composition(name, dim):
    recipe = COMPOSITIONS[name]
    shifts = _load("functions", "optima.dat")[:recipe.size, :dim]
    if recipe.rotated:
        rotations = _load("functions", f"{name}_M_D{dim}.dat").reshape(-1, dim, dim)[:recipe.size]
    else:
        rotations = np.broadcast_to(np.eye(dim), (recipe.size, dim, dim))
    return composition_function(recipe, shifts, rotations)


def _lazy(build):
    """Build a function on its first call (the compositions read data files)."""
    built = []

    def evaluate(X):
        if not built:
            built.append(build())
        return built[0](X)
    return evaluate


def _problem(number, function, dim, box, fstar, n_optima, rho, max_fes, fn, optima_file):
    lower, upper = box
    for array in (lower, upper):
        array.setflags(write=False)
    return NichingProblem(number, function, dim, lower, upper, float(fstar), n_optima, rho,
                          int(max_fes), fn, optima_file)


def _build_suite():
    f = functions
    problems = [
        _problem(1, "five-uneven-peak trap", 1, _box(0, 30, 1), 200.0, 2, 0.01, 5e4,
                 f.five_uneven_peak_trap, "F1_opt.dat"),
        _problem(2, "equal maxima", 1, _box(0, 1, 1), 1.0, 5, 0.01, 5e4, f.equal_maxima,
                 "F2_opt.dat"),
        _problem(3, "uneven decreasing maxima", 1, _box(0, 1, 1), 1.0, 1, 0.01, 5e4,
                 f.uneven_decreasing_maxima, "F3_opt.dat"),
        _problem(4, "Himmelblau", 2, _box(-6, 6, 2), 200.0, 4, 0.01, 5e4, f.himmelblau,
                 "F4_opt.dat"),
        _problem(5, "six-hump camel back", 2, (np.array([-1.9, -1.1]), np.array([1.9, 1.1])),
                 1.031628453489877, 2, 0.5, 5e4, f.six_hump_camel_back, "F5_opt.dat"),
        _problem(6, "Shubert", 2, _box(-10, 10, 2), 186.7309088310239, 18, 0.5, 2e5, f.shubert,
                 "F6_2D_opt.dat"),
        _problem(7, "Vincent", 2, _box(0.25, 10, 2), 1.0, 36, 0.2, 2e5, f.vincent,
                 "F7_2D_opt.dat"),
        _problem(8, "Shubert", 3, _box(-10, 10, 3), 2709.093505572820, 81, 0.5, 4e5, f.shubert,
                 "F6_3D_opt.dat"),
        _problem(9, "Vincent", 3, _box(0.25, 10, 3), 1.0, 216, 0.2, 4e5, f.vincent,
                 "F7_3D_opt.dat"),
        _problem(10, "modified Rastrigin", 2, _box(0, 1, 2), -2.0, 12, 0.01, 2e5,
                 f.modified_rastrigin, "F8_2D_opt.dat"),
    ]
    compositions = [(11, "CF1", 2, 2e5), (12, "CF2", 2, 2e5), (13, "CF3", 2, 2e5),
                    (14, "CF3", 3, 4e5), (15, "CF4", 3, 4e5), (16, "CF3", 5, 4e5),
                    (17, "CF4", 5, 4e5), (18, "CF3", 10, 4e5), (19, "CF4", 10, 4e5),
                    (20, "CF4", 20, 4e5)]
    for number, name, dim, max_fes in compositions:
        fn = _lazy(lambda name=name, dim=dim: _composition(name, dim))
        problems.append(_problem(number, name, dim, _box(-5, 5, dim), 0.0,
                                 COMPOSITIONS[name].size, 0.01, max_fes, fn,
                                 f"{name}_M_D{dim}_opt.dat"))
    return tuple(problems)


#: The 20 problems, F1 first.
NICHING_PROBLEMS = _build_suite()


def niching_problems():
    """The 20 problems of the suite, F1 to F20 (a list)."""
    return list(NICHING_PROBLEMS)


def niching_problem(key):
    """One problem by number (1-20) or name (``'F7'``).

    Raises
    ------
    ValueError
        For anything else; the message lists the valid names.
    """
    if isinstance(key, str) and key.upper().startswith("F") and key[1:].isdigit():
        key = int(key[1:])
    if isinstance(key, (int, np.integer)) and not isinstance(key, bool) and 1 <= key <= 20:
        return NICHING_PROBLEMS[int(key) - 1]
    raise ValueError(f"problem must be one of F1 ... F20 (or 1 ... 20); got {key!r}")
