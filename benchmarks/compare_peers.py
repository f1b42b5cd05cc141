"""evodiff against the other implementations: time per generation and quality in 256-D.

Three parts; a peer that is not installed is named at the start and every
comparison with it is skipped.  The peers (PyTorch with ``diffevo``, JAX with
``evosax``, and ``cma``) form the optional extra ``compare``; none of them is
a dependency of evodiff.

1. **Diffusion Evolution, time per generation.**  For (N, D) in (512, 2),
   (512, 256) and (4096, 32), in float32 on the CPU, one generation of

   - evodiff: ``DiffusionEvolution(dim=D, popsize=N, steps=S, dtype="float32",
     rng=0)``, ``ask`` + ``tell`` (NumPy);
   - diffevo, the authors' package (PyTorch): what one iteration of its own
     loop (``DiffEvo.optimize`` and the README's loop) does after the
     objective: the fitness mapping (``fitnessmapping.Energy``, temperature
     1, its mapping for minimisation), a ``BayesianGenerator`` built on the
     population, its mapped fitness and the schedule's ``(alpha_t,
     alpha_prev)`` (uniform density, the generator's default), and one
     ``generate`` call: x0 estimate plus DDIM step;
   - evosax (JAX): its ``DiffusionEvolution`` with its defaults (energy
     mapping at temperature 1), ``ask`` + ``tell``, both already jit-compiled
     by evosax, each followed by ``block_until_ready``; PRNG key splitting is
     left out of the timed region.

   All three use the same cosine schedule of S points, start from N(0, I)
   and minimise the sphere, which is evaluated outside the timed region (as
   is turning arrays from one library into another).  Each implementation
   follows its own run, generation by generation; the three are interleaved
   in one loop, and the one that goes first rotates, so that a change in
   the machine's load hits all alike.  Each timed generation is preceded by
   an untimed pause of 0.1 s, so that the worker threads of the library
   timed just before (OpenBLAS, PyTorch's OpenMP, XLA) have stopped spinning
   and do not compete for the cores.  The first generations are a warm-up
   (for evosax they include the compilation) and are not timed; every
   printed time is the median over the timed generations, and every ratio
   is peer time / evodiff time (above 1: evodiff is faster).

2. **CMA-ES, time per generation.**  evodiff's ``CMAES`` against pycma at
   n = 100 and 500 with the default population size, with the method and the
   code of ``benchmarks/baselines_speed.py`` (float64, mean over whole
   periods of both eigendecomposition cadences).

3. **Quality on shifted Rastrigin in 256 dimensions.**  Every Diffusion
   Evolution (evodiff plain and latent, with the library's defaults;
   diffevo and evosax, plain and latent) minimises
   ``problems.random_shift(problems.rastrigin(256), rng=0)`` with
   population 512, 50 schedule points (so 50 evaluated populations), in
   float32, each in the same search region: the objective sees ``4 x`` with
   ``x`` starting from N(0, I) (the authors' ``scaling=4``).  The peers
   maximise a fitness, so each gets the one its authors use:

   - diffevo: ``exp(-f / 2000)``, the authors' mapping in their own 256-D
     Rastrigin benchmark (energy wrapper, temperature 0.5 times distance
     scale 4000, target 0), with their DDIM noise 0.1;
   - evosax: its default energy mapping ``exp(-f / T)`` (shifted so that the
     largest is e^5) at its default T = 1, and at T = 2000 like diffevo.

   For each run the script prints the best value reached (over every
   evaluated individual) and what happened on the way:

   - the largest raw neighbourhood weight ``exp(-|z_i - sqrt(a) z_j|^2 /
     (2 (1 - a)))`` of each individual (median over the population),
     computed here in log10 from the run's own population and alpha, and
     the number of denoising steps in which it is below 1e-8 (where the
     peers' safeguards, diffevo's ``+ 1e-9`` on every weight and evosax's
     floor of 1e-8 on the sum of weights, take over) and below float32's
     smallest normal number (underflow);
   - the spread of the x0 estimates across the population relative to the
     population's own spread (0: every individual got the same estimate),
     and in how many steps every estimate is one point: the origin, the
     fitness-weighted population mean (with the peer's own weights) or
     another point; and NaN estimates, if any.

Run::

    python benchmarks/compare_peers.py                 # everything, a few minutes
    python benchmarks/compare_peers.py --quick         # fewer generations, smaller budgets
    python benchmarks/compare_peers.py --parts speed   # only part 1 (parts: speed cmaes quality)

The machine's load average is printed at the start of each part; timings on
a shared machine are only comparable within one run, so read the ratios.
"""

