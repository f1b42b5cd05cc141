"""The binary parts of the ``evodiff`` command: ``evodiff run maxcut|qubo`` and ``evodiff demo maxcut``.

``evodiff run maxcut --graph PATH`` maximises the cut of a G-set graph file,
``evodiff run qubo --file PATH`` the objective of an OR-Library bqp file
(both formats: :mod:`evodiff.binary.readers`).  ``evodiff demo maxcut``
runs simulated annealing and discrete Diffusion Evolution on a random graph
(or ``--graph``), prints both cuts and saves a figure of the best cut per
generation.
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import numpy as np

from ..binary.generators import random_graph
from ..binary.readers import read_bqp, read_gset
from ..binary.solve import MAX_MODES
from ..optimize import maximize

__all__ = ["BINARY_PROBLEMS", "add_run_arguments", "run_binary", "demo_maxcut"]

#: Problems of ``evodiff run`` that are binary: name -> the option naming their file.
BINARY_PROBLEMS = {"maxcut": "--graph", "qubo": "--file"}

#: The random graph of ``evodiff demo maxcut``: G(n, p) like G-set's G1 (800 vertices, 6 %).
DEMO_VERTICES = 800
DEMO_DENSITY = 0.06


def add_run_arguments(run):
    """Declare the options of ``evodiff run maxcut|qubo`` on the ``run`` parser."""
    run.add_argument("--graph", default=None, metavar="PATH",
                     help="maxcut only: a graph in G-set format (first line 'n m', then 'i j w')")
    run.add_argument("--file", default=None, metavar="PATH",
                     help="qubo only: an OR-Library bqp instance ('p qubo ...'), maximised")
    run.add_argument("--best-known", type=_finite_float, default=None, metavar="VALUE",
                     help="maxcut/qubo: a best-known value to report the gap to")


def _finite_float(text):
    """argparse type: a finite real number (``nan`` and ``inf`` are refused)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a finite number; got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number; got {text!r}")
    return value


def _load(parser, args):
    """The problem of ``evodiff run maxcut|qubo``, read from the file its option names."""
    option = BINARY_PROBLEMS[args.problem]
    path, other = (args.graph, args.file) if args.problem == "maxcut" else (args.file, args.graph)
    if other is not None:
        wrong = "--file" if option == "--graph" else "--graph"
        parser.error(f"argument {wrong}: not with {args.problem!r} (use {option})")
    if path is None:
        parser.error(f"{args.problem} needs {option} PATH")
    try:
        return read_gset(path) if args.problem == "maxcut" else read_bqp(path)
    except OSError as exc:
        parser.error(f"argument {option}: cannot read {path!r}: {exc.strerror or exc}")
    except ValueError as exc:
        parser.error(f"argument {option}: {exc}")


def run_binary(args, parser):
    """Run ``evodiff run maxcut|qubo``: maximise the file's problem and print a summary."""
    for name in ("dim", "latent", "shift"):
        if getattr(args, name, None) not in (None, False):
            parser.error(f"argument --{name}: not with the binary problem {args.problem!r}")
    problem = _load(parser, args)
    method = args.method
    start = time.perf_counter()
    try:
        res = maximize(problem, method=method, popsize=args.popsize, maxiter=args.maxiter,
                       rng=args.seed, polish=args.polish, progress=not args.no_progress)
    except (TypeError, ValueError) as exc:
        parser.error(f"--method {method}: {exc}")
    elapsed = time.perf_counter() - start
    what = "cut" if args.problem == "maxcut" else "objective"
    lines = [
        f"{args.problem} ({problem.n} variables, maximise the {what}) with "
        f"{res.method + ' (auto)' if method == 'auto' else res.method}, seed {args.seed}",
        f"  message        {res.message}",
        f"  generations    {res.nit}",
        f"  evaluations    {res.nfev}",
        f"  best {what:<9} {res.fun:.10g}",
    ]
    if args.best_known is not None:
        gap = args.best_known - res.fun
        lines.append(f"  best known     {args.best_known:.10g} (gap {gap:.6g}, "
                     f"{100 * gap / abs(args.best_known) if args.best_known else 0:.3f} %)")
    lines += [f"  modes          {len(res.modes)} distinct states among the last generation "
              f"(at most {MAX_MODES} listed)",
              f"  time           {elapsed:.2f} s"]
    print("\n".join(lines))
    return 0


def demo_maxcut(args, parser):
    """Run ``evodiff demo maxcut``: annealing and discrete Diffusion Evolution on one graph."""
    if args.graph is not None:
        try:
            problem, source = read_gset(args.graph), args.graph
        except (OSError, ValueError) as exc:
            parser.error(f"argument --graph: {exc}")
    else:
        problem = random_graph(DEMO_VERTICES, DEMO_DENSITY, args.seed)
        source = f"random graph G({DEMO_VERTICES}, {DEMO_DENSITY}), seed {args.seed}"
    runs = {}
    settings = {
        "anneal": {"popsize": args.popsize or 100, "maxiter": args.steps or 1000},
        "binary-diffevo": {"popsize": args.popsize or 256, "maxiter": args.steps or 50,
                           "options": {"local_search": True}},
    }
    print(f"Max-Cut on {source}: {problem.n} vertices, {len(problem.edges)} edges")
    for method, kwargs in settings.items():
        start = time.perf_counter()
        stamps = []
        res = maximize(problem, method=method, rng=args.seed, progress=not args.no_progress,
                       callback=_stamper(stamps, start), **kwargs)
        runs[method] = (res, np.array(stamps))
        print(f"  {res.method:<15} best cut {res.fun:>9.0f}   evaluations {res.nfev:>7}   "
              f"{time.perf_counter() - start:6.2f} s")
    out = Path(args.out) / "demo"
    out.mkdir(parents=True, exist_ok=True)
    path = out / "maxcut.png"
    _plot(runs, path)
    print(f"  figure: {path}")
    return 0


def _stamper(stamps, start):
    """A callback that records the seconds since ``start`` after each generation."""
    def record(_):
        stamps.append(time.perf_counter() - start)
    return record


def _plot(runs, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..registry import method_label

    figure, axis = plt.subplots(figsize=(6, 4))
    for method, (res, seconds) in runs.items():
        axis.plot(seconds, np.maximum.accumulate(res.history["best"]), label=method_label(method))
    axis.set_xlabel("time (s)")
    axis.set_ylabel("best cut so far")
    axis.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
