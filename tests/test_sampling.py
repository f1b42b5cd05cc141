"""evodiff.sample: exact moments and log Z, unbiasedness over repeats, targets, bad input."""

import math

import numpy as np
import pytest
from scipy import stats

import evodiff
from evodiff.sampling import sample
from evodiff.sampling.targets import GaussianMixture, ManyWell, TwoModeMixture, forty_mode_mixture
from evodiff.sampling.weights import next_temperature, systematic_resample


def _gaussian(mean, std):
    mean, std = np.asarray(mean, float), np.asarray(std, float)
    log_z = float(np.sum(np.log(std)) + 0.5 * mean.size * math.log(2 * math.pi))

    def log_density(X):  # unnormalised: Z = (2 pi)^(D/2) prod std
        return -0.5 * np.sum(((X - mean) / std) ** 2, axis=1)
    return log_density, log_z


def test_a_gaussian_gives_its_moments_and_normalising_constant():
    mean, std = np.array([1.0, -2.0, 0.5]), np.array([0.5, 1.0, 2.0])
    log_density, log_z = _gaussian(mean, std)
    res = sample(log_density, x0=np.zeros(3), sigma=4.0, vectorized=True, n=2000, rng=0)
    assert res.log_z == pytest.approx(log_z, abs=0.05)
    assert abs(res.log_z - log_z) < 5 * res.log_z_se + 0.01
    np.testing.assert_allclose(res.mean(), mean, atol=0.06)
    var = res.weights @ (res.x - res.mean()) ** 2
    np.testing.assert_allclose(np.sqrt(var), std, rtol=0.06)
    assert res.weights.sum() == pytest.approx(1.0) and res.x.shape == (8000, 3)
    assert res.nfev == sum(run.nfev for run in res.details) and res.ess > 1000


def test_a_box_reference_integrates_over_the_box():
    # half of a standard Gaussian's mass in 1-D lies in [0, 5]: Z = sqrt(2 pi) / 2
    res = sample(lambda x: -0.5 * float(x[0]) ** 2, bounds=[(0.0, 5.0)], n=1000, rng=1)
    assert res.log_z == pytest.approx(math.log(math.sqrt(2 * math.pi) / 2), abs=0.05)
    assert np.all((res.x >= 0.0) & (res.x <= 5.0))


def test_a_small_mixture_keeps_its_mode_weights():
    mixture = GaussianMixture([[-3.0, 0.0], [3.0, 0.0]], 0.5, [0.7, 0.3])
    res = sample(mixture.log_density, x0=np.zeros(2), sigma=5.0, vectorized=True, n=2000, rng=2)
    heavy = float(np.sum(res.weights * (res.x[:, 0] < 0)))
    assert heavy == pytest.approx(0.7, abs=0.04)
    assert res.log_z == pytest.approx(0.0, abs=0.08)


def test_the_estimate_of_z_is_unbiased_over_repeats():
    # 40 independent small runs: their Z / Z_true has mean 1 (a t-test at the 0.1 % level)
    log_density, log_z = _gaussian([0.0, 0.0], [1.0, 1.0])
    res = sample(log_density, x0=np.zeros(2), sigma=3.0, vectorized=True, n=100, rng=3,
                 repeats=40)
    ratios = np.exp(res.log_z_runs - log_z)
    assert stats.ttest_1samp(ratios, 1.0).pvalue > 1e-3
    assert res.log_z_se > 0 and abs(res.log_z - log_z) < 4 * res.log_z_se


def test_an_energy_at_inverse_temperature_beta_is_its_boltzmann_distribution():
    energy = lambda x: float(np.sum(x**2))  # noqa: E731
    hot = sample(energy, x0=[0.0, 0.0], sigma=2.0, beta=0.5, n=300, rng=4, repeats=2)
    same = sample(lambda x: -0.5 * energy(x), x0=[0.0, 0.0], sigma=2.0, n=300, rng=4, repeats=2)
    np.testing.assert_array_equal(hot.x, same.x)
    assert hot.log_z == same.log_z  # Z = 2 pi at beta = 0.5


