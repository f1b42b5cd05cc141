"""One run of the front door, whatever the domain: request, loop, checkpoints and result.

:func:`evodiff.minimize` and :func:`evodiff.maximize` gather their arguments
into a :class:`RunRequest` and hand it to the solver of the problem's domain
(:mod:`evodiff.continuous` for boxes of real numbers,
:mod:`evodiff.binary.solve` for binary vectors).  Both solvers run the same
session, written here once: the checks every run shares
(:func:`check_session`), the loop with its progress bar, callback and
checkpoints (:func:`execute`), the resume of a checkpoint with its history,
and the ending (:func:`finish`: the best of the evaluated point and the
modes, the messages, the :class:`OptimizeResult`).  What differs per domain
(the region, the modes, the polish, the ``'auto'`` choice) stays in its
solver.  This module imports nothing above it.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import OptimizeResult as _ScipyResult
from tqdm.auto import tqdm

from . import checkpoint as checkpoint_module
from .backend import to_numpy
from .driver import History, run
from .evaluation import Evaluator
from .modes import cost_of
from .validation import check_bool, check_int

__all__ = ["OptimizeResult", "RunRequest", "check_options", "check_session", "execute",
           "finish", "resume", "warm_start"]


class OptimizeResult(_ScipyResult):
    """The result of :func:`~evodiff.minimize` / :func:`~evodiff.maximize`: a
    :class:`scipy.optimize.OptimizeResult`.

    The method's final answer points are ``candidates`` (Diffusion Evolution:
    its x0 estimates, one per individual; CMA-ES: its mean; ...).  The name of
    0.1.0, ``estimates``, still works for one release and warns.
    """

    def __getattr__(self, name):
        if name == "estimates" and "candidates" in self:
            warnings.warn("OptimizeResult.estimates is deprecated and goes after 0.2; use "
                          "OptimizeResult.candidates (the final answer points)",
                          DeprecationWarning, stacklevel=2)
            return self["candidates"]
        return super().__getattr__(name)


@dataclass
class RunRequest:
    """The arguments of one :func:`~evodiff.minimize` / :func:`~evodiff.maximize` call.

    The fields are the arguments of :func:`~evodiff.minimize` (see there), with
    ``sense`` ('min' or 'max') added; nothing is checked when it is built.
    """

    fun: Any
    sense: str
    bounds: Any = None
    x0: Any = None
    sigma: Any = None
    method: Any = "auto"
    popsize: Any = None
    maxiter: Any = None
    args: Any = ()
    vectorized: Any = False
    rng: Any = None
    callback: Any = None
    polish: Any = False
    progress: Any = False
    backend: Any = "numpy"
    dtype: Any = "float64"
    mode_radius: Any = 0.05
    min_support: Any = 0.01
    latent: Any = None
    options: Any = None
    workers: Any = None
    batch_size: Any = None
    checkpoint: Any = None
    checkpoint_every: Any = 1
    resume: Any = None
    initial_population: Any = None
    initial_values: Any = None
    constraints: Any = None
    skip_infeasible: Any = False
    constraint_rule: Any = None


#: Arguments of minimize that ``options`` may not repeat (they would reach the builder twice).
_RUN_ARGUMENTS = frozenset({"popsize", "maxiter", "bounds", "center", "scale", "sense", "rng",
                            "dtype", "backend", "dim"})


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


def _check_checkpoint_path(checkpoint):
    """Refuse, before any evaluation, a checkpoint path whose folder does not exist."""
    if checkpoint is None:
        return
    folder = Path(checkpoint).expanduser().resolve().parent
    if not folder.is_dir():
        raise FileNotFoundError(
            f"checkpoint: the folder {str(folder)!r} of {str(checkpoint)!r} does not exist")


def check_session(request):
    """Check what every run shares and normalise it in place.

    ``callback`` (callable or None), ``checkpoint_every`` (integer >= 1), the
    folder of ``checkpoint``, ``options`` (a dict that repeats no argument:
    copied), ``vectorized`` and ``progress`` (booleans); ``args`` becomes a
    tuple.  Raises before any evaluation.
    """
    if request.callback is not None and not callable(request.callback):
        raise TypeError(f"callback must be callable or None; got "
                        f"{type(request.callback).__name__}")
    check_int("checkpoint_every", request.checkpoint_every, minimum=1)
    _check_checkpoint_path(request.checkpoint)
    request.options = check_options(request.options)
    request.vectorized = check_bool("vectorized", request.vectorized)
    check_bool("progress", request.progress)
    if not isinstance(request.args, tuple):
        request.args = (request.args,)


def warm_start(opt, request):
    """Give ``opt`` the request's prior evaluations (``initial_population`` and
    ``initial_values``), unless the run is resumed (its saved state holds them already)."""
    points, values = request.initial_population, request.initial_values
    if points is None and values is None:
        return
    if points is None or values is None:
        raise ValueError("give initial_population and initial_values together (the points "
                         "and their objective values)")
    if request.resume is not None:
        return
    opt.warm_start(points, values, names=("initial_population", "initial_values"))


def _save(opt, path, history, record=None):
    """Write the optimiser's state and the run's history (see :mod:`evodiff.checkpoint`)."""
    extra = {f"history_{key}": values for key, values in history.as_arrays().items()}
    if record is not None:
        extra.update(record.state())
    checkpoint_module.save(opt, path, extra=extra)


def resume(opt, path, prior_values=None, record=None):
    """Restore ``opt`` from a checkpoint written by a run and return the run's history so far.

    ``prior_values`` are the values of the run's prior evaluations (``initial_values``): the
    stored best value may be one of them.  ``record`` is the
    :class:`~evodiff.constrained_run.FeasibleRecord` of a constrained run, restored too.

    Raises
    ------
    ValueError
        The file holds no run history, a malformed one, or a best value that is
        not the best of its history (``not a valid evodiff checkpoint``).
    """
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
    if record is not None:  # the optimiser was told Deb's costs, not the recorded values
        record.load(extra, path)
    else:
        _check_best_against_history(opt, history, path, prior_values)
    return history


def _check_best_against_history(opt, history, path, prior_values=None):
    """The stored best value must be the best of the values the history recorded (or of the
    prior evaluations): a best point and value edited into a file (or left from another run)
    are refused."""
    priors = [] if prior_values is None else np.asarray(prior_values, dtype=np.float64).ravel()
    finite = [v for v in [*history.best, *priors] if math.isfinite(v)]
    if not finite or opt.best_x is None:
        return
    recorded = min(finite) if opt.sense == "min" else max(finite)
    best = opt.best_fun
    if not math.isclose(best, recorded, rel_tol=1e-12, abs_tol=1e-300):
        raise ValueError(f"not a valid evodiff checkpoint: {path!r} stores a best value of "
                         f"{best!r}, but the best value its history recorded is {recorded!r}")


def _intermediate(opt, history):
    """What the callback receives after a generation."""
    best_x = opt.best_x
    return OptimizeResult(x=None if best_x is None else best_x.copy(), fun=opt.best_fun,
                          nit=opt.nit, nfev=opt.nfev, history=history.as_arrays())


def _generation_hook(opt, history, bar, callback, checkpoint, checkpoint_every, record=None):
    """Progress bar, user callback and periodic checkpoint after each generation."""
    def on_generation(generation):
        bar.update(1)
        bar.set_postfix(best=f"{opt.best_fun:.6g}", refresh=False)
        if callback is not None and callback(_intermediate(opt, history)):  # StopIteration: run()
            return True
        if checkpoint is not None and opt.nit % checkpoint_every == 0 \
                and opt.stop_reason() is None:
            _save(opt, checkpoint, history, record)
        return False
    return on_generation


def drive(opt, evaluate, history, name, progress, callback, checkpoint, checkpoint_every,
          record=None):
    """Run ``opt`` to its end with progress bar, callback and checkpoints.

    With ``record`` (a constrained run), ``evaluate`` returns the values the history
    records and ``record.told`` maps them to the values told to the optimiser.

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
        history = run(opt, evaluate, history=history,
                      transform=None if record is None else record.told,
                      on_generation=_generation_hook(opt, history, bar, callback, checkpoint,
                                                     checkpoint_every, record))
    if checkpoint is not None:
        _save(opt, checkpoint, history, record)
    message = {"callback": "stopped by the callback",
               "stop_rule": history.message}.get(history.reason) or opt.finish_message()
    return history, history.reason != "callback", message


