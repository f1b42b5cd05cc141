"""``minimize`` and ``maximize`` on binary problems: the binary branch of :mod:`evodiff.optimize`.

:func:`evodiff.minimize` sends here a ``fun`` that is a binary quadratic
problem (:class:`~evodiff.binary.QUBO`, :class:`~evodiff.binary.Ising`,
:class:`~evodiff.binary.MaxCut`) or a black-box objective whose ``bounds``
are :class:`Bits`.  The run goes through the same loop, evaluator
(``workers``), progress bar, callback and checkpoints as a continuous run;
only the methods (the binary ones of the registry), the modes (distinct
states) and the polish (one-flip descent) differ.
"""

from __future__ import annotations

import math

import numpy as np

from ..evaluation import Evaluator
from ..modes import Mode
from ..validation import check_bool, check_int
from .interop import from_networkx
from .polish import one_flip_descent, one_flip_descent_blackbox

__all__ = ["Bits", "is_binary", "binary_run", "distinct_states"]

#: Most modes (distinct final states) a binary result lists.
MAX_MODES = 10


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


def _is_problem(fun):
    return all(hasattr(fun, name) for name in ("ising_form", "domain", "n"))


def _is_graph(fun):
    """Whether ``fun`` is a networkx graph (checked without importing networkx)."""
    return type(fun).__module__.split(".")[0] == "networkx" and hasattr(fun, "nodes")


def is_binary(fun, bounds):
    """Whether ``minimize(fun, bounds)`` is a binary run."""
    return isinstance(bounds, Bits) or (bounds is None and (_is_problem(fun) or _is_graph(fun)))


def distinct_states(states, values, sense, limit=MAX_MODES):
    """The distinct states of a population, best first, as :class:`~evodiff.modes.Mode`.

    Parameters
    ----------
    states : numpy.ndarray, shape (N, n)
    values : numpy.ndarray, shape (N,)
        Their values (non-finite ones are dropped).
    sense : {'min', 'max'}
    limit : int
        Most modes returned.

    Returns
    -------
    list of Mode
        ``count`` is how many members share the state, ``support`` their share.
    """
    states = np.asarray(states, dtype=np.float64)
    values = np.asarray(values, dtype=np.float64)
    keep = np.isfinite(values)
    if not keep.any():
        return []
    unique, first, counts = np.unique(states[keep], axis=0, return_index=True, return_counts=True)
    unique_values = values[keep][first]
    order = np.argsort(unique_values if sense == "min" else -unique_values, kind="stable")
    total = states.shape[0]
    return [Mode(x=unique[k], fun=float(unique_values[k]), count=int(counts[k]),
                 support=float(counts[k] / total)) for k in order[:limit]]


def _polished(modes, fun, problem, domain, sense, counter):
    """Every mode after one-flip descent (on the couplings, or by evaluating neighbours)."""
    if not modes:
        return modes
    states = np.stack([mode.x for mode in modes])
    if problem is not None:
        states = one_flip_descent(problem, states, sense)
        values = np.asarray(problem(states), dtype=np.float64)
    else:
        states, values, used = one_flip_descent_blackbox(fun, states, domain, sense)
        counter[0] += used
    polished = [Mode(x=x, fun=float(v), count=m.count, support=m.support)
                for x, v, m in zip(states, values, modes)]
    merged = {}
    for mode in sorted(polished, key=lambda m: m.fun if sense == "min" else -m.fun):
        key = mode.x.tobytes()
        if key in merged:
            old = merged[key]
            merged[key] = Mode(x=old.x, fun=old.fun, count=old.count + mode.count,
                               support=old.support + mode.support)
        else:
            merged[key] = mode
    return list(merged.values())


class _HostProblem:
    """A problem evaluated on host copies of device states (CuPy runs)."""

    def __init__(self, problem, backend):
        self.problem, self.backend = problem, backend

    def __call__(self, X):
        return self.backend.asarray(self.problem(np.asarray(self.backend.to_host(X))))


