"""Metropolis single-flip sweeps over many replicas, with incrementally updated local fields.

The Ising energy ``E(s) = -s^T J s / 2 - h . s`` changes by ``2 s_i (f_i +
h_i)`` when spin ``i`` flips, where ``f = J s`` is the vector of local fields.
A sweep visits every spin once, in a fixed order, and accepts each flip with
the Metropolis probability ``min(1, exp(-beta dE))``, exactly as a sequential
single-spin sweep does; three devices make it fast in NumPy:

- **Colour classes.**  Spins that share no coupling (one colour of a greedy
  graph colouring) do not change each other's fields, so a whole class is
  decided in one vectorised step; spins are renumbered so that every class
  is a contiguous slice.  A dense problem has one spin per class.
- **Blocks.**  Consecutive classes form a block of at most ``block`` spins.
  Inside a block, a class's fields are those of the block's start plus the
  effect of the flips decided earlier in the block (a small product with
  the block's own couplings), and the fields of all spins are brought up
  to date once per block, with one matrix product of the block's flips and
  its rows of ``J`` (dense BLAS or sparse, whichever the density favours).
- **Replicas side by side.**  Every operation acts on all replicas at once
  (arrays of shape ``(R, n)``), so the Python overhead per spin is shared by
  the ``R`` replicas.

The acceptance test ``u < exp(-beta dE)`` is written ``s_i (f_i + h_i) <
-log(u) / (2 beta)``, with the thresholds of a sweep drawn at once.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sparse

__all__ = ["SweepKernel", "greedy_colouring"]

#: Density of J above which the field update is a dense matrix product.
DENSE_ABOVE = 0.1
#: Density above which colouring is skipped (every spin is its own class).
NO_COLOURING_ABOVE = 0.5


def greedy_colouring(adjacency):
    """Colour the vertices of a graph so that no edge joins two vertices of one colour.

    Vertices are taken in order of decreasing degree (Welsh-Powell) and each
    gets the smallest colour none of its coloured neighbours has.

    Parameters
    ----------
    adjacency : scipy.sparse matrix, shape (n, n)
        Symmetric; the pattern of its non-zero entries is the graph.

    Returns
    -------
    numpy.ndarray of int, shape (n,)
        The colour of every vertex, ``0 .. k-1``.
    """
    adjacency = sparse.csr_matrix(adjacency)
    n = adjacency.shape[0]
    indptr, indices = adjacency.indptr, adjacency.indices
    degree = np.diff(indptr)
    colour = np.full(n, -1, dtype=np.int64)
    for vertex in np.argsort(-degree, kind="stable"):
        taken = colour[indices[indptr[vertex]:indptr[vertex + 1]]]
        taken = np.unique(taken[taken >= 0])
        # smallest colour not taken: the first gap in the sorted list 0, 1, 2, ...
        gaps = np.flatnonzero(taken != np.arange(taken.size))
        colour[vertex] = gaps[0] if gaps.size else taken.size
    return colour


class SweepKernel:
    """Metropolis sweeps of an Ising problem, on replicas side by side.

    Parameters
    ----------
    J : numpy.ndarray or scipy.sparse matrix, shape (n, n)
        Symmetric couplings, zero diagonal.
    h : numpy.ndarray, shape (n,)
        Fields.
    block : int, default 64
        Most spins per block (see the module docstring).
    dtype : numpy dtype, default float64
        Of the spins and fields.

    Attributes
    ----------
    order : numpy.ndarray of int, shape (n,)
        Spin ``order[k]`` of the problem is spin ``k`` of the kernel.
    classes : int
        Number of colour classes (spins decided one class at a time).
    dense : bool
        Whether the field update is a dense product.
    """

    def __init__(self, J, h, block=64, dtype=np.float64):
        n = J.shape[0]
        self.n = n
        self.dtype = np.dtype(dtype)
        pattern = sparse.csr_matrix(J)
        pattern.eliminate_zeros()
        density = pattern.nnz / max(n * (n - 1), 1)
        if density > NO_COLOURING_ABOVE:
            colour = np.arange(n)
        else:
            colour = greedy_colouring(pattern)
        order = np.argsort(colour, kind="stable")
        self.order = order
        sizes = np.bincount(colour)
        self.classes = int(sizes.size)
        permuted = pattern[order][:, order]
        self.dense = density > DENSE_ABOVE
        if self.dense:
            self._J = np.ascontiguousarray(permuted.toarray(), dtype=self.dtype)
        else:
            self._J = permuted.tocsr().astype(self.dtype)
        self._h = np.asarray(h, dtype=self.dtype)[order]
        self._scratch = None
        self._blocks = self._make_blocks(np.concatenate([[0], np.cumsum(sizes)]), block)

    def _make_blocks(self, bounds, block):
        """Blocks of consecutive classes: ``(start, stop, class bounds, in-block couplings)``."""
        blocks = []
        k = 0
        count = len(bounds) - 1
        while k < count:
            start, j = bounds[k], k + 1
            while j < count and bounds[j + 1] - start <= block:
                j += 1
            stop = bounds[j]
            classes = [(int(a - start), int(b - start)) for a, b in zip(bounds[k:j], bounds[k + 1:j + 1])]
            inner = None
            if len(classes) > 1:
                inner = self._J[start:stop, start:stop]
                inner = inner if self.dense else inner.toarray()
                inner = np.ascontiguousarray(inner, dtype=self.dtype)
            rows = self._J[start:stop] if self.dense else self._J[start:stop].T.tocsr()
            blocks.append((int(start), int(stop), classes, inner, rows))
            k = j
        return blocks

    def to_kernel(self, spins):
        """Problem-order spins (R, n) to kernel order (the starting states of a warm start)."""
        return np.ascontiguousarray(spins[:, self.order], dtype=self.dtype)

    def to_problem(self, spins):
        """Kernel-order spins (R, n) to problem order."""
        result = np.empty_like(spins)
        result[:, self.order] = spins
        return result

    def fields(self, spins):
        """Local fields ``J s`` (without ``h``) of kernel-order spins, shape (R, n)."""
        if self.dense:
            return spins @ self._J
        return np.asarray((self._J @ spins.T).T, dtype=self.dtype)

    def energies(self, spins, fields):
        """Energies ``-s^T J s / 2 - h . s`` from spins and their fields (kernel order)."""
        return -np.einsum("ij,ij->i", spins, fields) / 2.0 - spins @ self._h

    def _buffers(self, shape):
        """Scratch arrays of one sweep, kept between sweeps (fresh large arrays cost page faults)."""
        if self._scratch is None or self._scratch[0].shape != shape:
            self._scratch = (np.empty(shape, self.dtype), np.empty(shape, self.dtype))
        return self._scratch

    def sweep(self, spins, fields, beta, rng):
        """One Metropolis sweep of every replica at inverse temperature ``beta``, in place.

        Parameters
        ----------
        spins, fields : numpy.ndarray, shape (R, n)
            Kernel-order spins (+-1) and their fields ``J s``; both updated.
        beta : float or numpy.ndarray of shape (R,)
            One inverse temperature for all replicas, or one per replica
            (parallel tempering).
        rng : numpy.random.Generator

        Returns
        -------
        int
            Flips accepted.
        """
        thresholds, product = self._buffers(spins.shape)
        rng.random(out=thresholds, dtype=self.dtype)
        np.negative(thresholds, out=thresholds)
        np.log1p(thresholds, out=thresholds)  # log(1 - u): finite, u is in [0, 1)
        scale = -0.5 / np.asarray(beta, dtype=self.dtype)
        thresholds *= scale[:, None] if scale.ndim else scale
        h = self._h
        accepted = 0
        for start, stop, classes, inner, rows in self._blocks:
            local = fields[:, start:stop] + h[start:stop]
            block_spins = spins[:, start:stop]
            block_thresholds = thresholds[:, start:stop]
            if inner is None:  # one independent class
                delta = np.where(block_spins * local < block_thresholds, -2 * block_spins, 0)
            else:
                # A spin changes only at its own turn, so -2 s of the block's start is its step
                # if it flips.  Its field is the block's start field plus x, the effect of the
                # flips decided before it in the block (one small product, instead of updating
                # the whole block after every class); it flips when s x < threshold - s f.
                doubled = -2 * block_spins
                margin = block_thresholds - block_spins * local
                delta = np.zeros_like(local)
                for a, b in classes:
                    if b - a == 1:
                        if a:
                            flips = block_spins[:, a] * (delta[:, :a] @ inner[a, :a]) \
                                < margin[:, a]  # inner is symmetric: row a is column a
                        else:
                            flips = margin[:, a] > 0
                        np.multiply(doubled[:, a], flips, out=delta[:, a])
                    else:
                        if a:
                            flips = block_spins[:, a:b] * (delta[:, :a] @ inner[:a, a:b]) \
                                < margin[:, a:b]
                        else:
                            flips = margin[:, a:b] > 0
                        np.multiply(doubled[:, a:b], flips, out=delta[:, a:b])
            block_spins += delta
            moved = np.count_nonzero(delta)
            if not moved:
                continue
            accepted += moved
            if self.dense:
                np.matmul(delta, rows, out=product)
                fields += product
            else:
                fields += (rows @ delta.T).T
        return accepted
