"""Per-generation overhead of evodiff's CMA-ES against the reference pycma.

For each dimension n in (10, 100, 500) and population size lambda (the default
``4 + floor(3 ln n)``, which both implementations use, and 512) this script
runs evodiff's :class:`~evodiff.CMAES` and pycma's ``cma.CMAEvolutionStrategy``
side by side on the sphere function, both in float64 on NumPy, from the same
start point (zeros) with the same initial step size (1.0), and times one
generation of each: ``ask`` plus ``tell``.  The objective (and, for pycma,
turning its list of candidate solutions into one array) is evaluated outside
the timed region, so the times are the optimisers' own overhead.

The two optimisers are interleaved generation by generation in one loop, and
the one that goes first alternates, so that a change in the machine's load
hits both alike.  pycma runs quietly with its algorithmic defaults: no
console output, no data logging, no plotting (``verbose=-9``, ``verb_disp=0``,
``verb_log=0``, ``verb_plot=0``) and no options file (``signals_filename``
empty; pycma only reads it in ``stop``, which is not timed here anyway).
Note that from n = 300 on pycma's default step-size rule is two-point
adaptation (TPA, two extra samples along the last mean shift) instead of the
cumulative step-size adaptation (CSA) that evodiff uses; forcing pycma to CSA
(``AdaptSigma=cma.sigma_adaptation.CMAAdaptSigmaCSA``) changed its time per
generation at n = 500 by less than 10 %, so the default is kept.

Both implementations decompose the covariance matrix lazily, every
``1 / (c1 + cmu) / n / 10`` generations (evodiff rounds this gap down, pycma
waits until it has passed, that is, rounds it up).  The decomposition is the
dominant cost at large n, so the reported time is the **mean** over a fixed
block of generations (a median would leave the decomposing generations out):
after a warm-up, the block covers a whole number of common periods of the
two cadences and at least three, and every printed row is the mean of the
per-generation times of that block.  The cadence of each (``eig every``) is
printed beside the times.

OpenBLAS (or another threaded BLAS) makes ``eigh`` very sensitive to other
processes on the machine: on two cores shared with another busy process,
a 500 x 500 ``eigh`` can take a hundred times longer than on an idle machine.
Run it on a quiet machine, or set ``OPENBLAS_NUM_THREADS=1`` for a steadier
(single-core) comparison.

Run::

    python benchmarks/baselines_speed.py            # all sizes, about 20 s on 2 idle cores
    python benchmarks/baselines_speed.py --quick    # a smoke run, about 3 s
    python benchmarks/baselines_speed.py --markdown docs/performance_tables
                                                    # also write the table of docs/performance.md

With ``--markdown DIR`` the table and the verdict are also written as the
MyST fragment ``DIR/baselines_speed.md.inc``, which ``docs/performance.md``
includes.

pycma (``pip install cma``) is needed; it is not a dependency of evodiff.
"""

from __future__ import annotations

import argparse
import gc
import math
import time

import numpy as np
from markdown_fragment import load_average, markdown_table, run_line, script_command, write_fragment

from evodiff import CMAES

DIMENSIONS = [10, 100, 500]
POPSIZES = [None, 512]  # None: the default 4 + floor(3 ln n)
# Timed generations (before rounding up to whole cadence periods) per (n, default popsize?).
GENERATIONS = {
    (10, True): 500, (100, True): 400, (500, True): 200,
    (10, False): 300, (100, False): 150, (500, False): 60,
}
WARMUP = 10


def sphere(X):
    """Sum of squares of each row of ``X`` (the cheap objective, never timed)."""
    return np.sum(X * X, axis=1)


def make_cma(n, popsize, seed):
    """A quiet pycma strategy with its default algorithm, started at zeros with sigma 1."""
    import cma

    options = {
        "popsize": popsize,
        "seed": seed,
        "verbose": -9,
        "verb_disp": 0,
        "verb_log": 0,
        "verb_plot": 0,
        "signals_filename": "",
    }
    return cma.CMAEvolutionStrategy(np.zeros(n), 1.0, options)


def evodiff_cadence(opt):
    """Generations between two eigendecompositions in evodiff (once the gap has passed)."""
    return math.floor(opt.params.eigen_gap) + 1


def cma_cadence(es):
    """Generations between two eigendecompositions in pycma (its lazy update gap, rounded up)."""
    gap = float(es.sm.lazy_update_gap)
    return max(1, math.ceil(gap))


def evodiff_generation(opt):
    """Time one ``ask`` + ``tell`` of evodiff's CMAES; the sphere in between is not timed."""
    start = time.perf_counter()
    X = opt.ask()
    asked = time.perf_counter()
    values = sphere(X)
    resumed = time.perf_counter()
    opt.tell(values)
    return (asked - start) + (time.perf_counter() - resumed)


