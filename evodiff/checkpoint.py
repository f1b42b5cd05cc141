"""Checkpoints: save the full state of an optimiser to one file and resume from it.

A checkpoint is a NumPy ``.npz`` archive (a zip of ``.npy`` arrays) that can
be read without unpickling anything:

- one member, ``__evodiff__``, holds UTF-8 JSON metadata as a ``uint8``
  array: the format name and version, the algorithm, the evodiff version,
  and the scalar parts of three sections, ``settings`` (what a resumed run
  must share with the saved one), ``state`` (everything the optimiser needs
  to continue, the random generator's ``bit_generator.state`` included) and
  ``extra`` (whatever the caller adds, e.g. the history of a run);
- every array of a section is a member of its own, named ``<section>.<key>``.

Three functions do the work:

- :func:`save` writes a checkpoint atomically (a temporary file in the same
  directory, then :func:`os.replace`), so the file at ``path`` is always a
  whole checkpoint, the old one or the new one;
- :func:`restore` checks a file against an optimiser built with the same
  arguments as the saved run and overwrites its state, after which the run
  continues exactly as if it had never stopped (bit for bit on NumPy);
- :func:`load` reads a file without an optimiser.

Examples
--------
>>> import os, tempfile
>>> import numpy as np
>>> from evodiff import CMAES, checkpoint
>>> def run(opt, generations):
...     for _ in range(generations):
...         X = opt.ask()
...         opt.tell(np.sum(X**2, axis=1))
>>> path = os.path.join(tempfile.mkdtemp(), "run.npz")
>>> opt = CMAES(dim=3, rng=0)
>>> run(opt, 5)
>>> checkpoint.save(opt, path, extra={"note": "five generations"})
>>> resumed = CMAES(dim=3, rng=0)          # the same arguments as the saved run
>>> checkpoint.restore(resumed, path)
{'note': 'five generations'}
>>> run(opt, 5); run(resumed, 5)
>>> bool(np.array_equal(opt.best_x, resumed.best_x)) and opt.nfev == resumed.nfev
True
"""

from __future__ import annotations

import json
import math
import os

import array_api_compat
import numpy as np

from .algorithms.base import Optimizer
from .atomic_files import write_atomically
from .backend import to_numpy
from .jsonvalues import to_plain
from .state import setting_mismatch

__all__ = ["FORMAT_VERSION", "save", "load", "restore", "compare_settings"]

#: Version of the file layout written by :func:`save`; :func:`load` reads only this one.
#: Version 2: state declared per class (pending ask as three optional arrays, CMA-ES
#: ``popsize`` setting = the initial population).
FORMAT_VERSION = 2

_FORMAT = "evodiff-checkpoint"
_META = "__evodiff__"
_SECTIONS = ("settings", "state", "extra")
_MISSING = object()


class _Invalid(ValueError):
    """Raised inside the reader; turned into 'not a valid evodiff checkpoint'."""


# -- writing ---------------------------------------------------------------------------


def save(optimizer, path, extra=None):
    """Write the full state of ``optimizer`` to the checkpoint file ``path``, atomically.

    Parameters
    ----------
    optimizer : Optimizer
        Any evodiff ask/tell optimiser, between two generations or with an
        ``ask`` pending (the pending points are saved and returned again by
        the first ``ask`` after :func:`restore`).
    path : str or os.PathLike
        Target file, written as it is named (no ``.npz`` is appended).  The
        data go to a temporary file in the same directory, which then
        replaces ``path`` in one step: a reader never sees half a file, and
        an interrupted save leaves the previous checkpoint intact.
    extra : dict, optional
        Anything else to keep with the state, e.g. the history of the run and
        the settings of the run loop: ``str`` keys, values that are NumPy (or
        other array-API) arrays, stored as arrays, or JSON-compatible values
        (numbers, strings, booleans, ``None``, lists and dicts of them, NumPy
        scalars; NaN and infinities are kept).  :func:`restore` returns it
        with arrays as NumPy arrays, tuples as lists.

    Raises
    ------
    TypeError
        If ``optimizer`` is not an evodiff optimiser, or a value of ``extra``
        can be stored neither as an array nor as JSON.
    OSError
        If the directory of ``path`` does not exist or cannot be written.
    """
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be an evodiff Optimizer; got {type(optimizer).__name__}")
    if extra is None:
        extra = {}
    if not isinstance(extra, dict):
        raise TypeError(f"extra must be a dict or None; got {type(extra).__name__}")
    from ._version import __version__

    meta = {
        "format": _FORMAT,
        "format_version": FORMAT_VERSION,
        "evodiff_version": __version__,
        "algorithm": optimizer.name,
        "class": type(optimizer).__name__,
        "device_generator": ("reseeded on restore" if optimizer.backend.name == "cupy"
                             else "none"),
        "arrays": {},
    }
    arrays = {}
    sections = {"settings": optimizer.checkpoint_settings(), "state": optimizer.state_dict(),
                "extra": extra}
    for section in _SECTIONS:
        meta[section], meta["arrays"][section] = _split(section, sections[section], arrays)
    text = json.dumps(meta, allow_nan=True, sort_keys=True)
    arrays[_META] = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    write_atomically(os.fspath(path), arrays)


