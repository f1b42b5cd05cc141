"""Targets with exact answers, for tests and benchmarks of :func:`evodiff.sample`.

- :class:`TwoModeMixture`: weights 2/3 and 1/3 at ``+a 1`` and ``-a 1``,
  variance 0.05 per coordinate (normalised: ``log Z = 0``); the score is the
  error of the heavy mode's weight.
- :func:`forty_mode_mixture`: the 2-D mixture of 40 equally weighted
  Gaussians used by flow-annealed importance sampling papers (Midgley et al.,
  "Flow annealed importance sampling bootstrap", ICLR 2023): means uniform in
  ``[-40, 40]^2`` from a fixed seed, standard deviation ``softplus(1)`` per
  coordinate; ``log Z = 0``, exact samples.
- :class:`ManyWell`: ``D / 2`` independent double wells
  ``x1^4 - 6 x1^2 - 0.5 x1 + 0.5 x2^2`` (32-D by default), whose ``log Z``
  is a one-dimensional integral, computed by adaptive quadrature.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import integrate
from scipy.special import logsumexp

from ..validation import check_int, check_real

__all__ = ["GaussianMixture", "TwoModeMixture", "forty_mode_mixture", "ManyWell"]


class GaussianMixture:
    """A normalised mixture of Gaussians with diagonal covariances.

    Parameters
    ----------
    means : array_like, shape (K, D)
    scales : array_like, shape (K, D) or broadcastable
        Standard deviations.
    weights : array_like, shape (K,)
        Mixture weights (normalised here).

    Attributes
    ----------
    log_z : float
        0: the density is normalised.
    """

    log_z = 0.0

    def __init__(self, means, scales, weights):
        self.means = np.atleast_2d(np.asarray(means, dtype=np.float64))
        self.scales = np.broadcast_to(np.asarray(scales, dtype=np.float64),
                                      self.means.shape).copy()
        weights = np.asarray(weights, dtype=np.float64)
        self.weights = weights / weights.sum()
        self.dim = self.means.shape[1]
        self._log_norm = (np.log(self.weights) - 0.5 * self.dim * math.log(2 * math.pi)
                          - np.sum(np.log(self.scales), axis=1))

    def components(self, X):
        """``(N, K)`` log of each weighted component density at the host points ``X``."""
        X = np.asarray(X, dtype=np.float64)
        Z = (X[:, None, :] - self.means[None]) / self.scales[None]
        return self._log_norm[None] - 0.5 * np.sum(Z * Z, axis=2)

    def log_density(self, X):
        """The normalised log-density of a population ``(N, D)``."""
        return logsumexp(self.components(X), axis=1)

    def responsibilities(self, X):
        """``(N, K)`` posterior probability of each component for each point."""
        parts = self.components(X)
        return np.exp(parts - logsumexp(parts, axis=1, keepdims=True))

    def sample(self, count, rng=None):
        """``count`` exact samples."""
        generator = np.random.default_rng(rng)
        k = generator.choice(self.weights.shape[0], size=int(count), p=self.weights)
        return self.means[k] + self.scales[k] * generator.standard_normal((int(count), self.dim))


class TwoModeMixture(GaussianMixture):
    """Weights 2/3 at ``+a 1`` and 1/3 at ``-a 1``, variance 0.05 per coordinate.

    Parameters
    ----------
    dim : int
    separation : float, default 1.0
        ``a``.
    """

    HEAVY_WEIGHT = 2.0 / 3.0

    def __init__(self, dim, separation=1.0):
        dim = check_int("dim", dim, minimum=1)
        a = check_real("separation", separation, minimum=0.0, strict=True)
        super().__init__(np.stack([np.full(dim, a), np.full(dim, -a)]), math.sqrt(0.05),
                         [2.0, 1.0])

    def heavy_weight(self, x, weights):
        """The weighted share of samples nearer the heavy mode (``+a 1``)."""
        x = np.asarray(x, dtype=np.float64)
        return float(np.sum(np.asarray(weights) * (x.sum(axis=1) > 0.0)))


def forty_mode_mixture(seed=0):
    """The 40-mode 2-D mixture: means uniform in ``[-40, 40]^2`` drawn from ``seed``.

    Parameters
    ----------
    seed : int, default 0
        Seed of the means (a NumPy generator; the published means come from
        another generator, so the layout differs while its law is the same).

    Returns
    -------
    GaussianMixture
    """
    generator = np.random.default_rng(seed)
    means = generator.uniform(-40.0, 40.0, (40, 2))
    return GaussianMixture(means, math.log1p(math.e), np.ones(40))


def _double_well(x):
    return x**4 - 6.0 * x**2 - 0.5 * x


class ManyWell:
    """``dim / 2`` independent double wells: ``-log p = sum x1^4 - 6 x1^2 - 0.5 x1 + 0.5 x2^2``.

    Parameters
    ----------
    dim : int, default 32
        Even.

    Attributes
    ----------
    log_z : float
        ``(dim / 2) (log Z1 + log sqrt(2 pi))`` with ``Z1`` the double well's
        integral (adaptive quadrature, :func:`double_well_log_z`).
    """

    def __init__(self, dim=32):
        self.dim = check_int("dim", dim, minimum=2)
        if self.dim % 2:
            raise ValueError(f"dim must be even (pairs of coordinates); got {self.dim}")
        self.log_z = self.dim // 2 * (self.double_well_log_z() + 0.5 * math.log(2 * math.pi))

    @staticmethod
    def double_well_log_z():
        """``log`` of the integral of ``exp(-(x^4 - 6 x^2 - 0.5 x))`` over the real line."""
        # the integrand peaks near x = +-1.7 at about e^9.5; scale it to 1 before integrating
        peak = -min(_double_well(x) for x in np.linspace(-3.0, 3.0, 60_001))
        value, _ = integrate.quad(lambda x: math.exp(-_double_well(x) - peak), -np.inf, np.inf,
                                  points=None, limit=200, epsabs=0.0, epsrel=1e-12)
        return peak + math.log(value)

    def log_density(self, X):
        """The unnormalised log-density of a population ``(N, dim)``."""
        X = np.asarray(X, dtype=np.float64)
        first, second = X[:, 0::2], X[:, 1::2]
        return -np.sum(_double_well(first), axis=1) - 0.5 * np.sum(second * second, axis=1)
