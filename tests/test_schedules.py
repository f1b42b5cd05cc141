import math

import numpy as np
import pytest

from evodiff.schedules import (
    Schedule,
    cosine_schedule,
    ddim_coefficients,
    ddpm_schedule,
    linear_schedule,
    make_schedule,
)


def test_cosine_matches_the_formula():
    n = 25
    s = cosine_schedule(n)
    for k in range(n):
        expected = ((math.cos(math.pi * k / (n - 1)) + 1) / 2 + 1e-3) * (1 - 1e-3) / (1 + 1e-3)
        assert s.alphas[k] == pytest.approx(expected, rel=1e-14)
    assert s.alphas[0] == pytest.approx(1 - 1e-3)
    assert s.alphas[-1] == pytest.approx(1e-3 * (1 - 1e-3) / (1 + 1e-3))


def test_linear_end_points():
    s = linear_schedule(10)
    assert s.alphas[0] == 1 - 1e-4
    assert s.alphas[-1] == 1e-8
    np.testing.assert_allclose(np.diff(s.alphas), (1e-8 - (1 - 1e-4)) / 9)


def test_ddpm_has_the_linear_end_points_and_the_exp_quadratic_shape():
    for n in (2, 10, 100):
        s = ddpm_schedule(n)
        assert s.alphas[0] == pytest.approx(1 - 1e-4, rel=1e-12)
        assert s.alphas[-1] == pytest.approx(1e-8, rel=1e-9)
    # log alpha is a quadratic in tau without constant term: fit it back.
    s = ddpm_schedule(30)
    tau = (np.arange(30) + 1) / 30
    coeffs = np.linalg.lstsq(np.stack([tau, tau**2], axis=1), -np.log(s.alphas), rcond=None)[0]
    np.testing.assert_allclose(np.exp(-coeffs[0] * tau - coeffs[1] * tau**2), s.alphas, rtol=1e-10)


@pytest.mark.parametrize("factory", [cosine_schedule, linear_schedule, ddpm_schedule])
@pytest.mark.parametrize("n", [2, 3, 25, 1000])
def test_monotone_inside_unit_interval_and_step_count(factory, n):
    s = factory(n)
    assert len(s) == n and s.num_steps == n - 1
    assert np.all((s.alphas > 0) & (s.alphas < 1))
    assert np.all(np.diff(s.alphas) < 0)
    pairs = list(s)
    assert len(pairs) == n - 1
    # Denoising goes from the noisiest point toward 1, each pair (alpha_t, alpha_prev) increasing.
    assert pairs[0] == (s.alphas[-1], s.alphas[-2])
    assert pairs[-1] == (s.alphas[1], s.alphas[0])
    assert all(a < b for a, b in pairs)
    assert s.pair(0) == pairs[0] and s.pair(n - 2) == pairs[-1]


def test_make_schedule_accepts_names_schedules_and_arrays():
    assert make_schedule("cosine", 5).name == "cosine"
    assert make_schedule("DDIM", 5).name == "linear"
    custom = make_schedule([0.9, 0.5, 0.1])
    assert custom.num_steps == 2
    s = cosine_schedule(4)
    assert make_schedule(s) is s


def test_alphas_are_copied_and_read_only():
    values = np.array([0.9, 0.5, 0.1])
    s = Schedule(values)
    values[0] = 0.2
    assert s.alphas[0] == 0.9
    with pytest.raises(ValueError):
        s.alphas[0] = 0.3


@pytest.mark.parametrize("alphas, match", [
    ([0.5], "at least 2"),
    ([[0.9, 0.1]], "1-D"),
    ([0.1, 0.5, 0.9], "decrease"),
    ([0.9, 0.9, 0.1], "decrease"),
    ([1.0, 0.5], r"inside \(0, 1\)"),
    ([0.5, 0.0], r"inside \(0, 1\)"),
    ([0.5, float("nan")], r"inside \(0, 1\)"),
])
def test_bad_alphas(alphas, match):
    with pytest.raises(ValueError, match=match):
        Schedule(alphas)


@pytest.mark.parametrize("steps, error", [
    (1, ValueError), (0, ValueError), (2.5, TypeError), (True, TypeError)])
def test_bad_number_of_points(steps, error):
    with pytest.raises(error, match="steps"):
        cosine_schedule(steps)


def test_unknown_schedule_name():
    with pytest.raises(ValueError, match="schedule must be one of"):
        make_schedule("sigmoid", 10)
    with pytest.raises(TypeError, match="schedule"):
        make_schedule(None, 10)


def test_ddim_coefficients():
    a, a_prev = 0.3, 0.6
    keep_x0, keep_eps, sigma = ddim_coefficients(a, a_prev, 0.0)
    assert sigma == 0 and keep_x0 == pytest.approx(math.sqrt(0.6))
    assert keep_eps == pytest.approx(math.sqrt(0.4))
    keep_x0, keep_eps, sigma = ddim_coefficients(a, a_prev, 1.0)
    expected = math.sqrt((1 - a_prev) / (1 - a) * (1 - a / a_prev))
    assert sigma == pytest.approx(expected)
    assert keep_eps**2 + sigma**2 == pytest.approx(1 - a_prev)
