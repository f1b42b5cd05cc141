"""The result of :func:`evodiff.sample`: weighted samples pooled over independent runs."""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import OptimizeResult as _Result

from .weights import effective_sample_size, normalised

__all__ = ["SampleResult", "pool_runs"]


class SampleResult(_Result):
    """Weighted samples of a target and its log-normalising constant.

    Attributes
    ----------
    x : numpy.ndarray, shape (repeats * n, D)
        The samples of every run, one after the other.
    weights : numpy.ndarray, shape (repeats * n,)
        Their normalised importance weights (sum 1): a run's own weights
        times its share ``Z_r / sum Z_r`` of the pooled estimate.
    log_z : float
        ``log`` of the mean of the runs' estimates of ``Z`` (the mean is
        unbiased for ``Z`` when each run's is).
    log_z_se : float
        Standard error of ``log_z`` from the spread of the runs' estimates
        (delta method: ``std(Z_r) / (sqrt(R) mean(Z_r))``); NaN with one run.
    log_z_runs : numpy.ndarray, shape (repeats,)
        Each run's ``log Z``.
    ess : float
        Kish's effective sample size of ``weights``.
    nfev : int
        Evaluations of the log-density, all runs together.
    method : str
    message : str
    details : list
        Per run, what the method records (temperatures, acceptance rates).
    """

    def resample(self, count, rng=None):
        """``count`` unweighted samples drawn from ``x`` with probabilities ``weights``."""
        generator = np.random.default_rng(rng)
        index = generator.choice(self.weights.shape[0], size=int(count), p=self.weights)
        return self.x[index]

    def mean(self):
        """The weighted mean of the samples."""
        return self.weights @ self.x


def pool_runs(runs, method):
    """Pool independent runs into one :class:`SampleResult`.

    Parameters
    ----------
    runs : list
        Objects with ``x``, ``log_weights`` (normalised), ``log_z`` and ``nfev``
        (:class:`~evodiff.sampling.smc.SMCRun`).
    method : str

    Returns
    -------
    SampleResult
    """
    log_z = np.array([run.log_z for run in runs], dtype=np.float64)
    top = float(np.max(log_z))
    scaled = np.exp(log_z - top)
    pooled = top + math.log(float(scaled.mean()))
    if len(runs) > 1:
        relative = scaled / scaled.mean()
        se = float(np.std(relative, ddof=1) / math.sqrt(len(runs)))
    else:
        se = math.nan
    log_w = np.concatenate([run.log_weights + (run.log_z - top) for run in runs])
    weights = normalised(log_w)
    return SampleResult(
        x=np.concatenate([run.x for run in runs]), weights=weights, log_z=pooled, log_z_se=se,
        log_z_runs=log_z, ess=effective_sample_size(weights),
        nfev=int(sum(run.nfev for run in runs)), method=method,
        message=f"{len(runs)} independent runs of {runs[0].x.shape[0]} particles",
        details=runs)
