"""The paper's other control tasks: latent Diffusion Evolution and the baselines, seeds 0-4.

Run from the repository root (needs the ``[rl]`` extra)::

    OPENBLAS_NUM_THREADS=1 python benchmarks/rl_tasks.py [--tasks ID ...] [--methods M ...]
        [--networks small large] [--seeds 5] [--jobs 2]

Every (task, network, method, seed) is one run of
:func:`evodiff.demos.control.run_method` with the task's preset
(:data:`evodiff.demos.control.PRESETS`, chosen on seeds 100-101): population
256, the preset's generations and training episodes, the final solutions
scored on 5 unseen episodes (seeds from 2^30 up, never used in training).
Per cell: the median over the seeds of that test score, and the seeds that
reached the task's goal.  Figures: the median return of the population per
generation, median over the seeds, one panel per network.

Writes ``docs/rl_tables/tasks.md.inc`` (merged with the cells already there,
so tasks and methods can be run in several sittings) and
``docs/figures/rl/<task>.png``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from markdown_fragment import markdown_table, script_command, write_fragment  # noqa: E402

TABLES = ROOT / "docs" / "rl_tables"
FIGURES = ROOT / "docs" / "figures" / "rl"
#: Every run's result, so that sittings add up (tasks x networks x methods x seeds).
RESULTS = TABLES / "tasks_runs.json"
#: The issue's goals: median over 5 seeds of the test return, at least this.
GOALS = {"Acrobot-v1": -100.0, "MountainCar-v0": -110.0, "MountainCarContinuous-v0": 90.0,
         "Pendulum-v1": -200.0}


def one_run(task, network, method, seed):
    """(key, result dict) of one run, in a worker process."""
    from evodiff.demos import control

    settings = control.settings_for(task, seed=seed)
    start = time.perf_counter()
    result = control.run_method(method, control.NETWORKS[network], settings, report=None)
    return (f"{task}|{network}|{method}|{seed}",
            {"test": result.test_median, "median": result.median_per_generation,
             "skipped": result.skipped, "seconds": time.perf_counter() - start,
             "evaluations": result.evaluations})


def table(runs, tasks, networks, methods):
    """The Markdown table of the runs recorded so far."""
    from evodiff.registry import method_label

    rows = []
    for task in tasks:
        for network in networks:
            for method in methods:
                cell = [v for k, v in runs.items() if k.startswith(f"{task}|{network}|{method}|")]
                if not cell:
                    continue
                if cell[0]["skipped"]:
                    rows.append([task, network, method_label(method), "not run", "", "", ""])
                    continue
                tests = [c["test"] for c in cell]
                goal = GOALS.get(task)
                reached = sum(t >= goal for t in tests) if goal is not None else ""
                rows.append([task, network, method_label(method), f"{np.median(tests):.1f}",
                             f"{reached}/{len(tests)}", f"{goal:g}" if goal is not None else "",
                             f"{np.mean([c['seconds'] for c in cell]):.0f}"])
    return markdown_table(["task", "network", "method", "median test return", "seeds at goal",
                           "goal", "s per run"], rows, "lllrrrr")


def figure(runs, task, networks, methods):
    """Median return per generation (median over seeds), one panel per network."""
    from evodiff.demos import control
    from evodiff.plotting import series_plot

    panels = {}
    for network in networks:
        curves = {}
        for method in methods:
            cell = [v["median"] for k, v in runs.items()
                    if k.startswith(f"{task}|{network}|{method}|") and v["median"]]
            if cell:
                length = min(len(c) for c in cell)
                curves[method] = list(np.median([c[:length] for c in cell], axis=0))
        if curves:
            panels[f"{task}, {network} network "
                   f"{control._network_text(network, task)}"] = curves
    FIGURES.mkdir(parents=True, exist_ok=True)
    return series_plot(panels, FIGURES / f"{task}.png",
                       ylabel="median return of the population (median over seeds)")


def main(argv=None):
    from evodiff.demos import control

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", nargs="+", default=[t for t in control.TASKS
                                                       if t != "CartPole-v1"])
    parser.add_argument("--networks", nargs="+", default=["small", "large"])
    parser.add_argument("--methods", nargs="+", default=list(control.METHODS))
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    runs = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    # runs already recorded are kept, not repeated (a sitting that stopped resumes)
    tasks = [(t, n, m, s) for t in args.tasks for n in args.networks for m in args.methods
             for s in range(args.seeds) if f"{t}|{n}|{m}|{s}" not in runs]
    with ProcessPoolExecutor(args.jobs) as pool:
        for key, result in pool.map(one_run, *zip(*tasks)) if tasks else ():
            runs[key] = result
            print(key, round(result["test"], 1) if not result["skipped"] else "skipped",
                  f"{result['seconds']:.0f}s", flush=True)
            TABLES.mkdir(parents=True, exist_ok=True)
            RESULTS.write_text(json.dumps(runs, indent=0))
    all_tasks = [t for t in control.TASKS if any(k.startswith(t + "|") for k in runs)]
    # the table merges every sitting recorded in RESULTS, so it names the full command
    command = script_command("benchmarks/rl_tasks.py", [])
    note = ("Median over the seeds of each run's test return (the median over its final "
            "solutions of their mean return on 5 unseen episodes); seeds 0-4 unless fewer "
            "are shown under 'seeds at goal'.")
    write_fragment(TABLES, "tasks", [table(runs, all_tasks, ["small", "large"],
                                           list(control.METHODS)), note], command=command)
    for task in all_tasks:
        print("wrote", figure(runs, task, ["small", "large"], list(control.METHODS)))


if __name__ == "__main__":
    main()
