"""QUBO, Ising and Max-Cut: energies against exhaustive search, exact conversions, bad input."""

import itertools

import numpy as np
import pytest
import scipy.sparse as sparse

from evodiff.binary import QUBO, Ising, MaxCut


def all_bits(n):
    return np.array(list(itertools.product((0, 1), repeat=n)), dtype=float)


def random_symmetric(n, rng):
    A = rng.normal(size=(n, n))
    return (A + A.T) / 2


@pytest.mark.parametrize("as_sparse", [False, True])
def test_qubo_energy_is_x_q_x_for_every_state(as_sparse):
    rng = np.random.default_rng(0)
    Q = random_symmetric(6, rng)
    problem = QUBO(sparse.csr_matrix(Q) if as_sparse else Q, offset=1.5)
    X = all_bits(6)
    expected = np.array([x @ Q @ x for x in X]) + 1.5
    np.testing.assert_allclose(problem.energy(X), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("as_sparse", [False, True])
def test_conversions_keep_every_energy_and_the_ground_state(as_sparse):
    rng = np.random.default_rng(1)
    Q = random_symmetric(8, rng)
    qubo = QUBO(sparse.csr_matrix(Q) if as_sparse else Q, offset=-0.25)
    ising = qubo.to_ising()
    X = all_bits(8)
    S = 2 * X - 1
    np.testing.assert_allclose(ising.energy(S), qubo.energy(X), atol=1e-10)
    back = ising.to_qubo()
    np.testing.assert_allclose(back.energy(X), qubo.energy(X), atol=1e-10)
    assert np.argmin(qubo.energy(X)) == np.argmin(ising.energy(S))


def test_ising_energy_matches_its_definition():
    rng = np.random.default_rng(2)
    J = random_symmetric(5, rng)
    np.fill_diagonal(J, 0.0)
    h = rng.normal(size=5)
    ising = Ising(J, h, offset=0.5)
    for s in 2 * all_bits(5) - 1:
        pairs = sum(J[i, j] * s[i] * s[j] for i in range(5) for j in range(i + 1, 5))
        assert ising.energy(s)[0] == pytest.approx(-pairs - h @ s + 0.5)


def test_max_cut_against_exhaustive_search_and_through_ising():
    # a 5-cycle: the maximum cut is 4
    edges = [(0, 1), (1, 2), (2, 3), (3, 4), (4, 0)]
    graph = MaxCut(5, edges)
    S = 2 * all_bits(5) - 1
    cuts = graph.cut(S)
    brute = [sum(s[i] != s[j] for i, j in edges) for s in S]
    np.testing.assert_array_equal(cuts, brute)
    assert cuts.max() == 4
    ising = graph.to_ising()
    np.testing.assert_allclose(ising.energy(S), graph.total_weight - 2 * cuts)


@pytest.mark.parametrize("Q, match", [
    (np.ones((2, 3)), "square"),
    (np.array([[0.0, 1.0], [2.0, 0.0]]), "symmetric"),
    (np.array([[np.nan, 0.0], [0.0, 0.0]]), "finite"),
    ("abc", "real matrix"),
])
def test_bad_q_is_named(Q, match):
    with pytest.raises((TypeError, ValueError), match=match):
        QUBO(Q)


def test_bad_ising_and_graphs_are_named():
    with pytest.raises(ValueError, match="zero diagonal"):
        Ising(np.eye(3))
    with pytest.raises(ValueError, match="h must have shape"):
        Ising(np.zeros((3, 3)), h=np.zeros(2))
    with pytest.raises(ValueError, match="out of range 0..2"):
        MaxCut(3, [(0, 3)])
    with pytest.raises(ValueError, match="self-loop"):
        MaxCut(3, [(1, 1)])
    with pytest.raises(ValueError, match="entries must be in"):
        QUBO(np.eye(2)).energy(np.array([[0, 2]]))
