"""Aggregates of benchmark rows: means, spreads, medians and Mann-Whitney tests."""

from __future__ import annotations

import math
import warnings

import numpy as np
from scipy.stats import mannwhitneyu

from .. import registry

__all__ = ["aggregate", "p_value"]

_STAT_KEYS = ("best", "entropy", "entropy_x0", "fitness", "evaluations")
_TESTED_KEYS = ("best", "entropy", "fitness")
#: The method every other is tested against.
REFERENCE_METHOD = registry.REFERENCE_METHOD


def p_value(sample, reference):
    """Two-sided Mann-Whitney U p-value, NaN when it is undefined."""
    a = np.asarray(sample, dtype=np.float64)
    b = np.asarray(reference, dtype=np.float64)
    a, b = a[~np.isnan(a)], b[~np.isnan(b)]
    if a.size < 2 or b.size < 2:
        return math.nan
    both = np.concatenate([a, b])
    if np.all(both == both[0]):
        return math.nan
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        p = float(mannwhitneyu(a, b, alternative="two-sided").pvalue)
    return min(1.0, max(0.0, p)) if math.isfinite(p) else math.nan


def _describe(values):
    x = np.asarray(values, dtype=np.float64)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mean = float(np.mean(x))
        std = float(np.std(x, ddof=1)) if x.size > 1 else math.nan
        median = float(np.median(x))
    return mean, std, median


def aggregate(rows):
    """Per (method, problem): run count, mean/std/median of the scores, p-values vs 'diffevo'.

    Parameters
    ----------
    rows : list of dict
        Rows of :func:`~evodiff.bench.run_one` (e.g. ``run_suite(...).rows``).

    Returns
    -------
    list of dict
        In the order the pairs first appear in ``rows``, each with ``method``,
        ``problem``, ``dim``, ``n``, ``<key>_mean``, ``<key>_std`` (sample
        standard deviation, NaN for one run) and ``<key>_median`` for ``best``,
        ``entropy``, ``entropy_x0``, ``fitness`` and ``evaluations``; ``reached``, the runs
        whose ``evaluations`` is finite (standard suites: runs that reached
        the target); and ``p_value_best``, ``p_value_entropy``,
        ``p_value_fitness``: the two-sided Mann-Whitney U test of the method
        against ``'diffevo'`` on the same problem (NaN for ``'diffevo'`` itself,
        without ``'diffevo'`` rows, with fewer than 2 runs on either side, or
        when all the values are equal).
    """
    groups = {}
    for row in rows:
        groups.setdefault((row["method"], row["problem"]), []).append(row)
    table = []
    for (method, problem), members in groups.items():
        entry = {"method": method, "problem": problem, "dim": members[0]["dim"],
                 "n": len(members)}
        for key in _STAT_KEYS:
            # rows written before the x0-estimate entropy existed lack it: NaN
            mean, std, median = _describe([r.get(key, math.nan) for r in members])
            entry.update({f"{key}_mean": mean, f"{key}_std": std, f"{key}_median": median})
        entry["reached"] = int(sum(math.isfinite(r["evaluations"]) for r in members))
        reference = groups.get((REFERENCE_METHOD, problem))
        for key in _TESTED_KEYS:
            if method == REFERENCE_METHOD or reference is None:
                entry[f"p_value_{key}"] = math.nan
            else:
                entry[f"p_value_{key}"] = p_value([r[key] for r in members],
                                                  [r[key] for r in reference])
        table.append(entry)
    return table
