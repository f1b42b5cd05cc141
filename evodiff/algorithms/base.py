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

import hashlib
import json

import numpy as np

from ..backend import Backend
from ..fitness import to_cost, validate_sense
from ..space import SearchSpace

__all__ = ["Optimizer", "start_as_center", "setting_mismatch"]


def setting_mismatch(name, saved, current):
    """The error raised when a checkpoint's setting differs from the optimiser's.

    Parameters
    ----------
    name : str
        Name of the setting (an argument of the optimiser's constructor).
    saved, current : object
        The value in the checkpoint and the value of the optimiser.

    Returns
    -------
    ValueError
        To be raised by the caller.
    """
    return ValueError(
        f"checkpoint setting {name!r} differs: the file has {_describe(saved)}, the optimizer "
        f"has {_describe(current)}; build the optimizer with the same arguments as the run "
        "that was saved")


def _describe(value):
    """Short text for a setting's value in an error message."""
    if value is None:
        return "None"
    array = value if isinstance(value, np.ndarray) else None
    if array is None and isinstance(value, (list, tuple)):
        try:
            array = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            array = None
    if array is not None and array.size > 6:
        return f"an array of shape {array.shape}"
    if array is not None:
        return repr(array.tolist())
    return repr(value)


def _json_ready(value):
    """A copy of a random generator's state with arrays and NumPy scalars made plain."""
    if isinstance(value, dict):
        return {str(key): _json_ready(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_ready(item) for item in value]
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


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

    # -- checkpointing (evodiff.checkpoint) -----------------------------------------------

    def checkpoint_settings(self):
        """The settings a resumed run must share with the run that saved the checkpoint.

        :func:`evodiff.checkpoint.restore` compares them, key by key, with the
        settings stored in the file and names the first that differs.
        Stopping rules (``maxiter``, ``maxfevals``, ``ftarget``, tolerances)
        are not settings in this sense: they may change, so that a finished
        run can be extended.

        Returns
        -------
        dict
            Setting name -> JSON-compatible value or host NumPy array.
        """
        space = self.space
        bounds = None
        if space.bounded:
            bounds = np.stack([space.lower, space.upper], axis=1)
        return {
            "dim": int(self.dim),
            "popsize": int(self.popsize),
            "dtype": self.backend.dtype_name,
            "backend": self.backend.name,
            "sense": self.sense,
            "bounds": bounds,
            "center": np.array(space.center, dtype=np.float64),
            "scale": np.array(space.scale, dtype=np.float64),
        }

    def state_dict(self):
        """The full state of the run, enough to continue it exactly.

        Holds the counters, the best point so far, the non-finite warning
        state, the last values told, the pending ``ask`` (if any) and the
        state of the host random generator (``bit_generator.state``);
        subclasses add their own arrays and scalars.  Arrays are copied to
        the host with ``backend.to_host``.

        Returns
        -------
        dict
            Name -> host NumPy array, ``None`` or a JSON-compatible value.
        """
        pending = self._pending
        return {
            "nit": int(self.nit),
            "nfev": int(self.nfev),
            "best_x": None if self.best_x is None else np.array(self.best_x, dtype=np.float64),
            "best_cost": float(self._best_cost),
            "warn_state": _json_ready(self._warn_state),
            "rng": _json_ready(self.backend.generator.bit_generator.state),
            "last_values": self._host_copy(self._last_values),
            "pending": pending is not None,
            "pending_normalised": None if pending is None else self._host_copy(pending[0]),
            "pending_points": None if pending is None else self._host_copy(pending[1]),
            "pending_excess": None if pending is None else self._host_copy(pending[2]),
        }

    def load_state_dict(self, state):
        """Overwrite the state of this optimiser with one from :meth:`state_dict`.

        The optimiser must have been built with the same settings as the one
        that produced ``state`` (see :meth:`checkpoint_settings`); arrays
        are moved onto this optimiser's backend with ``backend.asarray``.
        On CuPy the device generator's state is not part of ``state``: it is
        re-seeded from the restored host generator and the generation count,
        so a resumed run is reproducible but draws other device numbers than
        the uninterrupted run would have.

        Parameters
        ----------
        state : dict
            As returned by :meth:`state_dict` (possibly after a trip through
            a checkpoint file).

        Raises
        ------
        ValueError
            If the random generator is of another kind, or an array has the
            wrong shape.
        KeyError
            If an entry is missing.
        """
        rng_state = state["rng"]
        generator = self.backend.generator
        kind = type(generator.bit_generator).__name__
        saved_kind = rng_state.get("bit_generator") if isinstance(rng_state, dict) else None
        if saved_kind != kind:
            raise ValueError(
                f"checkpoint setting 'rng' differs: the file holds the state of a {saved_kind} "
                f"generator, the optimizer has a {kind} generator; build the optimizer with a "
                "generator of the same kind (any seed: the state is restored)")
        dim = self.dim
        pending = None
        if state["pending"]:
            normalised = np.asarray(state["pending_normalised"])
            if normalised.ndim != 2 or normalised.shape[1] != dim:
                raise ValueError(
                    "not a valid evodiff checkpoint: state 'pending_normalised' has shape "
                    f"{normalised.shape}; expected (N, {dim})")
            n = normalised.shape[0]
            pending = (self._device_copy(normalised, "pending_normalised"),
                       self._device_copy(state["pending_points"], "pending_points", (n, dim)),
                       self._device_copy(state["pending_excess"], "pending_excess", (n,)))
        last_values = self._device_copy(state["last_values"], "last_values")
        best_x = state["best_x"]
        if best_x is not None:
            best_x = np.array(best_x, dtype=np.float64)
            if best_x.shape != (dim,):
                raise ValueError(
                    f"not a valid evodiff checkpoint: state 'best_x' has shape {best_x.shape}; "
                    f"expected ({dim},)")
        generator.bit_generator.state = rng_state
        self.nit = int(state["nit"])
        self.nfev = int(state["nfev"])
        self.best_x = best_x
        self._best_cost = float(state["best_cost"])
        self._warn_state = dict(state["warn_state"])
        self._last_values = last_values
        self._pending = pending
        if self.backend.name == "cupy":
            self._reseed_device_generator(rng_state)

    def _reseed_device_generator(self, rng_state):
        """Give the CuPy generator a fresh seed derived from the restored state (see above)."""
        random = getattr(self.backend, "_random", None)
        if random is None or not hasattr(random, "_device_generator"):
            return
        import cupy

        text = json.dumps([rng_state, self.nit, self.nfev], sort_keys=True)
        seed = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:16], "little")
        random._device_generator = cupy.random.default_rng(seed)

    def _host_copy(self, array):
        """A host NumPy copy of a backend array (``None`` stays ``None``)."""
        if array is None:
            return None
        return np.array(self.backend.to_host(array), copy=True)

    def _device_copy(self, array, name, shape=None):
        """A backend copy of a host array from a checkpoint, its shape checked."""
        if array is None:
            return None
        host = np.array(array, copy=True)
        if shape is not None and host.shape != tuple(shape):
            raise ValueError(
                f"not a valid evodiff checkpoint: state {name!r} has shape {host.shape}; "
                f"expected {tuple(shape)}")
        return self.backend.asarray(host)

    def _ask(self):
        """Return the next population in normalised coordinates, shape (N, D)."""
        raise NotImplementedError

    def _tell(self, x, cost):
        """Update the state from normalised points ``x`` and their costs (lower is better)."""
        raise NotImplementedError
