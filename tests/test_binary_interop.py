"""networkx and dimod interop: exact energies both ways, labels, bad input, planted SAT ground states."""

import itertools
import sys

import numpy as np
import pytest
import scipy.sparse as sparse

from evodiff.binary import QUBO, Ising, MaxCut
from evodiff.binary.interop import from_bqm, from_networkx, planted_2in4sat, planted_nae3sat, to_bqm


@pytest.fixture
def dimod():
    return pytest.importorskip("dimod")


@pytest.fixture
def nx():
    return pytest.importorskip("networkx")


def all_spins(n):
    return np.array(list(itertools.product((-1, 1), repeat=n)), dtype=np.int64)


def random_symmetric(n, rng, density=1.0):
    A = rng.normal(size=(n, n)) * (rng.random((n, n)) < density)
    return (A + A.T) / 2


def random_ising(n, rng, as_sparse):
    J = random_symmetric(n, rng, density=0.5)
    np.fill_diagonal(J, 0.0)
    return Ising(sparse.csr_matrix(J) if as_sparse else J, rng.normal(size=n), offset=-0.75)


def dimod_energies(bqm, states):
    return bqm.energies((states, list(range(states.shape[1]))))


# --- to_bqm / from_bqm -------------------------------------------------------------------------


@pytest.mark.parametrize("as_sparse", [False, True])
def test_qubo_round_trip_keeps_every_energy(dimod, as_sparse):
    rng = np.random.default_rng(0)
    Q = random_symmetric(30, rng, density=0.3)
    qubo = QUBO(sparse.csr_matrix(Q) if as_sparse else Q, offset=2.5)
    bqm = to_bqm(qubo)
    assert bqm.vartype is dimod.BINARY
    assert list(bqm.variables) == list(range(30))
    assert bqm.offset == 2.5
    X = rng.integers(0, 2, size=(200, 30))
    np.testing.assert_allclose(dimod_energies(bqm, X), qubo.energy(X), rtol=1e-12, atol=1e-10)
    back, labels = from_bqm(bqm)
    assert isinstance(back, QUBO) and labels == list(range(30))
    np.testing.assert_allclose(back.energy(X), qubo.energy(X), rtol=1e-12, atol=1e-10)
    np.testing.assert_allclose(back.Q.toarray(), Q, atol=1e-14)


@pytest.mark.parametrize("as_sparse", [False, True])
def test_ising_round_trip_keeps_every_energy(dimod, as_sparse):
    rng = np.random.default_rng(1)
    ising = random_ising(25, rng, as_sparse)
    bqm = to_bqm(ising)
    assert bqm.vartype is dimod.SPIN
    assert bqm.offset == -0.75
    S = 2 * rng.integers(0, 2, size=(200, 25)) - 1
    np.testing.assert_allclose(dimod_energies(bqm, S), ising.energy(S), rtol=1e-12, atol=1e-10)
    back, _ = from_bqm(bqm)
    assert isinstance(back, Ising)
    np.testing.assert_allclose(back.energy(S), ising.energy(S), rtol=1e-12, atol=1e-10)
    np.testing.assert_allclose(back.h, ising.h)
    dense_J = ising.J.toarray() if as_sparse else ising.J
    np.testing.assert_allclose(back.J.toarray(), dense_J, atol=1e-14)


def test_bqm_biases_by_hand(dimod):
    qubo = to_bqm(QUBO([[1.0, 2.0], [2.0, 3.0]], offset=0.5))
    assert dict(qubo.linear) == {0: 1.0, 1: 3.0}
    assert qubo.quadratic[0, 1] == 4.0  # Q_01 + Q_10
    ising = to_bqm(Ising([[0.0, 2.0], [2.0, 0.0]], h=[1.0, -1.0]))
    assert dict(ising.linear) == {0: -1.0, 1: 1.0}
    assert ising.quadratic[0, 1] == -2.0
    assert ising.energy({0: 1, 1: 1}) == -2.0  # -J_01 - h_0 - h_1 = -2 - 1 + 1


def test_sparse_problem_gives_only_its_interactions(dimod):
    n = 5000  # a dense matrix would hold 25 million entries
    edges = np.array([(i, i + 1) for i in range(n - 1)] + [(0, n - 1)])
    bqm = to_bqm(MaxCut(n, edges, weights=np.arange(1.0, n + 1)))
    assert bqm.num_variables == n and bqm.num_interactions == n
    assert bqm.quadratic[0, n - 1] == n and bqm.quadratic[2, 3] == 3.0


