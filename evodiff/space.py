"""The search region: from the optimiser's normalised space to problem space.

Optimisers work in a normalised space where the region of interest is about
the unit ball; the user's objective sees ``center + scale * x``.  The region is
given either by ``bounds`` (then ``center`` is the middle of the box and
``scale`` its half-width) or by ``center`` and ``scale`` directly (no bounds).

Bounds policy: with ``bounds``, the objective is never called outside the box.
A point that lies outside is evaluated at its projection onto the box (the
clipped point), and its cost is increased by ``span * d**2``, where ``d`` is
its distance outside the box in units of the half-widths and ``span`` is the
spread (max - min) of the finite costs of the generation.  The penalty is
therefore in the units of the objective, keeps every out-of-box point worse
than its own projection, and needs no tuning.
"""

from __future__ import annotations

import numpy as np

from .validation import check_int

__all__ = ["SearchSpace", "parse_bounds"]


def parse_bounds(bounds, dim=None):
    """Validate ``bounds`` and return ``(lower, upper)`` as float64 host arrays.

    Parameters
    ----------
    bounds : sequence of (min, max) pairs, array of shape (D, 2) or scipy.optimize.Bounds
        Finite limits, ``min < max`` in every coordinate.
    dim : int, optional
        Expected dimension; checked when given.

    Returns
    -------
    lower, upper : numpy.ndarray, shape (D,)
    """
    if hasattr(bounds, "lb") and hasattr(bounds, "ub"):  # scipy.optimize.Bounds
        lower = np.atleast_1d(np.asarray(bounds.lb, dtype=np.float64))
        upper = np.atleast_1d(np.asarray(bounds.ub, dtype=np.float64))
        if lower.shape != upper.shape:
            raise ValueError(
                f"bounds: lb and ub must have the same shape; got {lower.shape} and {upper.shape}"
            )
    else:
        _check_limit_kinds(bounds)
        try:
            pairs = np.array(bounds, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"bounds must be a sequence of (min, max) pairs; got {bounds!r}"
            ) from exc
        if pairs.ndim != 2 or pairs.shape[1] != 2 or pairs.shape[0] < 1:
            raise ValueError(
                "bounds must be a sequence of (min, max) pairs, shape (D, 2); "
                f"got shape {pairs.shape}"
            )
        lower, upper = pairs[:, 0].copy(), pairs[:, 1].copy()
    if dim is not None and lower.size != dim:
        raise ValueError(f"bounds must have {dim} (min, max) pairs; got {lower.size}")
    for name, limits in (("lower", lower), ("upper", upper)):
        bad = np.flatnonzero(~np.isfinite(limits))
        if bad.size:
            i = int(bad[0])
            raise ValueError(f"bounds must be finite numbers; coordinate {i} has the {name} "
                             f"limit {float(limits[i])!r}")
    with np.errstate(over="ignore"):
        wide = np.flatnonzero(~np.isfinite(upper - lower))
    if wide.size:
        i = int(wide[0])
        raise ValueError(
            f"bounds must have a finite width max - min; coordinate {i} has "
            f"min={float(lower[i])!r}, max={float(upper[i])!r}")
    bad = np.flatnonzero(lower >= upper)
    if bad.size:
        i = int(bad[0])
        raise ValueError(
            f"bounds must have min < max in every coordinate; coordinate {i} has "
            f"min={float(lower[i])!r} >= max={float(upper[i])!r}"
        )
    return lower, upper


def inward_box(lower, upper, dtype_name):
    """The box ``[lower, upper]`` in ``dtype``, each limit rounded towards the inside.

    Casting 0.3 to float32 rounds it up, -0.001 down: a lower limit that
    rounds down (or an upper one that rounds up) would let clipped points
    lie one step outside the true box.  Such a limit is moved one step in.

    Parameters
    ----------
    lower, upper : numpy.ndarray
        float64 limits.
    dtype_name : {'float64', 'float32'}

    Returns
    -------
    lower, upper : numpy.ndarray of ``dtype``

    Raises
    ------
    ValueError
        If a coordinate's box holds no value of ``dtype``.
    """
    dtype = np.dtype(dtype_name)
    low, high = lower.astype(dtype), upper.astype(dtype)
    low = np.where(low.astype(np.float64) < lower, np.nextafter(low, dtype.type(np.inf)), low)
    high = np.where(high.astype(np.float64) > upper, np.nextafter(high, dtype.type(-np.inf)), high)
    empty = np.flatnonzero(low > high)
    if empty.size:
        i = int(empty[0])
        raise ValueError(f"bounds: coordinate {i} ({float(lower[i])!r}, {float(upper[i])!r}) "
                         f"holds no {dtype_name} value")
    return low, high


def _check_dtype_range(space, dtype_name):
    """Refuse a region whose centre, scale or width the dtype cannot hold (float32 ends at
    3.4e38: a box of width 2e300 would map every point to inf or NaN)."""
    largest = float(np.finfo(np.dtype(dtype_name)).max)
    if space.lower is not None:
        with np.errstate(over="ignore"):
            width = space.upper - space.lower
        checks = (("bounds", width, "spans"),)
    else:
        checks = (("center", np.abs(space.center), "is"), ("scale", space.scale, "is"))
    for name, values, verb in checks:
        bad = np.flatnonzero(values > largest)
        if bad.size:
            i = int(bad[0])
            raise ValueError(f"{name}: coordinate {i} {verb} {float(values[i]):.3g}, beyond the "
                             f"{dtype_name} range ({largest:.3g}); use dtype='float64' or a "
                             "smaller region")


