"""Exchange with networkx and dimod, and planted satisfiability instances.

- :func:`from_networkx`: an undirected networkx graph as a :class:`MaxCut`.
- :func:`to_bqm` and :func:`from_bqm`: to and from a
  :class:`dimod.BinaryQuadraticModel`, keeping every state's energy.  dimod
  writes a BQM's energy as ``sum_i a_i v_i + sum_{i<j} b_ij v_i v_j +
  offset``, so a :class:`QUBO` (``x^T Q x``) has ``a_i = Q_ii`` and ``b_ij =
  Q_ij + Q_ji``, and an :class:`Ising` problem (``-s^T J s / 2 - h . s``)
  has ``a_i = -h_i`` and ``b_ij = -(J_ij + J_ji) / 2``.
- :func:`planted_nae3sat` and :func:`planted_2in4sat`: dimod's random
  not-all-equal 3-SAT and 2-in-4-SAT with a planted solution.  Clause
  ``c`` with literals ``l = sign * s`` adds ``sum_{pairs} l_u l_v =
  ((sum l)^2 - k) / 2`` to the energy, at least ``-1`` (k = 3) or ``-2``
  (k = 4), reached exactly when the clause is satisfied.  dimod plants the
  all-ones state (and its negation); a random gauge hides it here.

networkx and dimod are optional: they are imported when a function needs
them.
"""

from __future__ import annotations

import importlib

import numpy as np
import scipy.sparse as sparse

from ..randomness import as_generator
from ..validation import check_bool, check_int, check_real
from .problems import QUBO, Ising, MaxCut

__all__ = ["from_networkx", "to_bqm", "from_bqm", "planted_nae3sat", "planted_2in4sat"]