def execute(opt, objective, request, name, *, vectorized=None, watch=None, record=None):
    """Resume (if asked) and run ``opt`` on ``objective`` through one evaluator.

    Parameters
    ----------
    opt : Optimizer
    objective : callable
        What the evaluator calls (``request.args`` are passed on).
    request : RunRequest
        Checked by :func:`check_session`.
    name : str
        The method's name (progress bar).
    vectorized : bool, optional
        Overrides ``request.vectorized`` (a binary problem is always vectorised).
    watch : callable, optional
        ``watch(points)`` sees every generation's points before they are evaluated.
    record : FeasibleRecord, optional
        A constrained run's record (:mod:`evodiff.constrained_run`).

    Returns
    -------
    history, success, message
        As :func:`drive`.
    """
    history = (resume(opt, request.resume, request.initial_values, record)
               if request.resume is not None else History())
    vectorized = request.vectorized if vectorized is None else vectorized
    # one evaluator for the whole run: a process pool (workers=int) starts once and is always closed
    evaluator = Evaluator(objective, vectorized=vectorized, workers=request.workers,
                          batch_size=request.batch_size, args=request.args)

    def evaluate_generation(points):
        if watch is not None:
            watch(points)
        if record is None:
            return evaluator(points)
        return record.evaluate(points, to_numpy(points), evaluator)
    with evaluator:
        plain = watch is None and record is None
        return drive(opt, evaluator if plain else evaluate_generation, history, name,
                     request.progress, request.callback, request.checkpoint,
                     request.checkpoint_every, record)


