"""``evodiff demo``: Diffusion Evolution on 2-D problems beside the baselines, the
reinforcement-learning demos and the Max-Cut demo."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

from .. import problems
from ..optimize import minimize
from . import binary
from .common import (
    FOUND_RADIUS,
    add_no_progress,
    check_out,
    format_domain,
    format_point,
    int_at_least,
    optimize_or_exit,
)

__all__ = ["add_command", "DEMOS", "DEMO_POPSIZE", "DEMO_STEPS", "RL_TASKS"]

#: Tasks of ``evodiff demo rl --env`` (evodiff.demos.control.TASKS, without importing it).
RL_TASKS = ("CartPole-v1", "Acrobot-v1", "MountainCar-v0", "MountainCarContinuous-v0",
            "Pendulum-v1")

#: Problems of ``evodiff demo``: name -> (factory, title), in the order ``all`` runs them.
DEMOS = {
    "himmelblau": (problems.himmelblau, "Himmelblau"),
    "rastrigin": (lambda: problems.rastrigin(2), "Rastrigin"),
}

#: Defaults of ``evodiff demo`` on the 2-D problems (cartpole has its own).
DEMO_POPSIZE = 512
DEMO_STEPS = 50

#: At most this many modes are listed per problem; the rest are counted.
MAX_LISTED_MODES = 10


def add_command(commands):
    """Declare ``evodiff demo`` on ``commands`` (a subparsers action); return its parser."""
    demo = commands.add_parser(
        "demo",
        help="run Diffusion Evolution and the baselines on test problems, print what they "
             "found and save figures",
        description=(
            "Run Diffusion Evolution (evodiff.minimize, method 'diffevo') on 2-D test "
            "problems with known optima, polish every mode found with L-BFGS-B, and "
            "print the distinct optima, the best value, the evaluations used and how "
            f"many known global optima were found (within {FOUND_RADIUS} of a mode); then "
            "run CMA-ES, OpenES and PEPG on the same budget, print a comparison and save "
            "a landscape figure (64 tracked individuals per method, final answer points) "
            "and a convergence figure into --out/demo. 'cartpole' runs the paper's "
            "reinforcement-learning experiment instead."
        ),
    )
    demo.add_argument(
        "problem", nargs="?", default="all",
        choices=[*DEMOS, "all", "cartpole", "rl", "maxcut"],
        help="problem to run: himmelblau (four global minima), rastrigin (one global "
             "minimum among many local ones), all (both), or cartpole (the paper's "
             "reinforcement-learning experiment: latent Diffusion Evolution against plain "
             "Diffusion Evolution and CMA-ES on CartPole-v1; needs gymnasium), rl (the same "
             "on the classic-control task --env), or maxcut "
             "(simulated annealing and discrete Diffusion Evolution on a random 800-vertex "
             "graph, or --graph) (default: %(default)s)")
    demo.add_argument(
        "--seed", type=int_at_least(0), default=0, metavar="N",
        help="random seed, a non-negative integer; the same seed gives the same run "
             "(default: %(default)s)")
    demo.add_argument(
        "--popsize", type=int_at_least(2), default=None, metavar="N",
        help=f"population size, >= 2 (default: {DEMO_POPSIZE}; cartpole: 256; maxcut: 100 "
             "replicas of the annealer, 256 for discrete Diffusion Evolution)")
    demo.add_argument(
        "--steps", type=int_at_least(2), default=None, metavar="N",
        help="generations, i.e. points of the diffusion schedule, >= 2 "
             f"(default: {DEMO_STEPS}; cartpole: 10; maxcut: the sweeps of the annealer, "
             "default 1000, and the generations of discrete Diffusion Evolution, default 50)")
    # default None, shown as 'both': giving --network with a 2-D problem is a mistake.
    demo.add_argument(
        "--network", choices=["small", "large", "both"], default=None,
        help="cartpole and rl only: one hidden layer of 8 units (CartPole: 4-8-2, 58 "
             "parameters), two of 128 (4-128-128-2, 17,410 parameters) or both (default: both)")
    demo.add_argument(
        "--env", default=None, metavar="ID",
        help="rl only: the gymnasium task, one of " + ", ".join(RL_TASKS)
             + " (default: CartPole-v1); generations and training episodes from its preset")
    demo.add_argument(
        "--graph", default=None, metavar="PATH",
        help="maxcut only: a graph in G-set format instead of the random graph")
    demo.add_argument(
        "--out", default="evodiff-out", metavar="DIR",
        help="folder for the figures (default: %(default)s)")
    add_no_progress(demo)
    demo.set_defaults(handler=_cmd_demo, command_parser=demo)
    return demo


def _cmd_demo(args):
    """Run ``evodiff demo``: minimise each chosen problem and print a report."""
    parser = args.command_parser
    check_out(parser, args.out)
    if args.env is not None and args.problem != "rl":
        parser.error(f"argument --env: only with the rl demo; got --env {args.env!r} with "
                     f"{args.problem!r}")
    if args.problem in ("cartpole", "rl"):
        return _cmd_demo_cartpole(args)
    if args.problem == "maxcut":
        if args.network is not None:
            parser.error("argument --network: only with the cartpole and rl demos")
        return binary.demo_maxcut(args, parser)
    if args.graph is not None:
        parser.error("argument --graph: only with the maxcut demo")
    if args.network is not None:
        parser.error(f"argument --network: only with the cartpole and rl demos; got --network "
                     f"{args.network!r} with {args.problem!r}")
    args.popsize = DEMO_POPSIZE if args.popsize is None else args.popsize
    args.steps = DEMO_STEPS if args.steps is None else args.steps
    _check_comparison_budget(parser, args.popsize, args.steps)
    names = list(DEMOS) if args.problem == "all" else [args.problem]
    for i, name in enumerate(names):
        factory, title = DEMOS[name]
        problem = factory()
        start = time.perf_counter()
        res = optimize_or_exit(parser, minimize, problem, "the demo", method="diffevo",
                        popsize=args.popsize,
                        maxiter=args.steps, rng=args.seed, polish=True,
                        progress=not args.no_progress)
        elapsed = time.perf_counter() - start
        if i:
            print()
        print(_report(problem, title, res, args, elapsed))
        print(_compare_and_plot(problem, args))
    return 0


def _check_comparison_budget(parser, popsize, steps):
    """Exit with a usage error if the baselines' budget is under one of their generations."""
    from ..demos import landscapes

    # OpenES and PEPG spend Diffusion Evolution's budget in generations of this size.
    minimum = landscapes.STRATEGY_POPSIZE
    if popsize * steps < minimum:
        parser.error(f"arguments --popsize and --steps: the baselines need a budget of at "
                     f"least {minimum} evaluations; got --popsize {popsize} x --steps {steps} "
                     f"= {popsize * steps}")


