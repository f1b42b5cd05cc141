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

    python benchmarks/diffevo_speed.py            # all sizes, about a minute on 2 cores
    python benchmarks/diffevo_speed.py --quick    # fewer repeats
    python benchmarks/diffevo_speed.py --markdown docs/performance_tables
                                                  # also write the table of docs/performance.md

With ``--markdown DIR`` the table and the two summary lines are also written
as the MyST fragment ``DIR/diffevo_speed.md.inc``, which
``docs/performance.md`` includes.
"""

from __future__ import annotations

import argparse
import statistics
import time
import tracemalloc

import numpy as np
from markdown_fragment import load_average, markdown_table, run_line, script_command, write_fragment

from evodiff import DiffusionEvolution

SIZES = [(512, 2), (512, 256), (4096, 32)]
DTYPES = ["float64", "float32"]


def sphere(X):
    """Sum of squares of each row of ``X`` (the cheap objective, never timed)."""
    return np.sum(X * X, axis=1)


def time_generation(opt, values):
    """Seconds of one ``ask`` + ``tell`` of ``opt``, told the given ``values``."""
    start = time.perf_counter()
    opt.ask()
    opt.tell(values)
    return time.perf_counter() - start


def time_floor(X):
    """Seconds of the floor on ``X``: ``X @ X.T``, its ``exp`` in place, its product with ``X``."""
    start = time.perf_counter()
    logits = X @ X.T
    np.exp(logits, out=logits)
    logits @ X
    return time.perf_counter() - start


def time_noise(generator, shape, dtype):
    """Seconds of one array of standard normal draws of ``shape`` and ``dtype``."""
    start = time.perf_counter()
    generator.standard_normal(shape, dtype=dtype)
    return time.perf_counter() - start


def measure(n, d, dtype, repeats):
    """Median generation, floor and noise times, interleaved in one loop.

    Parameters
    ----------
    n, d : int
        Population size and dimension.
    dtype : {'float64', 'float32'}
    repeats : int
        Timed generations, after two untimed ones.

    Returns
    -------
    generation, floor, noise : float
        Median seconds of each.
    """
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


def ms(seconds):
    """Milliseconds with about three significant digits (``221.1``, ``3.64``, ``0.04``)."""
    value = seconds * 1e3
    return f"{value:.1f}" if value >= 100 else f"{value:.2f}"


def main(argv=None):
    """Command-line entry point.

    Parameters
    ----------
    argv : list of str, optional
        Arguments; ``sys.argv[1:]`` if omitted.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 repeats instead of 15")
    parser.add_argument("--markdown", metavar="DIR",
                        help="also write the results as DIR/diffevo_speed.md.inc "
                             "(e.g. docs/performance_tables)")
    args = parser.parse_args(argv)
    started, start_load = time.localtime(), load_average()
    repeats = 3 if args.quick else 15
    print(f"{'N':>6} {'D':>5} {'dtype':>8} {'generation ms':>14} {'floor ms':>10} "
          f"{'ratio':>7} {'noise ms':>9} {'ratio to floor+noise':>21}")
    worst = worst_with_noise = 0.0
    rows = []
    for n, d in SIZES:
        for dtype in DTYPES:
            gen, floor, noise = measure(n, d, dtype, repeats)
            ratio, ratio_noise = gen / floor, gen / (floor + noise)
            worst, worst_with_noise = max(worst, ratio), max(worst_with_noise, ratio_noise)
            print(f"{n:>6} {d:>5} {dtype:>8} {gen * 1e3:>14.3f} {floor * 1e3:>10.3f} "
                  f"{ratio:>7.2f} {noise * 1e3:>9.3f} {ratio_noise:>21.2f}", flush=True)
            rows.append((n, d, dtype, ms(gen), ms(floor), f"{ratio:.2f}", ms(noise),
                         f"{ratio_noise:.2f}"))
    print(f"worst ratio to the floor: {worst:.2f} (target <= 1.5); to the floor plus the "
          f"N x D normal draws every generation needs: {worst_with_noise:.2f}")
    peak = peak_memory()
    print(f"peak memory of one generation at N=16384, D=2, float64: {peak / 2**20:.1f} MiB "
          "(target < 400 MB)")
    if args.markdown:
        note = f"median of {repeats} generations per row" + (" (--quick)" if args.quick else "")
        table = markdown_table(("N", "D", "dtype", "generation (ms)", "floor (ms)", "ratio",
                                "noise (ms)", "ratio to floor + noise"), rows, "rrlrrrrr")
        summary = (f"Worst ratio to the floor: **{worst:.2f}** (target <= 1.5); to the floor "
                   f"plus the noise: **{worst_with_noise:.2f}**.  Peak memory traced during one "
                   f"generation at N = 16384, D = 2, float64: **{peak / 2**20:.1f} MiB** "
                   "(target < 400 MB).")
        blocks = [run_line(start_load, note, started), table, summary]
        write_fragment(args.markdown, "diffevo_speed", blocks,
                       command=script_command("benchmarks/diffevo_speed.py", argv))

if __name__ == "__main__":
    main()
