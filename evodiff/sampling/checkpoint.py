"""Checkpoints of :func:`evodiff.sample`: the finished runs and the state of the current one.

A sampling call is ``repeats`` independent runs, each from its own random
stream spawned from ``rng``.  Every ``checkpoint_every`` steps of a run
(temperatures or levels) and after every finished run, the file at
``checkpoint`` is replaced (atomically, as the optimisers' checkpoints are:
:func:`evodiff.atomic_files.write_atomically`) by a NumPy ``.npz`` archive
of the runs finished so far, the snapshot of the run in progress (its
particles, weights, temperatures and random stream's state) and a JSON
description of the call (method, particles, dimension, options, the
fingerprint of each run's stream).  ``resume=path`` loads them, checks
that the call matches (the same arguments and ``rng``), goes on with the
run in progress from its last step and computes the missing runs: on NumPy
the result equals that of an uninterrupted call, bit for bit.  Nothing is
unpickled.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np

from ..atomic_files import write_atomically
from ..jsonvalues import to_plain
from .smc import SMCRun

__all__ = ["stream_fingerprint", "save_runs", "load_runs"]

_PARTIAL = "partial."

_FORMAT = "evodiff-sample-runs"
_KEYS = ("x", "log_weights", "betas", "acceptance")


def stream_fingerprint(generator):
    """A short digest of a generator's state (which stream a run draws from).

    Parameters
    ----------
    generator : numpy.random.Generator

    Returns
    -------
    str
    """
    state = json.dumps(generator.bit_generator.state, sort_keys=True, default=int)
    return hashlib.sha256(state.encode()).hexdigest()[:16]


def save_runs(path, description, runs, partial=None):
    """Write the finished runs, the current run's snapshot and the call's description (atomically).

    Parameters
    ----------
    path : str or path
    description : dict
        What fixes the call (plain values; ``streams``: the runs' fingerprints).
    runs : list of SMCRun
    partial : dict, optional
        The snapshot of the run in progress (a sampler's ``on_step`` argument).
    """
    path = Path(path)
    arrays = {"__description__": np.frombuffer(
        json.dumps({"format": _FORMAT, **to_plain(description)}).encode(), dtype=np.uint8)}
    for k, run in enumerate(runs):
        for key in _KEYS:
            arrays[f"run{k}.{key}"] = np.asarray(getattr(run, key), dtype=np.float64)
        arrays[f"run{k}.scalars"] = np.array([run.log_z, run.nfev], dtype=np.float64)
    for key, value in (partial or {}).items():
        if key == "generator":
            value = np.frombuffer(json.dumps(to_plain(value)).encode(), dtype=np.uint8)
        arrays[_PARTIAL + key] = np.asarray(value)
    write_atomically(os.fspath(path), arrays)


def load_runs(path, description):
    """The runs and snapshot saved at ``path``, after checking that ``description`` matches.

    Returns
    -------
    runs : list of SMCRun
    partial : dict or None
        The snapshot of the run that was in progress, if any.

    Raises
    ------
    FileNotFoundError
        When there is no file.
    ValueError
        When the file is not a sampling checkpoint, or was written by a call
        with other arguments (the differing ones are named).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"resume: no checkpoint at {str(path)!r}")
    try:
        with np.load(path, allow_pickle=False) as data:
            saved = json.loads(bytes(data["__description__"]).decode())
            arrays = {name: data[name] for name in data.files}
    except (OSError, ValueError, KeyError, json.JSONDecodeError) as exc:
        raise ValueError(f"resume: {str(path)!r} is not a checkpoint of evodiff.sample") from exc
    if saved.pop("format", None) != _FORMAT:
        raise ValueError(f"resume: {str(path)!r} is not a checkpoint of evodiff.sample")
    current = to_plain(description)
    streams = saved.pop("streams", [])
    wanted = current.get("streams", [])
    differing = sorted(key for key in set(saved) | set(current) - {"streams"}
                       if key != "streams" and saved.get(key) != current.get(key))
    if differing:
        raise ValueError(f"resume: {str(path)!r} was written by a call with other arguments "
                         f"({', '.join(differing)})")
    if streams[:len(wanted)] != wanted[:len(streams)]:
        raise ValueError(f"resume: {str(path)!r} was written with another rng (its runs drew "
                         "from other random streams)")
    runs = []
    # the description names every run's stream; the finished ones have arrays
    finished = sum(1 for k in range(len(streams)) if f"run{k}.x" in arrays)
    for k in range(finished):
        try:
            values = {key: np.asarray(arrays[f"run{k}.{key}"]) for key in _KEYS}
            log_z, nfev = arrays[f"run{k}.scalars"]
        except KeyError as exc:
            raise ValueError(f"resume: {str(path)!r} misses the arrays of run {k}") from exc
        n, dim = current["n"], current["dim"]
        if (values["x"].shape != (n, dim) or values["log_weights"].shape != (n,)
                or not np.isfinite(log_z) or not np.all(np.isfinite(values["x"]))):
            raise ValueError(f"resume: {str(path)!r} holds a run {k} of the wrong shape or with "
                             "non-finite values")
        runs.append(SMCRun(values["x"], values["log_weights"], float(log_z), values["betas"],
                           values["acceptance"], int(nfev)))
    return runs, _partial(path, arrays, current["n"], current["dim"])


def _partial(path, arrays, n, dim):
    """The saved snapshot of the run in progress (None if none), checked."""
    names = [name for name in arrays if name.startswith(_PARTIAL)]
    if not names:
        return None
    partial = {}
    try:
        for name in names:
            key, value = name[len(_PARTIAL):], arrays[name]
            if key == "generator":
                partial[key] = json.loads(bytes(value).decode())
            elif value.ndim == 0:
                partial[key] = int(value) if key == "nfev" else float(value)
            else:
                partial[key] = np.array(value)
    except (ValueError, json.JSONDecodeError) as exc:
        raise ValueError(f"resume: {str(path)!r} holds a malformed run in progress") from exc
    x, log_w = partial.get("x"), partial.get("log_w")
    if (x is None or log_w is None or "generator" not in partial or x.shape != (n, dim)
            or log_w.shape != (n,) or not np.all(np.isfinite(x))):
        raise ValueError(f"resume: {str(path)!r} holds a run in progress of the wrong shape or "
                         "with non-finite values")
    return partial
