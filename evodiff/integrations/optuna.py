"""Diffusion Evolution (and evodiff's other methods) as an Optuna sampler.

:class:`DiffusionEvolutionSampler` is an :class:`optuna.samplers.BaseSampler`
in the manner of Optuna's own ``CmaEsSampler``::

    import optuna
    from evodiff.integrations.optuna import DiffusionEvolutionSampler

    study = optuna.create_study(sampler=DiffusionEvolutionSampler(seed=0))
    study.optimize(objective, n_trials=200)

How it works
------------
*Search space.*  The relative search space is the intersection of the
completed trials' spaces, without its categorical and single-valued
parameters (those, and every parameter of a trial outside a generation, come
from the independent sampler, ``RandomSampler`` by default).  Each float or
integer parameter is one coordinate of the unit box the evodiff optimiser
searches: linear or logarithmic as its distribution says, rounded to its
step (integers to the nearest allowed value).

*Generations.*  The optimiser asks a generation of ``popsize`` points; each
new trial takes the next point not yet taken.  The generation is told once
every one of its trials has finished, in the order of the points: a complete
trial by its value, a pruned one by its last reported intermediate value (or
as the worst value when it reported none), a failed one as the worst value
(evodiff's non-finite policy ranks NaN last).  A trial that starts while the
generation is handed out but not finished (more parallel workers than points
left) is sampled by the independent sampler.  When the optimiser has finished
its run (Diffusion Evolution: ``generations`` schedule points), the next
generation starts a fresh run with the next seed.

*State in the study's storage.*  The optimiser's state after each told
generation is written into the study's system attributes as JSON (arrays as
raw bytes in base64, :mod:`evodiff.integrations.state_codec`; no pickle), and
every trial records its generation and point.  A sampler built with the same
settings on the same study, in another process, on an SQLite storage, or in
several workers at once, continues the same run: it rebuilds the current
generation from the stored state (the same points, bit for bit).  Two
workers that start a trial at the same moment may take the same point; the
first trial (by number) counts for the generation, the other is recorded by
Optuna as usual.

Optuna is an optional dependency: ``pip install evodiff-toolkit[optuna]``.
"""

from __future__ import annotations

import hashlib
import json
import math

import numpy as np

try:
    import optuna
    from optuna.distributions import FloatDistribution, IntDistribution
    from optuna.samplers import BaseSampler, RandomSampler
    from optuna.search_space import IntersectionSearchSpace
    from optuna.study import StudyDirection
    from optuna.trial import TrialState
except ImportError as exc:  # pragma: no cover - exercised only without optuna
    raise ImportError("evodiff.integrations.optuna needs optuna; install it with "
                      "pip install evodiff-toolkit[optuna]") from exc

from ..registry import get_method
from ..validation import check_int
from .state_codec import decode_state, encode_state

__all__ = ["DiffusionEvolutionSampler", "EvodiffSampler", "DEFAULT_POPSIZE",
           "DEFAULT_GENERATIONS"]

#: Points per generation when none is given (a few times more than the parameters tuned).
DEFAULT_POPSIZE = 16
#: Generations of one Diffusion Evolution run (schedule points) when none is given.
DEFAULT_GENERATIONS = 10

_KEY = "evodiff"
_FINISHED = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)


def _signature(search_space):
    """A short stable name of a search space (its parameters and distributions)."""
    text = json.dumps([[name, optuna.distributions.distribution_to_json(dist)]
                       for name, dist in sorted(search_space.items())])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _to_param(u, dist):
    """The value of distribution ``dist`` at unit coordinate ``u`` in [0, 1]."""
    u = min(max(float(u), 0.0), 1.0)
    low, high = dist.low, dist.high
    if isinstance(dist, IntDistribution):
        if dist.log:
            value = math.exp(math.log(low) + u * (math.log(high) - math.log(low)))
            return int(min(max(round(value), low), high))
        count = (high - low) // dist.step + 1
        return int(low + min(int(u * count), count - 1) * dist.step)
    if dist.log:
        return float(min(max(math.exp(math.log(low) + u * (math.log(high) - math.log(low))),
                             low), high))
    value = low + u * (high - low)
    if dist.step is not None:
        value = low + round((value - low) / dist.step) * dist.step
    return float(min(max(value, low), high))


def _trial_value(trial):
    """What a finished trial tells the optimiser (NaN: the worst value)."""
    if trial.state == TrialState.COMPLETE:
        return float(trial.value)
    if trial.state == TrialState.PRUNED and trial.intermediate_values:
        return float(trial.intermediate_values[max(trial.intermediate_values)])
    return math.nan


