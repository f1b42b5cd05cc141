"""The CEC'2013 niching benchmark: 20 problems, the official counting and the protocol.

- :mod:`.functions`, :mod:`.composition`: the landscapes, vectorised;
- :mod:`.problems`: the 20 problems with their facts (:func:`niching_problem`);
- :mod:`.counting`: the organisers' count of global optima, peak ratio,
  success and the static F1 score of a solution set.
"""

from .counting import count_global_optima, score_solutions
from .problems import NICHING_PROBLEMS, NichingProblem, niching_problem, niching_problems

__all__ = ["NICHING_PROBLEMS", "NichingProblem", "count_global_optima", "niching_problem",
           "niching_problems", "score_solutions"]
