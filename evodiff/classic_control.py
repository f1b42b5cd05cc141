"""gymnasium's classic-control dynamics for a whole batch of episodes at once, in NumPy.

gymnasium vectorises CartPole natively; Acrobot, MountainCar,
MountainCarContinuous and Pendulum run one Python ``step`` per environment
(a synchronous vector environment), 17 to 200 microseconds each here, which
for a population of 256 controllers makes a generation of Acrobot take tens
of seconds.  The classes below step all the episodes of a batch with array
operations, following gymnasium's own equations, constants and floating
point types step for step (MountainCarContinuous keeps its state in float32
after the first step, as gymnasium does).  Episodes start from the states
that gymnasium's own environments reach on ``reset(seed=s)``, read from a
real environment, so a batch started with the same seeds plays the same
episodes; ``tests/test_classic_control.py`` checks observations, rewards and
terminations against gymnasium's environments.

The batch has no auto-reset: an episode that has terminated keeps being
stepped from its last state, and the caller ignores it (as
:class:`evodiff.rl.PolicyEvaluator` does).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["BATCH_DYNAMICS", "batch_environment", "BatchEnvironment"]


class BatchEnvironment:
    """Episodes of one classic-control task stepped side by side.

    Parameters
    ----------
    env_id : str
        The gymnasium id whose dynamics are run (a key of :data:`BATCH_DYNAMICS`).
    count : int
        Episodes in the batch.
    max_steps : int
        Steps after which every episode is truncated (gymnasium's time limit).
    """

    def __init__(self, env_id, count, max_steps):
        self.env_id = env_id
        self.count = count
        self.max_steps = max_steps
        self._dynamics = BATCH_DYNAMICS[env_id]()
        self._state = None
        self._steps = 0
        self._starts = {}

    def reset(self, seed):
        """Start one episode per seed, from the state gymnasium's environment reaches.

        Parameters
        ----------
        seed : sequence of int
            ``count`` episode seeds (repeats are cheap: each distinct seed
            is reset once in a real gymnasium environment).

        Returns
        -------
        observations : numpy.ndarray, shape (count, obs_dim), float32
        info : dict
        """
        seeds = [int(s) for s in seed]
        if len(seeds) != self.count:
            raise ValueError(f"reset needs {self.count} seeds, one per episode; got {len(seeds)}")
        self._state = np.stack([self._start(s) for s in seeds])
        self._steps = 0
        return self._dynamics.observe(self._state), {}

    def _start(self, seed):
        start = self._starts.get(seed)
        if start is None:
            import gymnasium

            env = gymnasium.make(self.env_id)
            env.reset(seed=seed)
            start = np.array(env.unwrapped.state)
            env.close()
            self._starts[seed] = start
        return start

    def step(self, actions):
        """Advance every episode by one step.

        Parameters
        ----------
        actions : numpy.ndarray
            Shape (count,) of ints for discrete actions, (count, 1) of
            float32 for continuous ones.

        Returns
        -------
        observations, rewards, terminated, truncated, info
            As a gymnasium vector environment returns them (no auto-reset).
        """
        if self._state is None:
            raise RuntimeError("call reset before step")
        self._state, reward, terminated = self._dynamics.step(self._state, actions)
        self._steps += 1
        truncated = np.full(self.count, self._steps >= self.max_steps)
        return self._dynamics.observe(self._state), reward, terminated, truncated, {}

    def close(self):
        """Nothing to release (kept for the vector-environment interface)."""
        self._state = None


class _Pendulum:
    g, m, length, dt, max_speed, max_torque = 10.0, 1.0, 1.0, 0.05, 8, 2.0

    def step(self, state, actions):
        th, thdot = state[:, 0], state[:, 1]
        u = np.clip(np.asarray(actions, dtype=np.float32).reshape(-1), -self.max_torque,
                    self.max_torque)
        normalised = ((th + np.pi) % (2 * np.pi)) - np.pi
        costs = normalised**2 + 0.1 * thdot**2 + 0.001 * (u**2)
        g, m, length, dt = self.g, self.m, self.length, self.dt
        newthdot = thdot + (3 * g / (2 * length) * np.sin(th) + 3.0 / (m * length**2) * u) * dt
        newthdot = np.clip(newthdot, -self.max_speed, self.max_speed)
        newth = th + newthdot * dt
        return np.stack([newth, newthdot], axis=1), -costs, np.zeros(len(th), dtype=bool)

    @staticmethod
    def observe(state):
        th, thdot = state[:, 0], state[:, 1]
        return np.stack([np.cos(th), np.sin(th), thdot], axis=1).astype(np.float32)


class _MountainCar:
    min_position, max_position, max_speed, goal_position = -1.2, 0.6, 0.07, 0.5
    goal_velocity, force, gravity = 0.0, 0.001, 0.0025

    def step(self, state, actions):
        position, velocity = state[:, 0].copy(), state[:, 1].copy()
        action = np.asarray(actions).reshape(-1)
        velocity += (action - 1) * self.force + np.cos(3 * position) * (-self.gravity)
        velocity = np.clip(velocity, -self.max_speed, self.max_speed)
        position += velocity
        position = np.clip(position, self.min_position, self.max_position)
        velocity = np.where((position == self.min_position) & (velocity < 0), 0.0, velocity)
        terminated = (position >= self.goal_position) & (velocity >= self.goal_velocity)
        return (np.stack([position, velocity], axis=1), np.full(len(position), -1.0),
                terminated)

    @staticmethod
    def observe(state):
        return state.astype(np.float32)


class _MountainCarContinuous:
    min_action, max_action, min_position, max_position = -1.0, 1.0, -1.2, 0.6
    max_speed, goal_position, goal_velocity, power = 0.07, 0.45, 0.0, 0.0015

    def step(self, state, actions):
        # gymnasium keeps this state in float32 after the first step (reset gives float64),
        # and mixes in math.cos of the float32 position in double precision: so does this.
        position, velocity = state[:, 0].copy(), state[:, 1].copy()
        action = np.asarray(actions, dtype=np.float32).reshape(-1)
        force = np.minimum(np.maximum(action, self.min_action), self.max_action)
        pull = 0.0025 * np.cos((3 * position).astype(np.float64))
        velocity += force * self.power - pull.astype(np.float32)  # float32, as gymnasium's
        velocity = np.clip(velocity, -self.max_speed, self.max_speed)
        position += velocity
        position = np.clip(position, self.min_position, self.max_position)
        velocity = np.where((position == self.min_position) & (velocity < 0),
                            velocity.dtype.type(0), velocity)
        terminated = (position >= self.goal_position) & (velocity >= self.goal_velocity)
        reward = np.where(terminated, 100.0, 0.0) - action.astype(np.float64) ** 2 * 0.1
        return np.stack([position, velocity], axis=1).astype(np.float32), reward, terminated

    @staticmethod
    def observe(state):
        return state.astype(np.float32)


class _Acrobot:
    dt = 0.2
    m1 = m2 = 1.0
    l1 = 1.0
    lc1 = lc2 = 0.5
    inertia = 1.0
    max_vel_1, max_vel_2 = 4 * math.pi, 9 * math.pi
    torques = np.array([-1.0, 0.0, 1.0])

    def _derivatives(self, s, a):
        m1, m2, l1, lc1, lc2 = self.m1, self.m2, self.l1, self.lc1, self.lc2
        I1 = I2 = self.inertia
        g = 9.8
        theta1, theta2, dtheta1, dtheta2 = s[:, 0], s[:, 1], s[:, 2], s[:, 3]
        d1 = m1 * lc1**2 + m2 * (l1**2 + lc2**2 + 2 * l1 * lc2 * np.cos(theta2)) + I1 + I2
        d2 = m2 * (lc2**2 + l1 * lc2 * np.cos(theta2)) + I2
        phi2 = m2 * lc2 * g * np.cos(theta1 + theta2 - np.pi / 2.0)
        phi1 = (-m2 * l1 * lc2 * dtheta2**2 * np.sin(theta2)
                - 2 * m2 * l1 * lc2 * dtheta2 * dtheta1 * np.sin(theta2)
                + (m1 * lc1 + m2 * l1) * g * np.cos(theta1 - np.pi / 2) + phi2)
        # gymnasium's default dynamics, book_or_nips='book'
        ddtheta2 = ((a + d2 / d1 * phi1 - m2 * l1 * lc2 * dtheta1**2 * np.sin(theta2) - phi2)
                    / (m2 * lc2**2 + I2 - d2**2 / d1))
        ddtheta1 = -(d2 * ddtheta2 + phi1) / d1
        return np.stack([dtheta1, dtheta2, ddtheta1, ddtheta2], axis=1)

    @staticmethod
    def _wrap(x, low, high):
        diff = high - low
        while np.any(x > high):
            x = np.where(x > high, x - diff, x)
        while np.any(x < low):
            x = np.where(x < low, x + diff, x)
        return x

    def step(self, state, actions):
        a = self.torques[np.asarray(actions).reshape(-1)]
        s = np.asarray(state, dtype=np.float64)
        half = self.dt / 2.0
        k1 = self._derivatives(s, a)
        k2 = self._derivatives(s + half * k1, a)
        k3 = self._derivatives(s + half * k2, a)
        k4 = self._derivatives(s + self.dt * k3, a)
        ns = s + self.dt / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
        ns[:, 0] = self._wrap(ns[:, 0], -np.pi, np.pi)
        ns[:, 1] = self._wrap(ns[:, 1], -np.pi, np.pi)
        ns[:, 2] = np.minimum(np.maximum(ns[:, 2], -self.max_vel_1), self.max_vel_1)
        ns[:, 3] = np.minimum(np.maximum(ns[:, 3], -self.max_vel_2), self.max_vel_2)
        terminated = -np.cos(ns[:, 0]) - np.cos(ns[:, 1] + ns[:, 0]) > 1.0
        return ns, np.where(terminated, 0.0, -1.0), terminated

    @staticmethod
    def observe(state):
        s = state
        return np.stack([np.cos(s[:, 0]), np.sin(s[:, 0]), np.cos(s[:, 1]), np.sin(s[:, 1]),
                         s[:, 2], s[:, 3]], axis=1).astype(np.float32)


#: gymnasium id -> batch dynamics.
BATCH_DYNAMICS = {
    "Acrobot-v1": _Acrobot,
    "MountainCar-v0": _MountainCar,
    "MountainCarContinuous-v0": _MountainCarContinuous,
    "Pendulum-v1": _Pendulum,
}


def batch_environment(env_id, count, max_steps):
    """A :class:`BatchEnvironment` of ``env_id``, or ``None`` when it has no batch dynamics.

    Parameters
    ----------
    env_id : str
    count : int
        Episodes in the batch.
    max_steps : int
        Time limit of every episode.

    Returns
    -------
    BatchEnvironment or None
    """
    if env_id not in BATCH_DYNAMICS:
        return None
    return BatchEnvironment(env_id, count, max_steps)
