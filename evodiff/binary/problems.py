"""Binary quadratic problems: QUBO, Ising and Max-Cut, with exact conversions between them.

- **QUBO**: minimise ``f(x) = x^T Q x + offset`` over ``x`` in ``{0, 1}^n``,
  ``Q`` symmetric (dense array or ``scipy.sparse``).
- **Ising**: minimise ``E(s) = -sum_{i<j} J_ij s_i s_j - h . s + offset`` over
  ``s`` in ``{-1, +1}^n``, ``J`` symmetric with a zero diagonal; with the
  symmetric matrix the pair sum is ``s^T J s / 2``.
- **Max-Cut**: maximise the weight of the edges between the two sides of a
  partition ``s``: ``cut(s) = sum_{(i,j)} w_ij (1 - s_i s_j) / 2``.

Conversions (``x = (1 + s) / 2``) are exact: a state has the same energy in
every form.  With ``Q_s`` the symmetric ``Q`` and ``Q_0`` its off-diagonal
part, a QUBO is the Ising problem ``J = -Q_0 / 2``, ``h = -Q_s 1 / 2``,
``offset + (1^T Q 1 + tr Q) / 4``; an Ising problem is the QUBO
``Q = -2 J + diag(2 J 1 - 2 h)``, ``offset - 1^T J 1 / 2 + sum h``; Max-Cut
with weights ``W`` is the Ising problem ``J = -W``, ``h = 0``, whose energy
is ``E = sum_{i<j} w_ij s_i s_j`` and ``cut = (W_total - E) / 2``.

Energies take a population at once: ``X`` of shape ``(N, n)`` gives ``(N,)``
values with one (dense or sparse) matrix product.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sparse

from ..validation import check_int, check_real

__all__ = ["QUBO", "Ising", "MaxCut"]


def _matrix(name, matrix, *, zero_diagonal=False):
    """A square, symmetric, finite real matrix (dense float64 or CSR), or a clear error.

    Integer and floating entries only: a complex matrix would lose its imaginary part and a
    boolean one is almost surely a mask passed by mistake, so both are refused.
    """
    kind = matrix.dtype.kind if sparse.issparse(matrix) else np.asarray(matrix).dtype.kind
    if kind not in "iuf":
        raise TypeError(f"{name} must hold real numbers (integer or floating); got dtype "
                        f"{(matrix.dtype if sparse.issparse(matrix) else np.asarray(matrix).dtype)}")
    if sparse.issparse(matrix):
        matrix = sparse.csr_matrix(matrix, dtype=np.float64)
        data = matrix.data
    else:
        try:
            matrix = np.asarray(matrix, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{name} must be a real matrix; got {type(matrix).__name__}") from exc
        data = matrix
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or matrix.shape[0] < 1:
        raise ValueError(f"{name} must be a square (n, n) matrix with n >= 1; "
                         f"got shape {matrix.shape}")
    if not np.all(np.isfinite(data)):
        raise ValueError(f"{name} must be finite; it holds NaN or infinite entries")
    asymmetry = abs(matrix - matrix.T)
    largest = asymmetry.max() if asymmetry.size else 0.0
    if largest > 1e-12 * max(1.0, abs(matrix).max()):
        raise ValueError(f"{name} must be symmetric; |{name} - {name}^T| reaches {float(largest):g}")
    if zero_diagonal and np.any(matrix.diagonal() != 0):
        raise ValueError(f"{name} must have a zero diagonal (s_i^2 = 1 is a constant)")
    return matrix


def _states(name, X, n, values):
    X = np.asarray(X)
    if X.ndim == 1:
        X = X[None, :]
    if X.ndim != 2 or X.shape[1] != n:
        raise ValueError(f"{name} must have shape (N, {n}) or ({n},); got shape {X.shape}")
    if not np.all(np.isin(X, values)):
        raise ValueError(f"{name} entries must be in {set(values)}")
    return X.astype(np.float64)


def _quadratic(matrix, X):
    """Row-wise ``x^T M x`` for every row of ``X``, one matrix product."""
    product = np.asarray(matrix @ X.T).T  # dense or sparse alike
    return np.sum(product * X, axis=1)


class QUBO:
    """Minimise ``x^T Q x + offset`` over binary vectors.

    Parameters
    ----------
    Q : array_like or scipy.sparse matrix, shape (n, n)
        Symmetric and finite.
    offset : float, default 0
    """

    #: The values a state's entries take.
    domain = (0, 1)

    def __init__(self, Q, offset=0.0):
        self.Q = _matrix("Q", Q)
        self.offset = check_real("offset", offset)
        self.n = self.Q.shape[0]

    def energy(self, X):
        """Energies of the binary states ``X`` (shape (N, n) or (n,)): shape (N,)."""
        X = _states("X", X, self.n, (0, 1))
        return _quadratic(self.Q, X) + self.offset

    def __call__(self, X):
        """The problem's value of the states ``X`` (:meth:`energy`), so it serves as an objective."""
        return self.energy(X)

    def ising_form(self):
        """``(ising, a, b)``: the value of a state is ``a * ising.energy(s) + b`` (here 1, 0)."""
        return self.to_ising(), 1.0, 0.0

    def to_ising(self):
        """The equivalent :class:`Ising` problem (``s = 2 x - 1``)."""
        Q = self.Q
        diagonal = np.asarray(Q.diagonal()).ravel()
        row_sums = np.asarray(Q.sum(axis=1)).ravel()
        if sparse.issparse(Q):
            off = Q - sparse.diags(diagonal)
        else:
            off = Q - np.diag(diagonal)
        offset = self.offset + (row_sums.sum() + diagonal.sum()) / 4.0
        return Ising(-off / 2.0, -row_sums / 2.0, offset=offset)


