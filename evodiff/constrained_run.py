"""A run of ``minimize(..., constraints=...)``: Deb's rules between the objective and the optimiser.

Every generation is evaluated as usual; the constraints are evaluated on the
same points; the optimiser is told the costs of :func:`~evodiff.constraints.feasibility_first`
(feasible points by their objective value, infeasible ones behind them by
their violation), and the run's history records the feasible values only.
:class:`FeasibleRecord` keeps the best feasible point evaluated (the answer)
and, while none is feasible, the least violating one; it is saved in the
run's checkpoints so that a resumed run ends with the same answer.
"""

from __future__ import annotations

import math

import numpy as np
from array_api_compat import array_namespace

from .augmented_lagrangian import AugmentedLagrangian
from .backend import to_numpy
from .constraints import RULES, Constraints, feasibility_first, violations_of
from .validation import check_choice

__all__ = ["FeasibleRecord"]


_KEYS = ("feasible_x", "feasible_fun", "closest_x", "closest_fun", "closest_violation")


class FeasibleRecord:
    """The best feasible point of a constrained run, and the least violating one.

    Parameters
    ----------
    constraints : object
        What ``minimize(constraints=...)`` received (see :class:`~evodiff.constraints.Constraints`).
    dim : int
    vectorized : bool
        Whether the constraint callables take whole populations.
    sense : {'min', 'max'}
    skip_infeasible : bool, default False
        Evaluate the constraints first and the objective only at the feasible
        points (Deb's rules rank the others by their violation alone).
    rule : {'feasibility-first', 'augmented-lagrangian'}
        What the optimiser is told: Deb's costs
        (:func:`~evodiff.constraints.feasibility_first`) or the adaptive
        augmented-Lagrangian fitness
        (:class:`~evodiff.augmented_lagrangian.AugmentedLagrangian`, which
        needs the objective at every point: not with ``skip_infeasible``).

    Attributes
    ----------
    skipped : int
        Points whose objective was not evaluated (``skip_infeasible``).
    """

    def __init__(self, constraints, dim, vectorized, sense, skip_infeasible=False,
                 rule="feasibility-first"):
        self.constraints = Constraints(constraints, dim, vectorized=vectorized)
        self.sense = sense
        self.skip_infeasible = skip_infeasible
        self.rule = check_choice("constraint_rule", rule, RULES)
        if self.rule == "augmented-lagrangian" and skip_infeasible:
            raise ValueError("skip_infeasible needs constraint_rule='feasibility-first' (the "
                             "augmented Lagrangian ranks every point by its objective value)")
        self.lagrangian = AugmentedLagrangian(dim) if self.rule == "augmented-lagrangian" else None
        self.skipped = 0
        self.feasible_x, self.feasible_fun = None, math.nan
        self.closest_x, self.closest_fun, self.closest_violation = None, math.nan, math.inf
        self._values = self._violation = self._constraint_values = None

    def _better(self, a, b):
        if not math.isfinite(b):
            return math.isfinite(a)
        return math.isfinite(a) and (a < b if self.sense == "min" else a > b)

    def evaluate(self, points, host_points, evaluator):
        """Evaluate a generation (``points`` as asked, their host copy) and record it; return
        the values with NaN at the infeasible points (what the history records)."""
        host_points = np.asarray(host_points, dtype=np.float64)
        if not self.skip_infeasible:
            return self.evaluated(host_points, to_numpy(evaluator(points)))
        constraint_values = self.constraints.values(host_points)
        violation = violations_of(constraint_values).sum(axis=1)
        feasible = violation <= 0.0
        values = np.full(host_points.shape[0], math.nan)
        if feasible.any():
            chosen = np.flatnonzero(feasible)
            xp = array_namespace(points)
            subset = xp.take(points, xp.asarray(chosen), axis=0)
            values[chosen] = np.asarray(to_numpy(evaluator(subset)), dtype=np.float64)
        self.skipped += int((~feasible).sum())
        return self.evaluated(host_points, values, constraint_values)

    def evaluated(self, points, values, constraint_values=None):
        """Record a generation (host points, objective values, optionally the constraint
        values at them); return the values with NaN at the infeasible points (what the
        history records)."""
        points = np.asarray(points, dtype=np.float64)
        values = np.asarray(values, dtype=np.float64).reshape(-1)
        if constraint_values is None:
            constraint_values = self.constraints.values(points)
        violation = violations_of(constraint_values).sum(axis=1)
        self._values, self._violation = values, violation
        self._constraint_values = constraint_values
        feasible = violation <= 0.0
        own = values if self.sense == "min" else -values
        ranked = np.where(feasible & np.isfinite(own), own, math.inf)
        i = int(np.argmin(ranked))  # the generation's best feasible point (first of ties)
        if math.isfinite(ranked[i]) and self._better(values[i], self.feasible_fun):
            self.feasible_x, self.feasible_fun = points[i].copy(), float(values[i])
        if not feasible.all():
            i = int(np.argmin(np.where(feasible, math.inf, violation)))
            if violation[i] < self.closest_violation:
                self.closest_x, self.closest_fun = points[i].copy(), float(values[i])
                self.closest_violation = float(violation[i])
        return np.where(feasible, values, math.nan)

    def told(self, _history_values):
        """The values told to the optimiser for the generation just recorded (user's sign)."""
        if self.lagrangian is None:
            cost = feasibility_first(self._values, self._violation, self.sense)
        else:
            own = self._values if self.sense == "min" else -self._values
            own = np.where(np.isfinite(own), own, math.inf)
            cost = self.lagrangian.fitness(own, self._constraint_values)
            self.lagrangian.update(own, self._constraint_values)
        return cost if self.sense == "min" else -cost

    def violation(self, x):
        """Total violation at one point."""
        return float(self.constraints.violation(np.asarray(x, dtype=np.float64)[None, :])[0])

    def answer(self):
        """``(x, fun, violation)``: the best feasible point, or else the least violating one."""
        if self.feasible_x is not None:
            return self.feasible_x, self.feasible_fun, 0.0
        return self.closest_x, self.closest_fun, self.closest_violation

    # -- checkpoints ----------------------------------------------------------------------

    def state(self):
        """Arrays for the run's checkpoint (``constraint_*`` members)."""
        empty = np.full(self.constraints.dim, np.nan)
        lagrangian = {} if self.lagrangian is None else {
            f"constraint_{key}": value for key, value in self.lagrangian.state().items()}
        return {
            "constraint_feasible_x": empty if self.feasible_x is None else self.feasible_x,
            "constraint_feasible_fun": np.array([self.feasible_fun]),
            "constraint_closest_x": empty if self.closest_x is None else self.closest_x,
            "constraint_closest_fun": np.array([self.closest_fun]),
            "constraint_closest_violation": np.array([self.closest_violation]),
            **lagrangian,
        }

    def load(self, extra, path):
        """Restore what :meth:`state` saved (refused when the checkpoint has none)."""
        try:
            arrays = {key: np.asarray(extra[f"constraint_{key}"], dtype=np.float64)
                      for key in _KEYS}
        except KeyError as exc:
            raise ValueError(f"resume: {path!r} holds no constrained run; resume it without "
                             "constraints=, or start a new run") from exc
        dim = self.constraints.dim
        if arrays["feasible_x"].shape != (dim,) or arrays["closest_x"].shape != (dim,):
            raise ValueError(f"not a valid evodiff checkpoint: {path!r} holds constraint points "
                             f"of another dimension")
        feasible = np.all(np.isfinite(arrays["feasible_x"]))
        closest = np.all(np.isfinite(arrays["closest_x"]))
        self.feasible_x = arrays["feasible_x"].copy() if feasible else None
        self.feasible_fun = float(arrays["feasible_fun"][0])
        self.closest_x = arrays["closest_x"].copy() if closest else None
        self.closest_fun = float(arrays["closest_fun"][0])
        self.closest_violation = float(arrays["closest_violation"][0])
        if self.lagrangian is None and "constraint_al_lam" in extra:
            raise ValueError(f"resume: {path!r} holds a run of another constraint rule "
                             "(augmented-Lagrangian state)")
        if self.lagrangian is not None:
            try:
                self.lagrangian.load({key: extra[f"constraint_{key}"]
                                      for key in self.lagrangian.state()})
            except KeyError as exc:
                raise ValueError(f"resume: {path!r} holds a run of another constraint rule "
                                 "(no augmented-Lagrangian state)") from exc
