"""Controllers for gymnasium's classic-control tasks, evolved by latent Diffusion Evolution.

Zhang et al. (ICLR 2025, Section 4) evolve the weights of two networks for
CartPole-v1, 4-8-2 (58 parameters) and 4-128-128-2 (17,410 parameters), with
latent Diffusion Evolution: population 256, 10 schedule points, distances
measured after a random projection to 2 dimensions; their scripts ran
Acrobot-v1, MountainCar-v0, MountainCarContinuous-v0 and Pendulum-v1 the
same way.  This demo reruns that experiment on any of them (the networks
take the task's observation and action sizes), prints the median and best
return of the population at every generation, evaluates the final
solutions on episodes never used in training, runs plain Diffusion
Evolution, CMA-ES, OpenES and PEPG on the same budget (the baselines with
their default settings), and plots the median return per generation of
every method.  Methods go by their registry names (:data:`METHODS`:
``'latent-diffevo'``, ``'diffevo'``, ``'cmaes'``, ``'openes'``, ``'pepg'``)
and are shown with their display names.  :data:`PRESETS` holds the
generations and training episodes of each task (see its comment).

Settings beyond the paper's (found with a small sweep on separate seeds and
recorded here so they are not hidden): the search starts at zero with scale
0.2 per weight (1.0 and 0.5 leave the wide network's tanh units saturated),
and the fitness mapping is rank based with strength 100 (the default 10,
tuned to keep several optima on multimodal functions, selects too weakly
for 10 generations).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..fitness import Rank
from ..optimize import maximize
from ..registry import method_label
from ..rl import TEST_SEED_START, PolicyEvaluator
from ..validation import check_choice

__all__ = ["NETWORKS", "METHODS", "PRESETS", "TASKS", "ControlSettings", "CartPoleSettings",
           "MethodResult", "settings_for", "run_method", "run_network", "plot", "summary",
           "main"]

#: The paper's two networks: name -> hidden layer sizes.
NETWORKS = {"small": (8,), "large": (128, 128)}

#: The methods compared, by their registry names (:mod:`evodiff.registry`).
METHODS = ("latent-diffevo", "diffevo", "cmaes", "openes", "pepg")

_BASELINES = ("cmaes", "openes", "pepg")

#: CMA-ES holds two n x n matrices; above this many parameters it is not run.
CMAES_MAX_PARAMS = 2000


@dataclass
class ControlSettings:
    """Settings of one control experiment (defaults: the paper's CartPole, see the module doc).

    ``episodes`` training episodes per evaluation (fresh seeds every
    generation, shared by the population); ``test_episodes`` unseen episodes
    score the final solutions; ``normalize_observations`` standardises the
    observations with running statistics of the training episodes
    (:class:`~evodiff.rl.PolicyEvaluator`), frozen for the test.
    """

    popsize: int = 256
    steps: int = 10
    sigma: float = 0.2
    rank_strength: float = 100.0
    latent_dim: int = 2
    test_episodes: int = 5
    seed: int = 0
    env_id: str = "CartPole-v1"
    episodes: int = 1
    normalize_observations: bool = False


#: The paper's experiment on CartPole-v1 (the default task of :class:`ControlSettings`).
CartPoleSettings = ControlSettings

#: The tasks of ``evodiff demo rl --env ID``, in the order of the docs.
TASKS = ("CartPole-v1", "Acrobot-v1", "MountainCar-v0", "MountainCarContinuous-v0",
         "Pendulum-v1")

#: Each task's generations, training episodes per evaluation, initial spread of the weights
#: and observation scaling; the rest as for CartPole.  Chosen on seed 100 (a handful of
#: runs, see docs/latent.md), never on the reported seeds 0-4.  MountainCar's velocities are
#: about 0.01 while positions are about 1: without standardised observations no network of
#: the first generation reaches the goal, and every return is -200.
PRESETS = {
    "CartPole-v1": {"steps": 10, "episodes": 1},
    "Acrobot-v1": {"steps": 30, "episodes": 3},
    "MountainCar-v0": {"steps": 50, "episodes": 3, "sigma": 0.5, "normalize_observations": True},
    "MountainCarContinuous-v0": {"steps": 30, "episodes": 3, "sigma": 1.0,
                                 "normalize_observations": True},
    "Pendulum-v1": {"steps": 100, "episodes": 3, "sigma": 0.5, "normalize_observations": True},
}


def settings_for(env_id, **overrides):
    """The :class:`ControlSettings` of a task: its preset, then ``overrides``.

    Parameters
    ----------
    env_id : str
        One of :data:`TASKS` (any gymnasium id with a Box observation space
        works, with CartPole's settings).
    **overrides
        Fields of :class:`ControlSettings`; ``None`` values are ignored.

    Returns
    -------
    ControlSettings
    """
    values = {"env_id": env_id, **PRESETS.get(env_id, {})}
    values.update({k: v for k, v in overrides.items() if v is not None})
    return ControlSettings(**values)


@dataclass
class MethodResult:
    """What one method achieved on one network."""

    method: str
    median_per_generation: list = field(default_factory=list)
    best_per_generation: list = field(default_factory=list)
    test_median: float = float("nan")
    evaluations: int = 0
    seconds: float = 0.0
    skipped: str = ""


def _test_seeds(settings):
    start = TEST_SEED_START + 1000 * settings.seed
    return list(range(start, start + settings.test_episodes))


def _final_points(res):
    """The final estimates of a run (the x0 estimates of Diffusion Evolution), or None."""
    # ``estimates`` is the newer name of ``x0``; read whichever this version of evodiff has.
    return res.candidates


def run_method(method, hidden_sizes, settings, report=print):
    """Evolve controllers of ``settings.env_id`` with one method and score its final solutions.

    Parameters
    ----------
    method : {'latent-diffevo', 'diffevo', 'cmaes', 'openes', 'pepg'}
        Latent Diffusion Evolution, plain Diffusion Evolution, CMA-ES, OpenES
        or PEPG (the baselines with their default settings).
    hidden_sizes : tuple of int
    settings : ControlSettings
    report : callable, optional
        Receives one line of text per generation (``print`` by default;
        ``None`` for silence).

    Returns
    -------
    MethodResult
        ``test_median``: for Diffusion Evolution, the median over the final x0
        estimates of their mean return on ``test_episodes`` unseen episodes;
        for the baselines, the mean return of their final mean on those
        episodes.

    Raises
    ------
    ValueError
        If ``method`` is not one of :data:`METHODS`.
    """
    method = check_choice("method", method, METHODS)
    evaluator = PolicyEvaluator(settings.env_id, hidden_sizes=hidden_sizes, rng=settings.seed,
                                episodes=settings.episodes,
                                normalize_observations=settings.normalize_observations)
    result = MethodResult(method)
    if method == "cmaes" and evaluator.dim > CMAES_MAX_PARAMS:
        result.skipped = (f"not run: CMA-ES needs two {evaluator.dim} x "
                          f"{evaluator.dim} matrices "
                          f"({2 * 8 * evaluator.dim**2 / 2**30:.1f} GiB)")
        return result

    def track(intermediate):
        result.median_per_generation.append(float(intermediate.history["median"][-1]))
        result.best_per_generation.append(float(intermediate.history["best"][-1]))
        if report is not None:
            report(f"  {method:>14}  generation {intermediate.nit:>3}  "
                   f"median return {result.median_per_generation[-1]:6.1f}  "
                   f"best {result.best_per_generation[-1]:6.1f}")

    common = dict(x0=np.zeros(evaluator.dim), sigma=settings.sigma, vectorized=True,
                  popsize=settings.popsize, maxiter=settings.steps, rng=settings.seed,
                  callback=track)
    start = time.perf_counter()
    if method in _BASELINES:
        res = maximize(evaluator, method=method, **common)
        finals = _final_points(res)
        finals = finals if finals is not None else res.x[None, :]
    else:
        options = {"fitness": Rank(settings.rank_strength)}
        latent = None
        if method == "latent-diffevo":
            options["latent_dim"] = settings.latent_dim
            latent = "random"
        res = maximize(evaluator, method="diffevo", latent=latent, options=options, **common)
        finals = _final_points(res)
    result.seconds = time.perf_counter() - start
    result.evaluations = int(res.history["nfev"][-1])
    scores = evaluator.evaluate(finals, _test_seeds(settings), update_statistics=False)
    result.test_median = float(np.median(scores))
    evaluator.close()
    return result


def _network_text(network, env_id="CartPole-v1"):
    """``'4-8-2'``: the layer sizes of a network on a task."""
    sizes = _IO_SIZES.get(env_id)
    if sizes is None:
        evaluator = PolicyEvaluator(env_id, hidden_sizes=(1,))
        sizes = _IO_SIZES[env_id] = (evaluator.obs_dim, evaluator.policy.layer_sizes[-1])
        evaluator.close()
    return "-".join(map(str, (sizes[0], *NETWORKS[network], sizes[1])))


_IO_SIZES = {}


def run_network(network, settings, methods=METHODS, report=print, per_generation=True):
    """Run every method on one of the paper's networks; returns ``{method: MethodResult}``.

    Parameters
    ----------
    network : {'small', 'large'}
        A key of :data:`NETWORKS`.
    settings : ControlSettings
    methods : sequence of str, default METHODS
        Registry names of the methods to run, in order.
    report : callable, optional
        Receives the progress lines (``None`` for silence).
    per_generation : bool, default True
        A line per generation; else one line per method when it ends.

    Returns
    -------
    dict
        ``{method: MethodResult}``.
    """
    results = {}
    for method in methods:
        if report is not None:
            report(f"{settings.env_id}, {network} network "
                   f"{_network_text(network, settings.env_id)}, {method_label(method)}:")
        result = results[method] = run_method(method, NETWORKS[network], settings,
                                              report if per_generation else None)
        if report is not None and result.skipped:
            report(f"  {result.skipped}")
        elif report is not None and not per_generation:
            report(f"  done: {result.evaluations} evaluations in {result.seconds:.1f} s, "
                   f"test median {result.test_median:.1f}")
    return results


def plot(results_by_network, path, env_id="CartPole-v1"):
    """Median return per generation of every method, one panel per network; saves a PNG.

    Parameters
    ----------
    results_by_network : mapping
        ``{network: {method: MethodResult}}``; skipped methods are left out.
    path : str or path-like
        Output file.
    env_id : str, default 'CartPole-v1'
        The task, for the titles (and CartPole's axis, 0 to 520).

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    from ..plotting import series_plot

    panels = {
        f"{env_id}, {network} network {_network_text(network, env_id)}": {
            method: result.median_per_generation
            for method, result in results.items()
            if not result.skipped and result.median_per_generation}
        for network, results in results_by_network.items()}
    ylim = (0, 520) if env_id == "CartPole-v1" else None
    return series_plot(panels, path, ylabel="median return of the population", ylim=ylim)


def summary(results_by_network, settings):
    """A plain-text table of the final scores."""
    lines = [f"{settings.env_id}: population {settings.popsize}, {settings.steps} generations "
             f"({settings.episodes} training episode(s) per evaluation), "
             f"seed {settings.seed}; test: median over the final solutions of their mean "
             f"return on {settings.test_episodes} unseen episodes",
             f"  {'network':<8} {'method':<14} {'test median':>11} {'evaluations':>11} "
             f"{'time s':>7}"]
    for network, results in results_by_network.items():
        for method, r in results.items():
            if r.skipped:
                lines.append(f"  {network:<8} {method:<14} {r.skipped}")
            else:
                lines.append(f"  {network:<8} {method:<14} {r.test_median:>11.1f} "
                             f"{r.evaluations:>11} {r.seconds:>7.1f}")
    return "\n".join(lines)


def main(networks=("small", "large"), settings=None, out="evodiff-out/cartpole", report=print,
         per_generation=True):
    """Run the demo on the chosen networks, print the summary and save the plot.

    Returns
    -------
    dict
        ``{network: {method: MethodResult}}``.
    """
    settings = settings or ControlSettings()
    results = {network: run_network(network, settings, report=report,
                                    per_generation=per_generation) for network in networks}
    print(summary(results, settings))
    stem = "cartpole" if settings.env_id == "CartPole-v1" else settings.env_id
    path = plot(results, Path(out) / f"{stem}_median_return.png", settings.env_id)
    print(f"plot: {path}")
    return results
