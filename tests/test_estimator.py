"""The chunked log-domain x0 estimator against a slow, obvious formula."""

import math

import numpy as np
import pytest

from evodiff.algorithms.estimator import chunk_rows, estimate_x0, neighbour_weights
from evodiff.backend import Backend


def reference_x0(x, log_g, alpha, z=None):
    """Double loop in float64, straight from the definition."""
    x = np.asarray(x, dtype=np.float64)
    z = x if z is None else np.asarray(z, dtype=np.float64)
    n = x.shape[0]
    out = np.empty_like(x)
    for i in range(n):
        logw = np.empty(n)
        for j in range(n):
            diff = z[i] - math.sqrt(alpha) * z[j]
            logw[j] = log_g[j] - diff @ diff / (2.0 * (1.0 - alpha))
        if np.all(np.isneginf(logw)):
            out[i] = x[i]
            continue
        w = np.exp(logw - logw.max())
        out[i] = w @ x / w.sum()
    return out


def population(n, d, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)), rng.uniform(-5.0, 0.0, n)


@pytest.mark.parametrize("alpha", [1e-3, 0.3, 0.9, 0.999])
@pytest.mark.parametrize("d", [1, 2, 7])
def test_matches_double_loop(backend_name, alpha, d):
    x, log_g = population(40, d, seed=d)
    backend = Backend(backend_name)
    got = estimate_x0(backend, backend.asarray(x), backend.asarray(log_g), alpha)
    np.testing.assert_allclose(backend.to_host(got), reference_x0(x, log_g, alpha),
                               rtol=1e-9, atol=1e-11)


def test_matches_double_loop_with_latent_codes(backend_name):
    x, log_g = population(30, 5, seed=3)
    projection = np.random.default_rng(4).standard_normal((2, 5))
    z = x @ projection.T
    backend = Backend(backend_name)
    got = estimate_x0(backend, backend.asarray(x), backend.asarray(log_g), 0.5, z=backend.asarray(z))
    np.testing.assert_allclose(backend.to_host(got), reference_x0(x, log_g, 0.5, z=z),
                               rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("rows", [1, 3, 16, 37, 64])
def test_chunk_size_does_not_change_the_result(backend_name, rows):
    x, log_g = population(37, 4, seed=5)
    backend = Backend(backend_name)
    whole = backend.to_host(estimate_x0(backend, backend.asarray(x), backend.asarray(log_g), 0.6))
    chunked = backend.to_host(
        estimate_x0(backend, backend.asarray(x), backend.asarray(log_g), 0.6, rows=rows))
    # Equal up to the last bits: BLAS may round a 1-row product differently from a block.
    np.testing.assert_allclose(chunked, whole, rtol=1e-13, atol=1e-14)


def test_memory_budget_sets_the_chunk():
    assert chunk_rows(1000, 1000, 8, memory_budget=8 * 1000 * 10) == 10
    assert chunk_rows(1000, 1000, 8, memory_budget=1) == 1
    assert chunk_rows(50, 1000, 8, memory_budget=10**9) == 50


def test_high_dimension_float32_keeps_every_row_alive(backend_name):
    """256-D, float32, alpha = 1e-3: the case where raw exp weights underflow."""
    n, d, alpha = 128, 256, 1e-3
    rng = np.random.default_rng(7)
    x = rng.standard_normal((n, d)).astype(np.float32) * 3.0
    log_g = -rng.uniform(0, 10, n).astype(np.float32)
    # The defect this guards against: raw exponentials of these weights are all zero.
    d2 = ((x[:, None, :] - math.sqrt(alpha) * x[None, :, :]) ** 2).sum(axis=2)
    raw = np.exp(log_g[None, :] - d2 / (2 * (1 - alpha)))
    assert np.all(raw.sum(axis=1) == 0)

    backend = Backend(backend_name, dtype="float32")
    weights = backend.to_host(neighbour_weights(backend, backend.asarray(x), backend.asarray(log_g), alpha))
    assert np.all(weights.max(axis=1) > 0)
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, rtol=1e-5)

    x0 = backend.to_host(estimate_x0(backend, backend.asarray(x), backend.asarray(log_g), alpha))
    assert np.all(np.isfinite(x0))
    assert not np.allclose(x0, x.mean(axis=0), atol=1e-2)
    assert not np.allclose(x0, 0.0, atol=1e-2)
    np.testing.assert_allclose(x0, reference_x0(x, log_g.astype(np.float64), alpha), atol=2e-3)


def test_all_zero_weights_keep_each_point(backend_name):
    x, _ = population(10, 3)
    backend = Backend(backend_name)
    log_g = backend.asarray(np.full(10, -np.inf))
    got = backend.to_host(estimate_x0(backend, backend.asarray(x), log_g, 0.5))
    np.testing.assert_array_equal(got, x)
    assert np.all(backend.to_host(neighbour_weights(backend, backend.asarray(x), log_g, 0.5)) == 0)


def test_zero_weights_are_ignored_exactly(backend_name):
    x, log_g = population(12, 2, seed=9)
    log_g[[0, 5, 6]] = -np.inf
    backend = Backend(backend_name)
    got = backend.to_host(estimate_x0(backend, backend.asarray(x), backend.asarray(log_g), 0.4))
    np.testing.assert_allclose(got, reference_x0(x, log_g, 0.4), rtol=1e-9, atol=1e-11)
    weights = backend.to_host(neighbour_weights(backend, backend.asarray(x), backend.asarray(log_g), 0.4))
    assert np.all(weights[:, [0, 5, 6]] == 0)
    np.testing.assert_allclose(weights.sum(axis=1), 1.0)


def test_inputs_are_not_modified():
    x, log_g = population(20, 3)
    x_copy, g_copy = x.copy(), log_g.copy()
    estimate_x0(Backend(), x, log_g, 0.5, rows=3)
    np.testing.assert_array_equal(x, x_copy)
    np.testing.assert_array_equal(log_g, g_copy)


@pytest.mark.parametrize("dim", [3, 40])
def test_only_some_rows_are_estimated_against_the_whole_population(dim):
    backend = Backend("numpy")
    rng = np.random.default_rng(4)
    x, log_g = rng.normal(size=(200, dim)), -5.0 * rng.random(200)
    log_g[7] = -np.inf
    only = np.array([5, 0, 199, 7])
    full = estimate_x0(backend, x, log_g, 0.6, rows=16)
    part = estimate_x0(backend, x, log_g, 0.6, rows=3, only=only)
    np.testing.assert_allclose(part, full[only], rtol=1e-12, atol=1e-12)
    dead = estimate_x0(backend, x, np.full(200, -np.inf), 0.6, only=only)
    np.testing.assert_array_equal(dead, x[only])
