"""The x0 estimator of Diffusion Evolution, in the log domain and in row chunks.

For individual ``i`` the estimate of its clean point is a weighted average

    x0_i = sum_j w_ij x_j / sum_j w_ij,
    log w_ij = log g_j - ||z_i - sqrt(a) z_j||^2 / (2 (1 - a)),

with ``z = x`` (plain) or ``z = E x`` (latent).  Expanding the square, the
term ``||z_i||^2`` is the same for every ``j`` of a row and cancels in the
normalisation, so up to a per-row constant

    log w_ij = c z_i . z_j + b_j,   c = sqrt(a) / (1 - a),
    b_j = log g_j - a ||z_j||^2 / (2 (1 - a)).

The first term is the Gram matrix of the codes scaled by ``sqrt(c)`` (a
symmetric product that BLAS computes at half the cost of a general one); the
numerator and the denominator come out of one product of the weights with
``[x_j, 1]``.  Between them, only adding ``b``, a row maximum, a subtraction,
a clamp and an exponential touch the ``rows x N`` block, which never exceeds
the memory budget.  Subtracting the row maximum keeps the largest weight of each row at
exactly 1: no row underflows to all zeros, whatever the dimension, so the
estimate never collapses to the population mean or the origin and is never NaN.

Log-weights more than ``_LOG_FLOOR`` below a row's maximum are raised to that
floor before the exponential (relative weights of 7e-218 in float64, 1.8e-35
in float32, instead of exact zeros).  Their effect on the average is far below
the dtype's precision, and it keeps the exponential off the slow path that
CPUs take for results near underflow, which made the estimator three times
slower in high dimensions.
"""

from __future__ import annotations

import math

__all__ = ["estimate_x0", "neighbour_weights", "chunk_rows", "DEFAULT_MEMORY_BUDGET"]

#: Bytes allowed for the ``rows x N`` block of log-weights (32 MiB).
DEFAULT_MEMORY_BUDGET = 32 * 2**20

_LOG_FLOOR = {"float64": -500.0, "float32": -80.0}

# Code dimension from which the symmetric product beats carrying the offsets in the product.
_SYMMETRIC_FROM_DIM = 16


def chunk_rows(n_rows, n_cols, itemsize, memory_budget=DEFAULT_MEMORY_BUDGET):
    """Number of rows of log-weights processed at once under a memory budget.

    Parameters
    ----------
    n_rows, n_cols : int
        Size of the full block of log-weights.
    itemsize : int
        Bytes per element.
    memory_budget : int
        Bytes allowed for one block.

    Returns
    -------
    int
        Between 1 and ``n_rows``.
    """
    rows = memory_budget // max(n_cols * itemsize, 1)
    return int(min(max(rows, 1), n_rows))


def estimate_x0(backend, x, log_g, alpha, z=None, rows=None,
                memory_budget=DEFAULT_MEMORY_BUDGET, only=None):
    """Estimate the clean point of every individual.

    Parameters
    ----------
    backend : Backend
        Provides the namespace and an in-place exponential.
    x : array, shape (N, D)
        The population (normalised coordinates).
    log_g : array, shape (N,)
        Log-weights of the individuals; ``-inf`` for weight zero.
    alpha : float
        Schedule value of the current time, in (0, 1).
    z : array, shape (N, d), optional
        Codes used for the distances (latent variant); ``x`` when omitted.
    rows : int, optional
        Rows per chunk; chosen from ``memory_budget`` when omitted.  The result
        does not depend on it.
    memory_budget : int, optional
        Bytes allowed for one chunk of log-weights.
    only : array of int, optional
        Estimate these individuals only (their rows, in this order), still
        averaging over the whole population.

    Returns
    -------
    array, shape (N, D), or (len(only), D)
        The estimates ``x0``.  When every weight is zero (all ``log_g`` are
        ``-inf``) each individual keeps its own position.
    """
    xp = backend.xp
    alive = xp.isfinite(log_g)
    if not bool(xp.any(alive)):
        return xp.asarray(x if only is None else xp.take(x, only, axis=0), copy=True)
    dim = x.shape[1]
    queries, keys_t, offsets, values = _prepare(xp, x, log_g, alpha, z, alive)
    if only is not None:
        queries = xp.take(queries, only, axis=0)
    n = queries.shape[0]
    log_floor = _log_floor(xp, x.dtype)
    if rows is None:
        rows = chunk_rows(n, keys_t.shape[1], 4 if x.dtype == xp.float32 else 8, memory_budget)
    parts = []
    for start in range(0, n, rows):
        stop = min(start + rows, n)
        weights = _block_weights(backend, queries[start:stop, :], keys_t, offsets, log_floor)
        sums = weights @ values
        parts.append(sums[:, :dim] / sums[:, dim:])
    return parts[0] if len(parts) == 1 else xp.concat(parts, axis=0)


