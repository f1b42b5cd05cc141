"""Does parallel tempering pay? Tempering against annealing at equal replica-sweeps.

Run from the repository root (G1 needs ``../shared/data``; skipped without it)::

    OPENBLAS_NUM_THREADS=1 python benchmarks/binary_tempering.py [--data ../shared/data] [--quick]

Both methods get the same number of spin updates (replicas x sweeps) and run
one after the other in one process.  Tempering runs its defaults (32
temperatures x 2 chains over annealing's automatic range), chosen on Wishart
seeds 100-102 and SK seed 100; the instances reported here are others:
Wishart planted N = 100, M/N = 0.25, seeds 200-202 (ground state known), SK
N = 1000 of seed 2026 and the G-set graph G1 (best known cut 11624).

Writes ``docs/binary_tables/tempering.md.inc``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from markdown_fragment import markdown_table, script_command, write_fragment  # noqa: E402

import evodiff  # noqa: E402
from evodiff.binary import read_gset, sherrington_kirkpatrick, wishart_planted  # noqa: E402

TABLES = ROOT / "docs" / "binary_tables"
#: Tempering's replicas (its default: 32 temperatures x 2 chains).
TEMPERING_REPLICAS = 64


def timed(problem, method, popsize, sweeps, seed, sense):
    """One run: (best value, seconds, the result)."""
    front = evodiff.maximize if sense == "max" else evodiff.minimize
    start = time.perf_counter()
    res = front(problem, method=method, popsize=popsize, maxiter=sweeps, rng=seed)
    return res.fun, time.perf_counter() - start, res


def cases(data, quick):
    """(label, problem, sense, annealing replicas, annealing sweeps, score)."""
    scale = 10 if quick else 1
    for seed in (200, 201, 202)[: 1 if quick else 3]:
        problem, _, ground = wishart_planted(100, 25, rng=seed)
        yield (f"Wishart N=100 M/N=0.25 seed {seed}", problem, "min", 50, 10_000 // scale,
               lambda e, g=ground: f"{100 * (e - g) / abs(g):.2f} % above ground")
    n = 300 if quick else 1000
    yield (f"SK N={n} seed 2026", sherrington_kirkpatrick(n, rng=2026), "min", 50,
           1000 // scale, lambda e, n=n: f"{e / n:.5f} per spin")
    g1 = Path(data) / "gset" / "G1"
    if g1.exists():
        yield ("G-set G1", read_gset(g1), "max", 100, 1000 // scale, lambda c: f"cut {c:.0f}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--quick", action="store_true", help="small runs, to check the script")
    args = parser.parse_args(argv)
    rows = []
    for label, problem, sense, reads, sweeps, score in cases(args.data, args.quick):
        tempering_sweeps = reads * sweeps // TEMPERING_REPLICAS
        sa, sa_time, _ = timed(problem, "anneal", reads, sweeps, 1, sense)
        pt, pt_time, res = timed(problem, "tempering", TEMPERING_REPLICAS, tempering_sweeps, 1,
                                 sense)
        rate = res.message.split("(")[-1].split(" of")[0]
        rows.append([label, f"{reads} x {sweeps}", score(sa), f"{sa_time:.1f}",
                     f"{TEMPERING_REPLICAS} x {tempering_sweeps}", score(pt), f"{pt_time:.1f}",
                     rate])
        print(rows[-1], flush=True)
    table = markdown_table(
        ["instance", "annealing: replicas x sweeps", "annealing: best", "s",
         "tempering: replicas x sweeps", "tempering: best", "s", "exchanges accepted"],
        rows, "llrrlrrr")
    command = script_command("benchmarks/binary_tempering.py", ["--quick"] if args.quick else [])
    write_fragment(TABLES, "tempering", [table], command=command)


if __name__ == "__main__":
    main()
