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

import math

import numpy as np

from ..backend import Backend, read_only
from ..fitness import to_cost
from ..randomness import as_generator, make_sampler
from ..space import SearchSpace
from ..state import Field, Setting
from ..validation import check_popsize, check_sense, refuse_footprint, renamed_keyword
from .declared_state import DeclaredState
from .starts import check_prior_evaluations

__all__ = ["Optimizer"]


class Optimizer(DeclaredState):
    """Base class of the ask/tell optimisers.

    Every argument is a keyword (a subclass's own constructor takes ``dim``
    and ``popsize`` first, in that order); ``Optimizer(popsize, dim=...)``,
    the order of 0.1.0, still works for one release and warns.

    Parameters
    ----------
    dim : int, optional
        Problem dimension; inferred from ``bounds`` or ``center`` if omitted.
    popsize : int, optional
        Number of points per generation, an int >= 2 (NumPy integers
        accepted).  Default: the class's :attr:`DEFAULT_POPSIZE`, or
        :meth:`default_popsize` of the dimension.  An absolute count, not a
        multiplier of the dimension as in ``scipy.optimize.differential_evolution``.
    bounds : sequence of (min, max) pairs, optional
        Search box; the objective is never evaluated outside it (see
        :mod:`evodiff.space` for the policy).
    center, scale : float or array_like, optional
        Search region without hard bounds: points are ``center + scale * x``.
    sense : {'min', 'max'}, default 'min'
        Minimise or maximise the objective ('minimize' and 'maximize' are
        accepted spellings).
    rng : None, int or numpy.random.Generator, optional
        Seed or generator; the same seed gives the same run, bit for bit, on
        the same backend.  The optimiser owns it (:attr:`rng`).
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
    rng : numpy.random.Generator
        The run's generator, the root of all its randomness.

    Notes
    -----
    Subclasses declare what a checkpoint holds (:mod:`evodiff.state`):
    ``SETTINGS`` (what a resumed run must share), ``STATE`` (what changes
    during the run) and ``PARTS`` (components with declarations of their
    own); :meth:`checkpoint_settings`, :meth:`state_dict` and
    :meth:`load_state_dict` are generic.
    """

    name = "optimizer"
    #: Population size when none is given (``None``: see :meth:`default_popsize`).
    DEFAULT_POPSIZE = None
    #: Population-sized arrays alive at the peak of a generation, measured with tracemalloc
    #: (popsize 20,000, D = 20: CMA-ES 8.2, OpenES 7.1, PEPG 6.6, MAP-Elites 6.4, the binary
    #: samplers 6.9); the memory rule multiplies popsize x dim by it.
    POPULATION_COPIES = 8

    SETTINGS = (
        Setting("dim", "int"),
        Setting("popsize", "int"),
        Setting("dtype", "str", "backend.dtype_name"),
        Setting("backend", "str", "backend.name"),
        Setting("sense", "str"),
        Setting("bounds", "host", "_bounds_box"),
        Setting("center", "host", "space.center"),
        Setting("scale", "host", "space.scale"),
    )
    STATE = (
        Field("nit", "int"),
        Field("nfev", "int"),
        Field("best_x", "host", ("dim",), "_best_x", optional=True),
        Field("best_cost", "float", attr="_best_cost", domain="cost"),
        Field("warn_state", "json", attr="_warn_state", domain="mapping"),
        Field("rng", "rng"),
        Field("last_values", "array", (None,), "_last_values", optional=True, finite=False),
        Field("pending_normalised", "array", ("popsize", "dim"), "_pending_x", optional=True),
        Field("pending_points", "array", ("popsize", "dim"), "_pending_points", optional=True),
        Field("pending_excess", "array", ("popsize",), "_pending_excess", optional=True),
    )
    PARTS = ()

    def __init__(self, *args, dim=None, popsize=None, bounds=None, center=None, scale=None,
                 sense="min", rng=None, dtype="float64", backend="numpy"):
        if args:  # Optimizer(popsize, dim=...), the order of 0.1.0
            if len(args) > 1 or popsize is not None:
                raise TypeError("Optimizer takes keyword arguments only (dim=, popsize=, ...)")
            popsize = renamed_keyword("Optimizer(popsize, ...)", args[0], "popsize=", None)
        self.backend = Backend(backend, dtype=dtype)
        self.rng = as_generator(rng)
        self._sampler = make_sampler(self.rng, self.backend)
        self.space = SearchSpace(self.backend, dim=dim, bounds=bounds, center=center, scale=scale)
        self.sense = check_sense(sense)
        if popsize is None:
            popsize = self.default_popsize(self.dim)
        self.popsize = check_popsize(popsize)
        itemsize = np.dtype(self.backend.dtype_name).itemsize
        refuse_footprint(self.POPULATION_COPIES * self.popsize * self.dim * itemsize,
                         f"{self.POPULATION_COPIES} population-sized arrays at the peak of a "
                         f"generation (popsize={self.popsize} x dim={self.dim})",
                         "popsize and dim")
        self.nit = 0
        self.nfev = 0
        self._best_x = None
        self._best_cost = float("inf")
        self._warn_state = {}
        self._pending_x = self._pending_points = self._pending_excess = None
        self._last_values = None

    @classmethod
    def default_popsize(cls, dim):
        """int : the population size for ``dim`` dimensions when none is given."""
        if cls.DEFAULT_POPSIZE is None:
            raise TypeError(f"{cls.__name__} needs a popsize")
        return cls.DEFAULT_POPSIZE

    @property
    def dim(self):
        """int : problem dimension."""
        return self.space.dim

    @property
    def xp(self):
        """module : the Array-API namespace of this optimiser's arrays."""
        return self.backend.xp

    @property
    def best_x(self):
        """numpy.ndarray or None : best point evaluated so far (problem space, host), a
        read-only view: the optimiser's own copy cannot be changed through it."""
        if self._best_x is None:
            return None
        view = self._best_x.view()
        view.flags.writeable = False
        return view

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

    @property
    def estimates(self):
        """array or None : the algorithm's current estimates of good points (problem space).

        Diffusion Evolution's x0 estimates; ``None`` for algorithms without
        per-individual estimates.
        """
        return None

    @property
    def schedule_point(self):
        """tuple or None : ``(alpha_t, alpha_prev)`` of the last denoising step, if any."""
        return None

    def normal(self, shape):
        """Standard normal draws of ``shape`` on the backend, from this optimiser's :attr:`rng`."""
        return self._sampler.normal(shape)

    def uniform(self, shape):
        """Uniform draws in ``[0, 1)`` of ``shape`` on the backend, from this optimiser's :attr:`rng`."""
        return self._sampler.uniform(shape)

    def _target_reached(self):
        """Whether the best value reaches ``ftarget`` (for optimisers that have one)."""
        target = getattr(self, "ftarget", None)
        if target is None or self.best_x is None:
            return False
        return self.best_fun <= target if self.sense == "min" else self.best_fun >= target

    def stop_reason(self):
        """Return why the run should stop now (a message), or ``None`` to go on.

        A question only: it never changes the optimiser.  Algorithms with
        stopping rules override it; a finished algorithm (:attr:`done`)
        needs no reason.
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
            they are inside the box.  On NumPy a read-only view of the
            optimiser's own array (no copy): writing into it, or an objective
            that edits its input in place, raises ``ValueError`` instead of
            corrupting the run.  Backends without read-only arrays (CuPy,
            array_api_strict) get the array itself: do not modify it.
        """
        if self.done:
            raise RuntimeError(f"{type(self).__name__} has finished; no more generations to ask")
        if self._pending_x is None:
            normalised = self._ask()
            points, excess = self.space.to_problem(normalised)
            self._pending_x, self._pending_points, self._pending_excess = normalised, points, excess
        pending = self._pending_points
        if isinstance(pending, np.ndarray) and pending.flags.writeable:  # new, or restored
            self._pending_points = pending = read_only(pending)
        return pending

    def tell(self, values):
        """Give the objective values of the points of the last :meth:`ask`.

        Parameters
        ----------
        values : array_like, shape (popsize,)
            One objective value per point, in the order of ``ask``.  NaN and
            infinite values are treated as the worst possible value, with one
            warning per run.
        """
        if self._pending_x is None:
            raise RuntimeError("tell() was called without a pending ask(); call ask() first")
        values = self._check_values(values)
        normalised, points, excess = self._pending_x, self._pending_points, self._pending_excess
        cost = to_cost(self.xp, values, self.sense, self._warn_state)
        self._track_best(points, cost)
        self._tell(normalised, self._update_cost(cost, excess))
        self._pending_x = self._pending_points = self._pending_excess = None
        self._last_values = values
        self.nit += 1
        self.nfev += values.shape[0]

    def warm_start(self, points, values, *, names=("points", "values")):
        """Give evaluations the run already has (prior evaluations), before the first ask.

        They update the best point and enter the method's start as it can take
        them (Diffusion Evolution: the first generation's weights; CMA-ES,
        OpenES, PEPG: the start at the best of them, CMA-ES's step size from
        their spread; MAP-Elites: the archive; the default method: its
        exploration; the binary samplers: the starting states).  They do not
        count in :attr:`nfev`.

        Parameters
        ----------
        points : array_like, shape (M, D)
            Points of the search space (inside the bounds, if any).
        values : array_like, shape (M,)
            Their objective values (user's sign), finite.
        names : (str, str), default ('points', 'values')
            How errors name the two arguments (``minimize`` passes its own).

        Raises
        ------
        RuntimeError
            After the first :meth:`ask`.
        TypeError
            For a method that cannot take them (the niching method).
        ValueError
            Bad shapes, points outside the box, non-finite values (the argument named).
        """
        if self.nit or self._pending_x is not None:
            raise RuntimeError("warm_start() must come before the first ask()")
        normalised, points, cost = check_prior_evaluations(self, points, values, names)
        try:
            self._warm_start(normalised, cost)
        except ValueError as exc:  # a method's own condition on the points (binary states)
            raise ValueError(f"{names[0]} {exc}") from exc
        self._track_best(points, cost)

    def _warm_start(self, normalised, cost):
        raise TypeError(f"{type(self).__name__} takes no prior evaluations")

    def _within_budget(self, points, maxfevals):
        """The first rows of ``points`` that ``maxfevals`` still pays for (all of them when
        no limit is set, or when the limit is already reached: then the stop rule decides)."""
        remaining = None if maxfevals is None else maxfevals - self.nfev
        if remaining is not None and 0 < remaining < points.shape[0]:
            return points[:remaining, ...]
        return points

    def _padded_costs(self, cost, size):
        """``cost`` of a generation cut by :meth:`_within_budget`, filled up to ``size`` with
        ``+inf``: the points not asked rank last."""
        missing = size - cost.shape[0]
        if missing <= 0:
            return cost
        xp = self.xp
        return xp.concat([cost, xp.full((missing,), math.inf, dtype=cost.dtype)])

    def _update_cost(self, cost, excess):
        """The costs the update sees: penalised by how far each point was clipped into the box
        (see :meth:`evodiff.space.SearchSpace.penalize`), so that the search is drawn back
        inside.  An algorithm that keeps the evaluated points themselves overrides it."""
        return self.space.penalize(cost, excess)

    def _check_values(self, values):
        xp = self.xp
        n = self._pending_x.shape[0]
        if isinstance(values, np.ma.MaskedArray):
            raise TypeError("values must not be a masked array: its masked entries have no "
                            "value; give NaN for the points whose evaluation failed")
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
        if value < self._best_cost or self._best_x is None:
            self._best_cost = value
            self._best_x = np.array(self.backend.to_host(points[index, :]), dtype=np.float64)

    def _ask(self):
        """Return the next population in normalised coordinates, shape (N, D)."""
        raise NotImplementedError

    def _tell(self, x, cost):
        """Update the state from normalised points ``x`` and their costs (lower is better)."""
        raise NotImplementedError
