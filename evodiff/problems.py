"""Vectorised benchmark functions with known optima.

Every benchmark is a :class:`Problem`: a callable that evaluates a batch of
points of shape ``(N, D)`` from any Array-API library (NumPy, CuPy,
array-api-strict, ...) and returns shape ``(N,)`` in the input's dtype.
Metadata (domain, optima, sense) is kept as NumPy ``float64`` host arrays.

Examples
--------
>>> import numpy as np
>>> from evodiff.problems import get_problem
>>> problem = get_problem("rastrigin", dim=2)
>>> float(problem(np.array([1.0, 2.0])))
5.0
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from array_api_compat import array_namespace, device

from .randomness import as_generator
from .validation import check_int, check_real, check_sense

__all__ = [
    "PROBLEMS",
    "Problem",
    "ackley",
    "beale",
    "ellipsoid",
    "get_problem",
    "himmelblau",
    "random_rotation",
    "random_shift",
    "rotated",
    "rastrigin",
    "rosenbrock",
    "shifted",
    "sphere",
    "two_peaks",
]


def _host_array(values, name):
    """Return a read-only float64 copy of ``values``."""
    arr = np.array(values, dtype=np.float64)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, got {arr.tolist()}")
    arr.setflags(write=False)
    return arr


def _point_set(values, name, dim, allow_empty):
    """Return ``values`` as a read-only float64 array of shape (k, dim)."""
    arr = _host_array(values, name)
    if arr.ndim != 2 or arr.shape[1] != dim or (arr.shape[0] == 0 and not allow_empty):
        raise ValueError(
            f"{name} must have shape (k, {dim}) with k >= {0 if allow_empty else 1}, "
            f"got shape {arr.shape}"
        )
    return arr


def _constant(values, X):
    """Convert host values to an array in X's namespace, dtype and device."""
    xp = array_namespace(X)
    return xp.asarray(values, dtype=X.dtype, device=device(X))


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
        dim = _check_dim(self.dim)
        lower = _host_array(self.lower, "lower")
        upper = _host_array(self.upper, "upper")
        if lower.shape != (dim,) or upper.shape != (dim,):
            raise ValueError(
                f"lower and upper must have shape ({dim},), "
                f"got {lower.shape} and {upper.shape}"
            )
        if not np.all(lower < upper):
            raise ValueError("lower must be strictly less than upper")
        optima = _point_set(self.optima, "optima", dim, allow_empty=self.corner is not None)
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
            _point_set(local, "local_optima", dim, allow_empty=True),
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


def _check_dim(dim, minimum=1):
    """Validate a dimension argument and return it as an int."""
    return check_int("dim", dim, minimum=minimum)


def _check_2d_only(dim, name):
    if _check_dim(dim) != 2:
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
    dim = _check_dim(dim)

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
    dim = _check_dim(dim)
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
        return xp.sum(_constant(weights, X) * X * X, axis=1)

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
    dim = _check_dim(dim)

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
    dim = _check_dim(dim)

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
    dim = _check_dim(dim, minimum=2)

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
    dim = _check_dim(dim)
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
        return base_fn(X - _constant(off, X))

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
    dim = _check_dim(dim)
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
    matrix = _host_array(rotation, "rotation")
    dim = problem.dim
    if matrix.shape != (dim, dim) or not np.allclose(matrix @ matrix.T, np.eye(dim), atol=1e-8):
        raise ValueError(f"rotation must be an orthogonal ({dim}, {dim}) matrix")
    centre, base_fn = problem.optima[0], problem.fn

    def fn(X):
        xp = array_namespace(X)
        c = _constant(centre, X)
        return base_fn(c + (X - c) @ xp.matrix_transpose(_constant(matrix, X)))

    return Problem(name=f"rotated-{problem.name}", dim=dim, lower=problem.lower,
                   upper=problem.upper, optima=problem.optima,
                   optimum_value=problem.optimum_value, sense=problem.sense, fn=fn,
                   scale=problem.scale, max_distance=problem.max_distance)


PROBLEMS = {
    "sphere": sphere,
    "ellipsoid": ellipsoid,
    "rastrigin": rastrigin,
    "ackley": ackley,
    "rosenbrock": rosenbrock,
    "beale": beale,
    "himmelblau": himmelblau,
    "two_peaks": two_peaks,
}


def get_problem(name, dim=None, shift=None, rng=None):
    """Build a benchmark problem by name.

    Parameters
    ----------
    name : str
        A key of :data:`PROBLEMS`, case-insensitive.
    dim : int, optional
        Number of variables (default 2).
    shift : None, bool or array_like, optional
        ``None``/``False``: no shift; ``True``: :func:`random_shift` with
        ``rng``; otherwise an offset passed to :func:`shifted`.
    rng : None, int or numpy.random.Generator, optional
        Randomness for ``shift=True``; ignored otherwise.

    Returns
    -------
    Problem

    Raises
    ------
    ValueError
        If ``name`` is unknown (the message lists the available names).
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a string, got {name!r}")
    factory = PROBLEMS.get(name.lower())
    if factory is None:
        raise ValueError(
            f"unknown problem {name!r}; available: {', '.join(sorted(PROBLEMS))}"
        )
    problem = factory(dim=2 if dim is None else dim)
    if shift is None or (isinstance(shift, (bool, np.bool_)) and not shift):
        return problem
    if isinstance(shift, (bool, np.bool_)):
        return random_shift(problem, rng)
    return shifted(problem, shift)
