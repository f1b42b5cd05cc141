"""evodiff.rl on real gymnasium environments."""

import numpy as np
import pytest

gymnasium = pytest.importorskip("gymnasium")

from evodiff.rl import TEST_SEED_START, MLPPolicy, PolicyEvaluator, RunningMoments  # noqa: E402


def test_mlp_layout_and_forward_against_a_loop():
    policy = MLPPolicy((3, 4, 2), dtype="float64")
    assert policy.dim == 3 * 4 + 4 + 4 * 2 + 2
    rng = np.random.default_rng(0)
    params = rng.standard_normal((5, policy.dim))
    inputs = rng.standard_normal((5, 3))
    out = policy.forward(policy.layers(params), inputs)
    for p, x, y in zip(params, inputs, out):
        w1 = p[:12].reshape(3, 4)
        b1 = p[12:16]
        w2 = p[16:24].reshape(4, 2)
        b2 = p[24:]
        np.testing.assert_allclose(y, np.tanh(x @ w1 + b1) @ w2 + b2, rtol=1e-12)


def test_paper_network_sizes():
    assert MLPPolicy((4, 8, 2)).dim == 58
    assert MLPPolicy((4, 128, 128, 2)).dim == 17410


@pytest.mark.parametrize("sizes, error, match", [
    ((4,), ValueError, "at least 2"),
    ((4, 0, 2), ValueError, r"layer_sizes\[1\] must be >= 1"),
    ((4, 2.5, 2), TypeError, r"layer_sizes\[1\] must be an int"),
    ((4, True, 2), TypeError, r"layer_sizes\[1\]"),
    (4, TypeError, "layer_sizes must be a sequence"),
    ("42", TypeError, "layer_sizes must be a sequence"),
])
def test_bad_layer_sizes(sizes, error, match):
    with pytest.raises(error, match=match):
        MLPPolicy(sizes)


@pytest.mark.parametrize("kwargs, match", [
    ({"activation": "sigmoid"}, "activation"),
    ({"activation": None}, "activation"),
    ({"dtype": "float16"}, "dtype"),
    ({"dtype": "float"}, "dtype"),
])
def test_bad_activation_and_dtype(kwargs, match):
    with pytest.raises(ValueError, match=match):
        MLPPolicy((4, 8, 2), **kwargs)


def test_sizes_and_dtype_accept_numpy_values():
    policy = MLPPolicy(np.array([4, 8, 2]), dtype=np.dtype("float64"))
    assert policy.layer_sizes == (4, 8, 2)
    assert all(type(s) is int for s in policy.layer_sizes)
    assert policy.dtype == np.float64


def test_params_shape_is_checked():
    with pytest.raises(ValueError, match=r"shape \(P, 58\)"):
        MLPPolicy((4, 8, 2)).layers(np.zeros((3, 57)))
    with pytest.raises(ValueError, match=r"with P >= 1; got shape \(0, 58\)"):
        MLPPolicy((4, 8, 2)).layers(np.zeros((0, 58)))


@pytest.mark.parametrize("params, error, match", [
    (np.zeros((2, 58), dtype=complex), TypeError, "real numbers .* complex128"),
    (np.full((2, 58), "1"), TypeError, "real numbers"),
    (np.zeros((2, 58), dtype=object), TypeError, "real numbers .* object"),
    (np.zeros((2, 58), dtype=bool), TypeError, "real numbers .* bool"),
    (np.full((2, 58), 1e300), ValueError, "beyond the float32 range"),
    (np.full((2, 58), np.nan), ValueError, "finite"),
])
def test_params_of_the_wrong_kind_are_refused(params, error, match):
    with pytest.raises(error, match=match):
        MLPPolicy((4, 8, 2)).layers(params)
    MLPPolicy((4, 8, 2), dtype="float64").layers(np.full((2, 58), 1e300))  # fits float64


def test_running_moments_match_numpy():
    rng = np.random.default_rng(1)
    data = rng.standard_normal((300, 3)) * [1.0, 5.0, 0.1] + [0.0, 2.0, -1.0]
    moments = RunningMoments((3,))
    for chunk in np.array_split(data, 7):
        moments.update(chunk)
    np.testing.assert_allclose(moments.mean, data.mean(axis=0))
    np.testing.assert_allclose(moments.std, data.std(axis=0))


def test_explicit_seeds_are_reproducible_and_matter():
    evaluator = PolicyEvaluator("CartPole-v1", hidden_sizes=(8,), vectorization="sync")
    params = np.random.default_rng(0).standard_normal((6, evaluator.dim))
    a = evaluator.returns(params, [1, 2])
    b = evaluator.returns(params, [1, 2])
    np.testing.assert_array_equal(a, b)
    assert a.shape == (6, 2)
    # with one environment per episode, the same seed gives the same episode to every copy
    same = evaluator.returns(np.repeat(params[:1], 3, axis=0), [5])
    assert np.all(same == same[0])


