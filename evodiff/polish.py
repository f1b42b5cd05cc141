"""Refining the modes of a continuous run: ``polish=True`` / ``'lbfgsb'`` and ``'cmaes'``.

Each polisher starts a local method at every mode and keeps the refined
point when it is at least as good; the count and support of the mode stay.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize as _scipy_minimize

from .algorithms.cmaes import CMAES
from .driver import run
from .modes import Mode

__all__ = ["polish_lbfgsb", "polish_cmaes", "CMAES_POLISH_SIGMA", "CMAES_POLISH_EVALS_PER_DIM"]

#: Step size (normalised units) and evaluations per dimension of ``polish='cmaes'``.
CMAES_POLISH_SIGMA = 0.05
CMAES_POLISH_EVALS_PER_DIM = 1000


def polish_lbfgsb(modes, objective, space, sense):
    """Refine every mode with L-BFGS-B inside the bounds (if any).

    Parameters
    ----------
    modes : list of Mode
    objective : callable
        Scalar objective of one host point (user's sign).
    space : evodiff.space.SearchSpace
    sense : {'min', 'max'}

    Returns
    -------
    list of Mode
    """
    sign = 1.0 if sense == "min" else -1.0
    bounds = None if not space.bounded else list(zip(space.lower, space.upper))
    polished = []
    for mode in modes:
        local = _scipy_minimize(lambda p: sign * objective(p), mode.x, method="L-BFGS-B",
                                bounds=bounds, options={"ftol": 1e-15, "gtol": 1e-10})
        if np.isfinite(local.fun) and local.fun <= sign * mode.fun:
            mode = Mode(x=np.asarray(local.x, dtype=np.float64), fun=sign * float(local.fun),
                        count=mode.count, support=mode.support)
        polished.append(mode)
    return polished


def polish_cmaes(modes, evaluate_batch, opt, sense, counter):
    """Refine every mode with a small CMA-ES started there (derivative-free).

    Parameters
    ----------
    modes : list of Mode
    evaluate_batch : callable
        ``evaluate_batch(X) -> (N,)`` values of host points (user's sign).
    opt : Optimizer
        The finished run's optimiser (its region, generator, backend and dtype).
    sense : {'min', 'max'}
    counter : list of int
        ``counter[0]`` is increased by the evaluations spent.

    Returns
    -------
    list of Mode
    """
    space = opt.space
    region = ({"bounds": list(zip(space.lower, space.upper))} if space.bounded
              else {"center": space.center, "scale": space.scale})
    polished = []

    def batch(X):
        counter[0] += X.shape[0]
        return evaluate_batch(opt.backend.to_host(X))

    for mode in modes:
        local = CMAES(x0=np.clip(mode.x, space.lower, space.upper) if space.bounded else mode.x,
                      sigma0=CMAES_POLISH_SIGMA, sense=sense, rng=opt.rng,
                      dtype=opt.backend.dtype_name, maxfevals=CMAES_POLISH_EVALS_PER_DIM * opt.dim,
                      **region)
        run(local, batch)
        better = (local.best_fun < mode.fun) if sense == "min" else (local.best_fun > mode.fun)
        if local.best_x is not None and np.isfinite(local.best_fun) and better:
            mode = Mode(x=local.best_x, fun=local.best_fun, count=mode.count,
                        support=mode.support)
        polished.append(mode)
    return polished
