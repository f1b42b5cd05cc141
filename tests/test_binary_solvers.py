"""Simulated annealing, discrete Diffusion Evolution and the binary branch of minimize."""

import itertools

import numpy as np
import pytest
import scipy.sparse as sparse

import evodiff
from evodiff.binary import (
    QUBO,
    BinaryDiffusionEvolution,
    Bits,
    Ising,
    MaxCut,
    SimulatedAnnealing,
    automatic_beta_range,
    one_flip_descent,
    one_flip_descent_blackbox,
    sherrington_kirkpatrick,
)
from evodiff.binary.diffusion import bit_reverse_probability, bit_x0_estimate
from evodiff.binary.sweeps import SweepKernel, greedy_colouring
from evodiff.schedules import beta_schedule


def all_states(n, domain=(-1, 1)):
    return np.array(list(itertools.product(domain, repeat=n)), dtype=float)


def random_maxcut(n, density, seed, weighted=False):
    rng = np.random.default_rng(seed)
    i, j = np.triu_indices(n, k=1)
    keep = rng.random(i.size) < density
    weights = rng.integers(1, 4, keep.sum()).astype(float) if weighted else None
    return MaxCut(n, np.stack([i[keep], j[keep]], axis=1), weights)


def naive_sweep(J, h, spins, beta, rng, dtype):
    """Sequential single-spin Metropolis, spin 0 to n-1, with the kernel's threshold draws."""
    thresholds = -np.log1p(-rng.random(spins.shape, dtype=dtype)) * (0.5 / beta)
    fields = spins @ J
    for k in range(spins.shape[1]):
        flip = spins[:, k] * (fields[:, k] + h[k]) < thresholds[:, k]
        step = np.where(flip, -2.0 * spins[:, k], 0.0)
        spins[:, k] += step
        fields += step[:, None] * J[k]
    return spins


# -- the sweep kernel ---------------------------------------------------------------------------

@pytest.mark.parametrize("density,block", [(1.0, 4), (1.0, 64), (0.08, 8), (0.02, 64), (0.3, 16)])
def test_sweep_kernel_is_sequential_metropolis(density, block):
    problem = random_maxcut(60, density, seed=3, weighted=True).to_ising()
    rng = np.random.default_rng(0)
    h = rng.normal(size=60)
    kernel = SweepKernel(problem.J, h, block=block, dtype=np.float64)
    J = problem.J.toarray()[kernel.order][:, kernel.order]
    start = np.where(rng.random((7, 60)) < 0.5, -1.0, 1.0)
    spins, reference = start.copy(), start.copy()
    fields = kernel.fields(spins)
    for sweep, beta in enumerate([0.05, 0.3, 1.0, 3.0]):
        kernel.sweep(spins, fields, beta, np.random.default_rng(sweep))
        naive_sweep(J, h[kernel.order], reference, beta, np.random.default_rng(sweep), np.float64)
        np.testing.assert_array_equal(spins, reference)
        np.testing.assert_allclose(fields, kernel.fields(spins), atol=1e-9)


def test_colouring_is_proper_and_dense_problems_have_one_spin_per_class():
    graph = random_maxcut(200, 0.05, seed=1)
    colour = greedy_colouring(graph.W)
    i, j = graph.edges.T
    assert np.all(colour[i] != colour[j])
    assert colour.max() + 1 < 40  # far fewer classes than spins on a sparse graph
    dense = SweepKernel(sherrington_kirkpatrick(30, rng=0).J, np.zeros(30))
    assert dense.classes == 30 and dense.dense


def test_automatic_beta_range_follows_the_coupling_scale():
    sk = sherrington_kirkpatrick(400, rng=0)
    low, high = automatic_beta_range(sk.J, sk.h)
    assert 0.15 < low < 0.25 and 15 < high < 25  # SK: sigma_i close to 1
    scaled = automatic_beta_range(10 * sk.J, sk.h)
    assert scaled == pytest.approx((low / 10, high / 10))
    assert automatic_beta_range(np.zeros((3, 3)), np.zeros(3)) == (1.0, 1.0)


