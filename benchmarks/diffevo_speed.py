"""Per-generation cost of Diffusion Evolution against a bare kernel floor.

For each (N, D) and dtype this script times one generation of
``DiffusionEvolution`` (``ask`` + ``tell``; the objective is evaluated outside
the timed region) and, in the same run, the floor: one N x N ``exp`` plus the
two matrix products ``X @ X.T`` and ``W @ X`` on full arrays of the same
dtype, which any implementation of the estimator must do.  It prints both
times and their ratio (target: <= 1.5), the time of the N x D standard normal
draws that every generation needs for its noise (not part of the floor; at
D = 256 they cost as much as the matrix products), the ratio to floor plus
noise, then the peak memory traced during
one generation at N = 16384, D = 2 (target: < 400 MB).

Run::

    python benchmarks/diffevo_speed.py            # all sizes
    python benchmarks/diffevo_speed.py --quick    # fewer repeats
"""

from __future__ import annotations

import argparse
import statistics
import time
import tracemalloc

import numpy as np

from evodiff import DiffusionEvolution

SIZES = [(512, 2), (512, 256), (4096, 32)]
DTYPES = ["float64", "float32"]


def sphere(X):
    return np.sum(X * X, axis=1)


def time_generation(opt, values):
    start = time.perf_counter()
    opt.ask()
    opt.tell(values)
    return time.perf_counter() - start


def time_floor(X):
    start = time.perf_counter()
    logits = X @ X.T
    np.exp(logits, out=logits)
    logits @ X
    return time.perf_counter() - start


def time_noise(generator, shape, dtype):
    start = time.perf_counter()
    generator.standard_normal(shape, dtype=dtype)
    return time.perf_counter() - start


def measure(n, d, dtype, repeats):
    """Median generation time and median floor time, interleaved in one loop."""
    opt = DiffusionEvolution(dim=d, popsize=n, steps=4 * repeats + 10, rng=0, dtype=dtype)
    rng = np.random.default_rng(1)
    X = (rng.standard_normal((n, d)) / np.sqrt(d)).astype(dtype)
    generation, floor, noise = [], [], []
    for i in range(repeats + 2):
        values = sphere(opt.ask())
        t_gen = time_generation(opt, values)
        t_floor = time_floor(X)
        t_noise = time_noise(rng, (n, d), dtype)
        if i >= 2:  # warm-up
            generation.append(t_gen)
            floor.append(t_floor)
            noise.append(t_noise)
    return statistics.median(generation), statistics.median(floor), statistics.median(noise)


def peak_memory(n=16384, d=2, dtype="float64"):
    """Peak bytes traced (tracemalloc) during one ask + tell."""
    opt = DiffusionEvolution(dim=d, popsize=n, steps=5, rng=0, dtype=dtype)
    values = sphere(opt.ask())
    tracemalloc.start()
    opt.ask()
    opt.tell(values)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 repeats instead of 15")
    args = parser.parse_args(argv)
    repeats = 3 if args.quick else 15
    print(f"{'N':>6} {'D':>5} {'dtype':>8} {'generation ms':>14} {'floor ms':>10} "
          f"{'ratio':>7} {'noise ms':>9} {'ratio to floor+noise':>21}")
    worst = worst_with_noise = 0.0
    for n, d in SIZES:
        for dtype in DTYPES:
            gen, floor, noise = measure(n, d, dtype, repeats)
            ratio, ratio_noise = gen / floor, gen / (floor + noise)
            worst, worst_with_noise = max(worst, ratio), max(worst_with_noise, ratio_noise)
            print(f"{n:>6} {d:>5} {dtype:>8} {gen * 1e3:>14.3f} {floor * 1e3:>10.3f} "
                  f"{ratio:>7.2f} {noise * 1e3:>9.3f} {ratio_noise:>21.2f}")
    print(f"worst ratio to the floor: {worst:.2f} (target <= 1.5); to the floor plus the "
          f"N x D normal draws every generation needs: {worst_with_noise:.2f}")
    peak = peak_memory()
    print(f"peak memory of one generation at N=16384, D=2, float64: {peak / 2**20:.1f} MiB "
          "(target < 400 MB)")


if __name__ == "__main__":
    main()
