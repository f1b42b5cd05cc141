"""The mixture proposals of the tempered SMC: densities, draws, cross-fitting, invariance."""

import numpy as np
import pytest
from scipy import stats

from evodiff.sampling import sample
from evodiff.sampling.mixture import (
    GaussianMixtureFit,
    ProductMixtureFit,
    fit_cross_mixtures,
    split_families,
)
from evodiff.sampling.reference import GaussianReference
from evodiff.sampling.smc import TemperedSMC
from evodiff.sampling.target import LogTarget
from evodiff.sampling.targets import TwoModeMixture


def test_a_joint_mixture_has_the_density_and_moments_of_its_definition():
    rng = np.random.default_rng(0)
    A = rng.normal(size=(2, 4, 4))
    cov = A @ A.transpose(0, 2, 1) + np.eye(4)
    means, weights = rng.normal(size=(2, 4)), np.array([0.3, 0.7])
    fit = GaussianMixtureFit(weights, means, cov)
    X = rng.normal(size=(5, 4))
    exact = np.log(sum(w * stats.multivariate_normal(m, c).pdf(X)
                       for w, m, c in zip(weights, means, cov)))
    np.testing.assert_allclose(fit.log_density(X), exact, rtol=1e-10)
    draws = fit.draw(rng.random((200_000, 4)), rng.normal(size=(200_000, 4)))
    np.testing.assert_allclose(draws.mean(axis=0), weights @ means, atol=0.03)
    np.testing.assert_allclose(fit.within_covariance(), 0.3 * cov[0] + 0.7 * cov[1])


def test_a_product_of_marginal_mixtures_has_the_density_and_draws_of_its_definition():
    weights = np.array([[0.25, 0.75], [1.0, 0.0]])
    means = np.array([[-2.0, 1.0], [0.5, 0.0]])
    variances = np.array([[0.5, 0.2], [2.0, 1.0]])
    fit = ProductMixtureFit(weights, means, variances)
    X = np.array([[0.3, -1.0], [-2.0, 2.0]])
    first = (0.25 * stats.norm(-2, np.sqrt(0.5)).pdf(X[:, 0])
             + 0.75 * stats.norm(1, np.sqrt(0.2)).pdf(X[:, 0]))
    second = stats.norm(0.5, np.sqrt(2.0)).pdf(X[:, 1])
    np.testing.assert_allclose(fit.log_density(X), np.log(first * second), rtol=1e-10)
    rng = np.random.default_rng(1)
    draws = fit.draw(rng.random((100_000, 2)), rng.normal(size=(100_000, 2)))
    assert np.mean(draws[:, 0] < -0.5) == pytest.approx(0.25, abs=0.01)
    assert np.var(draws[:, 1]) == pytest.approx(2.0, rel=0.03)
    assert fit.components == 2


def test_copies_of_one_particle_stay_in_one_half():
    rng = np.random.default_rng(2)
    base = rng.normal(size=(50, 3))
    X = base[rng.integers(0, 50, size=400)]
    first = split_families(X, rng)
    for row in np.unique(X, axis=0):
        same = np.all(X == row, axis=1)
        assert np.all(first[same]) or not np.any(first[same])
    assert 0.3 < first.mean() < 0.7


def test_two_separated_clusters_are_fitted_jointly_with_their_shares():
    rng = np.random.default_rng(3)
    dim, n = 10, 1200
    heavy = rng.random(n) < 2 / 3
    X = np.where(heavy[:, None], 3.0, -3.0) + 0.3 * rng.normal(size=(n, dim))
    fits, first = fit_cross_mixtures(X, np.full(n, 1.0 / n), rng)
    for fit in fits:
        assert isinstance(fit, GaussianMixtureFit) and fit.components == 2
        share = fit.weights[fit.means.sum(axis=1) > 0].sum()
        assert share == pytest.approx(2 / 3, abs=0.05)
    assert first.dtype == bool and first.shape == (n,)


def test_independent_bimodal_coordinates_are_fitted_as_a_product():
    rng = np.random.default_rng(4)
    dim, n = 8, 1000
    X = rng.choice([-2.0, 2.0], size=(n, dim)) + 0.3 * rng.normal(size=(n, dim))
    fits, _ = fit_cross_mixtures(X, np.full(n, 1.0 / n), rng)
    for fit in fits:
        assert isinstance(fit, ProductMixtureFit) and fit.components >= 2
        # every coordinate holds half its weight in components near -2
        np.testing.assert_allclose(np.sum(fit.weights * (fit.means < 0), axis=1), 0.5,
                                   atol=0.06)


def test_too_few_particles_give_no_mixture():
    rng = np.random.default_rng(5)
    fits, _ = fit_cross_mixtures(rng.normal(size=(10, 6)), np.full(10, 0.1), rng)
    assert fits is None


