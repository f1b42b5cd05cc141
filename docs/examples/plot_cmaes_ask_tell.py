"""
An ask/tell loop with CMA-ES
============================

Every optimiser of evodiff has the same ask/tell interface: ``ask()``
returns the points to evaluate, ``tell()`` takes their values.  Driving the
loop yourself lets you evaluate the points however you like, log anything,
and stop when you decide.  Here :class:`~evodiff.algorithms.cmaes.CMAES`
minimises the 10-D Rosenbrock function from the origin, and the loop ends
when one of CMA-ES's stopping rules fires (here ``ftarget``).
"""

import matplotlib.pyplot as plt
import numpy as np

from evodiff import CMAES
from evodiff.problems import rosenbrock

f = rosenbrock(10)  # vectorised: (N, 10) -> (N,); minimum 0 at (1, ..., 1)
opt = CMAES(x0=np.zeros(10), sigma0=0.5, rng=0, ftarget=1e-10)

best, sigma = [], []
while opt.stop_reason() is None:
    X = opt.ask()           # (popsize, 10) points
    opt.tell(f(X))          # (popsize,) values
    best.append(opt.best_fun)
    sigma.append(opt.sigma)

print(opt.stop_reason())
print(f"{opt.nit} generations, {opt.nfev} evaluations, population {opt.popsize}")
print("best point:", np.round(opt.best_x, 5))

# %%
# The best value so far and the step size per generation.  The step size
# drops at first, stays nearly constant while CMA-ES learns the shape of the
# curved valley in its covariance matrix, then shrinks steadily as the search
# converges to the minimum.

fig, ax = plt.subplots(figsize=(6, 3.8))
ax.semilogy(best, label="best value so far")
ax.semilogy(sigma, label="step size sigma (normalised)")
ax.set(xlabel="generation", title="CMA-ES on the 10-D Rosenbrock function")
ax.legend()
fig.tight_layout()
plt.show()

# %%
# The same run through the front door: ``minimize`` runs this loop and
# reports the stopping rule in ``res.message``.

import evodiff  # noqa: E402

res = evodiff.minimize(f, x0=np.zeros(10), sigma=0.5, method="cmaes", vectorized=True,
                       rng=0, options={"ftarget": 1e-10})
print(res.message, res.nfev)