from __future__ import annotations

import argparse
import functools
import gc
import importlib
import importlib.metadata
import math
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from evodiff import DiffusionEvolution, LatentDiffusionEvolution, problems

SPEED_SIZES = [(512, 2), (512, 256), (4096, 32)]
# Timed generations per size (full run, quick run); diffevo takes seconds per generation at 4096.
SPEED_TIMED = {(512, 2): (30, 5), (512, 256): (30, 5), (4096, 32): (15, 3)}
SPEED_WARMUP = 2
# Seconds of sleep before each timed generation, so that the worker threads of the library
# timed before (OpenBLAS, PyTorch's OpenMP, XLA's pool) have stopped spinning.  It does not
# remove every trace of the library before: see docs/performance.md.
SPEED_PAUSE = 0.1
CMA_DIMENSIONS = [100, 500]
CMA_GENERATIONS = {100: 400, 500: 200}  # before rounding up to whole eigen periods
QUALITY_DIM = 256
QUALITY_POPSIZE = 512
QUALITY_STEPS = 50
QUALITY_SCALING = 4.0  # the authors' benchmark scaling: the objective sees 4 x
DIFFEVO_TEMPERATURE = 2000.0  # the authors' 256-D Rastrigin setting: 0.5 * 4000
DIFFEVO_NOISE = 0.1  # the authors' DDIM noise in their benchmarks
SPREAD_COLLAPSED = 1e-3  # relative x0 spread below which the estimates have collapsed
PEERS = {
    "diffevo": ("torch", "diffevo"),
    "evosax": ("jax", "evosax"),
    "cma": ("cma",),
}


def load_peers():
    """Import the optional peers that are installed and say which are missing.

    Returns
    -------
    dict
        Peer name (``'diffevo'``, ``'evosax'``, ``'cma'``) to its version
        string, for the peers that could be imported.
    """
    found = {}
    for name, modules in PEERS.items():
        try:
            loaded = [importlib.import_module(module) for module in modules]
        except Exception as exc:  # ImportError, or a broken install of a large package
            print(f"peer {name!r} is missing ({type(exc).__name__}: {exc}); "
                  f"the comparisons with it are skipped (pip install {' '.join(modules)})")
            continue
        found[name] = " + ".join(f"{module.__name__} {version_of(module)}" for module in loaded)
    return found


def version_of(module):
    """The installed version of a module's distribution, or ``'?'``.

    Parameters
    ----------
    module : module

    Returns
    -------
    str
    """
    try:
        return importlib.metadata.version(module.__name__)
    except importlib.metadata.PackageNotFoundError:
        return getattr(module, "__version__", "?")


def load_average():
    """The 1-minute load average, or NaN where the system does not report it.

    Returns
    -------
    float
    """
    try:
        return os.getloadavg()[0]
    except OSError:
        return float("nan")


def sphere(X):
    """Sum of squares of each row of a NumPy array (the cheap objective, never timed).

    Parameters
    ----------
    X : numpy.ndarray, shape (N, D)

    Returns
    -------
    numpy.ndarray, shape (N,)
    """
    return np.sum(X * X, axis=1)


# -- part 1: Diffusion Evolution, time per generation ---------------------------------------


