"""
Every minimum of Himmelblau's function
======================================

Himmelblau's function has four global minima, all of value 0.  A single
run of Diffusion Evolution finds them together: each individual is pulled
only towards fit individuals *near it*, so the population splits between
the basins instead of collapsing onto one.  The distinct optima of the run
are in ``res.modes``, best first.
"""

import matplotlib.pyplot as plt
import numpy as np

import evodiff

problem = evodiff.problems.himmelblau()
res = evodiff.minimize(problem, bounds=problem.bounds, vectorized=True,
                       popsize=512, maxiter=50, rng=0, polish=True)

print(f"best value {res.fun:.2e} at {np.round(res.x, 4)}")
print(f"{res.nfev} evaluations in {res.nit} generations")
for mode in res.modes:
    print(f"mode at {np.round(mode.x, 4)}  f = {mode.fun:.1e}  support {mode.support:.0%}")

# %%
# Each mode's ``support`` is the fraction of the final estimates ``res.candidates``
# that gathered there.  How close is each known minimum to a mode found?

found = problem.distance_to_optima(np.array([mode.x for mode in res.modes]))
print("distance of each mode to the nearest known minimum:", np.round(found, 6))

# %%
# The landscape, the final estimates (the paper's solutions) and the modes.

grid = np.linspace(-5, 5, 301)
X1, X2 = np.meshgrid(grid, grid)
values = problem(np.column_stack([X1.ravel(), X2.ravel()])).reshape(X1.shape)

fig, ax = plt.subplots(figsize=(6, 5.2))
contour = ax.contourf(X1, X2, np.log10(values + 1e-3), levels=30, cmap="viridis")
fig.colorbar(contour, ax=ax, label="log10(f + 0.001)")
ax.scatter(res.candidates[:, 0], res.candidates[:, 1], s=4, color="white", alpha=0.6,
           label="final estimates x0")
modes = np.array([mode.x for mode in res.modes])
ax.scatter(modes[:, 0], modes[:, 1], s=120, marker="*", color="red",
           edgecolor="black", label="modes (polished)")
ax.set(xlabel="$x_1$", ylabel="$x_2$", title="Diffusion Evolution on Himmelblau's function",
       xlim=(-5, 5), ylim=(-5, 5), aspect="equal")
ax.legend(loc="lower left", framealpha=0.9)
fig.tight_layout()

# %%
# ``res.history`` records the best and the median value of every generation.
# The best value of a generation jumps around while the population is still
# noisy; the median falls steadily as the noise is removed and the population
# settles into the four basins.

fig, ax = plt.subplots(figsize=(6, 3.5))
ax.semilogy(res.history["best"], label="best of the generation")
ax.semilogy(res.history["median"], label="median of the generation")
ax.set(xlabel="generation", ylabel="f", title="Value per generation")
ax.legend()
fig.tight_layout()
plt.show()
