"""Random generators: one way to make them, one owner per run.

Every source of randomness in evodiff is a :class:`numpy.random.Generator`
made by :func:`as_generator` (SPEC 7: ``None``, an int seed, a
``SeedSequence`` or a ``Generator``).  An optimiser owns its generator
(``opt.rng``); when one seed must feed several consumers (a problem's random
shift and the optimiser of the same run), :func:`spawn_generators` gives
independent streams, and :func:`named_seed` derives a stream from a seed
and names, independent of the order in which runs are made.

The normal draws of an optimiser come from a :class:`NormalSampler` built
for its backend by :func:`make_sampler`: drawn with NumPy on the host (and
moved to the backend), or on the GPU with a CuPy generator seeded from the
host generator.
"""

from __future__ import annotations

import zlib

import numpy as np

__all__ = ["as_generator", "spawn_generators", "named_seed", "NormalSampler", "make_sampler"]


def as_generator(rng=None):
    """Turn an ``rng`` argument into a :class:`numpy.random.Generator` (SPEC 7).

    Parameters
    ----------
    rng : None, int, array of ints, numpy.random.SeedSequence or numpy.random.Generator
        ``None`` draws fresh entropy; a seed gives a reproducible generator; a
        ``Generator`` is used as it is (shared, not copied).

    Returns
    -------
    numpy.random.Generator

    Raises
    ------
    TypeError
        For anything else (a float, a string, a legacy ``RandomState``).
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (bool, float, str)) or isinstance(rng, np.random.RandomState):
        raise TypeError(
            f"rng must be None, an int seed or a numpy.random.Generator; got {rng!r}"
        )
    try:
        return np.random.default_rng(rng)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"rng must be None, an int seed or a numpy.random.Generator; got {rng!r}"
        ) from exc


def spawn_generators(rng, count):
    """``count`` independent generators from one ``rng`` argument.

    Parameters
    ----------
    rng : None, int, SeedSequence or Generator
        As for :func:`as_generator`; a ``Generator`` spawns children of its
        own bit generator's seed sequence.
    count : int

    Returns
    -------
    list of numpy.random.Generator
    """
    if isinstance(rng, np.random.Generator):
        return list(rng.spawn(count))
    if isinstance(rng, np.random.SeedSequence):
        sequence = rng
    else:
        sequence = as_generator(rng).bit_generator.seed_seq
    return [np.random.default_rng(child) for child in sequence.spawn(count)]


def named_seed(seed, *names):
    """A :class:`numpy.random.SeedSequence` fixed by ``seed`` and the strings ``names``.

    ``SeedSequence([seed, crc32(name_1), crc32(name_2), ...])``: the stream of
    one run of a benchmark, whatever the order, process or number of jobs.
    """
    return np.random.SeedSequence([int(seed), *(zlib.crc32(n.encode()) for n in names)])


class NormalSampler:
    """Standard normal draws in a backend's dtype, from a host generator.

    Drawn with NumPy on the host and moved to the backend: used for NumPy
    itself (no move) and for namespaces without a generator of their own,
    such as ``array_api_strict``.

    Parameters
    ----------
    generator : numpy.random.Generator
    backend : Backend
    """

    def __init__(self, generator, backend):
        self.generator = generator
        self.backend = backend

    def normal(self, shape):
        """Standard normal draws of ``shape`` in the backend's dtype."""
        draws = self.generator.standard_normal(tuple(shape), dtype=self.backend.dtype_name)
        return self.backend.asarray(draws)

    def uniform(self, shape):
        """Uniform draws in ``[0, 1)`` of ``shape`` in the backend's dtype."""
        draws = self.generator.random(tuple(shape), dtype=self.backend.dtype_name)
        return self.backend.asarray(draws)

    def reseed_device(self, seed):
        """Reseed the device generator (no-op: host draws have none)."""


class CupyNormalSampler(NormalSampler):
    """Normal draws made on the GPU by a ``cupy.random.Generator``.

    It is seeded from the host generator, so one ``rng`` seed fixes the whole run.
    """

    def __init__(self, generator, backend):
        import cupy

        super().__init__(generator, backend)
        self._cupy = cupy
        self._device = cupy.random.default_rng(int(generator.integers(0, 2**63 - 1)))

    def normal(self, shape):
        return self._device.standard_normal(tuple(shape), dtype=self.backend.dtype_name)

    def uniform(self, shape):
        return self._device.random(tuple(shape), dtype=self.backend.dtype_name)

    def reseed_device(self, seed):
        """Give the device generator a fresh seed (after a checkpoint is restored)."""
        self._device = self._cupy.random.default_rng(int(seed))


def make_sampler(generator, backend):
    """The :class:`NormalSampler` of ``backend`` drawing from ``generator``."""
    if backend.name == "cupy":
        return CupyNormalSampler(generator, backend)
    return NormalSampler(generator, backend)


def restore_generator(generator, sampler, state):
    """Put a generator back in a saved state (a run resumed from a checkpoint).

    Parameters
    ----------
    generator : numpy.random.Generator
    sampler : NormalSampler
        The run's sampler of ``generator``; a device generator is reseeded
        from the restored host stream (its own state is not saved), so a run
        resumed on CuPy is reproducible but not equal to an uninterrupted one.
    state : dict
        ``generator.bit_generator.state`` as it was saved.

    Raises
    ------
    ValueError
        When ``state`` is not a state of ``generator``'s kind of bit generator.
    """
    try:
        generator.bit_generator.state = state
    except (TypeError, ValueError, KeyError) as exc:
        raise ValueError(f"not a saved state of a {type(generator.bit_generator).__name__} "
                         "generator") from exc
    if isinstance(sampler, CupyNormalSampler):
        sampler.reseed_device(int(generator.integers(0, 2**63 - 1)))