def test_beta_schedules():
    geometric = beta_schedule("geometric", 0.1, 10.0, 5)
    assert geometric[0] == pytest.approx(0.1) and geometric[-1] == pytest.approx(10.0)
    assert np.allclose(geometric[1:] / geometric[:-1], geometric[1] / geometric[0])
    linear = beta_schedule("linear", 1.0, 3.0, 3)
    assert linear.tolist() == [1.0, 2.0, 3.0]
    with pytest.raises(ValueError, match="beta_min must be <= beta_max"):
        beta_schedule("linear", 2.0, 1.0, 3)
    with pytest.raises(ValueError, match="sweeps"):
        beta_schedule("geometric", 0.1, 1.0, 0)
    with pytest.raises(ValueError, match="schedule must be one of"):
        beta_schedule("cubic", 0.1, 1.0, 3)


# -- simulated annealing ------------------------------------------------------------------------

def test_annealing_finds_the_ground_state_of_small_problems():
    sk = sherrington_kirkpatrick(12, rng=5)
    exact = sk.energy(all_states(12)).min()
    res = evodiff.minimize(sk, popsize=16, maxiter=200, rng=0)
    assert res.method == "anneal" and "auto" in res.message
    assert res.fun == pytest.approx(exact, abs=1e-12)
    assert sk.energy(res.x)[0] == pytest.approx(res.fun)
    qubo = sk.to_qubo()
    res = evodiff.minimize(qubo, popsize=16, maxiter=200, rng=0)
    assert res.fun == pytest.approx(exact, abs=1e-9)
    assert set(np.unique(res.x)) <= {0.0, 1.0}


def test_annealing_maximises_and_minimises_a_cut():
    graph = random_maxcut(12, 0.4, seed=2, weighted=True)
    cuts = graph.cut(all_states(12))
    assert evodiff.maximize(graph, popsize=16, maxiter=200, rng=1).fun == cuts.max()
    assert evodiff.minimize(graph, popsize=16, maxiter=200, rng=1).fun == cuts.min() == 0


def test_annealing_reaches_the_best_cut_of_a_sparse_graph_and_stops_at_ftarget():
    graph = random_maxcut(300, 0.02, seed=4)
    long = evodiff.maximize(graph, popsize=32, maxiter=2000, rng=0)
    short = evodiff.maximize(graph, popsize=32, maxiter=2000, rng=0,
                             options={"ftarget": long.fun - 5})
    assert short.fun >= long.fun - 5 and short.nit < long.nit
    assert "ftarget" in short.message


def test_annealing_ask_tell_and_state():
    sk = sherrington_kirkpatrick(20, rng=0)
    opt = SimulatedAnnealing(sk, popsize=6, sweeps=30, sweeps_per_generation=7, rng=0)
    assert opt.max_generations == 5
    X = opt.ask()
    assert X.shape == (6, 20) and set(np.unique(X)) <= {-1.0, 1.0}
    assert opt.ask() is X  # pending until told
    opt.tell(sk.energy(X))
    while not opt.done:
        opt.tell(sk.energy(opt.ask()))
    assert opt.sweep_count == 30 and opt.nit == 5 and opt.accepted > 0
    with pytest.raises(RuntimeError):
        opt.ask()


@pytest.mark.parametrize("kwargs,match", [
    ({"sweeps": 0}, "sweeps"),
    ({"sweeps": -5}, "sweeps"),
    ({"beta_range": (2.0, 1.0)}, "beta_min must be <= beta_max"),
    ({"beta_range": (0.0, 1.0)}, "beta_min"),
    ({"beta_range": (1.0,)}, "pair"),
    ({"schedule": "cubic"}, "schedule"),
    ({"backend": "cupy"}, "numpy backend only"),
    ({"precision": "float16"}, "precision"),
])
def test_annealing_bad_settings(kwargs, match):
    with pytest.raises(ValueError, match=match):
        SimulatedAnnealing(sherrington_kirkpatrick(5, rng=0), **kwargs)


def test_annealing_needs_a_problem():
    with pytest.raises(TypeError, match="binary quadratic problem"):
        SimulatedAnnealing(np.eye(3))
    with pytest.raises(ValueError, match="needs the problem's couplings"):
        evodiff.minimize(lambda X: X.sum(axis=1), Bits(5), method="anneal", vectorized=True)


