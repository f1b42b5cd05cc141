import numpy as np
import pytest

from evodiff import CMAES, DiffusionEvolution
from evodiff.backend import Backend
from evodiff.randomness import as_generator, make_sampler, named_seed, spawn_generators
from tests.conftest import cupy_available


def test_generator_argument():
    g = np.random.default_rng(1)
    assert as_generator(g) is g
    assert isinstance(as_generator(3), np.random.Generator)
    for bad in (1.5, "seed", True, np.random.RandomState(0)):
        with pytest.raises(TypeError, match="rng"):
            as_generator(bad)


def test_sampler_draws_in_the_backend_dtype(backend_name):
    sampler = make_sampler(as_generator(0), Backend(backend_name, dtype="float32"))
    assert sampler.normal((3, 2)).dtype == sampler.backend.xp.float32


def test_same_seed_same_draws(backend_name):
    backend = Backend(backend_name)
    a = make_sampler(as_generator(5), backend)
    b = make_sampler(as_generator(5), backend)
    np.testing.assert_array_equal(backend.to_host(a.normal((4, 3))),
                                  backend.to_host(b.normal((4, 3))))
    c = make_sampler(as_generator(6), backend)
    assert not np.array_equal(backend.to_host(a.normal((4, 3))),
                              backend.to_host(c.normal((4, 3))))


def test_spawned_streams_are_independent_and_reproducible():
    first, second = spawn_generators(7, 2)
    again = spawn_generators(7, 2)
    assert first.random() == again[0].random() and second.random() == again[1].random()
    one, two = spawn_generators(7, 2)
    assert one.random() != two.random()
    # neither child replays the parent stream of the same seed
    assert np.random.default_rng(7).random() not in (spawn_generators(7, 2)[0].random(),
                                                      spawn_generators(7, 2)[1].random())


def test_spawning_from_a_generator_and_a_seed_sequence():
    from_generator = spawn_generators(np.random.default_rng(3), 2)
    from_sequence = spawn_generators(np.random.SeedSequence(3), 2)
    assert len(from_generator) == len(from_sequence) == 2
    assert from_sequence[0].random() == spawn_generators(3, 2)[0].random()


def test_named_seed_depends_on_every_name():
    draw = [np.random.default_rng(named_seed(1, *names)).random()
            for names in (("a", "b"), ("a", "b"), ("a", "c"), ("b", "a"))]
    assert draw[0] == draw[1] and len({draw[0], draw[2], draw[3]}) == 3


@pytest.mark.parametrize("cls", [DiffusionEvolution, CMAES])
def test_the_optimizer_owns_its_generator(cls):
    generator = np.random.default_rng(11)
    opt = cls(bounds=[(-1, 1)] * 2, popsize=8, rng=generator)
    assert opt.rng is generator
    assert not hasattr(opt.backend, "generator")


@pytest.mark.gpu
def test_cupy_sampler_draws_on_the_device():
    import cupy

    backend = Backend("cupy", dtype="float32")
    draws = make_sampler(as_generator(0), backend).normal((8, 3))
    assert isinstance(draws, cupy.ndarray) and draws.dtype == cupy.float32
    again = make_sampler(as_generator(0), backend).normal((8, 3))
    np.testing.assert_array_equal(backend.to_host(draws), backend.to_host(again))
    assert cupy_available()
