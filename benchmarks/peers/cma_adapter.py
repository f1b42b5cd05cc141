"""pycma (``cma``) against evodiff's CMA-ES, with the method of ``benchmarks/baselines_speed.py``.

float64 on NumPy, default population size, mean seconds per generation over
whole periods of both eigendecomposition cadences; see that script.
"""

from __future__ import annotations

import baselines_speed  # a sibling of this package in benchmarks/

DIMENSIONS = [100, 500]
GENERATIONS = {100: 400, 500: 200}  # before rounding up to whole eigen periods


def measure(n, quick):
    """Mean seconds per generation of evodiff's CMAES and pycma at dimension ``n``.

    Parameters
    ----------
    n : int
        Dimension (a key of ``GENERATIONS``).
    quick : bool
        A tenth of the generations (at least three eigendecomposition periods).

    Returns
    -------
    dict
        As :func:`baselines_speed.measure`: ``popsize``, ``generations``,
        ``evodiff``, ``cma`` (seconds), ``eig_evodiff``, ``eig_cma``.
    """
    target = GENERATIONS[n] // 10 if quick else GENERATIONS[n]
    return baselines_speed.measure(n, None, max(1, target))