class Ising:
    """Minimise ``-s^T J s / 2 - h . s + offset`` over spin vectors.

    Parameters
    ----------
    J : array_like or scipy.sparse matrix, shape (n, n)
        Symmetric couplings with a zero diagonal.
    h : array_like, shape (n,), optional
        Fields (default zero).
    offset : float, default 0
    """

    def __init__(self, J, h=None, offset=0.0):
        self.J = _matrix("J", J, zero_diagonal=True)
        self.n = self.J.shape[0]
        h = np.zeros(self.n) if h is None else np.asarray(h, dtype=np.float64)
        if h.shape != (self.n,):
            raise ValueError(f"h must have shape ({self.n},); got shape {h.shape}")
        if not np.all(np.isfinite(h)):
            raise ValueError("h must be finite")
        self.h = h
        self.offset = check_real("offset", offset)

    #: The values a state's entries take.
    domain = (-1, 1)

    def energy(self, S):
        """Energies of the spin states ``S`` (entries -1 or +1): shape (N,)."""
        S = _states("S", S, self.n, (-1, 1))
        return -_quadratic(self.J, S) / 2.0 - S @ self.h + self.offset

    def __call__(self, S):
        """The problem's value of the states ``S`` (:meth:`energy`), so it serves as an objective."""
        return self.energy(S)

    def ising_form(self):
        """``(ising, a, b)``: the value of a state is ``a * ising.energy(s) + b`` (here self, 1, 0)."""
        return self, 1.0, 0.0

    def to_qubo(self):
        """The equivalent :class:`QUBO` (``x = (1 + s) / 2``)."""
        J = self.J
        row_sums = np.asarray(J.sum(axis=1)).ravel()
        linear = 2.0 * row_sums - 2.0 * self.h
        Q = -2.0 * J + (sparse.diags(linear) if sparse.issparse(J) else np.diag(linear))
        offset = self.offset - row_sums.sum() / 2.0 + self.h.sum()
        return QUBO(Q, offset=offset)


class MaxCut:
    """Maximise the weight of the edges cut by a partition of a graph's vertices.

    Parameters
    ----------
    n : int
        Number of vertices, numbered 0 to n - 1.
    edges : array_like, shape (m, 2)
        Vertex pairs; no self-loops.
    weights : array_like, shape (m,), optional
        Edge weights (default 1).  Repeated edges add up.
    """

    def __init__(self, n, edges, weights=None):
        n = check_int("n", n, minimum=2)
        edges = np.asarray(edges)
        if edges.ndim != 2 or edges.shape[1] != 2 or edges.dtype.kind not in "iu":
            raise ValueError(f"edges must be an (m, 2) array of vertex indices; got {edges!r}")
        bad = np.flatnonzero((edges < 0).any(axis=1) | (edges >= n).any(axis=1))
        if bad.size:
            raise ValueError(f"edge {int(bad[0])} {edges[bad[0]].tolist()} has a vertex out of "
                             f"range 0..{n - 1}")
        loops = np.flatnonzero(edges[:, 0] == edges[:, 1])
        if loops.size:
            raise ValueError(f"edge {int(loops[0])} is a self-loop on vertex {edges[loops[0], 0]}")
        weights = np.ones(len(edges)) if weights is None else np.asarray(weights, np.float64)
        if weights.shape != (len(edges),) or not np.all(np.isfinite(weights)):
            raise ValueError(f"weights must be {len(edges)} finite numbers")
        self.n, self.edges, self.weights = n, edges, weights
        W = sparse.coo_matrix((weights, (edges[:, 0], edges[:, 1])), shape=(n, n))
        self.W = (W + W.T).tocsr()
        self.total_weight = float(weights.sum())

    #: The values a state's entries take (the side of each vertex).
    domain = (-1, 1)

    def __call__(self, S):
        """The cut weight of the partitions ``S`` (:meth:`cut`), so it serves as an objective."""
        return self.cut(S)

    def ising_form(self):
        """``(ising, a, b)``: ``cut(s) = a * ising.energy(s) + b`` with ``a = -1/2``, ``b = W / 2``."""
        return self.to_ising(), -0.5, self.total_weight / 2.0

    def cut(self, S):
        """Cut weight of the partitions ``S`` (spins -1/+1, shape (N, n) or (n,)): shape (N,)."""
        S = _states("S", S, self.n, (-1, 1))
        return (self.total_weight - _quadratic(self.W, S) / 2.0) / 2.0

    def to_ising(self):
        """The Ising problem whose energy is ``total_weight - 2 cut`` (``J = -W``, ``h = 0``)."""
        return Ising(-self.W, offset=0.0)
