"""Parameter checks shared by every public entry point.

One rule everywhere, in the manner of scikit-learn's ``check_scalar``: a
value of the wrong *kind* raises ``TypeError``, a value of the right kind
out of range raises ``ValueError``; the message names the argument, the
value received and what is expected.  NumPy integer and floating scalars
are accepted wherever Python numbers are (``np.int64(7)`` is the int 7);
booleans are never numbers.
"""

from __future__ import annotations

import math
import warnings
from numbers import Integral, Real

__all__ = ["check_int", "check_real", "check_bool", "check_choice", "check_sense",
           "check_popsize", "renamed_keyword"]


def _range_text(minimum, maximum, include_minimum, include_maximum):
    parts = []
    if minimum is not None:
        parts.append(f"{'>=' if include_minimum else '>'} {minimum}")
    if maximum is not None:
        parts.append(f"{'<=' if include_maximum else '<'} {maximum}")
    return " and ".join(parts)


def _check_range(name, value, minimum, maximum, include_minimum, include_maximum):
    low_bad = minimum is not None and (value < minimum if include_minimum else value <= minimum)
    high_bad = maximum is not None and (value > maximum if include_maximum else value >= maximum)
    if low_bad or high_bad:
        expected = _range_text(minimum, maximum, include_minimum, include_maximum)
        raise ValueError(f"{name} must be {expected}; got {value!r}")


def check_int(name, value, minimum=None, maximum=None, *, include_minimum=True,
              include_maximum=True):
    """Return ``value`` as a Python int, checking its kind and range.

    Parameters
    ----------
    name : str
        Argument name used in the error message.
    value : object
        An integer: Python ``int`` or NumPy integer scalar (not ``bool``).
    minimum, maximum : int, optional
        Limits of the accepted range.
    include_minimum, include_maximum : bool, default True
        Whether each limit itself is accepted.

    Returns
    -------
    int

    Raises
    ------
    TypeError
        If ``value`` is not an integer (``2.0`` and ``True`` are not).
    ValueError
        If it lies outside the range.
    """
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an int; got {value!r}")
    value = int(value)
    _check_range(name, value, minimum, maximum, include_minimum, include_maximum)
    return value


def check_real(name, value, minimum=None, maximum=None, *, strict=False, include_minimum=None,
               include_maximum=True, allow_infinite=False):
    """Return ``value`` as a float, checking its kind, finiteness and range.

    Parameters
    ----------
    name : str
        Argument name used in the error message.
    value : object
        A real number: Python or NumPy, integer or floating (not ``bool``).
    minimum, maximum : float, optional
        Limits of the accepted range.
    strict : bool, default False
        Shorthand for ``include_minimum=False`` (the lower limit excluded).
    include_minimum : bool, optional
        Whether ``minimum`` itself is accepted (default: ``not strict``).
    include_maximum : bool, default True
        Whether ``maximum`` itself is accepted.
    allow_infinite : bool, default False
        Accept ``inf`` and ``-inf`` (NaN is never accepted).

    Returns
    -------
    float

    Raises
    ------
    TypeError
        If ``value`` is not a real number.
    ValueError
        If it is NaN, infinite (unless allowed) or outside the range.
    """
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a number; got {value!r}")
    value = float(value)
    if math.isnan(value) or (math.isinf(value) and not allow_infinite):
        raise ValueError(f"{name} must be finite; got {value!r}")
    if include_minimum is None:
        include_minimum = not strict
    _check_range(name, value, minimum, maximum, include_minimum, include_maximum)
    return value


def check_bool(name, value):
    """Return ``value`` if it is ``True`` or ``False`` (NumPy booleans included).

    Raises
    ------
    TypeError
        For anything else (``0``, ``1``, ``'yes'``, ``None``).
    """
    if isinstance(value, bool):
        return value
    # numpy.bool_ (named numpy.bool in NumPy 2)
    if type(value).__name__ in ("bool_", "bool") and type(value).__module__ == "numpy":
        return bool(value)
    raise TypeError(f"{name} must be True or False; got {value!r}")


