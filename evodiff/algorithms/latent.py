"""Encoders for latent Diffusion Evolution.

In high dimensions every individual is far from every other, so the Gaussian
neighbourhood of plain Diffusion Evolution shrinks to the individual itself
and selection stops.  Latent Diffusion Evolution (Zhang et al., ICLR 2025,
Section 4) measures distances between low-dimensional codes ``z`` of the
individuals while still averaging their full-dimensional ``x``.  An encoder
turns the population ``x`` (normalised coordinates, shape ``(N, D)``) into
codes ``z`` (shape ``(N, d)``):

- :class:`FixedProjection`: ``z = E x`` for a fixed ``d x D`` matrix, either a
  random one with rows of unit norm (the paper's choice, ``d = 2``) or the
  user's;
- :class:`PCAProjection`: ``z`` = the coordinates of ``x`` along the top ``d``
  principal directions of the current population, recomputed each generation;
- :class:`CallableEncoder`: any function ``x -> z`` of the user's, its output
  validated every generation.
"""

from __future__ import annotations

import numpy as np

from ..state import Field, Setting
from ..validation import check_int

__all__ = [
    "Encoder",
    "FixedProjection",
    "PCAProjection",
    "CallableEncoder",
    "random_projection",
    "check_projection",
    "make_encoder",
    "DEFAULT_LATENT_DIM",
]

