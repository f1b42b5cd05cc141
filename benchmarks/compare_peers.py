"""evodiff against the other implementations: time per generation and quality in 256-D.

Three parts; a peer that is not installed is named at the start and every
comparison with it is skipped.  The peers (PyTorch with ``diffevo``, JAX with
``evosax``, and ``cma``) form the optional extra ``compare``; none of them is
a dependency of evodiff.  Each implementation has its adapter in the package
``peers`` beside this script (``peers/evodiff_adapter.py``,
``diffevo_adapter.py``, ``evosax_adapter.py``, ``cma_adapter.py``), with
the shared timing loop in ``peers/timing.py``; this script runs the parts
and prints (and, with ``--markdown``, writes) their tables.

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
    python benchmarks/compare_peers.py --markdown docs/performance_tables
                                                       # also write the tables of the page

With ``--markdown DIR`` each part that runs writes its table as the MyST
fragment ``DIR/compare_peers_PART.md.inc`` that ``docs/performance.md``
includes.  The machine's load average is printed at the start of each part;
timings on a shared machine are only comparable within one run, so read the
ratios.
"""

from __future__ import annotations

import argparse
import functools
import math
import os
import time

import numpy as np
from markdown_fragment import (
    load_average,
    markdown_table,
    run_line,
    script_command,
    write_fragment,
)
from peers import diffevo_adapter, evodiff_adapter, evosax_adapter, load_peers
from peers import quality as q
from peers.timing import WARMUP, interleaved_medians

import evodiff
from evodiff import problems

SPEED_SIZES = [(512, 2), (512, 256), (4096, 32)]
# Timed generations per size (full run, quick run); diffevo takes seconds per generation at 4096.
SPEED_TIMED = {(512, 2): (30, 5), (512, 256): (30, 5), (4096, 32): (15, 3)}
TIMERS = {"evodiff": evodiff_adapter.EvodiffTimer, "diffevo": diffevo_adapter.DiffevoTimer,
          "evosax": evosax_adapter.EvosaxTimer}
SCRIPT = "benchmarks/compare_peers.py"


def figure(value):
    """A time or ratio with about three significant digits (``2.52``, ``17.0``, ``2961``).

    Parameters
    ----------
    value : float

    Returns
    -------
    str
    """
    if value >= 100:
        return f"{value:.0f}"
    return f"{value:.1f}" if value >= 10 else f"{value:.2f}"


class Part:
    """What one part reports: printed lines, and the Markdown blocks of its fragment."""

    def __init__(self, name):
        self.name = name
        self.started, self.start_load = time.localtime(), load_average()
        self.blocks = []

    def say(self, text, markdown=None):
        """Print ``text``; add ``markdown`` (if given) to the fragment."""
        print(text, flush=True)
        if markdown is not None:
            self.blocks.append(markdown)

    def write(self, directory, command, note):
        """Write the fragment ``compare_peers_NAME.md.inc`` into ``directory``."""
        blocks = [run_line(self.start_load, note, self.started), *self.blocks]
        write_fragment(directory, f"compare_peers_{self.name}", blocks, command=command)


# -- part 1: Diffusion Evolution, time per generation ---------------------------------------


def measure_diffusion(n, d, timed, names, seed=0):
    """Median seconds per generation of evodiff and the named peers, interleaved.

    Parameters
    ----------
    n, d : int
        Population size and dimension.
    timed : int
        Timed generations, after ``peers.timing.WARMUP`` untimed ones.
    names : list of str
        Implementations to time (``'evodiff'`` first).
    seed : int, default 0
        Seed of every implementation.

    Returns
    -------
    dict
        Implementation name to median seconds per generation.
    """
    steps = WARMUP + timed + 1  # every timed generation is a denoising step
    return interleaved_medians([TIMERS[name](n, d, steps, seed) for name in names], timed)