def check_choice(name, value, choices):
    """Return ``value`` if it is one of ``choices`` (compared with ``==``).

    Raises
    ------
    ValueError
        Otherwise, listing the choices.
    """
    for choice in choices:
        if type(value) is type(choice) and value == choice:
            return value
    listed = ", ".join(repr(c) for c in choices)
    raise ValueError(f"{name} must be one of {listed}; got {value!r}")


_SENSES = {"min": "min", "max": "max", "minimize": "min", "maximize": "max",
           "minimise": "min", "maximise": "max"}


def check_sense(sense, name="sense"):
    """Return ``'min'`` or ``'max'`` for the accepted spellings of a direction.

    Parameters
    ----------
    sense : {'min', 'max', 'minimize', 'maximize', 'minimise', 'maximise'}
        Case-insensitive.
    name : str, default 'sense'
        Argument name used in the error message.

    Returns
    -------
    str

    Raises
    ------
    ValueError
        For any other value.
    """
    if isinstance(sense, str) and sense.lower() in _SENSES:
        return _SENSES[sense.lower()]
    raise ValueError(f"{name} must be 'min' or 'max'; got {sense!r}")


def check_popsize(popsize, minimum=2, *, even=False, odd=False, reason=""):
    """The one rule for a population size: an int (NumPy ints too) of at least ``minimum``.

    Parameters
    ----------
    popsize : object
    minimum : int, default 2
    even, odd : bool, default False
        Require an even (mirrored pairs) or an odd count.
    reason : str, optional
        Why parity is required, appended to the message (e.g. ``'with
        antithetic sampling'``).

    Returns
    -------
    int

    Raises
    ------
    TypeError, ValueError
        As :func:`check_int`; ``ValueError`` for the wrong parity.
    """
    popsize = check_int("popsize", popsize, minimum=minimum)
    why = f" {reason}" if reason else ""
    if even and popsize % 2:
        raise ValueError(f"popsize must be even{why}; got {popsize}")
    if odd and not popsize % 2:
        raise ValueError(f"popsize must be odd{why}; got {popsize}")
    return popsize


#: Largest memory a request may ask for, in bytes: an optimiser's population arrays at their
#: peak (``POPULATION_COPIES`` x popsize x dim x itemsize), the arrays its settings fix
#: (CMA-ES's D x D matrices, MAP-Elites' archive, a schedule), a problem the command line
#: builds.  Checked before anything is allocated or evaluated; raise it on a machine with more
#: memory (``evodiff.validation.MAX_POPULATION_BYTES = 16 * 2**30``).
MAX_POPULATION_BYTES = 4 * 2**30


def refuse_footprint(nbytes, what, argument):
    """Raise ``ValueError`` naming ``argument`` when ``nbytes`` exceed :data:`MAX_POPULATION_BYTES`.

    Parameters
    ----------
    nbytes : int
        Memory the request needs, known before anything is allocated.
    what : str
        What needs it (for the message).
    argument : str
        The argument (or arguments) that asked for it.
    """
    if nbytes > MAX_POPULATION_BYTES:
        raise ValueError(
            f"{argument}: {what} needs {nbytes / 2**30:.3g} GiB, above the limit of "
            f"{MAX_POPULATION_BYTES / 2**30:.3g} GiB (evodiff.validation.MAX_POPULATION_BYTES)")


def renamed_keyword(old, old_value, new, new_value):
    """The value of keyword ``new``, or of ``old``, its deprecated spelling, when given.

    Parameters
    ----------
    old, new : str
        The deprecated and the current name.
    old_value : object
        What the caller passed as ``old`` (``None``: not given).
    new_value : object
        What the caller passed as ``new`` (or its default).

    Returns
    -------
    object
        ``old_value`` (with a ``DeprecationWarning``) when it was given, else ``new_value``.
    """
    if old_value is None:
        return new_value
    warnings.warn(f"{old} is deprecated and goes after 0.2; use {new}", DeprecationWarning,
                  stacklevel=3)
    return old_value
