"""Figures for benchmark runs and demos: landscapes, trajectories, convergence, entropy, lines.

Every function draws on a fresh :class:`matplotlib.figure.Figure` attached to
an Agg canvas, saves it to ``path`` and returns ``path`` as a
:class:`pathlib.Path`.  No pyplot state and no global backend is touched, so
the functions work on headless machines and do not disturb an interactive
session.  Figures are saved at 100 dpi by default, so a figure of
``figsize=(w, h)`` inches is ``(100 w) x (100 h)`` pixels.

Methods are shown with their display names from
:func:`evodiff.registry.method_label` (``"cmaes"`` as "CMA-ES"), and every
built-in method keeps one colour in every figure.

Runs are described by *traces*, plain dicts with the keys

``"best"`` : array, shape (G,)
    Best objective value of each generation.
``"median"`` : array, shape (G,)
    Median objective value of each generation.
``"positions"`` : array, shape (G, N, 2), or None
    Positions of N tracked individuals in every generation (2-D problems).
``"final"`` : array, shape (M, D), or None
    Final points of the run, e.g. the x0 estimates kept for scoring.

Problems are :class:`evodiff.problems.Problem` objects in two dimensions or
names of evodiff problems (built with ``get_problem(name, dim=2)``).

Arguments of the wrong kind raise ``TypeError`` and values out of range or
of the wrong shape raise ``ValueError``; the message names the argument.

Examples
--------
>>> import numpy as np

>>> from evodiff.problems import himmelblau
>>> from evodiff.plotting import landscape
>>> points = np.array([[3.0, 2.0], [-2.8, 3.1]])
>>> landscape(himmelblau(), "himmelblau.png", points=points)  # doctest: +SKIP
PosixPath('himmelblau.png')
"""

from .curves import convergence, entropy_fitness_scatter
from .landscapes import landscape, landscape_grid, population_gif
from .series import series_plot

__all__ = [
    "convergence",
    "entropy_fitness_scatter",
    "landscape",
    "landscape_grid",
    "population_gif",
    "series_plot",
]
