import warnings

import numpy as np
import pytest

from evodiff import DiffusionEvolution
from evodiff.backend import Backend
from evodiff.fitness import (
    Energy,
    Identity,
    NonFiniteObjectiveWarning,
    Power,
    Rank,
    make_fitness,
    to_cost,
)


def xp_of(name):
    return Backend(name).xp


def test_rank_weights(backend_name):
    b = Backend(backend_name)
    cost = b.asarray([3.0, -1.0, 10.0, 0.5])
    log_g = b.to_host(Rank(strength=6.0)(b.xp, cost))
    np.testing.assert_allclose(log_g, [-4.0, 0.0, -6.0, -2.0])


def test_rank_gives_dead_points_zero_weight(backend_name):
    b = Backend(backend_name)
    log_g = b.to_host(Rank()(b.xp, b.asarray([1.0, np.inf, 0.0])))
    assert log_g[1] == -np.inf and np.isfinite(log_g[[0, 2]]).all()


def test_energy_and_power(backend_name):
    b = Backend(backend_name)
    cost = b.asarray([2.0, 4.0, np.inf])
    np.testing.assert_allclose(b.to_host(Energy(2.0)(b.xp, cost)), [-1.0, -2.0, -np.inf])
    fitness = b.asarray([-4.0, -1.0, -0.0])  # costs of a maximised objective 4, 1, 0
    np.testing.assert_allclose(b.to_host(Power(2.0)(b.xp, fitness)), [2 * np.log(4), 0.0, -np.inf])
    np.testing.assert_allclose(b.to_host(Identity()(b.xp, fitness)), [np.log(4), 0.0, -np.inf])


def test_identity_rejects_negative_fitness(backend_name):
    b = Backend(backend_name)
    with pytest.raises(ValueError, match="non-negative fitness.*-3"):
        Identity()(b.xp, b.asarray([1.0, 3.0]))  # costs 1, 3 are fitness -1, -3


def test_to_cost_flips_and_marks_non_finite_once(backend_name):
    b = Backend(backend_name)
    values = b.asarray([1.0, np.nan, -np.inf, 2.0])
    state = {}
    with pytest.warns(NonFiniteObjectiveWarning, match="2 non-finite"):
        cost = b.to_host(to_cost(b.xp, values, "max", state))
    np.testing.assert_array_equal(cost, [-1.0, np.inf, np.inf, -2.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        to_cost(b.xp, values, "min", state)  # no second warning in the same run
    np.testing.assert_array_equal(b.to_host(values)[[0, 3]], [1.0, 2.0])  # input untouched


def test_sense_spellings():
    from evodiff.validation import check_sense

    assert check_sense("Minimize") == "min" and check_sense("maximise") == "max"
    with pytest.raises(ValueError, match="sense"):
        check_sense("up")
    with pytest.raises((TypeError, ValueError), match="sense"):
        check_sense(1)


@pytest.mark.parametrize("spec, error", [
    ("softmax", ValueError), (3, TypeError), (None, TypeError)])
def test_make_fitness_errors(spec, error):
    with pytest.raises(error, match="fitness"):
        make_fitness(spec)


@pytest.mark.parametrize("factory, arg", [(Rank, -1.0), (Energy, 0.0), (Power, float("nan"))])
def test_bad_mapping_parameters(factory, arg):
    with pytest.raises(ValueError):
        factory(arg)
    with pytest.raises(TypeError):
        factory("1")


def test_default_mapping_is_scale_free_bit_for_bit(backend_name):
    """The same run on f and on 1000 f + 7: identical populations and estimates."""
    def run(transform):
        opt = DiffusionEvolution(dim=3, popsize=64, steps=8, rng=11, center=1.0, scale=2.0,
                                 backend=backend_name)
        while not opt.done:
            X = opt.backend.to_host(opt.ask())
            opt.tell(transform(np.sum((X - 0.3) ** 2, axis=1)))
        return opt.backend.to_host(opt.population), opt.candidates()

    plain = run(lambda f: f)
    scaled = run(lambda f: 1000.0 * f + 7.0)
    np.testing.assert_array_equal(plain[0], scaled[0])
    np.testing.assert_array_equal(plain[1], scaled[1])
    # The energy mapping is not scale-free: the same check fails for it.
    def run_energy(transform):
        opt = DiffusionEvolution(dim=3, popsize=64, steps=8, rng=11, fitness="energy")
        while not opt.done:
            X = opt.backend.to_host(opt.ask())
            opt.tell(transform(np.sum((X - 0.3) ** 2, axis=1)))
        return opt.candidates()
    assert not np.array_equal(run_energy(lambda f: f), run_energy(lambda f: 1000.0 * f + 7.0))
