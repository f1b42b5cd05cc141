"""Evaluating the objective on a population.

:func:`evaluate` is the single place where a run calls the user's objective.
With ``vectorized=True`` the objective receives the whole ``(N, D)`` population
on the optimiser's backend and returns ``(N,)`` values; otherwise it is called
once per point with a ``(D,)`` host NumPy array and returns a number.
"""

from __future__ import annotations

import numpy as np

from .backend import to_numpy

__all__ = ["evaluate"]


def evaluate(fun, X, *, vectorized=False, args=()):
    """Evaluate ``fun`` on every row of ``X``.

    Parameters
    ----------
    fun : callable
        ``fun(x, *args) -> float`` for a ``(D,)`` point, or with
        ``vectorized=True``, ``fun(X, *args) -> (N,)`` for the whole population.
    X : array, shape (N, D)
        Points; any supported array type.  Not modified.
    vectorized : bool, default False
        Whether ``fun`` takes the whole population at once.
    args : tuple, default ()
        Extra positional arguments passed to ``fun``.

    Returns
    -------
    array, shape (N,)
        The objective values: whatever ``fun`` returned (vectorised), or a
        float64 NumPy array (per point).

    Raises
    ------
    ValueError
        When a vectorised ``fun`` returns the wrong shape, or a per-point
        ``fun`` returns something that is not a single number; the message
        names the failing point's index.
    """
    if not callable(fun):
        raise TypeError(f"fun must be callable; got {type(fun).__name__}")
    if not isinstance(args, tuple):
        args = (args,)
    n = X.shape[0]
    if vectorized:
        values = fun(X, *args)
        shape = tuple(getattr(values, "shape", np.shape(values)))
        if shape != (n,):
            raise ValueError(
                f"a vectorized fun must return shape ({n},) for {n} points; got shape {shape}"
            )
        return values
    host = to_numpy(X)
    values = np.empty(n, dtype=np.float64)
    for i in range(n):
        point = host[i].copy()  # the objective may modify its argument; the population must not change
        result = fun(point, *args)
        try:
            values[i] = float(np.asarray(result).item()) if np.ndim(result) else float(result)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"fun must return a single real number per point; point {i} gave {result!r}"
            ) from exc
    return values
