"""Shifted Rastrigin in high dimensions: Diffusion Evolution against CMA-ES, OpenES and PEPG.

Five methods on the same evaluation budget, in 32 and 256 dimensions (see
:mod:`evodiff.demos.rastrigin_highdim` for the setting and the results).
Run::

    python demos/rastrigin_highdim.py
    python demos/rastrigin_highdim.py --dims 16 64 --seeds 5
"""

import argparse

from evodiff.demos.rastrigin_highdim import DiffusionSettings, main


def parse_args(argv=None):
    """Command-line options: dimensions, seeds, budget and Diffusion Evolution's settings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dims", type=int, nargs="+", default=[32, 256],
                        help="problem dimensions (default: 32 256)")
    parser.add_argument("--seeds", type=int, default=3, help="number of seeds (default: 3)")
    parser.add_argument("--budget", type=int, default=12800,
                        help="evaluations per run, a multiple of --popsize (default: 12800)")
    parser.add_argument("--popsize", type=int, default=256,
                        help="population size of every method (default: 256)")
    parser.add_argument("--library-defaults", action="store_true",
                        help="run Diffusion Evolution with the library's defaults "
                             "(noise 0.1, rank strength 10) instead of the demo's")
    return parser.parse_args(argv)


if __name__ == "__main__":
    args = parse_args()
    settings = DiffusionSettings.library_defaults() if args.library_defaults else None
    main(dims=tuple(args.dims), seeds=args.seeds, budget=args.budget, popsize=args.popsize,
         settings=settings)