def _split(section, values, arrays):
    """Put the arrays of ``values`` into ``arrays``; return the JSON part and the array keys."""
    scalars, names = {}, []
    for key, value in values.items():
        if not isinstance(key, str) or not key:
            raise TypeError(f"{section} keys must be non-empty strings; got {key!r}")
        if not isinstance(value, np.ndarray) and _is_array(value):
            value = to_numpy(value)
        if isinstance(value, np.ndarray):
            if value.dtype.hasobject:
                raise TypeError(
                    f"{section}[{key!r}] is an array of Python objects, which a checkpoint "
                    "cannot hold without pickling; use numbers or strings")
            arrays[f"{section}.{key}"] = value
            names.append(key)
        else:
            scalars[key] = to_plain(value, f"{section}[{key!r}]")
    return scalars, names


def _is_array(value):
    try:
        return array_api_compat.is_array_api_obj(value) and not isinstance(value, np.generic)
    except Exception:  # an unusual object that the check cannot inspect
        return False


# -- reading ---------------------------------------------------------------------------


def load(path, optimizer=None):
    """Read a checkpoint file, and restore it into ``optimizer`` if one is given.

    Parameters
    ----------
    path : str or os.PathLike
    optimizer : Optimizer, optional
        If given, the state is restored into it, as by :func:`restore`.

    Returns
    -------
    state : dict
        ``algorithm`` (the optimiser's ``name``), ``class``,
        ``format_version``, ``evodiff_version``, ``settings`` and ``state``
        (dicts of NumPy arrays and JSON values, as given by the optimiser's
        ``checkpoint_settings()`` and ``state_dict()``).
    extra : dict
        The ``extra`` given to :func:`save`.

    Raises
    ------
    ValueError
        ``"not a valid evodiff checkpoint: ..."`` when ``path`` is not a
        file, is truncated or corrupt, or is not a checkpoint; a message
        naming both versions when the file has another format version; and,
        with ``optimizer``, the errors of :func:`restore`.
    """
    path = os.fspath(path)
    meta, sections = _read(path)
    if optimizer is not None:
        _restore_into(optimizer, path, meta, sections)
    state = {
        "algorithm": meta["algorithm"],
        "class": meta.get("class"),
        "format_version": meta["format_version"],
        "evodiff_version": meta.get("evodiff_version"),
        "settings": sections["settings"],
        "state": sections["state"],
    }
    return state, sections["extra"]


def restore(optimizer, path):
    """Overwrite the state of ``optimizer`` with the checkpoint at ``path``.

    Build the optimiser exactly as for a fresh run (the same class and
    constructor arguments; the seed does not matter, the generator's state is
    restored), then restore: the run continues as the saved one would have,
    bit for bit on NumPy.

    Parameters
    ----------
    optimizer : Optimizer
        A freshly constructed optimiser.  A callable latent encoder is not
        saved in a checkpoint: pass the same function again.
    path : str or os.PathLike

    Returns
    -------
    dict
        The ``extra`` given to :func:`save`.

    Raises
    ------
    ValueError
        If the file is not a valid checkpoint, has another format version,
        was saved by another algorithm (both are named), or by an optimiser
        with other settings (the first differing setting is named: ``dim``,
        ``popsize``, ``dtype``, ``backend``, ``bounds``, ...).
    TypeError
        If ``optimizer`` is not an evodiff optimiser.
    """
    return load(path, optimizer)[1]


