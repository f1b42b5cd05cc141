"""Constrained benchmark problems with published optima (CEC 2006 set, Liang et al. 2006).

Each is a :class:`ConstrainedProblem`: a vectorised objective to minimise,
inequality constraints ``g(x) <= 0`` (vectorised, one column per
constraint), the box, and the best known point and value of the technical
report "Problem definitions and evaluation criteria for the CEC 2006 special
session on constrained real-parameter optimization".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["ConstrainedProblem", "g06", "g07", "CONSTRAINED_PROBLEMS"]


@dataclass(frozen=True)
class ConstrainedProblem:
    """A constrained minimisation problem with its best known solution.

    Attributes
    ----------
    name : str
    fn : callable
        ``fn(X) -> (N,)`` objective of a population ``(N, D)``.
    constraints : callable
        ``constraints(X) -> (N, m)``: the values of ``g``, feasible where all ``<= 0``.
    bounds : list of (low, high)
    x_best : numpy.ndarray, shape (D,)
        The best known solution.
    f_best : float
        Its objective value.
    """

    name: str
    fn: object
    constraints: object
    bounds: list
    x_best: np.ndarray
    f_best: float

    @property
    def dim(self):
        return len(self.bounds)

    def __call__(self, X):
        return self.fn(np.atleast_2d(np.asarray(X, dtype=np.float64)))


def _g06_f(X):
    return (X[:, 0] - 10.0) ** 3 + (X[:, 1] - 20.0) ** 3


def _g06_g(X):
    x1, x2 = X[:, 0], X[:, 1]
    return np.stack([-(x1 - 5.0) ** 2 - (x2 - 5.0) ** 2 + 100.0,
                     (x1 - 6.0) ** 2 + (x2 - 5.0) ** 2 - 82.81], axis=1)


def g06():
    """CEC 2006 g06: a cubic objective in 2-D, two nonlinear constraints, both active."""
    return ConstrainedProblem(
        "g06", _g06_f, _g06_g, [(13.0, 100.0), (0.0, 100.0)],
        np.array([14.09500000000000064, 0.8429607892154795668]), -6961.81387558015)


def _g07_f(X):
    x = [X[:, i] for i in range(10)]
    return (x[0] ** 2 + x[1] ** 2 + x[0] * x[1] - 14.0 * x[0] - 16.0 * x[1]
            + (x[2] - 10.0) ** 2 + 4.0 * (x[3] - 5.0) ** 2 + (x[4] - 3.0) ** 2
            + 2.0 * (x[5] - 1.0) ** 2 + 5.0 * x[6] ** 2 + 7.0 * (x[7] - 11.0) ** 2
            + 2.0 * (x[8] - 10.0) ** 2 + (x[9] - 7.0) ** 2 + 45.0)


def _g07_g(X):
    x = [X[:, i] for i in range(10)]
    return np.stack([
        -105.0 + 4.0 * x[0] + 5.0 * x[1] - 3.0 * x[6] + 9.0 * x[7],
        10.0 * x[0] - 8.0 * x[1] - 17.0 * x[6] + 2.0 * x[7],
        -8.0 * x[0] + 2.0 * x[1] + 5.0 * x[8] - 2.0 * x[9] - 12.0,
        3.0 * (x[0] - 2.0) ** 2 + 4.0 * (x[1] - 3.0) ** 2 + 2.0 * x[2] ** 2 - 7.0 * x[3] - 120.0,
        5.0 * x[0] ** 2 + 8.0 * x[1] + (x[2] - 6.0) ** 2 - 2.0 * x[3] - 40.0,
        x[0] ** 2 + 2.0 * (x[1] - 2.0) ** 2 - 2.0 * x[0] * x[1] + 14.0 * x[4] - 6.0 * x[5],
        0.5 * (x[0] - 8.0) ** 2 + 2.0 * (x[1] - 4.0) ** 2 + 3.0 * x[4] ** 2 - x[5] - 30.0,
        -3.0 * x[0] + 6.0 * x[1] + 12.0 * (x[8] - 8.0) ** 2 - 7.0 * x[9],
    ], axis=1)


def g07():
    """CEC 2006 g07: a quadratic objective in 10-D, three linear and five nonlinear constraints
    (six active at the optimum)."""
    return ConstrainedProblem(
        "g07", _g07_f, _g07_g, [(-10.0, 10.0)] * 10,
        np.array([2.17199634142692, 2.3636830416034, 8.77392573913157, 5.09598443745173,
                  0.990654756560493, 1.43057392853463, 1.32164415364306, 9.82872576524495,
                  8.2800915887356, 8.3759266477347]), 24.30620906818)


#: The constrained problems by name.
CONSTRAINED_PROBLEMS = {"g06": g06, "g07": g07}