class EvodiffTimer:
    """One evodiff Diffusion Evolution run, timed generation by generation.

    Parameters
    ----------
    n, d : int
        Population size and dimension.
    steps : int
        Schedule points; the run makes ``steps - 1`` denoising steps.
    seed : int
        Seed of the optimiser.
    """

    name = "evodiff"

    def __init__(self, n, d, steps, seed):
        self.opt = DiffusionEvolution(dim=d, popsize=n, steps=steps, dtype="float32", rng=seed)

    def generation(self):
        """Run one generation and return the seconds of ``ask`` + ``tell``.

        Returns
        -------
        float
        """
        start = time.perf_counter()
        X = self.opt.ask()
        asked = time.perf_counter()
        values = sphere(X)
        resumed = time.perf_counter()
        self.opt.tell(values)
        return (asked - start) + (time.perf_counter() - resumed)


class DiffevoTimer:
    """One run of the authors' diffevo package, timed generation by generation.

    A generation is what an iteration of ``DiffEvo.optimize`` does once the
    fitness is known: map it, build a ``BayesianGenerator`` and call it.

    Parameters
    ----------
    n, d : int
        Population size and dimension.
    steps : int
        Points of the ``DDIMSchedulerCosine``; it yields ``steps - 1`` pairs.
    seed : int
        Seed of PyTorch's global generator (diffevo draws its noise from it).
    """

    name = "diffevo"

    def __init__(self, n, d, steps, seed):
        import torch
        from diffevo import BayesianGenerator, DDIMSchedulerCosine
        from diffevo.fitnessmapping import Energy

        torch.manual_seed(seed)
        self.torch = torch
        self.generator_class = BayesianGenerator
        self.mapping = Energy(temperature=1.0)
        self.schedule = iter(DDIMSchedulerCosine(num_step=steps))
        self.x = torch.randn(n, d, dtype=torch.float32)

    def generation(self):
        """Run one generation and return the seconds of mapping, generator and DDIM step.

        Returns
        -------
        float
        """
        _, alphas = next(self.schedule)
        fitness = self.torch.from_numpy(sphere(self.x.numpy()))
        start = time.perf_counter()
        generator = self.generator_class(self.x, self.mapping(fitness), alphas)
        self.x = generator(noise=DIFFEVO_NOISE)
        return time.perf_counter() - start


class EvosaxTimer:
    """One run of evosax's DiffusionEvolution, timed generation by generation.

    Parameters
    ----------
    n, d : int
        Population size and dimension.
    steps : int
        evosax's ``num_generations`` (schedule points).
    seed : int
        Seed of the JAX PRNG key.
    """

    name = "evosax"

    def __init__(self, n, d, steps, seed):
        import jax
        import jax.numpy as jnp
        from evosax.algorithms import DiffusionEvolution as EvosaxDiffusionEvolution

        self.jax, self.jnp = jax, jnp
        self.algo = EvosaxDiffusionEvolution(population_size=n, solution=jnp.zeros(d, jnp.float32),
                                             num_generations=steps)
        self.params = self.algo.default_params
        key, init_key, pop_key = jax.random.split(jax.random.key(seed), 3)
        population = jax.random.normal(pop_key, (n, d), dtype=jnp.float32)
        fitness = jnp.asarray(sphere(np.asarray(population)))
        self.state = self.algo.init(init_key, population, fitness, self.params)
        jax.block_until_ready(self.state)
        self.key = key

    def generation(self):
        """Run one generation and return the seconds of the jitted ``ask`` + ``tell``.

        Returns
        -------
        float
        """
        self.key, ask_key, tell_key = self.jax.random.split(self.key, 3)
        start = time.perf_counter()
        population, self.state = self.algo.ask(ask_key, self.state, self.params)
        population.block_until_ready()
        asked = time.perf_counter()
        fitness = self.jnp.asarray(sphere(np.asarray(population)))
        fitness.block_until_ready()
        resumed = time.perf_counter()
        self.state, _ = self.algo.tell(tell_key, population, fitness, self.state, self.params)
        self.jax.block_until_ready(self.state)
        return (asked - start) + (time.perf_counter() - resumed)


