"""The sweep that chose the annealer's automatic temperature range (HOT, COLD).

Run from the repository root::

    OPENBLAS_NUM_THREADS=1 python benchmarks/binary_beta_sweep.py

Tuning instances only, none of those reported in ``docs/benchmarks_binary.md``:
random graphs G(400, 0.06) of seeds 100-101 and Sherrington-Kirkpatrick N = 200
of seeds 100-101, 300 sweeps x 16 reads.  Prints the mean read (cut, energy per
spin) for every pair.  Measured 2026-12-03: (0.4, 40) gave the best mean cut
(3112.7) and an SK mean of -0.7301 (best -0.7311 at (1, 40)).
"""

import numpy as np

import evodiff
import evodiff.binary.annealing as annealing
from evodiff.binary import sherrington_kirkpatrick
from evodiff.binary.generators import random_graph


def main():
    graphs = [random_graph(400, 0.06, 100 + seed) for seed in range(2)]
    glasses = [sherrington_kirkpatrick(200, rng=100 + seed) for seed in range(2)]
    print("HOT  COLD  mean cut  mean SK energy per spin")
    for hot in (0.1, 0.4, 1.0):
        for cold in (10.0, 40.0, 100.0):
            annealing.HOT, annealing.COLD = hot, cold
            cut = np.mean([np.mean(g.cut(evodiff.maximize(g, popsize=16, maxiter=300,
                                                             rng=1).population))
                           for g in graphs])
            energy = np.mean([np.mean(p.energy(evodiff.minimize(p, popsize=16, maxiter=300,
                                                                  rng=1).population)) / p.n
                              for p in glasses])
            print(f"{hot:4.1f} {cold:5.0f} {cut:9.1f} {energy:10.4f}", flush=True)


if __name__ == "__main__":
    main()
