"""Annealed Monte Carlo along a diffusion schedule with the Diffusion Evolution denoiser.

In the reference's standard coordinates ``u`` (``x = m + s u``; a box gives
``m`` its centre and ``s`` a quarter of its widths), particles start from
``N(0, I)`` and are carried through the levels ``alpha`` of a denoising
schedule (``alpha`` near 0: noise, 1: data) to the target
``p_u(u) = p(m + s u) prod(s)``.  Each step from ``alpha`` to a cleaner
``alpha'``:

1. estimates, for every particle ``u``, the posterior mean ``x0_hat(u)`` of
   the clean point given the noisy one with Diffusion Evolution's kernel
   estimate over the population (Zhang et al., ICLR 2025): the other
   particles ``u_j`` are the candidates, weighed by ``p_u(u_j) N(u; sqrt(alpha) u_j,
   (1 - alpha) I)``; the second-order kernels estimate the weighted
   covariance ``Sigma_hat(u)`` of the candidates as well;
2. moves the particle with a denoising kernel: ``'first'`` the DDPM step
   ``N(c0 x0_hat + c1 u, sigma^2 I)``; ``'second'`` the same mean with the
   covariance ``sigma^2 I + c0^2 Sigma_hat`` (the uncertainty of the clean
   point carried into the step); ``'transport'`` the deterministic DDIM map
   ``u' = a x0_hat(u) + b u``, whose Jacobian ``b I + a sqrt(alpha) /
   (1 - alpha) Sigma_hat(u)`` is exact for the kernel estimate;
3. corrects by importance weights towards the intermediate target
   ``gamma_alpha(u) = N(u; 0, I)^(1 - alpha) p_u(u)^alpha``: the incremental
   weight is ``gamma_alpha'(u') L(u | u') / (gamma_alpha(u) M(u' | u))`` with
   the forward noising kernel ``L`` as the backward kernel (for the
   transport, ``gamma_alpha'(u') |det J| / gamma_alpha(u)``); with
   ``resample > 0`` it resamples when the ESS falls below that fraction of
   the particles (off by default, see the parameter).

Whatever the denoiser's errors, the weights make the pooled estimate of
``Z`` consistent: the denoiser decides how many particles carry weight, not
what the weights mean.  The first step reweights ``N(0, I)`` to
``gamma_alpha`` of the noisiest level and the last from the cleanest level to
``alpha = 1``.
"""

from __future__ import annotations

import math

import numpy as np

from ..backend import Backend, to_numpy
from ..randomness import make_sampler, restore_generator
from ..schedules import make_schedule
from ..validation import check_choice, check_int, check_real
from .reference import GaussianReference
from .smc import SMCRun
from .weights import (
    effective_sample_size,
    geometric_log_density,
    log_mean_exp,
    normalised,
    systematic_resample,
)

__all__ = ["DiffusionSMC", "KERNELS"]

#: Denoising kernels of :class:`DiffusionSMC`.
KERNELS = ("first", "second", "transport")

_LOG_2PI = math.log(2 * math.pi)


def _coordinates(reference):
    """``(m, s)`` of the standard coordinates of a reference."""
    if isinstance(reference, GaussianReference):
        return reference.mean, reference.sigma
    return 0.5 * (reference.low + reference.high), 0.25 * (reference.high - reference.low)