def measure_diffusion(n, d, timed, peers, seed=0):
    """Median seconds per generation of evodiff and each installed peer, interleaved.

    Parameters
    ----------
    n, d : int
        Population size and dimension.
    timed : int
        Timed generations, after ``SPEED_WARMUP`` untimed ones.
    peers : dict
        The installed peers (from :func:`load_peers`).
    seed : int, default 0
        Seed of every implementation.

    Returns
    -------
    dict
        Implementation name to median seconds per generation.
    """
    steps = SPEED_WARMUP + timed + 1  # every timed generation is a denoising step
    classes = [EvodiffTimer] + [cls for cls in (DiffevoTimer, EvosaxTimer) if cls.name in peers]
    timers = [cls(n, d, steps, seed) for cls in classes]
    times = {timer.name: [] for timer in timers}
    gc.collect()
    for i in range(SPEED_WARMUP + timed):
        shift = i % len(timers)
        for timer in timers[shift:] + timers[:shift]:
            time.sleep(SPEED_PAUSE)
            elapsed = timer.generation()
            if i >= SPEED_WARMUP:
                times[timer.name].append(elapsed)
    return {name: statistics.median(values) for name, values in times.items()}


def run_speed(peers, quick):
    """Print part 1: the Diffusion Evolution times and ratios, and check the targets.

    Parameters
    ----------
    peers : dict
        The installed peers.
    quick : bool
        Fewer timed generations.
    """
    names = [name for name in ("diffevo", "evosax") if name in peers]
    print(f"\n== Diffusion Evolution: median ms per generation, float32, CPU "
          f"(load average {load_average():.2f}) ==")
    if not names:
        print("no Diffusion Evolution peer installed (diffevo, evosax): only evodiff is timed")
    header = f"{'N':>5} {'D':>4} {'gens':>5} {'evodiff ms':>11}"
    for name in names:
        header += f" {name + ' ms':>11} {'ratio':>7}"
    print(header)
    ratios = {name: {} for name in names}
    for n, d in SPEED_SIZES:
        timed = SPEED_TIMED[(n, d)][1 if quick else 0]
        medians = measure_diffusion(n, d, timed, peers)
        line = f"{n:>5} {d:>4} {timed:>5} {medians['evodiff'] * 1e3:>11.3f}"
        for name in names:
            ratio = medians[name] / medians["evodiff"]
            ratios[name][(n, d)] = ratio
            line += f" {medians[name] * 1e3:>11.3f} {ratio:>7.2f}"
        print(line, flush=True)
    if names:
        print("ratio = peer / evodiff (above 1: evodiff is faster)")
    if "diffevo" in ratios:
        ratio = ratios["diffevo"][(4096, 32)]
        verdict = "met" if ratio >= 20 else "NOT met"
        print(f"target: at least 20x faster than diffevo at (4096, 32): {ratio:.1f}x, {verdict}")
    if "evosax" in ratios:
        worst = min(ratios["evosax"].values())
        verdict = "met" if worst >= 1 else "NOT met"
        print(f"target: not slower than compiled evosax at any size: worst ratio {worst:.2f}, "
              f"{verdict}")


# -- part 2: CMA-ES, time per generation ----------------------------------------------------


def run_cmaes(peers, quick):
    """Print part 2: evodiff's CMAES against pycma at n = 100 and 500, default popsize.

    Parameters
    ----------
    peers : dict
        The installed peers.
    quick : bool
        A tenth of the generations (at least three eigendecomposition periods).
    """
    print(f"\n== CMA-ES: mean ms per generation, float64, default popsize "
          f"(load average {load_average():.2f}) ==")
    if "cma" not in peers:
        print("pycma is missing: part skipped")
        return
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from baselines_speed import measure

    print(f"{'n':>5} {'popsize':>8} {'gens':>5} {'eig every':>10} {'evodiff ms':>11} "
          f"{'pycma ms':>9} {'ratio':>7}")
    worst = math.inf
    for n in CMA_DIMENSIONS:
        target = CMA_GENERATIONS[n] // 10 if quick else CMA_GENERATIONS[n]
        row = measure(n, None, max(1, target))
        ratio = row["cma"] / row["evodiff"]
        worst = min(worst, ratio)
        cadence = f"{row['eig_evodiff']} / {row['eig_cma']}"
        print(f"{n:>5} {row['popsize']:>8} {row['generations']:>5} {cadence:>10} "
              f"{row['evodiff'] * 1e3:>11.3f} {row['cma'] * 1e3:>9.3f} {ratio:>7.2f}", flush=True)
    verdict = "met" if worst > 1 else "NOT met"
    print(f"ratio = pycma / evodiff; target: lower overhead than pycma at n = 100 and 500: "
          f"worst ratio {worst:.2f}, {verdict}")


