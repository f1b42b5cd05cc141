"""The functions of the CEC'2013 niching suite, vectorised over a population.

Written from the definitions of X. Li, A. Engelbrecht and M. G. Epitropakis,
*Benchmark Functions for CEC'2013 Special Session and Competition on Niching
Methods for Multimodal Function Optimization*, Technical Report, RMIT
University, 2013.  Every function takes ``X`` of shape ``(N, D)`` (float64)
and returns ``(N,)``; the suite is *maximised*.

The first group are the suite's own landscapes (F1-F10).  The second are the
base functions of the composition functions (:mod:`.composition`): each is
minimised, with its global minimum 0 at the origin.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "equal_maxima",
    "expanded_griewank_rosenbrock",
    "five_uneven_peak_trap",
    "griewank",
    "himmelblau",
    "modified_rastrigin",
    "rastrigin",
    "shubert",
    "six_hump_camel_back",
    "sphere",
    "uneven_decreasing_maxima",
    "vincent",
    "weierstrass",
]

# ---- F1-F10: the suite's own landscapes (maximised) --------------------------------------

#: Pieces of the five-uneven-peak trap: (left end, slope, x where the piece is zero).
_TRAP_PIECES = (
    (0.0, -80.0, 2.5),
    (2.5, 64.0, 2.5),
    (5.0, -64.0, 7.5),
    (7.5, 28.0, 7.5),
    (12.5, -28.0, 17.5),
    (17.5, 32.0, 17.5),
    (22.5, -32.0, 27.5),
    (27.5, 80.0, 27.5),
)


def five_uneven_peak_trap(X):
    """F1: piecewise linear on [0, 30]; global maxima 200 at x = 0 and x = 30."""
    x = X[:, 0]
    value = np.zeros_like(x)
    for left, slope, zero in _TRAP_PIECES:
        inside = x >= left
        value = np.where(inside, slope * (x - zero), value)
    # outside [0, 30] the function is 0, as in the report
    return np.where((x < 0.0) | (x > 30.0), 0.0, value)


def equal_maxima(X):
    """F2: ``sin^6(5 pi x)``; five global maxima 1 at x = 0.1, 0.3, ..., 0.9."""
    return np.sin(5.0 * np.pi * X[:, 0]) ** 6


def uneven_decreasing_maxima(X):
    """F3: ``exp(-2 log 2 ((x - 0.08) / 0.854)^2) sin^6(5 pi (x^(3/4) - 0.05))``."""
    x = X[:, 0]
    envelope = np.exp(-2.0 * np.log(2.0) * ((x - 0.08) / 0.854) ** 2)
    return envelope * np.sin(5.0 * np.pi * (np.abs(x) ** 0.75 - 0.05)) ** 6


def himmelblau(X):
    """F4: ``200 - (x^2 + y - 11)^2 - (x + y^2 - 7)^2``; four global maxima 200."""
    x, y = X[:, 0], X[:, 1]
    return 200.0 - (x ** 2 + y - 11.0) ** 2 - (x + y ** 2 - 7.0) ** 2


def six_hump_camel_back(X):
    """F5: the negated six-hump camel back; two global maxima 1.0316..."""
    x, y = X[:, 0], X[:, 1]
    x2, y2 = x ** 2, y ** 2
    return -((4.0 - 2.1 * x2 + x2 ** 2 / 3.0) * x2 + x * y + (4.0 * y2 - 4.0) * y2)


def shubert(X):
    """F6 (D = 2) and F8 (D = 3): ``-prod_i sum_{j=1}^5 j cos((j + 1) x_i + j)``."""
    j = np.arange(1.0, 6.0)
    terms = j * np.cos((j + 1.0) * X[:, :, None] + j)
    return -np.prod(np.sum(terms, axis=2), axis=1)


def vincent(X):
    """F7 (D = 2) and F9 (D = 3): ``mean_i sin(10 log x_i)`` on [0.25, 10]^D."""
    return np.mean(np.sin(10.0 * np.log(X)), axis=1)


#: The frequencies k_i of the modified Rastrigin function in 2-D (3 x 4 = 12 global optima).
MODIFIED_RASTRIGIN_K = (3.0, 4.0)


def modified_rastrigin(X):
    """F10: ``-sum_i (10 + 9 cos(2 pi k_i x_i))`` with k = (3, 4); every optimum is global (-2)."""
    k = np.asarray(MODIFIED_RASTRIGIN_K[:X.shape[1]])
    return -np.sum(10.0 + 9.0 * np.cos(2.0 * np.pi * k * X), axis=1)


# ---- base functions of the compositions (minimised, 0 at the origin) ---------------------

def sphere(Z):
    """``sum z_i^2``."""
    return np.sum(Z ** 2, axis=1)


def rastrigin(Z):
    """``sum (z_i^2 - 10 cos(2 pi z_i) + 10)``."""
    return np.sum(Z ** 2 - 10.0 * np.cos(2.0 * np.pi * Z) + 10.0, axis=1)


def griewank(Z):
    """``1 + sum z_i^2 / 4000 - prod cos(z_i / sqrt(i))`` (i from 1)."""
    divisors = np.sqrt(np.arange(1.0, Z.shape[1] + 1.0))
    return 1.0 + np.sum(Z ** 2, axis=1) / 4000.0 - np.prod(np.cos(Z / divisors), axis=1)


#: Weierstrass constants of the report: a = 0.5, b = 3, k = 0..20.
WEIERSTRASS_A, WEIERSTRASS_B, WEIERSTRASS_KMAX = 0.5, 3.0, 20


def weierstrass(Z):
    """``sum_i sum_k a^k cos(2 pi b^k (z_i + 0.5)) - D sum_k a^k cos(pi b^k)``."""
    k = np.arange(WEIERSTRASS_KMAX + 1.0)
    amplitude = WEIERSTRASS_A ** k
    frequency = WEIERSTRASS_B ** k
    waves = amplitude * np.cos(2.0 * np.pi * frequency * (Z[:, :, None] + 0.5))
    offset = Z.shape[1] * np.sum(amplitude * np.cos(np.pi * frequency))
    return np.sum(waves, axis=(1, 2)) - offset


def _griewank_of_rosenbrock(x, y):
    """Griewank's one-dimensional F8 applied to Rosenbrock's two-variable F2."""
    rosenbrock = 100.0 * (x ** 2 - y) ** 2 + (x - 1.0) ** 2
    return 1.0 + rosenbrock ** 2 / 4000.0 - np.cos(rosenbrock)


def expanded_griewank_rosenbrock(Z):
    """EF8F2: ``sum_i F8(F2(z_i + 1, z_{i+1} + 1))``, the last pair wrapping to ``z_1``.

    The shift by one moves Rosenbrock's minimum (at 1) to the origin.
    """
    shifted = Z + 1.0
    following = np.roll(shifted, -1, axis=1)
    return np.sum(_griewank_of_rosenbrock(shifted, following), axis=1)
