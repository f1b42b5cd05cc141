"""What a callback or a user receives never aliases an optimiser's state (every method)."""

import warnings

import numpy as np
import pytest

from evodiff import maximize, minimize
from evodiff.binary import MaxCut
from evodiff.registry import make_optimizer, method_names


def sphere(X):
    return np.sum(np.asarray(X, dtype=np.float64) ** 2, axis=1)


CONTINUOUS = method_names("continuous")
BINARY = method_names("binary")


def _options(method):
    if method in ("diffevo-restarts", "diffevo-niching"):
        return {"maxfevals": 400}
    return None


@pytest.mark.parametrize("method", CONTINUOUS)
def test_a_callback_writing_into_its_result_does_not_change_the_answer(method):
    seen = []

    def vandal(result):
        seen.append(result.x.copy())
        result.x[...] = 1e6  # the callback owns what it was given

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = minimize(sphere, bounds=[(-5, 5)] * 2, method=method, vectorized=True,
                       popsize=8 if method != "cmaes" else 6, maxiter=3, rng=0,
                       callback=vandal, options=_options(method))
    assert seen and np.all(np.abs(res.x) <= 5)
    assert res.fun == pytest.approx(float(sphere(res.x[None, :])[0]))


@pytest.mark.parametrize("method", CONTINUOUS)
def test_best_x_of_ask_tell_is_read_only_and_the_result_is_the_users(method):
    opt = make_optimizer(method, bounds=[(-5, 5)] * 2, rng=0, popsize=8 if method != "cmaes"
                         else 6, **(_options(method) or {}))
    X = np.asarray(opt.ask())
    opt.tell(sphere(X))
    best = opt.best_x
    with pytest.raises(ValueError, match="read-only"):
        best[0] = 1e6
    before = opt.best_x.copy()
    writable = np.array(best)  # a copy is the user's to change
    writable[:] = 1e6
    np.testing.assert_array_equal(opt.best_x, before)


@pytest.mark.parametrize("method", BINARY)
def test_binary_answers_do_not_alias_the_optimiser(method):
    problem = MaxCut(6, [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (5, 0)])
    seen = []

    def vandal(result):
        seen.append(result.fun)
        result.x[...] = 0

    res = maximize(problem, method=method, maxiter=5, popsize=8, rng=0, callback=vandal)
    assert seen
    assert res.fun == pytest.approx(float(problem(np.asarray(res.x)[None, :])[0]))
    if method == "binary-diffevo":  # black-box: bits, any objective
        opt, objective = make_optimizer(method, dim=6, popsize=8, rng=0), sphere
    else:
        opt, objective = make_optimizer(method, problem=problem, popsize=8, rng=0), problem
    X = np.asarray(opt.ask())
    opt.tell(objective(X))
    with pytest.raises(ValueError, match="read-only"):
        opt.best_x[0] = 1 - opt.best_x[0]
