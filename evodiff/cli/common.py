"""What the subcommands of the ``evodiff`` command share: argument types, messages, formats."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

__all__ = ["FOUND_RADIUS", "int_at_least", "one_line", "add_no_progress", "check_out",
           "optimize_or_exit", "format_point", "format_domain"]

#: A known optimum counts as found when a mode lies within this distance of it.
FOUND_RADIUS = 0.1


def int_at_least(minimum):
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


def one_line(exc):
    """The message of ``exc`` on one line (usage errors are one line)."""
    return " ".join(str(exc).split())


def add_no_progress(parser):
    """Declare the ``--no-progress`` flag that every subcommand has."""
    parser.add_argument("--no-progress", action="store_true",
                        help="do not show the progress bar (it is written to stderr)")


def check_out(parser, out):
    """Exit with a usage error unless ``out`` is, or can be made, a folder."""
    path = Path(out)
    for existing in (path, *path.parents):
        if existing.exists():
            if not existing.is_dir():
                parser.error(f"argument --out: cannot write into {out!r}: "
                             f"{str(existing)!r} is not a folder")
            return


def optimize_or_exit(parser, front_door, problem, what, **options):
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
        parser.error(f"invalid options for {what}: {one_line(exc)}")


def format_point(x):
    """Format a point as ``(x1, x2, ...)`` with fixed-width coordinates."""
    # Coordinates that round to zero print as +0.000000 rather than -0.000000.
    coords = [v if abs(v) >= 5e-7 else 0.0 for v in np.asarray(x, dtype=float).tolist()]
    return "(" + ", ".join(f"{v:+.6f}" for v in coords) + ")"


def format_domain(problem):
    """Format a problem's box, as ``[lo, hi]^D`` when all coordinates share it."""
    lower, upper = problem.lower, problem.upper
    if np.all(lower == lower[0]) and np.all(upper == upper[0]):
        return f"[{lower[0]:g}, {upper[0]:g}]^{problem.dim}"
    return " x ".join(f"[{lo:g}, {hi:g}]" for lo, hi in zip(lower, upper))
