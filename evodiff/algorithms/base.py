"""The optimiser contract shared by every algorithm: ask, evaluate, tell.

One generation is always::

    X = opt.ask()          # (N, D) points in problem space, on opt's backend
    F = fun(X)             # (N,) objective values
    opt.tell(F)

:class:`Optimizer` owns everything that is the same for all algorithms: the
backend, the search region and its bounds policy, the direction (minimise or
maximise, turned into a cost exactly once), the non-finite value policy, the
evaluation counters and the best point evaluated so far.  An algorithm only
implements :meth:`Optimizer._ask` (a normalised population) and
:meth:`Optimizer._tell` (an update from costs, lower is better).
"""

from __future__ import annotations

import numpy as np

from ..backend import Backend
from ..fitness import to_cost, validate_sense
from ..space import SearchSpace

__all__ = ["Optimizer", "start_as_center"]


def start_as_center(x0, dim, bounds, center):
    """Without bounds or centre, a start point ``x0`` becomes the region's centre.

    Returns ``(center, x0)``: either ``(x0, None)`` when ``x0`` takes the role of
    the centre, or the arguments unchanged.  The shape of ``x0`` is checked
    here so that errors name ``x0``.
    """
    if x0 is None or bounds is not None or center is not None:
        return center, x0
    point = np.asarray(x0, dtype=np.float64)
    if point.ndim != 1 or (dim is not None and point.shape != (dim,)):
        expected = f"({dim},)" if dim is not None else "(D,)"
        raise ValueError(f"x0 must have shape {expected}; got shape {point.shape}")
    return point, None


