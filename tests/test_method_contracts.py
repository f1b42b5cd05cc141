"""Contracts every registered method keeps, checked over the registry (no list kept by hand).

A method registered in :mod:`evodiff.registry` is covered here without editing a test:
resume equality, the search-space promise, the evaluation budget of its registry entry,
arguments refused before any evaluation, and the non-finite policy.  Each run is sized by
the entry's own ``budget_settings``.
"""

import warnings

import numpy as np
import pytest

from evodiff import maximize, minimize
from evodiff.binary import QUBO
from evodiff.driver import run
from evodiff.registry import METHODS, make_optimizer

BUDGET, POPSIZE = 400, 16
BOX = [(-2.0, 3.0)] * 3
NAMES = sorted(METHODS)


class Recorder:
    """A vectorised objective that counts its evaluations and records the bad points."""

    def __init__(self, domain):
        self.domain, self.calls, self.bad = domain, 0, 0

    def check(self, X):
        X = np.asarray(X, dtype=np.float64)
        self.calls += X.shape[0]
        if self.domain == "continuous":
            lower, upper = np.array(BOX).T
            outside = (X < lower) | (X > upper) | ~np.isfinite(X)
        else:
            outside = ~np.isin(X, (0.0, 1.0))
        self.bad += int(np.any(outside, axis=1).sum())
        return X


class RecordingQUBO(QUBO):
    """A QUBO that records the states it is asked to value."""

    def __init__(self, Q):
        super().__init__(Q)
        self.recorder = Recorder("binary")

    def __call__(self, X):
        return super().__call__(self.recorder.check(X))


def _qubo():
    rng = np.random.default_rng(5)
    Q = rng.normal(size=(10, 10))
    return RecordingQUBO((Q + Q.T) / 2.0)


def _problem(spec):
    """``(fun, keyword arguments of minimize, recorder)`` for a small run of ``spec``."""
    settings = dict(spec.budget_settings(BUDGET, POPSIZE))
    sizes = {"popsize": settings.pop("popsize", None), "maxiter": settings.pop("maxiter", None),
             "options": settings or None}
    if spec.domain == "binary":
        problem = _qubo()
        return problem, sizes, problem.recorder
    recorder = Recorder("continuous")

    def sphere(X):
        X = recorder.check(X)
        return np.sum((X - 0.5) ** 2, axis=1)
    return sphere, dict(sizes, bounds=BOX, vectorized=True), recorder


def _minimize(spec, **extra):
    fun, kwargs, recorder = _problem(spec)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = minimize(fun, method=spec.name, rng=3, **kwargs, **extra)
    return res, recorder


@pytest.mark.parametrize("name", NAMES)
def test_a_resumed_run_equals_the_uninterrupted_one(name, tmp_path):
    spec = METHODS[name]
    path = tmp_path / "run.npz"
    whole, _ = _minimize(spec)
    probe = make_optimizer(name, **_build_settings(spec))
    if not getattr(probe, "checkpointable", True):
        with pytest.raises(ValueError, match="cannot be checkpointed"):
            _minimize(spec, checkpoint=path)
        return
    stopped, _ = _minimize(spec, checkpoint=path, callback=lambda r: r.nit >= 2)
    assert stopped.nit == 2 and not stopped.success
    resumed, _ = _minimize(spec, resume=path)
    assert resumed.nit == whole.nit and resumed.nfev == whole.nfev
    assert resumed.fun == whole.fun
    np.testing.assert_array_equal(resumed.x, whole.x)
    for key in ("best", "median", "nfev"):
        np.testing.assert_array_equal(resumed.history[key], whole.history[key])


@pytest.mark.parametrize("name", NAMES)
def test_the_objective_only_sees_points_of_the_search_space(name):
    spec = METHODS[name]
    for polish in ([False, True, "cmaes"] if spec.domain == "continuous" else [False, True]):
        res, recorder = _minimize(spec, polish=polish)
        assert recorder.calls > 0 and recorder.bad == 0, polish
        assert res.nfev >= recorder.calls if spec.domain == "continuous" else True


def _build_settings(spec):
    settings = dict(spec.budget_settings(BUDGET, POPSIZE), rng=0)
    if spec.domain == "binary":
        return dict(settings, problem=_qubo(), dim=10, domain=(0, 1))
    return dict(settings, bounds=BOX)


@pytest.mark.parametrize("name", NAMES)
def test_the_budget_of_the_registry_entry_is_never_exceeded(name):
    spec = METHODS[name]
    opt = make_optimizer(name, **_build_settings(spec))
    objective = _qubo() if spec.domain == "binary" else (lambda X: np.sum(np.asarray(X) ** 2, 1))
    run(opt, objective)
    assert 0 < opt.nfev <= BUDGET


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("popsize, error, word", [
    (0, ValueError, "popsize"), ("many", TypeError, "popsize"), (2.5, TypeError, "popsize")])
def test_a_bad_population_is_refused_before_any_evaluation(name, popsize, error, word):
    spec = METHODS[name]
    fun, kwargs, recorder = _problem(spec)
    kwargs["popsize"] = popsize
    with pytest.raises(error, match=word):
        minimize(fun, method=name, rng=0, **kwargs)
    assert recorder.calls == 0


@pytest.mark.parametrize("name", NAMES)
def test_an_unknown_option_is_refused_before_any_evaluation(name):
    spec = METHODS[name]
    fun, kwargs, recorder = _problem(spec)
    kwargs["options"] = dict(kwargs["options"] or {}, no_such_option=1)
    with pytest.raises(TypeError, match="no_such_option"):
        minimize(fun, method=name, rng=0, **kwargs)
    assert recorder.calls == 0


@pytest.mark.parametrize("name", [n for n in NAMES if METHODS[n].domain == "continuous"])
@pytest.mark.parametrize("sense", ["min", "max"])
def test_non_finite_values_are_never_the_answer(name, sense):
    spec = METHODS[name]
    _, kwargs, _ = _problem(spec)
    sign = 1.0 if sense == "min" else -1.0

    def half_nan(X):
        values = sign * np.sum(np.asarray(X) ** 2, axis=1)
        values[::2] = np.nan
        return values

    def all_nan(X):
        return np.full(np.asarray(X).shape[0], np.nan)

    front = minimize if sense == "min" else maximize
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = front(half_nan, method=name, rng=1, **kwargs)
        assert np.isfinite(res.fun) and all(np.isfinite(m.fun) for m in res.modes)
        res = front(all_nan, method=name, rng=1, **kwargs)
    assert not res.success and "no finite value" in res.message


@pytest.mark.parametrize("name", NAMES)
def test_the_state_of_every_generation_loads_into_a_fresh_optimiser(name):
    # a genuine state must always be accepted: phase changes (exploration -> CMA-ES), points
    # of a population outside the box, the last generation cut by the budget
    spec = METHODS[name]
    opt = make_optimizer(name, **_build_settings(spec))
    if not getattr(opt, "checkpointable", True):
        pytest.skip(f"{name} is not checkpointable (refused, see the resume contract)")
    problem = _qubo() if spec.domain == "binary" else (
        lambda X: np.sum((np.asarray(X) - 2.9) ** 2, axis=1))  # an optimum near the box's edge
    generations = 0
    while not opt.done and opt.stop_reason() is None:
        opt.tell(problem(opt.ask()))
        generations += 1
        fresh = make_optimizer(name, **_build_settings(spec))
        fresh.load_state_dict(opt.state_dict())
        assert fresh.nfev == opt.nfev and fresh.best_fun == opt.best_fun
    assert generations >= 2
