"""Alpha schedules of the denoising process.

A schedule holds ``alpha[t]`` for ``t = 0 .. n-1``: ``alpha[0]`` is close to 1
(clean samples) and ``alpha[n-1]`` close to 0 (pure noise).  Diffusion
Evolution starts at ``t = n-1`` and walks down to ``t = 0``, so ``n`` schedule
points give ``n - 1`` denoising steps and ``n`` population evaluations.

Iterating over a schedule yields the pairs ``(alpha_t, alpha_prev)`` in the
order they are used, from the noisiest step to the cleanest.
"""

from __future__ import annotations

import math

import numpy as np

from .validation import check_int, refuse_footprint

__all__ = [
    "Schedule",
    "cosine_schedule",
    "linear_schedule",
    "ddpm_schedule",
    "make_schedule",
    "SCHEDULES",
    "beta_schedule",
    "BETA_SCHEDULES",
]

_EPS = 1e-3
_LINEAR_CLEAN = 1.0 - 1e-4
_LINEAR_NOISE = 1e-8


class Schedule:
    """A validated alpha schedule.

    Parameters
    ----------
    alphas : array_like of float, shape (n,)
        ``alphas[t]`` for ``t = 0 .. n-1``; must lie strictly inside (0, 1) and
        strictly decrease with ``t`` (strictly increase toward 1 as denoising
        proceeds), with ``n >= 2``.
    name : str, optional
        Label used in ``repr`` and results.

    Examples
    --------
    >>> s = cosine_schedule(5)
    >>> len(s), s.num_steps
    (5, 4)
    >>> [round(a, 3) for a, _ in s][0]
    0.001
    """

    def __init__(self, alphas, name="custom"):
        values = np.array(alphas, dtype=np.float64, copy=True)
        if values.ndim != 1 or values.size < 2:
            raise ValueError(
                f"alphas must be a 1-D sequence of at least 2 values; got shape {values.shape}"
            )
        if not np.all(np.isfinite(values)) or np.any(values <= 0) or np.any(values >= 1):
            raise ValueError(
                "alphas must lie strictly inside (0, 1); got values from "
                f"{np.nanmin(values)!r} to {np.nanmax(values)!r}"
            )
        if np.any(np.diff(values) >= 0):
            raise ValueError(
                "alphas must strictly decrease from alphas[0] (clean, near 1) to "
                "alphas[-1] (noise, near 0)"
            )
        values.setflags(write=False)
        self.alphas = values
        self.name = name

    def __len__(self):
        return self.alphas.size

    @property
    def num_steps(self):
        """int : number of denoising steps, ``len(self) - 1``."""
        return self.alphas.size - 1

    def __iter__(self):
        for t in range(self.alphas.size - 1, 0, -1):
            yield float(self.alphas[t]), float(self.alphas[t - 1])

    def pair(self, step):
        """Return ``(alpha_t, alpha_prev)`` of denoising step ``step`` (0-based).

        Step 0 is the noisiest (``t = n-1``), step ``num_steps - 1`` the cleanest.
        """
        if not 0 <= step < self.num_steps:
            raise IndexError(f"step must be in [0, {self.num_steps}); got {step}")
        t = self.alphas.size - 1 - step
        return float(self.alphas[t]), float(self.alphas[t - 1])

    def __repr__(self):
        return f"Schedule({self.name!r}, n={len(self)})"


#: Arrays of the schedule's length alive while a named schedule is computed.
_SCHEDULE_COPIES = 4


def _check_points(n):
    n = check_int("steps", n, minimum=2)
    refuse_footprint(_SCHEDULE_COPIES * 8 * n, f"a schedule of {n} points",
                     "steps (maxiter of minimize)")
    return n


def cosine_schedule(n):
    """Cosine schedule, the default of Diffusion Evolution.

    ``a_k = ((cos(pi k / (n-1)) + 1) / 2 + 1e-3) (1 - 1e-3) / (1 + 1e-3)``,
    ``k = 0 .. n-1``: from about 0.999 down to about 1e-3.

    Parameters
    ----------
    n : int
        Number of schedule points (>= 2).

    Returns
    -------
    Schedule
    """
    n = _check_points(n)
    k = np.arange(n, dtype=np.float64)
    alphas = ((np.cos(np.pi * k / (n - 1)) + 1.0) / 2.0 + _EPS) * (1.0 - _EPS) / (1.0 + _EPS)
    return Schedule(alphas, name="cosine")


def linear_schedule(n):
    """Linear (DDIM) schedule: ``linspace(1 - 1e-4, 1e-8, n)``.

    Parameters
    ----------
    n : int
        Number of schedule points (>= 2).

    Returns
    -------
    Schedule
    """
    n = _check_points(n)
    return Schedule(np.linspace(_LINEAR_CLEAN, _LINEAR_NOISE, n), name="linear")