# -- part 3: quality on shifted Rastrigin in 256 dimensions ---------------------------------


def kernel_log10_max(z, alpha):
    """Median over the rows of log10 of the largest raw-exp neighbourhood weight.

    The kernel is ``exp(-|z_i - sqrt(a) z_j|^2 / (2 (1 - a)))``.  Its
    exponent is computed in float64 and never exponentiated, so the result
    shows how far below float32's smallest normal number (1.2e-38) the
    weights of a raw-exp implementation fall.

    Parameters
    ----------
    z : numpy.ndarray, shape (N, d)
        The points (or latent codes) that the kernel compares.
    alpha : float
        The schedule's ``alpha_t`` of the step.

    Returns
    -------
    float
        Median over i of ``max_j log10 k_ij``.
    """
    z = np.asarray(z, dtype=np.float64)
    squares = np.sum(z * z, axis=1)
    distances = squares[:, None] + alpha * squares[None, :] - 2.0 * math.sqrt(alpha) * (z @ z.T)
    exponent = -np.maximum(distances, 0.0) / (2.0 * (1.0 - alpha))
    return float(np.median(exponent.max(axis=1)) / math.log(10.0))


FLOAT32_TINY_LOG10 = math.log10(float(np.finfo(np.float32).tiny))
# Below this the peers' estimators degenerate: diffevo adds 1e-9 to every kernel weight and
# evosax divides by max(sum of weights, 1e-8).
WEIGHT_FLOOR = 1e-8


