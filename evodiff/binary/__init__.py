"""Binary and combinatorial optimisation (work in progress): QUBO, Ising and Max-Cut problems."""

from .problems import QUBO, Ising, MaxCut

__all__ = ["QUBO", "Ising", "MaxCut"]
