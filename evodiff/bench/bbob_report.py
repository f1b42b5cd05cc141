"""What a bbob experiment shows: cocopp's ECDF figures and the fraction of problems solved.

:func:`render` hands the exdata folders written by
:func:`evodiff.bench.bbob.run_bbob` to ``cocopp`` (offline; it bundles the
best-2009 reference data) and returns the ECDF figures of each function
group; :func:`solved_table` counts, from the run records, the (function,
instance) pairs whose final target ``f - f_opt <= 1e-8`` was hit.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from pathlib import Path

import numpy as np

from ..registry import method_label
from .bbob import REFERENCE_LABELS, SUITE_FUNCTIONS, SUITE_GROUPS, exdata_folder

__all__ = ["display_name", "render", "solved_fractions", "solved_table",
           "evaluations_to_target"]


def display_name(method, suite="bbob"):
    """The label of a method in tables: the suite's reference label, or the registry's."""
    return REFERENCE_LABELS[suite].get(method) or method_label(method)


def render(out, methods, *, figure_folder=None, log=None):
    """Post-process the exdata folders of ``methods`` under ``out`` with cocopp.

    Parameters
    ----------
    out : str or path
        The output folder of :func:`~evodiff.bench.bbob.run_bbob`.
    methods : sequence of str
        Methods whose ``out/exdata/<method>`` folders are compared.
    figure_folder : str or path, optional
        Where cocopp writes (default ``out/ppdata``).
    log : str or path, optional
        File for cocopp's console output (default ``figure_folder/cocopp.log``).

    Returns
    -------
    dict
        ``'folder'``: cocopp's output folder; ``'groups'``: a dict
        ``{(dimension, group): PNG path}`` of the ECDF figures per function
        group (group as in :data:`~evodiff.bench.bbob.FUNCTION_GROUPS`, plus
        ``'noiselessall'``).
    """
    try:
        with warnings.catch_warnings():  # offline, cocopp warns that its archive list is stale
            warnings.simplefilter("ignore")
            import cocopp
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("rendering needs cocopp: pip install 'evodiff-toolkit[bbob]'") from exc
    folders = [exdata_folder(out, method) for method in methods]
    for folder in folders:
        if not folder.is_dir():
            raise FileNotFoundError(f"no exdata folder {folder}; run the experiment first")
    figure_folder = Path(figure_folder) if figure_folder is not None else Path(out) / "ppdata"
    figure_folder.mkdir(parents=True, exist_ok=True)
    log = Path(log) if log is not None else figure_folder / "cocopp.log"
    cocopp.genericsettings.figure_file_formats = ["png"]
    arguments = ["-o", str(figure_folder), *map(str, folders)]
    with open(log, "w") as handle, contextlib.redirect_stdout(handle), \
            contextlib.redirect_stderr(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cocopp.main(" ".join(arguments) if len(arguments) > 1 else arguments)
    # cocopp names its folder after the methods and the time, or reuses one of that name
    result_folder = max((p for p in figure_folder.iterdir() if p.is_dir()),
                        key=lambda p: p.stat().st_mtime)
    groups = {}
    for png in sorted(result_folder.glob("pprldmany_*D_*.png")):
        _, dim, group = png.stem.split("_", 2)
        groups[(int(dim.rstrip("D")), group)] = png
    return {"folder": result_folder, "groups": groups}


def solved_fractions(records, *, suite="bbob"):
    """Fraction of (function, instance) pairs solved, per method and dimension.

    Parameters
    ----------
    records : list of dict
        Rows of :func:`~evodiff.bench.bbob.run_bbob` (or
        :func:`~evodiff.bench.bbob.read_records`).

    suite : {'bbob', 'bbob-constrained'}, default 'bbob'
        Whose function groups (:data:`~evodiff.bench.bbob.SUITE_GROUPS`).

    Returns
    -------
    dict
        ``{(method, dimension, group): (solved, total)}`` where ``group`` is
        a key of the suite's groups or ``'all'``.
    """
    counts = {}
    for record in records:
        groups = ["all"] + [name for name, (_, functions) in SUITE_GROUPS[suite].items()
                            if record["function"] in functions]
        for group in groups:
            key = (record["method"], record["dimension"], group)
            solved, total = counts.get(key, (0, 0))
            counts[key] = (solved + int(record["target_hit"]), total + 1)
    return counts


def solved_table(records, *, groups=None, suite="bbob"):
    """A Markdown table: one row per (dimension, method), the solved fraction per group.

    Parameters
    ----------
    records : list of dict
    groups : sequence of str, optional
        Columns: ``'all'`` and/or keys of the suite's groups
        (:data:`~evodiff.bench.bbob.SUITE_GROUPS`); default all of them.
    suite : {'bbob', 'bbob-constrained'}, default 'bbob'

    Returns
    -------
    str
    """
    suite_groups = SUITE_GROUPS[suite]
    groups = ("all", *suite_groups) if groups is None else tuple(groups)
    counts = solved_fractions(records, suite=suite)
    methods = list(dict.fromkeys(r["method"] for r in records))
    dimensions = sorted({r["dimension"] for r in records})
    last = max(SUITE_FUNCTIONS[suite])
    names = {"all": f"all (f1-f{last})"} | {k: f"{k} (f{min(f)}-f{max(f)})"
                                            for k, (_, f) in suite_groups.items()}
    lines = ["| D | method | " + " | ".join(names[g] for g in groups) + " |",
             "|---:|---|" + "---:|" * len(groups)]
    for dim in dimensions:
        for method in methods:
            cells = []
            for group in groups:
                solved, total = counts.get((method, dim, group), (0, 0))
                cells.append(f"{solved / total:.2f} ({solved}/{total})" if total else "-")
            lines.append(f"| {dim} | {display_name(method, suite)} | " + " | ".join(cells)
                         + " |")
    return "\n".join(lines)


def evaluations_to_target(records, method, function, dimension):
    """Median evaluations to the final target over the runs that hit it, and how many did.

    Returns
    -------
    median : float
        NaN when no run hit the target.
    hits, runs : int
    """
    runs = [r for r in records if r["method"] == method and r["function"] == function
            and r["dimension"] == dimension]
    hit = [r["evaluations"] for r in runs if r["target_hit"]]
    return (float(np.median(hit)) if hit else float("nan")), len(hit), len(runs)