def test_annealing_against_dwave_samplers_at_equal_sweeps():
    samplers = pytest.importorskip("dwave.samplers")
    dimod = pytest.importorskip("dimod")
    graph = random_maxcut(150, 0.1, seed=7)
    ours = SimulatedAnnealing(graph, popsize=20, sweeps=300, sense="max", rng=0)
    while not ours.done:
        ours.tell(graph.cut(ours.ask()))
    ising = graph.to_ising()
    bqm = dimod.BinaryQuadraticModel.from_ising(
        {}, {(int(i), int(j)): float(ising.J[i, j]) * -1 for i, j in graph.edges})
    reads = samplers.SimulatedAnnealingSampler().sample(bqm, num_reads=20, num_sweeps=300,
                                                        seed=0)
    theirs = (graph.total_weight - reads.record.energy) / 2
    assert ours.best_fun >= theirs.max() - 2
    assert np.mean(ours.last_values) >= np.mean(theirs) - 3


# -- one-flip polish ----------------------------------------------------------------------------

def test_one_flip_descent_ends_in_local_optima():
    sk = sherrington_kirkpatrick(25, rng=1)
    rng = np.random.default_rng(0)
    states = np.where(rng.random((10, 25)) < 0.5, -1.0, 1.0)
    polished = one_flip_descent(sk, states)
    assert np.all(sk.energy(polished) <= sk.energy(states))
    for state in polished:  # no single flip improves
        flips = np.repeat(state[None], 25, axis=0) * np.where(np.eye(25), -1.0, 1.0)
        assert sk.energy(flips).min() >= sk.energy(state)[0] - 1e-12
    boxed, values, used = one_flip_descent_blackbox(sk.energy, states, domain=(-1, 1))
    np.testing.assert_allclose(values, sk.energy(boxed))
    np.testing.assert_allclose(np.sort(values), np.sort(sk.energy(polished)))
    assert used > 10 * 25


# -- discrete Diffusion Evolution ---------------------------------------------------------------

def test_x0_estimate_limits():
    xp = np
    rng = np.random.default_rng(0)
    bits = (rng.random((30, 15)) < 0.5).astype(float)  # odd n: no member is at distance n / 2
    log_g = -rng.random(30)
    nearly_clean = bit_x0_estimate(xp, bits, log_g, 1 - 1e-9)
    np.testing.assert_allclose(nearly_clean, bits, atol=1e-6)
    noise = bit_x0_estimate(xp, bits, log_g, 1e-12)
    weights = np.exp(log_g) / np.exp(log_g).sum()
    np.testing.assert_allclose(noise, np.tile(weights @ bits, (30, 1)), atol=1e-9)
    # symmetric: a member and its mirror image give one estimate
    mirrored = bits.copy()
    mirrored[::2] = 1 - mirrored[::2]
    a = bit_x0_estimate(xp, bits, log_g, 0.5, symmetric=True)
    b = bit_x0_estimate(xp, mirrored, log_g, 0.5, symmetric=True)
    np.testing.assert_allclose(a[1::2], b[1::2], atol=1e-12)


@pytest.mark.parametrize("symmetric", [False, True])
def test_x0_estimate_in_row_blocks_equals_the_whole_block(symmetric):
    rng = np.random.default_rng(1)
    bits = (rng.random((50, 13)) < 0.5).astype(float)
    log_g = -rng.random(50)
    whole = bit_x0_estimate(np, bits, log_g, 0.4, symmetric=symmetric)
    # 7 rows of 50 float64 weights per block: 8 blocks, the last one short
    blocks = bit_x0_estimate(np, bits, log_g, 0.4, symmetric=symmetric,
                             memory_budget=7 * 50 * 8)
    np.testing.assert_allclose(blocks, whole, rtol=0, atol=1e-14)


def test_reverse_step_is_the_exact_posterior():
    # enumerate x0 and x_prev for one bit and compare with Bayes' rule
    alpha_t, alpha_prev, p = 0.3, 0.7, 0.8
    step = alpha_t / alpha_prev
    for x_t in (0.0, 1.0):
        numerator = denominator = 0.0
        for x0, prior in ((1, p), (0, 1 - p)):
            joint = {}
            for prev in (0, 1):
                q_prev = (1 + alpha_prev) / 2 if prev == x0 else (1 - alpha_prev) / 2
                q_t = (1 + step) / 2 if x_t == prev else (1 - step) / 2
                joint[prev] = q_prev * q_t
            numerator += prior * joint[1] / (joint[0] + joint[1])
            denominator += prior
        got = bit_reverse_probability(np, np.array([[x_t]]), np.array([[p]]), alpha_t,
                                      alpha_prev)
        assert got[0, 0] == pytest.approx(numerator / denominator)


