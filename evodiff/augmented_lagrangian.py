"""An augmented-Lagrangian fitness with adaptive coefficients, for constraints ``g(x) <= 0``.

After Atamna, Auger and Hansen ("Augmented Lagrangian constraint handling
for CMA-ES", GECCO 2016; "Linearly convergent evolution strategies via
augmented Lagrangian constraint handling", FOGA 2017) and the adaptation of
the penalty factors in pycma's ``ConstrainedFitnessAL``.  A generation is
ranked by::

    h(x) = f(x) + sum_i p_i(g_i(x)),
    p_i(g) = lam_i g + mu_i g^2 / 2     if lam_i + mu_i g >= 0,
             -lam_i^2 / (2 mu_i)        otherwise,

with Lagrange multipliers ``lam_i >= 0`` and penalty factors ``mu_i > 0``
adapted after every generation from a reference point, the generation's best
by ``h`` (no evaluation is spent on the mean):

* ``lam_i += mu_i g_i / d`` when some point of the generation lies where
  ``p_i`` is quadratic (clamped at 0: on the feasible side it would drift to
  minus infinity);
* ``mu_i`` grows by ``chi^(e/4)`` when the reference violates constraint
  ``i``, or lies where it is penalised although more than 95 % of the last
  ``5 + D`` references satisfied it; it shrinks by the same factor when the
  reference satisfies it and fewer than 90 % of the last references did.
  The reference thus approaches the boundary from the feasible side, which
  is where a target must be hit.  ``e`` is 1, and grows linearly up to 5
  after ``2 + D`` changes of one direction in a row (a fast ramp when the
  scale of ``mu`` is far off).

A constraint enters the fitness once at least ``share`` of a generation
violates it: its coefficients start from the spreads of the generation,
``lam_i = IQR(f) / (D IQR(g_i))`` and ``mu_i = 0.4 lam_i`` (scales that make
the penalty comparable to the objective's differences).  Unlike Deb's rules
(:func:`evodiff.constraints.feasibility_first`) the fitness is smooth across
the boundary, so CMA-ES keeps learning its step size and covariance at an
active constraint; it needs ``f`` at every point.

Examples
--------
>>> import numpy as np
>>> from evodiff.augmented_lagrangian import AugmentedLagrangian
>>> al = AugmentedLagrangian(dim=2)
>>> F = np.array([0.0, 1.0, 2.0, 3.0]); G = np.array([[-1.0], [0.5], [1.0], [-0.5]])
>>> bool(np.all(al.fitness(F, G) >= F))  # coefficients set from this generation
True
>>> al.update(F, G)
"""

from __future__ import annotations

import math

import numpy as np

from .validation import check_int, check_real

__all__ = ["AugmentedLagrangian"]


def _iqr(values):
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return 0.0
    low, high = np.percentile(finite, [25.0, 75.0])
    return float(high - low)