def _import(module):
    """Import an optional dependency, or say how to install it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(f"this function needs {module}: pip install {module} "
                          f"(or the extra: pip install 'evodiff-toolkit[binary]')") from exc


def from_networkx(graph, weight="weight"):
    """The Max-Cut problem of an undirected networkx graph.

    Parameters
    ----------
    graph : networkx.Graph
        Undirected, without parallel edges or self-loops, at least 2 vertices.
        Vertex labels may be any hashable objects.
    weight : str or None, default 'weight'
        Edge attribute holding the weight; an edge without it (or every edge,
        when ``weight`` is None) weighs 1.

    Returns
    -------
    MaxCut
        Vertex ``i`` is ``graph``'s ``i``-th vertex in the order of
        ``graph.nodes``; that list of labels is stored as the attribute
        ``labels``, so ``dict(zip(problem.labels, s))`` maps a partition
        ``s`` back to the graph.

    Raises
    ------
    ImportError
        If networkx is not installed.
    TypeError
        If ``graph`` is not a networkx graph, or is directed or a multigraph.
    ValueError
        For a self-loop, a weight that is not a finite number, or fewer than 2
        vertices.
    """
    nx = _import("networkx")
    if not isinstance(graph, nx.Graph):
        raise TypeError(f"graph must be a networkx.Graph; got {type(graph).__name__}")
    if graph.is_directed():
        raise TypeError("graph must be undirected; Max-Cut of a directed graph is not defined "
                        "here (use graph.to_undirected())")
    if graph.is_multigraph():
        raise TypeError("graph must not be a multigraph; merge parallel edges into one "
                        "weighted edge (e.g. nx.Graph(graph) after summing weights)")
    labels = list(graph.nodes)
    if len(labels) < 2:
        raise ValueError(f"graph must have at least 2 vertices; got {len(labels)}")
    index = {label: i for i, label in enumerate(labels)}
    edges = np.empty((graph.number_of_edges(), 2), dtype=np.int64)
    weights = np.empty(len(edges))
    for k, (u, v, data) in enumerate(graph.edges(data=True)):
        if index[u] == index[v]:
            raise ValueError(f"graph has a self-loop on vertex {u!r}; Max-Cut needs none "
                             f"(remove it: nx.selfloop_edges)")
        edges[k] = index[u], index[v]
        value = 1.0 if weight is None else data.get(weight, 1.0)
        try:
            weights[k] = check_real(f"weight of edge ({u!r}, {v!r})", value)
        except TypeError as exc:  # a string or None: a bad value, not a bad argument
            raise ValueError(str(exc)) from None
    problem = MaxCut(len(labels), edges, weights)
    problem.labels = labels
    return problem


def _pairs(matrix):
    """``(rows, cols, M_ij + M_ji)`` over the pairs ``i < j`` with a nonzero entry."""
    coo = sparse.coo_matrix(matrix)
    upper, lower = coo.row < coo.col, coo.row > coo.col
    rows = np.concatenate([coo.row[upper], coo.col[lower]])
    cols = np.concatenate([coo.col[upper], coo.row[lower]])
    values = np.concatenate([coo.data[upper], coo.data[lower]])
    summed = sparse.coo_matrix((values, (rows, cols)), shape=matrix.shape).tocsr().tocoo()
    return summed.row, summed.col, summed.data


def to_bqm(problem):
    """A :class:`dimod.BinaryQuadraticModel` with the energies of ``problem``.

    Parameters
    ----------
    problem : QUBO, Ising or MaxCut
        Its matrix may be dense or sparse; it is not densified.

    Returns
    -------
    dimod.BinaryQuadraticModel
        Variables ``0 .. n-1``.  A QUBO gives a BINARY model, an Ising problem
        a SPIN model, each with the same energy as ``problem.energy`` on every
        state; a MaxCut gives the SPIN model of ``problem.to_ising()``, whose
        energy is ``total_weight - 2 cut``.

    Raises
    ------
    ImportError
        If dimod is not installed.
    TypeError
        If ``problem`` is none of these classes.
    """
    dimod = _import("dimod")
    if isinstance(problem, MaxCut):
        problem = problem.to_ising()
    if isinstance(problem, QUBO):
        linear = np.asarray(problem.Q.diagonal(), dtype=np.float64).ravel()
        rows, cols, values = _pairs(problem.Q)
        vartype = dimod.BINARY
    elif isinstance(problem, Ising):
        linear = -problem.h
        rows, cols, values = _pairs(problem.J)
        values = -values / 2.0
        vartype = dimod.SPIN
    else:
        raise TypeError(f"problem must be a QUBO, Ising or MaxCut; got {type(problem).__name__}")
    return dimod.BinaryQuadraticModel.from_numpy_vectors(linear, (rows, cols, values),
                                                         problem.offset, vartype)


def from_bqm(bqm):
    """The :class:`QUBO` or :class:`Ising` problem of a dimod binary quadratic model.

    Parameters
    ----------
    bqm : dimod.BinaryQuadraticModel
        At least one variable, of any labels.

    Returns
    -------
    problem : QUBO or Ising
        A QUBO for a BINARY model, an Ising problem for a SPIN one, with a
        sparse (CSR) matrix and the model's energy on every state.
    labels : list
        ``labels[i]`` is the model's variable behind index ``i`` (the order of
        ``bqm.variables``).

    Raises
    ------
    ImportError
        If dimod is not installed.
    TypeError
        If ``bqm`` is not a ``dimod.BinaryQuadraticModel``.
    ValueError
        If it has no variables.
    """
    dimod = _import("dimod")
    if not isinstance(bqm, dimod.BinaryQuadraticModel):
        raise TypeError(f"bqm must be a dimod.BinaryQuadraticModel; got {type(bqm).__name__}")
    labels = list(bqm.variables)
    n = len(labels)
    if n < 1:
        raise ValueError("bqm must have at least one variable")
    linear, (rows, cols, values), offset = bqm.to_numpy_vectors(variable_order=labels)
    linear, values = np.asarray(linear, np.float64), np.asarray(values, np.float64)
    half = sparse.coo_matrix((values / 2.0, (rows, cols)), shape=(n, n))
    symmetric = (half + half.T).tocsr()  # M_ij = M_ji = b_ij / 2
    if bqm.vartype is dimod.BINARY:
        problem = QUBO(symmetric + sparse.diags(linear, format="csr"), offset=float(offset))
    else:
        problem = Ising(-2.0 * symmetric, -linear, offset=float(offset))
    return problem, labels


def _planted(k, n, clause_ratio, rng, gauge):
    dimod = _import("dimod")
    n = check_int("n", n, minimum=k)
    clause_ratio = check_real("clause_ratio", clause_ratio, minimum=0.0)
    gauge = check_bool("gauge", gauge)
    generator = as_generator(rng)
    num_clauses = round(clause_ratio * n)
    seed = int(generator.integers(2**63 - 1))
    sat = dimod.generators.random_nae3sat if k == 3 else dimod.generators.random_2in4sat
    bqm = sat(n, num_clauses, plant_solution=True, seed=seed)
    problem, labels = from_bqm(bqm)
    if labels != list(range(n)):  # dimod numbers its variables 0 .. n-1
        raise RuntimeError(f"dimod returned variables {labels[:5]}...; expected 0 .. {n - 1}")
    state = np.ones(n, dtype=np.int64)  # dimod plants all ones (and all minus ones)
    if gauge:
        state = np.where(generator.random(n) < 0.5, -1, 1).astype(np.int64)
        flips = sparse.diags(state.astype(np.float64), format="csr")
        problem = Ising(flips @ problem.J @ flips, problem.h * state, offset=problem.offset)
    ground_energy = float(problem.energy(state)[0])
    return problem, state, ground_energy


def planted_nae3sat(n, clause_ratio, rng=None, *, gauge=True):
    """A random not-all-equal 3-SAT instance (dimod) with a planted solution.

    Every clause holds three literals (variables or negations) that must not
    be all equal; a satisfied clause adds -1 to the energy, a violated one
    +3, so the planted state, which satisfies every clause, is a ground state
    of energy ``-num_clauses``.

    Parameters
    ----------
    n : int
        Spins, at least 3.
    clause_ratio : float
        Clauses per spin, >= 0; ``round(clause_ratio * n)`` clauses (the
        satisfiability threshold of random NAE-3-SAT is near 2.1).
    rng : None, int or numpy.random.Generator
        Draws the seed handed to dimod (and the gauge).
    gauge : bool, default True
        Hide the planted state with a random gauge ``s -> g s``; else it is
        dimod's all-ones state.

    Returns
    -------
    problem : Ising
        With a sparse ``J`` and no field.
    ground_state : numpy.ndarray of int, shape (n,)
        A ground state, entries -1 or +1 (its negation is one too).
    ground_energy : float
        Its energy, ``-num_clauses``.

    Raises
    ------
    ImportError
        If dimod is not installed.
    TypeError, ValueError
        For a bad ``n``, ``clause_ratio``, ``rng`` or ``gauge``.
    """
    return _planted(3, n, clause_ratio, rng, gauge)


def planted_2in4sat(n, clause_ratio, rng=None, *, gauge=True):
    """A random 2-in-4-SAT instance (dimod) with a planted solution.

    Every clause holds four literals of which exactly two must be +1; a
    satisfied clause adds -2 to the energy, a violated one 0 or +6, so the
    planted state, which satisfies every clause, is a ground state of energy
    ``-2 num_clauses``.

    Parameters
    ----------
    n : int
        Spins, at least 4.
    clause_ratio : float
        Clauses per spin, >= 0; ``round(clause_ratio * n)`` clauses.
    rng : None, int or numpy.random.Generator
        Draws the seed handed to dimod (and the gauge).
    gauge : bool, default True
        Hide the planted state with a random gauge ``s -> g s``; else it is
        dimod's all-ones state.

    Returns
    -------
    problem : Ising
        With a sparse ``J`` and no field.
    ground_state : numpy.ndarray of int, shape (n,)
        A ground state, entries -1 or +1 (its negation is one too).
    ground_energy : float
        Its energy, ``-2 num_clauses``.

    Raises
    ------
    ImportError
        If dimod is not installed.
    TypeError, ValueError
        For a bad ``n``, ``clause_ratio``, ``rng`` or ``gauge``.
    """
    return _planted(4, n, clause_ratio, rng, gauge)
