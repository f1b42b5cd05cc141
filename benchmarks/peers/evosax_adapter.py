"""evosax's ``DiffusionEvolution`` (JAX), through its ask/tell API."""

from __future__ import annotations

import functools

import numpy as np

from . import quality as q
from .timing import sphere, time_around


class EvosaxTimer:
    """One run of evosax's DiffusionEvolution, timed generation by generation.

    ``ask`` and ``tell`` are jit-compiled by evosax, and each is followed by
    ``block_until_ready``; PRNG key splitting is left out of the timed region.

    Parameters
    ----------
    n, d : int
        Population size and dimension.
    steps : int
        evosax's ``num_generations`` (schedule points).
    seed : int
        Seed of the JAX PRNG key.
    """

    name = "evosax"

    def __init__(self, n, d, steps, seed):
        import jax
        import jax.numpy as jnp
        from evosax.algorithms import DiffusionEvolution

        self.jax, self.jnp = jax, jnp
        self.algo = DiffusionEvolution(population_size=n, solution=jnp.zeros(d, jnp.float32),
                                       num_generations=steps)
        self.params = self.algo.default_params
        key, init_key, pop_key = jax.random.split(jax.random.key(seed), 3)
        population = jax.random.normal(pop_key, (n, d), dtype=jnp.float32)
        fitness = jnp.asarray(sphere(np.asarray(population)))
        self.state = self.algo.init(init_key, population, fitness, self.params)
        jax.block_until_ready(self.state)
        self.key = key
        self._ask_key = self._tell_key = None

    def _ask(self):
        population, self.state = self.algo.ask(self._ask_key, self.state, self.params)
        return population.block_until_ready()

    def _evaluate(self, population):
        fitness = self.jnp.asarray(sphere(np.asarray(population)))
        return fitness.block_until_ready()

    def _tell(self, population, fitness):
        self.state, _ = self.algo.tell(self._tell_key, population, fitness, self.state,
                                       self.params)
        self.jax.block_until_ready(self.state)

    def generation(self):
        """Run one generation and return the seconds of the jitted ``ask`` + ``tell``.

        Returns
        -------
        float
        """
        self.key, self._ask_key, self._tell_key = self.jax.random.split(self.key, 3)
        return time_around(self._ask, self._evaluate, self._tell)


def quality(problem, latent, temperature, steps, seed):
    """Run evosax's DiffusionEvolution on the quality problem, scale factor ``SCALING``.

    Parameters
    ----------
    problem : evodiff.problems.Problem
    latent : bool
        ``num_latent_dims=2`` instead of the plain variant.
    temperature : float or None
        Temperature of evosax's energy mapping; ``None`` keeps its default (1).
    steps : int
        evosax's ``num_generations``; ``steps - 1`` ask/tell pairs follow ``init``.
    seed : int

    Returns
    -------
    QualityRecord
    """
    import jax
    import jax.numpy as jnp
    from evosax.algorithms import DiffusionEvolution
    from evosax.algorithms.population_based.diffusion_evolution import (
        estimate_x_0,
        fitness_mapping_energy,
    )

    mapping = fitness_mapping_energy
    if temperature is not None:
        mapping = functools.partial(fitness_mapping_energy, temperature=temperature)
    algo = DiffusionEvolution(population_size=q.POPSIZE,
                              solution=jnp.zeros(problem.dim, jnp.float32),
                              num_generations=steps, fitness_mapping=mapping,
                              num_latent_dims=2 if latent else None)
    params = algo.default_params.replace(scale_factor=q.SCALING)
    shown = 1.0 if temperature is None else temperature
    record = q.QualityRecord(f"evosax {'latent (d = 2)' if latent else 'plain'}, "
                             f"energy T = {shown:g}{' (default)' if temperature is None else ''}")
    key, init_key, pop_key = jax.random.split(jax.random.key(seed), 3)
    population = q.SCALING * jax.random.normal(pop_key, (q.POPSIZE, problem.dim))

    def evaluate(points):
        values = problem(np.asarray(points, dtype=np.float64))
        record.evaluated(values)
        return jnp.asarray(values, dtype=jnp.float32)

    state = algo.init(init_key, population, evaluate(population), params)
    for step in range(steps - 1):
        # evosax's own estimator on its own state, to see the estimates it steps from
        x = state.population / params.scale_factor
        codes = x @ state.latent_projection
        alpha = params.alphas[step]
        weights = algo.fitness_mapping(state.fitness)
        x0 = estimate_x_0(x, codes, weights, alpha)
        record.step(np.asarray(x), np.asarray(x0), np.asarray(codes), float(alpha),
                    np.asarray(weights))
        key, ask_key, tell_key = jax.random.split(key, 3)
        population, state = algo.ask(ask_key, state, params)
        state, _ = algo.tell(tell_key, population, evaluate(population), state, params)
    return record
