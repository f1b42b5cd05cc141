"""MAP-Elites against pyribs at the paper's configuration: quality, diversity, time per evaluation.

Run from the repository root (needs the comparison-only ``[ribs]`` extra)::

    OPENBLAS_NUM_THREADS=1 python benchmarks/map_elites_vs_pyribs.py [--seeds 10] [--quick]

Both run the configuration of the paper's Table 1 (``evodiff.bench.paper``):
256 initial points from N(0, 4^2 I), Gaussian mutation with sigma 0.5 of a
uniformly chosen elite, batches of 256 for 6,400 evaluations, a grid of
80 x 80 cells over [-4, 4]^2 (the first two coordinates).  pyribs runs a
``GridArchive`` with a ``GaussianEmitter`` under its ``Scheduler``.  No
setting was tuned: both get the paper's.  Per run: elites, coverage, QD
score (the sum of the normalised fitness of the elites), top-64 entropy and
mean normalised fitness (as the paper suite scores a run), and the time per
evaluation, the objective included (the same for both), measured one after
the other in one process.

Writes ``docs/paper_tables/map_elites.md.inc``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from markdown_fragment import markdown_table, script_command, write_fragment  # noqa: E402

from evodiff.bench.paper import (  # noqa: E402
    PAPER_HALF_WIDTH,
    PAPER_MAP_ELITES_BATCH,
    PAPER_MAP_ELITES_CELL_WIDTH,
    PAPER_MAP_ELITES_EVALUATIONS,
    PAPER_MAP_ELITES_INITIAL_SIGMA,
    PAPER_MAP_ELITES_MUTATION_SIGMA,
    paper_optimizer,
)
from evodiff.bench.suites import problem_instance  # noqa: E402
from evodiff.metrics import normalized_fitness, top_k, top_k_entropy  # noqa: E402

TABLES = ROOT / "docs" / "paper_tables"
PROBLEMS = ("himmelblau-2", "ackley-2", "rastrigin-2")


def scores(points, values, problem, seconds):
    """The row of one run."""
    g = normalized_fitness(values, problem.target, problem.scale, problem.max_distance)
    best, best_g = top_k(points, g, 64, sense="max")
    cells = int(round(2 * PAPER_HALF_WIDTH / PAPER_MAP_ELITES_CELL_WIDTH)) ** 2
    return {"elites": len(values), "coverage": len(values) / cells, "qd": float(np.sum(g)),
            "entropy": top_k_entropy(best), "fitness": float(np.mean(best_g)),
            "us_per_eval": 1e6 * seconds / PAPER_MAP_ELITES_EVALUATIONS}


def evodiff_run(problem, seed):
    start = time.perf_counter()
    opt, _ = paper_optimizer("map-elites", problem, np.random.default_rng(seed))
    while not opt.done:
        X = opt.ask()
        opt.tell(problem(X))
    archive = opt.archive
    return scores(archive.points, archive.values, problem, time.perf_counter() - start)


def pyribs_run(problem, seed):
    from ribs.archives import GridArchive
    from ribs.emitters import GaussianEmitter
    from ribs.schedulers import Scheduler

    start = time.perf_counter()
    cells = int(round(2 * PAPER_HALF_WIDTH / PAPER_MAP_ELITES_CELL_WIDTH))
    dim = problem.dim
    archive = GridArchive(solution_dim=dim, dims=(cells, cells),
                          ranges=[(-PAPER_HALF_WIDTH, PAPER_HALF_WIDTH)] * 2, seed=seed)
    initial = np.random.default_rng(seed).normal(scale=PAPER_MAP_ELITES_INITIAL_SIGMA,
                                                 size=(PAPER_MAP_ELITES_BATCH, dim))
    emitter = GaussianEmitter(archive, sigma=PAPER_MAP_ELITES_MUTATION_SIGMA,
                              initial_solutions=initial, batch_size=PAPER_MAP_ELITES_BATCH,
                              seed=seed)
    scheduler = Scheduler(archive, [emitter])
    sign = 1.0 if problem.sense == "max" else -1.0  # pyribs maximises
    for _ in range(PAPER_MAP_ELITES_EVALUATIONS // PAPER_MAP_ELITES_BATCH):
        X = scheduler.ask()
        scheduler.tell(sign * problem(X), X[:, :2])
    data = archive.data()
    return scores(data["solution"], sign * data["objective"], problem,
                  time.perf_counter() - start)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--quick", action="store_true", help="two seeds, one problem")
    args = parser.parse_args(argv)
    import ribs

    seeds = range(2 if args.quick else args.seeds)
    rows = []
    for name in PROBLEMS[:1] if args.quick else PROBLEMS:
        problem = problem_instance("paper", name, 0)
        for label, runner in (("evodiff", evodiff_run), (f"pyribs {ribs.__version__}",
                                                          pyribs_run)):
            runner(problem, 10_000)  # warm-up: imports and first calls
            runs = [runner(problem, seed) for seed in seeds]
            mean = {key: np.mean([r[key] for r in runs]) for key in runs[0]}
            rows.append([name, label, f"{mean['elites']:.0f}", f"{mean['coverage']:.3f}",
                         f"{mean['qd']:.0f}", f"{mean['entropy']:.2f}", f"{mean['fitness']:.3f}",
                         f"{mean['us_per_eval']:.2f}"])
            print(rows[-1], flush=True)
    table = markdown_table(["problem", "library", "elites", "coverage", "QD score",
                            "top-64 entropy (bits)", "top-64 fitness", "us per evaluation"],
                           rows, "llrrrrrr")
    note = (f"Means over seeds {seeds.start}-{seeds.stop - 1}; 6,400 evaluations per run; "
            "QD score: sum of the normalised fitness of the elites; fitness: normalised, "
            "1 at the target.")
    command = script_command("benchmarks/map_elites_vs_pyribs.py", argv)
    write_fragment(TABLES, "map_elites", [table, note], command=command)


if __name__ == "__main__":
    main()
