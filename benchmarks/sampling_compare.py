"""evodiff.sample against blackjax's adaptive tempered SMC on targets with exact answers.

Three benchmarks (issue 30), every method at about equal numbers of
target evaluations (the table says how many each spent):

- the two-mode mixture (weights 2/3 and 1/3 at ``±1``, variance 0.05) in
  ``--dimensions``: the absolute error of the heavy mode's weight, median
  over the seeds, as a figure against D (where each method breaks);
- the 40-mode 2-D mixture: the error of ``log Z``, the modes covered (a
  mode holding at least a tenth of its share of the weight) and the MMD
  (Gaussian kernel, bandwidth 5) against exact samples;
- the 32-D many-well target: the error of ``log Z`` (exact by quadrature).

The diffusion sampler gets as many levels as the tempered SMC's
evaluations of the same problem and seed pay for (``smc`` runs first);
blackjax the same particles, target ESS and moves as evodiff's SMC (its
count differs by one evaluation per particle and temperature, for the
temperature search; its moves are random walks).

Methods: ``exact`` (as many exact samples as particles, equally weighted:
the error that sampling noise alone leaves; not for many-well), ``smc``
(evodiff's tempered SMC), ``diffusion-first``,
``diffusion-second``, ``diffusion-transport`` (evodiff's annealed SMC with
the Diffusion Evolution denoiser; only up to ``--diffusion-max-dim``: its
cost grows as N^2 D^2) and ``blackjax`` (adaptive tempered SMC with
covariance-tuned random-walk moves, ``benchmarks/blackjax_smc.py``; needs
``pip install blackjax``).

The tempered SMC's settings (``SMC_OPTIONS``) are chosen with
``--tuning``, which scores the candidate settings of ``TUNING`` on seeds
0-4 and writes the table ``sampling_tuning``; the comparison reports seeds
5-9.

Usage::

    python benchmarks/sampling_compare.py --tuning --markdown docs/sampling_tables
    python benchmarks/sampling_compare.py --seeds 5 6 7 8 9 \\
        --markdown docs/sampling_tables --figure docs/figures/sampling/two_mode.png
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from markdown_fragment import load_average, markdown_table, run_line, script_command, write_fragment  # noqa: E402

from evodiff.sampling import sample  # noqa: E402
from evodiff.sampling.targets import ManyWell, TwoModeMixture, forty_mode_mixture  # noqa: E402

METHODS = ("smc", "diffusion-first", "diffusion-second", "diffusion-transport", "blackjax",
           "exact")
#: The tempered SMC's candidate settings, scored by ``--tuning`` on seeds 0-4.
TUNING = {
    "random walk, ESS 0.9, 10 moves": {"proposal": "random-walk", "ess": 0.9, "moves": 10},
    "mixture, ESS 0.9, 10 moves": {"proposal": "mixture", "ess": 0.9, "moves": 10},
    "mixture, ESS 0.5, 10 moves": {"proposal": "mixture", "ess": 0.5, "moves": 10},
    "mixture, ESS 0.9, 4 moves": {"proposal": "mixture", "ess": 0.9, "moves": 4},
}
#: Chosen by ``--tuning`` (seeds 0-4; the report uses others).
SMC_OPTIONS = TUNING["mixture, ESS 0.9, 10 moves"]
PARTICLES = 1000


def _evodiff(method, log_density, mean, sigma, seed, budget, options=None):
    if method == "smc":
        return sample(log_density, x0=mean, sigma=sigma, vectorized=True, n=PARTICLES,
                      rng=seed, repeats=1, options=options or SMC_OPTIONS)
    kernel = method.split("-")[1]
    # the diffusion sampler evaluates every particle once per level: as many levels as the
    # tempered SMC's evaluations pay for
    steps = max(10, int(round(budget / PARTICLES)) - 1) if budget else 100
    return sample(log_density, x0=mean, sigma=sigma, vectorized=True, n=PARTICLES, rng=seed,
                  repeats=1, method="diffusion", options={"kernel": kernel, "steps": steps})


def _blackjax(log_density_jax, mean, sigma, seed):
    import blackjax_smc

    out = blackjax_smc.run(log_density_jax, mean, sigma, PARTICLES, seed,
                           target_ess=SMC_OPTIONS["ess"], moves=SMC_OPTIONS["moves"])
    return type("Result", (), out)


def _two_mode_jax(dim):
    import jax.numpy as jnp

    log_norm = -0.5 * dim * math.log(2 * math.pi * 0.05)

    def log_density(x):
        heavy = math.log(2 / 3) - 0.5 * jnp.sum((x - 1.0) ** 2) / 0.05
        light = math.log(1 / 3) - 0.5 * jnp.sum((x + 1.0) ** 2) / 0.05
        return jnp.logaddexp(heavy, light) + log_norm
    return log_density


def _many_well_jax(x):
    import jax.numpy as jnp

    first, second = x[0::2], x[1::2]
    return -jnp.sum(first**4 - 6 * first**2 - 0.5 * first) - 0.5 * jnp.sum(second**2)


def _forty_jax(mixture):
    import jax.numpy as jnp
    from jax.scipy.special import logsumexp

    means, scales = jnp.asarray(mixture.means), jnp.asarray(mixture.scales)
    log_norm = jnp.asarray(mixture._log_norm)

    def log_density(x):
        z = (x[None, :] - means) / scales
        return logsumexp(log_norm - 0.5 * jnp.sum(z * z, axis=1))
    return log_density


class _Exact:
    """``PARTICLES`` exact samples of a mixture, equally weighted (the noise floor)."""

    def __init__(self, mixture, seed):
        self.x = mixture.sample(PARTICLES, rng=[seed, 2026])
        self.weights = np.full(PARTICLES, 1.0 / PARTICLES)
        self.nfev, self.log_z = 0, mixture.log_z


def _run(method, target, log_density_jax, mean, sigma, seed, budget=None, options=None):
    start = time.perf_counter()
    if method == "exact":
        res = _Exact(target, seed)
    elif method == "blackjax":
        res = _blackjax(log_density_jax, mean, sigma, seed)
    else:
        res = _evodiff(method, target.log_density, mean, sigma, seed, budget, options)
    return res, time.perf_counter() - start


def _tuning(args):
    """Score every setting of ``TUNING`` on the three benchmarks; one table row per setting."""
    rows = []
    for label, options in TUNING.items():
        cells = [label]
        for dim in args.dimensions:
            target = TwoModeMixture(dim)
            errors = [abs(target.heavy_weight(res.x, res.weights) - 2 / 3)
                      for res in (_run("smc", target, None, np.zeros(dim),
                                       np.full(dim, 2.0), seed, options=options)[0]
                                  for seed in args.seeds)]
            cells.append(f"{np.median(errors):.3f}")
        well = ManyWell(32)
        errors = [abs(_run("smc", well, None, np.zeros(32), np.full(32, 2.0), seed,
                           options=options)[0].log_z - well.log_z) for seed in args.seeds]
        cells.append(f"{np.median(errors):.3f}")
        forty = forty_mode_mixture()
        errors, covered = [], []
        for seed in args.seeds:
            res, _ = _run("smc", forty, None, np.zeros(2), np.full(2, 25.0), seed,
                          options=options)
            errors.append(abs(res.log_z - forty.log_z))
            covered.append(int(np.sum(res.weights @ forty.responsibilities(res.x) >= 0.1 / 40)))
        cells.append(f"{np.median(errors):.3f}; {min(covered)}/40")
        rows.append(cells)
        print(*cells, flush=True)
    header = (["setting"] + [f"two modes, D = {d}" for d in args.dimensions]
              + ["many-well log Z", "40 modes log Z; fewest covered"])
    return markdown_table(header, rows, "l" + "r" * (len(header) - 1))


def _mmd(x, weights, exact, bandwidth=5.0):
    """Squared MMD (Gaussian kernel) between weighted samples and exact ones."""
    def kernel(a, b):
        d = np.sum(a * a, 1)[:, None] - 2 * a @ b.T + np.sum(b * b, 1)[None, :]
        return np.exp(-d / (2 * bandwidth**2))
    u = np.full(exact.shape[0], 1.0 / exact.shape[0])
    return float(weights @ kernel(x, x) @ weights + u @ kernel(exact, exact) @ u
                 - 2 * weights @ kernel(x, exact) @ u)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", nargs="+", type=int, default=[5, 6, 7, 8, 9])
    parser.add_argument("--dimensions", nargs="+", type=int, default=[2, 4, 8, 16, 32, 64])
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS)
    parser.add_argument("--diffusion-max-dim", type=int, default=16)
    parser.add_argument("--markdown", default=None)
    parser.add_argument("--figure", default=None)
    parser.add_argument("--tuning", action="store_true",
                        help="score the SMC settings of TUNING (seeds 0-4 unless --seeds)")
    args = parser.parse_args(argv)
    start_load, started = load_average(), time.localtime()
    command = script_command("benchmarks/sampling_compare.py",
                             argv if argv is not None else sys.argv[1:])
    if args.tuning:
        if args.seeds == parser.get_default("seeds"):
            args.seeds = [0, 1, 2, 3, 4]
        table = _tuning(args)
        if args.markdown:
            note = (f"tuning seeds {', '.join(map(str, args.seeds))}; {PARTICLES} particles; "
                    "median absolute errors over the seeds")
            write_fragment(args.markdown, "sampling_tuning",
                           [run_line(start_load, note, started), table], command=command)
        return 0
    rows, curves = [], {m: [] for m in args.methods}
    budgets = {}  # the tempered SMC's evaluations, given to the diffusion sampler
    for dim in args.dimensions:
        target = TwoModeMixture(dim)
        jax_density = _two_mode_jax(dim) if "blackjax" in args.methods else None
        for method in args.methods:
            if method.startswith("diffusion") and dim > args.diffusion_max_dim:
                continue
            errors, evaluations, seconds = [], [], []
            for seed in args.seeds:
                res, took = _run(method, target, jax_density, np.zeros(dim),
                                 np.full(dim, 2.0), seed, budgets.get(("two", dim, seed)))
                if method == "smc":
                    budgets[("two", dim, seed)] = res.nfev
                errors.append(abs(target.heavy_weight(res.x, res.weights) - 2 / 3))
                evaluations.append(res.nfev)
                seconds.append(took)
            curves[method].append((dim, float(np.median(errors))))
            rows.append([f"two-mode, D = {dim}", method, f"{np.median(errors):.3f}",
                         f"{np.median(evaluations):.0f}", f"{np.median(seconds):.1f}"])
            print(*rows[-1], flush=True)
    for name, target, jax_density, mean, sigma in (
            ("many-well, D = 32", ManyWell(32), _many_well_jax, np.zeros(32), np.full(32, 2.0)),
            ("40 modes, D = 2", forty_mode_mixture(), None, np.zeros(2), np.full(2, 25.0))):
        if jax_density is None and "blackjax" in args.methods:
            jax_density = _forty_jax(target)
        for method in args.methods:
            if method.startswith("diffusion") and target.dim > args.diffusion_max_dim:
                continue
            if method == "exact" and not hasattr(target, "sample"):
                continue
            errors, covered, mmd, evaluations = [], [], [], []
            for seed in args.seeds:
                res, _ = _run(method, target, jax_density, mean, sigma, seed,
                              budgets.get((name, seed)))
                if method == "smc":
                    budgets[(name, seed)] = res.nfev
                errors.append(abs(res.log_z - target.log_z))
                evaluations.append(res.nfev)
                if target.dim == 2:
                    share = res.weights @ target.responsibilities(res.x)
                    covered.append(int(np.sum(share >= 0.1 / 40)))
                    mmd.append(_mmd(res.x, res.weights, target.sample(1000, rng=seed)))
            extra = (f"; {np.median(covered):.0f}/40 modes, MMD^2 {np.median(mmd):.4f}"
                     if covered else "")
            rows.append([name, method, f"log Z error {np.median(errors):.3f}{extra}",
                         f"{np.median(evaluations):.0f}", ""])
            print(*rows[-1], flush=True)
    table = markdown_table(["benchmark", "method", "error (median over seeds)",
                            "evaluations", "seconds"], rows, "llrrr")
    if args.markdown:
        note = f"seeds {', '.join(map(str, args.seeds))}; {PARTICLES} particles per run"
        write_fragment(args.markdown, "sampling", [run_line(start_load, note, started), table],
                       command=command)
    if args.figure:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(8, 4))
        for method, points in curves.items():
            if points and method == "exact":
                ax.plot(*zip(*points), color="grey", linestyle="--",
                        label=f"{PARTICLES} exact samples (noise floor)")
            elif points:
                ax.plot(*zip(*points), marker="o", label=method)
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")  # the small errors (noise floor, target) next to the broken ones
        ax.set_xlabel("dimension D")
        ax.set_ylabel("|heavy-mode weight - 2/3| (median)")
        ax.axhline(0.02, color="grey", linestyle=":", label="target 0.02")
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0))  # beside the curves
        ax.set_title("Two-mode mixture: where each sampler breaks")
        Path(args.figure).parent.mkdir(parents=True, exist_ok=True)
        fig.tight_layout()
        fig.savefig(args.figure, dpi=120)
        print(f"wrote {args.figure}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