def test_max_cut_bqm_energy_is_total_weight_minus_twice_the_cut(dimod):
    edges = [(0, 1), (1, 2), (2, 3), (3, 0), (0, 2)]
    graph = MaxCut(4, edges, weights=[1.0, 2.0, 3.0, 4.0, 5.0])
    bqm = to_bqm(graph)
    assert bqm.vartype is dimod.SPIN
    S = all_spins(4)
    np.testing.assert_allclose(dimod_energies(bqm, S), graph.total_weight - 2 * graph.cut(S))


def test_from_bqm_maps_any_labels_in_variable_order(dimod):
    bqm = dimod.BinaryQuadraticModel({"b": 1.0, "a": -2.0, ("t", 3): 0.5},
                                     {("a", "b"): 3.0, ("b", ("t", 3)): -1.5}, 0.25, "SPIN")
    problem, labels = from_bqm(bqm)
    assert labels == list(bqm.variables)
    assert sorted(map(str, labels)) == ["('t', 3)", "a", "b"]
    S = all_spins(3)
    expected = bqm.energies((S, labels))
    np.testing.assert_allclose(problem.energy(S), expected, rtol=1e-12)
    a, b = labels.index("a"), labels.index("b")
    assert problem.J[a, b] == -3.0 and problem.J[b, a] == -3.0
    assert problem.h[a] == 2.0 and problem.h[b] == -1.0


def test_from_bqm_binary_against_every_state(dimod):
    bqm = dimod.BinaryQuadraticModel({"x": 1.0, "y": -3.0, "z": 2.0},
                                     {("x", "y"): 4.0, ("y", "z"): -1.0}, -1.0, "BINARY")
    problem, labels = from_bqm(bqm)
    assert isinstance(problem, QUBO)
    X = (all_spins(3) + 1) // 2
    np.testing.assert_allclose(problem.energy(X), bqm.energies((X, labels)), rtol=1e-12)


def test_bqm_bad_input_is_named(dimod):
    with pytest.raises(TypeError, match="QUBO, Ising or MaxCut"):
        to_bqm(np.eye(3))
    with pytest.raises(TypeError, match="BinaryQuadraticModel"):
        from_bqm({0: 1.0})
    with pytest.raises(ValueError, match="at least one variable"):
        from_bqm(dimod.BinaryQuadraticModel("SPIN"))


# --- from_networkx -----------------------------------------------------------------------------


def test_from_networkx_with_string_labels_and_weights(nx):
    graph = nx.Graph()
    graph.add_edge("paris", "lyon", weight=2.0)
    graph.add_edge("lyon", "nice", weight=3.5)
    graph.add_edge("nice", "paris")  # no weight: 1
    graph.add_edge("paris", "lille", weight=-1.0)
    problem = from_networkx(graph)
    assert isinstance(problem, MaxCut)
    assert problem.labels == ["paris", "lyon", "nice", "lille"]
    side = {"paris": 1, "lyon": -1, "nice": -1, "lille": 1}
    s = np.array([side[label] for label in problem.labels])
    # cut edges: paris-lyon (2.0), nice-paris (1.0)
    assert problem.cut(s)[0] == pytest.approx(3.0)
    assert problem.total_weight == pytest.approx(5.5)
    unweighted = from_networkx(graph, weight=None)
    assert unweighted.cut(s)[0] == 2.0


def test_from_networkx_matches_networkx_cut_size(nx):
    graph = nx.gnp_random_graph(12, 0.4, seed=3)
    rng = np.random.default_rng(3)
    for u, v in graph.edges:
        graph.edges[u, v]["w"] = float(rng.integers(1, 10))
    problem = from_networkx(nx.relabel_nodes(graph, {i: f"v{i}" for i in graph}), weight="w")
    for s in 2 * rng.integers(0, 2, size=(20, 12)) - 1:
        part = [i for i in range(12) if s[i] == 1]
        assert problem.cut(s)[0] == nx.cut_size(graph, part, weight="w")


def test_maximize_takes_a_networkx_graph_as_its_max_cut(nx):
    import evodiff

    graph = nx.relabel_nodes(nx.gnp_random_graph(12, 0.5, seed=4), {i: f"v{i}" for i in range(12)})
    res = evodiff.maximize(graph, popsize=16, maxiter=200, rng=0)
    assert res.method == "anneal"
    part = [label for label, side in zip(graph.nodes, res.x) if side == 1]
    # the best cut by exhaustive search, and the reported one measured by networkx itself
    best = max(nx.cut_size(graph, [v for v, bit in zip(graph.nodes, bits) if bit])
               for bits in itertools.product((0, 1), repeat=12))
    assert res.fun == nx.cut_size(graph, part) == best


