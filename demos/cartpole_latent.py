"""Evolve CartPole-v1 controllers with latent Diffusion Evolution (the paper's RL experiment).

Runs latent Diffusion Evolution, plain Diffusion Evolution and CMA-ES on the
4-8-2 network (58 parameters) and the 4-128-128-2 network (17,410 parameters),
population 256 (``--popsize 512`` for the larger setting), 10 generations;
prints the median and best return of every generation, the returns of the
final solutions on unseen episodes, and saves a plot of the median return per
generation.  The same as ``evodiff demo cartpole``.  Needs gymnasium::

    pip install -e '.[rl]'
    python demos/cartpole_latent.py --network small --out evodiff-out
"""

import argparse
from pathlib import Path

from evodiff.demos import cartpole


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--network", choices=["small", "large", "both"], default="both")
    parser.add_argument("--popsize", type=int, default=256, choices=[256, 512])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="evodiff-out", help="folder for the plot")
    return parser.parse_args()


if __name__ == "__main__":
    args = parse_args()
    settings = cartpole.CartPoleSettings(popsize=args.popsize, seed=args.seed)
    networks = ("small", "large") if args.network == "both" else (args.network,)
    cartpole.main(networks=networks, settings=settings, out=Path(args.out) / "cartpole")
