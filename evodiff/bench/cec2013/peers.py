"""Peers that run in the niching harness at the same budgets (comparison only).

``nmmso``: the Niching Migratory Multi-Swarm Optimiser (Fieldsend 2014,
winner of CEC 2015), through its Python port ``pynmmso`` (the ``[niching]``
extra).  pynmmso 1.0.1 calls ``random.sample`` on a set, which Python 3.11
refuses; the adapter gives the call a list instead (same elements, in the
order of the swarms' ids, so that a seed fixes the run), for the length of
the run only.  Its randomness comes from
Python's and NumPy's global generators, seeded from the run's generator.
"""

from __future__ import annotations

import contextlib
import random

import numpy as np

__all__ = ["PEERS", "nmmso"]


@contextlib.contextmanager
def _sample_accepts_sets():
    """Let ``random.sample`` take a set (as before Python 3.11) while pynmmso runs."""
    original = random.sample

    def sample(population, k, **kwargs):
        if isinstance(population, (set, frozenset)):
            population = sorted(population, key=lambda item: getattr(item, "id", 0))
        return original(population, k, **kwargs)

    random.sample = sample
    try:
        yield
    finally:
        random.sample = original


#: The value pynmmso sees for a point past the budget (it needs a number).
_REFUSED = -1e300


class _Problem:
    """pynmmso's problem interface over a budgeted objective."""

    def __init__(self, problem, objective):
        self.problem, self.objective = problem, objective

    def fitness(self, x):
        value = self.objective(np.asarray(x, dtype=np.float64))
        return float(value) if np.isfinite(value) else _REFUSED

    def get_bounds(self):
        return list(self.problem.lower), list(self.problem.upper)


def nmmso(problem, objective, generator):
    """Run pynmmso to the budget; its mode locations are the solution set."""
    try:
        from pynmmso import Nmmso
    except ImportError as exc:  # pragma: no cover - the message is the point
        raise ImportError("the peer 'nmmso' needs pynmmso: pip install 'evodiff-toolkit[niching]'"
                          ) from exc
    seed = int(generator.integers(2 ** 31))
    random_state, numpy_state = random.getstate(), np.random.get_state()
    random.seed(seed)
    np.random.seed(seed)
    try:
        with _sample_accepts_sets():
            optimiser = Nmmso(_Problem(problem, objective))
            # stop before the last swarm step could ask past the budget (the objective refuses)
            optimiser.run(problem.max_fes)
            modes = optimiser.get_result()
    finally:
        random.setstate(random_state)
        np.random.set_state(numpy_state)
    points = np.array([np.asarray(m.location, dtype=np.float64).reshape(-1) for m in modes])
    values = np.array([float(m.value) for m in modes])
    paid = values > _REFUSED  # a mode whose value came past the budget was never evaluated
    return points.reshape(-1, problem.dim)[paid], values[paid]


#: Peer name -> ``run(problem, objective, generator) -> (points, values)``.
PEERS = {"nmmso": nmmso}
