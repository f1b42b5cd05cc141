"""Discrete Diffusion Evolution: evolution as the reverse of a bit-flip diffusion.

The forward process flips every bit independently: at level ``alpha`` a bit
of ``x_0`` is kept with probability ``(1 + alpha) / 2``, so ``alpha = 1`` is
the clean state and ``alpha = 0`` uniform noise, and two levels compose by
multiplying their ``alpha`` (a binary symmetric channel).  One generation,
from ``alpha_t`` to the cleaner ``alpha_prev``:

1. **x0 estimate.**  Each individual ``i`` estimates a probability per bit,
   ``p_i = sum_j w_ij x_j / sum_j w_ij``, the fitness- and similarity-
   weighted average of the population, with ``w_ij = g(f_j) q(x_i | x_j)``
   and ``q(x_i | x_j) = ((1 - alpha_t) / (1 + alpha_t))^d_ij`` up to a
   constant, ``d_ij`` the Hamming distance: the chance that noise turns
   ``x_j`` into ``x_i``.  At ``alpha_t`` near 0 every individual sees the
   whole population; near 1 only itself.
2. **Reverse step.**  The next state of each bit is drawn from the exact
   posterior of the forward process, ``q(x_prev | x_t, x_0)``, averaged over
   ``x_0 ~ Bernoulli(p_i)``.

The fitness ``g`` is the Boltzmann weight ``exp(-(f - f_min) / (T s))`` of
:class:`evodiff.fitness.Energy`, with ``s`` the spread (standard deviation)
of the generation's values and ``T`` annealed geometrically from
``temperature[0]`` to ``temperature[1]``: scale-free, and sharper as the
population converges.
"""

from __future__ import annotations

import math

import numpy as np

from ..algorithms.base import Optimizer
from ..algorithms.estimator import DEFAULT_MEMORY_BUDGET, chunk_rows
from ..fitness import Energy
from ..parameters import Bool, check_parameters
from ..schedules import make_schedule
from ..state import Field, InvalidState, Setting
from ..validation import check_real

__all__ = ["BinaryDiffusionEvolution", "bit_x0_estimate", "bit_reverse_probability"]


def bit_x0_estimate(xp, bits, log_g, alpha, symmetric=False, memory_budget=DEFAULT_MEMORY_BUDGET):
    """The per-bit x0 estimates of a population.

    Parameters
    ----------
    xp : module
        Array namespace.
    bits : array, shape (N, n)
        The population, entries 0 or 1.
    log_g : array, shape (N,)
        Log fitness weights (``-inf`` for a point of weight zero).
    alpha : float
        Noise level of the population, in (0, 1).
    symmetric : bool, default False
        The objective is unchanged when every bit flips (an Ising problem
        without fields, Max-Cut): each ``x_j`` then enters ``i``'s estimate in
        the orientation nearer to ``x_i``, at that distance, so that mirror
        images of one solution reinforce instead of cancelling.

    Returns
    -------
    array, shape (N, n)
        ``p[i, k]``: the estimated probability that bit ``k`` of individual
        ``i``'s clean state is 1.
    """
    ones = xp.sum(bits, axis=1)
    rows = chunk_rows(bits.shape[0], bits.shape[0], 8, memory_budget)
    chunks = [_bit_estimate_rows(xp, bits, ones, log_g, alpha, symmetric, start,
                                 min(start + rows, bits.shape[0]))
              for start in range(0, bits.shape[0], rows)]
    return chunks[0] if len(chunks) == 1 else xp.concat(chunks, axis=0)


def _bit_estimate_rows(xp, bits, ones, log_g, alpha, symmetric, start, stop):
    """Rows ``start:stop`` of :func:`bit_x0_estimate`: memory ``(stop - start) x N``."""
    distance = ones[start:stop, None] + ones[None, :] - 2.0 * (bits[start:stop, :] @ bits.T)
    mirrored = None
    if symmetric:
        mirrored = distance > bits.shape[1] / 2.0
        distance = xp.where(mirrored, bits.shape[1] - distance, distance)
    log_w = log_g[None, :] + distance * math.log((1.0 - alpha) / (1.0 + alpha))
    log_w = log_w - xp.max(log_w, axis=1, keepdims=True)
    weights = xp.exp(log_w)
    weights = weights / xp.sum(weights, axis=1, keepdims=True)
    if mirrored is None:
        return weights @ bits
    # a mirrored x_j contributes 1 - x_j
    flipped = xp.where(mirrored, weights, xp.zeros_like(weights))
    return xp.sum(flipped, axis=1, keepdims=True) + (weights - 2.0 * flipped) @ bits