def binary_run(fun, sense, bounds, method, popsize, maxiter, args, vectorized, rng, callback,
               polish, progress, backend, dtype, options, *, workers=None, batch_size=None,
               checkpoint=None, checkpoint_every=1, resume=None):
    """The binary branch of :func:`evodiff.minimize` / :func:`evodiff.maximize` (same arguments)."""
    from ..driver import History
    from ..evaluation import evaluate
    from ..optimize import OptimizeResult, _check_checkpoint_path, _resume, check_options, drive
    from ..registry import get_method, method_names

    if _is_graph(fun):
        fun = from_networkx(fun)  # its Max-Cut problem; vertices in the order of graph.nodes
    problem = fun if _is_problem(fun) else None
    if problem is None and not callable(fun):
        raise TypeError(f"fun must be callable; got {type(fun).__name__}")
    space = bounds if isinstance(bounds, Bits) else Bits(problem.n, problem.domain)
    if problem is not None and isinstance(bounds, Bits) and (
            bounds.n != problem.n or bounds.domain != problem.domain):
        raise ValueError(f"bounds {bounds!r} do not match the problem ({problem.n} variables in "
                         f"{problem.domain})")
    chosen = None
    if isinstance(method, str) and method.strip().lower() == "auto":
        method = "anneal" if problem is not None else "binary-diffevo"
        chosen = ("a binary quadratic problem" if problem is not None
                  else "a black-box binary objective")
    spec = get_method(method)
    if spec.domain != "binary":
        raise ValueError(f"method {spec.name!r} searches continuous boxes; binary problems take "
                         f"one of {', '.join(method_names('binary'))}")
    if polish not in (False, True):
        raise ValueError(f"polish must be True or False for a binary problem; got {polish!r}")
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable or None; got {type(callback).__name__}")
    check_int("checkpoint_every", checkpoint_every, minimum=1)
    _check_checkpoint_path(checkpoint)
    options = check_options(options)
    vectorized = check_bool("vectorized", vectorized)
    check_bool("progress", progress)
    if not isinstance(args, tuple):
        args = (args,)
    if problem is not None and args:
        raise ValueError("args apply to a black-box objective, not to a binary problem")
    opt = spec.build(popsize=popsize, maxiter=maxiter, problem=problem, dim=space.n,
                     domain=space.domain, sense=sense, rng=rng, dtype=dtype, backend=backend,
                     **options)
    history = _resume(opt, resume) if resume is not None else History()
    if problem is not None:
        objective = problem if opt.backend.name == "numpy" else _HostProblem(problem, opt.backend)
        vectorized = True
    else:
        objective = fun
    evaluator = Evaluator(objective, vectorized=vectorized, workers=workers,
                          batch_size=batch_size, args=args)
    asked = {}

    def evaluate_generation(points):
        asked["last"] = points  # the states of the last generation, for the modes
        return evaluator(points)
    with evaluator:
        history, success, message = drive(opt, evaluate_generation, history, spec.name, progress,
                                          callback, checkpoint, checkpoint_every)
    population = np.asarray(opt.backend.to_host(opt.population), dtype=np.float64)
    modes = []
    if "last" in asked and opt.last_values is not None:
        modes = distinct_states(np.asarray(opt.backend.to_host(asked["last"]), dtype=np.float64),
                                np.asarray(opt.backend.to_host(opt.last_values), dtype=np.float64),
                                sense)
    counter = [0]

    def host_objective(X):
        values = evaluate(objective, X, vectorized=vectorized, args=args)
        return np.asarray(values, dtype=np.float64).reshape(-1)
    if polish:
        modes = _polished(modes, host_objective, problem, space.domain, sense, counter)
    best_x, best_fun = opt.best_x, opt.best_fun
    for mode in modes:
        better = mode.fun < best_fun if sense == "min" else mode.fun > best_fun
        if math.isfinite(mode.fun) and better:
            best_x, best_fun = mode.x, mode.fun
    if best_x is None or not math.isfinite(best_fun):
        success = False
        message = f"{message}; the objective returned no finite value"
    if chosen is not None:
        message = f"method 'auto' chose {spec.name!r} ({chosen}): {message}"
    estimates = opt.estimates
    return OptimizeResult(
        x=None if best_x is None else np.array(best_x), fun=best_fun,
        nfev=opt.nfev + counter[0], nit=opt.nit, success=success,
        message=message, method=spec.name, population=population,
        estimates=None if estimates is None else np.asarray(opt.backend.to_host(estimates),
                                                            dtype=np.float64),
        modes=modes, history=history.as_arrays())
