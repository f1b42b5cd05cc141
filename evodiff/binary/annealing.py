"""Simulated annealing of binary quadratic problems, behind the ask/tell interface.

Many replicas anneal side by side (:mod:`evodiff.binary.sweeps`): each
generation runs a few Metropolis sweeps at the inverse temperatures of a
schedule (:func:`evodiff.schedules.beta_schedule`), then ``ask`` returns the
replicas' states and ``tell`` takes their values, which the optimiser uses
for the best state found so far.  The sweeps need the problem's couplings,
so the optimiser is built from the problem (a :class:`~evodiff.binary.QUBO`,
:class:`~evodiff.binary.Ising` or :class:`~evodiff.binary.MaxCut`).

Automatic temperature range
---------------------------
Flipping spin ``i`` changes the energy by ``2 s_i (f_i + h_i)``, whose
typical size in a random state is ``2 sigma_i``, ``sigma_i^2 = sum_j J_ij^2
+ h_i^2``.  With ``d`` the median of ``2 sigma_i``, the default range is
``beta_min = HOT / d`` (a typical uphill flip accepted with probability
``exp(-HOT)``) to ``beta_max = COLD / d`` (frozen, except for the flips of
spins whose field is nearly zero).  dwave-samplers' default instead takes
the largest and the smallest possible energy change, which on dense
Gaussian couplings (Sherrington-Kirkpatrick) freezes most of the run.
"""

from __future__ import annotations

import hashlib
import math

import numpy as np
import scipy.sparse as sparse

from ..algorithms.base import Optimizer
from ..parameters import Choice, Int, Real, check_parameters
from ..schedules import BETA_SCHEDULES, beta_schedule
from ..state import Field, InvalidState, Setting
from .sweeps import SweepKernel

__all__ = ["SimulatedAnnealing", "automatic_beta_range", "annealing_target",
           "problem_fingerprint", "HOT", "COLD"]

#: ``beta_min * d``: a typical uphill flip is accepted with probability exp(-HOT) at the start.
HOT = 0.4
#: ``beta_max * d``: a typical uphill flip is accepted with probability exp(-COLD) at the end.
COLD = 40.0


def automatic_beta_range(J, h):
    """The default ``(beta_min, beta_max)`` of an Ising problem, from its coupling scale.

    Parameters
    ----------
    J : numpy.ndarray or scipy.sparse matrix, shape (n, n)
    h : numpy.ndarray, shape (n,)

    Returns
    -------
    tuple of float
        ``(HOT / d, COLD / d)`` with ``d`` the median typical energy change
        of a flip (see the module docstring); ``(1, 1)`` for a problem
        without couplings or fields.
    """
    if sparse.issparse(J):
        squares = np.asarray(J.multiply(J).sum(axis=1)).ravel()
    else:
        squares = np.einsum("ij,ij->i", J, J)
    sigma = np.sqrt(squares + np.asarray(h, dtype=np.float64) ** 2)
    sigma = sigma[sigma > 0]
    if not sigma.size:
        return 1.0, 1.0
    typical = 2.0 * float(np.median(sigma))
    return HOT / typical, COLD / typical


def annealing_target(problem, sense):
    """The Ising couplings and fields whose energy the annealer minimises.

    Parameters
    ----------
    problem : QUBO, Ising or MaxCut
        Anything with ``ising_form()`` returning ``(ising, a, b)`` such that
        the problem's value is ``a * ising.energy(s) + b``.
    sense : {'min', 'max'}
        Direction of the problem's value.

    Returns
    -------
    J, h : couplings (dense or sparse) and fields
        Minimising ``-s^T J s / 2 - h . s`` optimises the value in ``sense``.
    """
    ising, a, _ = problem.ising_form()
    sign = a if sense == "min" else -a
    if sign > 0:
        return ising.J, ising.h
    return -ising.J, -ising.h


def problem_fingerprint(problem):
    """str : a digest of a binary problem's numbers (a checkpoint must match its problem)."""
    ising, a, b = problem.ising_form()
    digest = hashlib.sha256()
    J = ising.J
    if sparse.issparse(J):
        J = sparse.csr_matrix(J)
        J.sort_indices()
        for part in (J.data, J.indices, J.indptr):
            digest.update(np.ascontiguousarray(part).tobytes())
    else:
        digest.update(np.ascontiguousarray(J).tobytes())
    digest.update(np.ascontiguousarray(ising.h).tobytes())
    digest.update(np.array([a, b, ising.offset, *problem.domain], dtype=np.float64).tobytes())
    return f"{type(problem).__name__} n={problem.n} sha256={digest.hexdigest()[:32]}"