def compare_settings(saved, current):
    """Check that two settings dicts agree; raise a ``ValueError`` naming the first difference.

    Parameters
    ----------
    saved : dict
        Settings read from a checkpoint (arrays and JSON values).
    current : dict
        Settings of the run about to resume (arrays, JSON-compatible values).

    Raises
    ------
    ValueError
        ``"checkpoint setting 'name' differs: the file has ..., the optimizer has ..."``.
    """
    keys = list(current) + sorted(key for key in saved if key not in current)
    for key in keys:  # in the optimiser's order: dim, popsize, dtype, backend, ... first
        old, new = saved.get(key, _MISSING), current.get(key, _MISSING)
        if not _same(old, new):
            raise setting_mismatch(key, None if old is _MISSING else old,
                                   None if new is _MISSING else new)


def _same(old, new):
    if old is _MISSING or new is _MISSING:
        return old is new
    if isinstance(old, np.ndarray) or isinstance(new, np.ndarray):
        if old is None or new is None:
            return False
        try:
            first, second = np.asarray(old), np.asarray(new)
        except (TypeError, ValueError):
            return False
        return first.shape == second.shape and bool(np.array_equal(first, second))
    return _equal_plain(old, to_plain(new, "setting"))


def _equal_plain(old, new):
    """Equality of JSON data in which NaN equals NaN."""
    if isinstance(old, float) and isinstance(new, float) and math.isnan(old) and math.isnan(new):
        return True
    if isinstance(old, list) and isinstance(new, list):
        return len(old) == len(new) and all(_equal_plain(a, b) for a, b in zip(old, new))
    if isinstance(old, dict) and isinstance(new, dict):
        return old.keys() == new.keys() and all(_equal_plain(old[k], new[k]) for k in old)
    if isinstance(old, bool) or isinstance(new, bool):
        return type(old) is type(new) and old == new
    if isinstance(old, (int, float)) and isinstance(new, (int, float)):
        return old == new
    return type(old) is type(new) and old == new


def _read(path):
    """Return ``(meta, sections)`` of the checkpoint at ``path``, or raise ``ValueError``."""
    if not os.path.exists(path):
        raise ValueError(f"not a valid evodiff checkpoint: there is no file {path!r}")
    if not os.path.isfile(path):
        raise ValueError(f"not a valid evodiff checkpoint: {path!r} is not a file")
    with open(path, "rb") as handle:  # errors such as permissions are OSErrors, as usual
        try:
            members = _members(handle)
            meta = _metadata(members)
        except _Invalid as exc:
            raise ValueError(f"not a valid evodiff checkpoint: {path!r} {exc}") from None
        except Exception as exc:  # zip, npy and JSON errors of a damaged file
            raise ValueError(
                f"not a valid evodiff checkpoint: {path!r} cannot be read "
                f"({type(exc).__name__}: {exc})") from exc
        version = meta.get("format_version")
        if type(version) is not int or version != FORMAT_VERSION:  # not True, not 2.0
            raise ValueError(
                f"checkpoint {path!r} has format version {version!r}; this version of evodiff "
                f"reads format version {FORMAT_VERSION} only (files written by evodiff 0.1 have "
                "version 1: rerun, or resume with the evodiff that wrote them)")
        try:  # only the members the metadata names are read, each within its limits
            sections = _sections(meta, members)
        except _Invalid as exc:
            raise ValueError(f"not a valid evodiff checkpoint: {path!r} {exc}") from None
        except Exception as exc:
            raise ValueError(
                f"not a valid evodiff checkpoint: {path!r} cannot be read "
                f"({type(exc).__name__}: {exc})") from exc
        finally:
            members.data.close()
    return meta, sections


#: Largest metadata member, and largest array member, read from a checkpoint (uncompressed).
MAX_METADATA_BYTES = 16 * 2**20
MAX_MEMBER_BYTES = 8 * 2**30
#: Largest ratio of uncompressed to compressed size (evodiff writes uncompressed archives).
MAX_COMPRESSION_RATIO = 100


