"""The organisers' counting of global optima in a solution set, and the scores built on it.

The count (the report's "how many global optima" algorithm): sort the
solutions by value, best first; walk down the list and make a solution a
*seed* when no seed already lies within the niche radius ``rho`` of it;
every seed whose value is within ``accuracy`` of ``fstar`` is a global
optimum found (at most the problem's number of optima).

From the count: the peak ratio (found / optima; the *recall*), success
(all found), and since GECCO 2017 the static F1 score of the reported set,
``2 P R / (P + R)`` with precision ``P`` = found / solutions reported, which
keeps a method from winning by reporting its whole history.
"""

from __future__ import annotations

import numpy as np

__all__ = ["ACCURACIES", "count_global_optima", "score_solutions"]

#: The five accuracy levels of the protocol.
ACCURACIES = (1e-1, 1e-2, 1e-3, 1e-4, 1e-5)


def _seeds(points, rho):
    """Indices (into ``points``, already sorted best first) of the niche seeds."""
    seeds = []
    for index, point in enumerate(points):
        if seeds:
            distance = np.sqrt(np.sum((points[seeds] - point) ** 2, axis=1))
            if np.any(distance <= rho):
                continue
        seeds.append(index)
    return seeds


def count_global_optima(points, values, fstar, accuracy, rho, n_optima):
    """The solutions that count as distinct global optima.

    Parameters
    ----------
    points : array_like, shape (M, D)
        The reported solutions.
    values : array_like, shape (M,)
        Their values (maximised).
    fstar : float
        The global optimum value.
    accuracy : float
        A solution is global when ``|value - fstar| <= accuracy``.
    rho : float
        Niche radius: a solution within ``rho`` of a better one is not a new optimum.
    n_optima : int
        The number of global optima (the count stops there).

    Returns
    -------
    ndarray of int
        Indices into ``points`` of the optima counted, best first; its length
        is the number found.
    """
    points = np.asarray(points, dtype=np.float64)
    values = np.asarray(values, dtype=np.float64).reshape(-1)
    if points.ndim != 2 or points.shape[0] != values.shape[0]:
        raise ValueError(f"points must have shape (M, D) and values (M,); got {points.shape} "
                         f"and {values.shape}")
    if points.shape[0] == 0:
        return np.zeros(0, dtype=int)
    # NaN values sort last and never count
    order = np.argsort(np.where(np.isnan(values), -np.inf, -values), kind="stable")
    found = []
    for seed in _seeds(points[order], rho):
        index = order[seed]
        if abs(values[index] - fstar) <= accuracy:
            found.append(index)
            if len(found) == n_optima:
                break
    return np.asarray(found, dtype=int)


def score_solutions(problem, points, values=None, accuracies=ACCURACIES):
    """Score one run's solution set at every accuracy level.

    Parameters
    ----------
    problem : NichingProblem
    points : array_like, shape (M, D)
        The solutions the method reports (M may be 0).
    values : array_like, shape (M,), optional
        Their values; evaluated here when not given (not counted as the run's evaluations).
    accuracies : sequence of float, default :data:`ACCURACIES`

    Returns
    -------
    list of dict
        One per accuracy: ``accuracy``, ``found``, ``peak_ratio`` (recall),
        ``success`` (all found), ``precision`` (found / reported; 0 when
        nothing is reported) and ``f1`` (0 when both are 0).
    """
    points = np.asarray(points, dtype=np.float64).reshape(-1, problem.dim)
    if values is None:
        values = problem(points) if points.shape[0] else np.zeros(0)
    scores = []
    for accuracy in accuracies:
        found = len(count_global_optima(points, values, problem.fstar, accuracy, problem.rho,
                                        problem.n_optima))
        recall = found / problem.n_optima
        precision = found / points.shape[0] if points.shape[0] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if found else 0.0
        scores.append({"accuracy": accuracy, "found": found, "peak_ratio": recall,
                       "success": found == problem.n_optima, "precision": precision, "f1": f1})
    return scores