#: Latent dimension of the paper's experiments.
DEFAULT_LATENT_DIM = 2


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
    """Validate a user's projection matrix and return it as a float64 host array.

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
        raise TypeError(
            f"latent projection must be a real matrix; got {type(matrix).__name__}") from exc
    if projection.ndim != 2 or projection.shape[1] != dim or projection.shape[0] < 1:
        raise ValueError(
            f"latent projection must have shape (d, {dim}) with d >= 1; got shape {projection.shape}"
        )
    if not np.all(np.isfinite(projection)):
        raise ValueError("latent projection must be finite; it contains NaN or inf")
    if np.any(np.linalg.norm(projection, axis=1) == 0):
        raise ValueError("latent projection has an all-zero row")
    return projection


class Encoder:
    """Base class: ``encoder(backend, x) -> z`` with ``x`` of shape (N, D), ``z`` (N, d)."""

    name = "encoder"
    #: Checkpoint declarations (:mod:`evodiff.state`); the kind of encoder is a setting
    #: of the optimiser.  A PCA or callable encoder has no state of its own: a callable
    #: must be passed again to the optimiser that resumes the run.
    SETTINGS = ()
    STATE = ()

    def __call__(self, backend, x):
        raise NotImplementedError


class FixedProjection(Encoder):
    """Codes ``z = E x`` for a fixed matrix ``E`` (d x D).

    Parameters
    ----------
    matrix : numpy.ndarray, shape (d, D)
        Already validated (see :func:`check_projection`).
    name : str, default 'matrix'
    """

    SETTINGS = (Setting("latent_dim", "int"),)
    STATE = (Field("matrix", "host", ("latent_dim", "dim")),)

    def __init__(self, matrix, name="matrix"):
        self.matrix = matrix
        self.name = name
        self._transposed = {}

    @property
    def latent_dim(self):
        """int : number of rows ``d`` of the projection."""
        return int(self.matrix.shape[0])

    def _after_restore(self):
        self._transposed = {}

    def __call__(self, backend, x):
        key = id(backend)
        if key not in self._transposed:
            self._transposed[key] = backend.xp.matrix_transpose(backend.asarray(self.matrix))
        return x @ self._transposed[key]


class PCAProjection(Encoder):
    """Codes along the top ``d`` principal directions of the current population.

    The directions are recomputed every generation from the centred
    population; the codes are the projections of the (uncentred) points, so
    ``z = V^T x`` stays linear in ``x`` as the estimator assumes.  With more
    dimensions than individuals the directions come from the N x N Gram
    matrix instead of the D x D covariance, so a 17,000-parameter network
    with 256 individuals costs one 256 x 256 eigendecomposition.

    Parameters
    ----------
    latent_dim : int, default 2
    """

    name = "pca"
    SETTINGS = (Setting("latent_dim", "int"),)

    def __init__(self, latent_dim=DEFAULT_LATENT_DIM):
        self.latent_dim = check_int("latent_dim", latent_dim, minimum=1)

    def directions(self, backend, x):
        """The top ``d`` principal directions of ``x``, as columns of a (D, d) array."""
        xp = backend.xp
        n, dim = x.shape
        if self.latent_dim > min(n, dim):
            raise ValueError(
                f"latent_dim={self.latent_dim} exceeds what a population of shape {tuple(x.shape)} "
                "has principal directions for")
        centred = x - xp.mean(x, axis=0, keepdims=True)
        d = self.latent_dim
        if dim <= n:
            _, vectors = xp.linalg.eigh(xp.matrix_transpose(centred) @ centred)
            return vectors[:, dim - d:]
        _, vectors = xp.linalg.eigh(centred @ xp.matrix_transpose(centred))
        top = vectors[:, n - d:]
        directions = xp.matrix_transpose(centred) @ top
        norms = xp.linalg.vector_norm(directions, axis=0, keepdims=True)
        tiny = xp.asarray(xp.finfo(x.dtype).smallest_normal, dtype=x.dtype)
        return directions / xp.maximum(norms, tiny)

    def __call__(self, backend, x):
        return x @ self.directions(backend, x)


class CallableEncoder(Encoder):
    """A user's function ``x -> z``, its output checked every generation.

    Parameters
    ----------
    function : callable
        Receives the population in normalised coordinates, an array of shape
        (N, D) on the optimiser's backend, and returns (N, d) codes.
    """

    name = "callable"

    def __init__(self, function):
        self.function = function

    def __call__(self, backend, x):
        n = x.shape[0]
        try:
            z = backend.asarray(self.function(x))
        except (TypeError, ValueError) as exc:
            raise TypeError(f"latent encoder must return a real array of shape ({n}, d): {exc}") from exc
        if z.ndim != 2 or z.shape[0] != n or z.shape[1] < 1:
            raise ValueError(
                f"latent encoder must return shape ({n}, d) with d >= 1 for {n} points; "
                f"got shape {tuple(z.shape)}")
        if not bool(backend.xp.all(backend.xp.isfinite(z))):
            raise ValueError("latent encoder returned NaN or inf")
        return z


def make_encoder(latent, latent_dim, dim, generator):
    """Return the encoder for the ``latent`` argument of Diffusion Evolution, or ``None``.

    Parameters
    ----------
    latent : None, 'random', 'pca', int, array_like or callable
        ``None``: plain Diffusion Evolution.  ``'random'``: a fixed random
        projection with unit-norm rows, drawn from ``generator``.  ``'pca'``:
        the population's top principal directions.  An int: a random
        projection to that many dimensions.  A ``(d, dim)`` matrix: the user's
        projection.  A callable: the user's encoder.
    latent_dim : int or None
        ``d`` for ``'random'`` and ``'pca'`` (default 2).
    dim : int
        Problem dimension.
    generator : numpy.random.Generator

    Returns
    -------
    Encoder or None
    """
    if latent is None:
        if latent_dim is not None:
            raise ValueError("latent_dim is given but latent is None; set latent='random' or 'pca'")
        return None
    if isinstance(latent, str):
        d = DEFAULT_LATENT_DIM if latent_dim is None else check_int("latent_dim", latent_dim, minimum=1)
        if latent == "random":
            return FixedProjection(random_projection(d, dim, generator), name="random")
        if latent == "pca":
            if d > dim:
                raise ValueError(f"latent_dim must be <= the dimension {dim} with latent='pca' "
                                 f"(principal directions of the population); got {d}")
            return PCAProjection(d)
        raise ValueError(f"latent must be 'random', 'pca', an int, a matrix or a callable; got {latent!r}")
    if isinstance(latent, (int, np.integer)) and not isinstance(latent, bool):
        if latent_dim is not None and latent_dim != latent:
            raise ValueError(f"latent={latent} and latent_dim={latent_dim} disagree")
        return FixedProjection(random_projection(latent, dim, generator), name="random")
    if isinstance(latent, bool):
        raise TypeError(
            f"latent must be None, 'random', 'pca', an int, a matrix or a callable; got {latent!r}")
    if callable(latent):
        return CallableEncoder(latent)
    matrix = check_projection(latent, dim)
    if latent_dim is not None and latent_dim != matrix.shape[0]:
        raise ValueError(
            f"latent_dim={latent_dim} disagrees with the projection's {matrix.shape[0]} rows")
    return FixedProjection(matrix)
