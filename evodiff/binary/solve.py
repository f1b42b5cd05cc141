"""``minimize`` and ``maximize`` on binary problems: the binary solver.

:func:`evodiff.minimize` sends here a ``fun`` that is a binary quadratic
problem (:class:`~evodiff.binary.QUBO`, :class:`~evodiff.binary.Ising`,
:class:`~evodiff.binary.MaxCut`) or a black-box objective whose ``bounds``
are :class:`Bits`.  The run goes through the same session (:mod:`evodiff.session`: loop,
evaluator, progress bar, callback, checkpoints, result) as a continuous run;
only the methods (the binary ones of the registry), the modes (distinct
states) and the polish (one-flip descent) differ.
"""

from __future__ import annotations

import numpy as np

from ..evaluation import evaluate
from ..modes import Mode
from ..registry import AUTO_METHODS, get_method, method_names
from ..session import check_session, execute, finish, warm_start
from .interop import from_networkx
from .polish import one_flip_descent, one_flip_descent_blackbox
from .space import Bits, is_binary_problem, is_graph

__all__ = ["solve", "distinct_states"]

#: Most modes (distinct final states) a binary result lists.
MAX_MODES = 10


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


def solve(request):
    """Run a binary :class:`~evodiff.session.RunRequest` to its result.

    Returns
    -------
    OptimizeResult
    """
    fun = request.fun
    if is_graph(fun):
        fun = from_networkx(fun)  # its Max-Cut problem; vertices in the order of graph.nodes
    problem = fun if is_binary_problem(fun) else None
    if problem is None and not callable(fun):
        raise TypeError(f"fun must be callable; got {type(fun).__name__}")
    bounds = request.bounds
    if request.constraints is not None:
        raise ValueError("constraints apply to continuous problems, not to a binary one")
    if request.x0 is not None or request.sigma is not None or request.latent is not None:
        raise ValueError("x0, sigma and latent apply to continuous problems, not to a "
                         "binary one")
    space = bounds if isinstance(bounds, Bits) else Bits(problem.n, problem.domain)
    if problem is not None and isinstance(bounds, Bits) and (
            bounds.n != problem.n or bounds.domain != problem.domain):
        raise ValueError(f"bounds {bounds!r} do not match the problem ({problem.n} variables in "
                         f"{problem.domain})")
    chosen = None
    method = request.method
    if isinstance(method, str) and method.strip().lower() == "auto":
        situation = "quadratic problem" if problem is not None else "black box"
        method = AUTO_METHODS["binary"][situation]
        chosen = ("a binary quadratic problem" if problem is not None
                  else "a black-box binary objective")
    spec = get_method(method)
    if spec.domain != "binary":
        raise ValueError(f"method {spec.name!r} searches continuous boxes; binary problems take "
                         f"one of {', '.join(method_names('binary'))}")
    if request.polish not in (False, True):
        raise ValueError(f"polish must be True or False for a binary problem; got "
                         f"{request.polish!r}")
    check_session(request)
    if problem is not None and request.args:
        raise ValueError("args apply to a black-box objective, not to a binary problem")
    sense = request.sense
    opt = spec.build(popsize=request.popsize, maxiter=request.maxiter, problem=problem,
                     dim=space.n, domain=space.domain, sense=sense, rng=request.rng,
                     dtype=request.dtype, backend=request.backend, **request.options)
    warm_start(opt, request)
    vectorized = request.vectorized
    if problem is not None:
        objective = problem if opt.backend.name == "numpy" else _HostProblem(problem, opt.backend)
        vectorized = True
    else:
        objective = fun
    asked = {}

    def remember(points):
        asked["last"] = points  # the states of the last generation, for the modes
    history, success, message = execute(opt, objective, request, spec.name,
                                        vectorized=vectorized, watch=remember)
    modes = []
    if "last" in asked and opt.last_values is not None:
        modes = distinct_states(np.asarray(opt.backend.to_host(asked["last"]), dtype=np.float64),
                                np.asarray(opt.backend.to_host(opt.last_values), dtype=np.float64),
                                sense)
    counter = [0]

    def host_objective(X):
        values = evaluate(objective, X, vectorized=vectorized, args=request.args)
        return np.asarray(values, dtype=np.float64).reshape(-1)
    if request.polish:
        modes = _polished(modes, host_objective, problem, space.domain, sense, counter)
    candidates = opt.candidates()
    if candidates is not None:
        candidates = np.asarray(opt.backend.to_host(candidates), dtype=np.float64)
    return finish(opt, request, spec.name, history, success, message, modes=modes,
                  chosen=chosen, extra_nfev=counter[0], candidates=candidates)