class QualityRecord:
    """Best value and x0 diagnostics collected along one quality run.

    Parameters
    ----------
    label : str
        Name of the run in the table.
    """

    def __init__(self, label):
        self.label = label
        self.best = math.inf
        self.steps = 0
        self.nans = 0
        self.first_spread = None
        self.first_kernel = None
        self.swamped_steps = 0  # kernel max below WEIGHT_FLOOR
        self.underflow_steps = 0  # kernel max below float32's smallest normal number
        self.origin_max = 0.0  # largest |x0| coordinate over the steps at the origin
        self.collapsed = 0  # every estimate (nearly) the same point
        self.at_origin = 0  # ... and that point is the origin
        self.at_mean = 0  # ... and that point is the fitness-weighted population mean

    def evaluated(self, values):
        """Record the objective values of one evaluated population.

        Parameters
        ----------
        values : numpy.ndarray, shape (N,)
        """
        finite = values[np.isfinite(values)]
        if finite.size:
            self.best = min(self.best, float(finite.min()))

    def step(self, x, x0, codes, alpha, weights=None):
        """Record one denoising step.

        Parameters
        ----------
        x : numpy.ndarray, shape (N, D)
            The population in the implementation's normalised space.
        x0 : numpy.ndarray, shape (N, D)
            Its x0 estimates in the same space.
        codes : numpy.ndarray, shape (N, d)
            What the neighbourhood kernel compares (``x`` itself, or latent codes).
        alpha : float
            ``alpha_t`` of the step.
        weights : numpy.ndarray, shape (N,), optional
            The fitness the implementation weights with (a peer's mapped
            fitness), to recognise estimates that all equal the
            fitness-weighted population mean.
        """
        x = np.asarray(x, dtype=np.float64)
        x0 = np.asarray(x0, dtype=np.float64)
        self.steps += 1
        kernel = kernel_log10_max(codes, alpha)
        if self.first_kernel is None:
            self.first_kernel = kernel
        if kernel < math.log10(WEIGHT_FLOOR):
            self.swamped_steps += 1
        if kernel < FLOAT32_TINY_LOG10:
            self.underflow_steps += 1
        bad = ~np.all(np.isfinite(x0), axis=1)
        self.nans += int(np.sum(bad))
        good = x0[~bad]
        if good.shape[0] < 2:
            return
        scale = float(np.median(np.std(x, axis=0)))
        spread = float(np.median(np.std(good, axis=0))) / scale
        if self.first_spread is None:
            self.first_spread = spread
        if spread >= SPREAD_COLLAPSED:
            return
        self.collapsed += 1
        centre = np.mean(good, axis=0)
        if np.sqrt(np.mean(centre**2)) < SPREAD_COLLAPSED * scale:
            self.at_origin += 1
            self.origin_max = max(self.origin_max, float(np.max(np.abs(good))))
        elif weights is not None:
            w = np.asarray(weights, dtype=np.float64)
            if np.sum(w) > 0:
                mean = w @ x / np.sum(w)
                if np.sqrt(np.mean((centre - mean) ** 2)) < SPREAD_COLLAPSED * scale:
                    self.at_mean += 1

    def row(self):
        """The table row: label, best, diagnostics and what the x0 estimates did.

        Returns
        -------
        tuple of str
        """
        first_kernel = "-" if self.first_kernel is None else f"1e{round(self.first_kernel)}"
        first_spread = "-" if self.first_spread is None else f"{self.first_spread:.2g}"
        parts = []
        if self.nans:
            parts.append(f"{self.nans} NaN rows")
        if self.at_origin:
            parts.append(f"all at the origin in {self.at_origin} (|x0| <= {self.origin_max:.2g})")
        if self.at_mean:
            parts.append(f"all at the fitness-weighted mean in {self.at_mean}")
        other = self.collapsed - self.at_origin - self.at_mean
        if other:
            parts.append(f"all one other point in {other}")
        verdict = "; ".join(parts) if parts else "never collapsed"
        return (self.label, f"{self.best:.1f}", first_kernel, f"{self.swamped_steps}/{self.steps}",
                f"{self.underflow_steps}/{self.steps}", first_spread, verdict)


def quality_evodiff(problem, latent, steps, seed):
    """Run evodiff's Diffusion Evolution (library defaults) on the problem.

    Parameters
    ----------
    problem : evodiff.problems.Problem
    latent : bool
        ``LatentDiffusionEvolution`` (random projection to 2-D) instead of the plain one.
    steps : int
        Schedule points.
    seed : int

    Returns
    -------
    QualityRecord
    """
    cls = LatentDiffusionEvolution if latent else DiffusionEvolution
    opt = cls(dim=problem.dim, popsize=QUALITY_POPSIZE, steps=steps, center=0.0,
              scale=QUALITY_SCALING, dtype="float32", rng=seed)
    record = QualityRecord("evodiff latent (d=2)" if latent else "evodiff plain")
    step = 0
    while not opt.done:
        X = np.asarray(opt.ask(), dtype=np.float64)
        values = problem(X)
        record.evaluated(values)
        opt.tell(values)
        if step < opt.schedule.num_steps:
            x = X / QUALITY_SCALING
            codes = x @ opt.projection.T if latent else x
            x0 = np.asarray(opt.x0, dtype=np.float64) / QUALITY_SCALING
            record.step(x, x0, codes, opt.schedule.pair(step)[0])
        step += 1
    return record


