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

Each subcommand is a module of this package (:mod:`~evodiff.cli.demo`,
:mod:`~evodiff.cli.run`, :mod:`~evodiff.cli.bench`; the binary problems in
:mod:`~evodiff.cli.binary`) with a builder ``add_command(commands)`` that
declares its subparser and a handler that runs it, so new subcommands do not
touch the existing ones; :mod:`~evodiff.cli.common` holds what they share.
The command line is the top layer: the library never imports it.  Method names come from
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

from .._version import __version__
from . import bench, demo, run

__all__ = ["build_parser", "main"]


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
    demo.add_command(commands)
    run.add_command(commands)
    bench.add_command(commands)
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
