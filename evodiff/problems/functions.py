"""The benchmark functions, each a :class:`~evodiff.problems.Problem` factory of the dimension."""

from __future__ import annotations

import math
import numbers

import numpy as np
from array_api_compat import array_namespace

from .problem import Problem, check_dim, constant_like

__all__ = ["sphere", "ellipsoid", "rastrigin", "ackley", "rosenbrock", "beale", "himmelblau",
           "two_peaks"]


def _check_2d_only(dim, name):
    if check_dim(dim) != 2:
        raise ValueError(f"{name} is defined for dim=2 only, got dim={dim}")


def _box(dim, half_width):
    return np.full(dim, -half_width), np.full(dim, half_width)


def sphere(dim):
    """Sphere function ``f(x) = sum_i x_i**2``.

    Domain ``[-5, 5]^D``; global minimum 0 at the origin.

    Parameters
    ----------
    dim : int
        Number of variables, >= 1.

    Returns
    -------
    Problem
    """
    dim = check_dim(dim)

    def fn(X):
        xp = array_namespace(X)
        return xp.sum(X * X, axis=1)

    lower, upper = _box(dim, 5.0)
    return Problem("sphere", dim, lower, upper, np.zeros((1, dim)), 0.0, "min", fn)


def ellipsoid(dim, condition=1e6):
    """Ellipsoid ``f(x) = sum_i condition**(i / (D - 1)) * x_i**2``, i = 0..D-1.

    For D = 1 the single weight is 1. Domain ``[-5, 5]^D``; global minimum 0
    at the origin.

    Parameters
    ----------
    dim : int
        Number of variables, >= 1.
    condition : float, optional
        Ratio of the largest to the smallest weight (positive, finite).

    Returns
    -------
    Problem
    """
    dim = check_dim(dim)
    if not (isinstance(condition, numbers.Real) and 0 < condition < math.inf):
        raise ValueError(
            f"condition must be a positive finite number, got {condition!r}"
        )
    if dim == 1:
        weights = np.ones(1)
    else:
        weights = float(condition) ** (np.arange(dim) / (dim - 1))

    def fn(X):
        xp = array_namespace(X)
        return xp.sum(constant_like(weights, X) * X * X, axis=1)

    lower, upper = _box(dim, 5.0)
    return Problem("ellipsoid", dim, lower, upper, np.zeros((1, dim)), 0.0, "min", fn)


def rastrigin(dim):
    """Rastrigin ``f(x) = 10 D + sum_i (x_i**2 - 10 cos(2 pi x_i))``.

    Domain ``[-5.12, 5.12]^D``; global minimum 0 at the origin, with a local
    minimum near every integer lattice point.

    Parameters
    ----------
    dim : int
        Number of variables, >= 1.

    Returns
    -------
    Problem
    """
    dim = check_dim(dim)

    def fn(X):
        xp = array_namespace(X)
        return 10.0 * dim + xp.sum(X * X - 10.0 * xp.cos(2.0 * xp.pi * X), axis=1)

    lower, upper = _box(dim, 5.12)
    return Problem("rastrigin", dim, lower, upper, np.zeros((1, dim)), 0.0, "min", fn)


def ackley(dim):
    """Ackley function with a = 20, b = 0.2, c = 2 pi.

    ``f(x) = -a exp(-b sqrt(mean(x**2))) - exp(mean(cos(c x))) + a + e``.
    Domain ``[-32.768, 32.768]^D``; global minimum 0 at the origin (rounding
    gives about 4e-16 there in float64).

    Parameters
    ----------
    dim : int
        Number of variables, >= 1.

    Returns
    -------
    Problem
    """
    dim = check_dim(dim)

    def fn(X):
        xp = array_namespace(X)
        mean_sq = xp.sum(X * X, axis=1) / dim
        mean_cos = xp.sum(xp.cos(2.0 * xp.pi * X), axis=1) / dim
        return (
            -20.0 * xp.exp(-0.2 * xp.sqrt(mean_sq)) - xp.exp(mean_cos) + (20.0 + math.e)
        )

    lower, upper = _box(dim, 32.768)
    return Problem("ackley", dim, lower, upper, np.zeros((1, dim)), 0.0, "min", fn)


def rosenbrock(dim):
    """Rosenbrock ``f(x) = sum_i 100 (x_{i+1} - x_i**2)**2 + (1 - x_i)**2``.

    Domain ``[-5, 10]^D``; global minimum 0 at ``(1, ..., 1)``.

    Parameters
    ----------
    dim : int
        Number of variables, >= 2.

    Returns
    -------
    Problem
    """
    dim = check_dim(dim, minimum=2)

    def fn(X):
        xp = array_namespace(X)
        head, tail = X[:, :-1], X[:, 1:]
        return xp.sum(100.0 * (tail - head * head) ** 2 + (1.0 - head) ** 2, axis=1)

    lower, upper = np.full(dim, -5.0), np.full(dim, 10.0)
    return Problem("rosenbrock", dim, lower, upper, np.ones((1, dim)), 0.0, "min", fn)


