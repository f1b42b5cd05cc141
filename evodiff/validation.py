"""Small parameter checks shared by every public entry point.

Each check raises ``TypeError`` for a value of the wrong kind and
``ValueError`` for a value out of range, with a message that names the
argument, the value received and what is expected.
"""

from __future__ import annotations

from numbers import Integral, Real

__all__ = ["check_int", "check_real"]


def check_int(name, value, minimum=None):
    """Return ``value`` as an int, checking its type and lower limit.

    Parameters
    ----------
    name : str
        Argument name used in the error message.
    value : object
    minimum : int, optional
        Smallest accepted value.

    Returns
    -------
    int
    """
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an int; got {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}; got {value}")
    return int(value)


def check_real(name, value, minimum=None, strict=False):
    """Return ``value`` as a finite float, checking its type and lower limit.

    Parameters
    ----------
    name : str
        Argument name used in the error message.
    value : object
    minimum : float, optional
        Lower limit.
    strict : bool, default False
        Whether the limit itself is excluded (``value > minimum``).

    Returns
    -------
    float
    """
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a number; got {value!r}")
    value = float(value)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"{name} must be finite; got {value!r}")
    if minimum is not None:
        if strict and not value > minimum:
            raise ValueError(f"{name} must be > {minimum}; got {value!r}")
        if not strict and not value >= minimum:
            raise ValueError(f"{name} must be >= {minimum}; got {value!r}")
    return value