def quality_diffevo(problem, latent, steps, seed):
    """Run the authors' diffevo loop (their 256-D benchmark's settings) on the problem.

    Parameters
    ----------
    problem : evodiff.problems.Problem
    latent : bool
        ``LatentBayesianGenerator`` with a normalised 2-D ``RandomProjection``.
    steps : int
        Points of the ``DDIMSchedulerCosine``.
    seed : int

    Returns
    -------
    QualityRecord
    """
    import torch
    from diffevo import BayesianGenerator, DDIMSchedulerCosine, LatentBayesianGenerator, RandomProjection

    torch.manual_seed(seed)
    label = f"diffevo {'latent (d=2)' if latent else 'plain'}, exp(-f/{DIFFEVO_TEMPERATURE:g})"
    record = QualityRecord(label)
    projection = RandomProjection(problem.dim, 2, normalize=True) if latent else None
    x = torch.randn(QUALITY_POPSIZE, problem.dim, dtype=torch.float32)

    def evaluate(points):
        values = problem(points.numpy().astype(np.float64) * QUALITY_SCALING)
        record.evaluated(values)
        return values

    for _, alphas in DDIMSchedulerCosine(num_step=steps):
        values = evaluate(x)
        fitness = torch.exp(-torch.from_numpy(values).to(torch.float32) / DIFFEVO_TEMPERATURE)
        if latent:
            with torch.no_grad():
                codes = projection(x)
            generator = LatentBayesianGenerator(x, codes, fitness, alphas, density="uniform")
        else:
            codes = x
            generator = BayesianGenerator(x, fitness, alphas, density="uniform")
        x_next, x0 = generator(noise=DIFFEVO_NOISE, return_x0=True)
        record.step(x.numpy(), x0.numpy(), codes.numpy(), float(alphas[0]), fitness.numpy())
        x = x_next
    evaluate(x)
    return record


def quality_evosax(problem, latent, temperature, steps, seed):
    """Run evosax's DiffusionEvolution on the problem, scale factor 4.

    Parameters
    ----------
    problem : evodiff.problems.Problem
    latent : bool
        ``num_latent_dims=2`` instead of the plain variant.
    temperature : float or None
        Temperature of evosax's energy mapping; ``None`` keeps its default (1).
    steps : int
        evosax's ``num_generations``; ``steps - 1`` ask/tell pairs follow ``init``.
    seed : int

    Returns
    -------
    QualityRecord
    """
    import jax
    import jax.numpy as jnp
    from evosax.algorithms import DiffusionEvolution as EvosaxDiffusionEvolution
    from evosax.algorithms.population_based.diffusion_evolution import (
        estimate_x_0,
        fitness_mapping_energy,
    )

    mapping = fitness_mapping_energy
    if temperature is not None:
        mapping = functools.partial(fitness_mapping_energy, temperature=temperature)
    algo = EvosaxDiffusionEvolution(population_size=QUALITY_POPSIZE,
                                    solution=jnp.zeros(problem.dim, jnp.float32),
                                    num_generations=steps, fitness_mapping=mapping,
                                    num_latent_dims=2 if latent else None)
    params = algo.default_params.replace(scale_factor=QUALITY_SCALING)
    shown = 1.0 if temperature is None else temperature
    record = QualityRecord(f"evosax {'latent (d=2)' if latent else 'plain'}, "
                           f"energy T={shown:g}{' (default)' if temperature is None else ''}")
    key, init_key, pop_key = jax.random.split(jax.random.key(seed), 3)
    population = QUALITY_SCALING * jax.random.normal(pop_key, (QUALITY_POPSIZE, problem.dim))

    def evaluate(points):
        values = problem(np.asarray(points, dtype=np.float64))
        record.evaluated(values)
        return jnp.asarray(values, dtype=jnp.float32)

    state = algo.init(init_key, population, evaluate(population), params)
    for step in range(steps - 1):
        x = state.population / params.scale_factor
        codes = x @ state.latent_projection
        alpha = params.alphas[step]
        weights = algo.fitness_mapping(state.fitness)
        x0 = estimate_x_0(x, codes, weights, alpha)
        record.step(np.asarray(x), np.asarray(x0), np.asarray(codes), float(alpha),
                    np.asarray(weights))
        key, ask_key, tell_key = jax.random.split(key, 3)
        population, state = algo.ask(ask_key, state, params)
        state, _ = algo.tell(tell_key, population, evaluate(population), state, params)
    return record