def test_the_mixture_moves_leave_the_target_invariant():
    # started half and half in two modes of weights 2/3 and 1/3, the moves alone (beta = 1)
    # must bring the shares to 2/3: a proposal fitted to the very particles it moves drove
    # them out of the thinner mode (to 0.98 in 32-D), which this test caught
    dim, n = 16, 600
    mixture = TwoModeMixture(dim)
    target = LogTarget(mixture.log_density, dim, vectorized=True)
    reference = GaussianReference(np.zeros(dim), np.full(dim, 2.0))
    smc = TemperedSMC(target, reference, n, np.random.default_rng(6), moves=2)
    X = np.abs(mixture.sample(n, rng=7)) * np.where(np.arange(n) < n // 2, 1.0, -1.0)[:, None]
    log_p, log_ref = mixture.log_density(X), reference.log_density(X)
    weights, shares = np.full(n, 1.0 / n), []
    for _ in range(60):
        X, log_p, log_ref, _ = smc._move(X, log_p, log_ref, 1.0, weights)
        shares.append(np.mean(X.sum(axis=1) > 0))
    assert np.mean(shares[20:]) == pytest.approx(2 / 3, abs=0.03)


def test_separated_modes_keep_their_weights_in_sixteen_dimensions():
    target = TwoModeMixture(16)
    errors = []
    for seed in (0, 1):
        res = sample(target.log_density, x0=np.zeros(16), sigma=2.0, vectorized=True, n=1000,
                     rng=seed, repeats=1, options={"ess": 0.9, "moves": 10})
        errors.append(abs(target.heavy_weight(res.x, res.weights) - 2 / 3))
    assert max(errors) < 0.05


def test_an_unknown_proposal_is_refused():
    with pytest.raises(ValueError, match="proposal"):
        sample(lambda X: -0.5 * np.sum(X**2, axis=1), x0=np.zeros(2), sigma=1.0,
               vectorized=True, options={"proposal": "hamiltonian"})


def test_few_particles_fall_back_to_the_random_walk():
    res = sample(lambda X: -0.5 * np.sum(X**2, axis=1), x0=np.zeros(5), sigma=3.0,
                 vectorized=True, n=8, rng=0, repeats=2)
    assert np.isfinite(res.log_z) and res.x.shape == (16, 5)


def test_the_random_walk_leaves_a_correlated_gaussian_invariant():
    # each half walks with the other half's covariance: with the particles' own covariance
    # the walk contracted a 50-D Gaussian (mean x'Px from 50 to 48 in 200 sweeps)
    dim, n = 50, 1000
    A = np.random.default_rng(0).normal(size=(dim, dim))
    cov = A @ A.T / dim + 0.1 * np.eye(dim)
    precision = np.linalg.inv(cov)

    def log_density(X):
        return -0.5 * np.einsum("ni,ij,nj->n", X, precision, X)

    target = LogTarget(log_density, dim, vectorized=True)
    reference = GaussianReference(np.zeros(dim), np.full(dim, 3.0))
    smc = TemperedSMC(target, reference, n, np.random.default_rng(1), moves=5,
                      proposal="random-walk")
    X = np.random.default_rng(2).multivariate_normal(np.zeros(dim), cov, size=n)
    log_p, log_ref = log_density(X), reference.log_density(X)
    weights, quadratic = np.full(n, 1.0 / n), []
    for _ in range(40):
        X, log_p, log_ref, _ = smc._move(X, log_p, log_ref, 1.0, weights)
        quadratic.append(np.mean(-2.0 * log_p))
    assert np.mean(quadratic[20:]) == pytest.approx(dim, abs=0.8)


@pytest.mark.parametrize("build, match", [
    (lambda: GaussianMixtureFit([0.5, 0.5], np.zeros((3, 2)), np.stack([np.eye(2)] * 3)),
     "one entry per component"),
    (lambda: GaussianMixtureFit([0.7, 0.7], np.zeros((2, 2)), np.stack([np.eye(2)] * 2)),
     "sum to 1"),
    (lambda: GaussianMixtureFit([1.0], np.zeros((1, 2)), np.eye(3)[None]), "covariances must"),
    (lambda: GaussianMixtureFit([1.0], np.zeros((1, 2)), -np.eye(2)[None]), "positive definite"),
    (lambda: ProductMixtureFit(np.ones((2, 1)), np.zeros((2, 2)), np.ones((2, 2))),
     "share one shape"),
    (lambda: ProductMixtureFit([[0.5, 0.2]], [[0.0, 1.0]], [[1.0, 1.0]]), "sum to 1"),
    (lambda: ProductMixtureFit([[1.0]], [[0.0]], [[0.0]]), "variances must be positive"),
    (lambda: split_families(np.zeros(5), np.random.default_rng(0)), "shape"),
    (lambda: split_families([[np.nan, 1.0]], np.random.default_rng(0)), "finite"),
    (lambda: fit_cross_mixtures(np.zeros((4, 2)), np.full(3, 1 / 3), np.random.default_rng(0)),
     "weights must be"),
    (lambda: fit_cross_mixtures(np.zeros((4, 2)), np.full(4, 0.5), np.random.default_rng(0)),
     "summing to 1"),
])
def test_bad_mixtures_and_points_are_refused(build, match):
    with pytest.raises(ValueError, match=match):
        build()


def test_a_saved_generator_state_of_another_kind_is_refused():
    from evodiff.backend import Backend
    from evodiff.randomness import make_sampler, restore_generator

    generator = np.random.default_rng(0)
    other = np.random.Generator(np.random.MT19937(0)).bit_generator.state
    with pytest.raises(ValueError, match="PCG64"):
        restore_generator(generator, make_sampler(generator, Backend()), other)
    saved = generator.bit_generator.state
    draw = generator.random()
    restore_generator(generator, make_sampler(generator, Backend()), saved)
    assert generator.random() == draw