def run_speed(peers, quick):
    """Part 1: the Diffusion Evolution times and ratios, and the targets.

    Parameters
    ----------
    peers : dict
        The installed peers.
    quick : bool
        Fewer timed generations.

    Returns
    -------
    Part
    """
    part = Part("speed")
    names = [name for name in ("diffevo", "evosax") if name in peers]
    part.say(f"\n== Diffusion Evolution: median ms per generation, float32, CPU "
             f"(load average {part.start_load:.2f}) ==")
    if not names:
        part.say("no Diffusion Evolution peer installed (diffevo, evosax): only evodiff is timed",
                 "No Diffusion Evolution peer (diffevo, evosax) was installed: only evodiff "
                 "was timed.")
    header = f"{'N':>5} {'D':>4} {'gens':>5} {'evodiff ms':>11}"
    columns = ["N", "D", "timed generations", "evodiff (ms)"]
    for name in names:
        header += f" {name + ' ms':>11} {'ratio':>7}"
        columns += [f"{name} (ms)", f"{name} / evodiff"]
    print(header)
    ratios = {name: {} for name in names}
    rows = []
    for n, d in SPEED_SIZES:
        timed = SPEED_TIMED[(n, d)][1 if quick else 0]
        medians = measure_diffusion(n, d, timed, ["evodiff", *names])
        line = f"{n:>5} {d:>4} {timed:>5} {medians['evodiff'] * 1e3:>11.3f}"
        row = [n, d, timed, figure(medians["evodiff"] * 1e3)]
        for name in names:
            ratio = medians[name] / medians["evodiff"]
            ratios[name][(n, d)] = ratio
            line += f" {medians[name] * 1e3:>11.3f} {ratio:>7.2f}"
            row += [figure(medians[name] * 1e3), f"{ratio:.2f}"]
        rows.append(row)
        print(line, flush=True)
    part.blocks.append(markdown_table(columns, rows, "r" * len(columns)))
    if names:
        part.say("ratio = peer / evodiff (above 1: evodiff is faster)",
                 "Ratio = peer / evodiff: above 1, evodiff is faster.")
    targets = []
    if "diffevo" in ratios:
        ratio = ratios["diffevo"][(4096, 32)]
        verdict = "met" if ratio >= 20 else "NOT met"
        part.say(f"target: at least 20x faster than diffevo at (4096, 32): {ratio:.1f}x, "
                 f"{verdict}")
        targets.append(f"- At least 20x faster than diffevo at (4096, 32): {ratio:.2f}x, "
                       f"**{verdict.lower()}**.")
    if "evosax" in ratios:
        worst = min(ratios["evosax"].values())
        verdict = "met" if worst >= 1 else "NOT met"
        part.say(f"target: not slower than compiled evosax at any size: worst ratio {worst:.2f}, "
                 f"{verdict}")
        targets.append(f"- Not slower than compiled evosax at any size: worst ratio "
                       f"{worst:.2f}, **{verdict.lower()}**.")
    if targets:
        part.blocks.append("\n".join(targets))
    return part


# -- part 2: CMA-ES, time per generation ----------------------------------------------------


def run_cmaes(peers, quick):
    """Part 2: evodiff's CMAES against pycma at n = 100 and 500, default popsize.

    Parameters
    ----------
    peers : dict
        The installed peers.
    quick : bool
        A tenth of the generations (at least three eigendecomposition periods).

    Returns
    -------
    Part
    """
    part = Part("cmaes")
    part.say(f"\n== CMA-ES: mean ms per generation, float64, default popsize "
             f"(load average {part.start_load:.2f}) ==")
    if "cma" not in peers:
        part.say("pycma is missing: part skipped", "pycma was not installed: part skipped.")
        return part
    from peers import cma_adapter  # imports baselines_speed, which needs nothing but evodiff

    print(f"{'n':>5} {'popsize':>8} {'gens':>5} {'eig every':>10} {'evodiff ms':>11} "
          f"{'pycma ms':>9} {'ratio':>7}")
    worst = math.inf
    rows = []
    for n in cma_adapter.DIMENSIONS:
        row = cma_adapter.measure(n, quick)
        ratio = row["cma"] / row["evodiff"]
        worst = min(worst, ratio)
        cadence = f"{row['eig_evodiff']} / {row['eig_cma']}"
        print(f"{n:>5} {row['popsize']:>8} {row['generations']:>5} {cadence:>10} "
              f"{row['evodiff'] * 1e3:>11.3f} {row['cma'] * 1e3:>9.3f} {ratio:>7.2f}", flush=True)
        rows.append((n, row["popsize"], row["generations"], cadence, f"{row['evodiff'] * 1e3:.3f}",
                     f"{row['cma'] * 1e3:.3f}", f"{ratio:.2f}"))
    part.blocks.append(markdown_table(
        ("n", "popsize", "generations", "eig every", "evodiff (ms)", "pycma (ms)",
         "pycma / evodiff"), rows, "rrrrrrr"))
    verdict = "met" if worst > 1 else "NOT met"
    part.say(f"ratio = pycma / evodiff; target: lower overhead than pycma at n = 100 and 500: "
             f"worst ratio {worst:.2f}, {verdict}",
             f"Ratio = pycma / evodiff.  Lower overhead than pycma at n = 100 and 500: worst "
             f"ratio {worst:.2f}, **{verdict.lower()}**.")
    return part


# -- part 3: quality on shifted Rastrigin in 256 dimensions ---------------------------------


