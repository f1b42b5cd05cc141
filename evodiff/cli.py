"""The ``evodiff`` command.

Usage::

    evodiff demo [rastrigin|himmelblau|all] [--seed N] [--popsize N] [--steps N] [--no-progress]
    evodiff demo cartpole [--network small|large|both] [--seed N] [--popsize N] [--steps N]
    evodiff demo rl --env ID [--network small|large|both] [--seed N] [--popsize N] [--steps N]
                          [--out DIR]
    evodiff bench [--suite paper|standard|standard-shifted] [--methods M ...]
                  [--problems P ...] [--runs N] [--jobs J] [--out DIR] [--no-figures]
                  [--no-progress]
    evodiff bench --suite cec2013-niching [--methods M ...] [--problems F ...] [--runs N]
                  [--seed S] [--jobs J] [--out DIR] [--no-figures] [--no-progress]
    evodiff bench --suite bbob [--methods M ...] [--dimensions D ...] [--functions F ...]
                  [--instances I ...] [--budget-multiplier B] [--seed S] [--jobs J]
                  [--out DIR] [--overwrite] [--no-figures] [--no-progress]
    evodiff run PROBLEM [--method M] [--dim D] [--popsize N] [--maxiter N] [--seed N]
                        [--shift] [--latent random|pca] [--polish] [--no-progress]
    evodiff run maxcut --graph PATH | qubo --file PATH [--method anneal|binary-diffevo]
                        [--popsize N] [--maxiter N] [--seed N] [--best-known V] [--polish]
    evodiff demo maxcut [--graph PATH] [--seed N] [--popsize N] [--steps N] [--out DIR]

Each subcommand has a builder ``_add_<name>_command(commands)`` that declares
its subparser and a handler ``_cmd_<name>(args) -> int`` that runs it, so new
subcommands do not touch the existing ones.  Method names come from
:mod:`evodiff.registry`, so a method registered there works with ``--method``
and ``--methods`` too.

Argument mistakes are reported by argparse (exit code 2, a one-line message
naming the bad value, no traceback): the values argparse checks itself, and
those only the library can judge (a population PEPG cannot pair, a dimension
a problem does not have), which are found by building the problem and the
optimiser before anything is evaluated.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from . import __version__, problems, registry
from .algorithms.base import Optimizer
from .binary import commands as binary_commands
from .optimize import maximize, minimize
from .randomness import spawn_generators
from .validation import refuse_footprint

__all__ = ["build_parser", "main"]

#: Tasks of ``evodiff demo rl --env`` (evodiff.demos.control.TASKS, without importing it).
_RL_TASKS = ("CartPole-v1", "Acrobot-v1", "MountainCar-v0", "MountainCarContinuous-v0",
             "Pendulum-v1")

#: Problems of ``evodiff demo``: name -> (factory, title), in the order ``all`` runs them.
DEMOS = {
    "himmelblau": (problems.himmelblau, "Himmelblau"),
    "rastrigin": (lambda: problems.rastrigin(2), "Rastrigin"),
}

#: Defaults of ``evodiff demo`` on the 2-D problems (cartpole has its own).
DEMO_POPSIZE = 512
DEMO_STEPS = 50

#: The methods that take ``evodiff run --latent``.
LATENT_METHODS = ("auto", "diffevo", "latent-diffevo", "diffevo-restarts")

#: A known optimum counts as found when a mode lies within this distance of it.
FOUND_RADIUS = 0.1

#: At most this many modes are listed per problem; the rest are counted.
MAX_LISTED_MODES = 10


def _int_at_least(minimum):
    """Return an argparse ``type`` that accepts integers ``>= minimum``."""
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected an integer >= {minimum}; got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(
                f"expected an integer >= {minimum}; got {text!r}")
        return value
    parse.__name__ = f"integer >= {minimum}"
    return parse


def _one_line(exc):
    """The message of ``exc`` on one line (usage errors are one line)."""
    return " ".join(str(exc).split())


def _add_no_progress(parser):
    """Declare the ``--no-progress`` flag that every subcommand has."""
    parser.add_argument("--no-progress", action="store_true",
                        help="do not show the progress bar (it is written to stderr)")


def _add_demo_command(commands):
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
        "--seed", type=_int_at_least(0), default=0, metavar="N",
        help="random seed, a non-negative integer; the same seed gives the same run "
             "(default: %(default)s)")
    demo.add_argument(
        "--popsize", type=_int_at_least(2), default=None, metavar="N",
        help=f"population size, >= 2 (default: {DEMO_POPSIZE}; cartpole: 256; maxcut: 100 "
             "replicas of the annealer, 256 for discrete Diffusion Evolution)")
    demo.add_argument(
        "--steps", type=_int_at_least(2), default=None, metavar="N",
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
        help="rl only: the gymnasium task, one of " + ", ".join(_RL_TASKS)
             + " (default: CartPole-v1); generations and training episodes from its preset")
    demo.add_argument(
        "--graph", default=None, metavar="PATH",
        help="maxcut only: a graph in G-set format instead of the random graph")
    demo.add_argument(
        "--out", default="evodiff-out", metavar="DIR",
        help="folder for the figures (default: %(default)s)")
    _add_no_progress(demo)
    demo.set_defaults(handler=_cmd_demo, command_parser=demo)
    return demo


def _add_run_command(commands):
    """Declare ``evodiff run`` on ``commands`` (a subparsers action); return its parser."""
    run = commands.add_parser(
        "run",
        help="one optimisation of a benchmark problem, with a progress bar and a summary",
        description=(
            "Minimise (or maximise, for maximisation problems such as two_peaks) one problem "
            "of evodiff.problems with one method and print the result: best value and point, "
            "evaluations, generations, the stopping message and the distinct optima found."
        ),
    )
    run.add_argument("problem", choices=[*sorted(problems.PROBLEMS),
                                         *binary_commands.BINARY_PROBLEMS],
                     help="benchmark problem (evodiff.problems), or maxcut (--graph PATH) or "
                          "qubo (--file PATH) for a binary problem read from a file")
    run.add_argument("--method", choices=["auto", *registry.method_names(),
                                          *registry.method_names("binary")], default="auto",
                     help="optimisation method, any of evodiff.registry; anneal and "
                          "binary-diffevo for maxcut and qubo (default: %(default)s)")
    run.add_argument("--dim", type=_int_at_least(1), default=None, metavar="D",
                     help="dimension (default: 2; beale and himmelblau are 2-D only)")
    run.add_argument("--popsize", type=_int_at_least(2), default=None, metavar="N",
                     help="population size (default: the method's)")
    run.add_argument("--maxiter", type=_int_at_least(2), default=None, metavar="N",
                     help="generations (default: the method's)")
    run.add_argument("--seed", type=_int_at_least(0), default=0, metavar="N",
                     help="random seed of the run; the shift and the optimiser draw from two "
                          "independent streams of it (default: %(default)s)")
    run.add_argument("--shift", action="store_true",
                     help="move the optimum away from the centre by a random offset")
    run.add_argument("--latent", choices=["random", "pca"], default=None,
                     help=f"latent Diffusion Evolution (methods {' and '.join(LATENT_METHODS)} "
                          "only)")
    run.add_argument("--polish", action="store_true",
                     help="refine every mode found with L-BFGS-B (binary problems: one-flip "
                          "descent)")
    binary_commands.add_run_arguments(run)
    _add_no_progress(run)
    run.set_defaults(handler=_cmd_run, command_parser=run)
    return run


def _add_bench_command(commands):
    """Declare ``evodiff bench`` on ``commands`` (a subparsers action); return its parser.

    The suites and their own options come from :data:`evodiff.bench.suites.SUITES`.
    """
    from .bench.suites import SUITES

    bench = commands.add_parser(
        "bench",
        help="benchmark methods x problems x seeds; write tables and figures",
        description=(
            "Run every chosen method on every chosen problem of a suite and write the "
            "results (results.csv or runs.csv, summary.md) and figures into --out. Suites: "
            + "; ".join(f"{s.name}: {s.description}" for s in SUITES.values()) + ". "
            "For the paper suite each cell of summary.md is 'entropy (fitness)' of the top 64 "
            "individuals, as in Table 1 of Zhang et al., ICLR 2025 (--runs 100 reproduces "
            "the paper's protocol), and each method is compared with Diffusion Evolution by "
            "a two-sided Mann-Whitney U test."
        ),
    )
    bench.add_argument("--suite", choices=list(SUITES), default="paper",
                       help="the suite to run (default: %(default)s)")
    peers = [peer for s in SUITES.values() for peer in s.peers]
    bench.add_argument("--methods", nargs="+", choices=[*registry.method_names(), *peers],
                       default=None, metavar="M",
                       help="methods to run, any of %(choices)s (" + "; ".join(
                           f"{', '.join(repr(p) for p in s.peers)}: {s.name} only"
                           for s in SUITES.values() if s.peers)
                       + "; default: the suite's)")
    bench.add_argument("--problems", nargs="+", default=None, metavar="P",
                       help="problems to run (default: all of the suite's; not for bbob)")
    bench.add_argument("--runs", type=_int_at_least(1), default=None, metavar="N",
                       help="independent runs per method and problem (default: 10; "
                            "cec2013-niching: 50; the paper: 100; not for bbob, where the "
                            "instances are the runs)")
    bench.add_argument("--seed", type=_int_at_least(0), default=None, metavar="S",
                       help="bbob: base seed of every run; cec2013-niching: the first seed "
                            "(runs use S .. S + N - 1) (default: 0)")
    for suite in SUITES.values():
        if suite.options:
            group = bench.add_argument_group(f"{suite.name} suite", suite.description)
            for flags, keywords in suite.options:
                group.add_argument(*flags, default=None, **keywords)
    bench.add_argument("--jobs", type=_int_at_least(1), default=1, metavar="J",
                       help="parallel worker processes; results do not depend on it "
                            "(default: %(default)s)")
    bench.add_argument("--out", default="evodiff-out/bench", metavar="DIR",
                       help="output folder (default: %(default)s)")
    bench.add_argument("--no-figures", action="store_true", help="write the tables only")
    _add_no_progress(bench)
    bench.set_defaults(handler=_cmd_bench, command_parser=bench)
    return bench


def build_parser():
    """Build the argument parser of the ``evodiff`` command.

    Returns
    -------
    argparse.ArgumentParser
        A parser whose result has a ``handler`` attribute (the function that
        runs the chosen subcommand) and a ``command_parser`` attribute (the
        subcommand's parser, which reports its usage errors).
    """
    parser = argparse.ArgumentParser(
        prog="evodiff",
        description="Diffusion Evolution and evolution strategies for black-box optimisation.",
    )
    parser.add_argument("--version", action="version", version=f"evodiff {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    _add_demo_command(commands)
    _add_run_command(commands)
    _add_bench_command(commands)
    return parser


def main(argv=None):
    """Run the ``evodiff`` command.

    Parameters
    ----------
    argv : list of str, optional
        Command-line arguments without the program name (default:
        ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit code: 0 on success, 1 when an optional dependency is missing,
        130 when interrupted.  Invalid arguments raise ``SystemExit(2)``
        from argparse, after printing the usage and a one-line message
        naming the offending value to stderr.
    """
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _check_out(parser, out):
    """Exit with a usage error unless ``out`` is, or can be made, a folder."""
    path = Path(out)
    for existing in (path, *path.parents):
        if existing.exists():
            if not existing.is_dir():
                parser.error(f"argument --out: cannot write into {out!r}: "
                             f"{str(existing)!r} is not a folder")
            return


def _optimize(parser, front_door, problem, what, **options):
    """``front_door(problem, ...)``, with argument errors reported as usage errors.

    ``minimize`` checks its arguments and builds the optimiser before it
    evaluates anything, so a ``ValueError`` or ``TypeError`` raised while the
    objective has not yet been called comes from the command-line values
    (exit 2, naming ``what``); one raised later, by the objective or during
    the run, propagates.
    """
    calls = 0

    def objective(X):
        nonlocal calls
        calls += 1
        return problem(X)

    objective.__qualname__ = problem.name  # evaluation errors name the problem, not this wrapper
    try:
        return front_door(objective, bounds=problem.bounds, vectorized=True, **options)
    except (TypeError, ValueError) as exc:
        if calls:
            raise
        parser.error(f"invalid options for {what}: {_one_line(exc)}")


def _cmd_demo(args):
    """Run ``evodiff demo``: minimise each chosen problem and print a report."""
    parser = args.command_parser
    _check_out(parser, args.out)
    if args.env is not None and args.problem != "rl":
        parser.error(f"argument --env: only with the rl demo; got --env {args.env!r} with "
                     f"{args.problem!r}")
    if args.problem in ("cartpole", "rl"):
        return _cmd_demo_cartpole(args)
    if args.problem == "maxcut":
        if args.network is not None:
            parser.error("argument --network: only with the cartpole and rl demos")
        return binary_commands.demo_maxcut(args, parser)
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
        res = _optimize(parser, minimize, problem, "the demo", method="diffevo",
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
    from .demos import landscapes

    # OpenES and PEPG spend Diffusion Evolution's budget in generations of this size.
    minimum = landscapes.STRATEGY_POPSIZE
    if popsize * steps < minimum:
        parser.error(f"arguments --popsize and --steps: the baselines need a budget of at "
                     f"least {minimum} evaluations; got --popsize {popsize} x --steps {steps} "
                     f"= {popsize * steps}")


def _compare_and_plot(problem, args):
    """Diffusion Evolution beside CMA-ES, OpenES and PEPG at the same budget, with figures."""
    from .demos import landscapes

    runs = landscapes.compare(problem, popsize=args.popsize, generations=args.steps,
                              seed=args.seed)
    paths = landscapes.save_figures(problem, runs, Path(args.out) / "demo")
    lines = [f"  the same budget for the baselines ({args.popsize * args.steps} evaluations; "
             "no polishing):", landscapes.summary(problem, runs), "  figures:"]
    lines += [f"    {path}" for path in paths]
    return "\n".join(lines)


def _flag(dest):
    return "--" + dest.replace("_", "-")


def _cmd_bench(args):
    """Run ``evodiff bench``: check the options belong to the suite, then run its command."""
    from .bench.suites import COMMON_OPTIONS, SUITES

    parser = args.command_parser
    suite = SUITES[args.suite]
    given = {dest for dest in COMMON_OPTIONS
             if getattr(args, dest) not in (None, False)}
    for dest in sorted(given - set(suite.accepts)):
        takers = [s.name for s in SUITES.values() if dest in s.accepts]
        parser.error(f"argument {_flag(dest)}: not for --suite {suite.name} "
                     f"(only for {', '.join(takers)})")
    for other in SUITES.values():
        for flags, _ in other.options:
            dest = flags[0].lstrip("-").replace("-", "_")
            if other is not suite and getattr(args, dest) is not None:
                parser.error(f"argument {flags[0]}: only for --suite {other.name}")
    for name in args.methods or []:
        if name not in registry.METHODS and name not in suite.peers:
            owners = [s.name for s in SUITES.values() if name in s.peers]
            parser.error(f"argument --methods: {name!r} runs on --suite "
                         f"{' or '.join(owners)} only")
    _check_out(parser, args.out)
    try:
        return suite.command(args)
    except ImportError as exc:
        print(f"evodiff bench: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:
        parser.error(_one_line(exc))


def _cmd_run(args):
    """Run ``evodiff run``: one optimisation and a summary."""
    parser = args.command_parser
    if args.problem in binary_commands.BINARY_PROBLEMS:
        return binary_commands.run_binary(args, parser)
    for name in ("graph", "file", "best_known"):
        if getattr(args, name) is not None:
            parser.error(f"argument --{name.replace('_', '-')}: only with maxcut or qubo")
    if args.method in registry.method_names("binary"):
        parser.error(f"argument --method: {args.method!r} is for maxcut and qubo only")
    if args.latent is not None and args.method not in LATENT_METHODS:
        parser.error(f"argument --latent: only with --method {' or '.join(LATENT_METHODS)}; "
                     f"got --latent {args.latent!r} with --method {args.method!r}")
    # One seed, two independent streams, so that the shift does not replay the optimiser's draws.
    shift_rng, optimizer_rng = spawn_generators(args.seed, 2)
    if args.dim is not None:
        # even the smallest population of this dimension must fit, before the problem is built
        try:
            refuse_footprint(Optimizer.POPULATION_COPIES * (args.popsize or 2) * args.dim * 8,
                             f"a population of {args.popsize or 2} points in {args.dim} "
                             "dimensions", "--dim")
        except ValueError as exc:
            parser.error(f"argument {exc}")
    try:
        problem = problems.get_problem(args.problem, dim=args.dim, shift=args.shift,
                                       rng=shift_rng)
    except (TypeError, ValueError) as exc:
        parser.error(f"argument --dim: {_one_line(exc)}")
    front_door = maximize if problem.sense == "max" else minimize
    options = {"latent": args.latent} if args.latent is not None else {}
    start = time.perf_counter()
    res = _optimize(parser, front_door, problem, f"--method {args.method}", method=args.method,
                    popsize=args.popsize, maxiter=args.maxiter, rng=optimizer_rng,
                    polish=args.polish, progress=not args.no_progress, **options)
    elapsed = time.perf_counter() - start
    best_known = problem.optimum_value
    found = 0
    if res.modes:
        locations = np.array([m.x for m in res.modes])
        found = int(np.sum(problem.distance_to_optima(locations) < FOUND_RADIUS))
    sense = "maximise" if problem.sense == "max" else "minimise"
    point = _point(res.x) if problem.dim <= 8 else _point(res.x[:8]) + " ..."
    lines = [
        f"{problem.name} ({problem.dim}-D, {sense}) "
        f"on {_domain(problem)} with "
        f"{res.method + ' (auto)' if args.method == 'auto' else args.method}, seed {args.seed}",
        f"  message        {res.message}",
        f"  generations    {res.nit}",
        f"  evaluations    {res.nfev}",
        f"  best value     {res.fun:.6e}  (known optimum {best_known:g}, gap "
        f"{abs(res.fun - best_known):.3e})",
        f"  best point     {point}",
        f"  modes          {len(res.modes)} distinct; {found} of {problem.optima.shape[0]} known "
        f"global optima within {FOUND_RADIUS}",
        f"  time           {elapsed:.2f} s",
    ]
    print("\n".join(lines))
    return 0


def _cmd_demo_cartpole(args):
    """Run ``evodiff demo cartpole`` and ``evodiff demo rl --env ID`` (:mod:`evodiff.demos.control`)."""
    from .demos import control

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

    header = (f"{title} ({problem.dim}-D) on {_domain(problem)}: "
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
        f"  best value     {res.fun:.3e}  at {_point(res.x)}",
        f"  global optima  {found} of {n_optima} found (within {FOUND_RADIUS} of a mode)",
        f"  time           {elapsed:.2f} s",
        f"  distinct optima (modes): {len(res.modes)}, best first",
    ]
    if res.modes:
        listed = res.modes[:MAX_LISTED_MODES]
        width = max(len(_point(mode.x)) for mode in listed)
        lines.append(f"    {'#':>3}  {'location':<{width}}  {'value':>10}  {'support':>7}")
        for k, mode in enumerate(listed, start=1):
            mark = "*" if problem.distance_to_optima(mode.x).min() < FOUND_RADIUS else ""
            lines.append(f"    {k:>3}  {_point(mode.x):<{width}}  {mode.fun:>10.3e}  "
                         f"{mode.support:>7.1%} {mark}".rstrip())
        hidden = len(res.modes) - len(listed)
        if hidden > 0:
            support = sum(mode.support for mode in res.modes[len(listed):])
            lines.append(f"    ... {hidden} more modes not listed (support {support:.1%} in all)")
        lines.append("    support: fraction of the final estimates in the mode; "
                     "*: a known global optimum")
    return "\n".join(lines)


def _point(x):
    """Format a point as ``(x1, x2, ...)`` with fixed-width coordinates."""
    # Coordinates that round to zero print as +0.000000 rather than -0.000000.
    coords = [v if abs(v) >= 5e-7 else 0.0 for v in np.asarray(x, dtype=float).tolist()]
    return "(" + ", ".join(f"{v:+.6f}" for v in coords) + ")"


def _domain(problem):
    """Format a problem's box, as ``[lo, hi]^D`` when all coordinates share it."""
    lower, upper = problem.lower, problem.upper
    if np.all(lower == lower[0]) and np.all(upper == upper[0]):
        return f"[{lower[0]:g}, {upper[0]:g}]^{problem.dim}"
    return " x ".join(f"[{lo:g}, {hi:g}]" for lo, hi in zip(lower, upper))


if __name__ == "__main__":
    sys.exit(main())
