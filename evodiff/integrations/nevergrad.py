"""Evodiff's optimisers in nevergrad's optimizer registry.

Importing this module registers, in ``nevergrad.optimizers.registry``:

``"DiffusionEvolution"``
    Diffusion Evolution (:class:`evodiff.DiffusionEvolution`).
``"DiffusionEvolutionRestarts"``
    The Diffusion Evolution that converges, evodiff's default method
    (``'diffevo-restarts'``: exploration, CMA-ES refinement of its modes, IPOP
    restarts), spending nevergrad's budget as its ``maxfevals``.
``"LatentDiffusionEvolution"``
    Latent Diffusion Evolution (a random projection to two dimensions, for
    high-dimensional problems).
``"EvodiffCMAES"``
    Evodiff's CMA-ES with IPOP restarts (nevergrad has its own ``"CMA"``).

After the import they are used like any nevergrad optimizer::

    import nevergrad as ng
    import evodiff.integrations.nevergrad  # noqa: F401  (registers the optimizers)

    opt = ng.optimizers.registry["DiffusionEvolution"](
        parametrization=ng.p.Array(shape=(3,)), budget=600)
    recommendation = opt.minimize(lambda x: float(x @ x))

How the adapter works
---------------------
*Standardised space.*  The evodiff optimiser searches nevergrad's
standardised space of the parametrization (``get_standardized_data``), an
unbounded space of dimension ``parametrization.dimension`` in which the
parametrization's initial value is the origin and one unit is its ``sigma``.
The evodiff optimiser is therefore built with ``center = 0``, ``scale = 1``
and no bounds; nevergrad maps every point back (bounds, integers, choices),
so a bounded parametrization is never evaluated outside its bounds.

*One generation at a time.*  One ``ask()`` of the evodiff optimiser gives a
whole population; nevergrad's ``ask()`` hands its points out one by one and
``tell()`` collects their losses, in any order.  Once every point of the
generation has its loss, the generation is told to the evodiff optimiser in
the order it was asked.  An ``ask()`` that comes when the generation has been
handed out but some of its losses are still missing (more workers than
points left) gets a point drawn from the standard normal distribution of
the standardised space; its loss is only recorded by nevergrad (best point
and recommendation).  A candidate that is asked and never told therefore
holds its generation back: tell every candidate, with a large loss for a
failed evaluation.

*Restarts.*  When the evodiff optimiser has finished (Diffusion Evolution's
schedule has run to its end, CMA-ES's stopping rules fired after its
restarts), the next ``ask()`` builds a fresh one with a new seed.

*Reproducibility.*  The seeds of the evodiff optimisers and the extra
points are drawn from ``parametrization.random_state``: seeding it
(``parametrization.random_state = np.random.RandomState(0)``) repeats a
sequential run exactly.

*Parametrizations.*  Arrays, scalars (bounded, log-scaled, cast to
integers) and containers of them (``Instrumentation``) are accepted; a
parametrization holding a ``Choice`` or ``TransitionChoice`` is refused with
a ``TypeError`` naming it (a discrete choice is not a real coordinate).

*Points told without being asked* (``optimizer.suggest`` and tells of
external candidates) are recorded by nevergrad as usual.  When the evodiff
optimiser supports ``warm_start(points, values)``, those told before it
asks its first generation (at the start and after a restart) are also
given to it.
"""

from __future__ import annotations

import math

import numpy as np

try:
    import nevergrad as ng
    from nevergrad.optimization import base as ng_base
except ImportError as exc:  # pragma: no cover - exercised only without nevergrad
    raise ImportError(
        "evodiff.integrations.nevergrad needs nevergrad; install it with "
        "pip install evodiff-toolkit[nevergrad]") from exc

from ..registry import get_method

__all__ = ["EvodiffOptimizer", "ParametrizedEvodiff", "default_settings", "REGISTERED",
           "DE_GENERATIONS", "DE_POPSIZE_RANGE", "DE_UNLIMITED_POPSIZE"]

#: Schedule points (generations) of one Diffusion Evolution run when the budget allows them.
DE_GENERATIONS = 10
#: Range of the Diffusion Evolution popsize derived from the budget (before ``num_workers``).
DE_POPSIZE_RANGE = (8, 256)
#: Diffusion Evolution's popsize without a budget.
DE_UNLIMITED_POPSIZE = 64

