"""Binary and combinatorial optimisation (work in progress): QUBO, Ising and Max-Cut problems."""

from .problems import QUBO, Ising, MaxCut
from .readers import read_bqp, read_gset

__all__ = ["QUBO", "Ising", "MaxCut", "read_bqp", "read_gset"]