def _check_limit_kinds(bounds):
    """Refuse limits that NumPy would silently turn into numbers: None (NaN), bools, text."""
    if isinstance(bounds, (str, bytes)):
        return  # not pairs: the conversion's own error names it
    try:
        pairs = list(bounds)
    except TypeError:
        return  # not a sequence: the conversion's own error names it
    for i, pair in enumerate(pairs):
        if isinstance(pair, (str, bytes)):
            return
        try:
            limits = list(pair)
        except TypeError:
            return
        for name, limit in zip(("lower", "upper"), limits):
            if limit is None:
                raise ValueError(f"bounds: coordinate {i} has no {name} limit (None); bounds "
                                 "need finite numbers on both sides")
            if isinstance(limit, (bool, np.bool_, str, bytes)) or (
                    isinstance(limit, np.ndarray) and limit.dtype.kind not in "iuf"):
                raise TypeError(f"bounds: coordinate {i} has the {name} limit {limit!r}; "
                                "bounds must be real numbers")


def _vector(name, value, dim, positive=False):
    array = np.array(value, dtype=np.float64)
    if array.ndim == 0:
        if dim is None:
            raise ValueError(f"{name} is a scalar, so the dimension must be given")
        array = np.full(dim, float(array))
    if array.ndim != 1 or (dim is not None and array.size != dim):
        expected = f"shape ({dim},)" if dim is not None else "a 1-D array"
        raise ValueError(f"{name} must be a scalar or {expected}; got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite; got {value!r}")
    if positive and np.any(array <= 0):
        raise ValueError(f"{name} must be positive; got {value!r}")
    return array


class SearchSpace:
    """Affine map between normalised coordinates and problem coordinates.

    Parameters
    ----------
    backend : Backend
        Where the arrays live.
    dim : int, optional
        Dimension; inferred from ``bounds`` or ``center`` when omitted.
    bounds : sequence of (min, max) pairs, optional
        A finite box.  Excludes ``center`` and ``scale``.
    center : float or array_like, optional
        Centre of the region (default 0).
    scale : float or array_like, optional
        Scale of the region, positive (default 1).

    Attributes
    ----------
    dim : int
    lower, upper : numpy.ndarray or None
        The box on the host, when bounds were given.
    center, scale : numpy.ndarray
        On the host, shape (dim,).
    """

    def __init__(self, backend, dim=None, bounds=None, center=None, scale=None):
        dim = None if dim is None else check_int("dim", dim, minimum=1)
        self.backend = backend
        if bounds is not None:
            if center is not None or scale is not None:
                raise ValueError("give either bounds or center/scale, not both")
            self.lower, self.upper = parse_bounds(bounds, dim)
            self.center = (self.lower + self.upper) / 2.0
            self.scale = (self.upper - self.lower) / 2.0
        else:
            if dim is None and center is None and scale is not None:
                scale_arr = np.asarray(scale)
                dim = scale_arr.size if scale_arr.ndim == 1 else None
            if dim is None and center is None:
                raise ValueError("the dimension is unknown: give dim, bounds or center")
            self.lower = self.upper = None
            self.center = _vector("center", 0.0 if center is None else center, dim)
            dim = self.center.size
            self.scale = _vector("scale", 1.0 if scale is None else scale, dim, positive=True)
        self.dim = self.center.size
        _check_dtype_range(self, backend.dtype_name)
        xp_asarray = backend.asarray
        self._center = xp_asarray(self.center)
        self._scale = xp_asarray(self.scale)
        if self.lower is not None:
            low, high = inward_box(self.lower, self.upper, backend.dtype_name)
            self._lower = xp_asarray(low)
            self._upper = xp_asarray(high)

    @property
    def bounded(self):
        """bool : whether the region is a box whose outside is never evaluated."""
        return self.lower is not None

    def to_problem(self, x, clip=True):
        """Map normalised points to problem space and clip them into the box.

        Parameters
        ----------
        x : array, shape (N, D)
        clip : bool, default True
            Whether to clip into the box (when there are bounds).

        Returns
        -------
        X : array, shape (N, D)
            ``center + scale * x``, clipped to the bounds when there are bounds.
        excess : array, shape (N,) or None
            Squared distance outside the box in half-widths (0 inside), or
            ``None`` without bounds.
        """
        points = self._center + self._scale * x
        if not (self.bounded and clip):
            return points, None
        xp = self.backend.xp
        clipped = xp.clip(points, self._lower, self._upper)
        outside = (points - clipped) / self._scale
        return clipped, xp.sum(outside * outside, axis=1)

    def to_normalised(self, X):
        """Map problem-space points back to normalised coordinates."""
        return (X - self._center) / self._scale

    def penalize(self, cost, excess):
        """Add the out-of-box penalty ``span * excess`` to ``cost`` (see module doc).

        Parameters
        ----------
        cost : array, shape (N,)
            Costs of the clipped points (``+inf`` for failed evaluations).
        excess : array, shape (N,) or None

        Returns
        -------
        array, shape (N,)
        """
        if excess is None:
            return cost
        xp = self.backend.xp
        finite = xp.isfinite(cost)
        if not bool(xp.any(finite)):
            return cost
        big = xp.asarray(float("inf"), dtype=cost.dtype)
        low = float(xp.min(xp.where(finite, cost, big)))
        high = float(xp.max(xp.where(finite, cost, -big)))
        span = high - low
        if not span > 0:
            span = max(abs(high), 1.0)
        return cost + span * excess

    def clip_points(self, X):
        """Clip points on the backend (its dtype) into the box rounded inward, if any."""
        if not self.bounded:
            return X
        return self.backend.xp.clip(X, self._lower, self._upper)

    def clip_problem(self, X):
        """Clip problem-space points (host NumPy) into the box, if any."""
        if not self.bounded:
            return X
        return np.clip(X, self.lower, self.upper)

