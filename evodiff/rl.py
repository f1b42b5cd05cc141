"""Policy search on gymnasium environments: a population of MLP controllers at once.

The objective of policy search is the episode return of a controller whose
parameters are one flat vector.  :class:`MLPPolicy` maps such vectors to a
multilayer perceptron and evaluates a whole population of them in one batched
forward pass; :class:`PolicyEvaluator` runs every individual for its episodes
in one vectorised gymnasium environment and returns the mean returns, so it
can be passed straight to :func:`evodiff.maximize` with ``vectorized=True``::

    from evodiff import maximize
    from evodiff.rl import PolicyEvaluator

    evaluate = PolicyEvaluator("CartPole-v1", hidden_sizes=(8,), rng=0)
    res = maximize(evaluate, x0=np.zeros(evaluate.dim), sigma=1.0,
                   vectorized=True, popsize=256, maxiter=10, latent="random")

Episode seeds are explicit: :meth:`PolicyEvaluator.evaluate` takes them, and
calling the evaluator draws fresh training seeds from its own generator (the
same seeds for every individual of a generation, so they are compared on the
same episodes).  Needs the optional extra ``rl`` (gymnasium).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable

import numpy as np

from .backend import to_numpy
from .classic_control import BATCH_DYNAMICS, batch_environment
from .randomness import as_generator
from .validation import check_bool, check_choice, check_int, renamed_keyword

__all__ = ["MLPPolicy", "PolicyEvaluator", "RunningMoments"]

_ACTIVATIONS = {"tanh": np.tanh, "relu": lambda h: np.maximum(h, 0.0)}
_DTYPES = ("float32", "float64")
_VECTORIZATIONS = ("auto", "native", "batch", "sync")

#: Training seeds are drawn below this; seeds at or above it are never used for training.
TEST_SEED_START = 2**30


def _import_gymnasium():
    try:
        import gymnasium
    except ImportError as exc:
        raise ImportError(
            "evodiff.rl needs gymnasium (pip install 'evodiff-toolkit[rl]' or gymnasium)"
        ) from exc
    return gymnasium


def _check_sizes(name, sizes, minimum_count=0):
    """``sizes`` as a tuple of positive ints, at least ``minimum_count`` of them.

    Raises
    ------
    TypeError
        If ``sizes`` is not a sequence or one of its entries is not an int.
    ValueError
        If an entry is below 1 or there are fewer than ``minimum_count``.
    """
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Iterable):
        raise TypeError(f"{name} must be a sequence of positive ints; got {sizes!r}")
    sizes = tuple(check_int(f"{name}[{i}]", s, minimum=1) for i, s in enumerate(sizes))
    if len(sizes) < minimum_count:
        raise ValueError(
            f"{name} must hold at least {minimum_count} sizes (input, ..., output); got {sizes!r}")
    return sizes


def _check_dtype(dtype):
    """The name of a floating dtype of the forward pass: ``'float32'`` or ``'float64'``."""
    name = dtype.name if isinstance(dtype, np.dtype) else dtype
    return check_choice("dtype", name, _DTYPES)


class MLPPolicy:
    """A multilayer perceptron whose weights are one flat parameter vector.

    Layout of the vector: for each layer, its ``in x out`` weight matrix (row
    major) then its ``out`` biases.

    Parameters
    ----------
    layer_sizes : sequence of int
        Sizes from input to output, at least two, e.g. ``(4, 8, 2)``
        (58 parameters) or ``(4, 128, 128, 2)`` (17,410).
    activation : {'tanh', 'relu'}, default 'tanh'
        Hidden-layer activation; the output layer is linear.
    dtype : {'float32', 'float64'}, default 'float32'
        Precision of the forward pass (a NumPy dtype of these is accepted
        too).  Single precision halves the memory traffic of the
        per-individual weights, which bounds the speed of a population of
        wide networks.

    Attributes
    ----------
    dim : int
        Number of parameters (weights and biases); ``num_params``, its name
        in 0.1.0, is deprecated.

    Raises
    ------
    TypeError
        If ``layer_sizes`` is not a sequence of ints.
    ValueError
        If it holds fewer than two sizes or a size below 1, or ``activation``
        or ``dtype`` is not one of the choices.
    """

    def __init__(self, layer_sizes, activation="tanh", dtype="float32"):
        sizes = _check_sizes("layer_sizes", layer_sizes, minimum_count=2)
        self.activation = check_choice("activation", activation, tuple(_ACTIVATIONS))
        self.dtype = np.dtype(_check_dtype(dtype))
        self.layer_sizes = sizes
        self.dim = sum(i * o + o for i, o in zip(sizes[:-1], sizes[1:]))

    @property
    def num_params(self):
        """Deprecated name of :attr:`dim`."""
        return _deprecated_num_params(self)

    def layers(self, params):
        """Split a population of flat vectors into per-layer weights and biases.

        Parameters
        ----------
        params : array_like, shape (P, dim)

        Returns
        -------
        list of (numpy.ndarray (P, in, out), numpy.ndarray (P, out))
        """
        raw = np.asarray(to_numpy(params))
        if raw.dtype.kind not in "iuf":
            raise TypeError(f"params must be real numbers (integer or floating); got dtype "
                            f"{raw.dtype}")
        if raw.ndim != 2 or raw.shape[1] != self.dim or raw.shape[0] < 1:
            raise ValueError(f"params must have shape (P, {self.dim}) with P >= 1; got "
                             f"shape {raw.shape}")
        if not np.all(np.isfinite(raw)):
            raise ValueError("params must be finite; they hold NaN or inf")
        limit = float(np.finfo(self.dtype).max)
        if raw.dtype.kind == "f" and raw.size and float(np.max(np.abs(raw))) > limit:
            raise ValueError(f"params reach {float(np.max(np.abs(raw))):.3g}, beyond the "
                             f"{self.dtype} range of the policy ({limit:.3g})")
        params = raw.astype(self.dtype, copy=False)
        out, offset = [], 0
        for i, o in zip(self.layer_sizes[:-1], self.layer_sizes[1:]):
            weights = params[:, offset:offset + i * o].reshape(-1, i, o)
            offset += i * o
            out.append((np.ascontiguousarray(weights), params[:, offset:offset + o].copy()))
            offset += o
        return out

    def forward(self, layers, inputs):
        """Outputs of every network on its own input row.

        Parameters
        ----------
        layers : list
            From :meth:`layers`, for P networks.
        inputs : numpy.ndarray, shape (P, layer_sizes[0])

        Returns
        -------
        numpy.ndarray, shape (P, layer_sizes[-1])
        """
        activate = _ACTIVATIONS[self.activation]
        h = np.asarray(inputs, dtype=self.dtype)
        last = len(layers) - 1
        for index, (weights, biases) in enumerate(layers):
            h = np.matmul(h[:, None, :], weights)[:, 0, :] + biases
            if index < last:
                h = activate(h)
        return h


class RunningMoments:
    """Running mean and variance of observations (parallel Welford merge).

    Parameters
    ----------
    shape : tuple of int
    """

    def __init__(self, shape):
        self.count = 0
        self.mean = np.zeros(shape)
        self.m2 = np.zeros(shape)

    def update(self, batch):
        """Merge a batch of observations (first axis: samples)."""
        batch = np.asarray(batch, dtype=np.float64)
        n = batch.shape[0]
        if n == 0:
            return
        mean = batch.mean(axis=0)
        m2 = ((batch - mean) ** 2).sum(axis=0)
        total = self.count + n
        delta = mean - self.mean
        self.mean = self.mean + delta * n / total
        self.m2 = self.m2 + m2 + delta**2 * self.count * n / total
        self.count = total

    @property
    def std(self):
        """numpy.ndarray : standard deviation, at least 1e-8."""
        if self.count < 2:
            return np.ones_like(self.mean)
        return np.maximum(np.sqrt(self.m2 / self.count), 1e-8)

    def normalize(self, obs):
        """``(obs - mean) / std``, clipped to [-10, 10]."""
        if self.count < 2:
            return obs
        return np.clip((obs - self.mean) / self.std, -10.0, 10.0)


class PolicyEvaluator:
    """Episode returns of a population of MLP policies on a gymnasium environment.

    Parameters
    ----------
    env_id : str
        A registered gymnasium environment id, e.g. ``'CartPole-v1'``,
        ``'Pendulum-v1'``.  Discrete actions (``Discrete(n)``: the action is
        the argmax of n outputs) and continuous actions (``Box``: ``tanh`` of
        the outputs scaled to the action bounds) are supported.
    hidden_sizes : sequence of int, default (8,)
        Hidden layer sizes; input and output sizes come from the spaces.
    episodes : int, default 1
        Episodes per individual and evaluation; the return is their mean.
    max_steps : int, optional
        Steps per episode; the environment's own limit by default.
    activation : {'tanh', 'relu'}, default 'tanh'
    normalize_observations : bool, default False
        Normalise observations with running statistics of all observations
        seen in earlier evaluations (frozen within one evaluation).
    rng : None, int or numpy.random.Generator, optional
        The generator of training episode seeds
        (:func:`evodiff.randomness.as_generator`); ``seed``, its name in
        0.1.0, is deprecated.
    env_kwargs : dict, optional
        Passed to the environment's constructor.
    vectorization : {'auto', 'native', 'batch', 'sync'}, default 'auto'
        How the population's episodes run side by side.  ``'native'`` uses
        the environment's own vectorised implementation (CartPole has one;
        about 30 times faster than ``'sync'`` for 256 episodes).  Such an
        environment takes one seed for the whole batch, so the episode seeds
        fix the batch reproducibly, but each individual starts from its own
        initial state.  ``'batch'`` runs gymnasium's dynamics for all
        episodes at once with evodiff's NumPy port
        (:mod:`evodiff.classic_control`: Acrobot, MountainCar,
        MountainCarContinuous, Pendulum), each episode from the state
        gymnasium's environment reaches on its seed.  ``'sync'`` steps one
        gymnasium environment per episode, each reset with its own seed.
        ``'batch'`` and ``'sync'`` play exactly the episodes of the seeds.
        ``'auto'``: ``'native'`` when available, else ``'batch'`` (without
        ``env_kwargs``), else ``'sync'``.

    Attributes
    ----------
    policy : MLPPolicy
    dim : int
        Number of policy parameters, the dimension of the search
        (``num_params`` is deprecated).

    Raises
    ------
    TypeError
        If an argument has the wrong kind (``episodes=1.5``, ``rng='a'``).
    ValueError
        If it is out of range (``episodes=0``), not one of the choices, or
        ``env_id`` is not a usable gymnasium environment.
    """

    def __init__(self, env_id, hidden_sizes=(8,), *, episodes=1, max_steps=None, activation="tanh",
                 normalize_observations=False, rng=None, env_kwargs=None,
                 vectorization="auto", seed=None):
        hidden_sizes = _check_sizes("hidden_sizes", hidden_sizes)
        self.episodes = check_int("episodes", episodes, minimum=1)
        if max_steps is not None:
            max_steps = check_int("max_steps", max_steps, minimum=1)
        activation = check_choice("activation", activation, tuple(_ACTIVATIONS))
        normalize_observations = check_bool("normalize_observations", normalize_observations)
        vectorization = check_choice("vectorization", vectorization, _VECTORIZATIONS)
        self._seeds = as_generator(renamed_keyword("seed", seed, "rng", rng))
        gymnasium = _import_gymnasium()
        self.env_id = env_id
        self.env_kwargs = dict(env_kwargs or {})
        try:
            probe = gymnasium.make(env_id, **self.env_kwargs)
        except gymnasium.error.Error as exc:
            raise ValueError(
                f"env_id {env_id!r} is not a usable gymnasium environment: {exc}") from exc
        spaces = gymnasium.spaces
        obs_space, act_space = probe.observation_space, probe.action_space
        spec_steps = probe.spec.max_episode_steps if probe.spec is not None else None
        probe.close()
        if not isinstance(obs_space, spaces.Box):
            raise ValueError(f"observation space must be a Box; {env_id} has {obs_space}")
        if isinstance(act_space, spaces.Discrete):
            outputs, self._discrete = int(act_space.n), True
        elif isinstance(act_space, spaces.Box):
            outputs, self._discrete = int(np.prod(act_space.shape)), False
            self._low = np.asarray(act_space.low, dtype=np.float64).reshape(-1)
            self._high = np.asarray(act_space.high, dtype=np.float64).reshape(-1)
            self._action_shape = act_space.shape
        else:
            raise ValueError(f"action space must be Discrete or Box; {env_id} has {act_space}")
        self.obs_dim = int(np.prod(obs_space.shape))
        self.policy = MLPPolicy((self.obs_dim, *hidden_sizes, outputs), activation=activation)
        self.dim = self.policy.dim
        if max_steps is None:
            max_steps = spec_steps if spec_steps is not None else 1000
        self.max_steps = max_steps
        self.moments = RunningMoments((self.obs_dim,)) if normalize_observations else None
        self._envs = {}
        self._gymnasium = gymnasium
        native = gymnasium.spec(env_id).vector_entry_point is not None
        batch = env_id in BATCH_DYNAMICS and not self.env_kwargs
        if vectorization == "native" and not native:
            raise ValueError(f"{env_id} has no native vectorised implementation; use 'sync'")
        if vectorization == "batch" and not batch:
            raise ValueError(f"{env_id} has no batch dynamics in evodiff.classic_control (or "
                             "env_kwargs were given); use 'sync'")
        if vectorization == "auto":
            vectorization = "native" if native else "batch" if batch else "sync"
        #: str : the vectorization in use ('native', 'batch' or 'sync').
        self.vectorization = vectorization
        self.native = vectorization == "native"

    @property
    def num_params(self):
        """Deprecated name of :attr:`dim`."""
        return _deprecated_num_params(self)

    def __call__(self, params):
        """Mean returns over ``episodes`` fresh training seeds (shared by all individuals).

        Parameters
        ----------
        params : array_like, shape (P, dim)

        Returns
        -------
        numpy.ndarray, shape (P,)
        """
        return self.evaluate(params, self.training_seeds())

    def training_seeds(self):
        """Draw ``episodes`` seeds below :data:`TEST_SEED_START` from the evaluator's generator."""
        return [int(s) for s in self._seeds.integers(0, TEST_SEED_START, self.episodes)]

    def evaluate(self, params, seeds, update_statistics=True):
        """Mean return of every policy over the episodes started with ``seeds``.

        Parameters
        ----------
        params : array_like, shape (P, dim)
        seeds : sequence of int
            One episode per seed, the same for every policy.
        update_statistics : bool, default True
            Merge the observations into the running normalisation statistics
            (when enabled); use False to evaluate on held-out episodes.

        Returns
        -------
        numpy.ndarray, shape (P,)
        """
        return self.returns(params, seeds, update_statistics).mean(axis=1)

    def returns(self, params, seeds, update_statistics=True):
        """Return of every policy on every episode, shape (P, len(seeds))."""
        # checked before any environment is made, so a bad call leaves the evaluator usable
        seeds = [check_int(f"seeds[{i}]", s, minimum=0) for i, s in enumerate(seeds)]
        update_statistics = check_bool("update_statistics", update_statistics)
        if not seeds:
            raise ValueError("seeds must hold at least one episode seed")
        host = np.asarray(to_numpy(params))
        if host.dtype.kind in "iuf" and not np.all(np.isfinite(host)):
            bad = int(np.count_nonzero(~np.isfinite(host).all(axis=-1))) if host.ndim else 1
            raise ValueError(f"params must be finite; {bad} policy weight vector(s) hold NaN or inf")
        layers = self.policy.layers(host)
        population = layers[0][0].shape[0]
        repeat = len(seeds)
        layers = [(np.repeat(w, repeat, axis=0), np.repeat(b, repeat, axis=0)) for w, b in layers]
        count = population * repeat
        env = self._environment(count)
        if self.native:
            # One seed for the batch, derived from all episode seeds.
            obs, _ = env.reset(seed=int(np.random.SeedSequence(seeds).generate_state(1)[0]))
        else:
            obs, _ = env.reset(seed=seeds * population)
        totals = np.zeros(count)
        running = np.ones(count, dtype=bool)
        seen = []
        for _ in range(self.max_steps):
            obs = np.asarray(obs, dtype=np.float64).reshape(count, -1)
            if self.moments is not None:
                seen.append(obs[running])
                obs = self.moments.normalize(obs)
            actions = self._actions(self.policy.forward(layers, obs))
            obs, reward, terminated, truncated, _ = env.step(actions)
            totals += np.where(running, np.asarray(reward, dtype=np.float64), 0.0)
            running &= ~(np.asarray(terminated) | np.asarray(truncated))
            if not running.any():
                break
        if self.moments is not None and update_statistics and seen:
            self.moments.update(np.concatenate(seen))
        # Individual-major order: rows are individuals, columns their episodes.
        return totals.reshape(population, repeat)

    def _actions(self, outputs):
        if self._discrete:
            return np.argmax(outputs, axis=1)
        scaled = self._low + (np.tanh(outputs) + 1.0) * 0.5 * (self._high - self._low)
        unbounded = ~np.isfinite(self._low) | ~np.isfinite(self._high)
        actions = np.where(unbounded, outputs, scaled)
        return actions.reshape((outputs.shape[0], *self._action_shape)).astype(np.float32)

    def _environment(self, count):
        env = self._envs.get(count)
        if env is None:
            # Keep one size (populations rarely change): the environments of the old size are
            # closed first, so that replacing them never leaks their resources.
            self.close()
            if self.vectorization == "batch":
                env = batch_environment(self.env_id, count, self.max_steps)
                self._envs = {count: env}
                return env
            gymnasium = self._gymnasium
            mode = "vector_entry_point" if self.native else "sync"
            kwargs = dict(self.env_kwargs)
            if self.native:
                kwargs.setdefault("max_episode_steps", self.max_steps)
            env = gymnasium.make_vec(self.env_id, num_envs=count, vectorization_mode=mode,
                                     **kwargs)
            self._envs = {count: env}
        return env

    def close(self):
        """Close the cached vectorised environments."""
        for env in self._envs.values():
            env.close()
        self._envs = {}


def _deprecated_num_params(owner):
    warnings.warn(f"{type(owner).__name__}.num_params is deprecated and goes after 0.2; use "
                  ".dim", DeprecationWarning, stacklevel=3)
    return owner.dim

