"""The reference distribution a sampling run starts from: uniform on a box, or a Gaussian.

Both are normalised, so the ratio of normalising constants a tempered or
annealed run estimates is the target's own ``Z = integral of p(x) dx`` (over
the box, when there is one).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["BoxReference", "GaussianReference"]


class BoxReference:
    """The uniform distribution on the box ``[low, high]`` (``log pi0 = -log volume`` inside).

    Parameters
    ----------
    low, high : numpy.ndarray, shape (D,)
    """

    def __init__(self, low, high):
        self.low = np.asarray(low, dtype=np.float64)
        self.high = np.asarray(high, dtype=np.float64)
        self.dim = self.low.shape[0]
        self.log_volume = float(np.sum(np.log(self.high - self.low)))

    def sample(self, generator, count):
        """``count`` host points drawn from the reference."""
        return self.low + (self.high - self.low) * generator.random((count, self.dim))

    def log_density(self, X):
        """``log pi0`` of host points (``-inf`` outside the box)."""
        X = np.asarray(X, dtype=np.float64)
        inside = np.all((X >= self.low) & (X <= self.high), axis=1)
        return np.where(inside, -self.log_volume, -math.inf)

    def contains(self, X):
        """Whether each host point lies in the box."""
        return np.all((X >= self.low) & (X <= self.high), axis=1)


class GaussianReference:
    """The Gaussian ``N(mean, diag(sigma^2))`` on the whole space.

    Parameters
    ----------
    mean : numpy.ndarray, shape (D,)
    sigma : numpy.ndarray, shape (D,)
        Standard deviations, > 0.
    """

    def __init__(self, mean, sigma):
        self.mean = np.asarray(mean, dtype=np.float64)
        self.sigma = np.asarray(sigma, dtype=np.float64)
        self.dim = self.mean.shape[0]
        self._constant = -0.5 * self.dim * math.log(2 * math.pi) - float(np.sum(np.log(self.sigma)))

    def sample(self, generator, count):
        """``count`` host points drawn from the reference."""
        return self.mean + self.sigma * generator.standard_normal((count, self.dim))

    def log_density(self, X):
        """``log pi0`` of host points."""
        Z = (np.asarray(X, dtype=np.float64) - self.mean) / self.sigma
        return self._constant - 0.5 * np.sum(Z * Z, axis=1)

    def contains(self, X):
        """Every point lies in the support."""
        return np.ones(np.asarray(X).shape[0], dtype=bool)
