"""``minimize`` and ``maximize`` on boxes of real numbers: the continuous solver.

:func:`evodiff.minimize` sends here every problem that is not binary.  What
is particular to a continuous run lives here: the search region (``bounds``,
or ``x0`` with ``sigma``), the ``'auto'`` choice by the dimension, the modes
(the methods' evaluated optima, or clusters of the final answer points) and
the polish (L-BFGS-B or a small CMA-ES).  The loop, the checkpoints and the
result are the shared session (:mod:`evodiff.session`).
"""

from __future__ import annotations

import math

import numpy as np

from .constrained_run import FeasibleRecord
from .evaluation import evaluate
from .modes import Mode, find_modes, merge_modes
from .polish import polish_cmaes, polish_lbfgsb
from .registry import AUTO_METHODS, get_method
from .session import check_session, execute, finish, warm_start
from .validation import check_bool, check_int, check_popsize, check_real

__all__ = ["solve", "choose_method", "AUTO_MAX_REFINED_DIM"]

#: Largest dimension for which ``method='auto'`` picks the converging Diffusion Evolution
#: (its CMA-ES refinements hold D x D matrices); beyond it, latent Diffusion Evolution.
AUTO_MAX_REFINED_DIM = 1000


def _region(bounds, x0, sigma):
    if bounds is not None:
        if x0 is not None or sigma is not None:
            raise ValueError("give either bounds or x0 (with sigma), not both")
        return {"bounds": bounds}
    if x0 is None:
        raise ValueError("the search region is unknown: give bounds, or x0 and sigma")
    for name, value in (("x0", x0), ("sigma", sigma)):
        if isinstance(value, (str, bytes)) or (
                np.asarray(value).dtype.kind not in "iuf" and value is not None):
            raise TypeError(f"{name} must be real numbers; got {value!r}")
    center = np.array(x0, dtype=np.float64)
    if center.ndim != 1 or center.size < 1:
        raise ValueError(f"x0 must be a 1-D array of length >= 1; got shape {center.shape}")
    if not np.all(np.isfinite(center)):
        raise ValueError(f"x0 must be finite; got {x0!r}")
    if sigma is None:
        return {"center": center, "scale": 1.0}
    scale = np.array(sigma, dtype=np.float64)
    if scale.ndim > 1 or (scale.ndim == 1 and scale.size != center.size):
        raise ValueError(f"sigma must be a number or {center.size} numbers, one per coordinate "
                         f"of x0; got shape {scale.shape}")
    if not np.all(np.isfinite(scale)) or np.any(scale <= 0):
        raise ValueError(f"sigma must be positive and finite; got {sigma!r}")
    return {"center": center, "scale": sigma}


def _scalar_objective(fun, vectorized, args, space, counter):
    """Wrap ``fun`` as a scalar function of one host point, counting calls.

    The point is cast to the backend's dtype and clipped into the box
    rounded inward, so a float32 run never evaluates outside the bounds.
    """
    backend = space.backend

    def value(point):
        counter[0] += 1
        batch = space.clip_points(backend.asarray(np.asarray(point, dtype=np.float64)[None, :]))
        if vectorized:
            return float(backend.to_host(evaluate(fun, batch, vectorized=True, args=args))[0])
        return float(evaluate(fun, backend.to_host(batch), args=args)[0])
    return value


def _dimension(bounds, x0):
    if bounds is not None:
        lower = getattr(bounds, "lb", None)
        return int(np.size(lower)) if lower is not None else len(bounds)
    return int(np.size(x0))


def choose_method(bounds, x0, latent):
    """The method ``method='auto'`` runs on a continuous problem, and why.

    Returns
    -------
    name : str
        A registered method.
    reason : str
        A phrase for ``res.message``.
    """
    choices = AUTO_METHODS["continuous"]
    if latent is not None:
        return choices["latent encoder"], "a latent encoder was given"
    try:
        dim = _dimension(bounds, x0)
    except TypeError:  # the region's own checks report the problem
        return choices["default"], "default"
    if dim > AUTO_MAX_REFINED_DIM:
        return choices["high-dimensional"], f"D = {dim} > {AUTO_MAX_REFINED_DIM}"
    return choices["default"], f"D = {dim} <= {AUTO_MAX_REFINED_DIM}"


def _check_arguments(request):
    """The checks of a continuous run; returns its method and normalised sizes."""
    if not callable(request.fun):
        raise TypeError(f"fun must be callable; got {type(request.fun).__name__}")
    polish = request.polish
    if not (isinstance(polish, (bool, np.bool_)) or polish in ("lbfgsb", "cmaes")):
        raise ValueError(f"polish must be False, True, 'lbfgsb' or 'cmaes'; got {polish!r}")
    spec = get_method(request.method)
    popsize, maxiter = request.popsize, request.maxiter
    if popsize is not None:
        popsize = check_popsize(popsize)
    if maxiter is not None:
        maxiter = check_int("maxiter", maxiter, minimum=1)
    check_real("mode_radius", request.mode_radius, minimum=0.0, strict=True)
    check_real("min_support", request.min_support, minimum=0.0, maximum=1.0)
    return spec, popsize, maxiter