class AugmentedLagrangian:
    """Adaptive augmented-Lagrangian fitness of generations (minimisation).

    Parameters
    ----------
    dim : int
        Dimension of the search space (scales the default ``chi``, the
        horizon and the first coefficients).
    damping : float, default 5
        ``d`` of the ``lam`` rule.
    chi : float, optional
        Factor of the ``mu`` rule, > 1; default ``2 ** (1 / (5 D))``.
    share : float, default 0.1
        Share of a generation that must violate a constraint before it enters.

    Attributes
    ----------
    lam, mu : numpy.ndarray or None
        The coefficients (``None`` before the first generation; ``mu == 0``
        for a constraint not yet entered).
    """

    def __init__(self, dim, *, damping=5.0, chi=None, share=0.1):
        self.dim = check_int("dim", dim, minimum=1)
        self.damping = check_real("damping", damping, minimum=0.0, strict=True)
        self.chi = (2.0 ** (1.0 / (5.0 * self.dim)) if chi is None
                    else check_real("chi", chi, minimum=1.0, strict=True))
        self.share = check_real("share", share, minimum=0.0, maximum=1.0)
        self.horizon = 5 + self.dim
        self.ramp = 2 + self.dim
        self.lam = self.mu = None
        self._feasible = None  # (horizon, m): whether each recent reference met each constraint
        self._streak = None  # signed count of successive mu changes of one direction

    def _checked(self, F, G):
        F = np.asarray(F, dtype=np.float64).reshape(-1)
        G = np.asarray(G, dtype=np.float64)
        if G.ndim != 2 or G.shape[0] != F.shape[0]:
            raise ValueError(f"constraint values must have shape ({F.shape[0]}, m); got "
                             f"{G.shape}")
        if self.lam is None:
            self.lam, self.mu = np.zeros(G.shape[1]), np.zeros(G.shape[1])
        if self._feasible is None:
            self._feasible = np.zeros((0, G.shape[1]), dtype=bool)
            self._streak = np.zeros(G.shape[1])
        if G.shape[1] != self.lam.shape[0]:
            raise ValueError(f"constraint values must have {self.lam.shape[0]} columns; got "
                             f"{G.shape[1]}")
        return F, G

    def penalty(self, G):
        """``sum_i p_i(g_i)`` of each row of ``G``.

        Parameters
        ----------
        G : array_like, shape (N, m) or (m,)
            Constraint values, ``g <= 0`` where a constraint holds.

        Returns
        -------
        numpy.ndarray
            One penalty per row; a NaN constraint value costs ``+inf``.
        """
        G = np.asarray(G, dtype=np.float64)
        lam, mu = self.lam, self.mu
        entered = mu > 0.0
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            quadratic = lam * G + 0.5 * mu * G * G
            flat = np.where(entered, -lam * lam / (2.0 * np.where(entered, mu, 1.0)), 0.0)
            active = lam + mu * G >= 0.0
            terms = np.where(entered, np.where(active, quadratic, flat), 0.0)
        terms = np.where(np.isnan(G), math.inf, terms)
        return terms.sum(axis=-1)

    def _enter(self, F, G):
        """Start the coefficients of the constraints a share of the generation violates."""
        waiting = (self.mu <= 0.0) & (np.mean(G > 0.0, axis=0) >= max(self.share, 1e-300))
        if not waiting.any():
            return
        spread = _iqr(F)
        finite = F[np.isfinite(F)]
        spread = max(spread, 1e-12 * (1.0 + (abs(float(np.median(finite))) if finite.size
                                             else 0.0)))
        for i in np.flatnonzero(waiting):
            g_spread = _iqr(G[:, i])
            g_spread = max(g_spread, 1e-12 * (1.0 + float(np.nanmax(np.abs(G[:, i])))))
            self.lam[i] = spread / (self.dim * g_spread)
            self.mu[i] = 0.4 * self.lam[i]

    def fitness(self, F, G):
        """``h`` of a generation: costs ``F`` (lower is better) plus the penalties of ``G``.

        Parameters
        ----------
        F : array_like, shape (N,)
            Objective costs (non-finite: the worst).
        G : array_like, shape (N, m)
            Constraint values, ``g <= 0`` where a constraint holds.

        Returns
        -------
        numpy.ndarray, shape (N,)
        """
        F, G = self._checked(F, G)
        self._enter(F, G)
        h = F + self.penalty(G)
        return np.where(np.isnan(h), math.inf, h)

    def update(self, F, G):
        """Adapt ``lam`` and ``mu`` from a generation, after it was ranked by :meth:`fitness`.

        Parameters
        ----------
        F : array_like, shape (N,)
            Objective costs.
        G : array_like, shape (N, m)
            Constraint values.
        """
        F, G = self._checked(F, G)
        h = np.where(np.isfinite(F), F + self.penalty(G), math.inf)
        if not np.isfinite(h).any():
            return
        g = G[int(np.argmin(h))]
        self._feasible = np.vstack([self._feasible, g <= 0.0])[-self.horizon:]
        met = self._feasible.mean(axis=0)
        with np.errstate(invalid="ignore"):
            touched = np.any(self.lam + self.mu * G > 0.0, axis=0)
        for i in np.flatnonzero(self.mu > 0.0):
            if touched[i]:
                self.lam[i] = max(0.0, self.lam[i] + self.mu[i] * g[i] / self.damping)
            if self.mu[i] * g[i] < -self.lam[i]:
                continue  # inactive: its mu would drift for nothing
            if g[i] > 0.0 or met[i] > 0.95:
                self._change_mu(i, +1)
            elif g[i] < 0.0 and met[i] < 0.9:
                self._change_mu(i, -1)

    def _change_mu(self, i, direction):
        self._streak[i] = direction * (1 + max(0.0, direction * self._streak[i]))
        extra = min(max(abs(self._streak[i]) - self.ramp, 0.0), self.ramp) * 4.0 / self.ramp
        self.mu[i] *= self.chi ** (direction * 0.25 * (1.0 + extra))

    # -- checkpoints ----------------------------------------------------------------------

    def state(self):
        """Arrays of the coefficients and the recent references (empty before the first use)."""
        empty = np.zeros(0)
        if self.lam is None:
            return {"al_lam": empty, "al_mu": empty, "al_streak": empty,
                    "al_feasible": np.zeros((0, 0))}
        return {"al_lam": self.lam.copy(), "al_mu": self.mu.copy(),
                "al_streak": self._streak.copy(),
                "al_feasible": self._feasible.astype(np.float64)}

    def load(self, arrays):
        """Restore what :meth:`state` saved."""
        lam = np.asarray(arrays["al_lam"], dtype=np.float64).reshape(-1)
        mu = np.asarray(arrays["al_mu"], dtype=np.float64).reshape(-1)
        streak = np.asarray(arrays["al_streak"], dtype=np.float64).reshape(-1)
        feasible = np.asarray(arrays["al_feasible"], dtype=np.float64)
        m = lam.shape[0]
        if mu.shape != (m,) or streak.shape != (m,) or feasible.ndim != 2 or (
                m and feasible.shape[1] != m) or feasible.shape[0] > self.horizon:
            raise ValueError("augmented-Lagrangian state: lam, mu, the streaks and the recent "
                             "references must describe one set of constraints")
        if not (np.all(np.isfinite(lam)) and np.all(lam >= 0) and np.all(np.isfinite(mu))
                and np.all(mu >= 0) and np.all(np.isfinite(streak))):
            raise ValueError("augmented-Lagrangian state: lam and mu must be finite and >= 0")
        if not m:
            self.lam = self.mu = self._streak = self._feasible = None
            return
        self.lam, self.mu, self._streak = lam.copy(), mu.copy(), streak.copy()
        self._feasible = feasible.reshape(-1, m) > 0.5
