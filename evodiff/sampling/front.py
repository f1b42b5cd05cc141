"""``evodiff.sample``: weighted samples and the normalising constant of an unnormalised density."""

from __future__ import annotations

from pathlib import Path

from tqdm.auto import tqdm

from ..backend import Backend
from ..randomness import spawn_generators
from ..space import _vector, parse_bounds
from ..validation import check_bool, check_choice, check_int
from .checkpoint import load_runs, save_runs, stream_fingerprint
from .diffusion import DiffusionSMC
from .reference import BoxReference, GaussianReference
from .result import pool_runs
from .smc import TemperedSMC
from .target import LogTarget

__all__ = ["sample", "SAMPLERS"]

#: ``method`` name -> the sampler class and a one-line description.
SAMPLERS = {
    "smc": (TemperedSMC, "adaptive tempered SMC with random-walk Metropolis moves"),
    "diffusion": (DiffusionSMC, "annealed SMC along a denoising schedule with the Diffusion "
                                "Evolution denoiser (kernel 'first', 'second' or 'transport')"),
}


def _reference(bounds, x0, sigma):
    if bounds is not None:
        if x0 is not None or sigma is not None:
            raise ValueError("give either bounds or x0 (with sigma), not both")
        low, high = parse_bounds(bounds)
        return BoxReference(low, high)
    if x0 is None:
        raise ValueError("give bounds (a box to sample in) or x0 (the centre of a Gaussian "
                         "reference, with sigma)")
    mean = _vector("x0", x0, None)
    spread = _vector("sigma", 1.0 if sigma is None else sigma, mean.size, positive=True)
    return GaussianReference(mean, spread)


