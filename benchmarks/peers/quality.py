"""The quality runs' setting and the diagnostics recorded along each run.

Every Diffusion Evolution minimises shifted Rastrigin in 256 dimensions with
population 512 in float32, in the same search region: the objective sees
``SCALING * x`` with ``x`` starting from N(0, I) (the authors' ``scaling=4``).
Each adapter's ``quality`` function fills one :class:`QualityRecord`.
"""

from __future__ import annotations

import math

import numpy as np

DIM = 256
POPSIZE = 512
STEPS = 50  # schedule points of a full run (so 50 evaluated populations); 25 in a quick run
SCALING = 4.0  # the authors' benchmark scaling: the objective sees 4 x
SPREAD_COLLAPSED = 1e-3  # relative x0 spread below which the estimates have collapsed
FLOAT32_TINY_LOG10 = math.log10(float(np.finfo(np.float32).tiny))
# Below this the peers' estimators degenerate: diffevo adds 1e-9 to every kernel weight and
# evosax divides by max(sum of weights, 1e-8).
WEIGHT_FLOOR = 1e-8


def kernel_log10_max(z, alpha):
    """Median over the rows of log10 of the largest raw-exp neighbourhood weight.

    The kernel is ``exp(-|z_i - sqrt(a) z_j|^2 / (2 (1 - a)))``.  Its
    exponent is computed in float64 and never exponentiated, so the result
    shows how far below float32's smallest normal number (1.2e-38) the
    weights of a raw-exp implementation fall.

    Parameters
    ----------
    z : numpy.ndarray, shape (N, d)
        The points (or latent codes) that the kernel compares.
    alpha : float
        The schedule's ``alpha_t`` of the step.

    Returns
    -------
    float
        Median over i of ``max_j log10 k_ij``.
    """
    z = np.asarray(z, dtype=np.float64)
    squares = np.sum(z * z, axis=1)
    distances = squares[:, None] + alpha * squares[None, :] - 2.0 * math.sqrt(alpha) * (z @ z.T)
    exponent = -np.maximum(distances, 0.0) / (2.0 * (1.0 - alpha))
    return float(np.median(exponent.max(axis=1)) / math.log(10.0))


class QualityRecord:
    """Best value and x0 diagnostics collected along one quality run.

    Parameters
    ----------
    label : str
        Name of the run in the table.
    """

    #: Column titles of :meth:`row`.
    HEADER = ("run", "best value", "largest kernel weight, step 1", "steps with it < 1e-8",
              "steps with it < 1.2e-38", "x0 spread, step 1",
              "steps in which all x0 estimates are one point")

    def __init__(self, label):
        self.label = label
        self.best = math.inf
        self.steps = 0
        self.nans = 0
        self.first_spread = None
        self.first_kernel = None
        self.swamped_steps = 0  # kernel max below WEIGHT_FLOOR
        self.underflow_steps = 0  # kernel max below float32's smallest normal number
        self.origin_max = 0.0  # largest |x0| coordinate over the steps at the origin
        self.collapsed = 0  # every estimate (nearly) the same point
        self.at_origin = 0  # ... and that point is the origin
        self.at_mean = 0  # ... and that point is the fitness-weighted population mean

    def evaluated(self, values):
        """Record the objective values of one evaluated population.

        Parameters
        ----------
        values : numpy.ndarray, shape (N,)
        """
        values = np.asarray(values)
        finite = values[np.isfinite(values)]
        if finite.size:
            self.best = min(self.best, float(finite.min()))

    def step(self, x, x0, codes, alpha, weights=None):
        """Record one denoising step.

        Parameters
        ----------
        x : numpy.ndarray, shape (N, D)
            The population in the implementation's normalised space.
        x0 : numpy.ndarray, shape (N, D)
            Its x0 estimates in the same space.
        codes : numpy.ndarray, shape (N, d)
            What the neighbourhood kernel compares (``x`` itself, or latent codes).
        alpha : float
            ``alpha_t`` of the step.
        weights : numpy.ndarray, shape (N,), optional
            The fitness the implementation weights with (a peer's mapped
            fitness), to recognise estimates that all equal the
            fitness-weighted population mean.
        """
        x = np.asarray(x, dtype=np.float64)
        x0 = np.asarray(x0, dtype=np.float64)
        self.steps += 1
        kernel = kernel_log10_max(codes, alpha)
        if self.first_kernel is None:
            self.first_kernel = kernel
        if kernel < math.log10(WEIGHT_FLOOR):
            self.swamped_steps += 1
        if kernel < FLOAT32_TINY_LOG10:
            self.underflow_steps += 1
        bad = ~np.all(np.isfinite(x0), axis=1)
        self.nans += int(np.sum(bad))
        good = x0[~bad]
        if good.shape[0] < 2:
            return
        scale = float(np.median(np.std(x, axis=0)))
        spread = float(np.median(np.std(good, axis=0))) / scale
        if self.first_spread is None:
            self.first_spread = spread
        if spread >= SPREAD_COLLAPSED:
            return
        self.collapsed += 1
        centre = np.mean(good, axis=0)
        if np.sqrt(np.mean(centre**2)) < SPREAD_COLLAPSED * scale:
            self.at_origin += 1
            self.origin_max = max(self.origin_max, float(np.max(np.abs(good))))
        elif weights is not None:
            w = np.asarray(weights, dtype=np.float64)
            if np.sum(w) > 0:
                mean = w @ x / np.sum(w)
                if np.sqrt(np.mean((centre - mean) ** 2)) < SPREAD_COLLAPSED * scale:
                    self.at_mean += 1

    def collapse(self):
        """What the x0 estimates did: in how many steps they were all one point, and which.

        Returns
        -------
        str
        """
        parts = []
        if self.nans:
            parts.append(f"{self.nans} NaN rows")
        if self.at_origin:
            parts.append(f"{self.at_origin}: the origin (|x0| <= {self.origin_max:.2g})")
        if self.at_mean:
            parts.append(f"{self.at_mean}: the fitness-weighted mean")
        other = self.collapsed - self.at_origin - self.at_mean
        if other:
            parts.append(f"{other}: another point")
        return "; ".join(parts) if parts else "none"

    def row(self, best_format=".1f"):
        """The table row (:attr:`HEADER`): label, best value, diagnostics, :meth:`collapse`.

        Parameters
        ----------
        best_format : str, default '.1f'
            Format of the best value.

        Returns
        -------
        tuple of str
        """
        if self.first_kernel is None:
            first_kernel = "-"
        else:
            exponent = round(self.first_kernel)
            first_kernel = "1" if exponent == 0 else f"1e{exponent}"
        first_spread = "-" if self.first_spread is None else f"{self.first_spread:.2g}"
        return (self.label, format(self.best, best_format), first_kernel,
                f"{self.swamped_steps} / {self.steps}", f"{self.underflow_steps} / {self.steps}",
                first_spread, self.collapse())
