"""Declared parameter limits: what a constructor accepts, written as data.

In the manner of scikit-learn's parameter constraints, a class declares its
limits once, as a dict ``name -> limit``, and checks its arguments with
:func:`check_parameters`.  The declaration is what the error messages say
(``sigma0 must be > 0.0; got -1.0``, the argument named), what the
documentation lists, and what the contract tests probe: every declared limit
is tried with a value just outside it (``tests/test_declared_parameters.py``).

Examples
--------
>>> from evodiff.parameters import Int, Real, check_parameters
>>> LIMITS = {"popsize": Int(minimum=2), "sigma0": Real(minimum=0.0, strict=True)}
>>> check_parameters(LIMITS, {"popsize": 8, "sigma0": 0.5})
{'popsize': 8, 'sigma0': 0.5}
"""

from __future__ import annotations

from dataclasses import dataclass

from .validation import check_bool, check_choice, check_int, check_real

__all__ = ["Int", "Real", "Bool", "Choice", "check_parameters", "outside_values"]


@dataclass(frozen=True)
class Int:
    """An integer (NumPy integers included, not ``bool``) in ``[minimum, maximum]``.

    ``optional``: ``None`` is accepted too (the class then picks a default).
    """

    minimum: int | None = None
    maximum: int | None = None
    optional: bool = False

    def check(self, name, value):
        if value is None and self.optional:
            return None
        return check_int(name, value, self.minimum, self.maximum)

    def outside(self):
        """Values this limit refuses (for the contract tests)."""
        values = [2.5, "1", True]
        if self.minimum is not None:
            values.append(self.minimum - 1)
        if self.maximum is not None:
            values.append(self.maximum + 1)
        return values


@dataclass(frozen=True)
class Real:
    """A finite real number in a range; ``strict``: the minimum itself is refused.

    ``infinite``: ``inf`` and ``-inf`` are accepted (NaN never);
    ``optional``: ``None`` is accepted too.
    """

    minimum: float | None = None
    maximum: float | None = None
    strict: bool = False
    include_maximum: bool = True
    infinite: bool = False
    optional: bool = False

    def check(self, name, value):
        if value is None and self.optional:
            return None
        return check_real(name, value, self.minimum, self.maximum, strict=self.strict,
                          include_maximum=self.include_maximum, allow_infinite=self.infinite)

    def outside(self):
        values = [float("nan"), "0.5", True]
        if self.minimum is not None:
            values.append(self.minimum if self.strict else self.minimum - 1.0)
        if self.maximum is not None:
            values.append(self.maximum + 1.0 if self.include_maximum else self.maximum)
        return values


@dataclass(frozen=True)
class Bool:
    """``True`` or ``False`` (NumPy booleans included)."""

    optional: bool = False

    def check(self, name, value):
        if value is None and self.optional:
            return None
        return check_bool(name, value)

    def outside(self):
        return [0, 1, "yes"]


@dataclass(frozen=True)
class Choice:
    """One of ``choices`` (compared by type and value)."""

    choices: tuple
    optional: bool = False

    def check(self, name, value):
        if value is None and self.optional:
            return None
        return check_choice(name, value, self.choices)

    def outside(self):
        return ["no such choice", 3.5]


def check_parameters(limits, values):
    """Check ``values`` against their declared ``limits``, in the order they are declared.

    Parameters
    ----------
    limits : dict
        ``name -> Int | Real | Bool | Choice``.
    values : dict
        ``name -> value``; every declared name must be present.

    Returns
    -------
    dict
        ``name -> checked value`` (``int`` or ``float`` for numbers), declared order.

    Raises
    ------
    TypeError, ValueError
        The first value outside its limit, with its name.
    """
    return {name: limit.check(name, values[name]) for name, limit in limits.items()}


def outside_values(limits):
    """``(name, value)`` pairs that each break one declared limit (for the contract tests)."""
    return [(name, value) for name, limit in limits.items() for value in limit.outside()]