class _Members:
    """The arrays of an ``.npz`` archive, read one by one when asked, within size limits.

    Only the members the metadata names are ever decompressed; each is
    checked against :data:`MAX_MEMBER_BYTES` and :data:`MAX_COMPRESSION_RATIO`
    from the zip directory before it is read.
    """

    def __init__(self, data):
        self.data = data
        self.infos = {info.filename[:-4] if info.filename.endswith(".npy") else info.filename:
                      info for info in data.zip.infolist()}

    def __contains__(self, name):
        return name in self.infos

    def get(self, name, limit=MAX_MEMBER_BYTES):
        info = self.infos.get(name)
        if info is None:
            return None
        if info.file_size > limit:
            raise _Invalid(f"has a member {name!r} of {info.file_size} bytes (limit {limit})")
        if info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
            raise _Invalid(f"has a member {name!r} compressed more than "
                           f"{MAX_COMPRESSION_RATIO} times (a zip bomb?)")
        self._check_declared_size(name, info)
        return self.data[name]

    def _check_declared_size(self, name, info):
        """Refuse a member whose ``.npy`` header declares more data than the member holds,
        before NumPy reserves memory for the declared shape."""
        with self.data.zip.open(info) as member:
            version = np.lib.format.read_magic(member)
            if version == (1, 0):
                shape, _, dtype = np.lib.format.read_array_header_1_0(member)
            else:
                shape, _, dtype = np.lib.format.read_array_header_2_0(member)
            header = member.tell()
        declared = math.prod(shape) * dtype.itemsize
        if declared > info.file_size - header:
            raise _Invalid(f"has a member {name!r} whose header declares shape {shape} "
                           f"({declared} bytes) but holds {info.file_size - header} bytes")

    __getitem__ = get


def _members(handle):
    """The archive, opened; its members are read when named (see :class:`_Members`)."""
    data = np.load(handle, allow_pickle=False)
    if not isinstance(data, np.lib.npyio.NpzFile):
        raise _Invalid("is a single array, not an .npz archive")
    return _Members(data)


def _metadata(members):
    raw = members.get(_META, limit=MAX_METADATA_BYTES)
    if raw is None:
        raise _Invalid("has no evodiff metadata (it is an .npz file of something else)")
    if raw.dtype != np.uint8 or raw.ndim != 1:
        raise _Invalid("has malformed metadata")
    meta = json.loads(raw.tobytes().decode("utf-8"))
    if not isinstance(meta, dict) or meta.get("format") != _FORMAT:
        raise _Invalid("has no evodiff metadata (it is an .npz file of something else)")
    return meta


def _sections(meta, members):
    if not isinstance(meta.get("algorithm"), str) or not isinstance(meta.get("arrays"), dict):
        raise _Invalid("has malformed metadata")
    sections = {}
    for section in _SECTIONS:
        values = meta.get(section)
        names = meta["arrays"].get(section)
        if not isinstance(values, dict) or not isinstance(names, list):
            raise _Invalid(f"has malformed metadata (section {section!r})")
        values = dict(values)
        for name in names:
            member = f"{section}.{name}"
            if member not in members:
                raise _Invalid(f"lacks the array {member!r}")
            values[name] = members[member]
        sections[section] = values
    return sections


def _restore_into(optimizer, path, meta, sections):
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be an evodiff Optimizer; got {type(optimizer).__name__}")
    algorithm = meta["algorithm"]
    if algorithm != optimizer.name:
        raise ValueError(
            f"checkpoint {path!r} was saved by algorithm {algorithm!r} ({meta.get('class')}); "
            f"it cannot be restored into {optimizer.name!r} ({type(optimizer).__name__})")
    compare_settings(sections["settings"], optimizer.checkpoint_settings())
    try:
        optimizer.load_state_dict(sections["state"])
    except KeyError as exc:
        raise ValueError(
            f"not a valid evodiff checkpoint: {path!r} lacks the state entry {exc.args[0]!r}"
        ) from None
    except (TypeError, AttributeError, IndexError) as exc:  # a value of an unexpected kind
        raise ValueError(
            f"not a valid evodiff checkpoint: {path!r} holds a state the optimiser cannot take "
            f"({type(exc).__name__}: {exc})") from exc