def quality_runs(peers, problem, steps, seed):
    """The quality runs to make: one callable per row of the table.

    Parameters
    ----------
    peers : dict
    problem : evodiff.problems.Problem
    steps : int
    seed : int

    Returns
    -------
    list of callable
        Each returns a :class:`peers.quality.QualityRecord`.
    """
    runs = [functools.partial(evodiff_adapter.quality, problem, latent, steps, seed)
            for latent in (False, True)]
    if "diffevo" in peers:
        runs += [functools.partial(diffevo_adapter.quality, problem, latent, steps, seed)
                 for latent in (False, True)]
    if "evosax" in peers:
        runs += [functools.partial(evosax_adapter.quality, problem, latent, temperature, steps,
                                   seed)
                 for latent in (False, True)
                 for temperature in (None, diffevo_adapter.TEMPERATURE)]
    return runs


def run_quality(peers, quick, seed=0):
    """Part 3: best values and x0 diagnostics on shifted 256-D Rastrigin.

    Parameters
    ----------
    peers : dict
        The installed peers.
    quick : bool
        25 schedule points instead of 50.
    seed : int, default 0
        Seed of every run.

    Returns
    -------
    Part
    """
    part = Part("quality")
    steps = 25 if quick else q.STEPS
    problem = problems.random_shift(problems.rastrigin(q.DIM), rng=0)
    part.say(f"\n== shifted Rastrigin, D = {q.DIM}, population {q.POPSIZE}, {steps} points, "
             f"float32, objective at {q.SCALING:g} x (load average {part.start_load:.2f}) ==")
    start = np.random.default_rng(seed).standard_normal((q.POPSIZE, q.DIM))
    random_best = problem(q.SCALING * start).min()
    centre = problem(np.zeros((1, q.DIM)))[0]
    part.say(f"reference: best of one random N(0, I) population {random_best:.1f}; value at the "
             f"centre x = 0: {centre:.1f}; global minimum {problem.optimum_value:g}",
             f"Population {q.POPSIZE}, {steps} schedule points, float32.  For reference: the "
             f"best of one random N(0, I) population is {random_best:.0f}, the value at the "
             f"centre x = 0 is {centre:.0f}, the global minimum {problem.optimum_value:g}.")
    for name in ("diffevo", "evosax"):
        if name not in peers:
            part.say(f"{name} is missing: its runs are skipped",
                     f"{name} was not installed: its runs are skipped.")
    widths = (42, 10, 29, 20, 23, 17, 0)
    print(" | ".join(f"{h:<{w}}" for h, w in zip(q.QualityRecord.HEADER, widths)))
    rows = []
    for make_run in quality_runs(peers, problem, steps, seed):
        record = make_run()
        print(" | ".join(f"{c:<{w}}" for c, w in zip(record.row(), widths)), flush=True)
        rows.append(record.row(best_format=".0f"))
    part.blocks.append(markdown_table(q.QualityRecord.HEADER, rows, "lrrrrrl"))
    print("largest kernel weight: median over the individuals of their largest raw-exp weight "
          "exp(-|z_i - sqrt(a) z_j|^2 / (2 (1 - a))) (computed in log10); steps < 1e-8, "
          "< 1.2e-38: denoising steps in which that median is below 1e-8 (where diffevo's added "
          "1e-9 and evosax's floor of 1e-8 on the weight sum take over) or below float32's "
          "smallest normal number; "
          "x0 spread: median over coordinates of the std of the x0 estimates across the "
          "population, divided by the population's (0: every individual got the same estimate; "
          f"counted as the same point below {q.SPREAD_COLLAPSED:g})")
    return part


PARTS = {"speed": run_speed, "cmaes": run_cmaes, "quality": run_quality}


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
    parser.add_argument("--parts", nargs="+", default=list(PARTS), choices=list(PARTS),
                        help="which parts to run")
    parser.add_argument("--markdown", metavar="DIR",
                        help="also write each part's table as DIR/compare_peers_PART.md.inc "
                             "(e.g. docs/performance_tables)")
    args = parser.parse_args(argv)
    peers = load_peers()
    versions = ", ".join(peers.values()) if peers else "none installed"
    print(f"evodiff {evodiff.__version__}; peers: {versions}")
    print(f"{os.cpu_count()} CPUs; date {time.strftime('%Y-%m-%d %H:%M')}")
    note = f"evodiff {evodiff.__version__}, peers: {versions}"
    if args.quick:
        note += "; quick mode (--quick: fewer generations)"
    for name in args.parts:
        part = PARTS[name](peers, args.quick)
        if args.markdown:
            part.write(args.markdown, script_command(SCRIPT, argv), note)


if __name__ == "__main__":
    main()
