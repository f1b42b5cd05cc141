"""The front door: :func:`minimize` and :func:`maximize`, in the style of scipy.optimize.

A dispatcher: both gather their arguments into a
:class:`~evodiff.session.RunRequest` and send it to the solver of the
problem's domain, :func:`evodiff.continuous.solve` (boxes of real numbers)
or :func:`evodiff.binary.solve.solve` (binary vectors).  Each runs the
ask/evaluate/tell loop of an :class:`~evodiff.algorithms.base.Optimizer`
until it finishes, a stopping rule fires or the callback asks to stop, then
gathers the answer into an :class:`OptimizeResult`: the best point
evaluated, the final population, the final answer points (``estimates``) and
the distinct optima found (``modes``), optionally refined by a local method.
"""

from __future__ import annotations

from .binary.solve import solve as binary_solve
from .binary.space import is_binary
from .continuous import solve as continuous_solve
from .registry import METHODS, register_method
from .session import OptimizeResult, RunRequest

__all__ = ["minimize", "maximize", "OptimizeResult", "METHODS", "register_method"]


def _solve(request):
    """Send ``request`` to the solver of its problem's domain."""
    if is_binary(request.fun, request.bounds):
        return binary_solve(request)
    return continuous_solve(request)


def minimize(fun, bounds=None, *, x0=None, sigma=None, method="auto", popsize=None,
             maxiter=None, args=(), vectorized=False, rng=None, callback=None, polish=False,
             progress=False, backend="numpy", dtype="float64", mode_radius=0.05,
             min_support=0.01, latent=None, options=None, workers=None, batch_size=None,
             checkpoint=None, checkpoint_every=1, resume=None, initial_population=None,
             initial_values=None, constraints=None, skip_infeasible=False,
             constraint_rule=None):
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
        ``'diffevo-restarts'`` up to
        :data:`~evodiff.continuous.AUTO_MAX_REFINED_DIM` = 1000
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
        points (default 50); ``'diffevo-restarts'``: the most generations
        of the whole run, restarts included (default: no limit but the
        budget ``options={'maxfevals': ...}``; the exploration's schedule
        points are ``options={'steps': ...}``, default 20); CMA-ES:
        generations per run (pycma's default
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
    initial_population, initial_values : array_like, optional
        Evaluations you already have (prior evaluations): points of shape
        (M, D) inside the bounds and their M finite objective values, given
        together.  They enter the method's start
        (:meth:`~evodiff.algorithms.base.Optimizer.warm_start`: Diffusion
        Evolution's first weights, the start of CMA-ES, OpenES and PEPG,
        MAP-Elites' archive, the default method's exploration, the binary
        samplers' starting states; the niching method refuses them) and may be
        the answer, but are not counted in ``nfev``.  With ``resume=`` they are
        not applied again (the saved state holds them).
    constraints : NonlinearConstraint, callable or list of them, optional
        Inequality constraints: ``scipy.optimize.NonlinearConstraint``
        (``lb <= c(x) <= ub``) or callables ``g(x) <= 0`` (populations when
        ``vectorized=True``).  Handled by ``constraint_rule``; ``x`` is the best
        feasible point evaluated (else the least violating one, with
        ``success=False``), ``res.constraint_violation`` and ``res.feasible``
        say which, the modes are feasible points and ``history['best']`` the
        best feasible value per generation.  Continuous methods that seek one
        optimum; not with ``polish``.
    skip_infeasible : bool, default False
        With ``constraints``: evaluate the constraints first and the objective
        only at the feasible points (for cheap constraints and an expensive
        objective; Deb's rules rank the infeasible points by their violation
        alone, so the run is the same).  ``nfev`` counts the objective's
        evaluations; ``options={'maxfevals': ...}`` counts the points tried.
        When no point was feasible, ``fun`` is NaN (the least violating point
        was not evaluated).  Implies Deb's rules.
    constraint_rule : {'feasibility-first', 'augmented-lagrangian'}, optional
        With ``constraints``: what the method is told.  Deb's rules
        (feasible points by their value, infeasible ones behind them by their
        violation, :func:`evodiff.constraints.feasibility_first`) or an
        adaptive augmented-Lagrangian fitness
        (:class:`evodiff.augmented_lagrangian.AugmentedLagrangian`: smooth
        across the boundary, needs the objective everywhere; the modes are
        the best feasible point only).  Default: the method's own
        (:attr:`evodiff.registry.MethodSpec.constraint_rule`; Deb's rules for
        every built-in method, the better of the two on COCO's
        bbob-constrained suite).

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
    return _solve(RunRequest(
        fun, "min", bounds, x0, sigma, method, popsize, maxiter, args, vectorized, rng,
        callback, polish, progress, backend, dtype, mode_radius, min_support, latent, options,
        workers, batch_size, checkpoint, checkpoint_every, resume, initial_population,
        initial_values, constraints, skip_infeasible, constraint_rule))


def maximize(fun, bounds=None, *, x0=None, sigma=None, method="auto", popsize=None,
             maxiter=None, args=(), vectorized=False, rng=None, callback=None, polish=False,
             progress=False, backend="numpy", dtype="float64", mode_radius=0.05,
             min_support=0.01, latent=None, options=None, workers=None, batch_size=None,
             checkpoint=None, checkpoint_every=1, resume=None, initial_population=None,
             initial_values=None, constraints=None, skip_infeasible=False,
             constraint_rule=None):
    """Maximise a black-box function; the same as :func:`minimize` with the sense flipped.

    ``x`` and ``fun`` of the result are the point with the *largest* value,
    ``history['best']`` holds the largest value per generation and ``modes``
    are sorted from the highest value down.  See :func:`minimize` for the
    parameters.
    """
    return _solve(RunRequest(
        fun, "max", bounds, x0, sigma, method, popsize, maxiter, args, vectorized, rng,
        callback, polish, progress, backend, dtype, mode_radius, min_support, latent, options,
        workers, batch_size, checkpoint, checkpoint_every, resume, initial_population,
        initial_values, constraints, skip_infeasible, constraint_rule))
