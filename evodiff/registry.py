"""The one table of optimisation methods: name -> how to build it, its label, its defaults.

Every part of evodiff that names a method goes through this table:
:func:`~evodiff.optimize.minimize` (``method=``), the benchmark suites, the
command line, the figures (labels and colours) and the demos.  A method
registered with :func:`register_method` therefore works everywhere at once.

Examples
--------
>>> from evodiff.registry import make_optimizer
>>> opt = make_optimizer("cmaes", bounds=[(-5, 5)] * 3, rng=0)
>>> opt.popsize
7
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .algorithms.cmaes import CMAES
from .algorithms.diffusion import DiffusionEvolution
from .algorithms.map_elites import MAPElites
from .algorithms.niching import NichingDiffusionEvolution
from .algorithms.openes import OpenES
from .algorithms.pepg import PEPG
from .algorithms.restarts import RestartedDiffusionEvolution
from .binary.annealing import SimulatedAnnealing, problem_fingerprint
from .binary.diffusion import BinaryDiffusionEvolution
from .binary.polish import OneFlipDescent
from .binary.tempering import ParallelTempering
from .constraints import RULES as CONSTRAINT_RULES
from .validation import check_int

__all__ = ["MethodSpec", "METHODS", "DOMAINS", "AUTO_METHODS", "REFERENCE_METHOD",
           "register_method", "make_optimizer", "get_method", "method_label", "method_names"]


def _fill_budget(budget, popsize):
    """Default way to spend ``budget`` evaluations: ``budget // popsize`` generations."""
    return {"popsize": popsize, "maxiter": budget // popsize}


@dataclass(frozen=True)
class MethodSpec:
    """One registered method.

    Attributes
    ----------
    name : str
        The name users type (``minimize(method=name)``, ``--method name``).
    builder : callable
        ``builder(*, popsize, maxiter, **settings) -> Optimizer``, where
        ``popsize`` and ``maxiter`` may be ``None`` (the method's defaults)
        and ``settings`` are the region (``dim``, ``bounds``, ``center``,
        ``scale``), ``sense``, ``rng``, ``dtype``, ``backend`` and the
        method's own options.
    label : str
        Display name in tables and figures.
    default_popsize : int or None
        The population a run gets when none is asked for; ``None`` when the
        method derives it from the dimension (CMA-ES: ``4 + floor(3 ln D)``).
    budget_settings : callable
        ``budget_settings(budget, popsize) -> dict``: the settings that make a
        run spend about ``budget`` evaluations with population ``popsize``
        (benchmarks at equal budget).  Default: ``popsize`` and
        ``maxiter = budget // popsize``.
    domain : {'continuous', 'binary'}
        The search spaces of the method: boxes of real numbers, or binary
        vectors (:mod:`evodiff.binary`).
    latent : bool
        Whether the method searches a latent space (``minimize(latent=...)``
        is accepted).
    sizing : {'generations', 'evaluations'}
        How a run is sized: ``popsize`` x ``maxiter`` generations, or an
        evaluation budget the method spends its own way (``maxfevals``:
        restarts, rounds of samples).  A suite with a fixed number of
        generations (the paper's) runs only the first kind by default.
    goal : {'optimum', 'all-optima', 'illumination'}
        What the method's answer is: the best point (with the modes it met),
        every global optimum, or an archive of elites over descriptors.  A
        suite that counts evaluations to a target (the standard one) runs only
        the first kind by default.
    style_slot : int or None
        Fixed palette slot of the method's colour and marker in figures, kept
        for the built-in methods so that every figure shows them alike; ``None``:
        the next free slot.
    constraint_rule : {'feasibility-first', 'augmented-lagrangian'}
        How ``minimize(constraints=...)`` ranks the method's generations when
        the user names no rule (:data:`evodiff.constraints.RULES`).
    """

    name: str
    builder: Callable
    label: str
    default_popsize: int | None = None
    budget_settings: Callable = _fill_budget
    domain: str = "continuous"
    latent: bool = False
    sizing: str = "generations"
    goal: str = "optimum"
    style_slot: int | None = None
    constraint_rule: str = "feasibility-first"

    def build(self, *, popsize=None, maxiter=None, **settings):
        """Build an optimiser of this method (see :attr:`builder`)."""
        return self.builder(popsize=popsize, maxiter=maxiter, **settings)


#: Registered methods, in registration order: name -> :class:`MethodSpec`.
METHODS: dict[str, MethodSpec] = {}


#: The kinds of search space a method can serve.
DOMAINS = ("continuous", "binary")

#: The values of the flags of a :class:`MethodSpec`.
SIZINGS = ("generations", "evaluations")
GOALS = ("optimum", "all-optima", "illumination")

#: What ``method='auto'`` runs, per domain and situation (the solvers of
#: :mod:`evodiff.continuous` and :mod:`evodiff.binary.solve` say which situation holds).
AUTO_METHODS = {
    "continuous": {"default": "diffevo-restarts", "high-dimensional": "latent-diffevo",
                   "latent encoder": "diffevo"},
    "binary": {"quadratic problem": "anneal", "black box": "binary-diffevo"},
}

#: The method every other one is compared with in the benchmark statistics (p-values).
REFERENCE_METHOD = "diffevo"


def _check_domain(domain):
    if domain not in DOMAINS:
        raise ValueError(f"domain must be one of {', '.join(DOMAINS)}; got {domain!r}")


def _check_choice(name, value, choices):
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}; got {value!r}")