class EvodiffSampler(BaseSampler):
    """An Optuna sampler driven by one of evodiff's continuous methods.

    Parameters
    ----------
    method : str, default 'diffevo'
        A continuous method of :mod:`evodiff.registry` (``'diffevo'``,
        ``'cmaes'``, ``'openes'``, ...).
    popsize : int, default 16
        Trials per generation, >= 2 (CMA-ES: at least 4).
    generations : int, optional
        Generations of one run before a fresh one (Diffusion Evolution: its
        schedule points, default 10; CMA-ES: ``maxiter`` of a run, default
        its own stopping rules).
    seed : int, optional
        Seed of the runs and of the default independent sampler.  Stored in
        the study: a sampler that joins the study later uses the stored one.
    independent_sampler : optuna.samplers.BaseSampler, optional
        Samples what the relative search space leaves out (categorical
        parameters, the first trials, trials outside a generation); default
        ``RandomSampler(seed)``.
    options : dict, optional
        Further settings of the evodiff optimiser (``noise``, ``fitness``, ...).
    """

    def __init__(self, *, method="diffevo", popsize=DEFAULT_POPSIZE, generations=None, seed=None,
                 independent_sampler=None, options=None):
        spec = get_method(method)
        if spec.domain != "continuous":
            raise ValueError(f"method must be a continuous method of evodiff; got {method!r}")
        self.method = spec.name
        self.popsize = check_int("popsize", popsize, minimum=2)
        if generations is None and spec.name in ("diffevo", "latent-diffevo"):
            generations = DEFAULT_GENERATIONS
        self.generations = None if generations is None else check_int("generations",
                                                                       generations, minimum=1)
        self.seed = None if seed is None else check_int("seed", seed, minimum=0)
        self.options = dict(options or {})
        self._independent = independent_sampler or RandomSampler(seed=seed)
        self._intersection = IntersectionSearchSpace()
        self.extra_trials = 0  # trials of this process sampled outside a generation

    # -- Optuna's contract -------------------------------------------------------------------

    def reseed_rng(self):
        self._independent.reseed_rng()

    def infer_relative_search_space(self, study, trial):
        space = {}
        for name, dist in self._intersection.calculate(study).items():
            if isinstance(dist, (FloatDistribution, IntDistribution)) and not dist.single():
                space[name] = dist
        return dict(sorted(space.items()))

    def sample_relative(self, study, trial, search_space):
        if not search_space:
            return {}
        self._raise_error_if_multi_objective(study)
        run = _Run(self, study, search_space)
        slot = run.take_slot(trial)
        if slot is None:
            self.extra_trials += 1
            return {}
        point = run.points[slot]
        return {name: _to_param(u, dist)
                for u, (name, dist) in zip(point, sorted(search_space.items()))}

    def sample_independent(self, study, trial, param_name, param_distribution):
        return self._independent.sample_independent(study, trial, param_name, param_distribution)

    def before_trial(self, study, trial):
        self._independent.before_trial(study, trial)

    def after_trial(self, study, trial, state, values):
        self._independent.after_trial(study, trial, state, values)

    # -- the settings a study's run is bound to ----------------------------------------------

    def settings(self):
        """dict : what a study's run records, to be shared by every sampler that continues it."""
        return {"method": self.method, "popsize": self.popsize, "generations": self.generations,
                "options": self.options}


class DiffusionEvolutionSampler(EvodiffSampler):
    """Diffusion Evolution as an Optuna sampler.

    By default the Diffusion Evolution that converges (evodiff's default
    method, ``'diffevo-restarts'``: an exploration of ``popsize`` points over
    ``steps`` schedule points, a CMA-ES refinement of each mode it found,
    IPOP restarts); ``converging=False`` runs the paper's algorithm unchanged
    (``'diffevo'``), which needs larger budgets than hyper-parameter searches
    usually have (see the comparison in the documentation).  See the module's
    documentation for how trials become generations and where the state is
    kept; the other parameters are those of :class:`EvodiffSampler`.

    Parameters
    ----------
    converging : bool, default True
    popsize : int, default 32
        The exploration's population (``converging=False``: every generation's).
    steps : int, default 5
        Schedule points of the exploration (``converging=False``: of a run).
    seed, independent_sampler, options
        See :class:`EvodiffSampler`.

    Examples
    --------
    >>> import optuna
    >>> from evodiff.integrations.optuna import DiffusionEvolutionSampler
    >>> optuna.logging.set_verbosity(optuna.logging.WARNING)
    >>> def objective(trial):
    ...     x = trial.suggest_float("x", -5, 5)
    ...     y = trial.suggest_int("y", -5, 5)
    ...     return (x - 1) ** 2 + (y + 2) ** 2
    >>> study = optuna.create_study(sampler=DiffusionEvolutionSampler(seed=0))
    >>> study.optimize(objective, n_trials=200)
    >>> study.best_params["y"], round(study.best_params["x"], 2)
    (-2, 1.0)
    """

    def __init__(self, *, converging=True, popsize=32, steps=5, seed=None,
                 independent_sampler=None, options=None):
        options = dict(options or {})
        if converging:
            options.setdefault("steps", check_int("steps", steps, minimum=2))
            super().__init__(method="diffevo-restarts", popsize=popsize, seed=seed,
                             independent_sampler=independent_sampler, options=options)
        else:
            super().__init__(method="diffevo", popsize=popsize, generations=steps, seed=seed,
                             independent_sampler=independent_sampler, options=options)