def test_binary_diffusion_solves_a_hidden_target_black_box():
    target = np.arange(40) % 3 == 0
    res = evodiff.minimize(lambda X: np.sum(X != target, axis=1), Bits(40), vectorized=True,
                           popsize=128, maxiter=60, rng=0)
    assert res.method == "binary-diffevo" and res.fun == 0
    np.testing.assert_array_equal(res.x, target)
    assert res.nfev == 128 * 60 and res.candidates.shape == (128, 40)
    assert res.modes[0].fun == 0 and res.modes[0].count >= 1


def test_binary_diffusion_with_local_search_on_a_problem():
    sk = sherrington_kirkpatrick(14, rng=2)
    exact = sk.energy(all_states(14)).min()
    res = evodiff.minimize(sk, method="binary-diffevo", popsize=32, maxiter=10, rng=0,
                           options={"local_search": True})
    assert res.fun == pytest.approx(exact)
    plain = evodiff.minimize(sk, method="binary-diffevo", popsize=32, maxiter=10, rng=0,
                             polish=True)
    assert plain.fun <= np.sort(sk.energy(all_states(14)))[200]


def test_binary_diffusion_on_array_api_strict():
    pytest.importorskip("array_api_strict")
    opt = BinaryDiffusionEvolution(10, popsize=16, steps=5, rng=0, backend="array_api_strict")
    while not opt.done:
        X = opt.ask()
        opt.tell(np.sum(np.asarray(opt.backend.to_host(X)), axis=1))
    assert opt.best_fun <= 2


def test_binary_bad_input():
    sk = sherrington_kirkpatrick(6, rng=0)
    with pytest.raises(ValueError, match="searches continuous boxes"):
        evodiff.minimize(sk, method="cmaes")
    with pytest.raises(ValueError, match="polish must be True or False"):
        evodiff.minimize(sk, polish="cmaes")
    with pytest.raises(ValueError, match="not to a binary one"):
        evodiff.minimize(sk, x0=np.zeros(6))
    with pytest.raises(ValueError, match="do not match"):
        evodiff.minimize(sk, Bits(7))
    with pytest.raises(ValueError, match="local_search=True needs"):
        evodiff.minimize(lambda X: X.sum(axis=1), Bits(4), method="binary-diffevo",
                         vectorized=True, options={"local_search": True})
    with pytest.raises(ValueError, match="domain"):
        Bits(4, domain=(0, 2))
    with pytest.raises(ValueError, match="n"):
        Bits(0)
    with pytest.raises(ValueError, match="temperature"):
        BinaryDiffusionEvolution(4, temperature=(1.0, 0.0))
    with pytest.raises(TypeError, match="local_search must be callable"):
        BinaryDiffusionEvolution(4, local_search=3)
    with pytest.raises(ValueError, match="maxiter"):
        evodiff.minimize(sk, method="binary-diffevo", maxiter=1)


# -- one toolkit: checkpoints, workers, the registry --------------------------------------------

@pytest.mark.parametrize("method,maxiter,options", [
    ("anneal", 60, {"sweeps_per_generation": 10}),
    ("binary-diffevo", 8, {}),
    ("binary-diffevo", 8, {"local_search": True}),
])
def test_binary_checkpoint_resumes_bit_for_bit(tmp_path, method, maxiter, options):
    graph = random_maxcut(40, 0.2, seed=1)
    common = dict(method=method, popsize=12, maxiter=maxiter, rng=3, options=options)
    whole = evodiff.maximize(graph, **common)
    path = tmp_path / "run.npz"
    stopped = evodiff.maximize(graph, checkpoint=path, callback=lambda r: r.nit >= 3, **common)
    assert stopped.nit == 3 and not stopped.success
    resumed = evodiff.maximize(graph, resume=path, **common)
    assert resumed.nit == whole.nit and resumed.fun == whole.fun
    np.testing.assert_array_equal(resumed.population, whole.population)
    np.testing.assert_array_equal(resumed.history["best"], whole.history["best"])
    other = random_maxcut(40, 0.2, seed=2)
    with pytest.raises(ValueError, match="problem|differs"):
        evodiff.maximize(other, resume=path, **common)


