"""Readers of the benchmark formats: G-set Max-Cut graphs and OR-Library ``bqp`` QUBOs.

- **G-set** (Helmberg and Rendl, generated with rudy): a first line ``n m``,
  then ``m`` lines ``i j w`` with 1-based vertices and edge weights.
- **OR-Library bqp** (Beasley), as distributed in ``.qubo`` form: comment
  lines starting with ``c``, one line ``p qubo 0 n nDiag nOffDiag``, then
  ``i j q`` entries with 0-based indices, diagonal entries first, then the
  upper triangle.  The objective is ``sum_i q_ii x_i + sum_{i<j} q_ij x_i
  x_j``, to be *maximised*; :func:`read_bqp` returns it as the
  :class:`~evodiff.binary.QUBO` ``x^T Q x`` with ``Q_ij = Q_ji = q_ij / 2``
  (minimise ``QUBO(-Q)`` to maximise it).

A malformed or truncated file raises ``ValueError`` naming the file and the
line.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sparse

from .problems import QUBO, MaxCut

__all__ = ["read_gset", "read_bqp"]


def _numbers(path, number, line, kinds):
    fields = line.split()
    if len(fields) != len(kinds):
        raise ValueError(f"{path}, line {number}: expected {len(kinds)} numbers; got {line.strip()!r}")
    try:
        return [kind(field) for kind, field in zip(kinds, fields)]
    except ValueError:
        raise ValueError(f"{path}, line {number}: not numbers: {line.strip()!r}") from None


def read_gset(path):
    """Read a G-set graph as a :class:`~evodiff.binary.MaxCut` problem.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    MaxCut
        Vertices renumbered from 0.
    """
    with open(path) as handle:
        lines = [(k + 1, line) for k, line in enumerate(handle) if line.strip()]
    if not lines:
        raise ValueError(f"{path}: empty file; expected a first line 'n m'")
    n, m = _numbers(path, lines[0][0], lines[0][1], (int, int))
    if n < 2 or m < 0:
        raise ValueError(f"{path}, line {lines[0][0]}: n must be >= 2 and m >= 0; got {n} {m}")
    body = lines[1:]
    if len(body) != m:
        raise ValueError(f"{path}: the header announces {m} edges, the file holds {len(body)} "
                         f"({'truncated' if len(body) < m else 'extra lines'})")
    edges = np.empty((m, 2), dtype=np.int64)
    weights = np.empty(m)
    for k, (number, line) in enumerate(body):
        i, j, w = _numbers(path, number, line, (int, int, float))
        if not (1 <= i <= n and 1 <= j <= n):
            raise ValueError(f"{path}, line {number}: vertex out of range 1..{n}: {line.strip()!r}")
        if i == j:
            raise ValueError(f"{path}, line {number}: self-loop on vertex {i}")
        edges[k] = (i - 1, j - 1)
        weights[k] = w
    return MaxCut(n, edges, weights)


def read_bqp(path):
    """Read an OR-Library bqp instance as the :class:`~evodiff.binary.QUBO` of its objective.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    QUBO
        ``x^T Q x`` equals the instance's objective (to be maximised); ``Q``
        is sparse.
    """
    header = None
    rows, cols, values = [], [], []
    with open(path) as handle:
        for number, line in enumerate(handle, start=1):
            text = line.strip()
            if not text or text.startswith("c"):
                continue
            if text.startswith("p"):
                fields = text.split()
                if len(fields) != 6 or fields[1] != "qubo":
                    raise ValueError(f"{path}, line {number}: expected 'p qubo 0 n nDiag "
                                     f"nOffDiag'; got {text!r}")
                try:
                    header = [int(f) for f in fields[2:]]
                except ValueError:
                    raise ValueError(f"{path}, line {number}: not numbers: {text!r}") from None
                continue
            if header is None:
                raise ValueError(f"{path}, line {number}: an entry before the 'p qubo' line")
            i, j, q = _numbers(path, number, text, (int, int, float))
            n = header[1]
            if not (0 <= i < n and 0 <= j < n):
                raise ValueError(f"{path}, line {number}: index out of range 0..{n - 1}: {text!r}")
            if i == j:
                rows.append(i), cols.append(j), values.append(q)
            else:
                rows += [i, j]
                cols += [j, i]
                values += [q / 2.0, q / 2.0]
    if header is None:
        raise ValueError(f"{path}: no 'p qubo' line")
    _, n, diagonal, off_diagonal = header
    entries = len(values) - (len(values) - sum(r == c for r, c in zip(rows, cols))) // 2
    if entries != diagonal + off_diagonal:
        raise ValueError(f"{path}: the header announces {diagonal + off_diagonal} entries, the "
                         f"file holds {entries} (truncated?)")
    Q = sparse.coo_matrix((values, (rows, cols)), shape=(n, n)).tocsr()
    return QUBO(Q)
