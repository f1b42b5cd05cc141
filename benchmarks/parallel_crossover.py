"""Where parallel evaluation starts to pay: serial against 2 processes against Dask.

For each cost ``c`` of the objective per point (a ``time.sleep(c)``, so the
objective holds no CPU and the comparison measures the machinery, not the
cores), this script runs :func:`evodiff.minimize` with ``popsize`` 64 three
ways, in one process:

- ``serial``: ``workers=None``;
- ``pool(2)``: ``workers=2``, a local process pool started once per run;
- ``dask(2)``: ``workers=client`` on a ``distributed.LocalCluster`` of two
  single-threaded worker processes (skipped if ``distributed`` is missing).

It prints the cost of a point as measured in the serial runs (a short
``time.sleep`` lasts longer than asked), the median wall time per
generation (time between two calls of
the callback, so the start-up of the pool, paid once per run, is left out
and printed separately), the speed-up over serial, and the crossover: the
smallest cost per point at which each parallel mode beats serial,
interpolated between the costs measured and from a straight line
``overhead + slope * cost`` fitted to each mode.

Run::

    python benchmarks/parallel_crossover.py              # costs 0 .. 10 ms
    python benchmarks/parallel_crossover.py --quick      # fewer costs and generations
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from evodiff import minimize

COSTS_MS = [0.0, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0]
QUICK_COSTS_MS = [0.0, 0.1, 0.5, 1.0, 10.0]
POPSIZE = 64
DIM = 4


def sleepy_sphere(x, seconds):
    """The sphere function, after sleeping ``seconds`` (0: no sleep at all)."""
    if seconds > 0:
        time.sleep(seconds)
    return float(np.sum(x * x))


def time_run(workers, cost_s, generations):
    """Return (median seconds per generation, seconds before the first generation ended)."""
    stamps = []
    start = time.perf_counter()
    minimize(sleepy_sphere, bounds=[(-5, 5)] * DIM, popsize=POPSIZE, maxiter=generations + 1,
             args=(cost_s,), rng=0, workers=workers,
             callback=lambda _: stamps.append(time.perf_counter()))
    gaps = np.diff(stamps)
    return statistics.median(gaps), stamps[0] - start


def crossover(costs, speedups):
    """Smallest cost at which the speed-up passes 1, interpolated linearly (None: never)."""
    for k, (cost, speedup) in enumerate(zip(costs, speedups)):
        if speedup > 1.0:
            if k == 0:
                return cost
            c0, s0 = costs[k - 1], speedups[k - 1]
            return c0 + (1.0 - s0) * (cost - c0) / (speedup - s0)
    return None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer costs and generations")
    parser.add_argument("--generations", type=int, default=None,
                        help="generations per run (default 6, quick 4)")
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask cluster")
    options = parser.parse_args(argv)
    costs = QUICK_COSTS_MS if options.quick else COSTS_MS
    generations = options.generations or (4 if options.quick else 6)

    modes = {"serial": None, "pool(2)": 2}
    cluster = client = None
    cluster_start = 0.0
    if not options.no_dask:
        try:
            import distributed
        except ImportError:
            print("distributed is not installed: the Dask column is skipped")
        else:
            started = time.perf_counter()
            cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                               dashboard_address=None, silence_logs=40)
            client = distributed.Client(cluster)
            cluster_start = time.perf_counter() - started
            modes["dask(2)"] = client

    try:
        per_generation = {name: [] for name in modes}
        startup = {name: [] for name in modes}
        for cost in costs:
            for name, workers in modes.items():
                gen, first = time_run(workers, cost / 1000.0, generations)
                per_generation[name].append(gen)
                startup[name].append(first - gen)
    finally:
        if client is not None:
            client.close()
            cluster.close()

    names = list(modes)
    # what a point really costs: time.sleep overshoots short requests
    base = per_generation["serial"][0] if costs[0] == 0 else 0.0
    measured = [1000 * (t - base) / POPSIZE for t in per_generation["serial"]]
    print(f"minimize, popsize {POPSIZE}, D = {DIM}, {generations} generations per run; "
          f"median wall time per generation in ms (speed-up over serial)")
    header = (f"{'sleep/point':>11} {'measured':>9} "
              + " ".join(f"{name:>20}" for name in names))
    print(header)
    print("-" * len(header))
    for k, cost in enumerate(costs):
        cells = []
        for name in names:
            t = per_generation[name][k]
            ratio = per_generation["serial"][k] / t
            cells.append(f"{1000 * t:9.2f}" + ("" if name == "serial" else f" ({ratio:5.2f}x)"))
        print(f"{cost:8.2f} ms {measured[k]:6.3f} ms " + " ".join(f"{cell:>20}" for cell in cells))
    print()
    # a straight line per mode, time per generation = overhead + slope * cost per point
    serial_slope, serial_overhead = np.polyfit(measured, 1000 * np.array(per_generation["serial"]), 1)
    print(f"serial: {serial_overhead:.2f} ms per generation + {serial_slope:.1f} x cost per point")
    for name in names[1:]:
        speedups = [s / p for s, p in zip(per_generation["serial"], per_generation[name])]
        cross = crossover(measured, speedups)
        slope, overhead = np.polyfit(measured, 1000 * np.array(per_generation[name]), 1)
        model = (overhead - serial_overhead) / (serial_slope - slope)
        if name == "dask(2)":
            first = f"cluster start-up (once) {1000 * cluster_start:.0f} ms"
        else:
            extra = max(0.0, statistics.median(startup[name]) - statistics.median(startup["serial"]))
            first = f"pool start-up once per run about {1000 * extra:.0f} ms"
        where = ("never, in the costs measured" if cross is None
                 else f"from about {cross:.2f} ms per point")
        print(f"{name}: {overhead:.2f} ms per generation + {slope:.1f} x cost per point; "
              f"parallelism pays {where} (interpolated), {model:.2f} ms (straight lines); "
              f"best speed-up {max(speedups):.2f}x; {first}")


if __name__ == "__main__":
    main()
