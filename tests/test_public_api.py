"""What ``import evodiff`` offers is exactly its ``__all__``."""

import importlib

import evodiff


def test_dir_shows_the_public_names_only():
    public = {name for name in dir(evodiff) if not name.startswith("_")}
    assert public == {name for name in evodiff.__all__ if not name.startswith("_")}


def test_every_public_name_is_there():
    for name in evodiff.__all__:
        assert getattr(evodiff, name) is not None, name


def test_the_class_behind_the_default_method_is_exported():
    opt = evodiff.make_optimizer("diffevo-restarts", bounds=[(-1, 1)] * 2, rng=0)
    assert type(opt) is evodiff.RestartedDiffusionEvolution
    niching = evodiff.make_optimizer("diffevo-niching", bounds=[(-1, 1)] * 2, rng=0)
    assert type(niching) is evodiff.NichingDiffusionEvolution


def test_the_other_modules_stay_importable_by_their_full_name():
    for name in ("session", "continuous", "driver", "parameters", "validation"):
        assert importlib.import_module(f"evodiff.{name}").__name__ == f"evodiff.{name}"
