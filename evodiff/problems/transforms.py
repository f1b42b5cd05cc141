"""Moving a problem with its optima: shifts and rotations."""

from __future__ import annotations

import numpy as np
from array_api_compat import array_namespace

from ..randomness import as_generator
from ..validation import check_real
from .problem import Problem, check_dim, constant_like, host_array

__all__ = ["shifted", "random_shift", "random_rotation", "rotated"]


def shifted(problem, offset):
    """Move a problem's landscape by ``offset``: ``g(x) = f(x - offset)``.

    Parameters
    ----------
    problem : Problem
        The problem to shift; it is not modified.
    offset : float or array_like, shape (dim,)
        Displacement, the same for every coordinate if scalar.

    Returns
    -------
    Problem
        Named ``"shifted-<name>"``, with the same domain, optima moved by
        ``offset`` and the same optimum value. Local optima that leave the
        domain are dropped.

    Raises
    ------
    ValueError
        If ``offset`` has the wrong shape, is not finite, or moves a global
        optimum outside the domain.
    """
    off = np.asarray(offset, dtype=np.float64)
    if off.ndim == 0:
        off = np.full(problem.dim, off)
    if off.shape != (problem.dim,):
        raise ValueError(
            f"offset must be a scalar or have shape ({problem.dim},), "
            f"got shape {np.shape(offset)}"
        )
    if not np.all(np.isfinite(off)):
        raise ValueError(f"offset must be finite, got {off.tolist()}")
    optima = problem.optima + off
    if np.any(optima < problem.lower) or np.any(optima > problem.upper):
        raise ValueError(
            f"offset {off.tolist()} moves an optimum of {problem.name!r} outside "
            f"its domain [{problem.lower.tolist()}, {problem.upper.tolist()}]"
        )
    local = problem.local_optima + off
    inside = np.all((local >= problem.lower) & (local <= problem.upper), axis=1)
    base_fn = problem.fn

    def fn(X):
        return base_fn(X - constant_like(off, X))

    return Problem(
        name=f"shifted-{problem.name}",
        dim=problem.dim,
        lower=problem.lower,
        upper=problem.upper,
        optima=optima,
        optimum_value=problem.optimum_value,
        sense=problem.sense,
        fn=fn,
        local_optima=local[inside],
        scale=problem.scale,
        max_distance=problem.max_distance,
    )


def random_shift(problem, rng=None, fraction=0.5):
    """Shift a problem by a random offset that keeps its optima in the domain.

    Each coordinate of the offset is uniform on
    ``[-fraction, fraction] * (upper - lower) / 2``, truncated to the values
    that keep every global optimum inside ``[lower, upper]`` (the same
    distribution as rejection sampling per coordinate).

    Parameters
    ----------
    problem : Problem
        The problem to shift; it is not modified.
    rng : None, int or numpy.random.Generator, optional
        Seed or generator, passed to :func:`numpy.random.default_rng`.
    fraction : float, optional
        Largest offset as a fraction of the domain's half-width, in [0, 1].

    Returns
    -------
    Problem
        The result of :func:`shifted`.
    """
    fraction = check_real("fraction", fraction, minimum=0.0, maximum=1.0)
    gen = as_generator(rng)
    reach = fraction * (problem.upper - problem.lower) / 2
    low = np.maximum(-reach, problem.lower - problem.optima.min(axis=0))
    high = np.minimum(reach, problem.upper - problem.optima.max(axis=0))
    return shifted(problem, gen.uniform(low, high))


def random_rotation(dim, rng=None):
    """A random orthogonal matrix, uniform over the orthogonal group.

    Parameters
    ----------
    dim : int
    rng : None, int or numpy.random.Generator, optional

    Returns
    -------
    numpy.ndarray, shape (dim, dim)
        The Q of the QR decomposition of a Gaussian matrix, with the signs of
        R's diagonal moved into it so that the distribution is uniform.
    """
    dim = check_dim(dim)
    q, r = np.linalg.qr(as_generator(rng).standard_normal((dim, dim)))
    return q * np.where(np.diag(r) < 0, -1.0, 1.0)


def rotated(problem, rotation):
    """Turn a problem with one global optimum about it: ``g(x) = f(c + R (x - c))``.

    Parameters
    ----------
    problem : Problem
        A problem with exactly one global optimum ``c``; it is not modified.
    rotation : array_like, shape (dim, dim)
        An orthogonal matrix (e.g. :func:`random_rotation`).

    Returns
    -------
    Problem
        Named ``"rotated-<name>"``, with the same domain, optimum and value
        (local optima are not carried over: they move).

    Raises
    ------
    ValueError
        If the problem has more than one global optimum, or ``rotation`` is
        not an orthogonal ``(dim, dim)`` matrix.
    """
    if problem.optima.shape[0] != 1:
        raise ValueError(
            f"rotated needs a problem with one global optimum; {problem.name!r} has "
            f"{problem.optima.shape[0]}")
    matrix = host_array(rotation, "rotation")
    dim = problem.dim
    if matrix.shape != (dim, dim) or not np.allclose(matrix @ matrix.T, np.eye(dim), atol=1e-8):
        raise ValueError(f"rotation must be an orthogonal ({dim}, {dim}) matrix")
    centre, base_fn = problem.optima[0], problem.fn

    def fn(X):
        xp = array_namespace(X)
        c = constant_like(centre, X)
        return base_fn(c + (X - c) @ xp.matrix_transpose(constant_like(matrix, X)))

    return Problem(name=f"rotated-{problem.name}", dim=dim, lower=problem.lower,
                   upper=problem.upper, optima=problem.optima,
                   optimum_value=problem.optimum_value, sense=problem.sense, fn=fn,
                   scale=problem.scale, max_distance=problem.max_distance)
