"""evodiff's Optuna samplers against Optuna's own at equal numbers of trials.

Samplers: ``DiffusionEvolutionSampler()`` (the converging Diffusion
Evolution, evodiff's default method), ``DiffusionEvolutionSampler(
converging=False)`` (the paper's algorithm), Optuna's ``CmaEsSampler``,
``TPESampler`` and ``RandomSampler``, every one seeded, in real in-memory
studies of ``N_TRIALS`` trials:

- ``sphere-5``: a shifted sphere of five floats in [-5, 5];
- ``rastrigin-4``: Rastrigin in [-5.12, 5.12]^4 (many local minima);
- ``himmelblau``: Himmelblau's function in [-5, 5]^2, four global minima:
  besides the best value, the number of them that a trial of value below
  0.01 came within 0.1 of (distinct good configurations);
- ``mixed``: a float, a log-scaled float, an int and a stepped float (the
  kinds of a hyper-parameter search).

The table gives the median over the seeds of the best value (and, for
Himmelblau, of the minima found); the figure the median best value so far
against the trials.  The samplers' defaults (popsize 32, 5 schedule points)
were chosen on seeds 0-2; the table uses seeds 100-104.

Run (a few minutes; CmaEsSampler needs the ``cmaes`` package)::

    OPENBLAS_NUM_THREADS=1 python benchmarks/optuna_compare.py --markdown docs/integration_tables \\
        --figure docs/images/optuna_compare.png
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np
from markdown_fragment import load_average, markdown_table, run_line, script_command, write_fragment

SCRIPT = "benchmarks/optuna_compare.py"
N_TRIALS = 300
SEEDS = tuple(range(100, 105))
HIMMELBLAU_MINIMA = np.array([[3.0, 2.0], [-2.805118, 3.131312], [-3.779310, -3.283186],
                              [3.584428, -1.848126]])


def sphere5(trial):
    shift = np.array([1.0, -2.0, 0.5, 3.0, -1.5])
    x = np.array([trial.suggest_float(f"x{i}", -5.0, 5.0) for i in range(5)])
    return float(np.sum((x - shift) ** 2))


def rastrigin4(trial):
    x = np.array([trial.suggest_float(f"x{i}", -5.12, 5.12) for i in range(4)])
    return float(10.0 * x.size + np.sum(x * x - 10.0 * np.cos(2.0 * np.pi * x)))


def himmelblau(trial):
    x, y = trial.suggest_float("x", -5.0, 5.0), trial.suggest_float("y", -5.0, 5.0)
    return (x * x + y - 11.0) ** 2 + (x + y * y - 7.0) ** 2


def mixed(trial):
    rate = trial.suggest_float("rate", 1e-5, 1e-1, log=True)
    layers = trial.suggest_int("layers", 1, 8)
    dropout = trial.suggest_float("dropout", 0.0, 0.5, step=0.05)
    momentum = trial.suggest_float("momentum", 0.0, 1.0)
    return ((math.log10(rate) + 3.2) ** 2 + 0.1 * (layers - 3) ** 2 + 4.0 * (dropout - 0.2) ** 2
            + (momentum - 0.9) ** 2)


FUNCTIONS = {"sphere-5": sphere5, "rastrigin-4": rastrigin4, "himmelblau": himmelblau,
             "mixed": mixed}


def samplers(optuna):
    from evodiff.integrations.optuna import DiffusionEvolutionSampler

    return {
        "DiffusionEvolutionSampler": lambda seed: DiffusionEvolutionSampler(seed=seed),
        "DiffusionEvolutionSampler(converging=False)":
            lambda seed: DiffusionEvolutionSampler(converging=False, popsize=16, steps=10,
                                                   seed=seed),
        "CmaEsSampler": lambda seed: optuna.samplers.CmaEsSampler(seed=seed),
        "TPESampler": lambda seed: optuna.samplers.TPESampler(seed=seed),
        "RandomSampler": lambda seed: optuna.samplers.RandomSampler(seed=seed),
    }


def minima_found(study):
    """Himmelblau minima with a trial of value < 0.01 within 0.1 of them."""
    good = np.array([[t.params["x"], t.params["y"]] for t in study.trials
                     if t.value is not None and t.value < 0.01])
    if good.size == 0:
        return 0
    distances = np.linalg.norm(good[:, None, :] - HIMMELBLAU_MINIMA[None, :, :], axis=2)
    return int(np.sum(distances.min(axis=0) < 0.1))


def one_run(optuna, make, function, seed, trials):
    study = optuna.create_study(sampler=make(seed))
    start = time.perf_counter()
    study.optimize(function, n_trials=trials)
    curve = np.minimum.accumulate([t.value for t in study.trials])
    return curve, minima_found(study) if function is himmelblau else None, \
        time.perf_counter() - start


def plot(curves, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(next(iter(curves.values())))
    figure, axes = plt.subplots(1, len(curves), figsize=(4 * len(curves), 3.4))
    for axis, (fname, by_sampler) in zip(np.atleast_1d(axes), curves.items()):
        for name in names:
            median = np.median(np.stack(by_sampler[name]), axis=0)
            axis.plot(np.arange(1, median.size + 1), np.maximum(median, 1e-12), label=name)
        axis.set_yscale("log")
        axis.set_title(fname)
        axis.set_xlabel("trials")
    np.atleast_1d(axes)[0].set_ylabel("median best value so far")
    np.atleast_1d(axes)[-1].legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=list(SEEDS))
    parser.add_argument("--trials", type=int, default=N_TRIALS)
    parser.add_argument("--markdown", metavar="DIR", help="write DIR/optuna.md.inc")
    parser.add_argument("--figure", metavar="PNG", help="write the curves to this file")
    args = parser.parse_args(argv)
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    start_load, started = load_average(), time.localtime()
    rows, curves = [], {}
    for fname, function in FUNCTIONS.items():
        curves[fname] = {}
        for name, make in samplers(optuna).items():
            runs = [one_run(optuna, make, function, seed, args.trials) for seed in args.seeds]
            curves[fname][name] = [curve for curve, _, _ in runs]
            best = float(np.median([curve[-1] for curve, _, _ in runs]))
            found = ("" if function is not himmelblau
                     else f"{np.median([m for _, m, _ in runs]):g} of 4")
            seconds = float(np.median([s for _, _, s in runs]))
            rows.append([fname, name, f"{best:.3g}", found, f"{seconds:.2f}"])
            print(" | ".join(rows[-1]), flush=True)
    table = markdown_table(["problem", "sampler", f"median best after {args.trials} trials",
                            "minima found", "median s/study"], rows, "llrrr")
    if args.figure:
        plot(curves, args.figure)
    if args.markdown:
        note = (f"optuna {optuna.__version__}, {args.trials} trials, seeds "
                f"{', '.join(map(str, args.seeds))}")
        write_fragment(args.markdown, "optuna", [run_line(start_load, note, started), table],
                       command=script_command(SCRIPT, argv))
    else:
        print(table)


if __name__ == "__main__":
    main()
