"""A Gaussian mixture fitted to weighted particles: the independent proposal of the SMC moves.

South, Pettitt and Drovandi ("Sequential Monte Carlo samplers with
independent Markov chain Monte Carlo proposals", Bayesian Analysis, 2019)
move SMC particles by Metropolis-Hastings with an *independent* proposal
fitted to the particles themselves.  Where the tempered target is close to a
mixture of Gaussians the acceptance is high and, unlike a random walk, a
proposal can land in another mode: the share of the particles in each mode
returns to the tempered target's at every step instead of drifting with the
accumulated weights' errors (which is what breaks tempered SMC on separated
modes in high dimension).

:func:`fit_cross_mixtures` fits each half of the weighted particles by
expectation-maximisation (k-means++ seeding, covariances shrunk towards their
diagonals while a component holds few particles) and moves each half with the
other half's mixture; the number of components is cross-validated, and a
product of one-dimensional mixtures (:class:`ProductMixtureFit`) replaces
the joint one where it predicts the other half better.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["GaussianMixtureFit", "ProductMixtureFit", "fit_cross_mixtures", "split_families"]


def _logsumexp(a, axis):
    """``log(sum(exp(a)))`` along ``axis``, stable (scipy's general one is slow in loops)."""
    top = np.max(a, axis=axis, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(divide="ignore"):
        return np.log(np.sum(np.exp(a - top), axis=axis)) + np.squeeze(top, axis=axis)


def _check_mixture(weights, means):
    """Refuse mixture weights that are not a distribution over the rows of ``means``."""
    if means.ndim != 2 or weights.shape != (means.shape[0],):
        raise ValueError(f"weights must have one entry per component (means of shape (K, D)); "
                         f"got weights {weights.shape} and means {means.shape}")
    if not (np.all(weights >= 0) and abs(float(weights.sum()) - 1.0) < 1e-9):
        raise ValueError("weights must be non-negative and sum to 1")


def _check_points(X, weights=None):
    """Points as a finite ``(N, D)`` array and, if given, normalised weights of shape ``(N,)``."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] < 1 or not np.all(np.isfinite(X)):
        raise ValueError(f"X must be a finite array of shape (N, D); got shape {X.shape}")
    if weights is None:
        return X, None
    weights = np.asarray(weights, dtype=np.float64)
    if weights.shape != (X.shape[0],) or not np.all(weights >= 0) \
            or abs(float(weights.sum()) - 1.0) > 1e-6:
        raise ValueError(f"weights must be {X.shape[0]} non-negative numbers summing to 1")
    return X, weights


class GaussianMixtureFit:
    """A mixture of full-covariance Gaussians.

    Parameters
    ----------
    weights : numpy.ndarray, shape (K,)
        Mixture weights, summing to 1.
    means : numpy.ndarray, shape (K, D)
    covariances : numpy.ndarray, shape (K, D, D)
        Symmetric positive definite.

    Raises
    ------
    ValueError
        On shapes that do not fit together, weights that are not a
        distribution, or covariances that are not positive definite.
    """

    def __init__(self, weights, means, covariances):
        self.weights = np.asarray(weights, dtype=np.float64)
        self.means = np.asarray(means, dtype=np.float64)
        self.covariances = np.asarray(covariances, dtype=np.float64)
        _check_mixture(self.weights, self.means)
        count, dim = self.means.shape
        if self.covariances.shape != (count, dim, dim):
            raise ValueError(f"covariances must have shape {(count, dim, dim)}; got "
                             f"{self.covariances.shape}")
        try:
            self.factors = np.linalg.cholesky(self.covariances)
        except np.linalg.LinAlgError as exc:
            raise ValueError("covariances must be symmetric positive definite") from exc
        # numpy's LAPACK, not scipy's: alternating the two libraries' thread pools in a loop
        # made the whole fit about ten times slower on two cores
        self._whiteners = np.linalg.solve(self.factors, np.eye(self.means.shape[1]))
        self.dim = self.means.shape[1]
        log_det = 2.0 * np.sum(np.log(np.diagonal(self.factors, axis1=1, axis2=2)), axis=1)
        with np.errstate(divide="ignore"):
            self._log_norm = (np.log(self.weights) - 0.5 * self.dim * math.log(2 * math.pi)
                              - 0.5 * log_det)

    @property
    def components(self):
        """The number of components ``K``."""
        return self.weights.shape[0]

    def log_components(self, X):
        """``(N, K)``: the log of each weighted component's density at the points ``X``."""
        X = np.asarray(X, dtype=np.float64)
        z = np.einsum("kij,nkj->nki", self._whiteners, X[:, None, :] - self.means[None])
        return self._log_norm[None] - 0.5 * np.sum(z * z, axis=2)

    def log_density(self, X):
        """The mixture's log-density at the points ``X`` (shape ``(N,)``)."""
        return _logsumexp(self.log_components(X), axis=1)

    def draw(self, uniforms, normals):
        """Points of the mixture from given random numbers.

        Parameters
        ----------
        uniforms : numpy.ndarray, shape (N, D)
            Uniform in [0, 1): the first column picks the components.
        normals : numpy.ndarray, shape (N, D)
            Standard normal: place the points.

        Returns
        -------
        numpy.ndarray, shape (N, D)
        """
        cumulative = np.cumsum(self.weights)
        cumulative[-1] = 1.0
        k = np.searchsorted(cumulative, uniforms[:, 0], side="right").clip(
            max=self.components - 1)
        return self.means[k] + np.einsum("nij,nj->ni", self.factors[k], normals)

    def within_covariance(self):
        """The weighted mean of the components' covariances (a spread within the modes)."""
        return np.einsum("k,kij->ij", self.weights, self.covariances)


class ProductMixtureFit:
    """A product of one-dimensional Gaussian mixtures, one per coordinate.

    Where the particles' coordinates are (close to) independent, as in a
    product of double wells, the modes are the combinations of the
    coordinates' modes: far too many for a joint mixture, and exactly what
    a product of marginals describes.

    Parameters
    ----------
    weights : numpy.ndarray, shape (D, K)
        Each coordinate's mixture weights (rows sum to 1; unused components 0).
    means, variances : numpy.ndarray, shape (D, K)

    Raises
    ------
    ValueError
        On differing shapes, rows of weights that are not a distribution, or
        variances that are not positive.
    """

    def __init__(self, weights, means, variances):
        self.weights = np.asarray(weights, dtype=np.float64)
        self.means = np.asarray(means, dtype=np.float64)
        self.variances = np.asarray(variances, dtype=np.float64)
        if self.weights.ndim != 2 or self.means.shape != self.weights.shape \
                or self.variances.shape != self.weights.shape:
            raise ValueError("weights, means and variances must share one shape (D, K); got "
                             f"{self.weights.shape}, {self.means.shape}, {self.variances.shape}")
        if not (np.all(self.weights >= 0)
                and np.allclose(self.weights.sum(axis=1), 1.0, rtol=0, atol=1e-9)):
            raise ValueError("each coordinate's weights must be non-negative and sum to 1")
        if not np.all(self.variances > 0):
            raise ValueError("variances must be positive")
        self.dim = self.means.shape[0]
        with np.errstate(divide="ignore"):
            self._log_norm = np.log(self.weights) - 0.5 * np.log(2 * math.pi * self.variances)

    @property
    def components(self):
        """The largest number of components of a coordinate."""
        return int(np.max(np.sum(self.weights > 0, axis=1)))

    def log_marginals(self, X):
        """``(N, D)``: each coordinate's log-density at the points ``X``."""
        X = np.asarray(X, dtype=np.float64)
        z2 = (X[:, :, None] - self.means[None]) ** 2 / self.variances[None]
        return _logsumexp(self._log_norm[None] - 0.5 * z2, axis=2)

    def log_density(self, X):
        """The product's log-density at the points ``X`` (shape ``(N,)``)."""
        return np.sum(self.log_marginals(X), axis=1)

    def draw(self, uniforms, normals):
        """Points of the product from given random numbers.

        Parameters
        ----------
        uniforms : numpy.ndarray, shape (N, D)
            Uniform in [0, 1): column d picks coordinate d's component.
        normals : numpy.ndarray, shape (N, D)
            Standard normal.

        Returns
        -------
        numpy.ndarray, shape (N, D)
        """
        cumulative = np.cumsum(self.weights, axis=1)
        cumulative[:, -1] = 1.0
        k = np.sum(uniforms[:, :, None] >= cumulative[None], axis=2).clip(
            max=self.weights.shape[1] - 1)
        rows = np.arange(self.dim)[None, :]
        return self.means[rows, k] + np.sqrt(self.variances[rows, k]) * normals

    def within_covariance(self):
        """Diagonal: each coordinate's mean variance within its components."""
        return np.diag(np.sum(self.weights * self.variances, axis=1))


def _fit_marginals(X, weights, count, iterations, tolerance):
    """EM for every coordinate's ``count``-component mixture at once (quantile start)."""
    order = np.argsort(X, axis=0)
    cumulative = np.cumsum(weights[order], axis=0)
    levels = (np.arange(count) + 0.5) / count
    rows = np.arange(X.shape[1])
    start = np.stack([order[np.minimum(np.sum(cumulative < q, axis=0), X.shape[0] - 1), rows]
                      for q in levels], axis=1)
    means = X[start, rows[:, None]]
    spread = np.sum(weights[:, None] * (X - weights @ X) ** 2, axis=0)
    floor = 1e-10 * np.maximum(spread, 1e-300)
    variances = np.broadcast_to((spread / count**2 + floor)[:, None], means.shape).copy()
    mixing = np.full(means.shape, 1.0 / count)
    previous = -math.inf
    for _ in range(iterations):
        with np.errstate(divide="ignore"):
            parts = (np.log(mixing)[None] - 0.5 * np.log(2 * math.pi * variances)[None]
                     - 0.5 * (X[:, :, None] - means[None]) ** 2 / variances[None])
        per_point = _logsumexp(parts, axis=2)
        likelihood = float(np.sum(weights @ per_point))
        mass = np.exp(parts - per_point[:, :, None]) * weights[:, None, None]
        mass[mass < 1e-300] = 0.0
        totals = mass.sum(axis=0)
        used = totals > 1e-8
        safe = np.where(used, totals, 1.0)
        means = np.where(used, np.einsum("ndk,nd->dk", mass, X) / safe, means)
        deviations = (X[:, :, None] - means[None]) ** 2
        variances = np.where(used, np.einsum("ndk,ndk->dk", mass, deviations) / safe, 1.0)
        variances = variances + floor[:, None]
        mixing = np.where(used, totals, 0.0)
        mixing /= mixing.sum(axis=1, keepdims=True)
        if likelihood - previous < tolerance * X.shape[1]:
            break
        previous = likelihood
    return ProductMixtureFit(mixing, means, variances)


def _seed_means(X, weights, count, generator):
    """k-means++ seeding on weighted points: each new mean drawn with weight x squared distance."""
    first = generator.choice(X.shape[0], p=weights)
    means = [X[first]]
    nearest = np.sum((X - X[first]) ** 2, axis=1)
    for _ in range(1, count):
        score = weights * nearest
        total = score.sum()
        if total <= 0.0:
            break
        pick = generator.choice(X.shape[0], p=score / total)
        means.append(X[pick])
        nearest = np.minimum(nearest, np.sum((X - X[pick]) ** 2, axis=1))
    return np.array(means)


def _covariance(X, mean, weights, effective, floor):
    """A component's weighted covariance, shrunk towards its diagonal while it holds few points."""
    centred = X - mean
    cov = (centred * weights[:, None]).T @ centred / weights.sum()
    dim = X.shape[1]
    shrink = min(1.0, dim / max(effective, 1.0))
    cov = (1.0 - shrink) * cov + shrink * np.diag(np.diag(cov))
    return 0.5 * (cov + cov.T) + floor * np.eye(dim)


def _em(X, weights, count, generator, floor, iterations, tolerance):
    """One EM fit with ``count`` components; returns ``(fit, log-likelihood per unit weight)``."""
    means = _seed_means(X, weights, count, generator)
    distances = np.sum((X[:, None, :] - means[None]) ** 2, axis=2)
    responsibilities = np.zeros((X.shape[0], means.shape[0]))
    responsibilities[np.arange(X.shape[0]), np.argmin(distances, axis=1)] = 1.0
    previous = -math.inf
    fit = None
    for _ in range(iterations):
        fit = _maximise(X, weights, responsibilities, floor)
        if fit is None:
            return None, -math.inf
        parts = fit.log_components(X)
        per_point = _logsumexp(parts, axis=1)
        likelihood = float(weights @ per_point)
        responsibilities = np.exp(parts - per_point[:, None])
        # shares below 1e-12 are zeroed: subnormal numbers make the next M-step crawl
        responsibilities[responsibilities < 1e-12] = 0.0
        if likelihood - previous < tolerance:
            break
        previous = likelihood
    return fit, likelihood


def _maximise(X, weights, responsibilities, floor):
    """The M-step: weights, means and (shrunk) covariances of the components holding mass."""
    mass = responsibilities * weights[:, None]
    totals = mass.sum(axis=0)
    square_totals = np.sum(mass * mass, axis=0)
    keep = totals > 1e-8
    if not keep.any():
        return None
    mass, totals, square_totals = mass[:, keep], totals[keep], square_totals[keep]
    means = (mass.T @ X) / totals[:, None]
    covariances = np.stack([
        _covariance(X, means[k], mass[:, k], totals[k] ** 2 / square_totals[k], floor)
        for k in range(means.shape[0])])
    try:
        return GaussianMixtureFit(totals / totals.sum(), means, covariances)
    except np.linalg.LinAlgError:
        return None


def _candidates(dim, effective, max_components):
    """Component counts 1, 2, 4, ... while each keeps ``2 (D + 1)`` effective points."""
    count = 1
    while count <= max_components and (count == 1 or count * 2 * (dim + 1) <= effective):
        yield count
        count *= 2


def _floor(X, weights):
    """A small multiple of the points' spread, added to every covariance's diagonal."""
    dim = X.shape[1]
    spread = float(np.trace(np.cov(X.T, aweights=weights, bias=True).reshape(dim, dim))) / dim
    return 1e-10 * max(spread, 1e-300)


def split_families(X, generator):
    """Two halves of the points, identical points (copies of one resampled particle) together.

    Parameters
    ----------
    X : numpy.ndarray, shape (N, D)
    generator : numpy.random.Generator

    Returns
    -------
    numpy.ndarray of bool, shape (N,)
        True for the points of the first half.

    Raises
    ------
    ValueError
        When ``X`` is not a finite ``(N, D)`` array.
    """
    X, _ = _check_points(X)
    _, family = np.unique(X, axis=0, return_inverse=True)
    family = family.reshape(-1)
    count = int(family.max()) + 1
    first = np.zeros(count, dtype=bool)
    first[generator.permutation(count)[: (count + 1) // 2]] = True
    return first[family]


def _held_out(halves, fits, h):
    """Half ``1 - h``'s weighted log-likelihood under the mixture fitted to half ``h``."""
    points, w = halves[1 - h]
    return float(w @ fits[h].log_density(points))


def _cross_products(halves, effective, iterations, tolerance, counts=(1, 2, 4)):
    """Products of marginal mixtures for the two halves, each coordinate's count cross-validated.

    Returns
    -------
    fits : tuple of ProductMixtureFit
    score : float
        The two halves' held-out log-likelihoods, summed.
    """
    counts = [k for k in counts if k == 1 or 2 * k <= effective]
    per_count = []
    for count in counts:
        fits = [_fit_marginals(points, w, count, iterations, 100 * tolerance)
                for points, w in halves]
        scores = sum(halves[1 - h][1] @ fits[h].log_marginals(halves[1 - h][0]) for h in (0, 1))
        per_count.append((fits, scores))
    table = np.stack([scores for _, scores in per_count])      # (counts, D)
    choice = np.argmax(table, axis=0)
    width = max(counts)
    assembled = []
    for h in (0, 1):
        arrays = [np.zeros((table.shape[1], width)), np.zeros((table.shape[1], width)),
                  np.ones((table.shape[1], width))]
        for c, (fits, _) in enumerate(per_count):
            rows = choice == c
            k = counts[c]
            arrays[0][rows, :k] = fits[h].weights[rows]
            arrays[1][rows, :k] = fits[h].means[rows]
            arrays[2][rows, :k] = fits[h].variances[rows]
        assembled.append(ProductMixtureFit(*arrays))
    return tuple(assembled), float(np.sum(np.max(table, axis=0)))


def fit_cross_mixtures(X, weights, generator, *, max_components=64, iterations=50,
                       tolerance=1e-6):
    """Mixtures fitted to two halves of weighted points, each scored on the other half.

    A particle moved by an independent proposal must not have shaped that
    proposal: a mixture fitted to points is denser at those very points than
    at fresh ones (most of all where a component holds few of them), so the
    Metropolis-Hastings ratio would drive particles out of the thinner modes.
    Each half is therefore moved with the mixture of the other half (copies of
    one resampled particle stay in one half: :func:`split_families`).  The
    number of components, tried as 1, 2, 4, ..., is the one whose two fits
    give the other halves the highest likelihood (cross-validation; the
    search stops at the first fall).  A product of one-dimensional mixtures
    (:class:`ProductMixtureFit`, each coordinate's count cross-validated
    among 1, 2 and 4) is fitted too and kept when it predicts the other
    halves better.

    Parameters
    ----------
    X : numpy.ndarray, shape (N, D)
    weights : numpy.ndarray, shape (N,)
        Normalised weights.
    generator : numpy.random.Generator
        For the split and the k-means++ seeding.
    max_components : int, default 64
        The most components tried; fewer where a half's effective number of
        points gives a component fewer than ``2 (D + 1)`` of them.
    iterations : int, default 50
        EM iterations per fit at most.
    tolerance : float, default 1e-6
        Stop EM when the mean log-likelihood gains less.

    Returns
    -------
    fits : tuple of GaussianMixtureFit or of ProductMixtureFit, or None
        The first half's mixture and the second half's; None where a half
        holds fewer than ``2 (D + 1)`` effective points (too few to fit a
        covariance) or no fit succeeds.
    first : numpy.ndarray of bool, shape (N,)
        Membership of the first half (its points are to be moved with
        ``fits[1]``, the others with ``fits[0]``).

    Raises
    ------
    ValueError
        When ``X`` is not a finite ``(N, D)`` array or ``weights`` are not
        ``N`` non-negative numbers summing to 1.
    """
    X, weights = _check_points(X, weights)
    first = split_families(X, generator)
    halves = []
    for member in (first, ~first):
        w = weights[member]
        if not member.any() or w.sum() <= 0.0:
            # a half without mass (or without points) cannot be fitted: both use all points
            member, w = np.ones_like(first), weights
        halves.append((X[member], w / w.sum()))
    dim = X.shape[1]
    effective = min(1.0 / float(np.sum(w * w)) for _, w in halves)
    if effective < 2 * (dim + 1):
        return None, first
    floor = _floor(X, weights)
    best, best_score = None, -math.inf
    for count in _candidates(dim, effective, max_components):
        fits = [_em(points, w, count, generator, floor, iterations, tolerance)[0]
                for points, w in halves]
        if fits[0] is None or fits[1] is None:
            break
        score = sum(_held_out(halves, fits, h) for h in (0, 1))
        if score <= best_score:
            break
        best, best_score = tuple(fits), score
    if dim > 1:
        product, score = _cross_products(halves, effective, iterations, tolerance)
        if score > best_score:
            best = product
    return best, first
