"""The unnormalised target of a sampling run: a log-density, or an energy at an inverse temperature.

:class:`LogTarget` evaluates ``log p(x)`` on a whole population, one call per
point or one vectorised call, counts the evaluations, and refuses what a
sampler cannot use: a value of NaN or ``+inf``, or an answer of the wrong
shape, with an error naming the point.  ``-inf`` is a zero density (the
point is never kept).
"""

from __future__ import annotations

import math

import numpy as np

from ..backend import to_numpy
from ..validation import check_bool, check_real

__all__ = ["LogTarget"]


class LogTarget:
    """``log p(x)`` of a population, from a log-density or from ``-beta * energy``.

    Parameters
    ----------
    fun : callable
        ``fun(x, *args) -> float`` for ``x`` of shape ``(D,)``, or with
        ``vectorized=True`` ``fun(X, *args) -> (N,)`` for a population
        ``(N, D)`` on the sampler's backend.
    dim : int
    beta : float, optional
        When given, ``fun`` is an energy and ``log p = -beta * fun``
        (the Boltzmann distribution at inverse temperature ``beta``).
    vectorized : bool, default False
    args : tuple, default ()

    Attributes
    ----------
    nfev : int
        Points evaluated so far.
    """

    def __init__(self, fun, dim, *, beta=None, vectorized=False, args=()):
        if not callable(fun):
            raise TypeError(f"log_density must be callable; got {type(fun).__name__}")
        self.fun = fun
        self.dim = dim
        self.beta = None if beta is None else check_real("beta", beta, minimum=0.0, strict=True)
        self.vectorized = check_bool("vectorized", vectorized)
        self.args = tuple(args)
        self.nfev = 0

    def __call__(self, X):
        """Log-densities (host float64, shape ``(N,)``) of the points ``X`` (backend, ``(N, D)``)."""
        count = int(X.shape[0])
        if self.vectorized:
            values = np.asarray(to_numpy(self.fun(X, *self.args)), dtype=np.float64)
            if values.shape not in ((count,), (count, 1)):
                raise ValueError(f"log_density must return shape ({count},) for a population "
                                 f"of {count} points (vectorized=True); got {values.shape}")
            values = values.reshape(count)
        else:
            host = to_numpy(X)
            values = np.empty(count)
            for i in range(count):
                value = np.asarray(to_numpy(self.fun(host[i], *self.args)), dtype=np.float64)
                if value.size != 1:
                    raise ValueError(f"log_density must return one number per point; got "
                                     f"shape {value.shape}")
                values[i] = value.reshape(())
        self.nfev += count
        if self.beta is not None:
            with np.errstate(invalid="ignore"):
                values = -self.beta * values
        bad = np.isnan(values) | (values == math.inf)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            kind = "energy" if self.beta is not None else "log_density"
            raise ValueError(f"{kind} gave {'NaN' if np.isnan(values[i]) else 'an infinite'} "
                             f"log-density at the point {to_numpy(X)[i].tolist()}: a sampler "
                             "needs a finite value or -inf (zero density)")
        return values
