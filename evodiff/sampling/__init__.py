"""Sampling unnormalised densities: weighted samples and log-normalising constants.

:func:`sample` is the front door (:mod:`evodiff.sampling.front`); the
samplers are :class:`~evodiff.sampling.smc.TemperedSMC` (adaptive tempered
sequential Monte Carlo, the reference) and
:class:`~evodiff.sampling.diffusion.DiffusionSMC` (annealed SMC with the
Diffusion Evolution denoiser); targets with exact answers for tests
and benchmarks are in :mod:`evodiff.sampling.targets`.
"""

from .front import SAMPLERS, sample
from .result import SampleResult

__all__ = ["sample", "SampleResult", "SAMPLERS"]
