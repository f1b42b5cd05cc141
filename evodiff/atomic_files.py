"""Files written whole or not at all: the ``.npz`` archives of checkpoints.

:func:`write_atomically` writes to a temporary file in the same folder and
moves it over the target with :func:`os.replace`, so a reader (or a run
killed mid-write) only ever sees the old file or the new one.  Used by the
optimisers' checkpoints (:mod:`evodiff.checkpoint`) and those of
:func:`evodiff.sample` (:mod:`evodiff.sampling.checkpoint`).
"""

from __future__ import annotations

import contextlib
import os
import secrets

import numpy as np

__all__ = ["write_atomically"]


def write_atomically(path, arrays):
    """Write ``arrays`` as an ``.npz`` archive to a temporary file, then move it to ``path``.

    The file at ``path`` is always whole: the old one or the new one
    (temporaries of killed writers are removed; the rename is synced where
    the platform allows).  Shared by the optimisers' checkpoints and those of
    :func:`evodiff.sample`.

    Parameters
    ----------
    path : str
    arrays : dict of str to numpy.ndarray
    """
    directory = os.path.dirname(os.path.abspath(path))
    _remove_stale_temporaries(directory, os.path.basename(path))
    temporary = os.path.join(
        directory, f".{os.path.basename(path)}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    descriptor = os.open(temporary, flags, 0o666)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            np.savez(handle, **arrays)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(temporary)
        raise
    _sync_directory(directory)


def _remove_stale_temporaries(directory, name):
    """Delete the temporary files of ``name`` left by writers that were killed.

    A temporary file is named ``.NAME.PID.HEX.tmp``; it is stale when no
    process ``PID`` runs any more (on POSIX; elsewhere nothing is removed).
    """
    if os.name != "posix":
        return
    prefix = f".{name}."
    with contextlib.suppress(OSError):
        for entry in os.listdir(directory):
            if not (entry.startswith(prefix) and entry.endswith(".tmp")):
                continue
            pid = entry[len(prefix):].split(".")[0]
            if not pid.isdigit() or int(pid) == os.getpid():
                continue
            try:
                os.kill(int(pid), 0)
            except ProcessLookupError:
                with contextlib.suppress(OSError):
                    os.remove(os.path.join(directory, entry))
            except OSError:
                continue  # the process exists (another user's): leave its file


def _sync_directory(directory):
    """Make the rename durable where the platform allows it (POSIX)."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        descriptor = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
