"""Greedy one-flip polish: flip the best bit until no single flip improves the value.

Steepest descent on the Hamming cube, for many states at once.  With the
problem's couplings (:func:`one_flip_descent`) the gain of every flip is
read from the local fields, so a round costs one row update per state; for
a black-box objective (:func:`one_flip_descent_blackbox`) a round evaluates
all ``n`` neighbours of each state.
"""

from __future__ import annotations

import numpy as np

from .annealing import annealing_target

__all__ = ["OneFlipDescent", "one_flip_descent", "one_flip_descent_blackbox"]


def _as_spins(states, domain):
    states = np.array(states, dtype=np.float64, ndmin=2)
    low, high = domain
    return 2.0 * (states - low) / (high - low) - 1.0


def _from_spins(spins, domain):
    low, high = domain
    return low + (high - low) * (spins + 1.0) / 2.0


class OneFlipDescent:
    """One-flip steepest descent bound to a problem: a picklable ``local_search``.

    The couplings the descent needs are taken from the problem once, so a
    run that polishes every population (discrete Diffusion Evolution with
    ``local_search``) does not convert the problem again each generation.

    Parameters
    ----------
    problem : QUBO, Ising or MaxCut
    sense : {'min', 'max'}, default 'min'
        Direction of the problem's value.
    max_rounds : int, optional
        Most flips per state (default: until no flip improves).
    """

    def __init__(self, problem, sense="min", max_rounds=None):
        self.J, self.h = annealing_target(problem, sense)
        self.n, self.domain = problem.n, problem.domain
        self.max_rounds = max_rounds

    def __call__(self, states):
        """The polished ``states`` (shape (R, n) or (n,), problem's domain): shape (R, n)."""
        J = self.J
        spins = _as_spins(states, self.domain)
        if spins.shape[1] != self.n:
            raise ValueError(f"states must have {self.n} columns; got shape {spins.shape}")
        fields = np.asarray((J @ spins.T).T) + self.h
        scale = max(float(np.abs(fields).max(initial=0.0)), 1.0)
        rows = np.arange(spins.shape[0])
        rounds = 0
        while self.max_rounds is None or rounds < self.max_rounds:
            change = 2.0 * spins * fields  # energy change of each flip
            best = np.argmin(change, axis=1)
            improving = change[rows, best] < -1e-12 * scale
            if not improving.any():
                break
            which, bit = rows[improving], best[improving]
            step = -2.0 * spins[which, bit]
            spins[which, bit] += step
            coupling = J[bit]
            coupling = coupling.toarray() if hasattr(coupling, "toarray") else coupling
            fields[which] += step[:, None] * coupling
            rounds += 1
        return _from_spins(spins, self.domain)


def one_flip_descent(problem, states, sense="min", max_rounds=None):
    """Polish states of a binary quadratic problem by steepest single flips.

    Parameters
    ----------
    problem : QUBO, Ising or MaxCut
    states : array_like, shape (R, n) or (n,)
        States in the problem's domain.
    sense : {'min', 'max'}, default 'min'
        Direction of the problem's value.
    max_rounds : int, optional
        Most flips per state (default: until no flip improves).

    Returns
    -------
    numpy.ndarray, shape (R, n)
        The polished states (problem's domain); each is a local optimum
        under single flips unless ``max_rounds`` stopped it.
    """
    return OneFlipDescent(problem, sense, max_rounds)(states)


def one_flip_descent_blackbox(fun, states, domain=(0, 1), sense="min", max_rounds=None):
    """Polish states of a black-box binary objective by steepest single flips.

    Parameters
    ----------
    fun : callable
        ``fun(X) -> values`` for a batch ``X`` of shape (M, n) in ``domain``.
    states : array_like, shape (R, n) or (n,)
    domain : (int, int), default (0, 1)
    sense : {'min', 'max'}, default 'min'
    max_rounds : int, optional
        Most flips per state (default: until no flip improves).

    Returns
    -------
    states : numpy.ndarray, shape (R, n)
    values : numpy.ndarray, shape (R,)
    evaluations : int
        Objective values computed (``n`` per state and round, plus one per state).
    """
    sign = 1.0 if sense == "min" else -1.0
    spins = _as_spins(states, domain)
    count, n = spins.shape
    values = sign * np.asarray(fun(_from_spins(spins, domain)), dtype=np.float64).reshape(count)
    evaluations = count
    active = np.ones(count, dtype=bool)
    rounds = 0
    while active.any() and (max_rounds is None or rounds < max_rounds):
        index = np.flatnonzero(active)
        neighbours = np.repeat(spins[index], n, axis=0)
        flipped = np.tile(np.arange(n), index.size)
        neighbours[np.arange(neighbours.shape[0]), flipped] *= -1.0
        scores = sign * np.asarray(fun(_from_spins(neighbours, domain)), dtype=np.float64)
        evaluations += scores.size
        scores = np.where(np.isfinite(scores), scores, np.inf).reshape(index.size, n)
        best = np.argmin(scores, axis=1)
        gain = scores[np.arange(index.size), best] < values[index]
        moved = index[gain]
        spins[moved, best[gain]] *= -1.0
        values[moved] = scores[gain, best[gain]]
        active[index[~gain]] = False
        rounds += 1
    return _from_spins(spins, domain), sign * values, evaluations
