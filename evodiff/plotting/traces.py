"""Reading the traces of runs and the point arrays they hold, with errors that name the argument.

A *trace* is a plain dict describing one run (see :mod:`evodiff.plotting`).
Wrong kinds (not a dict, not numeric) raise ``TypeError``; wrong shapes or
missing values raise ``ValueError``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ..backend import to_numpy

__all__ = ["float_array", "points_array", "positions_array", "first_trace", "seed_curves"]


def float_array(value, argname, shape_text, allow_none):
    """``value`` as a float64 host array; ``None`` passes (as ``None``) only when allowed.

    Parameters
    ----------
    value : array_like or None
        Any array (NumPy, CuPy, ...) or nested sequence of numbers.
    argname : str
        Name used in error messages.
    shape_text : str
        Expected shape, for error messages, e.g. ``"(M, 2)"``.
    allow_none : bool

    Returns
    -------
    numpy.ndarray or None

    Raises
    ------
    TypeError
        If ``value`` is ``None`` (not allowed) or not numeric.
    """
    if value is None:
        if allow_none:
            return None
        raise TypeError(f"{argname} must be an array of shape {shape_text}; got None")
    try:
        return np.asarray(to_numpy(value), dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{argname} must be a numeric array of shape {shape_text}") from None


def points_array(value, argname, allow_none=True):
    """``value`` as a float array of shape (M, 2); a single point (2,) becomes (1, 2).

    Raises
    ------
    TypeError
        See :func:`float_array`.
    ValueError
        If the shape is not (M, 2) with M >= 1 (or (2,)).
    """
    arr = float_array(value, argname, "(M, 2)", allow_none)
    if arr is None:
        return None
    if arr.shape == (2,):
        arr = arr[None, :]
    if arr.ndim != 2 or arr.shape[1] != 2 or arr.shape[0] == 0:
        raise ValueError(f"{argname} must have shape (M, 2) with M >= 1, got shape {arr.shape}")
    return arr


def positions_array(value, argname, allow_none=True):
    """``value`` as a float array of shape (G, N, 2): N individuals over G generations.

    Raises
    ------
    TypeError
        See :func:`float_array`.
    ValueError
        If the shape is not (G, N, 2) with G, N >= 1.
    """
    arr = float_array(value, argname, "(G, N, 2)", allow_none)
    if arr is None:
        return None
    if arr.ndim != 3 or arr.shape[2] != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(
            f"{argname} must have shape (G, N, 2) with G, N >= 1, got shape {arr.shape}"
        )
    return arr


def _is_list(value):
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes))


def first_trace(value, argname):
    """The trace to draw of one run, or of the first seed of a list of runs.

    Returns
    -------
    (dict, str) or None
        The trace and the name to use for it in messages; ``None`` for an
        empty list.

    Raises
    ------
    TypeError
        If ``value`` (or its first entry) is not a dict.
    """
    if _is_list(value):
        if len(value) == 0:
            return None
        value = value[0]
        argname = f"{argname}[0]"
    if not isinstance(value, Mapping):
        raise TypeError(f"{argname} must be a trace dict, got {type(value).__name__}")
    return value, argname


def _curve(trace, field, argname):
    """``trace[field]`` as a non-empty 1-D float array, or None if absent."""
    raw = trace.get(field)
    if raw is None:
        return None
    try:
        arr = np.asarray(to_numpy(raw), dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{argname}['{field}'] must be a numeric array of shape (G,)") from None
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{argname}['{field}'] must have shape (G,) with G >= 1, "
                         f"got shape {arr.shape}")
    return arr


def seed_curves(value, argname):
    """The ``(best, median)`` curves of every seed of a run; ``median`` may be None.

    Parameters
    ----------
    value : dict or sequence of dict
        One trace, or one per seed, each with a ``"best"`` array of shape
        (G,) and optionally a ``"median"`` one.
    argname : str
        Name used in error messages.

    Returns
    -------
    list of (numpy.ndarray, numpy.ndarray or None)

    Raises
    ------
    TypeError
        If ``value`` is not a dict or a list of dicts, or a curve is not numeric.
    ValueError
        If the list is empty, a trace has no ``"best"`` or a curve is not 1-D.
    """
    single = isinstance(value, Mapping)
    if single:
        value = [value]
    if not _is_list(value):
        raise TypeError(f"{argname} must be a trace dict or a list of them; "
                        f"got {type(value).__name__}")
    if len(value) == 0:
        raise ValueError(f"{argname} must be a non-empty list of trace dicts")
    runs = []
    for s, trace in enumerate(value):
        name = argname if single else f"{argname}[{s}]"
        if not isinstance(trace, Mapping):
            raise TypeError(f"{name} must be a trace dict, got {type(trace).__name__}")
        best = _curve(trace, "best", name)
        if best is None:
            raise ValueError(f"{name} has no 'best' array")
        runs.append((best, _curve(trace, "median", name)))
    return runs