def sample(log_density, bounds=None, *, x0=None, sigma=None, n=1000, method="smc", beta=None,
           vectorized=False, args=(), rng=None, repeats=4, progress=False, backend="numpy",
           dtype="float64", options=None, checkpoint=None, checkpoint_every=1, resume=None):
    """Draw weighted samples of ``p(x)`` known up to a constant, and estimate ``log Z``.

    Parameters
    ----------
    log_density : callable
        ``log p(x, *args)`` for ``x`` of shape ``(D,)`` (``-inf``: zero
        density), or with ``vectorized=True`` ``(N, D) -> (N,)`` on the
        backend.  With ``beta``, an energy ``E`` and ``log p = -beta E``.
    bounds : sequence of (min, max) pairs or scipy.optimize.Bounds, optional
        Sample ``p`` restricted to this box, starting from the uniform
        distribution on it (``Z`` is the integral over the box).
    x0, sigma : array_like, optional
        Instead of ``bounds``: sample on the whole space, starting from
        ``N(x0, diag(sigma^2))`` (``sigma`` 1 by default); the reference
        should cover the target's mass.
    n : int, default 1000
        Particles of each run.
    method : {'smc', 'diffusion'}, default 'smc'
        :data:`SAMPLERS`: ``'smc'`` is adaptive tempered sequential Monte
        Carlo (:class:`evodiff.sampling.smc.TemperedSMC`); ``'diffusion'``
        annealed SMC along a denoising schedule with Diffusion Evolution's
        denoiser (:class:`evodiff.sampling.diffusion.DiffusionSMC`; kernels
        ``'first'``, ``'second'``, ``'transport'``).
    beta : float, optional
        Inverse temperature when ``log_density`` is an energy.
    vectorized : bool, default False
    args : tuple, default ()
    rng : None, int or numpy.random.Generator
        The same seed gives the same samples.
    repeats : int, default 4
        Independent runs pooled into the result; their spread gives
        ``log_z_se``.
    progress : bool, default False
        A progress bar over the runs' inverse temperatures.
    backend : {'numpy', 'cupy'} or namespace, default 'numpy'
    dtype : {'float64', 'float32'}, default 'float64'
    options : dict, optional
        Settings of the method (``'smc'``: ``ess``, ``moves``, ``resample``,
        ``proposal``; ``'diffusion'``: ``kernel``, ``steps``, ``resample``,
        ``candidates``).
    checkpoint : str or path, optional
        Save the finished runs and the state of the current one there
        (:mod:`evodiff.sampling.checkpoint`).
    checkpoint_every : int, default 1
        Save every this many steps of a run (temperatures or levels), and
        after every finished run.
    resume : str or path, optional
        Load what a call with the same arguments and ``rng`` saved, go on
        with the run it was in and compute the missing ones (on NumPy the
        result is the uninterrupted one, bit for bit).

    Returns
    -------
    SampleResult
        ``x`` (samples, ``repeats * n`` rows), ``weights`` (normalised),
        ``log_z``, ``log_z_se``, ``log_z_runs``, ``ess``, ``nfev``,
        ``details`` (each run's temperatures and acceptance rates).

    Examples
    --------
    >>> import numpy as np
    >>> import evodiff
    >>> res = evodiff.sample(lambda X: -0.5 * np.sum(X**2, axis=1), x0=np.zeros(2),
    ...                      sigma=3.0, vectorized=True, n=500, rng=0)
    >>> bool(abs(res.log_z - np.log(2 * np.pi)) < 0.1)   # Z = 2 pi
    True
    """
    method = check_choice("method", method, tuple(SAMPLERS))
    n = check_int("n", n, minimum=2)
    repeats = check_int("repeats", repeats, minimum=1)
    progress = check_bool("progress", progress)
    checkpoint_every = check_int("checkpoint_every", checkpoint_every, minimum=1)
    if options is not None and not isinstance(options, dict):
        raise TypeError(f"options must be a dict or None; got {type(options).__name__}")
    reference = _reference(bounds, x0, sigma)
    target = LogTarget(log_density, reference.dim, beta=beta, vectorized=vectorized,
                       args=args if isinstance(args, tuple) else (args,))
    array_backend = Backend(backend, dtype)
    sampler_class = SAMPLERS[method][0]
    generators = spawn_generators(rng, repeats)
    description = {"method": method, "n": n, "dim": reference.dim, "beta": beta,
                   "options": dict(options or {}), "reference": _describe(reference),
                   "streams": [stream_fingerprint(g) for g in generators]}
    if checkpoint is not None and not Path(checkpoint).expanduser().resolve().parent.is_dir():
        raise FileNotFoundError(f"checkpoint: the folder of {str(checkpoint)!r} does not exist")
    runs, partial = ([], None) if resume is None else load_runs(resume, description)
    if len(runs) > repeats or (partial is not None and len(runs) == repeats):
        held = f"{len(runs)} finished runs" + (" and one in progress" if partial else "")
        raise ValueError(f"resume: the checkpoint holds {held}, more than repeats={repeats}")
    with tqdm(total=float(repeats), initial=float(len(runs)), disable=not progress,
              desc=f"sample ({method})", unit="run",
              bar_format="{l_bar}{bar}| {n:.2f}/{total:.0f} runs") as bar:
        for k in range(len(runs), repeats):
            sampler = sampler_class(target, reference, n, generators[k], backend=array_backend,
                                    **(options or {}))
            on_step = None
            if checkpoint is not None:
                on_step = _Saver(checkpoint, checkpoint_every, description, runs)
            runs.append(sampler.run(_Offset(bar, k), state=partial, on_step=on_step))
            partial = None
            if checkpoint is not None:
                save_runs(checkpoint, description, runs)
    return pool_runs(runs, method)


def _describe(reference):
    """What fixes a reference (for the checkpoint's description)."""
    if isinstance(reference, BoxReference):
        return {"low": reference.low.tolist(), "high": reference.high.tolist()}
    return {"mean": reference.mean.tolist(), "sigma": reference.sigma.tolist()}


class _Saver:
    """Saves the finished runs and the current run's snapshot every ``every`` steps."""

    def __init__(self, path, every, description, runs):
        self.path, self.every, self.description, self.runs = path, every, description, runs
        self.steps = 0

    def __call__(self, snapshot):
        self.steps += 1
        if self.steps % self.every == 0:
            save_runs(self.path, self.description, self.runs, partial=snapshot)


class _Offset:
    """The progress of run ``k`` (0 to 1) shown on a bar over all runs."""

    def __init__(self, bar, k):
        self.bar, self.k, self.n = bar, k, 0.0

    def update(self, step):
        self.n += step
        self.bar.n = self.k + self.n
        self.bar.refresh()
