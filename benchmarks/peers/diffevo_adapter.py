"""The authors' ``diffevo`` package (PyTorch), through its public generators and schedule.

diffevo has no ask/tell object: its loop (``DiffEvo.optimize``, the loop of
its README) maps the fitness, builds a ``BayesianGenerator`` on the
population and calls it for the x0 estimate and the DDIM step.  The
adapters do the same.
"""

from __future__ import annotations

import time

import numpy as np

from . import quality as q
from .timing import sphere

TEMPERATURE = 2000.0  # the authors' 256-D Rastrigin setting: 0.5 * 4000
NOISE = 0.1  # the authors' DDIM noise in their benchmarks


class DiffevoTimer:
    """One run of the authors' diffevo package, timed generation by generation.

    A generation is what an iteration of ``DiffEvo.optimize`` does once the
    fitness is known: map it (``fitnessmapping.Energy``, temperature 1), build
    a ``BayesianGenerator`` (uniform density, its default) and call it.

    Parameters
    ----------
    n, d : int
        Population size and dimension.
    steps : int
        Points of the ``DDIMSchedulerCosine``; it yields ``steps - 1`` pairs.
    seed : int
        Seed of PyTorch's global generator (diffevo draws its noise from it).
    """

    name = "diffevo"

    def __init__(self, n, d, steps, seed):
        import torch
        from diffevo import BayesianGenerator, DDIMSchedulerCosine
        from diffevo.fitnessmapping import Energy

        torch.manual_seed(seed)
        self.torch = torch
        self.generator_class = BayesianGenerator
        self.mapping = Energy(temperature=1.0)
        self.schedule = iter(DDIMSchedulerCosine(num_step=steps))
        self.x = torch.randn(n, d, dtype=torch.float32)

    def generation(self):
        """Run one generation and return the seconds of mapping, generator and DDIM step.

        Returns
        -------
        float
        """
        _, alphas = next(self.schedule)
        fitness = self.torch.from_numpy(sphere(self.x.numpy()))
        start = time.perf_counter()
        generator = self.generator_class(self.x, self.mapping(fitness), alphas)
        self.x = generator(noise=NOISE)
        return time.perf_counter() - start


def quality(problem, latent, steps, seed):
    """Run the authors' diffevo loop (their 256-D benchmark's settings) on the quality problem.

    The fitness is ``exp(-f / TEMPERATURE)`` (their energy wrapper), the
    DDIM noise ``NOISE``.

    Parameters
    ----------
    problem : evodiff.problems.Problem
    latent : bool
        ``LatentBayesianGenerator`` with a normalised 2-D ``RandomProjection``.
    steps : int
        Points of the ``DDIMSchedulerCosine``.
    seed : int

    Returns
    -------
    QualityRecord
    """
    import torch
    from diffevo import (
        BayesianGenerator,
        DDIMSchedulerCosine,
        LatentBayesianGenerator,
        RandomProjection,
    )

    torch.manual_seed(seed)
    label = f"diffevo {'latent (d = 2)' if latent else 'plain'}, exp(-f/{TEMPERATURE:g})"
    record = q.QualityRecord(label)
    projection = RandomProjection(problem.dim, 2, normalize=True) if latent else None
    x = torch.randn(q.POPSIZE, problem.dim, dtype=torch.float32)

    def evaluate(points):
        values = problem(points.numpy().astype(np.float64) * q.SCALING)
        record.evaluated(values)
        return values

    for _, alphas in DDIMSchedulerCosine(num_step=steps):
        values = evaluate(x)
        fitness = torch.exp(-torch.from_numpy(values).to(torch.float32) / TEMPERATURE)
        if latent:
            with torch.no_grad():
                codes = projection(x)
            generator = LatentBayesianGenerator(x, codes, fitness, alphas, density="uniform")
        else:
            codes = x
            generator = BayesianGenerator(x, fitness, alphas, density="uniform")
        x_next, x0 = generator(noise=NOISE, return_x0=True)
        record.step(x.numpy(), x0.numpy(), codes.numpy(), float(alphas[0]), fitness.numpy())
        x = x_next
    evaluate(x)
    return record
