"""The one table of benchmark suites: name -> :class:`Suite`.

Every suite of ``evodiff bench --suite NAME`` is an entry of :data:`SUITES`,
declared in the suite's own module.  An entry says how the command line runs
it (:attr:`Suite.command`, the common options it takes and the options of
its own) and, for the suites of the generic harness (:mod:`.runner`), its
problems, the instance a seed faces, the optimiser a method gets and the
summary table.  A new suite is one module that declares its entry plus one
line in :data:`SUITES`.

A problem may be named without its dimension when the suite has only one of
that name (``'himmelblau'`` is ``'himmelblau-2'``).
"""

from __future__ import annotations

import numpy as np

from ..randomness import named_seed
from ..validation import check_choice, check_int
from .suite_entry import COMMON_OPTIONS, Suite

__all__ = ["COMMON_OPTIONS", "SUITES", "Suite", "check_suite", "find_problem",
           "problem_instance"]

def _entries():
    from .bbob import BBOB_CONSTRAINED_SUITE, BBOB_SUITE
    from .binary_suite import BINARY_SUITE
    from .cec2013.command import NICHING_SUITE
    from .paper import PAPER_SUITE
    from .standard import STANDARD_SHIFTED_SUITE, STANDARD_SUITE

    return (PAPER_SUITE, STANDARD_SUITE, STANDARD_SHIFTED_SUITE, BBOB_SUITE,
            BBOB_CONSTRAINED_SUITE, NICHING_SUITE, BINARY_SUITE)


#: Suite name -> :class:`Suite`, in the order ``evodiff bench --help`` lists them.
SUITES = {suite.name: suite for suite in _entries()}


def check_suite(suite, generic=False):
    """Return ``suite`` if it names a suite of :data:`SUITES` (of the generic harness if asked)."""
    names = tuple(name for name, entry in SUITES.items() if entry.generic or not generic)
    if not isinstance(suite, str):
        raise ValueError(f"suite must be one of {', '.join(names)}; got {suite!r}")
    return check_choice("suite", suite, names)


def find_problem(suite, name):
    """The problem of ``suite`` called ``name`` (or, if unique, the function ``name``)."""
    problems = SUITES[suite].problems
    for problem in problems:
        if problem.name == name:
            return problem
    matches = [p for p in problems if p.family == name]
    if len(matches) == 1:
        return matches[0]
    valid = ", ".join(p.name for p in problems)
    raise ValueError(f"problem {name!r} is not in suite {suite!r}; valid problems: {valid}")


def problem_instance(suite, problem_name, seed):
    """The problem exactly as the run of ``seed`` faces it.

    For the standard suites this is the shifted (and rotated) instance of
    that seed, drawn from ``SeedSequence([seed, crc32(problem)])``; for the
    paper suite it is the suite's problem itself.

    Parameters
    ----------
    suite : str
        A suite of the generic harness.
    problem_name : str
    seed : int
        ``>= 0``.

    Returns
    -------
    Problem
    """
    suite = check_suite(suite, generic=True)
    problem = find_problem(suite, problem_name)
    seed = check_int("seed", seed, minimum=0)
    instance = SUITES[suite].instance
    if instance is None:
        return problem
    return instance(problem, np.random.default_rng(named_seed(seed, problem.name)))
