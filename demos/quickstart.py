"""Quick start: find every minimum of a multimodal function with Diffusion Evolution.

The same runs as ``evodiff demo``, through the Python API.  Run::

    python demos/quickstart.py
"""

import numpy as np

import evodiff
from evodiff import problems


def rounded(x):
    """Round to 6 decimals for printing (adding 0.0 turns -0.0 into 0.0)."""
    return np.round(x, 6) + 0.0


def run(problem, seed=0):
    """Minimise ``problem`` over its domain and print the optima found."""
    res = evodiff.minimize(
        problem,                  # a vectorised function: (N, 2) array -> (N,) values
        bounds=problem.bounds,    # the objective is never called outside this box
        vectorized=True,
        popsize=512,              # individuals per generation
        maxiter=50,               # generations (denoising steps + 1)
        rng=seed,                 # the same seed gives the same run
        polish=True,              # refine each mode found with L-BFGS-B
    )
    print(f"{problem.name}: best f = {res.fun:.3e} at {rounded(res.x)}")
    print(f"  {res.nfev} evaluations in {res.nit} generations; {res.message}")

    # res.modes: the distinct optima found, best first.  support is the fraction
    # of the final x0 estimates that gathered at the mode.
    for mode in res.modes[:6]:
        print(f"  mode at {rounded(mode.x)}  f = {mode.fun:.3e}  support {mode.support:.1%}")
    if len(res.modes) > 6:
        print(f"  ... and {len(res.modes) - 6} more modes")

    # A known global optimum counts as found when a mode lies within 0.1 of it.
    distances = problem.distance_to_optima(np.array([mode.x for mode in res.modes]))
    print(f"  known global optima found: {np.sum(distances < 0.1)} of {len(distances)}\n")


if __name__ == "__main__":
    run(problems.himmelblau())      # four global minima, all of value 0
    run(problems.rastrigin(2))      # one global minimum among many local ones

    # Any Python function works too, called one point at a time (vectorized=False);
    # without polish, res.x is the best point the population evaluated.
    res = evodiff.minimize(lambda x: (x[0] - 1) ** 2 + (x[1] + 2) ** 2 + 3.0,
                           bounds=[(-5, 5), (-5, 5)], popsize=64, maxiter=30, rng=0)
    print(f"user function: best f = {res.fun:.4f} at {rounded(res.x)} ({res.nfev} evaluations)")