def cma_generation(es):
    """Time one ``ask`` + ``tell`` of pycma; the sphere is evaluated in between, untimed."""
    start = time.perf_counter()
    X = es.ask()
    asked = time.perf_counter()
    values = sphere(np.asarray(X))
    resumed = time.perf_counter()
    es.tell(X, values)
    return (asked - start) + (time.perf_counter() - resumed)


def block_length(target, cadences):
    """The smallest whole number of common periods of ``cadences`` that is >= ``target``
    and covers at least three periods of each."""
    period = math.lcm(*cadences)
    least = max(target, 3 * max(cadences))
    return period * math.ceil(least / period)


def measure(n, popsize, target, seed=1):
    """Mean seconds per generation of evodiff and pycma over one interleaved block.

    Parameters
    ----------
    n : int
        Dimension.
    popsize : int or None
        Population size (``None``: the default of both, ``4 + floor(3 ln n)``).
    target : int
        Wanted number of timed generations, rounded up to whole cadence periods.
    seed : int, default 1
        Seed of both optimisers.

    Returns
    -------
    dict
        ``popsize``, ``generations`` (timed), ``evodiff`` and ``cma`` (mean
        seconds per generation) and the cadences ``eig_evodiff`` and
        ``eig_cma``.
    """
    opt = CMAES(x0=np.zeros(n), sigma0=1.0, popsize=popsize, rng=seed, dtype="float64")
    es = make_cma(n, opt.popsize, seed)
    cadences = (evodiff_cadence(opt), cma_cadence(es))
    generations = block_length(target, cadences)
    times = {"evodiff": 0.0, "cma": 0.0}
    gc.collect()
    for i in range(WARMUP + generations):
        pair = [("evodiff", evodiff_generation, opt), ("cma", cma_generation, es)]
        if i % 2:
            pair.reverse()
        for name, step, optimiser in pair:
            elapsed = step(optimiser)
            if i >= WARMUP:
                times[name] += elapsed
    return {
        "popsize": opt.popsize,
        "generations": generations,
        "evodiff": times["evodiff"] / generations,
        "cma": times["cma"] / generations,
        "eig_evodiff": cadences[0],
        "eig_cma": cadences[1],
    }


def main(argv=None):
    """Command-line entry point.

    Parameters
    ----------
    argv : list of str, optional
        Arguments; ``sys.argv[1:]`` if omitted.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="a tenth of the generations (at least three eigen periods)")
    parser.add_argument("--markdown", metavar="DIR",
                        help="also write the results as DIR/baselines_speed.md.inc "
                             "(e.g. docs/performance_tables)")
    args = parser.parse_args(argv)
    import cma

    started, start_load = time.localtime(), load_average()
    print(f"evodiff CMAES against pycma {cma.__version__}; mean ms per generation (ask + tell, "
          "objective excluded), float64, NumPy")
    print(f"{'n':>5} {'popsize':>8} {'gens':>5} {'eig every':>10} {'evodiff ms':>11} "
          f"{'pycma ms':>9} {'ratio':>7}")
    ratios, rows = [], []
    for n in DIMENSIONS:
        for popsize in POPSIZES:
            target = GENERATIONS[(n, popsize is None)]
            if args.quick:
                target = max(1, target // 10)
            row = measure(n, popsize, target)
            ratio = row["evodiff"] / row["cma"]
            ratios.append((ratio, n, row["popsize"]))
            cadence = f"{row['eig_evodiff']} / {row['eig_cma']}"
            print(f"{n:>5} {row['popsize']:>8} {row['generations']:>5} {cadence:>10} "
                  f"{row['evodiff'] * 1e3:>11.3f} {row['cma'] * 1e3:>9.3f} {ratio:>7.2f}",
                  flush=True)
            rows.append((n, row["popsize"], row["generations"], cadence,
                         f"{row['evodiff'] * 1e3:.3f}", f"{row['cma'] * 1e3:.3f}", f"{ratio:.2f}"))
    worst, n, popsize = max(ratios)
    if worst < 1.0:
        verdict = (f"evodiff has lower overhead than pycma at every size (ratio = evodiff / "
                   f"pycma, worst {worst:.3f} at n = {n}, popsize {popsize}).")
    else:
        verdict = (f"evodiff does NOT have lower overhead at every size: ratio {worst:.3f} at "
                   f"n = {n}, popsize {popsize} (ratio = evodiff / pycma; below 1 is faster).")
    print(verdict)
    if args.markdown:
        note = f"pycma {cma.__version__}" + ("; quick mode (--quick)" if args.quick else "")
        table = markdown_table(("n", "popsize", "generations", "eig every", "evodiff (ms)",
                                "pycma (ms)", "ratio"), rows, "rrrrrrr")
        blocks = [run_line(start_load, note, started), table, verdict.replace("NOT", "**not**")]
        write_fragment(args.markdown, "baselines_speed", blocks,
                       command=script_command("benchmarks/baselines_speed.py", argv))

if __name__ == "__main__":
    main()
