"""Inequality constraints ``g(x) <= 0`` and the feasibility-first ranking of a generation.

:class:`Constraints` turns what a user gives (``scipy.optimize.NonlinearConstraint``
objects, callables ``g(x) <= 0``, vectorised or not, or a list of them) into
one function of a population: the violation of every constraint at every
point (zero where it holds).  :func:`feasibility_first` ranks a generation by
Deb's rules: a feasible point beats an infeasible one, two feasible points
compare by their objective values, two infeasible points by their total
violation; it returns costs (lower is better) that keep that order, for the
rank-based updates of evodiff's population methods.

Examples
--------
>>> import numpy as np
>>> from scipy.optimize import NonlinearConstraint
>>> from evodiff.constraints import Constraints, feasibility_first
>>> disc = NonlinearConstraint(lambda x: x[0] ** 2 + x[1] ** 2, -np.inf, 1.0)
>>> c = Constraints([disc, lambda x: x[0] - 0.5], dim=2)
>>> X = np.array([[0.0, 0.0], [0.9, 0.0], [2.0, 0.0]])
>>> c.violation(X).tolist()
[0.0, 0.4, 4.5]
>>> feasibility_first(np.array([3.0, 1.0, 0.0]), c.violation(X), "min").tolist()
[3.0, 6.0, 9.0]
"""

from __future__ import annotations

import math

import numpy as np

from .validation import check_bool, check_int, check_sense

__all__ = ["Constraints", "feasibility_first", "violations_of", "RULES"]

#: Constraint-handling rules of ``minimize(constraint_rule=...)``.
RULES = ("feasibility-first", "augmented-lagrangian")


def _nonlinear(constraint):
    """``(fun, lb, ub)`` of a ``scipy.optimize.NonlinearConstraint`` (checked by duck type)."""
    return constraint.fun, constraint.lb, constraint.ub


def _is_nonlinear(constraint):
    return all(hasattr(constraint, name) for name in ("fun", "lb", "ub"))


class Constraints:
    """The inequality constraints of a problem, evaluated on whole populations.

    Parameters
    ----------
    constraints : NonlinearConstraint, callable, or a list of them
        A ``scipy.optimize.NonlinearConstraint`` ``lb <= c(x) <= ub`` (vector
        ``c`` allowed; infinite limits are no constraint, ``lb == ub`` an
        equality whose violation is ``|c - lb|``), or a callable ``g`` with
        ``g(x) <= 0`` (a number or a vector per point).
    dim : int
        Dimension of the points.
    vectorized : bool, default False
        The callables take a population ``(N, D)`` and return ``(N,)`` or
        ``(N, m)``; otherwise each is called once per point.

    Attributes
    ----------
    count : int or None
        Number of scalar constraints ``g <= 0`` (columns of :meth:`values`;
        known after the first evaluation).
    """

    def __init__(self, constraints, dim, vectorized=False):
        self.dim = check_int("dim", dim, minimum=1)
        self.vectorized = check_bool("vectorized", vectorized)
        items = constraints if isinstance(constraints, (list, tuple)) else [constraints]
        if not items:
            raise ValueError("constraints must hold at least one constraint")
        self._parts = []
        for k, item in enumerate(items):
            if _is_nonlinear(item):
                fun, lb, ub = _nonlinear(item)
                if not callable(fun):
                    raise TypeError(f"constraints[{k}].fun must be callable")
                self._parts.append((fun, np.asarray(lb, dtype=np.float64),
                                    np.asarray(ub, dtype=np.float64)))
            elif callable(item):
                self._parts.append((item, None, None))
            else:
                raise TypeError(f"constraints[{k}] must be a NonlinearConstraint or a callable "
                                f"g(x) <= 0; got {type(item).__name__}")
        self.count = None

    def _values(self, fun, X):
        """``(N, m)`` values of one constraint function on the population."""
        if self.vectorized:
            values = np.asarray(fun(X), dtype=np.float64)
            values = values.reshape(X.shape[0], -1)
        else:
            values = np.stack([np.atleast_1d(np.asarray(fun(x), dtype=np.float64)).ravel()
                               for x in X])
        return values

    def values(self, X):
        """Every scalar constraint at every point in the form ``g <= 0``, ``(N, m)``.

        A ``NonlinearConstraint`` gives one column per finite limit (``lb - c``
        and ``c - ub``; an equality ``lb == ub`` gives both, so that its
        violation is ``|c - lb|``); a callable ``g`` its own values.  NaN stays
        NaN (:meth:`violations` counts it as infinitely violated).
        """
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.dim:
            raise ValueError(f"points must have shape (N, {self.dim}); got shape {X.shape}")
        columns = []
        for fun, lb, ub in self._parts:
            values = self._values(fun, X)
            if lb is None:  # g(x) <= 0
                columns.append(values)
                continue
            low = np.broadcast_to(lb, values.shape[1:])
            high = np.broadcast_to(ub, values.shape[1:])
            columns.append(low[np.isfinite(low)] - values[:, np.isfinite(low)])
            columns.append(values[:, np.isfinite(high)] - high[np.isfinite(high)])
        result = np.concatenate(columns, axis=1)
        self.count = result.shape[1]
        return result

    def violations(self, X):
        """Violation of every scalar constraint at every point, ``(N, m)``, zero where it holds.

        The positive parts of :meth:`values`; a NaN constraint value counts as
        an infinite violation (the point is infeasible).
        """
        return violations_of(self.values(X))

    def violation(self, X):
        """Total violation of each point, ``(N,)`` (0: feasible)."""
        return self.violations(X).sum(axis=1)


def violations_of(values):
    """Violations (positive parts) of constraint values ``g <= 0``; NaN is an infinite one."""
    values = np.asarray(values, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return np.where(np.isnan(values), math.inf, np.maximum(values, 0.0))


def feasibility_first(values, violation, sense):
    """Costs of a generation ranked by Deb's rules (lower is better).

    Feasible points keep their objective cost (``values``, or ``-values``
    under ``sense='max'``; NaN the worst); an infeasible point costs the worst
    feasible cost of the generation plus ``max(1, |worst|)`` times one plus
    the rank of its violation among the infeasible points: it ranks behind
    every feasible point, and infeasible points rank by their violation
    (ranks, as Deb's rules compare violations without measuring them; a sum
    would lose a violation of 1e-146 to rounding).

    Parameters
    ----------
    values : numpy.ndarray, shape (N,)
        Objective values (user's sign).
    violation : numpy.ndarray, shape (N,)
        Total violations, >= 0.
    sense : {'min', 'max'}

    Returns
    -------
    numpy.ndarray, shape (N,)
    """
    sense = check_sense(sense)
    values = np.asarray(values, dtype=np.float64)
    violation = np.asarray(violation, dtype=np.float64)
    if values.shape != violation.shape or values.ndim != 1:
        raise ValueError("values and violation must be 1-D arrays of one length")
    cost = values if sense == "min" else -values
    cost = np.where(np.isfinite(cost), cost, math.inf)
    feasible = violation <= 0.0
    finite = feasible & np.isfinite(cost)
    worst = float(cost[finite].max()) if finite.any() else 0.0
    # ranks, not sums: a violation of 1e-146 added to a cost of 1 would vanish in rounding
    ranks = np.unique(violation[~feasible], return_inverse=True)[1]
    spacing = max(1.0, abs(worst))
    result = cost.copy()
    result[~feasible] = worst + spacing * (1.0 + ranks)
    return result