def bit_reverse_probability(xp, bits, p, alpha_t, alpha_prev):
    """Probability that each bit is 1 after one reverse step of the bit-flip diffusion.

    Parameters
    ----------
    xp : module
    bits : array, shape (N, n)
        The population at level ``alpha_t`` (entries 0 or 1).
    p : array, shape (N, n)
        x0 estimates (:func:`bit_x0_estimate`).
    alpha_t, alpha_prev : float
        Current and next (cleaner) level, ``0 < alpha_t < alpha_prev < 1``.

    Returns
    -------
    array, shape (N, n)
        ``P(x_prev = 1 | x_t, x_0 ~ Bernoulli(p))`` under the exact posterior
        of the forward process.
    """
    step = alpha_t / alpha_prev  # the channel from the cleaner level to the current one
    same, other = (1.0 + step) / 2.0, (1.0 - step) / 2.0
    keep, flip = (1.0 + alpha_prev) / 2.0, (1.0 - alpha_prev) / 2.0
    # likelihood of the observed bit if the previous bit was 1 (resp. 0)
    high = bits > 0.5
    like_one = same * xp.astype(high, bits.dtype) + other * xp.astype(~high, bits.dtype)
    like_zero = 1.0 - like_one  # same + other = 1
    from_one = like_one * keep / (like_one * keep + like_zero * flip)
    from_zero = like_one * flip / (like_one * flip + like_zero * keep)
    return p * from_one + (1.0 - p) * from_zero


