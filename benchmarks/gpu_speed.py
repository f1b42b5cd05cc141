"""Diffusion Evolution and CMA-ES per generation: NumPy on the CPU against CuPy on a GPU.

Times, in one run, one generation (``ask`` + ``tell``, the objective evaluated
outside the timed region on the same device) of Diffusion Evolution at
N = 4096, 16384 and 65536 with D = 32, and of CMA-ES at n = 1000 (default
population and 512), in float32, on the NumPy backend and on the CuPy
backend.  GPU times are taken after ``synchronize()``.  Without CuPy or a GPU
the CuPy column says so and only the CPU is measured.

Run::

    python benchmarks/gpu_speed.py                 # every size
    python benchmarks/gpu_speed.py --cpu-max 16384 # skip CPU runs above this N (minutes each)
"""

from __future__ import annotations

import argparse
import statistics
import time

from evodiff import CMAES, DiffusionEvolution

DE_SIZES = [4096, 16384, 65536]
DE_DIM = 32
CMAES_DIM = 1000


def _gpu_available():
    try:
        import cupy

        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:
        return False


def _synchronize(backend_name):
    if backend_name == "cupy":
        import cupy

        cupy.cuda.Stream.null.synchronize()


def _time_generations(opt, backend_name, repeats):
    xp = opt.xp
    times = []
    for i in range(repeats + 1):
        X = opt.ask()
        values = xp.sum(X * X, axis=1)
        _synchronize(backend_name)
        start = time.perf_counter()
        opt.ask()
        opt.tell(values)
        _synchronize(backend_name)
        if i:  # the first generation warms up kernels and caches
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def diffusion_generation(n, backend_name, repeats):
    """Median seconds per Diffusion Evolution generation at population ``n``, D = 32."""
    opt = DiffusionEvolution(dim=DE_DIM, popsize=n, steps=repeats + 3, rng=0, dtype="float32",
                             backend=backend_name)
    return _time_generations(opt, backend_name, repeats)


def cmaes_generation(popsize, backend_name, repeats):
    """Mean seconds per CMA-ES generation at n = 1000 over a block that includes eigendecompositions."""
    opt = CMAES(dim=CMAES_DIM, popsize=popsize, rng=0, dtype="float32", backend=backend_name)
    return _time_generations(opt, backend_name, repeats)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cpu-max", type=int, default=65536,
                        help="largest population timed on the CPU (default: all)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    gpu = _gpu_available()
    print(f"GPU available: {gpu}")
    print(f"{'case':<36} {'numpy CPU ms':>13} {'cupy GPU ms':>12} {'speed-up':>9}")
    cases = [(f"Diffusion Evolution N={n} D={DE_DIM}", diffusion_generation, n, n <= args.cpu_max)
             for n in DE_SIZES]
    cases += [(f"CMA-ES n={CMAES_DIM} popsize={p or 'default'}", cmaes_generation, p, True)
              for p in (None, 512)]
    for label, function, size, on_cpu in cases:
        cpu = function(size, "numpy", args.repeats) if on_cpu else float("nan")
        device = function(size, "cupy", args.repeats) if gpu else float("nan")
        ratio = cpu / device if gpu and on_cpu else float("nan")
        print(f"{label:<36} {cpu * 1e3:>13.2f} {device * 1e3:>12.2f} {ratio:>9.1f}")


if __name__ == "__main__":
    main()