def neighbour_weights(backend, x, log_g, alpha, z=None):
    """The normalised weights ``w_ij / sum_j w_ij`` used by :func:`estimate_x0`.

    A diagnostic for small populations (it holds the whole N x N matrix):
    each row sums to 1 unless every ``log_g`` is ``-inf``, in which case the
    matrix is all zeros (the estimator then keeps every point where it is).

    Parameters
    ----------
    backend : Backend
    x : array, shape (N, D)
    log_g : array, shape (N,)
    alpha : float
    z : array, shape (N, d), optional

    Returns
    -------
    array, shape (N, N)
    """
    xp = backend.xp
    n = x.shape[0]
    alive = xp.isfinite(log_g)
    if not bool(xp.any(alive)):
        return xp.zeros((n, n), dtype=x.dtype)
    queries, keys_t, offsets, _ = _prepare(xp, x, log_g, alpha, z, alive)
    weights = _block_weights(backend, queries, keys_t, offsets, _log_floor(xp, x.dtype))
    weights = weights / xp.sum(weights, axis=1, keepdims=True)
    if keys_t.shape[1] == n:
        return weights
    # Put the columns of the alive points back in place; dead points read a zero column.
    padded = xp.concat([weights, xp.zeros((n, 1), dtype=x.dtype)], axis=1)
    position = xp.cumulative_sum(xp.astype(alive, xp.int64)) - 1
    index = xp.where(alive, position, xp.asarray(keys_t.shape[1], dtype=xp.int64))
    return xp.take(padded, index, axis=1)


def _log_floor(xp, dtype):
    return _LOG_FLOOR["float32" if dtype == xp.float32 else "float64"]


def _prepare(xp, x, log_g, alpha, z, alive):
    """Row codes, transposed column codes, column offsets and values ``[x_j, 1]``.

    ``rows @ cols_t (+ offsets)`` equals the log-weights up to a per-row
    constant.  Both sides are scaled by ``sqrt(c)`` rather than one by ``c``:

    - in few latent dimensions the offsets ride along in the product as one
      more column (``[sqrt(c) z_i, 1] . [sqrt(c) z_j, b_j]``), saving a pass
      over the ``rows x N`` block;
    - in many dimensions the product stays of the form ``Z @ Z.T``, which BLAS
      computes as a symmetric rank-k update at half the cost of a general
      product, and the offsets are added afterwards (``offsets`` not None).

    Only the points with a finite ``log_g`` become columns: a weight of
    exactly zero stays zero (the log floor would otherwise lift it).
    """
    z = x if z is None else z
    if not bool(xp.all(alive)):
        keep = xp.nonzero(alive)[0]
        z_cols, x_cols, log_g = (xp.take(a, keep, axis=0) for a in (z, x, log_g))
    else:
        z_cols, x_cols = z, x
    root_coupling = math.sqrt(math.sqrt(alpha) / (1.0 - alpha))
    offsets = log_g - (alpha / (2.0 * (1.0 - alpha))) * xp.vecdot(z_cols, z_cols, axis=-1)
    values = _with_ones_column(xp, x_cols)
    if z.shape[1] < _SYMMETRIC_FROM_DIM:
        rows = _with_ones_column(xp, root_coupling * z)
        cols = _with_ones_column(xp, root_coupling * z_cols)
        cols[:, -1] = offsets
        return rows, xp.matrix_transpose(cols), None, values
    rows = root_coupling * z
    cols = rows if z_cols is z else root_coupling * z_cols
    return rows, xp.matrix_transpose(cols), offsets, values


def _block_weights(backend, rows, cols_t, offsets, log_floor):
    """Unnormalised weights of a block of rows, the largest of each row exactly 1."""
    xp = backend.xp
    logits = rows @ cols_t
    if offsets is not None:
        logits += offsets
    logits -= xp.max(logits, axis=1, keepdims=True)
    logits = backend.clamp_min_inplace(logits, log_floor)
    return backend.exp_inplace(logits)


def _with_ones_column(xp, a):
    """Return ``[a, 1]``: ``a`` with a column of ones appended."""
    out = xp.empty((a.shape[0], a.shape[1] + 1), dtype=a.dtype)
    out[:, :-1] = a
    out[:, -1] = 1.0
    return out