class _Run:
    """The sampler's run in one study and search space, as the storage holds it now."""

    def __init__(self, sampler, study, search_space):
        self.sampler, self.study = sampler, study
        self.storage, self.study_id = study._storage, study._study_id
        self.space = search_space
        self.prefix = f"{_KEY}:{_signature(search_space)}"
        self.sense = "max" if study.direction == StudyDirection.MAXIMIZE else "min"
        self._cache = None
        self.seed = self._shared_seed()
        self._check_settings()
        self.generation = self._stored_generations()
        self.points = self._points(self.generation)

    # -- what the study stores ---------------------------------------------------------------

    def _attrs(self):
        """The study's system attributes, read once per trial (what this run writes is added)."""
        if self._cache is None:
            self._cache = dict(self.storage.get_study_system_attrs(self.study_id))
        return self._cache

    def _write(self, key, value):
        self.storage.set_study_system_attr(self.study_id, key, value)
        self._attrs()[key] = value

    def _shared_seed(self):
        key = f"{_KEY}:seed"
        stored = self._attrs().get(key)
        if stored is None:
            stored = self.sampler.seed
            if stored is None:
                stored = int(np.random.SeedSequence().entropy % (2**31))
            self._write(key, stored)
        return int(stored)

    def _check_settings(self):
        key = f"{_KEY}:settings"
        mine = json.loads(json.dumps(self.sampler.settings()))
        stored = self._attrs().get(key)
        if stored is None:
            self._write(key, mine)
        elif stored != mine:
            raise ValueError(f"this study's evodiff run was started with the sampler settings "
                             f"{stored}; this sampler has {mine}")

    def _stored_generations(self):
        """The number of generations told so far (their states are stored)."""
        attrs, count = self._attrs(), 0
        while f"{self.prefix}:state:{count}" in attrs:
            count += 1
        return count

    # -- the optimiser -----------------------------------------------------------------------

    def _fresh(self, generation):
        sampler = self.sampler
        return get_method(sampler.method).build(
            popsize=sampler.popsize, maxiter=sampler.generations,
            bounds=[(0.0, 1.0)] * len(self.space), sense=self.sense,
            rng=np.random.SeedSequence([self.seed, generation]), **sampler.options)

    def optimizer(self, generation):
        """The optimiser ready to ask generation ``generation``."""
        if generation == 0:
            return self._fresh(0)
        record = self._attrs()[f"{self.prefix}:state:{generation - 1}"]
        opt = self._fresh(record["run_start"])  # the run's settings and construction draws
        opt.load_state_dict(decode_state(record["state"]))
        if opt.done or opt.stop_reason() is not None:
            return self._fresh(generation)  # the run has ended: a fresh one
        return opt

    def _run_start(self, opt, generation):
        """The generation at which the run of ``opt`` (about to ask ``generation``) began."""
        if generation == 0 or opt.nit == 0:
            return generation
        return self._attrs()[f"{self.prefix}:state:{generation - 1}"]["run_start"]

    def _points(self, generation):
        opt = self.optimizer(generation)
        self._opt, self._opt_generation = opt, generation
        return np.asarray(opt.ask(), dtype=np.float64)

    # -- trials and slots --------------------------------------------------------------------

    def _members(self, generation):
        """``{slot: first trial}`` of the trials that took a point of ``generation``."""
        members = {}
        for trial in self.study._get_trials(deepcopy=False, use_cache=False):
            tag = trial.system_attrs.get(f"{_KEY}:slot")
            if not tag or tag[0] != self.prefix or tag[1] != generation:
                continue
            slot = tag[2]
            if slot not in members or trial.number < members[slot].number:
                members[slot] = trial
        return members

    def _tell_if_finished(self):
        """Tell the current generation when every point's trial has finished; True if told."""
        members = self._members(self.generation)
        count = self.points.shape[0]
        if len(members) < count or any(members[s].state not in _FINISHED for s in range(count)):
            return False
        opt, generation = self._opt, self.generation
        run_start = self._run_start(opt, generation)
        opt.tell(np.array([_trial_value(members[s]) for s in range(count)]))
        record = {"state": encode_state(opt.state_dict()), "run_start": run_start}
        self._write(f"{self.prefix}:state:{generation}", record)
        self.generation = generation + 1
        self.points = self._points(self.generation)
        return True

    def take_slot(self, trial):
        """The point of the current generation ``trial`` takes, or ``None`` (none is free)."""
        taken = set()  # slots another worker's earlier trial took while this one chose
        while True:
            members = self._members(self.generation)
            free = [s for s in range(self.points.shape[0]) if s not in members and s not in taken]
            if free:
                slot = free[0]
                self.storage.set_trial_system_attr(trial._trial_id, f"{_KEY}:slot",
                                                   [self.prefix, self.generation, slot])
                # two workers may have chosen the same slot at once: the earlier trial keeps it
                if self._members(self.generation)[slot].number == trial.number:
                    return slot
                taken.add(slot)
                continue
            if not self._tell_if_finished():
                self.storage.set_trial_system_attr(trial._trial_id, f"{_KEY}:slot", None)
                return None