def run_quality(peers, quick, seed=0):
    """Print part 3: best values and x0 diagnostics on shifted 256-D Rastrigin.

    Parameters
    ----------
    peers : dict
        The installed peers.
    quick : bool
        25 schedule points instead of 50.
    seed : int, default 0
        Seed of every run.
    """
    steps = 25 if quick else QUALITY_STEPS
    problem = problems.random_shift(problems.rastrigin(QUALITY_DIM), rng=0)
    print(f"\n== shifted Rastrigin, D = {QUALITY_DIM}, population {QUALITY_POPSIZE}, {steps} "
          f"points, float32, objective at {QUALITY_SCALING:g} x (load average "
          f"{load_average():.2f}) ==")
    start = np.random.default_rng(seed).standard_normal((QUALITY_POPSIZE, QUALITY_DIM))
    print(f"reference: best of one random N(0, I) population {problem(QUALITY_SCALING * start).min():.1f}; "
          f"value at the centre x = 0: {problem(np.zeros((1, QUALITY_DIM)))[0]:.1f}; "
          f"global minimum {problem.optimum_value:g}")
    runs = [functools.partial(quality_evodiff, problem, False, steps, seed),
            functools.partial(quality_evodiff, problem, True, steps, seed)]
    if "diffevo" in peers:
        runs += [functools.partial(quality_diffevo, problem, False, steps, seed),
                 functools.partial(quality_diffevo, problem, True, steps, seed)]
    else:
        print("diffevo is missing: its runs are skipped")
    if "evosax" in peers:
        for latent in (False, True):
            for temperature in (None, DIFFEVO_TEMPERATURE):
                runs.append(functools.partial(quality_evosax, problem, latent, temperature,
                                              steps, seed))
    else:
        print("evosax is missing: its runs are skipped")
    header = ("run", "best f", "kernel max, step 1", "steps < 1e-8", "steps < 1.2e-38",
              "x0 spread, step 1", "steps in which every x0 estimate is the same point")
    widths = (42, 8, 18, 12, 15, 17, 0)
    print(" | ".join(f"{h:<{w}}" for h, w in zip(header, widths)))
    for run in runs:
        cells = run().row()
        print(" | ".join(f"{c:<{w}}" for c, w in zip(cells, widths)), flush=True)
    print("kernel max: median over the individuals of their largest raw-exp weight "
          "exp(-|z_i - sqrt(a) z_j|^2 / (2 (1 - a))) (computed in log10); steps < 1e-8, "
          "< 1.2e-38: denoising steps in which that median is below 1e-8 (where diffevo's added "
          "1e-9 and evosax's floor of 1e-8 on the weight sum take over) or below float32's "
          "smallest normal number; "
          "x0 spread: median over coordinates of the std of the x0 estimates across the "
          "population, divided by the population's (0: every individual got the same estimate; "
          f"counted as the same point below {SPREAD_COLLAPSED:g})")


def main(argv=None):
    """Command-line entry point.

    Parameters
    ----------
    argv : list of str, optional
        Arguments; ``sys.argv[1:]`` if omitted.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="fewer timed generations and 25 points for the quality runs")
    parser.add_argument("--parts", nargs="+", default=["speed", "cmaes", "quality"],
                        choices=["speed", "cmaes", "quality"], help="which parts to run")
    args = parser.parse_args(argv)
    peers = load_peers()
    import evodiff

    print(f"evodiff {evodiff.__version__}; peers: "
          + (", ".join(peers.values()) if peers else "none installed"))
    print(f"{os.cpu_count()} CPUs; date {time.strftime('%Y-%m-%d %H:%M')}")
    if "speed" in args.parts:
        run_speed(peers, args.quick)
    if "cmaes" in args.parts:
        run_cmaes(peers, args.quick)
    if "quality" in args.parts:
        run_quality(peers, args.quick)


if __name__ == "__main__":
    main()