def ddpm_schedule(n):
    """DDPM schedule ``alpha(tau) = exp(-b tau - c tau^2)``.

    This is the continuous form of DDPM's linearly increasing betas (the
    cumulative product of ``1 - beta`` with beta linear in time).  The points
    are ``tau_k = (k + 1) / n``, ``k = 0 .. n-1`` (step 1 is the first noisy
    step, as in DDPM), and ``b, c`` are fitted so the end points equal those of
    :func:`linear_schedule`: ``alpha(1/n) = 1 - 1e-4`` and ``alpha(1) = 1e-8``.

    Parameters
    ----------
    n : int
        Number of schedule points (>= 2).

    Returns
    -------
    Schedule
    """
    n = _check_points(n)
    tau = (np.arange(n, dtype=np.float64) + 1.0) / n
    # Two linear equations in (b, c): b tau0 + c tau0^2 = -log(clean), b + c = -log(noise).
    t0 = tau[0]
    lhs = np.array([[t0, t0 * t0], [1.0, 1.0]])
    rhs = -np.log([_LINEAR_CLEAN, _LINEAR_NOISE])
    b, c = np.linalg.solve(lhs, rhs)
    return Schedule(np.exp(-b * tau - c * tau * tau), name="ddpm")


SCHEDULES = {
    "cosine": cosine_schedule,
    "linear": linear_schedule,
    "ddim": linear_schedule,
    "ddpm": ddpm_schedule,
}


def make_schedule(schedule="cosine", steps=50):
    """Build a schedule from a name, an existing schedule or explicit alphas.

    Parameters
    ----------
    schedule : {'cosine', 'linear', 'ddim', 'ddpm'}, Schedule or array_like
        A name (then ``steps`` points are made), a :class:`Schedule`, or the
        alphas themselves (``alphas[0]`` clean, ``alphas[-1]`` noisy).
    steps : int
        Number of schedule points when ``schedule`` is a name.

    Returns
    -------
    Schedule
    """
    if isinstance(schedule, Schedule):
        return schedule
    if isinstance(schedule, str):
        key = schedule.lower()
        if key not in SCHEDULES:
            raise ValueError(
                f"schedule must be one of {sorted(SCHEDULES)} or an array of alphas; "
                f"got {schedule!r}"
            )
        return SCHEDULES[key](steps)
    if schedule is None:
        raise TypeError("schedule must be a name, a Schedule or an array of alphas; got None")
    return Schedule(schedule)


def ddim_coefficients(alpha_t, alpha_prev, noise):
    """Coefficients of one DDIM step ``x_prev = c_x0 x0 + c_eps eps + s w``.

    Parameters
    ----------
    alpha_t, alpha_prev : float
        Schedule values at the current and the next (cleaner) time.
    noise : float
        Scale of the DDPM sigma (0 gives deterministic DDIM, 1 gives DDPM).

    Returns
    -------
    tuple of float
        ``(sqrt(alpha_prev), sqrt(1 - alpha_prev - s^2), s)``.
    """
    sigma = noise * math.sqrt((1.0 - alpha_prev) / (1.0 - alpha_t) * (1.0 - alpha_t / alpha_prev))
    # Guard the square root against noise > 1 pushing s^2 above 1 - alpha_prev.
    direction = math.sqrt(max(1.0 - alpha_prev - sigma * sigma, 0.0))
    return math.sqrt(alpha_prev), direction, sigma


#: Inverse-temperature schedules of simulated annealing, by name.
BETA_SCHEDULES = ("geometric", "linear")


def beta_schedule(kind, beta_min, beta_max, sweeps):
    """Inverse temperatures of an annealing run, one per sweep, from hot to cold.

    Parameters
    ----------
    kind : {'geometric', 'linear'}
        ``'geometric'``: ``beta`` grows by a constant factor each sweep (the
        common choice, also dwave-samplers' default); ``'linear'``: by a
        constant step.
    beta_min, beta_max : float
        First and last inverse temperature, ``0 < beta_min <= beta_max``.
    sweeps : int
        Number of sweeps, >= 1 (one sweep runs at ``beta_max``).

    Returns
    -------
    numpy.ndarray, shape (sweeps,)

    Examples
    --------
    >>> beta_schedule("geometric", 0.1, 10.0, 3).tolist()
    [0.1, 1.0, 10.0]
    """
    if kind not in BETA_SCHEDULES:
        raise ValueError(f"schedule must be one of {', '.join(BETA_SCHEDULES)}; got {kind!r}")
    sweeps = check_int("sweeps", sweeps, minimum=1)
    for name, value in (("beta_min", beta_min), ("beta_max", beta_max)):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
                or not math.isfinite(value) or value <= 0:
            raise ValueError(f"{name} must be a finite number > 0; got {value!r}")
    if beta_min > beta_max:
        raise ValueError(f"beta_min must be <= beta_max; got {beta_min!r} > {beta_max!r}")
    if sweeps == 1:
        return np.array([float(beta_max)])
    if kind == "geometric":
        return np.geomspace(float(beta_min), float(beta_max), sweeps)
    return np.linspace(float(beta_min), float(beta_max), sweeps)
