"""The :class:`Problem`: a vectorised objective with its box, optima and benchmark metadata."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from array_api_compat import array_namespace, device

from ..validation import check_int, check_real, check_sense

__all__ = ["Problem"]


def host_array(values, name):
    """Return a read-only float64 copy of ``values``."""
    arr = np.array(values, dtype=np.float64)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, got {arr.tolist()}")
    arr.setflags(write=False)
    return arr


def point_set(values, name, dim, allow_empty):
    """Return ``values`` as a read-only float64 array of shape (k, dim)."""
    arr = host_array(values, name)
    if arr.ndim != 2 or arr.shape[1] != dim or (arr.shape[0] == 0 and not allow_empty):
        raise ValueError(
            f"{name} must have shape (k, {dim}) with k >= {0 if allow_empty else 1}, "
            f"got shape {arr.shape}"
        )
    return arr


def constant_like(values, X):
    """Convert host values to an array in X's namespace, dtype and device."""
    xp = array_namespace(X)
    return xp.asarray(values, dtype=X.dtype, device=device(X))


def check_dim(dim, minimum=1):
    """Validate a dimension argument and return it as an int."""
    return check_int("dim", dim, minimum=minimum)


@dataclass(frozen=True, eq=False)
class Problem:
    """A benchmark function together with its domain and known optima.

    Parameters
    ----------
    name : str
        Short identifier, e.g. ``"rastrigin"``.
    dim : int
        Number of variables D.
    lower, upper : array_like, shape (dim,)
        Bounds of the standard search domain (stored as float64).
    optima : array_like, shape (k, dim)
        Every known global optimum, one per row.
    optimum_value : float
        Function value at the global optima.
    sense : {"min", "max"}
        Whether the problem is a minimisation or a maximisation.
    fn : callable
        Raw vectorised function. It receives a real floating array of shape
        ``(N, dim)`` from any Array-API namespace and returns shape ``(N,)``;
        use :meth:`__call__` rather than calling it directly.
    local_optima : array_like, shape (m, dim), optional
        Known non-global local optima (default: none).
    target : float, optional
        Benchmark metadata: the value a run aims at (default: ``optimum_value``).
    scale : float, optional
        Benchmark metadata: the scale of the normalised fitness (paper protocol).
    max_distance : float, optional
        Benchmark metadata: the distance from ``target`` that scores fitness 0.
    corner : float, optional
        The global optima are the ``2**dim`` points ``(+-corner, ..., +-corner)``
        (the box corners of the maximised Ackley and Rastrigin); ``optima``
        may then be empty, too many to list.

    Notes
    -----
    The stored arrays are read-only, so a problem cannot be altered after
    construction. Equality is identity.
    """

    name: str
    dim: int
    lower: np.ndarray
    upper: np.ndarray
    optima: np.ndarray
    optimum_value: float
    sense: str
    fn: Callable = field(repr=False)
    local_optima: np.ndarray | None = None
    target: float | None = None
    scale: float | None = None
    max_distance: float | None = None
    corner: float | None = None

    def __post_init__(self):
        dim = check_dim(self.dim)
        lower = host_array(self.lower, "lower")
        upper = host_array(self.upper, "upper")
        if lower.shape != (dim,) or upper.shape != (dim,):
            raise ValueError(
                f"lower and upper must have shape ({dim},), "
                f"got {lower.shape} and {upper.shape}"
            )
        if not np.all(lower < upper):
            raise ValueError("lower must be strictly less than upper")
        optima = point_set(self.optima, "optima", dim, allow_empty=self.corner is not None)
        if np.any(optima < lower) or np.any(optima > upper):
            raise ValueError("optima must lie inside [lower, upper]")
        local = np.empty((0, dim)) if self.local_optima is None else self.local_optima
        sense = check_sense(self.sense)
        if not callable(self.fn):
            raise TypeError("fn must be callable")
        object.__setattr__(self, "dim", dim)
        object.__setattr__(self, "lower", lower)
        object.__setattr__(self, "upper", upper)
        object.__setattr__(self, "optima", optima)
        object.__setattr__(self, "optimum_value", float(self.optimum_value))
        object.__setattr__(self, "sense", sense)
        for name in ("target", "scale", "max_distance", "corner"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, check_real(name, value))
        if self.target is None:
            object.__setattr__(self, "target", self.optimum_value)
        object.__setattr__(
            self,
            "local_optima",
            point_set(local, "local_optima", dim, allow_empty=True),
        )

    def __call__(self, X):
        """Evaluate the function.

        Parameters
        ----------
        X : array, shape (N, dim) or (dim,)
            Points from any Array-API library (lists and tuples are turned
            into NumPy arrays). Integer and boolean input is promoted to
            float64. ``X`` is not modified.

        Returns
        -------
        array, shape (N,) or ()
            Function values in the namespace and floating dtype of ``X``;
            a 0-d array for a single point of shape ``(dim,)``.

        Raises
        ------
        ValueError
            If ``X`` is not 1-D or 2-D or its last dimension is not ``dim``.
        TypeError
            If ``X`` has a complex dtype.
        """
        if isinstance(X, (list, tuple)):
            X = np.asarray(X, dtype=np.float64)
        xp = array_namespace(X)
        if X.ndim not in (1, 2) or X.shape[-1] != self.dim:
            raise ValueError(
                f"X must have shape (N, {self.dim}) or ({self.dim},) for problem "
                f"{self.name!r}, got shape {tuple(X.shape)}"
            )
        if not xp.isdtype(X.dtype, "real floating"):
            if not xp.isdtype(X.dtype, ("integral", "bool")):
                raise TypeError(f"X must have a real dtype, got {X.dtype}")
            X = xp.astype(X, xp.float64)
        if X.ndim == 1:
            return xp.reshape(self.fn(xp.reshape(X, (1, self.dim))), ())
        return self.fn(X)

    @property
    def family(self):
        """str : the name without a trailing ``-<dim>`` (``'rastrigin-32'`` -> ``'rastrigin'``)."""
        head, _, tail = self.name.rpartition("-")
        return head if head and tail.isdigit() else self.name

    @property
    def bounds(self):
        """Domain as a new ``(dim, 2)`` array of ``[lower, upper]`` rows (SciPy style)."""
        return np.stack([self.lower, self.upper], axis=1)

    def distance_to_optima(self, points):
        """Distance from each global optimum to the nearest of ``points``.

        Parameters
        ----------
        points : array_like, shape (M, dim) or (dim,)
            Candidate solutions (host arrays), e.g. the estimates of an
            optimiser.

        Returns
        -------
        numpy.ndarray, shape (k,)
            Entry ``j`` is the Euclidean distance from ``optima[j]`` to the
            closest point, so ``np.all(d < 0.2)`` means every optimum was found.
        """
        pts = np.asarray(points, dtype=np.float64)
        if pts.ndim == 1:
            pts = pts[None, :]
        if pts.ndim != 2 or pts.shape[1] != self.dim or pts.shape[0] == 0:
            raise ValueError(
                f"points must have shape (M, {self.dim}) with M >= 1 or "
                f"({self.dim},), got shape {np.shape(points)}"
            )
        diff = self.optima[:, None, :] - pts[None, :, :]
        return np.linalg.norm(diff, axis=2).min(axis=1)
