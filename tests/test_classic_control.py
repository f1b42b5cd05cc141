"""The batch classic-control dynamics play the same episodes as gymnasium's own environments."""

import numpy as np
import pytest

gymnasium = pytest.importorskip("gymnasium")

from evodiff.classic_control import BATCH_DYNAMICS, batch_environment  # noqa: E402
from evodiff.rl import PolicyEvaluator  # noqa: E402

#: Steps compared per task; Acrobot is chaotic, so rounding differences of the last bit
#: (NumPy's and libm's cosine) grow: it is compared over fewer steps.
STEPS = {"Acrobot-v1": 60, "MountainCar-v0": 200, "MountainCarContinuous-v0": 300,
         "Pendulum-v1": 200}


def random_actions(env_id, count, steps, rng):
    space = gymnasium.make(env_id).action_space
    if isinstance(space, gymnasium.spaces.Discrete):
        return rng.integers(0, space.n, size=(steps, count))
    # beyond the bounds too, to exercise the clipping
    return rng.uniform(-1.5 * space.high, 1.5 * space.high,
                       size=(steps, count, *space.shape)).astype(np.float32)


@pytest.mark.parametrize("env_id", sorted(BATCH_DYNAMICS))
def test_batch_matches_gymnasium_step_for_step(env_id):
    count, steps = 6, STEPS[env_id]
    seeds = [3, 3, 17, 40, 1234, 99]
    actions = random_actions(env_id, count, steps, np.random.default_rng(0))
    if env_id == "MountainCarContinuous-v0":
        actions[:, 3] = 1.0  # full throttle on one episode, to see it reach the goal
    batch = batch_environment(env_id, count, max_steps=steps)
    obs, _ = batch.reset(seed=seeds)
    envs = [gymnasium.make(env_id) for _ in seeds]
    expected = np.stack([env.reset(seed=s)[0] for env, s in zip(envs, seeds)])
    np.testing.assert_array_equal(obs, expected)
    done = np.zeros(count, dtype=bool)
    for t in range(steps):
        obs, reward, terminated, truncated, _ = batch.step(actions[t])
        for i, env in enumerate(envs):
            if done[i]:
                continue
            o, r, term, trunc, _ = env.step(actions[t, i])
            np.testing.assert_allclose(obs[i], o, rtol=1e-5, atol=1e-6,
                                       err_msg=f"{env_id} episode {i} step {t}")
            assert reward[i] == pytest.approx(r, rel=1e-6, abs=1e-9)
            assert bool(terminated[i]) == term
            done[i] = term or trunc
    assert truncated.all()  # the time limit
    for env in envs:
        env.close()


def test_full_throttle_reaches_the_goal_of_the_continuous_mountain_car():
    batch = batch_environment("MountainCarContinuous-v0", 1, max_steps=999)
    batch.reset(seed=[0])
    rewards = []
    for _ in range(999):  # a bang-bang policy: push in the direction of motion
        velocity = batch._state[0, 1]
        _, reward, terminated, _, _ = batch.step(np.array([[1.0 if velocity >= 0 else -1.0]]))
        rewards.append(reward[0])
        if terminated[0]:
            break
    assert terminated[0] and rewards[-1] == pytest.approx(100.0 - 0.1)


def test_batch_environment_bad_calls():
    assert batch_environment("CartPole-v1", 4, 10) is None  # gymnasium vectorises it itself
    batch = batch_environment("Pendulum-v1", 3, 10)
    with pytest.raises(RuntimeError, match="reset"):
        batch.step(np.zeros((3, 1)))
    with pytest.raises(ValueError, match="3 seeds"):
        batch.reset(seed=[1, 2])


@pytest.mark.parametrize("env_id", ["Pendulum-v1", "MountainCar-v0"])
def test_policy_returns_are_those_of_gymnasium_environments(env_id):
    batch = PolicyEvaluator(env_id, hidden_sizes=(4,), rng=0)
    sync = PolicyEvaluator(env_id, hidden_sizes=(4,), rng=0, vectorization="sync")
    assert batch.vectorization == "batch" and sync.vectorization == "sync"
    params = np.random.default_rng(1).normal(size=(5, batch.dim))
    np.testing.assert_allclose(batch.returns(params, [5, 6]), sync.returns(params, [5, 6]),
                               rtol=1e-6)
