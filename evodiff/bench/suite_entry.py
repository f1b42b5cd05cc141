"""One benchmark suite as an entry of the suite table (:data:`evodiff.bench.suites.SUITES`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["COMMON_OPTIONS", "Suite", "deferred"]


def deferred(module, name):
    """``evodiff.bench.<module>.<name>``, imported when first called.

    Suite entries name their commands and summaries this way, so that
    declaring a suite imports neither the command line's nor the report's code
    (nor creates an import cycle with the table that lists the suites).
    """
    def call(*args, **kwargs):
        from importlib import import_module

        return getattr(import_module(f"evodiff.bench.{module}"), name)(*args, **kwargs)
    call.__name__ = call.__qualname__ = name
    call.__doc__ = f"Deferred call of :func:`evodiff.bench.{module}.{name}`."
    return call


def _continuous(spec):
    """Default of :attr:`Suite.runs_method`: every continuous method."""
    return spec.domain == "continuous"


def _domain_probes(domain):
    """The registered methods of ``domain`` (the flags a suite's rule is asked about)."""
    from ..registry import METHODS

    return [spec for spec in METHODS.values() if spec.domain == domain]


#: Options of ``evodiff bench`` that a suite may take (argparse destinations);
#: ``--suite``, ``--jobs``, ``--out`` and ``--no-progress`` belong to every suite.
COMMON_OPTIONS = ("methods", "problems", "runs", "seed", "no_figures")


@dataclass(frozen=True)
class Suite:
    """One benchmark suite.

    Attributes
    ----------
    name : str
        ``--suite NAME``.
    description : str
        One sentence for ``evodiff bench --help``.
    command : callable
        ``command(args) -> int`` runs ``evodiff bench`` on this suite from the
        parsed arguments (an ``argparse.Namespace``); it raises ``ValueError``
        for a usage mistake and ``ImportError`` for a missing extra.
    accepts : tuple of str
        The :data:`COMMON_OPTIONS` this suite takes; giving another is a usage error.
    options : tuple of (tuple, dict)
        The suite's own command-line options, ``(flags, add_argument keywords)``;
        their defaults must be ``None`` (so that a value given to another suite
        is caught).
    peers : tuple of str
        Names ``--methods`` takes beside the registered methods (reference
        implementations of other packages).
    problems : tuple
        Generic harness: the :class:`~evodiff.problems.Problem` objects.
    instance : callable, optional
        Generic harness: ``instance(problem, generator) -> Problem`` that a
        seed faces (default: the problem itself).
    optimizer : callable, optional
        Generic harness: ``optimizer(method, problem, generator) -> (opt,
        transform, budget)``; ``None`` for a suite with a runner of its own.
    total_evaluations : bool
        Generic harness: ``evaluations`` is the method's total count (else
        the evaluations to the problem's target).
    runs_method : callable
        Generic harness: ``runs_method(spec) -> bool`` for a
        :class:`~evodiff.registry.MethodSpec`: whether the suite runs that
        method when ``--methods`` names none (by its flags, never its name).
    summary : callable, optional
        Generic harness: ``summary(stats, suite, runs) -> markdown``.
    default_runs : int
        Runs per method and problem when ``--runs`` is not given.
    """

    name: str
    description: str
    command: Callable
    accepts: tuple = ()
    options: tuple = ()
    peers: tuple = ()
    problems: tuple = ()
    instance: Callable | None = None
    optimizer: Callable | None = None
    total_evaluations: bool = False
    runs_method: Callable = _continuous
    summary: Callable | None = None
    default_runs: int = 10

    def runs_domain(self, domain):
        """Whether the suite runs methods of ``domain`` ('continuous' or 'binary')."""
        return any(self.runs_method(spec) for spec in _domain_probes(domain))

    @property
    def generic(self):
        """bool : whether :func:`evodiff.bench.run_suite` runs this suite."""
        return self.optimizer is not None
