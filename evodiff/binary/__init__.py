"""Binary and combinatorial optimisation: QUBO, Ising and Max-Cut problems and their solvers.

- Problems (:mod:`~evodiff.binary.problems`): :class:`QUBO`, :class:`Ising`,
  :class:`MaxCut`, with exact conversions; readers of the G-set and
  OR-Library bqp formats; generators with known answers; networkx and dimod
  conversions (:mod:`~evodiff.binary.interop`, optional packages).
- Solvers behind ask/tell: :class:`SimulatedAnnealing` (the problem's
  couplings, Metropolis sweeps), :class:`ParallelTempering` (replica
  exchange on a temperature ladder) and :class:`BinaryDiffusionEvolution`
  (black-box, the reverse of a bit-flip diffusion), and
  :func:`one_flip_descent` as a polish.
- :func:`evodiff.minimize` / :func:`evodiff.maximize` take a problem as
  ``fun``, or a black-box objective with ``bounds=Bits(n)``.
"""

from .annealing import SimulatedAnnealing, automatic_beta_range
from .diffusion import BinaryDiffusionEvolution
from .generators import sherrington_kirkpatrick, wishart_planted
from .interop import from_bqm, from_networkx, planted_2in4sat, planted_nae3sat, to_bqm
from .polish import OneFlipDescent, one_flip_descent, one_flip_descent_blackbox
from .problems import QUBO, Ising, MaxCut
from .readers import read_bqp, read_gset
from .space import Bits
from .tempering import ParallelTempering

__all__ = ["QUBO", "Ising", "MaxCut", "Bits", "SimulatedAnnealing", "ParallelTempering",
           "BinaryDiffusionEvolution",
           "automatic_beta_range", "OneFlipDescent", "one_flip_descent",
           "one_flip_descent_blackbox", "read_bqp", "read_gset", "sherrington_kirkpatrick",
           "wishart_planted", "from_networkx", "to_bqm", "from_bqm", "planted_nae3sat",
           "planted_2in4sat"]
