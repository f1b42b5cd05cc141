"""Benchmarks: methods x problems x seeds -> rows, aggregates, tables and figures.

The package is cut by concept:

- :mod:`evodiff.bench.paper`: the protocol of Zhang et al. (ICLR 2025),
  its problems and each method's configuration under it;
- :mod:`evodiff.bench.standard`: shifted and rotated functions at an equal budget;
- :mod:`evodiff.bench.suites`: the suites by name (:data:`SUITES`) and the
  problem instance of each seed;
- :mod:`evodiff.bench.runner`: one run (:func:`run_one`, through the one run
  loop :func:`evodiff.driver.run`) and many (:func:`run_suite`);
- :mod:`evodiff.bench.statistics`: aggregates and Mann-Whitney tests;
- :mod:`evodiff.bench.report`: the result files.

Every method of the registry (:mod:`evodiff.registry`) can be benchmarked,
including one registered by the user.  Problems are
:class:`evodiff.problems.Problem` objects carrying their benchmark metadata
(``target``; for the paper suite ``scale``, ``max_distance``, ``corner``).

Examples
--------
>>> from evodiff.bench import run_suite, aggregate
>>> result = run_suite("paper", methods=["diffevo", "cmaes"],
...                    problems=["himmelblau"], runs=2)  # doctest: +SKIP
>>> aggregate(result.rows)[1]["p_value_entropy"]  # doctest: +SKIP
"""

from .paper import PAPER_TABLE, paper_optimizer
from .report import TRACES_SAVED, write_results
from .runner import ROW_KEYS, TOP_K, BenchResult, count_optima, run_one, run_suite
from .standard import STANDARD_BUDGET_PER_DIM, STANDARD_POPSIZE, STANDARD_TOLERANCE
from .statistics import aggregate
from .suites import SUITES, problem_instance

__all__ = [
    "BenchResult",
    "PAPER_TABLE",
    "ROW_KEYS",
    "STANDARD_BUDGET_PER_DIM",
    "STANDARD_POPSIZE",
    "STANDARD_TOLERANCE",
    "SUITES",
    "TOP_K",
    "TRACES_SAVED",
    "aggregate",
    "count_optima",
    "paper_optimizer",
    "problem_instance",
    "run_one",
    "run_suite",
    "write_results",
]
