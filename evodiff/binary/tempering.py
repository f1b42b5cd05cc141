"""Parallel tempering (replica exchange) of binary quadratic problems, behind ask/tell.

A ladder of ``K`` fixed inverse temperatures ``beta_1 < ... < beta_K`` holds
``C`` chains each (``popsize = K * C`` replicas, row ``k * C + c`` is chain
``c`` at temperature ``k``).  Every sweep runs one Metropolis sweep of all
replicas at their own temperatures (:class:`~evodiff.binary.sweeps.SweepKernel`)
and then proposes to exchange the states of neighbouring temperatures
``k, k + 1`` of every chain, the even pairs after even sweeps and the odd
pairs after odd sweeps, accepting with probability

    ``min(1, exp((beta_k - beta_{k+1}) (E_k - E_{k+1})))``

which keeps every temperature's Boltzmann distribution stationary.  A state
that is trapped at a cold temperature can so climb the ladder, melt, and
come back down elsewhere; annealing has no way back once it has cooled.
"""

from __future__ import annotations

import numpy as np

from ..parameters import Int, check_parameters
from ..schedules import beta_schedule
from ..state import Field, InvalidState, Setting
from ..validation import check_int
from .annealing import SimulatedAnnealing

__all__ = ["ParallelTempering", "default_temperatures"]

#: Rungs of the ladder, and chains per rung, when neither ``popsize`` nor ``temperatures`` is given.
DEFAULT_TEMPERATURES = 32
DEFAULT_CHAINS = 2


def default_temperatures(popsize):
    """The rungs for ``popsize`` replicas: its largest divisor up to 32 (``popsize`` if none).

    Parameters
    ----------
    popsize : int
        At least 2.

    Returns
    -------
    int
    """
    for rungs in range(min(DEFAULT_TEMPERATURES, popsize), 1, -1):
        if popsize % rungs == 0:
            return rungs
    return popsize