def test_the_same_seed_gives_the_same_samples():
    log_density, _ = _gaussian([0.0], [1.0])
    a = sample(log_density, x0=[0.0], vectorized=True, n=200, rng=5, repeats=2)
    b = sample(log_density, x0=[0.0], vectorized=True, n=200, rng=5, repeats=2)
    c = sample(log_density, x0=[0.0], vectorized=True, n=200, rng=6, repeats=2)
    np.testing.assert_array_equal(a.x, b.x)
    assert a.log_z == b.log_z and not np.array_equal(a.x, c.x)


def test_resampling_draws_from_the_weights():
    log_density, _ = _gaussian([2.0], [0.5])
    res = sample(log_density, x0=[0.0], sigma=3.0, vectorized=True, n=500, rng=7, repeats=2)
    draws = res.resample(4000, rng=0)
    assert draws.shape == (4000, 1)
    assert draws.mean() == pytest.approx(2.0, abs=0.05)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"log_density": lambda x: math.nan}, ValueError, "NaN log-density at the point"),
    ({"log_density": lambda x: math.inf}, ValueError, "infinite log-density"),
    ({"log_density": lambda X: np.zeros((len(X), 2)), "vectorized": True}, ValueError,
     r"must return shape \(100,\)"),
    ({"log_density": lambda x: np.zeros(2)}, ValueError, "one number per point"),
    ({"log_density": lambda x: -math.inf}, ValueError, "zero weight|zero density"),
    ({"log_density": 3.0}, TypeError, "log_density must be callable"),
    ({"bounds": [(0, 1)], "x0": [0.0]}, ValueError, "either bounds or x0"),
    ({"x0": None}, ValueError, "give bounds"),
    ({"method": "mcmc"}, ValueError, "method must be one of"),
    ({"n": 1}, ValueError, "n must be"),
    ({"sigma": -1.0}, ValueError, "sigma must be positive"),
    ({"beta": 0.0}, ValueError, "beta must be"),
    ({"options": {"ess": 1.5}}, ValueError, "ess must be"),
])
def test_bad_input_is_refused_clearly(kwargs, error, match):
    arguments = {"log_density": lambda x: -float(np.sum(np.asarray(x) ** 2)), "x0": [0.0],
                 "n": 100, "rng": 0, "repeats": 1}
    arguments.update(kwargs)
    log_density = arguments.pop("log_density")
    with pytest.raises(error, match=match):
        sample(log_density, **arguments)


def test_the_geometric_path_density():
    from evodiff.sampling.weights import geometric_log_density

    log_ref, log_p = np.array([-1.0, -2.0, -3.0]), np.array([-5.0, -np.inf, 0.0])
    np.testing.assert_allclose(geometric_log_density(0.25, log_ref, log_p),
                               [0.75 * -1 + 0.25 * -5, -np.inf, 0.75 * -3])
    # at beta = 0 the target's zeros do not count yet: the path is the reference
    np.testing.assert_array_equal(geometric_log_density(0.0, log_ref, log_p), log_ref)


def test_weights_helpers():
    weights = np.array([0.1, 0.0, 0.6, 0.3])
    counts = np.bincount(systematic_resample(weights, np.random.default_rng(0)), minlength=4)
    assert counts[1] == 0 and np.all(np.abs(counts - 4 * weights) < 1)
    increment = np.array([0.0, 1.0, 2.0, -np.inf])
    beta = next_temperature(increment, 0.0, 0.5)
    step = np.where(np.isinf(increment), 0.0, np.exp(beta * increment))
    assert step.sum() ** 2 / (4 * np.sum(step**2)) == pytest.approx(0.5, abs=1e-6)
    assert next_temperature(np.zeros(5), 0.3, 0.5) == 1.0


# ---- targets with exact answers --------------------------------------------------------