def _modes(opt, request, objective, solution_set):
    """The modes of a finished run, before polish."""
    # a method that knows its optima with their values reports them: nothing to evaluate
    evaluated = solution_set or getattr(opt, "evaluated_modes", None)
    if evaluated is not None:
        points, values = evaluated()
        modes = [Mode(x=x, fun=float(v), count=1, support=1.0 / len(values))
                 for x, v in zip(points, values)]
    else:
        modes = find_modes(opt, objective, request.mode_radius, request.min_support)
    modes = [mode for mode in modes if math.isfinite(mode.fun)]  # the non-finite policy
    if not modes and opt.best_x is not None and math.isfinite(opt.best_fun):
        # no cluster reached min_support (or none was affordable): a finished run still
        # reports its best point
        modes = [Mode(x=np.array(opt.best_x), fun=float(opt.best_fun), count=0, support=0.0)]
    return modes


def _polished(modes, opt, request, objective, counter):
    """``modes`` refined as ``request.polish`` asks."""
    if request.polish == "cmaes":
        def evaluate_batch(X):
            points = opt.space.clip_points(opt.backend.asarray(X))
            if not request.vectorized:
                points = opt.backend.to_host(points)
            values = evaluate(request.fun, points, vectorized=request.vectorized,
                              args=request.args)
            return np.asarray(opt.backend.to_host(values), dtype=np.float64)
        return polish_cmaes(modes, evaluate_batch, opt, request.sense, counter)
    if request.polish:
        return polish_lbfgsb(modes, objective, opt.space, request.sense)
    return modes


def _constrained(request, spec, opt):
    """The record of a constrained run (``None`` without constraints)."""
    skip = check_bool("skip_infeasible", request.skip_infeasible)
    if request.constraints is None:
        if skip:
            raise ValueError("skip_infeasible applies with constraints only")
        if request.constraint_rule is not None:
            raise ValueError("constraint_rule applies with constraints only")
        return None
    if request.polish:
        raise ValueError("polish does not apply with constraints (the polishers ignore them)")
    if spec.goal != "optimum":
        raise ValueError(f"constraints apply to the methods that seek one optimum; got "
                         f"method={spec.name!r}")
    rule = request.constraint_rule
    if rule is None:
        rule = "feasibility-first" if skip else spec.constraint_rule
    return FeasibleRecord(request.constraints, opt.dim, request.vectorized, request.sense,
                          skip_infeasible=skip, rule=rule)


def solve(request):
    """Run a continuous :class:`~evodiff.session.RunRequest` to its result.

    Returns
    -------
    OptimizeResult
    """
    chosen = None
    if isinstance(request.method, str) and request.method.strip().lower() == "auto":
        request.method, chosen = choose_method(request.bounds, request.x0, request.latent)
    spec, popsize, maxiter = _check_arguments(request)
    check_session(request)
    options = request.options
    if request.latent is not None:
        if not spec.latent:
            raise ValueError("latent applies to the Diffusion Evolution methods only; "
                             f"got method={request.method!r}")
        options["latent"] = request.latent
    opt = spec.build(popsize=popsize, maxiter=maxiter, sense=request.sense, rng=request.rng,
                     dtype=request.dtype, backend=request.backend,
                     **_region(request.bounds, request.x0, request.sigma), **options)
    if (request.checkpoint is not None or request.resume is not None) \
            and not getattr(opt, "checkpointable", True):
        raise ValueError(f"method {spec.name!r} cannot be checkpointed (its search state is a "
                         "running generator); run it without checkpoint= and resume=")
    warm_start(opt, request)
    record = _constrained(request, spec, opt)
    history, success, message = execute(opt, request.fun, request, spec.name, record=record)

    counter = [0]
    objective = _scalar_objective(request.fun, request.vectorized, request.args, opt.space,
                                  counter)
    solution_set = getattr(opt, "solution_set", None)
    # under the augmented Lagrangian the optimiser's values are h, not f: only the record's
    # best feasible point has a value of the objective
    modes = ([] if record is not None and record.lagrangian is not None
             else _modes(opt, request, objective, solution_set))
    if record is not None:  # the modes of a constrained run are feasible points
        modes = [mode for mode in modes if record.violation(mode.x) <= 0.0]
        if not modes and record.feasible_x is not None:
            modes = [Mode(x=record.feasible_x.copy(), fun=record.feasible_fun, count=0,
                          support=0.0)]
    if solution_set is None:  # a solution set is final: neither polished nor merged
        modes = _polished(modes, opt, request, objective, counter)
        # distinct optima may lie closer than mode_radius
        modes = merge_modes(modes, opt.space, request.mode_radius, request.sense)
    return finish(opt, request, spec.name, history, success, message, modes=modes,
                  chosen=chosen, extra_nfev=counter[0], candidates=opt.candidates(),
                  record=record)