class DiffusionSMC:
    """Annealed SMC along a denoising schedule with Diffusion Evolution's denoiser.

    Parameters
    ----------
    target : LogTarget
    reference : BoxReference or GaussianReference
        Fixes the coordinates (and, for a box, the support).
    n : int
        Particles, >= 2.
    generator : numpy.random.Generator
    kernel : {'first', 'second', 'transport'}, default 'second'
    steps : int, default 50
        Denoising steps (``steps + 1`` levels of a cosine schedule).
    resample : float, default 0.0
        Resample when the ESS falls below this fraction of the particles.
        Off by default: the geometric intermediate targets are not the
        diffusion's marginals, and resampling towards them discards the
        particles the denoiser carries towards the target (with the exact
        posterior of a Gaussian, resampling at 0.5 took log Z 1.1 off where
        none gave it within 1e-3); without it the weights are those of whole
        trajectories, which the intermediate targets do not change.
    candidates : {'weighted', 'paper'}, default 'weighted'
        How the denoiser weighs a candidate ``u_j``: ``'paper'`` by
        ``p_u(u_j)`` as Diffusion Evolution does (right when the candidates
        are spread evenly), ``'weighted'`` by ``w_j p_u(u_j) / gamma_alpha(u_j)``,
        the importance weight of a candidate drawn from the current level
        (the posterior mean is then a consistent estimate).
    backend : Backend, optional
        The array backend of the particles (NumPy by default): the kernel
        estimate, its covariances and the moves are computed there; the
        per-particle weights are small host arrays.
    """

    def __init__(self, target, reference, n, generator, *, kernel="second", steps=50,
                 resample=0.0, candidates="weighted", backend=None):
        self.target, self.reference, self.generator = target, reference, generator
        self.n = check_int("n", n, minimum=2)
        self.kernel = check_choice("kernel", kernel, KERNELS)
        self.candidates = check_choice("candidates", candidates, ("weighted", "paper"))

        self.steps = check_int("steps", steps, minimum=1)
        self.resample = check_real("resample", resample, minimum=0.0, maximum=1.0)
        self.backend = backend or Backend()
        self.draws = make_sampler(generator, self.backend)
        self.offset, self.scale = _coordinates(reference)
        self._offset, self._scale = (self.backend.asarray(self.offset),
                                     self.backend.asarray(self.scale))
        # each particle's pair with itself, left out of its candidates (built once: n x n)
        self._self_pairs = self.backend.asarray(np.eye(self.n, dtype=bool),
                                                dtype=self.backend.xp.bool)
        self.log_jacobian = float(np.sum(np.log(self.scale)))
        # levels from the noisiest to the cleanest
        self.alphas = np.asarray(make_schedule("cosine", steps + 1).alphas)[::-1].copy()

    # -- densities -------------------------------------------------------------------------

    def _log_p(self, U):
        """``log p_u`` at the particles (host; points outside a box are not evaluated)."""
        xp = self.backend.xp
        X = self._offset + self._scale * U
        inside = self.reference.contains(to_numpy(X))
        values = np.full(inside.shape[0], -math.inf)
        if inside.any():
            chosen = np.flatnonzero(inside)
            subset = X if inside.all() else xp.take(X, self.backend.asarray(chosen,
                                                                             dtype=xp.int64),
                                                     axis=0)
            values[chosen] = self.target(subset)
        return values + self.log_jacobian

    def _log_normal(self, U):
        """``log N(u; 0, I)`` of the particles (host)."""
        square = to_numpy(self.backend.xp.sum(U * U, axis=1)).astype(np.float64)
        return -0.5 * square - 0.5 * U.shape[1] * _LOG_2PI

    def _log_gamma(self, alpha, U, log_p):
        return geometric_log_density(alpha, self._log_normal(U), log_p)

    # -- the denoiser ----------------------------------------------------------------------

    def _posterior(self, U, log_p, alpha, log_w):
        """Diffusion Evolution's estimates ``x0_hat`` ``(N, D)`` and, if needed, ``Sigma_hat``."""
        xp = self.backend.xp
        n, dim = U.shape
        sq = xp.sum(U * U, axis=1)
        # |u_i - sqrt(a) u_j|^2 = |u_i|^2 - 2 sqrt(a) u_i.u_j + a |u_j|^2
        distance = (sq[:, None] - 2.0 * math.sqrt(alpha) * (U @ xp.permute_dims(U, (1, 0)))
                    + alpha * sq[None, :])
        candidate = log_p
        if self.candidates == "weighted":  # the candidates are draws of gamma_alpha, not uniform
            with np.errstate(invalid="ignore"):
                candidate = np.where(np.isneginf(log_p), -math.inf,
                                     log_w + log_p - self._log_gamma(alpha, U, log_p))
        logits = self.backend.asarray(candidate)[None, :] - distance / (2.0 * (1.0 - alpha))
        # leave each particle out of its own candidates: the estimate is then a smooth function
        # of the particle given the others (the transport's Jacobian is exact)
        logits = xp.where(self._self_pairs, -math.inf, logits)
        W = xp.exp(logits - xp.max(logits, axis=1, keepdims=True))
        W = W / xp.sum(W, axis=1, keepdims=True)
        mean = W @ U
        if self.kernel == "first":
            return mean, None
        outer = xp.reshape(U[:, :, None] * U[:, None, :], (n, dim * dim))
        second = xp.reshape(W @ outer, (n, dim, dim))
        cov = second - mean[:, :, None] * mean[:, None, :]
        cov = 0.5 * (cov + xp.permute_dims(cov, (0, 2, 1)))
        return mean, cov

    def _step(self, U, log_p, alpha, alpha_next, log_w):
        """One denoising move; returns ``(U', log M(U' | U))`` (transport: ``-log|det J|``)."""
        xp = self.backend.xp
        mean, cov = self._posterior(U, log_p, alpha, log_w)
        dim = U.shape[1]
        identity = self.backend.asarray(np.eye(dim))[None, ...]
        if self.kernel == "transport":
            b = math.sqrt((1.0 - alpha_next) / (1.0 - alpha))
            a = math.sqrt(alpha_next) - b * math.sqrt(alpha)
            moved = a * mean + b * U
            jacobian = b * identity + (a * math.sqrt(alpha) / (1.0 - alpha)) * cov
            sign, log_det = xp.linalg.slogdet(jacobian)
            sign, log_det = to_numpy(sign), to_numpy(log_det).astype(np.float64)
            log_det = np.where(sign > 0, log_det, -math.inf)
            return moved, -log_det
        ratio = alpha / alpha_next
        c0 = math.sqrt(alpha_next) * (1.0 - ratio) / (1.0 - alpha)
        c1 = math.sqrt(ratio) * (1.0 - alpha_next) / (1.0 - alpha)
        var = (1.0 - alpha_next) * (1.0 - ratio) / (1.0 - alpha)
        centre = c0 * mean + c1 * U
        noise = self.draws.normal(U.shape)
        square = to_numpy(xp.sum(noise * noise, axis=1)).astype(np.float64)
        if self.kernel == "first":
            moved = centre + math.sqrt(var) * noise
            log_m = -0.5 * square - 0.5 * dim * (_LOG_2PI + math.log(var))
            return moved, log_m
        C = var * identity + (c0 * c0) * cov
        L = xp.linalg.cholesky(C + 1e-12 * identity)
        moved = centre + (L @ noise[:, :, None])[:, :, 0]
        diagonal = xp.sum(L * identity, axis=2)
        log_det = 2.0 * to_numpy(xp.sum(xp.log(diagonal), axis=1)).astype(np.float64)
        log_m = -0.5 * square - 0.5 * dim * _LOG_2PI - 0.5 * log_det
        return moved, log_m

    def _log_backward(self, U, moved, alpha, alpha_next):
        """``log L(U | moved)``: the forward noising kernel from ``alpha_next`` back to ``alpha``."""
        ratio = alpha / alpha_next
        var = 1.0 - ratio
        diff = U - math.sqrt(ratio) * moved
        square = to_numpy(self.backend.xp.sum(diff * diff, axis=1)).astype(np.float64)
        return -0.5 * square / var - 0.5 * U.shape[1] * (_LOG_2PI + math.log(var))

    # -- the run ---------------------------------------------------------------------------

    def run(self, bar=None, *, state=None, on_step=None):
        """Carry ``N(0, I)`` to the target; see the module's docstring.

        Parameters
        ----------
        bar : tqdm, optional
            Advanced to the current level (total 1).
        state : dict, optional
            A snapshot given to ``on_step`` by an earlier, interrupted run:
            the run goes on from there, exactly as it would have.
        on_step : callable, optional
            Called with a snapshot (a dict of host arrays, numbers and the
            generator's state) after every denoising step.

        Returns
        -------
        SMCRun
            ``betas`` holds the levels ``alpha`` visited, ``acceptance`` the ESS
            fraction after each step.
        """
        start = self.target.nfev
        dim = self.offset.shape[0]
        if state is None:
            U = self.draws.normal((self.n, dim))
            log_p = self._log_p(U)
            log_w = np.full(self.n, -math.log(self.n))
            alpha = float(self.alphas[0])
            increment = self._log_gamma(alpha, U, log_p) - self._log_normal(U)
            log_z = log_mean_exp(increment, log_w)
            log_w = np.log(normalised(log_w + increment))
            levels, ess_history, done = [alpha], [], 0
        else:
            U = self.backend.asarray(state["x"])
            log_p, log_w, log_z = state["log_p"], state["log_w"], state["log_z"]
            levels, ess_history = list(state["betas"]), list(state["acceptance"])
            alpha, done = levels[-1], state["nfev"]
            restore_generator(self.generator, self.draws, state["generator"])
        for alpha_next in [float(a) for a in self.alphas[len(levels):]]:
            weights = np.exp(log_w)
            if effective_sample_size(weights) < self.resample * self.n:
                index = systematic_resample(weights, self.generator)
                U = self.backend.xp.take(U, self.backend.asarray(
                    index, dtype=self.backend.xp.int64), axis=0)
                log_p = log_p[index]
                log_w = np.full(self.n, -math.log(self.n))
            moved, log_kernel = self._step(U, log_p, alpha, alpha_next, log_w)
            log_p_moved = self._log_p(moved)
            if self.kernel == "transport":
                increment = (self._log_gamma(alpha_next, moved, log_p_moved) - log_kernel
                             - self._log_gamma(alpha, U, log_p))
            else:
                increment = (self._log_gamma(alpha_next, moved, log_p_moved)
                             + self._log_backward(U, moved, alpha, alpha_next)
                             - self._log_gamma(alpha, U, log_p) - log_kernel)
            increment = np.where(np.isnan(increment), -math.inf, increment)
            log_z += log_mean_exp(increment, log_w)
            if log_z == -math.inf:
                raise ValueError("every particle reached zero weight; give a reference that "
                                 "covers the target's mass")
            log_w = np.log(normalised(log_w + increment))
            U, log_p, alpha = moved, log_p_moved, alpha_next
            levels.append(alpha)
            ess_history.append(effective_sample_size(np.exp(log_w)) / self.n)
            if bar is not None:
                bar.update(alpha - bar.n)
            if on_step is not None:
                on_step({"x": np.asarray(to_numpy(U), dtype=np.float64), "log_p": log_p,
                         "log_w": log_w, "betas": np.array(levels),
                         "acceptance": np.array(ess_history), "log_z": log_z,
                         "nfev": done + self.target.nfev - start,
                         "generator": self.generator.bit_generator.state})
        # the cleanest level is not quite 1: reweight to the target itself
        increment = (1.0 - alpha) * (log_p - self._log_normal(U))
        increment = np.where(np.isnan(increment), -math.inf, increment)
        log_z += log_mean_exp(increment, log_w)
        with np.errstate(divide="ignore"):
            log_w = np.log(normalised(log_w + increment))
        levels.append(1.0)
        if bar is not None:
            bar.update(1.0 - bar.n)
        X = np.asarray(to_numpy(self._offset + self._scale * U), dtype=np.float64)
        return SMCRun(X, log_w, log_z, np.array(levels), np.array(ess_history),
                      done + self.target.nfev - start)