def register_method(name, builder, *, label=None, default_popsize=None, budget_settings=None,
                    domain="continuous", latent=False, sizing="generations", goal="optimum",
                    style_slot=None, constraint_rule="feasibility-first", replace=False):
    """Make a method available everywhere by name.

    Parameters
    ----------
    name : str
        Method name, non-empty; stored lower-case.
    builder : callable
        ``builder(*, popsize, maxiter, **settings) -> Optimizer``; see
        :class:`MethodSpec`.
    label : str, optional
        Display name (default: ``name``).
    default_popsize : int, optional
        The population used when none is given (``None``: the method decides).
    budget_settings : callable, optional
        See :class:`MethodSpec`.
    domain : {'continuous', 'binary'}, default 'continuous'
        See :class:`MethodSpec`.
    latent : bool, default False
        See :class:`MethodSpec`.
    sizing : {'generations', 'evaluations'}, default 'generations'
        See :class:`MethodSpec`.
    goal : {'optimum', 'all-optima', 'illumination'}, default 'optimum'
        See :class:`MethodSpec`.
    style_slot : int, optional
        See :class:`MethodSpec`.
    constraint_rule : {'feasibility-first', 'augmented-lagrangian'}
        See :class:`MethodSpec`.
    replace : bool, default False
        Allow replacing a registered method of the same name.

    Returns
    -------
    MethodSpec

    Raises
    ------
    TypeError
        If ``name`` is not a string or ``builder`` is not callable.
    ValueError
        If ``name`` is empty or already registered (without ``replace``).
    """
    if not isinstance(name, str) or not name.strip():
        raise TypeError(f"name must be a non-empty string; got {name!r}")
    if not callable(builder):
        raise TypeError(f"builder must be callable; got {type(builder).__name__}")
    key = name.strip().lower()
    if key in METHODS and not replace:
        raise ValueError(f"method {key!r} is already registered; pass replace=True to replace it")
    if default_popsize is not None:
        default_popsize = check_int("default_popsize", default_popsize, minimum=1)
    if budget_settings is not None and not callable(budget_settings):
        raise TypeError(f"budget_settings must be callable; got {type(budget_settings).__name__}")
    _check_domain(domain)
    if not isinstance(latent, bool):
        raise TypeError(f"latent must be True or False; got {latent!r}")
    _check_choice("sizing", sizing, SIZINGS)
    _check_choice("goal", goal, GOALS)
    if style_slot is not None:
        style_slot = check_int("style_slot", style_slot, minimum=0)
    _check_choice("constraint_rule", constraint_rule, CONSTRAINT_RULES)
    spec = MethodSpec(key, builder, label if label is not None else key, default_popsize,
                      budget_settings or _fill_budget, domain, latent, sizing, goal, style_slot,
                      constraint_rule)
    METHODS[key] = spec
    return spec


