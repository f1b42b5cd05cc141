"""The search space of a binary run, and how the front door recognises one.

:class:`Bits` is passed as ``bounds`` for a black-box binary objective;
:func:`is_binary` tells :func:`evodiff.minimize` which solver a call goes to.
"""

from __future__ import annotations

from ..validation import check_int

__all__ = ["Bits", "is_binary", "is_binary_problem", "is_graph"]


class Bits:
    """The search space ``{low, high}^n`` of a black-box binary objective.

    Pass it as ``bounds`` to :func:`evodiff.minimize`: ``minimize(f,
    Bits(30))`` searches 30-bit vectors of 0 and 1, ``Bits(30, domain=(-1,
    1))`` spin vectors.

    Parameters
    ----------
    n : int
        Number of bits, >= 1.
    domain : (int, int), default (0, 1)
    """

    def __init__(self, n, domain=(0, 1)):
        self.n = check_int("n", n, minimum=1)
        if tuple(domain) not in ((0, 1), (-1, 1)):
            raise ValueError(f"domain must be (0, 1) or (-1, 1); got {domain!r}")
        self.domain = tuple(int(v) for v in domain)

    def __repr__(self):
        return f"Bits({self.n}, domain={self.domain})"


def is_binary_problem(fun):
    """Whether ``fun`` is a binary quadratic problem (QUBO, Ising, MaxCut or alike)."""
    return all(hasattr(fun, name) for name in ("ising_form", "domain", "n"))


def is_graph(fun):
    """Whether ``fun`` is a networkx graph (checked without importing networkx)."""
    return type(fun).__module__.split(".")[0] == "networkx" and hasattr(fun, "nodes")


def is_binary(fun, bounds):
    """Whether ``minimize(fun, bounds)`` is a binary run."""
    return isinstance(bounds, Bits) or (bounds is None and (is_binary_problem(fun) or is_graph(fun)))
