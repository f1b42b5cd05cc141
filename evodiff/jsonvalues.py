"""The one conversion of Python and NumPy values to plain JSON data.

Used by checkpoints (which keep NaN and infinities, as Python's ``json``
writes them) and by benchmark result files (which must be standard JSON:
NaN becomes ``null`` and infinities the strings ``"inf"`` / ``"-inf"``).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["to_plain"]


def _plain_float(value, standard):
    value = float(value)
    if standard and math.isnan(value):
        return None
    if standard and math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return value


def to_plain(value, where="value", *, standard=False):
    """``value`` as plain JSON data: NumPy scalars and arrays become numbers and lists.

    Parameters
    ----------
    value : object
        ``None``, booleans, numbers, strings, NumPy scalars and arrays (not
        of Python objects), and lists, tuples and ``str``-keyed dicts of them.
    where : str, default 'value'
        Name of the value in an error message.
    standard : bool, default False
        Write strict JSON: NaN as ``None``, infinities as ``'inf'`` / ``'-inf'``.

    Returns
    -------
    object
        Lists for tuples and arrays, dicts with ``str`` keys.

    Raises
    ------
    TypeError
        For any other value, naming ``where``.
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return _plain_float(value, standard)
    if isinstance(value, np.generic) and not isinstance(value, (np.void, np.object_)):
        return to_plain(value.item(), where, standard=standard)
    if isinstance(value, np.ndarray):
        if value.dtype.hasobject:
            raise TypeError(f"{where} holds an array of Python objects; use numbers or strings")
        return to_plain(value.tolist(), where, standard=standard)
    if isinstance(value, (list, tuple)):
        return [to_plain(item, f"{where}[{i}]", standard=standard)
                for i, item in enumerate(value)]
    if isinstance(value, dict):
        plain = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{where} has a key {key!r}; dict keys must be strings")
            plain[key] = to_plain(item, f"{where}[{key!r}]", standard=standard)
        return plain
    raise TypeError(
        f"{where} is a {type(value).__name__}; JSON holds numbers, strings, booleans, None, "
        "lists and dicts of them")
