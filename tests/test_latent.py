"""Latent Diffusion Evolution: the encoders and their validation."""

import numpy as np
import pytest

from evodiff import DiffusionEvolution, LatentDiffusionEvolution, minimize, problems
from evodiff.algorithms.latent import (
    CallableEncoder,
    FixedProjection,
    PCAProjection,
    make_encoder,
    random_projection,
)
from evodiff.backend import Backend


def test_random_rows_have_unit_norm_and_come_from_the_rng():
    a = random_projection(3, 50, np.random.default_rng(1))
    b = random_projection(3, 50, np.random.default_rng(1))
    c = random_projection(3, 50, np.random.default_rng(2))
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_random_latent_through_the_optimiser_is_reproducible():
    a = DiffusionEvolution(dim=40, popsize=8, steps=3, latent="random", rng=7)
    b = DiffusionEvolution(dim=40, popsize=8, steps=3, latent="random", rng=7)
    assert a.projection.shape == (2, 40)
    np.testing.assert_array_equal(a.projection, b.projection)
    np.testing.assert_allclose(np.linalg.norm(a.projection, axis=1), 1.0)


@pytest.mark.parametrize("dim", [5, 300])  # covariance path and Gram path
def test_pca_recovers_planted_directions(backend_name, dim):
    rng = np.random.default_rng(0)
    axes, _ = np.linalg.qr(rng.standard_normal((dim, 2)))
    n = 120
    x = 0.01 * rng.standard_normal((n, dim))
    x += rng.standard_normal((n, 1)) * 5.0 * axes[:, 0] + rng.standard_normal((n, 1)) * 3.0 * axes[:, 1]
    x += 2.0  # an offset: directions come from the centred population
    backend = Backend(backend_name)
    found = backend.to_host(PCAProjection(2).directions(backend, backend.asarray(x)))
    # The found directions span the planted plane: the projection matrix onto it is the same.
    np.testing.assert_allclose(found @ found.T, axes @ axes.T, atol=1e-3)
    np.testing.assert_allclose(np.linalg.norm(found, axis=0), 1.0, atol=1e-12)
    z = backend.to_host(PCAProjection(2)(backend, backend.asarray(x)))
    np.testing.assert_allclose(z, x @ found, atol=1e-10)


def test_pca_latent_dimension_too_large():
    backend = Backend()
    with pytest.raises(ValueError, match="latent_dim=4"):
        PCAProjection(4)(backend, np.zeros((3, 10)))


def test_callable_encoder_is_used_and_validated(backend_name):
    backend = Backend(backend_name)
    x = backend.asarray(np.arange(12.0).reshape(4, 3))
    z = backend.to_host(CallableEncoder(lambda x: x[:, :2] * 2.0)(backend, x))
    np.testing.assert_array_equal(z, np.arange(12.0).reshape(4, 3)[:, :2] * 2.0)
    with pytest.raises(ValueError, match=r"shape \(4, d\)"):
        CallableEncoder(lambda x: x[:3, :])(backend, x)
    with pytest.raises(ValueError, match=r"shape \(4, d\)"):
        CallableEncoder(lambda x: x[:, 0])(backend, x)
    with pytest.raises(ValueError, match="NaN or inf"):
        CallableEncoder(lambda x: x * float("nan"))(backend, x)
    with pytest.raises(TypeError, match="real array"):
        CallableEncoder(lambda x: "codes")(backend, x)


def test_bad_encoder_output_stops_a_run_clearly():
    opt = DiffusionEvolution(dim=3, popsize=8, steps=4, rng=0, latent=lambda x: x[:, :0])
    opt.ask()
    with pytest.raises(ValueError, match="latent encoder must return shape"):
        opt.tell(np.zeros(8))


def test_make_encoder_kinds():
    g = np.random.default_rng(0)
    assert make_encoder(None, None, 5, g) is None
    assert isinstance(make_encoder("random", 3, 5, g), FixedProjection)
    assert make_encoder("random", None, 5, g).matrix.shape == (2, 5)
    assert make_encoder(4, None, 5, g).matrix.shape == (4, 5)
    assert isinstance(make_encoder("pca", None, 5, g), PCAProjection)
    assert isinstance(make_encoder(np.eye(5)[:2], None, 5, g), FixedProjection)
    assert isinstance(make_encoder(lambda x: x, None, 5, g), CallableEncoder)
    with pytest.raises(ValueError, match="disagrees"):
        make_encoder(np.eye(5)[:2], 3, 5, g)


@pytest.mark.parametrize("latent", ["random", "pca", lambda x: x[:, :2]])
def test_every_latent_kind_runs_on_every_backend(backend_name, latent):
    opt = DiffusionEvolution(dim=6, popsize=16, steps=5, latent=latent, rng=0, backend=backend_name)
    while not opt.done:
        X = opt.backend.to_host(opt.ask())
        opt.tell(np.sum(X**2, axis=1))
    assert np.all(np.isfinite(opt.candidates()))


@pytest.mark.filterwarnings("ignore:LatentDiffusionEvolution is deprecated")
def test_latent_diffusion_evolution_alias():
    opt = LatentDiffusionEvolution(dim=10, popsize=8, steps=3, rng=0)
    assert opt.projection.shape == (2, 10)
    assert LatentDiffusionEvolution(dim=10, popsize=8, steps=3, latent="pca").encoder.name == "pca"
    with pytest.raises(ValueError, match="needs a latent encoder"):
        LatentDiffusionEvolution(dim=10, latent=None)


def test_minimize_latent_keyword():
    f = problems.sphere(20)
    res = minimize(f, bounds=f.bounds, vectorized=True, popsize=128, maxiter=30, rng=0,
                   latent="random")
    assert res.nit == 30
    with pytest.raises(ValueError, match="latent applies to the Diffusion Evolution methods"):
        minimize(f, bounds=f.bounds, vectorized=True, method="cmaes", latent="random")


def test_latent_beats_plain_on_a_high_dimensional_sphere():
    """The reason for the latent variant: in 20-D the plain estimate stops selecting."""
    f = problems.random_shift(problems.sphere(20), rng=0)
    plain, latent = [], []
    for seed in range(3):
        plain.append(minimize(f, bounds=f.bounds, vectorized=True, rng=seed,
                              method="diffevo").fun)
        latent.append(minimize(f, bounds=f.bounds, vectorized=True, rng=seed, latent="random").fun)
    assert max(latent) < min(plain) / 5, (latent, plain)
