"""Shifted Rastrigin in high dimensions: Diffusion Evolution against CMA-ES, OpenES and PEPG.

Five methods on the same evaluation budget, in 32 and 256 dimensions (see
:mod:`evodiff.demos.rastrigin_highdim` for the setting, ``docs/latent.md``
for the results).  Run from the repository root::

    python demos/rastrigin_highdim.py
    python demos/rastrigin_highdim.py --dims 16 64 --seeds 5
    python demos/rastrigin_highdim.py --markdown docs/generated/rastrigin_highdim.md.inc

The last writes the table of ``docs/latent.md`` (the default run).
"""

import argparse

from evodiff.demos.rastrigin_highdim import DiffusionSettings, main


def parse_args(argv=None):
    """Command-line options: dimensions, seeds, budget, Diffusion Evolution's settings, output."""
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
    parser.add_argument("--noise", type=float, default=None,
                        help="Diffusion Evolution's noise (default: 1, or 0.1 with "
                             "--library-defaults)")
    parser.add_argument("--rank-strength", type=float, default=None,
                        help="strength of the rank fitness (default: 100, or 10 with "
                             "--library-defaults)")
    parser.add_argument("--latent-dim", type=int, default=None,
                        help="latent dimension of the latent variant (default: 2)")
    parser.add_argument("--markdown", metavar="PATH", default=None,
                        help="also write the table as a Markdown fragment to PATH")
    return parser.parse_args(argv)


def settings_from(args):
    """The :class:`DiffusionSettings` asked for by the parsed options."""
    if args.library_defaults:
        settings = DiffusionSettings.library_defaults()
    else:
        settings = DiffusionSettings()
    for name in ("noise", "rank_strength", "latent_dim"):
        value = getattr(args, name)
        if value is not None:
            setattr(settings, name, value)
    return settings


if __name__ == "__main__":
    args = parse_args()
    main(dims=tuple(args.dims), seeds=args.seeds, budget=args.budget, popsize=args.popsize,
         settings=settings_from(args), markdown=args.markdown)
