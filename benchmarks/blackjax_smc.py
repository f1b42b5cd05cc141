"""blackjax's adaptive tempered SMC as the sampling reference of the benchmarks (comparison only).

The same problem as :func:`evodiff.sample` with ``method='smc'``: the
geometric path from a Gaussian reference ``N(m, s^2)`` to the target,
temperatures chosen for a target ESS, random-walk Metropolis moves whose
proposal covariance is ``(2.38^2 / D)`` times the particles' covariance
(re-estimated after every step with blackjax's ``inner_kernel_tuning``), no
gradients.  Needs ``jax`` and ``blackjax`` (``pip install blackjax``; not a
dependency of evodiff).
"""

from __future__ import annotations

import math

import numpy as np


def run(log_density_jax, mean, sigma, n, seed, *, target_ess=0.5, moves=5):
    """One adaptive tempered SMC run of blackjax.

    Parameters
    ----------
    log_density_jax : callable
        ``log p(x)`` of one point, traceable by JAX.
    mean, sigma : array_like, shape (D,)
        The Gaussian reference.
    n : int
        Particles.
    seed : int
    target_ess : float
        Conditional ESS fraction kept by each step.
    moves : int
        Random-walk Metropolis steps per temperature.

    Returns
    -------
    dict
        ``x`` (n, D), ``weights`` (n,), ``log_z``, ``nfev`` (log-density
        evaluations: the start, the likelihood at every step for the
        temperature search, and every Metropolis proposal), ``steps``.
    """
    import blackjax
    import blackjax.mcmc.random_walk as random_walk
    import jax
    import jax.numpy as jnp
    from blackjax.smc import resampling
    from blackjax.smc.tuning.from_particles import particles_covariance_matrix

    jax.config.update("jax_enable_x64", True)
    mean = jnp.asarray(mean, dtype=jnp.float64)
    sigma = jnp.asarray(sigma, dtype=jnp.float64)
    dim = mean.shape[0]
    log_normaliser = -0.5 * dim * math.log(2 * math.pi) - jnp.sum(jnp.log(sigma))

    def log_prior(x):
        z = (x - mean) / sigma
        return log_normaliser - 0.5 * jnp.sum(z * z)

    def log_likelihood(x):
        return log_density_jax(x) - log_prior(x)

    rw_kernel = random_walk.build_additive_step()

    def step(rng_key, state, logdensity_fn, chol):
        return rw_kernel(rng_key, state, logdensity_fn, random_walk.normal(chol))

    def update_parameters(_key, state, _info):
        cov = jnp.atleast_2d(particles_covariance_matrix(state.particles))
        chol = jnp.linalg.cholesky(cov + 1e-12 * jnp.eye(dim))
        return {"chol": (2.38 / math.sqrt(dim)) * chol[None]}

    initial = {"chol": (2.38 / math.sqrt(dim)) * jnp.diag(sigma)[None]}
    sampler = blackjax.inner_kernel_tuning(
        smc_algorithm=blackjax.adaptive_tempered_smc, logprior_fn=log_prior,
        loglikelihood_fn=log_likelihood, mcmc_step_fn=step, mcmc_init_fn=random_walk.init,
        resampling_fn=resampling.systematic, mcmc_parameter_update_fn=update_parameters,
        initial_parameter_value=initial, num_mcmc_steps=moves, target_ess=target_ess)
    key = jax.random.PRNGKey(seed)
    key, draw = jax.random.split(key)
    start = mean + sigma * jax.random.normal(draw, (n, dim), dtype=jnp.float64)
    state = sampler.init(start)
    kernel = jax.jit(sampler.step)
    log_z, steps = 0.0, 0
    while float(state.sampler_state.tempering_param) < 1.0:
        key, sub = jax.random.split(key)
        state, info = kernel(sub, state)
        log_z += float(info.log_likelihood_increment)
        steps += 1
    return {"x": np.asarray(state.sampler_state.particles),
            "weights": np.asarray(state.sampler_state.weights), "log_z": log_z,
            "nfev": n * (1 + steps * (1 + moves)), "steps": steps}