def _check_problem(problem):
    if not all(hasattr(problem, name) for name in ("ising_form", "domain", "n")):
        raise TypeError("problem must be a binary quadratic problem (evodiff.binary.QUBO, Ising "
                        f"or MaxCut); got {type(problem).__name__}")
    return problem


class SimulatedAnnealing(Optimizer):
    """Simulated annealing of a QUBO, Ising or Max-Cut problem, many replicas at once.

    Parameters
    ----------
    problem : QUBO, Ising or MaxCut
    popsize : int, default 100
        Replicas annealed side by side (dwave-samplers' ``num_reads``).
    sweeps : int, default 1000
        Metropolis sweeps of each replica (every spin visited once per sweep).
    beta_range : (float, float), optional
        First and last inverse temperature in the problem's energy units;
        default :func:`automatic_beta_range`.
    schedule : {'geometric', 'linear'}, default 'geometric'
        How ``beta`` grows from sweep to sweep.
    sweeps_per_generation : int, optional
        Sweeps between two ``ask``; default ``max(1, sweeps // 100)``, so a run
        has about 100 generations (progress bar, history, checkpoints).
    block : int, default 64
        Spins per block of the sweep (a speed setting; results do not depend
        on it beyond float rounding).
    ftarget : float, optional
        Stop once the best value reaches it (time to target).
    sense : {'min', 'max'}, default 'min'
        Minimise or maximise the problem's value (energy, or the cut of a
        Max-Cut problem).
    rng : None, int or numpy.random.Generator
    precision : {'float32', 'float64'}, default 'float32'
        Of the spins and local fields in the sweeps (float32 was 1.2 to 1.7
        times faster than float64 on G1 here: the kernel alone 1.7x, a whole
        run 1.2x); the fields are recomputed from the spins every
        generation, so rounding never builds up.
    dtype : {'float64', 'float32'}, default 'float64'
        Of the states asked and the values told (``best_fun`` is exact in
        float64).
    backend : 'numpy'
        The sweeps are sequential per spin class; only NumPy is supported.

    Attributes
    ----------
    accepted : int
        Flips accepted so far, over all replicas.
    beta_range : tuple of float
    betas : numpy.ndarray, shape (sweeps,)

    Examples
    --------
    >>> from evodiff.binary import MaxCut, SimulatedAnnealing
    >>> square = MaxCut(4, [(0, 1), (1, 2), (2, 3), (3, 0)])
    >>> opt = SimulatedAnnealing(square, popsize=8, sweeps=50, sense="max", rng=0)
    >>> while not opt.done:
    ...     opt.tell(square.cut(opt.ask()))
    >>> opt.best_fun
    4.0
    """

    name = "anneal"
    DEFAULT_POPSIZE = 100

    SETTINGS = Optimizer.SETTINGS + (
        Setting("problem", "str", "_fingerprint"),
        Setting("sweeps", "int"),
        Setting("schedule", "str"),
        Setting("beta_range", "host"),
        Setting("sweeps_per_generation", "int"),
        Setting("block", "int"),
        Setting("precision", "str"),
    )
    STATE = Optimizer.STATE + (
        Field("spins", "host", ("popsize", "dim"), "_spins"),
        Field("sweep", "int", attr="_sweep"),
        Field("accepted", "int"),
    )

    #: Declared limits of the settings (:mod:`evodiff.parameters`).
    PARAMETERS = {
        "sweeps": Int(1),
        "schedule": Choice(BETA_SCHEDULES),
        "sweeps_per_generation": Int(1, optional=True),
        "block": Int(1),
        "ftarget": Real(optional=True),
        "precision": Choice(("float32", "float64")),
    }

    def __init__(self, problem, popsize=None, *, sweeps=1000, beta_range=None,
                 schedule="geometric", sweeps_per_generation=None, block=64, ftarget=None,
                 precision="float32", sense="min", rng=None, dtype="float64", backend="numpy"):
        problem = _check_problem(problem)
        if backend != "numpy":
            raise ValueError("simulated annealing runs on the numpy backend only (its sweeps "
                             f"are sequential per spin class); got backend={backend!r}")
        low, high = problem.domain
        super().__init__(popsize=popsize, dim=problem.n, center=float(low), scale=float(high - low),
                         sense=sense, rng=rng, dtype=dtype, backend=backend)
        self.problem = problem
        p = check_parameters(SimulatedAnnealing.PARAMETERS, {
            "sweeps": sweeps, "schedule": schedule, "sweeps_per_generation": sweeps_per_generation,
            "block": block, "ftarget": ftarget, "precision": precision})
        self.sweeps, self.schedule = p["sweeps"], p["schedule"]
        self.sweeps_per_generation = (max(1, self.sweeps // 100)
                                      if p["sweeps_per_generation"] is None
                                      else p["sweeps_per_generation"])
        self.block, self.ftarget = p["block"], p["ftarget"]
        J, h = annealing_target(problem, self.sense)
        if beta_range is None:
            beta_range = automatic_beta_range(J, h)
        if np.ndim(beta_range) != 1 or len(beta_range) != 2:
            raise ValueError(f"beta_range must be a pair (beta_min, beta_max); got {beta_range!r}")
        self.betas = beta_schedule(self.schedule, beta_range[0], beta_range[1], self.sweeps)
        self.beta_range = (float(self.betas[0]), float(self.betas[-1]))
        self._fingerprint = problem_fingerprint(problem)
        self.precision = p["precision"]
        self._kernel = SweepKernel(J, h, block=self.block, dtype=self.precision)
        start = np.where(self.rng.random((self.popsize, self.dim)) < 0.5, -1.0, 1.0)
        self._spins = start.astype(self.precision)
        self._sweep = 0
        self.accepted = 0

    def _warm_start(self, normalised, cost):
        """The replicas start from the best prior states (cycled when there are fewer)."""
        states = best_prior_states(self.backend.to_host(normalised),
                                   self.backend.to_host(cost), self.popsize)
        self._spins = self._kernel.to_kernel(2.0 * states - 1.0)

    @property
    def done(self):
        """bool : every sweep has run and its states have been told."""
        return self._sweep >= self.sweeps and self._pending_x is None

    @property
    def max_generations(self):
        """int : generations of a full run."""
        return math.ceil(self.sweeps / self.sweeps_per_generation)

    @property
    def sweep_count(self):
        """int : sweeps run so far."""
        return self._sweep

    @property
    def population(self):
        """numpy.ndarray, shape (popsize, n) : the replicas' states (problem's domain)."""
        bits = (self._kernel.to_problem(self._spins) + 1.0) / 2.0
        return self.space.center + self.space.scale * bits

    def stop_reason(self):
        """The message once the best value reaches ``ftarget``, else ``None``."""
        if self._target_reached():
            return f"reached ftarget={self.ftarget:g} after {self._sweep} sweeps"
        return None

    def finish_message(self):
        """str : message of a completed run."""
        return (f"completed {self._sweep} sweeps of {self.popsize} replicas, told in {self.nit} "
                f"generations of up to {self.sweeps_per_generation} sweeps")

    def candidates(self):
        """numpy.ndarray, shape (popsize, n) : the replicas' current states (problem's domain)."""
        return np.asarray(self.population, dtype=np.float64)

    def _ask(self):
        kernel, spins = self._kernel, self._spins
        fields = kernel.fields(spins)  # exact at every generation: no rounding builds up
        stop = min(self._sweep + self.sweeps_per_generation, self.sweeps)
        for beta in self.betas[self._sweep:stop]:
            self.accepted += kernel.sweep(spins, fields, float(beta), self.rng)
        self._sweep = stop
        return self.backend.asarray((kernel.to_problem(spins) + 1) / 2)

    def _tell(self, x, cost):
        """The annealer's moves depend on its own fields; the values only track the best."""

    def _after_restore(self):
        super()._after_restore()
        self._spins = np.asarray(self._spins, dtype=self.precision)

    def _check_restored(self, values):
        super()._check_restored(values)
        spins = values.get("_spins")
        if spins is not None and not np.all(np.abs(np.asarray(spins)) == 1):
            raise InvalidState("state 'spins' must hold only -1 and +1")
        sweep = values.get("_sweep", 0)
        if not 0 <= sweep <= self.sweeps:
            raise InvalidState(f"state 'sweep' ({sweep}) is outside 0..{self.sweeps}")


def best_prior_states(normalised, cost, count):
    """``count`` starting states in {0, 1}: the prior evaluations, best first, cycled.

    Parameters
    ----------
    normalised : array_like, shape (M, n)
        Prior states in normalised coordinates (entries 0 or 1).
    cost : array_like, shape (M,)
        Their costs (lower is better).
    count : int
        Replicas to start.

    Returns
    -------
    numpy.ndarray, shape (count, n)

    Raises
    ------
    ValueError
        When a prior point is not a state of the problem's domain.
    """
    states = np.asarray(normalised, dtype=np.float64)
    if not np.all((states == 0.0) | (states == 1.0)):
        raise ValueError("must be states of the problem's domain (every entry one of its two "
                         "values)")
    order = np.argsort(np.asarray(cost, dtype=np.float64), kind="stable")
    return states[order][np.arange(count) % states.shape[0]]