def get_method(name):
    """The :class:`MethodSpec` called ``name`` (case-insensitive).

    Raises
    ------
    ValueError
        For an unknown name; the message lists the registered ones.
    """
    if isinstance(name, str) and name.strip().lower() in METHODS:
        return METHODS[name.strip().lower()]
    raise ValueError(f"method must be one of {', '.join(METHODS)}; got {name!r}")


def method_names(domain="continuous"):
    """The registered method names for one kind of search space, in registration order.

    Parameters
    ----------
    domain : {'continuous', 'binary'}, default 'continuous'

    Returns
    -------
    list of str
    """
    _check_domain(domain)
    return [name for name, spec in METHODS.items() if spec.domain == domain]


def method_label(name):
    """Display name of a method; an unregistered name is shown as given."""
    spec = METHODS.get(name.lower()) if isinstance(name, str) else None
    return spec.label if spec is not None else str(name)


def make_optimizer(name, *, popsize=None, maxiter=None, **settings):
    """Build the optimiser of a registered method.

    Parameters
    ----------
    name : str
        A registered method (:func:`method_names`).
    popsize : int, optional
        Population size (default: the method's).
    maxiter : int, optional
        Generations (Diffusion Evolution: schedule points); default: the method's.
    **settings
        The search region (``bounds``, or ``center`` and ``scale``, or
        ``dim``), ``sense``, ``rng``, ``dtype``, ``backend`` and options of
        the method's class.

    Returns
    -------
    Optimizer
    """
    return get_method(name).build(popsize=popsize, maxiter=maxiter, **settings)


# -- the built-in methods -------------------------------------------------------------------

def _diffevo_builder(latent_default):
    def build(*, popsize, maxiter, **settings):
        if maxiter is not None:
            maxiter = check_int("maxiter", maxiter, minimum=1)
            if maxiter < 2:
                raise ValueError(
                    "maxiter must be >= 2 for Diffusion Evolution (it is the number of schedule "
                    f"points); got {maxiter}")
            settings["steps"] = maxiter
        if popsize is not None:
            settings["popsize"] = popsize
        if latent_default is not None:
            settings.setdefault("latent", latent_default)
        return DiffusionEvolution(**settings)
    return build


def _class_builder(cls):
    def build(*, popsize, maxiter, **settings):
        if popsize is not None:
            settings["popsize"] = popsize
        if maxiter is not None:
            settings["maxiter"] = maxiter
        return cls(**settings)
    return build


def _cmaes_budget(budget, popsize):
    """CMA-ES keeps its default population and restarts (IPOP) until the budget is spent."""
    return {"popsize": None, "maxiter": None, "maxfevals": budget, "restarts": 100}


def _restarted_builder(*, popsize, maxiter, **settings):
    """``maxiter`` caps the generations of the whole run (the exploration's schedule points
    are the option ``steps``)."""
    return RestartedDiffusionEvolution(popsize=popsize, maxiter=maxiter, **settings)


def _restarted_budget(budget, popsize):
    """The converging Diffusion Evolution spends the budget itself (restarts included)."""
    return {"popsize": popsize, "maxfevals": budget, "patience": None}


register_method("diffevo", _diffevo_builder(None), label="Diffusion Evolution",
                default_popsize=DiffusionEvolution.DEFAULT_POPSIZE, latent=True, style_slot=0)
register_method("latent-diffevo", _diffevo_builder("random"), label="Latent Diffusion Evolution",
                default_popsize=DiffusionEvolution.DEFAULT_POPSIZE, latent=True, style_slot=4)
