"""An optimiser's state as JSON text: what a study's storage can hold, without pickle.

:meth:`evodiff.algorithms.base.Optimizer.state_dict` gives host NumPy arrays,
numbers, strings, ``None`` and nested dicts (the random generator's state).
:func:`encode_state` turns it into a JSON string in which every array is its
dtype, shape and raw bytes in base64 (exact, bit for bit) and every
non-finite float is spelled out; :func:`decode_state` reads it back.  Only
plain data is read: nothing is executed or unpickled.
"""

from __future__ import annotations

import base64
import json
import math

import numpy as np

__all__ = ["encode_state", "decode_state"]

#: The dtypes an encoded array may have (those of evodiff's state fields).
_DTYPES = ("float64", "float32", "int64", "int32", "uint64", "uint32", "bool")


def _plain(value):
    if isinstance(value, np.ndarray):
        array = np.ascontiguousarray(value)
        if array.dtype.name not in _DTYPES:
            raise TypeError(f"cannot encode an array of dtype {array.dtype}")
        return {"__array__": array.dtype.name, "shape": list(array.shape),
                "data": base64.b64encode(array.tobytes()).decode("ascii")}
    if isinstance(value, dict):
        if "__array__" in value or "__float__" in value:
            raise ValueError("a state key may not be named __array__ or __float__")
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else {"__float__": repr(value)}
    if value is None or isinstance(value, str):
        return value
    raise TypeError(f"cannot encode a state value of type {type(value).__name__}")


def _restored(value):
    if isinstance(value, list):
        return [_restored(item) for item in value]
    if not isinstance(value, dict):
        return value
    if "__float__" in value:
        text = value["__float__"]
        if text not in ("inf", "-inf", "nan"):
            raise ValueError(f"not an encoded float: {text!r}")
        return float(text)
    if "__array__" in value:
        dtype = value["__array__"]
        if dtype not in _DTYPES:
            raise ValueError(f"not an encodable dtype: {dtype!r}")
        shape = tuple(int(n) for n in value["shape"])
        raw = base64.b64decode(value["data"].encode("ascii"), validate=True)
        if len(raw) != math.prod(shape) * np.dtype(dtype).itemsize:
            raise ValueError(f"an encoded array of shape {shape} holds {len(raw)} bytes")
        return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
    return {key: _restored(item) for key, item in value.items()}


def encode_state(state):
    """A JSON string holding ``state`` exactly (see the module's documentation).

    Parameters
    ----------
    state : dict
        As :meth:`~evodiff.algorithms.base.Optimizer.state_dict` returns it.

    Returns
    -------
    str

    Raises
    ------
    TypeError
        A value of another kind (an object, an array of another dtype).
    """
    return json.dumps(_plain(state), allow_nan=False, separators=(",", ":"))


def decode_state(text):
    """The state that :func:`encode_state` wrote.

    Parameters
    ----------
    text : str

    Returns
    -------
    dict

    Raises
    ------
    ValueError
        Text that is not such a state.
    """
    try:
        return _restored(json.loads(text))
    except (TypeError, KeyError, AttributeError, json.JSONDecodeError) as exc:
        raise ValueError(f"not an encoded evodiff state: {exc}") from exc
