"""Result tables of the benchmark scripts as Markdown fragments for ``docs/performance.md``.

A fragment is a piece of MyST Markdown that a documentation page pulls in
with the ``{include}`` directive.  Its suffix, ``.md.inc``, is not one of
the documentation's source suffixes, so Sphinx does not build a fragment as
a page of its own.  Every fragment opens with a comment naming the command
that wrote it, followed by a line saying when and on what it ran.
"""

from __future__ import annotations

import os
import platform
import shlex
import sys
import time
from pathlib import Path

import numpy as np

SUFFIX = ".md.inc"


def escape(cell):
    """A table cell with its pipes escaped, so that it stays one cell.

    Parameters
    ----------
    cell : object

    Returns
    -------
    str
    """
    return str(cell).replace("|", "\\|")


def markdown_table(header, rows, align):
    """A Markdown pipe table.

    Parameters
    ----------
    header : sequence of str
        Column titles.
    rows : iterable of sequence
        The cells of each row (turned into strings).
    align : str
        One letter per column: ``'l'`` (left) or ``'r'`` (right).

    Returns
    -------
    str
    """
    if len(align) != len(header):
        raise ValueError(f"align has {len(align)} letters for {len(header)} columns")
    rule = {"l": "---", "r": "---:"}
    lines = ["| " + " | ".join(escape(h) for h in header) + " |",
             "|" + "|".join(rule[a] for a in align) + "|"]
    lines += ["| " + " | ".join(escape(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


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


def script_command(script, argv):
    """The command line that ran ``script`` with ``argv``, as a user would type it.

    Parameters
    ----------
    script : str
        Path of the script as given in the documentation (``benchmarks/x.py``).
    argv : list of str, optional
        Its arguments; ``sys.argv[1:]`` when ``None``.

    Returns
    -------
    str
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    return shlex.join(["python", script, *argv])


def run_line(start_load, note="", started=None):
    """One line saying when and on what a run took place.

    Parameters
    ----------
    start_load : float
        The 1-minute load average when the run started.
    note : str, optional
        Appended to the line (e.g. the peers' versions, or that it was a quick run).
    started : time.struct_time, optional
        When the run started (local time); now if omitted.

    Returns
    -------
    str
    """
    stamp = time.strftime("%Y-%m-%d %H:%M %Z", started or time.localtime())
    line = (f"Run of {stamp} on {os.cpu_count()} CPUs "
            f"({platform.machine()}, Python {platform.python_version()}, NumPy "
            f"{np.__version__}), 1-minute load average {start_load:.2f} at the start")
    return f"*{line}{'; ' + note if note else ''}.*"


def write_fragment(directory, name, blocks, *, command):
    """Write a fragment ``directory/name.md.inc`` and say so.

    Parameters
    ----------
    directory : str or pathlib.Path
        Folder of the fragments (created if needed), e.g. ``docs/performance_tables``.
    name : str
        File name without the suffix.
    blocks : sequence of str
        Markdown blocks (paragraphs, tables), separated by blank lines.
    command : str
        The command that regenerates the fragment (written into its opening comment).

    Returns
    -------
    pathlib.Path
    """
    path = Path(directory) / f"{name}{SUFFIX}"
    path.parent.mkdir(parents=True, exist_ok=True)
    head = f"% Written by `{command}`; regenerate it with that command, do not edit it by hand."
    path.write_text("\n\n".join([head, *blocks]) + "\n", encoding="utf-8")
    print(f"wrote {path}")
    return path