class BinaryDiffusionEvolution(Optimizer):
    """Diffusion Evolution on binary vectors (a black-box method: only values are needed).

    Parameters
    ----------
    dim : int
        Number of bits ``n``.
    popsize : int, default 256
    steps : int, default 100
        Schedule points: generations and population evaluations.
    schedule : str, Schedule or array_like, default 'cosine'
        The alpha schedule (:func:`evodiff.schedules.make_schedule`).
    temperature : (float, float), default (0.3, 0.03)
        Boltzmann temperature at the first and the last generation, in units
        of the generation's spread of values.
    domain : (int, int), default (0, 1)
        The values a state's entries take: ``(0, 1)`` for bits, ``(-1, 1)``
        for spins.  The objective receives states in this domain.
    symmetric : bool, default False
        Declare that the objective is unchanged when every bit flips (see
        :func:`bit_x0_estimate`).
    local_search : callable, optional
        ``local_search(states) -> states`` (host arrays of shape (N, n) in
        ``domain``), applied to every population before it is asked (a
        memetic variant), for instance
        :func:`evodiff.binary.one_flip_descent` bound to a problem.  The
        optimiser cannot see what it evaluates: objective calls made inside
        ``local_search`` are not counted in ``nfev`` (the built-in
        ``local_search=True`` of ``minimize`` works on the couplings and
        calls no objective).
    sense : {'min', 'max'}, default 'min'
    rng : None, int or numpy.random.Generator
    dtype : {'float64', 'float32'}, default 'float64'
    backend : {'numpy', 'cupy', 'array_api_strict'} or module, default 'numpy'

    Examples
    --------
    >>> import numpy as np
    >>> from evodiff.binary import BinaryDiffusionEvolution
    >>> target = np.arange(12) % 2
    >>> opt = BinaryDiffusionEvolution(12, popsize=64, steps=30, rng=0)
    >>> while not opt.done:
    ...     X = opt.ask()
    ...     opt.tell(np.sum(X != target, axis=1))
    >>> opt.best_fun
    0.0
    """

    name = "binary-diffevo"
    DEFAULT_POPSIZE = 256
    #: What the run optimises, for checkpoints: minimize sets it to the problem's fingerprint.
    problem_fingerprint = "black box"

    SETTINGS = Optimizer.SETTINGS + (
        Setting("schedule", "host", "schedule.alphas"),
        Setting("temperature", "host"),
        Setting("symmetric", "bool"),
        Setting("local_search", "str", "_local_search_name"),
        Setting("problem", "str", "problem_fingerprint"),
    )
    STATE = Optimizer.STATE + (
        Field("bits", "array", ("popsize", "dim"), "_bits"),
        Field("estimates", "array", ("popsize", "dim"), "_p", optional=True),
        Field("step", "int", attr="_step"),
    )

    #: Declared limits of the scalar settings (:mod:`evodiff.parameters`); ``temperature``
    #: (a pair of positive numbers), ``domain`` and the schedule are checked as structures.
    PARAMETERS = {"symmetric": Bool()}

    def __init__(self, dim, popsize=None, steps=100, *, schedule="cosine",
                 temperature=(0.3, 0.03), domain=(0, 1), symmetric=False, local_search=None,
                 sense="min", rng=None, dtype="float64", backend="numpy"):
        if tuple(domain) not in ((0, 1), (-1, 1)):
            raise ValueError(f"domain must be (0, 1) or (-1, 1); got {domain!r}")
        low, high = domain
        super().__init__(popsize=popsize, dim=dim, center=float(low), scale=float(high - low),
                         sense=sense, rng=rng, dtype=dtype, backend=backend)
        self.domain = (int(low), int(high))
        self.symmetric = check_parameters(self.PARAMETERS, {"symmetric": symmetric})["symmetric"]
        if local_search is not None and not callable(local_search):
            raise TypeError(f"local_search must be callable or None; got "
                            f"{type(local_search).__name__}")
        self.local_search = local_search
        self.schedule = make_schedule(schedule, steps)
        if np.ndim(temperature) != 1 or len(temperature) != 2:
            raise ValueError(f"temperature must be a pair (first, last); got {temperature!r}")
        first = check_real("temperature[0]", temperature[0], minimum=0, strict=True)
        last = check_real("temperature[1]", temperature[1], minimum=0, strict=True)
        self.temperature = (first, last)
        self._bits = self.xp.astype(self.uniform((self.popsize, self.dim)) < 0.5,
                                    self.backend.dtype)
        self._p = None
        self._step = 0

    @property
    def steps(self):
        """int : schedule points (generations of a full run)."""
        return len(self.schedule)

    def _warm_start(self, normalised, cost):
        """The first generation is the best prior states (cycled when there are fewer)."""
        from .annealing import best_prior_states

        states = best_prior_states(self.backend.to_host(normalised),
                                   self.backend.to_host(cost), self.popsize)
        self._bits = self.xp.astype(self.backend.asarray(states), self.backend.dtype)

    @property
    def done(self):
        """bool : every schedule point has been evaluated."""
        return self._step >= self.steps

    @property
    def max_generations(self):
        """int : generations of a full run."""
        return self.steps

    @property
    def population(self):
        """array, shape (popsize, n) : the current population (problem's domain)."""
        return self.space.center + self.space.scale * self._bits

    @property
    def estimates(self):
        """array or None : the last x0 estimates, probabilities per bit (shape (popsize, n))."""
        return self._p

    def current_temperature(self):
        """float : the Boltzmann temperature of the generation to be told next."""
        first, last = self.temperature
        fraction = self._step / max(self.steps - 1, 1)
        return first * (last / first) ** fraction

    def candidates(self):
        """numpy.ndarray : the final x0 estimates rounded to states (problem's domain), or None."""
        if self._p is None:
            return None
        rounded = np.asarray(self.backend.to_host(self._p), dtype=np.float64) > 0.5
        return self.space.center + self.space.scale * rounded

    @property
    def _local_search_name(self):
        search = self.local_search
        if search is None:
            return "none"
        return getattr(search, "__qualname__", None) or type(search).__qualname__

    def _ask(self):
        if self.local_search is not None:
            states = self.backend.to_host(self.population)
            improved = np.asarray(self.local_search(np.asarray(states, dtype=np.float64)),
                                  dtype=np.float64)
            if improved.shape != (self.popsize, self.dim):
                raise ValueError(f"local_search must return shape ({self.popsize}, {self.dim}); "
                                 f"got {improved.shape}")
            low, high = self.domain
            bits = (improved - low) / (high - low)
            if not np.all((bits == 0) | (bits == 1)):
                raise ValueError(f"local_search must return states with entries in {self.domain}")
            self._bits = self.backend.asarray(bits)
        return self._bits

    def _tell(self, x, cost):
        xp = self.xp
        finite = xp.isfinite(cost)
        count = int(xp.sum(xp.astype(finite, xp.int64)))
        if count:
            zero = xp.asarray(0.0, dtype=cost.dtype)
            shifted = cost - xp.min(xp.where(finite, cost, xp.asarray(math.inf, dtype=cost.dtype)))
            kept = xp.where(finite, shifted, zero)
            mean = xp.sum(kept) / count
            spread = math.sqrt(float(xp.sum(xp.where(finite, (kept - mean) ** 2, zero))) / count)
            scale = spread if spread > 0 else 1.0
            log_g = Energy(self.current_temperature() * scale).log_weights(xp, shifted)
        else:
            log_g = xp.zeros_like(cost)  # no finite value: nothing to prefer
        alpha_t = float(self.schedule.alphas[self.steps - 1 - self._step])
        self._p = bit_x0_estimate(xp, x, log_g, alpha_t, self.symmetric)
        self._step += 1
        if self._step >= self.steps:
            return
        alpha_prev = float(self.schedule.alphas[self.steps - 1 - self._step])
        probability = bit_reverse_probability(xp, x, self._p, alpha_t, alpha_prev)
        self._bits = xp.astype(self.uniform(probability.shape) < probability, self.backend.dtype)

    def _check_restored(self, values):
        super()._check_restored(values)
        bits = values.get("_bits")
        if bits is not None:
            host = np.asarray(self.backend.to_host(bits))
            if not np.all((host == 0) | (host == 1)):
                raise InvalidState("state 'bits' must hold only 0 and 1")
        step = values.get("_step", 0)
        if not 0 <= step <= self.steps:
            raise InvalidState(f"state 'step' ({step}) is outside 0..{self.steps}")
