"""evodiff's own Diffusion Evolution, on the public API only (registry, driver, attributes)."""

from __future__ import annotations

import numpy as np

from evodiff.driver import run
from evodiff.registry import make_optimizer

from . import quality as q
from .timing import sphere, time_around


class EvodiffTimer:
    """One evodiff Diffusion Evolution run, timed generation by generation.

    Parameters
    ----------
    n, d : int
        Population size and dimension.
    steps : int
        Schedule points; the run makes ``steps - 1`` denoising steps.
    seed : int
        Seed of the optimiser.
    """

    name = "evodiff"

    def __init__(self, n, d, steps, seed):
        self.opt = make_optimizer("diffevo", popsize=n, maxiter=steps, dim=d, dtype="float32",
                                  rng=seed)

    def generation(self):
        """Run one generation and return the seconds of ``ask`` + ``tell``.

        Returns
        -------
        float
        """
        return time_around(self.opt.ask, sphere, lambda _, values: self.opt.tell(values))


def quality(problem, latent, steps, seed):
    """Run evodiff's Diffusion Evolution (library defaults) on the quality problem.

    The run goes through :func:`evodiff.driver.run`; every denoising step is
    recorded from the generation it hands to ``on_generation``: the points
    asked, their values, the x0 estimates and the schedule point of the
    step just taken.

    Parameters
    ----------
    problem : evodiff.problems.Problem
    latent : bool
        Latent Diffusion Evolution (a fixed random projection to d = 2)
        instead of the plain one.
    steps : int
        Schedule points.
    seed : int

    Returns
    -------
    QualityRecord
    """
    method = "latent-diffevo" if latent else "diffevo"
    opt = make_optimizer(method, popsize=q.POPSIZE, maxiter=steps, dim=problem.dim, center=0.0,
                         scale=q.SCALING, dtype="float32", rng=seed)
    record = q.QualityRecord("evodiff latent (d = 2)" if latent else "evodiff plain")

    def on_generation(gen):
        record.evaluated(gen.values)
        if gen.schedule_point is None:  # the last generation is only evaluated
            return
        # back to the normalised space of the kernel: the objective saw center 0 + SCALING * x
        x = np.asarray(gen.points, dtype=np.float64) / q.SCALING
        x0 = np.asarray(gen.estimates, dtype=np.float64) / q.SCALING
        codes = x @ np.asarray(opt.projection, dtype=np.float64).T if latent else x
        record.step(x, x0, codes, gen.schedule_point[0])

    # the objective in float64 on the float32 points, as the peers' runs evaluate it
    run(opt, lambda X: problem(np.asarray(X, dtype=np.float64)), on_generation=on_generation)
    return record
