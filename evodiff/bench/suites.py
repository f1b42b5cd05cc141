"""The benchmark suites by name, and the problem a run of a given seed faces.

:data:`SUITES` maps a suite name to its problems (each an
:class:`evodiff.problems.Problem` with its benchmark metadata: ``target``,
and for the paper suite ``scale``, ``max_distance`` and ``corner``).  A
problem may be named without its dimension when the suite has only one of
that name (``'himmelblau'`` is ``'himmelblau-2'``).
"""

from __future__ import annotations

import numpy as np

from ..randomness import named_seed
from ..validation import check_choice, check_int
from .paper import paper_problems
from .standard import standard_instance, standard_problems

__all__ = ["SUITES", "check_suite", "find_problem", "problem_instance"]

#: Suite name -> list of :class:`~evodiff.problems.Problem`.
SUITES = {
    "paper": paper_problems(),
    "standard": standard_problems(),
    "standard-shifted": standard_problems(),
}

#: How each suite turns its problem into the instance of one seed.
_INSTANCES = {
    "paper": lambda problem, generator: problem,
    "standard": lambda problem, generator: standard_instance(problem, generator, rotate=True),
    "standard-shifted": lambda problem, generator: standard_instance(problem, generator,
                                                                     rotate=False),
}


def check_suite(suite):
    """Return ``suite`` if it names a suite of :data:`SUITES`."""
    if not isinstance(suite, str):
        raise ValueError(f"suite must be one of {', '.join(SUITES)}; got {suite!r}")
    return check_choice("suite", suite, tuple(SUITES))


def find_problem(suite, name):
    """The problem of ``suite`` called ``name`` (or, if unique, the function ``name``)."""
    problems = SUITES[suite]
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
    problem_name : str
    seed : int
        ``>= 0``.

    Returns
    -------
    Problem
    """
    suite = check_suite(suite)
    problem = find_problem(suite, problem_name)
    seed = check_int("seed", seed, minimum=0)
    generator = np.random.default_rng(named_seed(seed, problem.name))
    return _INSTANCES[suite](problem, generator)