class Optimizer:
    """Base class of the ask/tell optimisers.

    Parameters
    ----------
    popsize : int
        Number of points per generation.
    dim : int, optional
        Problem dimension; inferred from ``bounds`` or ``center`` if omitted.
    bounds : sequence of (min, max) pairs, optional
        Search box; the objective is never evaluated outside it (see
        :mod:`evodiff.space` for the policy).
    center, scale : float or array_like, optional
        Search region without hard bounds: points are ``center + scale * x``.
    sense : {'min', 'max'}, default 'min'
        Minimise or maximise the objective.
    rng : None, int or numpy.random.Generator, optional
        Seed or generator; the same seed gives the same run, bit for bit, on
        the same backend.
    dtype : {'float64', 'float32'}, default 'float64'
    backend : {'numpy', 'cupy', 'array_api_strict'} or module, default 'numpy'

    Attributes
    ----------
    nit : int
        Generations told so far.
    nfev : int
        Objective values told so far.
    best_x : numpy.ndarray or None
        Best point evaluated so far (problem space, host).
    best_fun : float
        Its objective value (``inf`` for minimisation before any finite value).
    """

    name = "optimizer"

    def __init__(self, popsize, *, dim=None, bounds=None, center=None, scale=None,
                 sense="min", rng=None, dtype="float64", backend="numpy"):
        self.backend = Backend(backend, dtype=dtype, rng=rng)
        self.space = SearchSpace(self.backend, dim=dim, bounds=bounds, center=center, scale=scale)
        self.sense = validate_sense(sense)
        self.popsize = popsize
        self.nit = 0
        self.nfev = 0
        self.best_x = None
        self._best_cost = float("inf")
        self._warn_state = {}
        self._pending = None
        self._last_values = None

    @property
    def dim(self):
        """int : problem dimension."""
        return self.space.dim

    @property
    def xp(self):
        """module : the Array-API namespace of this optimiser's arrays."""
        return self.backend.xp

    @property
    def best_fun(self):
        """float : objective value of :attr:`best_x` (in the user's sign)."""
        return self._best_cost if self.sense == "min" else -self._best_cost

    @property
    def done(self):
        """bool : whether the algorithm has finished (no more generations)."""
        return False

    @property
    def max_generations(self):
        """int or None : number of generations of a full run, when known in advance."""
        return None

    @property
    def last_values(self):
        """array or None : objective values of the last generation told (user's sign)."""
        return self._last_values

    @property
    def population(self):
        """array, shape (N, D) : the current population in problem space."""
        raise NotImplementedError

    def stop_reason(self):
        """Return why the run should stop now (a message), or ``None`` to go on.

        Algorithms with stopping rules override this; a finished algorithm
        (:attr:`done`) needs no reason.
        """
        return None

    def finish_message(self):
        """str : message of a run that ended because the algorithm finished."""
        return f"completed {self.nit} generations"

    def candidates(self):
        """The algorithm's final answer points, used to find distinct optima.

        Returns
        -------
        numpy.ndarray of shape (M, D), or None
            Host points in problem space (``None``: only the best point counts).
        """
        return None

    def normalised_start(self, x0=None):
        """Validate a start point in problem space and return it normalised (host).

        Parameters
        ----------
        x0 : array_like, shape (dim,), optional
            ``None`` gives the centre of the search region.

        Returns
        -------
        numpy.ndarray, shape (dim,)
        """
        if x0 is None:
            return np.zeros(self.dim)
        point = np.array(x0, dtype=np.float64)
        if point.shape != (self.dim,):
            raise ValueError(f"x0 must have shape ({self.dim},); got shape {point.shape}")
        if not np.all(np.isfinite(point)):
            raise ValueError(f"x0 must be finite; got {x0!r}")
        space = self.space
        if space.bounded and (np.any(point < space.lower) or np.any(point > space.upper)):
            raise ValueError("x0 must lie inside the bounds")
        return (point - space.center) / space.scale

    def ask(self):
        """Return the points to evaluate next.

        Calling ``ask`` again before ``tell`` returns the same points.

        Returns
        -------
        array, shape (popsize, dim)
            Points in problem space, on this optimiser's backend.  With bounds
            they are inside the box.
        """
        if self.done:
            raise RuntimeError(f"{type(self).__name__} has finished; no more generations to ask")
        if self._pending is None:
            normalised = self._ask()
            points, excess = self.space.to_problem(normalised)
            self._pending = (normalised, points, excess)
        return self._pending[1]

    def tell(self, values):
        """Give the objective values of the points of the last :meth:`ask`.

        Parameters
        ----------
        values : array_like, shape (popsize,)
            One objective value per point, in the order of ``ask``.  NaN and
            infinite values are treated as the worst possible value, with one
            warning per run.
        """
        if self._pending is None:
            raise RuntimeError("tell() was called without a pending ask(); call ask() first")
        values = self._check_values(values)
        normalised, points, excess = self._pending
        cost = to_cost(self.xp, values, self.sense, self._warn_state)
        self._track_best(points, cost)
        self._tell(normalised, self.space.penalize(cost, excess))
        self._pending = None
        self._last_values = values
        self.nit += 1
        self.nfev += values.shape[0]

    def _check_values(self, values):
        xp = self.xp
        n = self._pending[0].shape[0]
        try:
            array = self.backend.asarray(values)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"values must be an array of {n} real objective values; got {type(values).__name__}"
            ) from exc
        if tuple(array.shape) != (n,):
            raise ValueError(
                f"values must have shape ({n},), one objective value per point of ask(); "
                f"got shape {tuple(array.shape)}"
            )
        if array is values:  # never keep or modify the caller's array
            array = xp.asarray(values, copy=True)
        return array

    def _track_best(self, points, cost):
        xp = self.xp
        index = int(xp.argmin(cost))
        value = float(cost[index])
        if value < self._best_cost or self.best_x is None:
            self._best_cost = value
            self.best_x = np.array(self.backend.to_host(points[index, :]), dtype=np.float64)

    def _ask(self):
        """Return the next population in normalised coordinates, shape (N, D)."""
        raise NotImplementedError

    def _tell(self, x, cost):
        """Update the state from normalised points ``x`` and their costs (lower is better)."""
        raise NotImplementedError
