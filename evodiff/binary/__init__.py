"""Binary and combinatorial optimisation (work in progress): QUBO, Ising and Max-Cut problems."""

from .generators import sherrington_kirkpatrick, wishart_planted
from .problems import QUBO, Ising, MaxCut
from .readers import read_bqp, read_gset

__all__ = ["QUBO", "Ising", "MaxCut", "read_bqp", "read_gset", "sherrington_kirkpatrick",
           "wishart_planted"]
