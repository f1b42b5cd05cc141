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
line, before anything sized by the header is allocated: a header's sizes are
checked against the entries the file holds.
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
        values = [kind(field) for kind, field in zip(kinds, fields)]
    except ValueError:
        raise ValueError(f"{path}, line {number}: not numbers: {line.strip()!r}") from None
    for value in values:
        if isinstance(value, float) and not np.isfinite(value):
            raise ValueError(f"{path}, line {number}: a weight must be finite; got "
                             f"{line.strip()!r}")
    return values


def _lines(path, what):
    """``(number, text)`` of every line of a text file; a clear error for anything else."""
    try:
        with open(path, encoding="utf-8") as handle:
            return list(enumerate(handle.read().splitlines(), start=1))
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not a text file ({what} files are plain text; byte "
                         f"{exc.start} cannot be read)") from None
    except IsADirectoryError:
        raise ValueError(f"{path}: is a directory, not a {what} file") from None


def read_gset(path):
    """Read a G-set graph as a :class:`~evodiff.binary.MaxCut` problem.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    MaxCut
        Vertices renumbered from 0.

    Raises
    ------
    ValueError
        Naming the file and line: a header that does not fit the edges read
        (``m`` edges touch at most ``2 m`` vertices, so a larger ``n`` is
        refused before anything of its size is allocated), a vertex out of
        range, a self-loop, a weight that is not a finite number, a file that
        is not text, a directory.
    """
    lines = [(number, line) for number, line in _lines(path, "G-set") if line.strip()]
    if not lines:
        raise ValueError(f"{path}: empty file; expected a first line 'n m'")
    head, header = lines[0]
    n, m = _numbers(path, head, header, (int, int))
    if n < 2 or m < 1:
        raise ValueError(f"{path}, line {head}: n must be >= 2 and m >= 1; got {n} {m}")
    body = lines[1:]
    if len(body) != m:
        raise ValueError(f"{path}: the header announces {m} edges, the file holds {len(body)} "
                         f"({'truncated' if len(body) < m else 'extra lines'})")
    if n > 2 * m:
        raise ValueError(f"{path}, line {head}: {m} edges touch at most {2 * m} vertices, not "
                         f"the {n} the header announces")
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


def _is_comment(text):
    return text == "c" or text[:2] in ("c ", "c\t")


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

    Raises
    ------
    ValueError
        Naming the file and line: a second ``p`` line, an entry before it, an
        index out of range, an entry below the diagonal or given twice, a
        value that is not a finite number, a header that does not fit the
        entries (``d`` diagonal and ``o`` off-diagonal entries touch at most
        ``d + 2 o`` variables, so a larger ``n`` is refused before anything
        of its size is allocated), a file that is not text, a directory.
    """
    header = None
    seen = {}
    rows, cols, values = [], [], []
    for number, line in _lines(path, "bqp"):
        text = line.strip()
        if not text or _is_comment(text):
            continue
        if text.startswith("p"):
            if header is not None:
                raise ValueError(f"{path}, line {number}: a second 'p' line (the first is line "
                                 f"{header[0]})")
            fields = text.split()
            if len(fields) != 6 or fields[0] != "p" or fields[1] != "qubo":
                raise ValueError(f"{path}, line {number}: expected 'p qubo 0 n nDiag "
                                 f"nOffDiag'; got {text!r}")
            try:
                counts = [int(f) for f in fields[2:]]
            except ValueError:
                raise ValueError(f"{path}, line {number}: not numbers: {text!r}") from None
            n, diagonal, off_diagonal = counts[1:]
            if n < 1 or diagonal < 0 or off_diagonal < 0:
                raise ValueError(f"{path}, line {number}: n must be >= 1 and the entry counts "
                                 f">= 0; got {text!r}")
            if n > diagonal + 2 * off_diagonal:
                raise ValueError(f"{path}, line {number}: {diagonal} diagonal and {off_diagonal} "
                                 f"off-diagonal entries touch at most "
                                 f"{diagonal + 2 * off_diagonal} variables, not the {n} the "
                                 "header announces")
            header = (number, n, diagonal, off_diagonal)
            continue
        if header is None:
            raise ValueError(f"{path}, line {number}: an entry before the 'p qubo' line")
        i, j, q = _numbers(path, number, text, (int, int, float))
        n = header[1]
        if not (0 <= i < n and 0 <= j < n):
            raise ValueError(f"{path}, line {number}: index out of range 0..{n - 1}: {text!r}")
        if i > j:
            raise ValueError(f"{path}, line {number}: an entry below the diagonal ({i} > {j}); "
                             "the format lists the upper triangle")
        if (i, j) in seen:
            raise ValueError(f"{path}, line {number}: entry ({i}, {j}) is given again (first on "
                             f"line {seen[(i, j)]})")
        seen[(i, j)] = number
        if i == j:
            rows.append(i), cols.append(j), values.append(q)
        else:
            rows += [i, j]
            cols += [j, i]
            values += [q / 2.0, q / 2.0]
    if header is None:
        raise ValueError(f"{path}: no 'p qubo' line")
    _, n, diagonal, off_diagonal = header
    on_diagonal = sum(1 for i, j in seen if i == j)
    if (on_diagonal, len(seen) - on_diagonal) != (diagonal, off_diagonal):
        raise ValueError(f"{path}: the header announces {diagonal} diagonal and {off_diagonal} "
                         f"off-diagonal entries, the file holds {on_diagonal} and "
                         f"{len(seen) - on_diagonal} (truncated?)")
    Q = sparse.coo_matrix((values, (rows, cols)), shape=(n, n)).tocsr()
    return QUBO(Q)