def test_the_many_well_constant_agrees_with_an_independent_integral():
    x = np.linspace(-7.0, 7.0, 400_001)
    trapezoid = math.log(np.trapezoid(np.exp(-(x**4 - 6 * x**2 - 0.5 * x)), x))
    assert ManyWell.double_well_log_z() == pytest.approx(trapezoid, abs=1e-9)
    well = ManyWell(32)
    assert well.log_z == pytest.approx(16 * (trapezoid + 0.5 * math.log(2 * math.pi)), abs=1e-7)
    # the density factorises: one pair at two points
    X = np.array([[1.0, 2.0] + [0.0] * 30])
    assert well.log_density(X)[0] == pytest.approx(-(1 - 6 - 0.5) - 2.0)
    with pytest.raises(ValueError, match="even"):
        ManyWell(3)


def test_the_mixtures_are_normalised_and_sampled_exactly():
    forty = forty_mode_mixture()
    assert forty.means.shape == (40, 2) and np.all(np.abs(forty.means) <= 40)
    np.testing.assert_allclose(forty.scales, math.log1p(math.e))
    grid = np.linspace(-50, 50, 801)
    X = np.stack(np.meshgrid(grid, grid), axis=-1).reshape(-1, 2)
    mass = np.exp(forty.log_density(X)).sum() * (grid[1] - grid[0]) ** 2
    assert mass == pytest.approx(1.0, abs=1e-3)
    two = TwoModeMixture(4, separation=1.0)
    exact = two.sample(20_000, rng=0)
    assert two.heavy_weight(exact, np.full(20_000, 1 / 20_000)) == pytest.approx(2 / 3, abs=0.01)
    assert exact[:, 0].var() == pytest.approx(0.05 + 8 / 9, rel=0.05)  # 0.05 + a^2 (1 - (1/3)^2)


def test_sample_is_exported():
    assert evodiff.sample is sample and "sample" in evodiff.__all__


# ---- annealed SMC with the Diffusion Evolution denoiser --------------------------------

@pytest.mark.parametrize("kernel", ["second", "transport"])
def test_the_diffusion_sampler_estimates_a_gaussian(kernel):
    log_density, log_z = _gaussian([0.0, 0.0], [1.0, 1.0])
    res = sample(log_density, x0=np.zeros(2), sigma=3.0, vectorized=True, n=400, rng=0,
                 method="diffusion", options={"kernel": kernel, "steps": 30})
    assert res.log_z == pytest.approx(log_z, abs=0.1)
    np.testing.assert_allclose(res.mean(), [0.0, 0.0], atol=0.25)
    assert len(res.details[0].betas) == 32 and res.details[0].betas[-1] == 1.0


@pytest.mark.parametrize("kernel, tolerance", [("second", 2e-3), ("transport", 2e-2)])
def test_with_the_exact_posterior_the_kernels_are_the_exact_reverse_process(kernel, tolerance,
                                                                             monkeypatch):
    # a Gaussian target N(0, v0 I) in standard coordinates has a Gaussian posterior of the
    # clean point given the noisy one; given it, the second-order kernel and the transport are
    # exact: every weight is equal (ESS = particles) and log Z is exact (the transport up to
    # the discretisation of its flow, which its Jacobian accounts for)
    from evodiff.sampling import diffusion

    v0 = 1.0 / 9.0

    def exact(self, U, log_p, alpha, log_w):
        gain = math.sqrt(alpha) * v0 / (alpha * v0 + 1 - alpha)
        spread = v0 * (1 - alpha) / (alpha * v0 + 1 - alpha)
        return gain * U, np.broadcast_to(spread * np.eye(U.shape[1]), U.shape + U.shape[1:])
    monkeypatch.setattr(diffusion.DiffusionSMC, "_posterior", exact)
    log_density, log_z = _gaussian([0.0, 0.0], [1.0, 1.0])
    res = sample(log_density, x0=np.zeros(2), sigma=3.0, vectorized=True, n=300, rng=1,
                 repeats=2, method="diffusion", options={"kernel": kernel})
    assert res.ess > 0.95 * 600
    assert res.log_z == pytest.approx(log_z, abs=tolerance)


