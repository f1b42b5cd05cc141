"""One call of the objective on a batch, what it may return, and how its failure travels.

A batch of the population is evaluated by a :class:`BatchTask` (in this
process or on a worker); a result that is not a real number per point, or an
exception of the objective, comes back as a failure that the caller raises as
:class:`EvaluationError` naming the rows, with the worker's traceback attached.
:mod:`evodiff.evaluation` spreads the batches over the workers.
"""

from __future__ import annotations

import pickle
import traceback

import numpy as np

from .backend import to_numpy

__all__ = ["EvaluationError", "BatchTask", "Failure", "raise_failure", "vectorized_result_problem"]


class EvaluationError(RuntimeError):
    """The objective raised an exception on a point of the population.

    The original exception is chained as ``__cause__``; when it was raised
    in another process, its traceback there is attached to it as a note.

    Parameters
    ----------
    message : str
        What failed, naming the index of the individual.
    index : int or None
        Index of the failing individual in the population, or ``None`` when
        a vectorised objective failed on a batch as a whole.
    rows : tuple of int
        ``(start, stop)``: the rows of the population handed to the failing
        call (``(index, index + 1)`` for a per-point objective).

    Attributes
    ----------
    index : int or None
        As above.
    rows : tuple of int
        As above.
    """

    def __init__(self, message, index=None, rows=None):
        super().__init__(message)
        self.index = index
        self.rows = rows

    def __reduce__(self):
        return (type(self), (self.args[0], self.index, self.rows))


# -- The work done on a worker ---------------------------------------------------------

class Failure:
    """What went wrong in one batch; travels back from the worker instead of an exception.

    ``kind`` is ``'raised'`` (the objective raised ``error``) or ``'value'``
    (it returned something that is not a valid value; ``error`` is the message).
    """

    __slots__ = ("kind", "index", "rows", "error", "trace")

    def __init__(self, kind, index, rows, error, trace=""):
        self.kind = kind
        self.index = index
        self.rows = rows
        self.error = error
        self.trace = trace

    def __getstate__(self):
        return (self.kind, self.index, self.rows, self.error, self.trace)

    def __setstate__(self, state):
        self.kind, self.index, self.rows, self.error, self.trace = state


def _portable(exc):
    """Return ``exc`` if it survives pickling, else a RuntimeError that describes it."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


#: NumPy dtype kinds accepted as objective values: integers and reals (no strings, complex,
#: booleans or objects, which ``float()`` would otherwise read or silently truncate).
_REAL_KINDS = "iuf"


def _real_kind(result):
    kind = getattr(getattr(result, "dtype", None), "kind", None)
    if kind is None:
        kind = np.asarray(result).dtype.kind
    return kind in _REAL_KINDS


def _as_number(result):
    """The float value of one objective result, or raise TypeError/ValueError."""
    if isinstance(result, (str, bytes, bool, np.bool_, np.ma.MaskedArray)) or \
            result is np.ma.masked or not _real_kind(result):
        raise TypeError(f"not a real number: {result!r}")
    return float(np.asarray(result).item()) if np.ndim(result) else float(result)


def vectorized_result_problem(result, n, where=""):
    """What is wrong with a vectorised objective's ``result`` for ``n`` points (``None``: nothing).

    ``where`` (e.g. ``" for rows 0 to 9"``) says which rows, in the message.
    """
    shape = tuple(getattr(result, "shape", np.shape(result)))
    if shape != (n,):
        return f"a vectorized fun must return shape ({n},) for {n} points; got shape {shape}{where}"
    if isinstance(result, np.ma.MaskedArray):
        return (f"a vectorized fun returned a masked array{where}; its masked entries have no "
                "value: return NaN for the points that failed")
    if not _real_kind(result):
        kind = getattr(result, "dtype", None)
        kind = np.asarray(result).dtype if kind is None else kind
        return f"a vectorized fun must return real numbers; got an array of dtype {kind}{where}"
    return None


class BatchTask:
    """Evaluate ``fun`` on one batch ``(start, points)``; picklable when ``fun`` is.

    Returns a float64 array of the batch's values, or a :class:`Failure`
    describing the first point that failed.  Exceptions of the objective are
    caught here, on the worker, so that every transport (process pools,
    ``map``, Dask) brings them back the same way, with their index.
    """

    def __init__(self, fun, args, vectorized, portable):
        self.fun = fun
        self.args = args
        self.vectorized = vectorized
        self.portable = portable

    def _raised(self, exc, index, rows):
        trace = "".join(traceback.format_exception(exc)) if self.portable else ""
        return Failure("raised", index, rows, _portable(exc) if self.portable else exc, trace)

    def __call__(self, batch):
        start, points = batch
        n = points.shape[0]
        if self.vectorized:
            rows = (start, start + n)
            try:
                result = self.fun(points, *self.args)
            except Exception as exc:
                return self._raised(exc, None, rows)
            problem = vectorized_result_problem(result, n, f" for rows {start} to {start + n - 1}")
            if problem is not None:
                return Failure("value", None, rows, problem)
            return np.asarray(to_numpy(result), dtype=np.float64)
        values = np.empty(n, dtype=np.float64)
        for k in range(n):
            index = start + k
            point = points[k].copy()  # the objective may modify its argument; the population must not change
            try:
                result = self.fun(point, *self.args)
            except Exception as exc:
                return self._raised(exc, index, (index, index + 1))
            try:
                values[k] = _as_number(result)
            except (TypeError, ValueError):
                return Failure("value", index, (index, index + 1),
                                f"fun must return a single real number per point; "
                                f"point {index} gave {result!r}")
        return values


def raise_failure(failure, fun):
    """Raise the exception that a :class:`Failure` stands for, in the caller's process."""
    if failure.kind == "value":
        raise ValueError(failure.error)
    error = failure.error
    if failure.trace and error.__traceback__ is None and hasattr(error, "add_note"):
        error.add_note("Traceback of the objective in the worker:\n" + failure.trace.rstrip())
    name = getattr(fun, "__qualname__", None) or type(fun).__name__
    if failure.index is not None:
        where = f"individual {failure.index} of the population"
    else:
        where = f"the batch of rows {failure.rows[0]} to {failure.rows[1] - 1} of the population"
    raise EvaluationError(f"fun ({name}) raised {type(error).__name__} on {where}: {error}",
                          index=failure.index, rows=failure.rows) from error
