"""Projections for latent Diffusion Evolution.

In high dimensions every individual is far from every other, so the Gaussian
neighbourhood of plain Diffusion Evolution shrinks to the individual itself
and selection stops.  The latent variant measures distances between codes
``z = E x`` of a low dimension ``d`` while still averaging the full-dimensional
``x``.  This module makes and validates the projection ``E`` (``d x D``).
"""

from __future__ import annotations

import numpy as np

from ..validation import check_int

__all__ = ["random_projection", "check_projection", "make_projection"]


def random_projection(latent_dim, dim, generator):
    """A fixed random projection with rows of unit norm.

    Parameters
    ----------
    latent_dim : int
        Number of rows ``d`` (the latent dimension), ``>= 1``.
    dim : int
        Number of columns ``D`` (the problem dimension).
    generator : numpy.random.Generator
        Source of randomness (the run's generator, so the run stays reproducible).

    Returns
    -------
    numpy.ndarray, shape (latent_dim, dim)
        Gaussian rows scaled to unit Euclidean norm.
    """
    latent_dim = check_int("latent_dim", latent_dim, minimum=1)
    rows = generator.standard_normal((latent_dim, dim))
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def check_projection(matrix, dim):
    """Validate a user's projection matrix and return it as float64 host array.

    Parameters
    ----------
    matrix : array_like, shape (d, dim)
    dim : int

    Returns
    -------
    numpy.ndarray
    """
    try:
        projection = np.array(matrix, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"latent projection must be a real matrix; got {type(matrix).__name__}") from exc
    if projection.ndim != 2 or projection.shape[1] != dim or projection.shape[0] < 1:
        raise ValueError(
            f"latent projection must have shape (d, {dim}) with d >= 1; got shape {projection.shape}"
        )
    if not np.all(np.isfinite(projection)):
        raise ValueError("latent projection must be finite; it contains NaN or inf")
    if np.any(np.linalg.norm(projection, axis=1) == 0):
        raise ValueError("latent projection has an all-zero row")
    return projection


def make_projection(latent, dim, generator):
    """Return the projection for the ``latent`` argument, or ``None``.

    Parameters
    ----------
    latent : None, int or array_like
        ``None`` for plain Diffusion Evolution, an int ``d`` for a random
        projection to ``d`` dimensions, or the user's ``(d, dim)`` matrix.
    dim : int
    generator : numpy.random.Generator

    Returns
    -------
    numpy.ndarray or None
    """
    if latent is None:
        return None
    if isinstance(latent, (int, np.integer)) and not isinstance(latent, bool):
        return random_projection(latent, dim, generator)
    if isinstance(latent, (bool, str)):
        raise TypeError(
            f"latent must be None, an int latent dimension or a (d, {dim}) matrix; got {latent!r}"
        )
    return check_projection(latent, dim)