def test_the_diffusion_sampler_refuses_bad_settings():
    with pytest.raises(ValueError, match="kernel must be one of"):
        sample(lambda x: 0.0, x0=[0.0], method="diffusion", options={"kernel": "third"})
    with pytest.raises(ValueError, match="candidates must be one of"):
        sample(lambda x: 0.0, x0=[0.0], method="diffusion", options={"candidates": "all"})



# ---- array backends --------------------------------------------------------------------

@pytest.mark.parametrize("method, options", [
    ("smc", None), ("smc", {"proposal": "random-walk"}),
    ("diffusion", {"kernel": "first", "steps": 10}),
    ("diffusion", {"kernel": "second", "steps": 10, "resample": 0.5}),
    ("diffusion", {"kernel": "transport", "steps": 10}),
])
def test_the_samplers_run_on_any_array_api_backend(method, options):
    pytest.importorskip("array_api_strict")
    import array_api_strict as xp

    common = dict(x0=np.zeros(2), sigma=3.0, vectorized=True, n=300, rng=0, repeats=2,
                  method=method, options=options)
    strict = sample(lambda X: -0.5 * xp.sum(X * X, axis=1), backend="array_api_strict",
                    **common)
    plain = sample(lambda X: -0.5 * np.sum(X * X, axis=1), **common)
    assert strict.log_z == plain.log_z
    np.testing.assert_array_equal(strict.x, plain.x)


@pytest.mark.gpu
@pytest.mark.parametrize("method, options", [("smc", None),
                                             ("diffusion", {"kernel": "second", "steps": 30})])
def test_the_samplers_run_on_cupy(method, options):
    from tests.conftest import cupy_available

    if not cupy_available():
        pytest.skip("needs CuPy and a CUDA GPU")
    import cupy

    log_density, log_z = _gaussian([1.0, -1.0], [0.5, 2.0])
    res = sample(lambda X: -0.5 * cupy.sum(((X - cupy.asarray([1.0, -1.0]))
                                             / cupy.asarray([0.5, 2.0])) ** 2, axis=1),
                 x0=np.zeros(2), sigma=4.0, vectorized=True, n=2000, rng=0, backend="cupy",
                 method=method, options=options)
    assert isinstance(res.x, np.ndarray)
    assert res.log_z == pytest.approx(log_z, abs=0.05)


# ---- checkpoints -----------------------------------------------------------------------

def test_a_resumed_call_equals_the_uninterrupted_one(tmp_path):
    log_density, _ = _gaussian([0.0, 0.0], [1.0, 1.0])
    common = dict(x0=[0.0, 0.0], sigma=3.0, vectorized=True, n=200, rng=1)
    whole = sample(log_density, repeats=3, **common)
    path = tmp_path / "runs.npz"
    sample(log_density, repeats=2, checkpoint=path, **common)  # stopped after two runs
    resumed = sample(log_density, repeats=3, resume=path, checkpoint=path, **common)
    assert resumed.log_z == whole.log_z and resumed.nfev == whole.nfev
    np.testing.assert_array_equal(resumed.x, whole.x)
    np.testing.assert_array_equal(resumed.weights, whole.weights)
    again = sample(log_density, repeats=3, resume=path, **common)  # nothing left to run
    assert again.log_z == whole.log_z


class _Crash(Exception):
    pass


def _crashing(log_density, after):
    """``log_density`` that raises on its call number ``after`` (a machine going down)."""
    calls = [0]

    def wrapped(X):
        calls[0] += 1
        if calls[0] == after:
            raise _Crash
        return log_density(X)
    return wrapped