def beale(dim=2):
    """Beale function (2-D only).

    ``f(x, y) = (1.5 - x + x y)**2 + (2.25 - x + x y**2)**2 + (2.625 - x + x y**3)**2``.
    Domain ``[-4.5, 4.5]^2``; global minimum 0 at ``(3, 0.5)``.

    Parameters
    ----------
    dim : int, optional
        Must be 2; accepted so that every factory takes ``dim``.

    Returns
    -------
    Problem
    """
    _check_2d_only(dim, "beale")

    def fn(X):
        x, y = X[:, 0], X[:, 1]
        return (
            (1.5 - x + x * y) ** 2
            + (2.25 - x + x * y**2) ** 2
            + (2.625 - x + x * y**3) ** 2
        )

    lower, upper = _box(2, 4.5)
    return Problem("beale", 2, lower, upper, [[3.0, 0.5]], 0.0, "min", fn)


def _himmelblau_minima():
    """The four zeros of Himmelblau's function, refined by Newton's method.

    The function is r1**2 + r2**2 with r1 = x**2 + y - 11, r2 = x + y**2 - 7,
    so its minima (value 0) are the common roots of r1 and r2.
    """
    starts = [
        (3.0, 2.0),
        (-2.805118, 3.131312),
        (-3.779310, -3.283186),
        (3.584428, -1.848126),
    ]
    minima = []
    for start in starts:
        p = np.array(start)
        for _ in range(20):
            x, y = p
            residual = np.array([x * x + y - 11.0, x + y * y - 7.0])
            jacobian = np.array([[2.0 * x, 1.0], [1.0, 2.0 * y]])
            p = p - np.linalg.solve(jacobian, residual)
        minima.append(p)
    return np.array(minima)


_HIMMELBLAU_MINIMA = _himmelblau_minima()


def himmelblau(dim=2):
    """Himmelblau function (2-D only): ``(x**2 + y - 11)**2 + (x + y**2 - 7)**2``.

    Domain ``[-5, 5]^2``; four global minima with value 0: ``(3, 2)`` and,
    approximately, ``(-2.805118, 3.131312)``, ``(-3.779310, -3.283186)`` and
    ``(3.584428, -1.848126)`` (stored to full double precision).

    Parameters
    ----------
    dim : int, optional
        Must be 2; accepted so that every factory takes ``dim``.

    Returns
    -------
    Problem
    """
    _check_2d_only(dim, "himmelblau")

    def fn(X):
        x, y = X[:, 0], X[:, 1]
        return (x * x + y - 11.0) ** 2 + (x + y * y - 7.0) ** 2

    lower, upper = _box(2, 5.0)
    return Problem("himmelblau", 2, lower, upper, _HIMMELBLAU_MINIMA, 0.0, "min", fn)


_PEAK_CENTRE = 1.5
_PEAK_HEIGHTS = (1.0, 0.6)
_PEAK_STD = 0.5


def _diagonal_peak(dim, start):
    """Locate a peak of two_peaks on the diagonal by Newton's method on t.

    Both bumps are isotropic and centred on the diagonal, so the function
    factorises into a decreasing function of the distance to the diagonal
    times g(t) at the point t * ones; its peaks are therefore peaks of g.
    """
    q = dim / _PEAK_STD**2
    centres = (_PEAK_CENTRE, -_PEAK_CENTRE)
    t = start
    for _ in range(20):
        grad = hess = 0.0
        for height, centre in zip(_PEAK_HEIGHTS, centres):
            u = t - centre
            bump = height * math.exp(-0.5 * q * u * u)
            grad += -q * u * bump
            hess += (q * q * u * u - q) * bump
        t -= grad / hess
    return np.full((1, dim), t)


def two_peaks(dim=2):
    """Two Gaussian bumps; a maximisation problem with one global peak.

    ``f(x) = 1.0 exp(-|x - c|**2 / (2 s**2)) + 0.6 exp(-|x + c|**2 / (2 s**2))``
    with ``c = (1.5, ..., 1.5)`` and ``s = 0.5``. Domain ``[-4, 4]^D``. The
    global maximum (about 1) lies near ``c`` and the local one (about 0.6) near
    ``-c``; the other bump moves each very slightly towards ``-c`` or ``c``,
    so both are located numerically. The local peak is in ``local_optima``.

    Parameters
    ----------
    dim : int, optional
        Number of variables, >= 1 (default 2).

    Returns
    -------
    Problem
    """
    dim = check_dim(dim)
    scale = -0.5 / _PEAK_STD**2
    high, low = _PEAK_HEIGHTS

    def fn(X):
        xp = array_namespace(X)
        near = xp.sum((X - _PEAK_CENTRE) ** 2, axis=1)
        far = xp.sum((X + _PEAK_CENTRE) ** 2, axis=1)
        return high * xp.exp(scale * near) + low * xp.exp(scale * far)

    optimum = _diagonal_peak(dim, _PEAK_CENTRE)
    local = _diagonal_peak(dim, -_PEAK_CENTRE)
    lower, upper = _box(dim, 4.0)
    value = float(fn(optimum)[0])
    return Problem("two_peaks", dim, lower, upper, optimum, value, "max", fn, local)
