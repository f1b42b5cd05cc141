"""Importance weights of a particle population: normalising, ESS, resampling, the next temperature."""

from __future__ import annotations

import math

import numpy as np

__all__ = ["geometric_log_density", "log_mean_exp", "normalised", "effective_sample_size",
           "systematic_resample", "next_temperature"]


def geometric_log_density(beta, log_reference, log_target):
    """``(1 - beta) log pi0 + beta log p``: the geometric path at ``beta``.

    Parameters
    ----------
    beta : float
        In [0, 1].
    log_reference, log_target : numpy.ndarray, shape (N,)
        ``log pi0`` and ``log p`` at the same points (``-inf`` allowed in ``log p``).

    Returns
    -------
    numpy.ndarray, shape (N,)
        ``-inf`` where ``p`` is zero and ``beta > 0``; ``log pi0`` at ``beta = 0``.
    """
    if beta == 0:
        return np.array(log_reference, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        value = (1.0 - beta) * log_reference + beta * log_target
    return np.where(np.isneginf(log_target) & (beta > 0), -math.inf, value)


def log_mean_exp(log_values, log_weights=None):
    """``log sum_i W_i exp(v_i)`` with ``W`` the normalised weights (uniform by default).

    Parameters
    ----------
    log_values : numpy.ndarray, shape (N,)
    log_weights : numpy.ndarray, shape (N,), optional
        Normalised log-weights ``log W``.

    Returns
    -------
    float
        ``-inf`` when every term is zero.
    """
    v = np.asarray(log_values, dtype=np.float64)
    if log_weights is None:
        log_weights = np.full(v.shape, -math.log(v.shape[0]))
    terms = v + log_weights
    top = float(np.max(terms))
    if top == -math.inf:
        return -math.inf
    return top + math.log(float(np.sum(np.exp(terms - top))))


def normalised(log_weights):
    """Weights ``exp(log w) / sum exp(log w)``.

    Parameters
    ----------
    log_weights : numpy.ndarray, shape (N,)

    Returns
    -------
    numpy.ndarray, shape (N,)

    Raises
    ------
    ValueError
        When every weight is zero.
    """
    log_weights = np.asarray(log_weights, dtype=np.float64)
    top = float(np.max(log_weights))
    if top == -math.inf:
        raise ValueError("every particle has zero weight (the log density is -inf at all of "
                         "them); give a reference that covers the target's mass")
    w = np.exp(log_weights - top)
    return w / w.sum()


def effective_sample_size(weights):
    """Kish's effective sample size ``1 / sum w_i^2`` of normalised weights.

    Parameters
    ----------
    weights : numpy.ndarray, shape (N,)

    Returns
    -------
    float
    """
    weights = np.asarray(weights, dtype=np.float64)
    return float(1.0 / np.sum(weights * weights))


def systematic_resample(weights, generator):
    """Indices of a systematic resampling of normalised ``weights`` (one uniform draw).

    Parameters
    ----------
    weights : numpy.ndarray, shape (N,)
    generator : numpy.random.Generator

    Returns
    -------
    numpy.ndarray of int, shape (N,)
    """
    count = weights.shape[0]
    positions = (generator.random() + np.arange(count)) / count
    cumulative = np.cumsum(weights)
    cumulative[-1] = 1.0
    return np.searchsorted(cumulative, positions, side="right").clip(max=count - 1)


def next_temperature(log_increment, beta, target_ess, log_weights=None, tolerance=1e-10):
    """The largest ``beta' <= 1`` whose reweighting keeps the conditional ESS at ``target_ess``.

    Parameters
    ----------
    log_increment : numpy.ndarray
        ``log p - log pi0`` at the particles (``-inf`` allowed).
    beta : float
        The current inverse temperature.
    target_ess : float
        Wanted conditional ESS as a fraction of the particles, in (0, 1).
    log_weights : numpy.ndarray, optional
        The particles' current log-weights (uniform by default).

    Returns
    -------
    float
    """
    W = normalised(np.zeros(log_increment.shape) if log_weights is None else log_weights)

    def ess_fraction(step):
        with np.errstate(invalid="ignore"):
            v = np.where(np.isneginf(log_increment), -math.inf, step * log_increment)
        top = float(np.max(v))
        if top == -math.inf:
            return 0.0
        w = np.exp(v - top)
        return float(np.sum(W * w) ** 2 / np.sum(W * w * w))

    if ess_fraction(1.0 - beta) >= target_ess:
        return 1.0
    low, high = 0.0, 1.0 - beta
    while high - low > tolerance * max(1.0, high):
        middle = 0.5 * (low + high)
        if ess_fraction(middle) >= target_ess:
            low = middle
        else:
            high = middle
    return beta + max(low, 1e-12)