@pytest.mark.parametrize("method, options", [
    ("smc", {"moves": 3}),
    ("smc", {"moves": 3, "proposal": "random-walk"}),
    ("diffusion", {"kernel": "second", "steps": 12}),
])
def test_a_run_interrupted_mid_way_resumes_to_the_uninterrupted_result(tmp_path, method,
                                                                       options):
    mixture = GaussianMixture([[-1.5, 0.0], [1.5, 0.5]], 0.4, [0.3, 0.7])
    common = dict(x0=[0.0, 0.0], sigma=3.0, vectorized=True, n=120, rng=4, repeats=2,
                  method=method, options=options)
    whole = sample(mixture.log_density, **common)
    calls = [run.nfev // 120 for run in whole.details]  # population evaluations of each run
    path = tmp_path / "runs.npz"
    with pytest.raises(_Crash):  # down near the end of the second run
        sample(_crashing(mixture.log_density, calls[0] + calls[1] - 1),
               checkpoint=path, checkpoint_every=2, **common)
    made = []
    resumed = sample(lambda X: made.append(1) or mixture.log_density(X), resume=path,
                     checkpoint=path, **common)
    assert 0 < len(made) < calls[1]  # only the rest of the second run was computed
    assert resumed.log_z == whole.log_z and resumed.nfev == whole.nfev
    np.testing.assert_array_equal(resumed.x, whole.x)
    np.testing.assert_array_equal(resumed.weights, whole.weights)
    with np.load(path) as saved:  # the finished call leaves no run in progress behind
        assert not any(name.startswith("partial.") for name in saved.files)


@pytest.mark.parametrize("key, value, match", [
    ("partial.x", np.zeros((3, 2)), "run in progress of the wrong shape"),
    ("partial.generator", np.frombuffer(b"{not json", dtype=np.uint8), "malformed run"),
])
def test_a_damaged_run_in_progress_is_refused(tmp_path, key, value, match):
    log_density, _ = _gaussian([0.0, 0.0], [1.0, 1.0])
    common = dict(x0=[0.0, 0.0], sigma=3.0, vectorized=True, n=100, rng=4, repeats=1)
    path = tmp_path / "runs.npz"
    with pytest.raises(_Crash):
        sample(_crashing(log_density, 12), checkpoint=path, **common)
    with np.load(path) as saved:
        arrays = {name: saved[name] for name in saved.files}
    assert key in arrays
    arrays[key] = value
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match=match):
        sample(log_density, resume=path, **common)


def test_checkpoint_every_is_checked(tmp_path):
    log_density, _ = _gaussian([0.0], [1.0])
    with pytest.raises(ValueError, match="checkpoint_every"):
        sample(log_density, x0=[0.0], vectorized=True, checkpoint=tmp_path / "c.npz",
               checkpoint_every=0)


@pytest.mark.parametrize("change, match", [
    ({"rng": 2}, "another rng"),
    ({"sigma": 2.0}, r"other arguments \(reference\)"),
    ({"n": 100}, r"other arguments \(n\)"),
    ({"method": "diffusion"}, r"other arguments \(method\)"),
    ({"repeats": 1}, "more than repeats=1"),
])
def test_a_checkpoint_of_another_call_is_refused(tmp_path, change, match):
    log_density, _ = _gaussian([0.0], [1.0])
    common = dict(x0=[0.0], sigma=3.0, vectorized=True, n=200, rng=1, repeats=2)
    path = tmp_path / "runs.npz"
    sample(log_density, checkpoint=path, **common)
    with pytest.raises(ValueError, match=match):
        sample(log_density, resume=path, **{**common, **change})


def test_bad_checkpoint_files_are_refused(tmp_path):
    log_density, _ = _gaussian([0.0], [1.0])
    with pytest.raises(FileNotFoundError, match="no checkpoint"):
        sample(log_density, x0=[0.0], vectorized=True, resume=tmp_path / "none.npz")
    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="not a checkpoint of evodiff.sample"):
        sample(log_density, x0=[0.0], vectorized=True, resume=garbage)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        sample(log_density, x0=[0.0], vectorized=True, checkpoint=tmp_path / "no" / "c.npz")


@pytest.mark.parametrize("build, match", [
    (lambda: TwoModeMixture(0), "dim must be"),
    (lambda: TwoModeMixture(2, separation=0.0), "separation must be"),
    (lambda: ManyWell(0), "dim must be"),
])
def test_bad_targets_are_refused(build, match):
    with pytest.raises(ValueError, match=match):
        build()
