"""Composition functions CF1-CF4 of the CEC'2013 niching suite (problems F11-F20).

A composition function blends ``k`` base functions, each centred at its own
optimum ``o_i`` (so every ``o_i`` is a global optimum of value 0):

``F(x) = -sum_i w_i(x) * (C * f_i(z_i) / f_i(z_i^max) + bias_i)``, with
``z_i = ((x - o_i) / lambda_i) M_i`` (a row vector times the rotation ``M_i``),
``z_i^max = (5, ..., 5) / lambda_i M_i`` (each component normalised by its value
at that corner), ``C = 2000`` and every bias 0.  The weights are Gaussian in
the distance to each optimum, ``w_i = exp(-||x - o_i||^2 / (2 D sigma_i^2))``;
all but the largest are multiplied by ``1 - max_w^10`` (so that at ``o_i``
only the i-th component counts), then they are normalised to sum 1 (equal
weights where they all underflow).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import functions as base

__all__ = ["COMPOSITIONS", "Composition", "composition_function"]

#: The normalising constant C of the report.
C = 2000.0


@dataclass(frozen=True)
class Composition:
    """The recipe of one composition function: base functions, sigma, lambda, rotated or not."""

    name: str
    functions: tuple
    sigma: tuple
    lam: tuple
    rotated: bool

    @property
    def size(self):
        """The number ``k`` of components (and of global optima)."""
        return len(self.functions)


#: CF1-CF4 as the report defines them.
COMPOSITIONS = {
    "CF1": Composition("CF1", (base.griewank, base.griewank, base.weierstrass, base.weierstrass,
                               base.sphere, base.sphere),
                       sigma=(1.0,) * 6, lam=(1.0, 1.0, 8.0, 8.0, 1.0 / 5.0, 1.0 / 5.0),
                       rotated=False),
    "CF2": Composition("CF2", (base.rastrigin, base.rastrigin, base.weierstrass,
                               base.weierstrass, base.griewank, base.griewank, base.sphere,
                               base.sphere),
                       sigma=(1.0,) * 8,
                       lam=(1.0, 1.0, 10.0, 10.0, 1.0 / 10.0, 1.0 / 10.0, 1.0 / 7.0, 1.0 / 7.0),
                       rotated=False),
    "CF3": Composition("CF3", (base.expanded_griewank_rosenbrock,
                               base.expanded_griewank_rosenbrock, base.weierstrass,
                               base.weierstrass, base.griewank, base.griewank),
                       sigma=(1.0, 1.0, 2.0, 2.0, 2.0, 2.0),
                       lam=(1.0 / 4.0, 1.0 / 10.0, 2.0, 1.0, 2.0, 5.0), rotated=True),
    "CF4": Composition("CF4", (base.rastrigin, base.rastrigin,
                               base.expanded_griewank_rosenbrock,
                               base.expanded_griewank_rosenbrock, base.weierstrass,
                               base.weierstrass, base.griewank, base.griewank),
                       sigma=(1.0, 1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 2.0),
                       lam=(4.0, 1.0, 4.0, 1.0, 1.0 / 10.0, 1.0 / 5.0, 1.0 / 10.0, 1.0 / 40.0),
                       rotated=True),
}


def _weights(X, shifts, sigma):
    """The normalised weights (N, k) of the components at the points X (N, D)."""
    dim = X.shape[1]
    squared = np.sum((X[:, None, :] - shifts[None, :, :]) ** 2, axis=2)
    weights = np.exp(-squared / (2.0 * dim * np.asarray(sigma) ** 2))
    largest = np.argmax(weights, axis=1)  # the first of equal maxima, as in the report's code
    peak = weights[np.arange(X.shape[0]), largest]
    damped = weights * (1.0 - peak ** 10)[:, None]
    damped[np.arange(X.shape[0]), largest] = peak
    total = np.sum(damped, axis=1, keepdims=True)
    uniform = np.full_like(damped, 1.0 / damped.shape[1])
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0.0, damped / np.where(total > 0.0, total, 1.0), uniform)


def composition_function(recipe, shifts, rotations):
    """The vectorised (maximised) composition function of ``recipe``.

    Parameters
    ----------
    recipe : Composition
    shifts : ndarray, shape (k, D)
        The optima ``o_i``.
    rotations : ndarray, shape (k, D, D)
        The matrices ``M_i`` (identities for CF1 and CF2).

    Returns
    -------
    callable
        ``f(X) -> (N,)`` for ``X`` of shape ``(N, D)``.
    """
    shifts = np.array(shifts, dtype=np.float64)
    rotations = np.array(rotations, dtype=np.float64)
    dim = shifts.shape[1]
    lam = np.asarray(recipe.lam)
    corner = np.full((1, dim), 5.0)
    normalisers = np.array([fn((corner / lam[i]) @ rotations[i])[0]
                            for i, fn in enumerate(recipe.functions)])

    def evaluate(X):
        X = np.asarray(X, dtype=np.float64)
        weights = _weights(X, shifts, recipe.sigma)
        total = np.zeros(X.shape[0])
        for i, fn in enumerate(recipe.functions):
            Z = ((X - shifts[i]) / lam[i]) @ rotations[i]
            total += weights[:, i] * (C * fn(Z) / normalisers[i])
        return -total

    return evaluate
