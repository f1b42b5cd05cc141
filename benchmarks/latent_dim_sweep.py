"""How the latent dimension d changes latent Diffusion Evolution, for the guide's advice.

Runs latent Diffusion Evolution with a random projection to d = 1, 2, 4, 8, 16
dimensions (and plain Diffusion Evolution, d = D) on the shifted sphere and
the shifted Rastrigin function in 32 dimensions (population 256, 50 schedule
points, default settings) over 3 seeds, prints the median best value per d
and saves a figure of it.

Run::

    python benchmarks/latent_dim_sweep.py --out docs/figures
"""

import argparse
from pathlib import Path

import numpy as np

from evodiff import minimize, problems
from evodiff.plotting import series_plot

LATENT_DIMS = [1, 2, 4, 8, 16]


def sweep(dim=32, seeds=3, popsize=256, steps=50):
    """Median best value per latent dimension; ``None`` stands for plain Diffusion Evolution."""
    results = {}
    for name, factory in (("sphere", problems.sphere), ("rastrigin", problems.rastrigin)):
        rows = {}
        for d in [*LATENT_DIMS, None]:
            values = []
            for seed in range(seeds):
                f = problems.random_shift(factory(dim), rng=100 + seed)
                res = minimize(f, bounds=f.bounds, vectorized=True, popsize=popsize, maxiter=steps,
                               rng=seed, latent=None if d is None else "random",
                               options=None if d is None else {"latent_dim": d})
                values.append(res.fun)
            rows[d] = float(np.median(values))
        results[name] = rows
    return results


def plot(results, dim, path, seeds=3):
    """Median best value against the latent dimension, plain Diffusion Evolution as dashed lines."""
    series = {}
    for name, rows in results.items():
        dims = [d for d in rows if d is not None]
        series[f"{name}, latent"] = (dims, [rows[d] for d in dims])
        series[f"{name}, plain (d = D = {dim})"] = rows[None]
    panels = {f"Latent Diffusion Evolution, shifted functions in {dim}-D": series}
    return series_plot(panels, path, xlabel="latent dimension d",
                       ylabel=f"median best value ({seeds} seeds)", log=True, log_x=2,
                       figsize=(6, 4))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dim", type=int, default=32)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--out", default="evodiff-out")
    args = parser.parse_args(argv)
    results = sweep(args.dim, args.seeds)
    print(f"median best value, {args.dim}-D, population 256, 50 points, {args.seeds} seeds")
    print(f"{'d':>6} " + " ".join(f"{name:>12}" for name in results))
    for d in [*LATENT_DIMS, None]:
        label = "plain" if d is None else str(d)
        print(f"{label:>6} " + " ".join(f"{results[name][d]:>12.4g}" for name in results))
    path = Path(args.out) / "latent_dim_sweep.png"
    plot(results, args.dim, path, args.seeds)
    print(f"figure: {path}")


if __name__ == "__main__":
    main()