def _compare_and_plot(problem, args):
    """Diffusion Evolution beside CMA-ES, OpenES and PEPG at the same budget, with figures."""
    from ..demos import landscapes

    runs = landscapes.compare(problem, popsize=args.popsize, generations=args.steps,
                              seed=args.seed)
    paths = landscapes.save_figures(problem, runs, Path(args.out) / "demo")
    lines = [f"  the same budget for the baselines ({args.popsize * args.steps} evaluations; "
             "no polishing):", landscapes.summary(problem, runs), "  figures:"]
    lines += [f"    {path}" for path in paths]
    return "\n".join(lines)


def _cmd_demo_cartpole(args):
    """Run ``evodiff demo cartpole`` and ``evodiff demo rl --env ID`` (:mod:`evodiff.demos.control`)."""
    from ..demos import control

    env_id = args.env or "CartPole-v1"
    if env_id not in control.TASKS:
        args.command_parser.error(f"argument --env: invalid choice {env_id!r} (choose from "
                                  f"{', '.join(control.TASKS)})")
    settings = control.settings_for(env_id, seed=args.seed, popsize=args.popsize,
                                    steps=args.steps)
    network = args.network or "both"
    networks = ("small", "large") if network == "both" else (network,)
    folder = "cartpole" if args.problem == "cartpole" else "rl"
    try:  # --no-progress: one line per method instead of one per generation
        control.main(networks=networks, settings=settings, out=Path(args.out) / folder,
                     report=print, per_generation=not args.no_progress)
    except ImportError as exc:  # gymnasium is an optional extra
        print(f"evodiff demo {args.problem}: {exc}", file=sys.stderr)
        return 1
    return 0


def _report(problem, title, res, args, elapsed):
    """Format the result of one demo run as aligned plain text."""
    generation_evals = int(res.history["nfev"][-1]) if len(res.history["nfev"]) else 0
    polish_evals = int(res.nfev) - generation_evals
    n_optima = problem.optima.shape[0]
    found = 0
    if res.modes:
        locations = np.array([mode.x for mode in res.modes])
        found = int(np.sum(problem.distance_to_optima(locations) < FOUND_RADIUS))
    plural = "minima" if n_optima > 1 else "minimum"

    header = (f"{title} ({problem.dim}-D) on {format_domain(problem)}: "
              f"{n_optima} global {plural} of value {problem.optimum_value:g}")
    method = (f"Diffusion Evolution, popsize {args.popsize}, {args.steps} generations, "
              f"seed {args.seed}; modes polished with L-BFGS-B")
    evaluations = (f"{res.nfev}  ({generation_evals} by the population, "
                   f"{polish_evals} by polishing)")
    lines = [
        header,
        method,
        f"  generations    {res.nit}",
        f"  evaluations    {evaluations}",
        f"  best value     {res.fun:.3e}  at {format_point(res.x)}",
        f"  global optima  {found} of {n_optima} found (within {FOUND_RADIUS} of a mode)",
        f"  time           {elapsed:.2f} s",
        f"  distinct optima (modes): {len(res.modes)}, best first",
    ]
    if res.modes:
        listed = res.modes[:MAX_LISTED_MODES]
        width = max(len(format_point(mode.x)) for mode in listed)
        lines.append(f"    {'#':>3}  {'location':<{width}}  {'value':>10}  {'support':>7}")
        for k, mode in enumerate(listed, start=1):
            mark = "*" if problem.distance_to_optima(mode.x).min() < FOUND_RADIUS else ""
            lines.append(f"    {k:>3}  {format_point(mode.x):<{width}}  {mode.fun:>10.3e}  "
                         f"{mode.support:>7.1%} {mark}".rstrip())
        hidden = len(res.modes) - len(listed)
        if hidden > 0:
            support = sum(mode.support for mode in res.modes[len(listed):])
            lines.append(f"    ... {hidden} more modes not listed (support {support:.1%} in all)")
        lines.append("    support: fraction of the final estimates in the mode; "
                     "*: a known global optimum")
    return "\n".join(lines)