register_method("cmaes", _class_builder(CMAES), label="CMA-ES",
                default_popsize=CMAES.DEFAULT_POPSIZE, budget_settings=_cmaes_budget,
                style_slot=1)
register_method("openes", _class_builder(OpenES), label="OpenES",
                default_popsize=OpenES.DEFAULT_POPSIZE, style_slot=2)
register_method("pepg", _class_builder(PEPG), label="PEPG", default_popsize=PEPG.DEFAULT_POPSIZE,
                style_slot=3)
register_method("map-elites", _class_builder(MAPElites), label="MAP-Elites",
                default_popsize=MAPElites.DEFAULT_POPSIZE, goal="illumination")
register_method("diffevo-restarts", _restarted_builder, label="Diffusion Evolution + restarts",
                default_popsize=None, budget_settings=_restarted_budget, latent=True,
                sizing="evaluations")


def _niching_budget(budget, popsize):
    """The niching search spends the budget itself, in rounds of growing samples."""
    return {"popsize": None, "maxiter": None, "maxfevals": budget}


register_method("diffevo-niching", _class_builder(NichingDiffusionEvolution),
                label="Niching Diffusion Evolution", default_popsize=None,
                budget_settings=_niching_budget, sizing="evaluations", goal="all-optima")


# -- binary methods: settings hold ``problem`` (a QUBO, Ising or MaxCut, or None for a
#    black-box objective), ``dim`` (bits) and ``domain`` (the values of a state's entries)

def _coupling_builder(name, cls):
    """Builder of a method that sweeps the problem's couplings; ``maxiter`` is the sweeps."""
    def build(*, popsize, maxiter, problem=None, dim=None, domain=None, **settings):
        if problem is None:
            raise ValueError(f"method {name!r} needs the problem's couplings: pass a QUBO, "
                             "Ising or MaxCut problem as fun (for a black-box objective use "
                             "method='binary-diffevo')")
        if maxiter is not None:
            settings["sweeps"] = check_int("maxiter", maxiter, minimum=1)
        return cls(problem, popsize, **settings)
    return build


def _without_field(problem):
    """Whether flipping every spin leaves the problem's value unchanged (no linear term)."""
    ising, _, _ = problem.ising_form()
    return not np.any(ising.h)


def _binary_diffevo_builder(*, popsize, maxiter, problem=None, dim=None, domain=(0, 1),
                            **settings):
    """``maxiter`` is the number of schedule points; ``local_search=True`` polishes every
    population by one-flip descent on the problem's couplings."""
    if maxiter is not None:
        maxiter = check_int("maxiter", maxiter, minimum=2)
        settings["steps"] = maxiter
    local_search = settings.pop("local_search", None)
    if problem is not None:
        settings.setdefault("symmetric", _without_field(problem))
        if local_search is True:
            local_search = OneFlipDescent(problem, settings.get("sense", "min"))
    if local_search is True:
        raise ValueError("local_search=True needs a QUBO, Ising or MaxCut problem; for a "
                         "black-box objective pass a callable")
    opt = BinaryDiffusionEvolution(dim, popsize, domain=domain, local_search=local_search or None,
                                   **settings)
    if problem is not None:
        opt.problem_fingerprint = problem_fingerprint(problem)
    return opt


register_method("anneal", _coupling_builder("anneal", SimulatedAnnealing), label="Simulated annealing",
                default_popsize=SimulatedAnnealing.DEFAULT_POPSIZE, domain="binary")
register_method("tempering", _coupling_builder("tempering", ParallelTempering), label="Parallel tempering",
                default_popsize=ParallelTempering.DEFAULT_POPSIZE, domain="binary")
register_method("binary-diffevo", _binary_diffevo_builder, label="Discrete Diffusion Evolution",
                default_popsize=BinaryDiffusionEvolution.DEFAULT_POPSIZE, domain="binary")
