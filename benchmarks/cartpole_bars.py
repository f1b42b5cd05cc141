"""The CartPole bars of latent Diffusion Evolution over 5 run seeds (the CI test in full).

For each of the paper's networks (4-8-2 and 4-128-128-2; their parameter
counts are printed, read from :class:`evodiff.rl.PolicyEvaluator`),
population 256, 10 schedule points, runs latent and plain Diffusion
Evolution (and CMA-ES on the small network) for run seeds 0-4 and prints,
per run, the median over the final solutions of their mean return on 5
unseen episodes.  Bars: small network, latent: 500 in at least 4 of 5
seeds; large network, latent: at least 250 in at least 4 of 5 seeds.

Run::

    python benchmarks/cartpole_bars.py            # both networks, 5 seeds (about 4 minutes)
    python benchmarks/cartpole_bars.py --seeds 2  # fewer seeds
"""

import argparse

import numpy as np
from evodiff.demos.cartpole import NETWORKS, CartPoleSettings, run_method

from evodiff.registry import method_label
from evodiff.rl import PolicyEvaluator

BARS = {"small": (500.0, 4), "large": (250.0, 4)}


def num_params(network):
    """Number of weights of one of the demo's CartPole networks."""
    evaluator = PolicyEvaluator("CartPole-v1", hidden_sizes=NETWORKS[network])
    evaluator.close()
    return evaluator.dim


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--networks", nargs="+", default=list(NETWORKS), choices=list(NETWORKS))
    args = parser.parse_args(argv)
    for network in args.networks:
        methods = ("latent-diffevo", "diffevo")
        if network == "small":
            methods += ("cmaes",)
        scores = {m: [] for m in methods}
        for seed in range(args.seeds):
            for method in methods:
                result = run_method(method, NETWORKS[network], CartPoleSettings(seed=seed),
                                    report=None)
                scores[method].append(result.test_median)
        threshold, needed = BARS[network]
        print(f"{network} network ({num_params(network):,} parameters), "
              f"test median return per run seed:")
        for method, values in scores.items():
            print(f"  {method_label(method):<26} {np.round(values, 1).tolist()}  "
                  f"median {np.median(values):.1f}")
        passed = sum(v >= threshold for v in scores["latent-diffevo"])
        scaled_needed = needed if args.seeds == 5 else int(np.ceil(needed * args.seeds / 5))
        verdict = "met" if passed >= scaled_needed else "NOT met"
        print(f"  bar (latent >= {threshold:g} in >= {scaled_needed} of {args.seeds}): "
              f"{passed} -> {verdict}")


if __name__ == "__main__":
    main()