_DIFFUSION_METHODS = ("diffevo", "latent-diffevo")
# Settings the adapter owns: they follow from the parametrization and the budget.
_RESERVED = ("popsize", "maxiter", "dim", "bounds", "center", "scale", "rng", "sense", "x0",
             "backend")


def default_settings(method, budget, num_workers=1, dimension=1, popsize=None):
    """The population size and generations the adapter uses for a budget.

    Parameters
    ----------
    method : str
        An evodiff method (``'diffevo'``, ``'latent-diffevo'``, ``'cmaes'``, ...).
    budget : int or None
        Nevergrad's budget (number of evaluations); ``None`` for none.
    num_workers : int, default 1
        Evaluations run in parallel.
    dimension : int, default 1
        Dimension of the standardised space.
    popsize : int, optional
        A popsize chosen by the user: only the generations are derived.

    Returns
    -------
    popsize : int
        Points per generation, at least ``num_workers`` unless given.
    generations : int or None
        Generations of one run of the evodiff optimiser (Diffusion
        Evolution: schedule points); ``None`` leaves it to the method.

    Notes
    -----
    Diffusion Evolution: ``popsize = clip(budget // 10, 8, 256)``, raised to
    ``num_workers``, and ``generations = clip(budget // popsize, 2, 10)``.
    A budget up to 2,560 is one run of about 10 generations; a larger one
    is spent in runs of 256 x 10 evaluations, each restarted from scratch.
    Short schedules with large populations did best in the measurements of
    ``docs/guide/nevergrad.rst`` (a longer schedule with the same budget
    was worse on the sphere, Rastrigin and Rosenbrock functions in 3 and 10
    dimensions).  Without a budget: 64 points and 10 generations per run.

    CMA-ES: its own default population ``4 + floor(3 ln D)``, raised to
    ``num_workers``, and its own stopping rules (with IPOP restarts).

    Methods that spend an evaluation budget their own way (registry flag
    ``sizing='evaluations'``, such as ``'diffevo-restarts'``): their own
    populations (``popsize`` is the exploration's when given) and the budget
    as their ``maxfevals``.

    Other methods: their default popsize raised to ``num_workers``, and
    ``budget // popsize`` generations.
    """
    workers = max(1, int(num_workers))
    given = popsize is not None
    if get_method(method).sizing == "evaluations":  # it sizes its own generations
        return (int(popsize) if given else None), None
    if method in _DIFFUSION_METHODS:
        if not given:
            if budget is None:
                popsize = DE_UNLIMITED_POPSIZE
            else:
                low, high = DE_POPSIZE_RANGE
                popsize = min(max(int(budget) // DE_GENERATIONS, low), high)
            popsize = max(popsize, workers)
        if budget is None:
            return int(popsize), DE_GENERATIONS
        return int(popsize), max(2, min(DE_GENERATIONS, int(budget) // int(popsize)))
    if method == "cmaes":
        if not given:
            popsize = max(4 + int(math.floor(3 * math.log(max(1, dimension)))), workers)
        return int(popsize), None
    if not given:
        popsize = max(get_method(method).default_popsize or 16, workers)
    return int(popsize), None if budget is None else max(1, int(budget) // int(popsize))


def _check_continuous(parametrization):
    """Refuse a parametrization whose standardised space is not made of real arrays.

    Arrays, scalars (bounded, log-scaled or cast to integers) and containers of
    them (``Instrumentation``, ``Tuple``, ``Dict``) are searched in nevergrad's
    standardised space; a choice (``Choice``, ``TransitionChoice``) is a discrete
    variable encoded by weights that evodiff's optimisers would treat as a distance.
    """
    from nevergrad.parametrization import helpers

    for name, parameter in helpers.flatten(parametrization):
        if isinstance(parameter, ng.p.BaseChoice):
            raise TypeError(
                f"evodiff's optimizers search real arrays; the parametrization holds the "
                f"{type(parameter).__name__} {name or '(root)'!r}: use nevergrad's own "
                "optimizers (NGOpt) for discrete choices, or an ng.p.Array/ng.p.Scalar")


class _Generation:
    """One population of the evodiff optimiser being handed out and told."""

    def __init__(self, points):
        self.points = np.asarray(points, dtype=np.float64)
        self.values = np.full(self.points.shape[0], np.nan)
        self.handed = 0
        self.told = np.zeros(self.points.shape[0], dtype=bool)

    @property
    def exhausted(self):
        return self.handed >= self.points.shape[0]

    @property
    def complete(self):
        return bool(self.told.all())


class EvodiffOptimizer(ng_base.Optimizer):
    """A nevergrad optimizer that runs an evodiff optimiser in the standardised space.

    Usually built through the registry (``ng.optimizers.registry["DiffusionEvolution"]``)
    or a :class:`ParametrizedEvodiff`; see the module's documentation for how
    generations, extra asks and restarts work.

    Parameters
    ----------
    parametrization : int or nevergrad.p.Parameter
        The search space (an int ``D`` is ``ng.p.Array(shape=(D,))``).
    budget : int, optional
        Number of evaluations; sets the default popsize and generations
        (:func:`default_settings`).
    num_workers : int, default 1
        Evaluations run in parallel; the popsize is at least this.
    method : str, default 'diffevo'
        A continuous method of :mod:`evodiff.registry`.
    popsize : int, optional
        Points per generation (default: :func:`default_settings`).
    generations : int, optional
        Generations of one run before a restart (Diffusion Evolution: the
        number of schedule points, ``>= 2``; CMA-ES: ``maxiter`` of each of
        its IPOP runs).  Default: :func:`default_settings`.
    options : dict, optional
        Further keyword arguments of the evodiff optimiser (``noise``,
        ``fitness``, ``latent``, ``restarts``, ...).  The region, popsize,
        generations, seed and sense belong to the adapter.

    Attributes
    ----------
    evodiff_optimizer : evodiff.algorithms.base.Optimizer or None
        The evodiff optimiser of the current run (``None`` before the first
        ask and between a finished run and the next ask).
    runs : int
        Evodiff optimisers built so far (1 + restarts).
    extra_asks : int
        Points handed out from the standard normal while a generation waited
        for its losses.
    warm_started : int
        Points given to the evodiff optimisers through ``warm_start``.
    """

    def __init__(self, parametrization, budget=None, num_workers=1, *, method="diffevo",
                 popsize=None, generations=None, options=None):
        super().__init__(parametrization, budget=budget, num_workers=num_workers)
        _check_continuous(self.parametrization)
        spec = get_method(method)
        if spec.domain != "continuous":
            raise ValueError(f"method {method!r} is not a continuous method of evodiff")
        self.method = spec.name
        options = dict(options or {})
        reserved = sorted(set(options) & set(_RESERVED))
        if reserved:
            raise ValueError(f"options may not set {', '.join(reserved)}: the adapter sets them "
                             "(use popsize= and generations= for the population and its runs)")
        if self.method == "cmaes":
            options.setdefault("restarts", 100)
        if spec.sizing == "evaluations" and budget is not None:
            options.setdefault("maxfevals", int(budget))
        self.options = options
        self.popsize, default_generations = default_settings(
            self.method, budget, self.num_workers, self.dimension, popsize)
        self.generations = int(generations) if generations is not None else default_generations
        if self.popsize is not None and self.popsize < 2:
            raise ValueError(f"popsize must be >= 2; got {self.popsize}")
        # CMA-ES and the bounded-steps methods reject bad values themselves; Diffusion
        # Evolution's schedule needs two points, checked here so that the error comes early.
        if self.method in _DIFFUSION_METHODS and self.generations is not None \
                and self.generations < 2:
            raise ValueError(f"generations must be >= 2 for Diffusion Evolution; got {self.generations}")
        # the cheap-constraint loop of nevergrad's ask tells rejected candidates +inf, so a
        # generation does not wait for losses that would never come
        self._penalize_cheap_violations = True
        self.evodiff_optimizer = None
        self.runs = 0
        self.extra_asks = 0
        self.warm_started = 0
        self._generation = None
        self._slots = {}  # candidate uid -> index in the current generation
        self._unasked = []  # (standardised point, loss) told before the optimiser's first ask

    # -- the evodiff optimiser ---------------------------------------------------------------

    def _start_run(self):
        seed = int(self._rng.randint(0, 2**31 - 1))
        self.evodiff_optimizer = get_method(self.method).build(
            popsize=self.popsize, maxiter=self.generations, center=np.zeros(self.dimension),
            scale=1.0, rng=seed, **self.options)
        self.runs += 1
        self._warm_start()

    def _warm_start(self):
        opt, told = self.evodiff_optimizer, self._unasked
        self._unasked = []
        if not told or not hasattr(opt, "warm_start"):
            return
        points = np.array([point for point, _ in told], dtype=np.float64)
        values = np.array([loss for _, loss in told], dtype=np.float64)
        finite = np.isfinite(values)
        if finite.any():
            opt.warm_start(points[finite], values[finite])
            self.warm_started += int(finite.sum())

    def _finished(self, opt):
        return bool(opt.done) or opt.stop_reason() is not None

    # -- nevergrad's contract ----------------------------------------------------------------

    def _internal_ask_candidate(self):
        generation = self._generation
        if generation is not None and generation.exhausted and not generation.complete:
            self.extra_asks += 1
            return self.parametrization.spawn_child().set_standardized_data(
                self._rng.normal(size=self.dimension))
        if generation is None:
            if self.evodiff_optimizer is None:
                self._start_run()
            generation = self._generation = _Generation(self.evodiff_optimizer.ask())
        index = generation.handed
        generation.handed += 1
        candidate = self.parametrization.spawn_child().set_standardized_data(
            generation.points[index])
        self._slots[candidate.uid] = index
        return candidate

    def _internal_tell_candidate(self, candidate, loss):
        index = self._slots.pop(candidate.uid, None)
        if index is None:
            return  # an extra point: nevergrad's archive and bests keep it
        generation = self._generation
        generation.values[index] = float(loss)
        generation.told[index] = True
        if generation.complete:
            opt = self.evodiff_optimizer
            self._generation = None
            opt.tell(generation.values)
            if self._finished(opt):
                self.evodiff_optimizer = None  # the next ask starts a new run

    def _internal_tell_not_asked(self, candidate, loss):
        # the optimiser of a run is built at its first ask: while there is none, the next one
        # has not asked yet and can take the point
        if self.evodiff_optimizer is None:
            point = candidate.get_standardized_data(reference=self.parametrization)
            self._unasked.append((np.array(point, dtype=np.float64), float(loss)))


class ParametrizedEvodiff(ng_base.ConfiguredOptimizer):
    """A configured evodiff optimizer for nevergrad (what the registry holds).

    Parameters
    ----------
    method : str, default 'diffevo'
        A continuous method of :mod:`evodiff.registry`.
    popsize : int, optional
        Points per generation (default from the budget, :func:`default_settings`).
    generations : int, optional
        Generations of one run before a restart (default from the budget).
    options : dict, optional
        Further keyword arguments of the evodiff optimiser.

    Examples
    --------
    >>> import nevergrad as ng
    >>> from evodiff.integrations.nevergrad import ParametrizedEvodiff
    >>> config = ParametrizedEvodiff(popsize=32, generations=10, options={"noise": 0.0})
    >>> opt = config(parametrization=ng.p.Array(shape=(2,)), budget=320)
    >>> opt.popsize, opt.generations
    (32, 10)
    """

    # pylint: disable=unused-argument
    def __init__(self, *, method="diffevo", popsize=None, generations=None, options=None):
        super().__init__(EvodiffOptimizer, locals())


def _register(name, config):
    registry = ng.optimizers.registry
    existing = registry.get(name)
    # compared by module, not class: a reloaded module has a new class of the same name
    if existing is not None and type(existing).__module__ != __name__:
        raise RuntimeError(f"nevergrad already has an optimizer called {name!r}; evodiff's "
                           "was not registered")
    registry.unregister(name)  # ours, from an earlier import (module reload)
    config.set_name(name, register=True)
    return config


#: The registered configurations: nevergrad name -> :class:`ParametrizedEvodiff`.
REGISTERED = {
    name: _register(name, ParametrizedEvodiff(method=method))
    for name, method in (("DiffusionEvolution", "diffevo"),
                         ("DiffusionEvolutionRestarts", "diffevo-restarts"),
                         ("LatentDiffusionEvolution", "latent-diffevo"),
                         ("EvodiffCMAES", "cmaes"))
}
