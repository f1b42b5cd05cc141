"""``evodiff run``: one optimisation of a benchmark problem (or a binary problem read from
a file, :mod:`evodiff.cli.binary`) and its summary."""

from __future__ import annotations

import time

import numpy as np

from .. import problems, registry
from ..algorithms.base import Optimizer
from ..optimize import maximize, minimize
from ..randomness import spawn_generators
from ..validation import refuse_footprint
from . import binary
from .common import (
    FOUND_RADIUS,
    add_no_progress,
    format_domain,
    format_point,
    int_at_least,
    one_line,
    optimize_or_exit,
)

__all__ = ["add_command", "latent_methods"]


def latent_methods():
    """The methods that take ``evodiff run --latent``.

    Returns
    -------
    list of str
        ``'auto'`` and every method whose registry entry declares latent support.
    """
    return ["auto", *(spec.name for spec in registry.METHODS.values() if spec.latent)]


def add_command(commands):
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
                                         *binary.BINARY_PROBLEMS],
                     help="benchmark problem (evodiff.problems), or maxcut (--graph PATH) or "
                          "qubo (--file PATH) for a binary problem read from a file")
    run.add_argument("--method", choices=["auto", *registry.method_names(),
                                          *registry.method_names("binary")], default="auto",
                     help="optimisation method, any of evodiff.registry; anneal and "
                          "binary-diffevo for maxcut and qubo (default: %(default)s)")
    run.add_argument("--dim", type=int_at_least(1), default=None, metavar="D",
                     help="dimension (default: 2; beale and himmelblau are 2-D only)")
    run.add_argument("--popsize", type=int_at_least(2), default=None, metavar="N",
                     help="population size (default: the method's)")
    run.add_argument("--maxiter", type=int_at_least(2), default=None, metavar="N",
                     help="generations (default: the method's)")
    run.add_argument("--seed", type=int_at_least(0), default=0, metavar="N",
                     help="random seed of the run; the shift and the optimiser draw from two "
                          "independent streams of it (default: %(default)s)")
    run.add_argument("--shift", action="store_true",
                     help="move the optimum away from the centre by a random offset")
    run.add_argument("--latent", choices=["random", "pca"], default=None,
                     help=f"latent Diffusion Evolution (methods {' and '.join(latent_methods())} "
                          "only)")
    run.add_argument("--polish", action="store_true",
                     help="refine every mode found with L-BFGS-B (binary problems: one-flip "
                          "descent)")
    binary.add_run_arguments(run)
    add_no_progress(run)
    run.set_defaults(handler=_cmd_run, command_parser=run)
    return run


def _cmd_run(args):
    """Run ``evodiff run``: one optimisation and a summary."""
    parser = args.command_parser
    if args.problem in binary.BINARY_PROBLEMS:
        return binary.run_binary(args, parser)
    for name in ("graph", "file", "best_known"):
        if getattr(args, name) is not None:
            parser.error(f"argument --{name.replace('_', '-')}: only with maxcut or qubo")
    if args.method in registry.method_names("binary"):
        parser.error(f"argument --method: {args.method!r} is for maxcut and qubo only")
    if args.latent is not None and args.method not in latent_methods():
        parser.error(f"argument --latent: only with --method {' or '.join(latent_methods())}; "
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
        parser.error(f"argument --dim: {one_line(exc)}")
    front_door = maximize if problem.sense == "max" else minimize
    options = {"latent": args.latent} if args.latent is not None else {}
    start = time.perf_counter()
    res = optimize_or_exit(parser, front_door, problem, f"--method {args.method}", method=args.method,
                    popsize=args.popsize, maxiter=args.maxiter, rng=optimizer_rng,
                    polish=args.polish, progress=not args.no_progress, **options)
    elapsed = time.perf_counter() - start
    best_known = problem.optimum_value
    found = 0
    if res.modes:
        locations = np.array([m.x for m in res.modes])
        found = int(np.sum(problem.distance_to_optima(locations) < FOUND_RADIUS))
    sense = "maximise" if problem.sense == "max" else "minimise"
    point = format_point(res.x) if problem.dim <= 8 else format_point(res.x[:8]) + " ..."
    lines = [
        f"{problem.name} ({problem.dim}-D, {sense}) "
        f"on {format_domain(problem)} with "
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
