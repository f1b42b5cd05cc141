"""MAP-Elites (Mouret and Clune, 2015): an archive of the best point in every cell of a grid.

The user describes each point by a few numbers, its *descriptors* (by
default its first two coordinates).  A grid over the descriptor space keeps
one elite per cell: the best point evaluated whose descriptors fall in that
cell.  The first generation is drawn from a Gaussian around the centre of
the search region; every later generation mutates elites chosen uniformly
at random with Gaussian noise, and each offspring replaces the elite of its
cell when it is better (or the cell is empty).  A generation's offspring
are inserted together, best first within a cell (the batch form of
steady-state MAP-Elites, as in pyribs' ``Scheduler``).

The answer of a run is the whole archive (:attr:`MAPElites.archive`): many
good points, one per region of the descriptor space, rather than one point.
Quality-diversity measures: the *coverage* (share of cells occupied) and the
*QD score* (a sum over the elites of a non-negative quality).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..parameters import Int, Real, check_parameters
from ..state import Field, InvalidState, Setting, fingerprint
from ..validation import check_int, refuse_footprint, renamed_keyword
from .base import Optimizer

__all__ = ["MAPElites", "Archive", "first_coordinates"]


def first_coordinates(points):
    """The default descriptors: the first two coordinates (the first one in 1-D).

    Parameters
    ----------
    points : numpy.ndarray, shape (N, D)

    Returns
    -------
    numpy.ndarray, shape (N, min(D, 2))
    """
    return np.asarray(points, dtype=np.float64)[:, :2]


@dataclass(frozen=True)
class Archive:
    """The elites of a MAP-Elites run (host arrays, problem space, user's sign).

    Attributes
    ----------
    points : numpy.ndarray, shape (M, D)
        One elite per occupied cell, in the order of the cells.
    values : numpy.ndarray, shape (M,)
        Their objective values.
    descriptors : numpy.ndarray, shape (M, k)
    cells : numpy.ndarray of int, shape (M,)
        Flat index of each elite's cell (row-major over the grid).
    cell_count : int
        Cells of the grid.
    """

    points: np.ndarray
    values: np.ndarray
    descriptors: np.ndarray
    cells: np.ndarray
    cell_count: int

    def __len__(self):
        return int(self.cells.size)

    @property
    def coverage(self):
        """float : occupied cells / cells of the grid."""
        return len(self) / self.cell_count

    def qd_score(self, quality):
        """The QD score: the sum over the elites of ``quality(values)``.

        Parameters
        ----------
        quality : callable
            Objective values (M,) -> non-negative qualities (M,), for
            instance a normalised fitness in [0, 1].

        Returns
        -------
        float
        """
        q = np.asarray(quality(self.values), dtype=np.float64)
        if q.shape != self.values.shape:
            raise ValueError(f"quality must return shape {self.values.shape}; got {q.shape}")
        return float(np.sum(q))


class MAPElites(Optimizer):
    """MAP-Elites on a grid archive, behind the ask/tell interface.

    Parameters
    ----------
    dim : int, optional
    popsize : int, default 256
        Points per generation: the initial sample, then the offspring of each
        generation.
    descriptors : callable, optional
        ``descriptors(X) -> (N, k)`` for host points ``X`` of shape (N, D) in
        problem space; default :func:`first_coordinates`.  Non-finite
        descriptors leave a point out of the archive.
    descriptor_bounds : sequence of (low, high) pairs, optional
        The range of each descriptor covered by the grid; descriptors beyond
        it fall into the edge cells.  Default: the search box of the first
        two coordinates, or the centre +- 2 scales without bounds (only with
        the default descriptors).
    cells : int or sequence of int, default 50
        Cells per descriptor (one int for all).
    sigma0 : float, default 1.0
        Spread of the first generation around the centre, in units of the
        region's scale (``initial_sigma``, its name in 0.1.0, is deprecated).
    mutation_sigma : float, default 0.1
        Spread of the Gaussian mutation, in units of the region's scale.
    maxiter : int, default 100
        Generations of a run (the first one included).
    bounds, center, scale, sense, rng, dtype, backend
        See :class:`~evodiff.algorithms.base.Optimizer`.  The archive is
        kept on the host; the points asked are on ``backend``.

    Attributes
    ----------
    archive : Archive
    cell_count : int

    Examples
    --------
    >>> import numpy as np
    >>> from evodiff.algorithms.map_elites import MAPElites
    >>> opt = MAPElites(popsize=64, bounds=[(-1, 1)] * 3, cells=10, maxiter=20, rng=0)
    >>> while not opt.done:
    ...     X = opt.ask()
    ...     opt.tell(np.sum(X**2, axis=1))
    >>> 0.5 < opt.archive.coverage <= 1.0
    True
    """

    name = "map-elites"
    DEFAULT_POPSIZE = 256

    SETTINGS = Optimizer.SETTINGS + (
        Setting("cells", "json", "cells"),
        Setting("descriptor_bounds", "host"),
        Setting("initial_sigma", "float", "sigma0"),  # the key of 0.1.0 checkpoints
        Setting("mutation_sigma", "float"),
        Setting("descriptors", "str", "_descriptors_kind"),
    )
    STATE = Optimizer.STATE + (
        Field("elite_x", "host", ("cell_count", "dim"), "_elite_x"),
        Field("elite_cost", "host", ("cell_count",), "_elite_cost", finite=False, domain="costs"),
        Field("elite_descriptors", "host", ("cell_count", "descriptor_dim"),
              "_elite_descriptors"),
    )

    #: Declared limits of the scalar settings (:mod:`evodiff.parameters`); ``cells`` and
    #: ``descriptor_bounds`` are checked against the descriptors.
    PARAMETERS = {
        "sigma0": Real(0.0, strict=True),
        "mutation_sigma": Real(0.0, strict=True),
        "maxiter": Int(1),
    }

    def __init__(self, dim=None, popsize=None, *, descriptors=None, descriptor_bounds=None,
                 cells=50, sigma0=1.0, mutation_sigma=0.1, maxiter=100, bounds=None,
                 center=None, scale=None, sense="min", rng=None, dtype="float64",
                 backend="numpy", initial_sigma=None):
        super().__init__(popsize=popsize, dim=dim, bounds=bounds, center=center, scale=scale,
                         sense=sense, rng=rng, dtype=dtype, backend=backend)
        if descriptors is not None and not callable(descriptors):
            raise TypeError(f"descriptors must be callable or None; got "
                            f"{type(descriptors).__name__}")
        self.descriptors = descriptors or first_coordinates
        self.descriptor_bounds = self._check_descriptor_bounds(descriptor_bounds,
                                                               descriptors is None)
        k = self.descriptor_bounds.shape[0]
        self.descriptor_dim = k
        self.cells = self._check_cells(cells, k)
        self.cell_count = math.prod(self.cells)
        refuse_footprint(self.cell_count * (self.dim + k + 1) * 8,
                         f"an archive of {self.cell_count} cells ({' x '.join(map(str, self.cells))})",
                         "cells")
        p = check_parameters(self.PARAMETERS, {
            "sigma0": renamed_keyword("initial_sigma", initial_sigma, "sigma0", sigma0),
            "mutation_sigma": mutation_sigma, "maxiter": maxiter})
        self.sigma0, self.mutation_sigma, self.maxiter = (p["sigma0"], p["mutation_sigma"],
                                                          p["maxiter"])
        self._elite_x = np.zeros((self.cell_count, self.dim))
        self._elite_cost = np.full(self.cell_count, np.inf)
        self._elite_descriptors = np.zeros((self.cell_count, k))

    # -- checks ---------------------------------------------------------------------------

    def _check_descriptor_bounds(self, descriptor_bounds, default_descriptors):
        if descriptor_bounds is None:
            if not default_descriptors:
                raise ValueError("descriptor_bounds is required with custom descriptors: the "
                                 "grid must know the range of each descriptor")
            k = min(self.dim, 2)
            space = self.space
            if space.bounded:
                low, high = space.lower[:k], space.upper[:k]
            else:
                center = np.broadcast_to(np.asarray(space.center, dtype=np.float64), (self.dim,))
                width = 2.0 * np.broadcast_to(np.asarray(space.scale, dtype=np.float64),
                                              (self.dim,))
                low, high = center[:k] - width[:k], center[:k] + width[:k]
            return np.stack([low, high], axis=1).astype(np.float64)
        box = np.asarray(descriptor_bounds, dtype=np.float64)
        if box.ndim != 2 or box.shape[1] != 2 or box.shape[0] < 1:
            raise ValueError("descriptor_bounds must be a sequence of (low, high) pairs; got "
                             f"shape {box.shape}")
        if not np.all(np.isfinite(box)) or np.any(box[:, 0] >= box[:, 1]):
            raise ValueError("descriptor_bounds must be finite with low < high for every "
                             f"descriptor; got {box.tolist()}")
        return box

    @staticmethod
    def _check_cells(cells, k):
        counts = [cells] * k if np.ndim(cells) == 0 else list(cells)
        if len(counts) != k:
            raise ValueError(f"cells must give one count per descriptor ({k}); got {cells!r}")
        return [check_int("cells", c, minimum=1) for c in counts]

    @property
    def _descriptors_kind(self):
        if self.descriptors is first_coordinates:
            return "first coordinates"
        probe = np.linspace(-1.0, 1.0, 3 * self.dim).reshape(3, self.dim)
        return fingerprint("callable", self.descriptors, lambda: self.descriptors(probe))

    # -- the run --------------------------------------------------------------------------

    @property
    def done(self):
        """bool : all ``maxiter`` generations have been told."""
        return self.nit >= self.maxiter

    @property
    def max_generations(self):
        """int : ``maxiter``."""
        return self.maxiter

    def _occupied(self):
        return np.flatnonzero(np.isfinite(self._elite_cost))

    def _ask(self):
        occupied = self._occupied()
        shape = (self.popsize, self.dim)
        if occupied.size == 0:  # the first generation (or nothing finite yet)
            x = self.sigma0 * self.rng.standard_normal(shape)
        else:
            parents = occupied[self.rng.integers(0, occupied.size, self.popsize)]
            x = self._elite_x[parents] + self.mutation_sigma * self.rng.standard_normal(shape)
        return self.backend.asarray(x)

    def cell_index(self, descriptors):
        """Flat grid cell of each row of descriptors (edge cells beyond the bounds).

        Parameters
        ----------
        descriptors : numpy.ndarray, shape (N, k)
            Finite values.

        Returns
        -------
        numpy.ndarray of int, shape (N,)
        """
        low, high = self.descriptor_bounds[:, 0], self.descriptor_bounds[:, 1]
        counts = np.asarray(self.cells)
        position = np.floor((descriptors - low) / (high - low) * counts).astype(np.int64)
        position = np.clip(position, 0, counts - 1)
        return np.ravel_multi_index(tuple(position.T), tuple(self.cells))

    def _descriptors_of(self, points):
        values = np.asarray(self.descriptors(points), dtype=np.float64)
        expected = (points.shape[0], self.descriptor_dim)
        if values.ndim == 1 and self.descriptor_dim == 1:
            values = values[:, None]
        if values.shape != expected:
            raise ValueError(f"descriptors must return shape {expected}, one row of "
                             f"{self.descriptor_dim} descriptors per point; got {values.shape}")
        return values

    def _update_cost(self, cost, excess):
        """The archive keeps the points evaluated (clipped into the box) with their own values:
        no penalty for the clipping."""
        return cost

    def _tell(self, x, cost):
        cost = np.asarray(self.backend.to_host(cost), dtype=np.float64)
        points = np.asarray(self.backend.to_host(self.space.to_problem(x)[0]), dtype=np.float64)
        x = (points - self.space.center) / self.space.scale  # the point evaluated, normalised
        found = self._descriptors_of(points)
        keep = np.isfinite(cost) & np.all(np.isfinite(found), axis=1)
        if not keep.any():
            return
        x, cost, found = x[keep], cost[keep], found[keep]
        cell = self.cell_index(found)
        order = np.lexsort((cost, cell))  # by cell, best first within a cell
        cell, first = np.unique(cell[order], return_index=True)
        chosen = order[first]
        better = cost[chosen] < self._elite_cost[cell]
        cell, chosen = cell[better], chosen[better]
        self._elite_x[cell] = x[chosen]
        self._elite_cost[cell] = cost[chosen]
        self._elite_descriptors[cell] = found[chosen]

    def _warm_start(self, normalised, cost):
        """The prior evaluations fill the archive (the first generation then mutates them)."""
        self._tell(normalised, cost)

    # -- results --------------------------------------------------------------------------

    @property
    def archive(self):
        """Archive : the elites, in problem space with the user's sign of the values."""
        cells = self._occupied()
        points = self.space.to_problem(self.backend.asarray(self._elite_x[cells]))[0]
        cost = self._elite_cost[cells]
        return Archive(points=np.asarray(self.backend.to_host(points), dtype=np.float64),
                       values=cost.copy() if self.sense == "min" else -cost,
                       descriptors=self._elite_descriptors[cells].copy(), cells=cells,
                       cell_count=self.cell_count)

    @property
    def population(self):
        """numpy.ndarray, shape (M, D) : the elites (problem space)."""
        return self.archive.points

    def candidates(self):
        """numpy.ndarray, shape (M, D) : the elites, the run's answer points."""
        return self.archive.points

    def finish_message(self):
        """str : message of a completed run."""
        return (f"completed {self.nit} generations; {len(self._occupied())} elites in "
                f"{self.cell_count} cells")

    def _check_restored(self, values):
        super()._check_restored(values)
        elites = values.get("_elite_x")
        cost = values.get("_elite_cost")
        if elites is not None and cost is not None and self.space.bounded:
            occupied = np.isfinite(np.asarray(cost))
            outside = np.any(np.abs(np.asarray(elites)[occupied]) > 1.0 + 1e-9, axis=1)
            if np.any(outside):
                raise InvalidState(f"state 'elite_x' holds {int(outside.sum())} elite(s) outside "
                                   "the bounds")
