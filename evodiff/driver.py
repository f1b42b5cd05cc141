"""The one run loop: ask -> evaluate -> tell, with its history, budget and hooks.

Every caller that runs an optimiser to its end goes through :func:`run`:
:func:`~evodiff.optimize.minimize`, the benchmark suites, the demos and the
benchmark scripts.  A generation is recorded the same way everywhere
(:class:`Generation`), and a caller that needs more than the history (the
points, the x0 estimates, the schedule point) reads it from the record
handed to ``on_generation``, never from the optimiser's private state.

Examples
--------
>>> import numpy as np
>>> from evodiff import DiffusionEvolution
>>> from evodiff.driver import run
>>> opt = DiffusionEvolution(bounds=[(-5, 5)] * 2, popsize=64, steps=10, rng=0)
>>> history = run(opt, lambda X: np.sum(X**2, axis=1))
>>> len(history.best), history.reason
(10, 'done')
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .backend import to_numpy
from .validation import check_int, check_sense

__all__ = ["Generation", "History", "run", "summarize_values"]


def summarize_values(values, sense):
    """Best and median of the finite values of one generation (NaN when there are none).

    Parameters
    ----------
    values : array_like, shape (N,)
        Objective values in the user's sign.
    sense : {'min', 'max'}

    Returns
    -------
    best, median : float
    """
    values = np.asarray(values, dtype=np.float64)
    finite = values[np.isfinite(values)]
    if not finite.size:
        return float("nan"), float("nan")
    best = finite.min() if sense == "min" else finite.max()
    return float(best), float(np.median(finite))


class Generation:
    """The public record of one generation, handed to ``on_generation``.

    Attributes
    ----------
    nit : int
        Generations told so far, this one included.
    nfev : int
        Objective values told so far (the optimiser's count).
    points : array, shape (N, D)
        The points asked, as the objective received them (on the
        optimiser's backend; problem space, inside the bounds).
    values : numpy.ndarray, shape (N,)
        Their objective values (user's sign), float64 on the host: as the
        optimiser holds them (in its dtype), or, with a ``transform``, as the
        objective returned them (before the transform).
    best, median : float
        Best and median finite value of ``values`` (NaN if none is finite).
    optimizer : Optimizer
        The optimiser, for its public attributes (``best_x``, ``best_fun``...).

    Notes
    -----
    :attr:`estimates` and :attr:`schedule_point` describe the optimiser
    right after this generation's ``tell``: read them inside
    ``on_generation`` (they are not snapshots).
    """

    __slots__ = ("nit", "nfev", "points", "values", "best", "median", "optimizer")

    def __init__(self, optimizer, points, values, best, median):
        self.optimizer = optimizer
        self.nit = int(optimizer.nit)
        self.nfev = int(optimizer.nfev)
        self.points = points
        self.values = values
        self.best = best
        self.median = median

    @property
    def estimates(self):
        """array or None : the optimiser's current estimates (Diffusion Evolution: x0, problem space)."""
        return self.optimizer.estimates

    @property
    def schedule_point(self):
        """tuple or None : ``(alpha_t, alpha_prev)`` of the denoising step just taken, if any."""
        return self.optimizer.schedule_point


@dataclass
class History:
    """What :func:`run` returns: one entry per generation, and why the run ended.

    Attributes
    ----------
    best, median : list of float
        Best and median finite objective value of each generation (user's
        sign; NaN for a generation without a finite value).
    nfev : list of int
        Cumulative evaluations after each generation.
    reason : str or None
        Why the loop ended: ``'done'`` (the optimiser finished),
        ``'stop_rule'`` (its :meth:`stop_reason` fired), ``'budget'`` (the
        next generation would exceed ``budget``) or ``'callback'``
        (``on_generation`` asked to stop); ``None`` before the run.
    message : str or None
        The optimiser's stop message when ``reason == 'stop_rule'``.
    """

    best: list = field(default_factory=list)
    median: list = field(default_factory=list)
    nfev: list = field(default_factory=list)
    reason: str | None = None
    message: str | None = None

    def append(self, best, median, nfev):
        """Record one generation."""
        self.best.append(best)
        self.median.append(median)
        self.nfev.append(int(nfev))

    def as_arrays(self):
        """dict : ``best``, ``median`` (float arrays) and ``nfev`` (int array)."""
        return {"best": np.array(self.best, dtype=float),
                "median": np.array(self.median, dtype=float),
                "nfev": np.array(self.nfev, dtype=int)}

    @classmethod
    def from_arrays(cls, arrays):
        """A history continued from :meth:`as_arrays` (e.g. read from a checkpoint)."""
        return cls(best=[float(v) for v in np.asarray(arrays["best"], dtype=float)],
                   median=[float(v) for v in np.asarray(arrays["median"], dtype=float)],
                   nfev=[int(v) for v in np.asarray(arrays["nfev"])])


def _wants_stop(on_generation, generation):
    try:
        return bool(on_generation(generation))
    except StopIteration:
        return True


def run(opt, evaluate, *, budget=None, transform=None, on_generation=None, history=None,
        sense=None):
    """Run ``opt`` until it finishes, a stopping rule fires, the budget is spent or a hook stops it.

    Parameters
    ----------
    opt : Optimizer
        Any evodiff ask/tell optimiser (a fresh one, or one restored from a
        checkpoint).
    evaluate : callable
        ``evaluate(X) -> values``: the objective values (user's sign) of the
        points ``X`` returned by ``opt.ask()``.
    budget : int, optional
        Largest number of evaluations (counted by ``opt.nfev``); a
        generation that would exceed it is not started.
    transform : callable, optional
        ``transform(values) -> told``: what to tell the optimiser instead of
        the objective values (the history keeps the objective values).
    on_generation : callable, optional
        ``on_generation(generation)`` after each ``tell``, with a
        :class:`Generation`; returning a true value or raising
        ``StopIteration`` stops the run.
    history : History, optional
        A history to continue (a resumed run); a new one by default.
    sense : {'min', 'max'}, optional
        Direction of the objective values, for the history's ``best``
        (default: the optimiser's; give it when a ``transform`` tells the
        optimiser values of the other direction).

    Returns
    -------
    History
    """
    if not callable(evaluate):
        raise TypeError(f"evaluate must be callable; got {type(evaluate).__name__}")
    if transform is not None and not callable(transform):
        raise TypeError(f"transform must be callable or None; got {type(transform).__name__}")
    if on_generation is not None and not callable(on_generation):
        raise TypeError(
            f"on_generation must be callable or None; got {type(on_generation).__name__}")
    if budget is not None:
        budget = check_int("budget", budget, minimum=1)
    history = History() if history is None else history
    sense = opt.sense if sense is None else check_sense(sense)
    history.reason = history.message = None
    message = None if opt.done else opt.stop_reason()
    if message is not None:
        history.reason, history.message = "stop_rule", message
        return history
    while not opt.done:
        if budget is not None and opt.nfev + opt.popsize > budget:
            history.reason = "budget"
            return history
        points = opt.ask()
        raw = evaluate(points)
        opt.tell(raw if transform is None else transform(raw))
        # as the optimiser holds them (its dtype), so the history agrees with best_fun
        seen = raw if transform is not None else opt.last_values
        values = np.asarray(to_numpy(seen), dtype=np.float64).reshape(-1)
        best, median = summarize_values(values, sense)
        history.append(best, median, opt.nfev)
        if on_generation is not None and _wants_stop(
                on_generation, Generation(opt, points, values, best, median)):
            history.reason = "callback"
            return history
        message = opt.stop_reason()
        if message is not None:
            history.reason, history.message = "stop_rule", message
            return history
    history.reason = "done"
    return history