class ParallelTempering(SimulatedAnnealing):
    """Parallel tempering of a QUBO, Ising or Max-Cut problem.

    Parameters
    ----------
    problem : QUBO, Ising or MaxCut
    popsize : int, optional
        Replicas in all, a multiple of ``temperatures``; default
        ``2 * temperatures`` (64 when neither is given).
    temperatures : int, optional
        Rungs of the temperature ladder (at least 2); default 32, or when
        only ``popsize`` is given its largest divisor up to 32
        (:func:`default_temperatures`: 16 replicas make 16 rungs of one
        chain, 100 make 25 rungs of four).
    sweeps : int, default 1000
        Metropolis sweeps of every replica; an exchange is proposed after each.
    beta_range : (float, float), optional
        Hottest and coldest inverse temperature; default
        :func:`~evodiff.binary.automatic_beta_range`, as for annealing.
    schedule : {'geometric', 'linear'}, default 'geometric'
        Spacing of the ladder between the two ends.
    sweeps_per_generation, block, ftarget, sense, rng, precision, dtype, backend
        As for :class:`~evodiff.binary.SimulatedAnnealing`.

    Attributes
    ----------
    ladder : numpy.ndarray, shape (temperatures,)
        The inverse temperatures, hot to cold.
    chains : int
        Replicas per temperature.
    exchanges, exchange_attempts : int
        Accepted and proposed exchanges so far.

    Examples
    --------
    >>> from evodiff.binary import MaxCut, ParallelTempering
    >>> square = MaxCut(4, [(0, 1), (1, 2), (2, 3), (3, 0)])
    >>> opt = ParallelTempering(square, temperatures=4, sweeps=50, sense="max", rng=0)
    >>> while not opt.done:
    ...     opt.tell(square.cut(opt.ask()))
    >>> opt.best_fun
    4.0
    """

    name = "tempering"
    DEFAULT_POPSIZE = DEFAULT_CHAINS * DEFAULT_TEMPERATURES

    SETTINGS = SimulatedAnnealing.SETTINGS + (Setting("temperatures", "int"),)
    STATE = SimulatedAnnealing.STATE + (
        Field("exchanges", "int"),
        Field("exchange_attempts", "int"),
    )

    #: Declared limits of the settings (:mod:`evodiff.parameters`): annealing's and the
    #: number of temperatures (``popsize`` must be a multiple of it).
    PARAMETERS = {**SimulatedAnnealing.PARAMETERS, "temperatures": Int(2, optional=True)}

    def __init__(self, problem, popsize=None, *, temperatures=None, sweeps=1000,
                 beta_range=None, schedule="geometric", sweeps_per_generation=None, block=64,
                 ftarget=None, precision="float32", sense="min", rng=None, dtype="float64",
                 backend="numpy"):
        if temperatures is None:
            if popsize is None:
                temperatures = DEFAULT_TEMPERATURES
            else:
                temperatures = default_temperatures(check_int("popsize", popsize, minimum=2))
        temperatures = check_parameters({"temperatures": self.PARAMETERS["temperatures"]},
                                        {"temperatures": temperatures})["temperatures"]
        if popsize is None:
            popsize = DEFAULT_CHAINS * temperatures
        popsize = check_int("popsize", popsize, minimum=temperatures)
        if popsize % temperatures:
            raise ValueError(f"popsize ({popsize}) must be a multiple of temperatures "
                             f"({temperatures}): every temperature holds the same number of chains")
        super().__init__(problem, popsize, sweeps=sweeps, beta_range=beta_range,
                         schedule=schedule, sweeps_per_generation=sweeps_per_generation,
                         block=block, ftarget=ftarget, precision=precision, sense=sense, rng=rng,
                         dtype=dtype, backend=backend)
        self.temperatures = temperatures
        self.chains = popsize // temperatures
        self.ladder = beta_schedule(self.schedule, *self.beta_range, temperatures)
        self._replica_betas = np.repeat(self.ladder, self.chains)
        self.exchanges = 0
        self.exchange_attempts = 0

    @property
    def exchange_rate(self):
        """float : accepted / proposed exchanges so far (NaN before the first)."""
        if not self.exchange_attempts:
            return float("nan")
        return self.exchanges / self.exchange_attempts

    def finish_message(self):
        """str : message of a completed run."""
        return (f"completed {self._sweep} sweeps of {self.popsize} replicas at "
                f"{self.temperatures} temperatures ({self.exchange_rate:.0%} of exchanges "
                f"accepted), told in {self.nit} generations of up to "
                f"{self.sweeps_per_generation} sweeps")

    def _ask(self):
        kernel, spins = self._kernel, self._spins
        fields = kernel.fields(spins)
        stop = min(self._sweep + self.sweeps_per_generation, self.sweeps)
        for sweep in range(self._sweep, stop):
            self.accepted += kernel.sweep(spins, fields, self._replica_betas, self.rng)
            self._exchange(spins, fields, parity=sweep % 2)
        self._sweep = stop
        return self.backend.asarray((kernel.to_problem(spins) + 1) / 2)

    def _exchange(self, spins, fields, parity):
        """Propose exchanges between temperatures ``k, k+1`` (``k`` of the parity), in place."""
        K, C = self.temperatures, self.chains
        lower = np.arange(parity, K - 1, 2)
        if not lower.size:
            return
        energy = self._kernel.energies(spins, fields).astype(np.float64).reshape(K, C)
        log_ratio = (self.ladder[lower] - self.ladder[lower + 1])[:, None] * \
            (energy[lower] - energy[lower + 1])
        accept = self.rng.random(log_ratio.shape) < np.exp(np.minimum(log_ratio, 0.0))
        self.exchange_attempts += accept.size
        moved = int(np.count_nonzero(accept))
        if not moved:
            return
        self.exchanges += moved
        order = np.arange(K * C).reshape(K, C)
        pair, chain = np.nonzero(accept)
        k = lower[pair]
        order[k, chain], order[k + 1, chain] = order[k + 1, chain], order[k, chain].copy()
        order = order.ravel()
        spins[:] = spins[order]
        fields[:] = fields[order]

    def _check_restored(self, values):
        super()._check_restored(values)
        exchanges = values.get("exchanges", 0)
        attempts = values.get("exchange_attempts", 0)
        if not 0 <= exchanges <= attempts:
            raise InvalidState(f"state 'exchanges' ({exchanges}) must lie in "
                               f"0..exchange_attempts ({attempts})")