def test_from_networkx_without_edges(nx):
    problem = from_networkx(nx.empty_graph(3))
    assert problem.total_weight == 0.0
    assert problem.cut(np.array([1, -1, 1]))[0] == 0.0


def test_from_networkx_bad_graphs_are_named(nx):
    loop = nx.Graph([("a", "b"), ("c", "c")])
    with pytest.raises(ValueError, match="self-loop on vertex 'c'"):
        from_networkx(loop)
    with pytest.raises(TypeError, match="undirected"):
        from_networkx(nx.DiGraph([(0, 1)]))
    with pytest.raises(TypeError, match="multigraph"):
        from_networkx(nx.MultiGraph([(0, 1), (0, 1)]))
    single = nx.Graph()
    single.add_node("only")
    with pytest.raises(ValueError, match="at least 2 vertices"):
        from_networkx(single)
    with pytest.raises(TypeError, match="networkx.Graph"):
        from_networkx([(0, 1)])
    with pytest.raises(ValueError, match="weight of edge"):
        from_networkx(nx.Graph([(0, 1, {"weight": "heavy"})]))
    with pytest.raises(ValueError, match="finite"):
        from_networkx(nx.Graph([(0, 1, {"weight": float("nan")})]))


def test_missing_optional_dependencies_say_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "networkx", None)
    monkeypatch.setitem(sys.modules, "dimod", None)
    with pytest.raises(ImportError, match="pip install networkx"):
        from_networkx(None)
    with pytest.raises(ImportError, match="pip install dimod"):
        to_bqm(QUBO(np.eye(2)))
    with pytest.raises(ImportError, match="pip install dimod"):
        planted_nae3sat(5, 2.0, rng=0)


# --- planted satisfiability --------------------------------------------------------------------


@pytest.mark.parametrize("generate, per_clause, ratio", [
    (planted_nae3sat, -1.0, 2.1), (planted_2in4sat, -2.0, 1.0),
])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_planted_state_is_a_ground_state_by_exhaustive_search(dimod, generate, per_clause, ratio,
                                                              seed):
    n = 12
    problem, state, energy = generate(n, ratio, rng=seed)
    assert isinstance(problem, Ising) and problem.n == n
    assert state.shape == (n,) and set(np.unique(state)) <= {-1, 1}
    assert energy == per_clause * round(ratio * n)
    assert problem.energy(state)[0] == pytest.approx(energy)
    assert problem.energy(-state)[0] == pytest.approx(energy)
    energies = problem.energy(all_spins(n))
    assert energies.min() == pytest.approx(energy)


@pytest.mark.parametrize("generate", [planted_nae3sat, planted_2in4sat])
def test_planted_without_gauge_is_all_ones_and_seeds_reproduce(dimod, generate):
    problem, state, energy = generate(10, 1.5, rng=4, gauge=False)
    np.testing.assert_array_equal(state, np.ones(10))
    again, state_again, _ = generate(10, 1.5, rng=4, gauge=False)
    np.testing.assert_array_equal(again.J.toarray(), problem.J.toarray())
    hidden, hidden_state, hidden_energy = generate(10, 1.5, rng=4)
    assert hidden_energy == energy
    gauge = np.outer(hidden_state, hidden_state)
    np.testing.assert_allclose(hidden.J.toarray(), problem.J.toarray() * gauge)
    other, _, _ = generate(10, 1.5, rng=5, gauge=False)
    assert not np.array_equal(other.J.toarray(), problem.J.toarray())


def test_planted_bad_arguments_are_named(dimod):
    with pytest.raises(ValueError, match="n must be >= 3"):
        planted_nae3sat(2, 1.0)
    with pytest.raises(ValueError, match="n must be >= 4"):
        planted_2in4sat(3, 1.0)
    with pytest.raises(TypeError, match="n must be an int"):
        planted_nae3sat(5.0, 1.0)
    with pytest.raises(ValueError, match="clause_ratio must be >= 0"):
        planted_nae3sat(5, -1.0)
    with pytest.raises(TypeError, match="rng"):
        planted_2in4sat(5, 1.0, rng="seed")
    problem, _, energy = planted_nae3sat(5, 0.0, rng=0)
    assert energy == 0.0 and problem.J.nnz == 0