def test_native_and_sync_vectorisation_agree_on_a_good_controller():
    # A hand-made linear controller balances the pole: 500 steps whatever the start.
    native = PolicyEvaluator("CartPole-v1", hidden_sizes=(), rng=0)
    params = np.zeros((2, native.dim))
    # outputs = obs @ W + b; push right when theta + theta_dot (+ small x terms) is positive
    W = np.array([[0.0, 0.0], [0.0, 0.5], [0.0, 10.0], [0.0, 2.0]])
    params[:, :8] = W.reshape(-1)
    sync = PolicyEvaluator("CartPole-v1", hidden_sizes=(), vectorization="sync")
    assert np.all(native.evaluate(params, [3, 4]) == 500.0)
    assert np.all(sync.evaluate(params, [3, 4]) == 500.0)


def test_continuous_actions_on_pendulum():
    evaluator = PolicyEvaluator("Pendulum-v1", hidden_sizes=(4,), max_steps=50, rng=0)
    assert evaluator.dim == 3 * 4 + 4 + 4 * 1 + 1
    returns = evaluator(np.random.default_rng(0).standard_normal((3, evaluator.dim)))
    assert returns.shape == (3,) and np.all(returns < 0)


def test_observation_normalisation_collects_statistics():
    evaluator = PolicyEvaluator("CartPole-v1", hidden_sizes=(8,), normalize_observations=True,
                                rng=0)
    params = np.random.default_rng(0).standard_normal((4, evaluator.dim))
    evaluator(params)
    count = evaluator.moments.count
    assert count > 0
    evaluator.evaluate(params, [TEST_SEED_START], update_statistics=False)
    assert evaluator.moments.count == count


@pytest.mark.parametrize("kwargs, error, match", [
    ({"env_id": "NoSuchEnv-v0"}, ValueError, "NoSuchEnv"),
    ({"env_id": "CartPole-v1", "episodes": 0}, ValueError, "episodes must be >= 1"),
    ({"env_id": "CartPole-v1", "episodes": 1.5}, TypeError, "episodes must be an int"),
    ({"env_id": "CartPole-v1", "episodes": True}, TypeError, "episodes"),
    ({"env_id": "CartPole-v1", "max_steps": 0}, ValueError, "max_steps must be >= 1"),
    ({"env_id": "CartPole-v1", "max_steps": 10.0}, TypeError, "max_steps must be an int"),
    ({"env_id": "CartPole-v1", "hidden_sizes": (8, 0)}, ValueError, r"hidden_sizes\[1\]"),
    ({"env_id": "CartPole-v1", "hidden_sizes": 8}, TypeError, "hidden_sizes"),
    ({"env_id": "CartPole-v1", "activation": "gelu"}, ValueError, "activation"),
    ({"env_id": "CartPole-v1", "normalize_observations": 1}, TypeError,
     "normalize_observations"),
    ({"env_id": "CartPole-v1", "rng": 1.5}, TypeError, "rng"),
    ({"env_id": "CartPole-v1", "vectorization": "async"}, ValueError, "vectorization"),
    ({"env_id": "Pendulum-v1", "vectorization": "native"}, ValueError, "native"),
])
def test_bad_evaluator_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        PolicyEvaluator(**kwargs)


def test_empty_seed_list():
    with pytest.raises(ValueError, match="seeds"):
        PolicyEvaluator("CartPole-v1").evaluate(np.zeros((1, 58)), [])


@pytest.mark.parametrize("kwargs, error, match", [
    ({"seeds": [1, 2.5]}, TypeError, r"seeds\[1\] must be an int"),
    ({"seeds": [1], "update_statistics": "no"}, TypeError, "update_statistics"),
])
def test_bad_evaluation_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        PolicyEvaluator("CartPole-v1").evaluate(np.zeros((1, 58)), **kwargs)


def test_training_seeds_come_from_the_seed_as_a_generator():
    evaluator = PolicyEvaluator("CartPole-v1", episodes=4, rng=7)
    expected = np.random.default_rng(7).integers(0, TEST_SEED_START, 4)
    assert evaluator.training_seeds() == [int(s) for s in expected]
    shared = np.random.default_rng(3)
    assert PolicyEvaluator("CartPole-v1", rng=shared)._seeds is shared


@pytest.mark.parametrize("vectorization", ["native", "sync"])
def test_a_replaced_environment_is_closed(vectorization):
    evaluator = PolicyEvaluator("CartPole-v1", hidden_sizes=(), max_steps=5,
                                vectorization=vectorization)
    params = np.zeros((2, evaluator.dim))
    evaluator.evaluate(params, [0])
    (old,) = evaluator._envs.values()
    closed = []
    close = old.close

    def record_close(*args, **kwargs):
        closed.append(True)
        return close(*args, **kwargs)

    old.close = record_close
    evaluator.evaluate(params, [0])  # same size: the environment is reused, not replaced
    assert evaluator._envs == {2: old} and not closed
    evaluator.evaluate(np.zeros((3, evaluator.dim)), [0])  # another size replaces it
    assert closed == [True]
    assert list(evaluator._envs) == [3] and evaluator._envs[3] is not old
    evaluator.close()
    assert evaluator._envs == {}