@pytest.mark.parametrize("method,maxiter,setting", [("anneal", 20, "sweeps"),
                                                   ("tempering", 20, "sweeps"),
                                                   ("binary-diffevo", 6, "schedule")])
def test_binary_resume_refuses_another_maxiter(tmp_path, method, maxiter, setting):
    # maxiter fixes the temperature or noise schedule of a binary run (docs/guide/checkpointing)
    sk = sherrington_kirkpatrick(16, rng=0)
    path = tmp_path / "run.npz"
    evodiff.minimize(sk, method=method, popsize=16, maxiter=maxiter, checkpoint=path, rng=0)
    with pytest.raises(ValueError, match=f"setting '{setting}' differs"):
        evodiff.minimize(sk, method=method, popsize=16, maxiter=2 * maxiter, resume=path, rng=0)


def _ones(x):
    return float(np.sum(x))


def test_binary_black_box_with_workers_matches_serial():
    common = dict(method="binary-diffevo", popsize=16, maxiter=6, rng=0)
    serial = evodiff.minimize(_ones, Bits(12), **common)
    pooled = evodiff.minimize(_ones, Bits(12), workers=2, **common)
    assert pooled.fun == serial.fun
    np.testing.assert_array_equal(pooled.population, serial.population)


def test_registry_keeps_binary_methods_apart():
    assert evodiff.registry.method_names("binary") == ["anneal", "tempering", "binary-diffevo"]
    assert "anneal" not in evodiff.registry.method_names()
    with pytest.raises(ValueError, match="domain"):
        evodiff.registry.method_names("ternary")


def test_sparse_and_dense_problems_anneal_alike():
    graph = random_maxcut(50, 0.3, seed=9)
    dense = Ising(graph.to_ising().J.toarray())
    sparse_form = Ising(sparse.csr_matrix(dense.J))
    a = evodiff.minimize(dense, popsize=8, maxiter=100, rng=0)
    b = evodiff.minimize(sparse_form, popsize=8, maxiter=100, rng=0)
    assert a.fun == pytest.approx(b.fun)
    assert QUBO(np.eye(3)).domain == (0, 1) and dense.domain == (-1, 1)


def test_ising_form_gives_every_problem_value():
    graph = random_maxcut(9, 0.5, seed=3, weighted=True)
    qubo = sherrington_kirkpatrick(9, rng=1).to_qubo()
    for problem in (graph, qubo, qubo.to_ising()):
        ising, a, b = problem.ising_form()
        states = all_states(9, problem.domain)
        spins = 2.0 * (states - problem.domain[0]) / (problem.domain[1] - problem.domain[0]) - 1
        np.testing.assert_allclose(problem(states), a * ising.energy(spins) + b, atol=1e-9)


def test_more_bad_binary_input():
    with pytest.raises(ValueError, match="domain"):
        BinaryDiffusionEvolution(4, domain=(0, 2))
    with pytest.raises(ValueError, match="columns"):
        one_flip_descent(sherrington_kirkpatrick(5, rng=0), np.ones((2, 4)))
    with pytest.raises(TypeError, match="must not repeat arguments"):
        evodiff.minimize(sherrington_kirkpatrick(5, rng=0), options={"sense": "max"})
    with pytest.raises(TypeError, match="vectorized"):
        evodiff.minimize(_ones, Bits(4), vectorized="yes")
    with pytest.raises(ValueError, match="domain must be one of"):
        evodiff.registry.register_method("odd", lambda **s: None, domain="ternary")


def test_binary_polish_passes_args_to_a_vectorised_objective():
    def distance(X, target):
        return np.sum(X != target, axis=1)
    target = np.arange(16) % 2
    res = evodiff.minimize(distance, Bits(16), vectorized=True, args=(target,), popsize=8,
                           maxiter=2, rng=0, polish=True)
    assert res.fun == 0
    np.testing.assert_array_equal(res.x, target)
