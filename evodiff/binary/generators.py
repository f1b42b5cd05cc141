"""Ising instances with known statistics or a known ground state.

- :func:`sherrington_kirkpatrick`: ``J_ij ~ N(0, 1) / sqrt(n)``, no field; the
  ground-state energy per spin tends to Parisi's -0.7632 as n grows.
- :func:`wishart_planted`: the Wishart planted ensemble (Hamze, Raymond,
  Pattison, Biswas and Katzgraber, 2020): ``W`` (n x m) with Gaussian
  columns projected orthogonal to the all-ones vector ``t``, ``J = -W W^T /
  n`` off the diagonal.  Then ``E(s) = |W^T s|^2 / (2n) - |W|_F^2 / (2n)``,
  so ``t`` (and ``-t``) is a ground state of energy ``-|W|_F^2 / (2n)``;
  a random gauge ``s -> g s``, ``J_ij -> g_i J_ij g_j`` hides it.
"""

from __future__ import annotations

import numpy as np

from ..randomness import as_generator
from ..validation import check_bool, check_int
from .problems import Ising, MaxCut

__all__ = ["sherrington_kirkpatrick", "wishart_planted", "random_graph"]


def sherrington_kirkpatrick(n, rng=None):
    """A Sherrington-Kirkpatrick spin glass: ``J_ij ~ N(0, 1) / sqrt(n)``, ``h = 0``.

    Parameters
    ----------
    n : int
        Spins, at least 2.
    rng : None, int or numpy.random.Generator

    Returns
    -------
    Ising
    """
    n = check_int("n", n, minimum=2)
    generator = as_generator(rng)
    upper = np.triu(generator.normal(size=(n, n)) / np.sqrt(n), k=1)
    return Ising(upper + upper.T)


def wishart_planted(n, m, rng=None, gauge=True):
    """A Wishart planted instance and its ground state.

    Parameters
    ----------
    n : int
        Spins, at least 2.
    m : int
        Columns of ``W`` (``m / n`` is the ensemble's alpha; small alpha is hard).
    rng : None, int or numpy.random.Generator
    gauge : bool, default True
        Hide the ground state with a random gauge (else it is all ones).

    Returns
    -------
    problem : Ising
    ground_state : numpy.ndarray of int, shape (n,)
        A ground state (its negation is the other one).
    ground_energy : float
    """
    n = check_int("n", n, minimum=2)
    m = check_int("m", m, minimum=1)
    gauge = check_bool("gauge", gauge)
    generator = as_generator(rng)
    W = generator.normal(size=(n, m))
    W -= W.mean(axis=0, keepdims=True)  # every column orthogonal to the all-ones vector
    J = -(W @ W.T) / n
    np.fill_diagonal(J, 0.0)
    state = np.ones(n, dtype=np.int64)
    if gauge:
        state = np.where(generator.random(n) < 0.5, -1, 1)
        J = J * np.outer(state, state)
    ground_energy = -float(np.sum(W * W)) / (2.0 * n)
    return Ising(J), state, ground_energy


def random_graph(n, density, rng):
    """A G(n, p) random graph with unit weights, as a :class:`~evodiff.binary.MaxCut`."""
    generator = np.random.default_rng(rng)
    i, j = np.triu_indices(n, k=1)
    keep = generator.random(i.size) < density
    return MaxCut(n, np.stack([i[keep], j[keep]], axis=1))
