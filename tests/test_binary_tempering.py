"""Parallel tempering: per-replica temperatures, Boltzmann statistics on every rung, the toolkit."""

import itertools

import numpy as np
import pytest

import evodiff
from evodiff.binary import Ising, ParallelTempering, sherrington_kirkpatrick
from evodiff.binary.sweeps import SweepKernel


def all_spins(n):
    return np.array(list(itertools.product((-1.0, 1.0), repeat=n)))


def test_sweep_with_one_beta_per_replica_is_sequential_metropolis():
    sk = sherrington_kirkpatrick(30, rng=2)
    h = np.random.default_rng(1).normal(size=30)
    kernel = SweepKernel(sk.J, h, block=8, dtype=np.float64)
    J = np.asarray(sk.J)[kernel.order][:, kernel.order]
    hk = h[kernel.order]
    betas = np.array([0.1, 0.5, 1.0, 3.0, 10.0])
    spins = np.where(np.random.default_rng(0).random((5, 30)) < 0.5, -1.0, 1.0)
    expected = spins.copy()
    fields = spins @ J
    for _ in range(3):
        kernel.sweep(spins, fields, betas, np.random.default_rng(7))
        # the same thresholds, drawn as the kernel draws them, each scaled by its own beta
        rng = np.random.default_rng(7)
        thresholds = -np.log1p(-rng.random(expected.shape)) * (0.5 / betas[:, None])
        local = expected @ J
        for k in range(30):
            step = np.where(expected[:, k] * (local[:, k] + hk[k]) < thresholds[:, k],
                            -2.0 * expected[:, k], 0.0)
            expected[:, k] += step
            local += step[:, None] * J[k]
        np.testing.assert_array_equal(spins, expected)
        np.testing.assert_allclose(fields, spins @ J, atol=1e-9)


def test_every_rung_samples_its_boltzmann_distribution():
    # Exchanges with the wrong acceptance rule would carry low energies to the hot rungs.
    problem = sherrington_kirkpatrick(5, rng=3)
    states = all_spins(5)
    energies = problem.energy(states)
    opt = ParallelTempering(problem, 4 * 300, temperatures=4, beta_range=(0.2, 3.0), sweeps=400,
                            sweeps_per_generation=1, precision="float64", rng=0)
    sums = np.zeros(4)
    count = 0
    while not opt.done:
        X = opt.ask()
        E = problem.energy(X)
        opt.tell(E)
        if opt.sweep_count > 50:
            sums += E.reshape(4, -1).mean(axis=1)
            count += 1
    sampled = sums / count
    for beta, mean in zip(opt.ladder, sampled):
        weights = np.exp(-beta * (energies - energies.min()))
        exact = np.sum(weights * energies) / weights.sum()
        assert mean == pytest.approx(exact, abs=0.02 * np.ptp(energies))
    assert 0.0 < opt.exchange_rate < 1.0
    assert opt.exchanges <= opt.exchange_attempts


def test_tempering_finds_the_ground_state_through_minimize():
    sk = sherrington_kirkpatrick(12, rng=5)
    exact = sk.energy(all_spins(12)).min()
    res = evodiff.minimize(sk, method="tempering", popsize=16, maxiter=200, rng=0,
                           options={"temperatures": 8})
    assert res.method == "tempering"
    assert res.fun == pytest.approx(exact, abs=1e-12)
    assert "8 temperatures" in res.message


def test_tempering_ladder_and_layout():
    sk = sherrington_kirkpatrick(20, rng=0)
    opt = ParallelTempering(sk, temperatures=5, sweeps=10, rng=0)
    assert opt.popsize == 10 and opt.chains == 2
    assert opt.ladder[0] == pytest.approx(opt.beta_range[0])
    assert opt.ladder[-1] == pytest.approx(opt.beta_range[1])
    assert np.all(np.diff(opt.ladder) > 0)
    ratios = opt.ladder[1:] / opt.ladder[:-1]
    np.testing.assert_allclose(ratios, ratios[0])
    linear = ParallelTempering(sk, temperatures=5, schedule="linear", sweeps=10, rng=0)
    np.testing.assert_allclose(np.diff(linear.ladder), np.diff(linear.ladder)[0])
    assert np.isnan(opt.exchange_rate)
    default = ParallelTempering(sk, sweeps=10, rng=0)
    assert (default.popsize, default.temperatures) == (64, 32)
    for popsize, rungs in ((16, 16), (100, 25), (50, 25), (7, 7), (74, 2), (37, 37)):
        assert ParallelTempering(sk, popsize, sweeps=10, rng=0).temperatures == rungs


@pytest.mark.parametrize("kwargs,match", [
    ({"temperatures": 1}, "temperatures"),
    ({"temperatures": 4, "popsize": 10}, "multiple of temperatures"),
    ({"temperatures": 4, "popsize": 2}, "popsize"),
    ({"popsize": 1}, "popsize"),
    ({"sweeps": 0}, "sweeps"),
    ({"backend": "cupy"}, "numpy backend only"),
])
def test_tempering_bad_settings(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ParallelTempering(sherrington_kirkpatrick(5, rng=0), **kwargs)


def test_tempering_needs_a_problem():
    with pytest.raises(ValueError, match="'tempering' needs the problem's couplings"):
        evodiff.minimize(lambda X: X.sum(axis=1), evodiff.binary.Bits(5), method="tempering",
                         vectorized=True)


def test_tempering_resumes_bit_for_bit(tmp_path):
    problem = Ising(sherrington_kirkpatrick(30, rng=4).J)
    common = dict(method="tempering", popsize=12, maxiter=60, rng=3,
                  options={"temperatures": 4, "sweeps_per_generation": 10})
    whole = evodiff.minimize(problem, **common)
    path = tmp_path / "run.npz"
    stopped = evodiff.minimize(problem, checkpoint=path, callback=lambda r: r.nit >= 3, **common)
    assert stopped.nit == 3
    resumed = evodiff.minimize(problem, resume=path, **common)
    assert resumed.fun == whole.fun and resumed.message == whole.message
    np.testing.assert_array_equal(resumed.population, whole.population)
