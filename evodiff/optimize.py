"""The front door: :func:`minimize` and :func:`maximize`, in the style of scipy.optimize.

Both run the ask/evaluate/tell loop of an :class:`~evodiff.algorithms.base.Optimizer`
until it finishes, a stopping rule fires or the callback asks to stop, then
gather the answer into an :class:`OptimizeResult`: the best point evaluated,
the final population, the final x0 estimates (Diffusion Evolution) and the
distinct optima found (``modes``), optionally refined by a local method.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
from scipy.optimize import OptimizeResult as _ScipyResult
from scipy.optimize import minimize as _scipy_minimize
from tqdm.auto import tqdm

from . import checkpoint as checkpoint_module
from .algorithms.cmaes import CMAES
from .binary.solve import binary_run, is_binary
from .driver import History, run
from .evaluation import Evaluator, evaluate
from .modes import Mode, cluster_points
from .registry import METHODS, get_method, register_method
from .validation import check_bool, check_int, check_popsize, check_real

__all__ = ["minimize", "maximize", "OptimizeResult", "METHODS", "register_method"]


class OptimizeResult(_ScipyResult):
    """The result of :func:`minimize` / :func:`maximize`: a :class:`scipy.optimize.OptimizeResult`.

    The final x0 estimates of Diffusion Evolution are ``estimates``; the old
    name ``x0`` still works for one release and warns (``minimize(x0=...)``
    is the start point, a different thing).
    """

    def __getattr__(self, name):
        if name == "x0" and "estimates" in self:
            warnings.warn("OptimizeResult.x0 is deprecated; use OptimizeResult.estimates "
                          "(the final x0 estimates)", DeprecationWarning, stacklevel=2)
            return self["estimates"]
        return super().__getattr__(name)


#: Arguments of minimize that ``options`` may not repeat (they would reach the builder twice).
_RUN_ARGUMENTS = frozenset({"popsize", "maxiter", "bounds", "center", "scale", "sense", "rng",
                            "dtype", "backend", "dim"})


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


def _intermediate(opt, history):
    """What the callback receives after a generation."""
    best_x = opt.best_x
    return OptimizeResult(x=None if best_x is None else best_x.copy(), fun=opt.best_fun,
                          nit=opt.nit, nfev=opt.nfev, history=history.as_arrays())


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


def _find_modes(opt, objective, radius, min_support):
    """Cluster the optimiser's final candidates and evaluate each cluster centre.

    Under an evaluation budget (the optimiser's ``maxfevals``) only the centres the
    remaining budget pays for are evaluated, the most supported first; the rest are dropped.
    """
    candidates = opt.candidates()
    if candidates is None or candidates.shape[0] == 0:
        return []
    space = opt.space
    normalised = (candidates - space.center) / space.scale
    min_count = max(1, math.ceil(min_support * candidates.shape[0]))
    centres, counts = cluster_points(normalised, radius, min_count=min_count)
    maxfevals = getattr(opt, "maxfevals", None)
    if maxfevals is not None:  # clusters come most supported first
        affordable = max(0, maxfevals - opt.nfev)
        centres, counts = centres[:affordable], counts[:affordable]
    modes = []
    for centre, count in zip(centres, counts):
        x = space.clip_problem(space.center + space.scale * centre)
        modes.append(Mode(x=x, fun=objective(x), count=int(count),
                          support=float(count / candidates.shape[0])))
    return modes


def _cost(value, sense):
    """A value as a cost to minimise, NaN and infinities worst (the non-finite policy)."""
    if not math.isfinite(value):
        return math.inf
    return value if sense == "min" else -value


def _merge_modes(modes, space, radius, sense):
    """Sort modes best first and fold each into a better one closer than ``radius``.

    After polishing, several clusters of one basin end at the same point;
    they are one optimum, supported by all their estimates.
    """
    modes = sorted(modes, key=lambda m: _cost(m.fun, sense))
    kept = []
    for mode in modes:
        for i, other in enumerate(kept):
            if np.linalg.norm((mode.x - other.x) / space.scale) < radius:
                kept[i] = Mode(x=other.x, fun=other.fun, count=other.count + mode.count,
                               support=other.support + mode.support)
                break
        else:
            kept.append(mode)
    return kept


def _polish(modes, objective, space, sign):
    """Refine every mode with L-BFGS-B inside the bounds (if any)."""
    bounds = None if not space.bounded else list(zip(space.lower, space.upper))
    polished = []
    for mode in modes:
        local = _scipy_minimize(lambda p: sign * objective(p), mode.x, method="L-BFGS-B",
                                bounds=bounds, options={"ftol": 1e-15, "gtol": 1e-10})
        if np.isfinite(local.fun) and local.fun <= sign * mode.fun:
            mode = Mode(x=np.asarray(local.x, dtype=np.float64), fun=sign * float(local.fun),
                        count=mode.count, support=mode.support)
        polished.append(mode)
    return polished


#: Largest dimension for which ``method='auto'`` picks the converging Diffusion Evolution
#: (its CMA-ES refinements hold D x D matrices); beyond it, latent Diffusion Evolution.
AUTO_MAX_REFINED_DIM = 1000

#: Step size (normalised units) and evaluations per dimension of ``polish='cmaes'``.
CMAES_POLISH_SIGMA = 0.05
CMAES_POLISH_EVALS_PER_DIM = 1000


def _polish_cmaes(modes, evaluate_batch, opt, sense, counter):
    """Refine every mode with a small CMA-ES started there (derivative-free)."""
    space = opt.space
    region = ({"bounds": list(zip(space.lower, space.upper))} if space.bounded
              else {"center": space.center, "scale": space.scale})
    polished = []
    def batch(X):
        counter[0] += X.shape[0]
        return evaluate_batch(opt.backend.to_host(X))

    for mode in modes:
        local = CMAES(x0=np.clip(mode.x, space.lower, space.upper) if space.bounded else mode.x,
                      sigma0=CMAES_POLISH_SIGMA, sense=sense, rng=opt.rng,
                      dtype=opt.backend.dtype_name, maxfevals=CMAES_POLISH_EVALS_PER_DIM * opt.dim,
                      **region)
        run(local, batch)
        better = (local.best_fun < mode.fun) if sense == "min" else (local.best_fun > mode.fun)
        if local.best_x is not None and np.isfinite(local.best_fun) and better:
            mode = Mode(x=local.best_x, fun=local.best_fun, count=mode.count,
                        support=mode.support)
        polished.append(mode)
    return polished


def _dimension(bounds, x0):
    if bounds is not None:
        lower = getattr(bounds, "lb", None)
        return int(np.size(lower)) if lower is not None else len(bounds)
    return int(np.size(x0))


def _choose_method(bounds, x0, latent):
    """The method ``method='auto'`` runs, and why (a phrase for ``res.message``)."""
    if latent is not None:
        return "diffevo", "a latent encoder was given"
    try:
        dim = _dimension(bounds, x0)
    except TypeError:
        return "diffevo-restarts", "default"  # the region's own checks report the problem
    if dim > AUTO_MAX_REFINED_DIM:
        return "latent-diffevo", f"D = {dim} > {AUTO_MAX_REFINED_DIM}"
    return "diffevo-restarts", f"D = {dim} <= {AUTO_MAX_REFINED_DIM}"


def _save(opt, path, history):
    """Write the optimiser's state and the run's history (see :mod:`evodiff.checkpoint`)."""
    extra = {f"history_{key}": values for key, values in history.as_arrays().items()}
    checkpoint_module.save(opt, path, extra=extra)


def _resume(opt, path):
    """Restore ``opt`` from a checkpoint and return the run's history so far."""
    extra = checkpoint_module.restore(opt, path)
    try:
        history = History.from_arrays({key: extra[f"history_{key}"]
                                       for key in ("best", "median", "nfev")})
    except KeyError as exc:
        raise ValueError(
            f"resume: {path!r} holds an optimiser state but no minimize history; it was not "
            "written by minimize(checkpoint=...)") from exc
    except (TypeError, ValueError, AttributeError) as exc:
        raise ValueError(f"not a valid evodiff checkpoint: {path!r} holds a malformed minimize "
                         f"history ({type(exc).__name__}: {exc})") from exc
    _check_best_against_history(opt, history, path)
    return history


def _check_best_against_history(opt, history, path):
    """The stored best value must be the best of the values the history recorded: a best
    point and value edited into a file (or left from another run) are refused."""
    finite = [v for v in history.best if math.isfinite(v)]
    if not finite or opt.best_x is None:
        return
    recorded = min(finite) if opt.sense == "min" else max(finite)
    best = opt.best_fun
    if not math.isclose(best, recorded, rel_tol=1e-12, abs_tol=1e-300):
        raise ValueError(f"not a valid evodiff checkpoint: {path!r} stores a best value of "
                         f"{best!r}, but the best value its history recorded is {recorded!r}")


def _check_run_arguments(fun, method, popsize, maxiter, callback, mode_radius, min_support,
                         checkpoint_every, polish):
    if not callable(fun):
        raise TypeError(f"fun must be callable; got {type(fun).__name__}")
    if not (isinstance(polish, (bool, np.bool_)) or polish in ("lbfgsb", "cmaes")):
        raise ValueError(f"polish must be False, True, 'lbfgsb' or 'cmaes'; got {polish!r}")
    spec = get_method(method)
    if popsize is not None:
        popsize = check_popsize(popsize)
    if maxiter is not None:
        maxiter = check_int("maxiter", maxiter, minimum=1)
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable or None; got {type(callback).__name__}")
    check_real("mode_radius", mode_radius, minimum=0.0, strict=True)
    check_real("min_support", min_support, minimum=0.0, maximum=1.0)
    check_int("checkpoint_every", checkpoint_every, minimum=1)
    return spec, popsize, maxiter


def _check_checkpoint_path(checkpoint):
    """Refuse, before any evaluation, a checkpoint path whose folder does not exist."""
    if checkpoint is None:
        return
    folder = Path(checkpoint).expanduser().resolve().parent
    if not folder.is_dir():
        raise FileNotFoundError(
            f"checkpoint: the folder {str(folder)!r} of {str(checkpoint)!r} does not exist")


def _generation_hook(opt, history, bar, callback, checkpoint, checkpoint_every):
    """Progress bar, user callback and periodic checkpoint after each generation."""
    def on_generation(generation):
        bar.update(1)
        bar.set_postfix(best=f"{opt.best_fun:.6g}", refresh=False)
        if callback is not None and callback(_intermediate(opt, history)):  # StopIteration: run()
            return True
        if checkpoint is not None and opt.nit % checkpoint_every == 0 \
                and opt.stop_reason() is None:
            _save(opt, checkpoint, history)
        return False
    return on_generation


def check_options(options):
    """A copy of ``options`` as a dict, refusing one that repeats an argument of minimize."""
    if options is not None and not isinstance(options, dict):
        raise TypeError(f"options must be a dict or None; got {type(options).__name__}")
    options = dict(options or {})
    repeated = sorted(set(options) & _RUN_ARGUMENTS)
    if repeated:
        raise TypeError(f"options must not repeat arguments of minimize ({', '.join(repeated)}); "
                        "pass them as arguments")
    return options


def drive(opt, evaluate, history, name, progress, callback, checkpoint, checkpoint_every):
    """Run ``opt`` to its end with progress bar, callback and checkpoints (continuous or binary).

    Returns
    -------
    history : History
    success : bool
        False when the callback stopped the run.
    message : str
        Why the run ended.
    """
    with tqdm(total=opt.max_generations, initial=opt.nit, disable=not progress,
              desc=f"evodiff {name}", unit="gen") as bar:
        history = run(opt, evaluate, history=history, on_generation=_generation_hook(
            opt, history, bar, callback, checkpoint, checkpoint_every))
    if checkpoint is not None:
        _save(opt, checkpoint, history)
    message = {"callback": "stopped by the callback",
               "stop_rule": history.message}.get(history.reason) or opt.finish_message()
    return history, history.reason != "callback", message


def _run(fun, sense, bounds, x0, sigma, method, popsize, maxiter, args, vectorized, rng,
         callback, polish, progress, backend, dtype, mode_radius, min_support, latent, options,
         *, workers=None, batch_size=None, checkpoint=None, checkpoint_every=1, resume=None):
    if is_binary(fun, bounds):
        if x0 is not None or sigma is not None or latent is not None:
            raise ValueError("x0, sigma and latent apply to continuous problems, not to a "
                             "binary one")
        return binary_run(fun, sense, bounds, method, popsize, maxiter, args, vectorized, rng,
                          callback, polish, progress, backend, dtype, options, workers=workers,
                          batch_size=batch_size, checkpoint=checkpoint,
                          checkpoint_every=checkpoint_every, resume=resume)
    chosen = None
    if isinstance(method, str) and method.strip().lower() == "auto":
        method, chosen = _choose_method(bounds, x0, latent)
    spec, popsize, maxiter = _check_run_arguments(
        fun, method, popsize, maxiter, callback, mode_radius, min_support, checkpoint_every,
        polish)
    _check_checkpoint_path(checkpoint)
    if not isinstance(args, tuple):
        args = (args,)
    vectorized = check_bool("vectorized", vectorized)
    check_bool("progress", progress)
    options = check_options(options)
    if latent is not None:
        if spec.name not in ("diffevo", "latent-diffevo", "diffevo-restarts"):
            raise ValueError("latent applies to the Diffusion Evolution methods only; "
                             f"got method={method!r}")
        options["latent"] = latent
    opt = spec.build(popsize=popsize, maxiter=maxiter, sense=sense, rng=rng, dtype=dtype,
                     backend=backend, **_region(bounds, x0, sigma), **options)
    if (checkpoint is not None or resume is not None) and not getattr(opt, "checkpointable", True):
        raise ValueError(f"method {spec.name!r} cannot be checkpointed (its search state is a "
                         "running generator); run it without checkpoint= and resume=")
    history = _resume(opt, resume) if resume is not None else History()
    # one evaluator for the whole run: a process pool (workers=int) starts once and is always closed
    evaluator = Evaluator(fun, vectorized=vectorized, workers=workers, batch_size=batch_size,
                          args=args)
    with evaluator:
        history, success, message = drive(opt, evaluator, history, spec.name, progress,
                                          callback, checkpoint, checkpoint_every)

    counter = [0]
    objective = _scalar_objective(fun, vectorized, args, opt.space, counter)
    solution_set = getattr(opt, "solution_set", None)
    if solution_set is not None:  # the method reports evaluated optima: they are the modes
        points, values = solution_set()
        modes = [Mode(x=x, fun=float(v), count=1, support=1.0 / len(values))
                 for x, v in zip(points, values)]
        polish = False
    elif hasattr(opt, "evaluated_modes"):  # modes known with their values: nothing to evaluate
        points, values = opt.evaluated_modes()
        modes = [Mode(x=x, fun=float(v), count=1, support=1.0 / len(values))
                 for x, v in zip(points, values)]
    else:
        modes = _find_modes(opt, objective, mode_radius, min_support)
    if not modes and opt.best_x is not None and math.isfinite(opt.best_fun):
        # no cluster reached min_support (or none was affordable): a finished run still
        # reports its best point
        modes = [Mode(x=np.array(opt.best_x), fun=float(opt.best_fun), count=0, support=0.0)]
    if polish == "cmaes":
        def evaluate_batch(X):
            points = opt.space.clip_points(opt.backend.asarray(X))
            if not vectorized:
                points = opt.backend.to_host(points)
            values = evaluate(fun, points, vectorized=vectorized, args=args)
            return np.asarray(opt.backend.to_host(values), dtype=np.float64)
        modes = _polish_cmaes(modes, evaluate_batch, opt, sense, counter)
    elif polish:
        modes = _polish(modes, objective, opt.space, 1.0 if sense == "min" else -1.0)
    if solution_set is None:  # distinct optima may lie closer than mode_radius
        modes = _merge_modes(modes, opt.space, mode_radius, sense)
    best_x, best_fun = opt.best_x, opt.best_fun
    for mode in modes:
        if _cost(mode.fun, sense) < _cost(best_fun, sense):
            best_x, best_fun = mode.x, mode.fun
    if best_x is None or not math.isfinite(best_fun):
        success = False
        message = f"{message}; the objective returned no finite value"
    if chosen is not None:
        message = f"method 'auto' chose {spec.name!r} ({chosen}): {message}"
    return OptimizeResult(
        x=None if best_x is None else np.array(best_x), fun=best_fun,
        nfev=opt.nfev + counter[0], nit=opt.nit, success=success, message=message,
        method=spec.name,
        population=np.asarray(opt.backend.to_host(opt.population), dtype=np.float64),
        estimates=opt.candidates(), modes=modes,
        history=history.as_arrays(),
    )


def minimize(fun, bounds=None, *, x0=None, sigma=None, method="auto", popsize=None,
             maxiter=None, args=(), vectorized=False, rng=None, callback=None, polish=False,
             progress=False, backend="numpy", dtype="float64", mode_radius=0.05,
             min_support=0.01, latent=None, options=None, workers=None, batch_size=None,
             checkpoint=None, checkpoint_every=1, resume=None):
    """Minimise a black-box function with an evolutionary method.

    Parameters
    ----------
    fun : callable, a QUBO, Ising or MaxCut problem, or a networkx graph
        ``fun(x, *args) -> float`` with ``x`` of shape ``(D,)``; or, with
        ``vectorized=True``, ``fun(X, *args) -> (N,)`` for a population ``X``
        of shape ``(N, D)`` on the chosen backend.  A binary problem of
        :mod:`evodiff.binary` is optimised as it is (no ``bounds``): its
        energy, or the cut of a Max-Cut problem; a networkx graph stands for
        its Max-Cut problem (:func:`evodiff.binary.from_networkx`: ``res.x[i]``
        is the side of the ``i``-th vertex of ``graph.nodes``).
    bounds : sequence of (min, max) pairs, scipy.optimize.Bounds or evodiff.binary.Bits, optional
        Search box; ``fun`` is never called outside it.  Give either
        ``bounds`` or ``x0`` (with ``sigma``).  ``Bits(n)`` makes ``fun`` a
        black-box objective of ``n``-bit vectors.

        A binary run (a problem, or ``Bits``) takes the binary methods:
        ``'auto'`` picks ``'anneal'`` (simulated annealing, ``maxiter`` =
        sweeps) for a problem and ``'binary-diffevo'`` (discrete Diffusion
        Evolution, ``maxiter`` = schedule points) for a black box, and
        ``'tempering'`` (parallel tempering, ``maxiter`` = sweeps) runs on a
        problem too; ``polish=True`` is a one-flip descent of every mode, and ``res.modes``
        are the distinct states of the last generation, best first (see
        :doc:`/guide/binary`).
    x0 : array_like, shape (D,), optional
        Centre of the search region when there are no bounds.
    sigma : float or array_like, optional
        Scale of the search region around ``x0`` (default 1).
    method : str, default 'auto'
        ``'auto'`` chooses by the problem and says so in ``res.message``:
        ``'diffevo-restarts'`` up to ``AUTO_MAX_REFINED_DIM`` = 1000
        dimensions, ``'latent-diffevo'`` beyond (CMA-ES refinements would
        hold D x D matrices), ``'diffevo'`` when a ``latent`` encoder is
        given.  Or the name of a registered method
        (:data:`~evodiff.registry.METHODS`): ``'diffevo-restarts'``
        (Diffusion Evolution that converges: exploration, CMA-ES refinement
        of its modes and restarts inside a budget of ``10_000 * D``
        evaluations, :class:`~evodiff.algorithms.restarts.RestartedDiffusionEvolution`),
        ``'diffevo-niching'`` (every global optimum it finds, each an
        evaluated point in ``modes``, inside ``options={'maxfevals': ...}``,
        :class:`~evodiff.algorithms.niching.NichingDiffusionEvolution`),
        ``'diffevo'`` (the paper's Diffusion Evolution, unchanged),
        ``'latent-diffevo'`` (its latent variant, ``latent='random'``),
        ``'cmaes'``, ``'openes'``, ``'pepg'``, or one added with
        :func:`~evodiff.registry.register_method`.
    popsize : int, optional
        Population size: an absolute number of individuals per generation
        (not a multiplier of the dimension as in
        ``scipy.optimize.differential_evolution``).  Defaults: Diffusion
        Evolution 512, its exploration in ``'diffevo-restarts'``
        ``max(256, 32 D)`` (fewer when the budget is small), CMA-ES
        ``4 + floor(3 ln D)``, OpenES and PEPG 256.
    maxiter : int, optional
        Number of generations.  Diffusion Evolution: the number of schedule
        points (default 50); ``'diffevo-restarts'``: the schedule points of
        its exploration (default 20; the budget is
        ``options={'maxfevals': ...}``); CMA-ES: generations per run (pycma's default
        ``100 + 150 (D + 3)**2 / sqrt(popsize)``, other stopping rules may end
        the run first, see :class:`~evodiff.algorithms.cmaes.CMAES`); OpenES
        and PEPG: default 1000.
    args : tuple, default ()
        Extra arguments passed to ``fun``.
    vectorized : bool, default False
        Whether ``fun`` evaluates a whole population at once.
    rng : None, int or numpy.random.Generator, optional
        The same seed gives the same result, bit for bit, on the same backend.
    callback : callable, optional
        ``callback(intermediate_result)`` after each generation, with an
        ``OptimizeResult`` holding ``x``, ``fun``, ``nit``, ``nfev`` and
        ``history``.  Returning ``True`` or raising ``StopIteration`` stops
        the run (``success`` is then ``False``).
    polish : {False, True, 'lbfgsb', 'cmaes'}, default False
        Refine every mode after the run: ``True`` or ``'lbfgsb'`` with
        L-BFGS-B (bounded by ``bounds``; for smooth objectives),
        ``'cmaes'`` with a small CMA-ES started at the mode (step size
        ``CMAES_POLISH_SIGMA`` = 0.05 normalised units, at most
        ``1000 * D`` evaluations per mode; derivative-free, for rugged or
        noisy objectives).  Their evaluations are counted in ``nfev``.
    progress : bool, default False
        Show a tqdm progress bar.
    backend : {'numpy', 'cupy', 'array_api_strict'} or module, default 'numpy'
    dtype : {'float64', 'float32'}, default 'float64'
    mode_radius : float, default 0.05
        Radius, in normalised units (fractions of the half-width of the box,
        or of ``sigma``), within which final estimates count as one mode.
    min_support : float, default 0.01
        Smallest fraction (0 to 1) of the final estimates a mode must gather.
        When no cluster does (or, under ``options={'maxfevals': ...}``, no
        cluster centre is left budget to be evaluated), ``res.modes`` holds
        the best evaluated point alone (``count`` 0, ``support`` 0): a
        finished run always reports a mode when it saw a finite value.  The
        methods that know their optima's values (``'diffevo-restarts'``,
        ``'diffevo-niching'``) report them directly, one ``count`` each,
        without clustering or new evaluations.
    latent : None, 'random', 'pca', int, array_like or callable, optional
        Latent Diffusion Evolution for high-dimensional problems (method
        'diffevo' only); see :class:`~evodiff.algorithms.diffusion.DiffusionEvolution`.
        The latent dimension goes in ``options={'latent_dim': d}``.
    options : dict, optional
        Further keyword arguments of the method's class, e.g.
        ``{'schedule': 'linear', 'noise': 0.2, 'latent': 2}`` for Diffusion
        Evolution, ``{'ftarget': 1e-8, 'restarts': 4}`` for CMA-ES or
        ``{'antithetic': True}`` for OpenES.  CMA-ES, OpenES and PEPG accept
        ``{'x0': ...}`` as a start point inside ``bounds``.
    workers : None, int, callable, concurrent.futures.Executor or distributed.Client, optional
        Where each generation is evaluated.  ``None`` or ``1``: in this
        process.  An int ``n > 1``: a pool of ``n`` local processes, started
        once for the run and shut down at its end (``fun`` and ``args`` must
        be picklable).  A :class:`concurrent.futures.Executor`, a map-like
        callable (``pool.map``) or a Dask ``distributed.Client``: used as
        given and left open.  The result does not depend on ``workers``; see
        :class:`~evodiff.evaluation.Evaluator` and :doc:`/guide/parallel`.
    batch_size : int, optional
        Points per task sent to a worker; default ``ceil(popsize / (4 *
        number of workers))`` (2 instead of 4 on Dask).  A vectorised
        ``fun`` is called once per batch; without ``workers`` it receives
        the whole population unless ``batch_size`` is given.
    checkpoint : str or path, optional
        Write the optimiser's full state and the run's history to this
        ``.npz`` file every ``checkpoint_every`` generations and at the end
        (atomically: a crash never leaves a half-written file).
    checkpoint_every : int, default 1
    resume : str or path, optional
        Continue the run saved in this checkpoint.  Pass the same arguments as
        the interrupted run (and a callable latent encoder again): the result
        equals, bit for bit on NumPy, that of a run never interrupted.  The
        file is validated (format version, algorithm, settings).

    Returns
    -------
    OptimizeResult
        ``x``, ``fun`` (the best point evaluated and its value), ``nfev``,
        ``nit``, ``success``, ``message``, ``population`` (the optimiser's final
        population in problem space, as it holds it: for CMA-ES, OpenES and
        PEPG the last sample *before* clipping, so with bounds it may lie
        outside the box; the objective received those points clipped into it),
        ``estimates`` (the final answer points: Diffusion Evolution's x0
        estimates, the final mean of the others, shape (M, D); ``x0`` is a
        deprecated alias), ``modes`` (list of
        :class:`~evodiff.modes.Mode`, best first) and ``history`` (dict of
        arrays: ``best`` and ``median`` value and cumulative ``nfev`` per
        generation).

    Examples
    --------
    >>> import numpy as np
    >>> from evodiff import minimize
    >>> res = minimize(lambda X: np.sum((X - 1.0)**2, axis=1), bounds=[(-5, 5)] * 2,
    ...                vectorized=True, popsize=128, maxiter=30, rng=0)
    >>> bool(res.fun < 1e-2)
    True
    """
    return _run(fun, "min", bounds, x0, sigma, method, popsize, maxiter, args, vectorized, rng,
                callback, polish, progress, backend, dtype, mode_radius, min_support, latent,
                options, workers=workers, batch_size=batch_size, checkpoint=checkpoint,
                checkpoint_every=checkpoint_every, resume=resume)


def maximize(fun, bounds=None, *, x0=None, sigma=None, method="auto", popsize=None,
             maxiter=None, args=(), vectorized=False, rng=None, callback=None, polish=False,
             progress=False, backend="numpy", dtype="float64", mode_radius=0.05,
             min_support=0.01, latent=None, options=None, workers=None, batch_size=None,
             checkpoint=None, checkpoint_every=1, resume=None):
    """Maximise a black-box function; the same as :func:`minimize` with the sense flipped.

    ``x`` and ``fun`` of the result are the point with the *largest* value,
    ``history['best']`` holds the largest value per generation and ``modes``
    are sorted from the highest value down.  See :func:`minimize` for the
    parameters.
    """
    return _run(fun, "max", bounds, x0, sigma, method, popsize, maxiter, args, vectorized, rng,
                callback, polish, progress, backend, dtype, mode_radius, min_support, latent,
                options, workers=workers, batch_size=batch_size, checkpoint=checkpoint,
                checkpoint_every=checkpoint_every, resume=resume)