def finish(opt, request, name, history, success, message, *, modes, chosen=None, extra_nfev=0,
           candidates=None, record=None):
    """The result of a finished run: the best of the best evaluated point and the modes.

    Parameters
    ----------
    opt : Optimizer
        The finished optimiser.
    request : RunRequest
    name : str
        The method's registered name.
    history, success, message
        As returned by :func:`execute`.
    modes : list of Mode
        The domain's modes, best first.
    chosen : str, optional
        Why ``method='auto'`` chose ``name`` (prefixed to the message).
    extra_nfev : int
        Evaluations spent after the run (modes, polish).
    candidates : numpy.ndarray, optional
        The final answer points (host, problem space).
    record : FeasibleRecord, optional
        A constrained run's record: the answer is its best feasible point (or the
        least violating one), and the result says ``constraint_violation`` and
        ``feasible``.

    Returns
    -------
    OptimizeResult
    """
    sense = request.sense
    best_x, best_fun = opt.best_x, opt.best_fun
    fields = {}
    if record is not None:  # the optimiser's best is in Deb's costs: the record has the answer
        best_x, best_fun, violation = record.answer()
        fields = {"constraint_violation": violation, "feasible": violation <= 0.0}
    for mode in modes:  # with constraints the modes are feasible: any beats an infeasible answer
        beaten = math.inf if fields.get("feasible") is False else cost_of(best_fun, sense)
        if cost_of(mode.fun, sense) < beaten:
            best_x, best_fun = mode.x, mode.fun
            if record is not None:
                fields = {"constraint_violation": 0.0, "feasible": True}
    if record is not None and not fields["feasible"]:
        success = False
        message = f"{message}; no feasible point was found (x is the least violating one)"
    elif best_x is None or not math.isfinite(best_fun):
        success = False
        message = f"{message}; the objective returned no finite value"
    if chosen is not None:
        message = f"method 'auto' chose {name!r} ({chosen}): {message}"
    return OptimizeResult(
        x=None if best_x is None else np.array(best_x), fun=best_fun,
        nfev=opt.nfev + extra_nfev - (0 if record is None else record.skipped), nit=opt.nit,
        success=success, message=message,
        method=name,
        population=np.asarray(opt.backend.to_host(opt.population), dtype=np.float64),
        candidates=candidates, modes=modes, history=history.as_arrays(), **fields)
