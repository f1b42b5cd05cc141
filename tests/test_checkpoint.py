"""Checkpoints: a resumed run is the uninterrupted run, bit for bit; bad files fail clearly.

For every algorithm a run of ``T`` generations is compared with the same run
saved after ``k`` generations (``k`` = 1, the middle and ``T - 1``, and once
with an ``ask`` pending), restored into a freshly built optimiser and
continued to ``T``: the complete state (every array, counter, the random
generator and the best point) must be identical.
"""

import functools
import json
import os
import warnings

import array_api_compat
import numpy as np
import pytest

from evodiff import CMAES, PEPG, DiffusionEvolution, LatentDiffusionEvolution, OpenES, checkpoint
from evodiff.fitness import NonFiniteObjectiveWarning


def sphere(X):
    """Shifted sphere on any array-API namespace (cheap and vectorised)."""
    xp = array_api_compat.array_namespace(X)
    return xp.sum((X - 0.25) ** 2, axis=1)


BOX3 = [(-2.0, 2.0)] * 3
BOX6 = [(-2.0, 2.0)] * 6


def first_two(x):
    """A user's latent encoder: the first two coordinates."""
    return x[:, :2]


# Variants of the classes (encoders, lazy eigendecomposition, IPOP restarts, float32);
# every registered method's resume through minimize is checked in test_method_contracts.py.
# name -> (constructor keyword arguments, class, generations T)
CASES = {
    "diffevo": (DiffusionEvolution, dict(dim=3, popsize=16, steps=8, bounds=BOX3, rng=1), 8),
    "diffevo-latent": (DiffusionEvolution, dict(dim=6, popsize=16, steps=8, bounds=BOX6,
                                                latent="random", latent_dim=2, rng=2), 8),
    # PCA and callable encoders save nothing: PCA is recomputed, the callable is passed again
    "diffevo-pca": (DiffusionEvolution, dict(dim=6, popsize=16, steps=6, bounds=BOX6,
                                             latent="pca", rng=9), 6),
    "diffevo-callable": (DiffusionEvolution, dict(dim=6, popsize=16, steps=6, bounds=BOX6,
                                                  latent=first_two, rng=10), 6),
    "cmaes": (CMAES, dict(dim=3, bounds=BOX3, rng=3), 12),
    # in 120 dimensions the eigendecomposition of C is lazy (every other generation)
    "cmaes-lazy-eigen": (CMAES, dict(dim=120, rng=8), 8),
    # maxiter=5 per run: restarts after generations 5 and 10, popsize 6 -> 12 -> 24
    "cmaes-restarts": (CMAES, dict(dim=2, bounds=[(-3, 3)] * 2, maxiter=5, restarts=3, rng=4), 14),
    "openes": (OpenES, dict(dim=3, popsize=8, antithetic=True, bounds=BOX3, rng=5), 10),
    "openes-sgd": (OpenES, dict(dim=3, popsize=8, optimizer="sgd", x0=[0.5, 0.5, 0.5], rng=6), 10),
    "pepg": (PEPG, dict(dim=3, popsize=8, bounds=BOX3, rng=7), 10),
    "pepg-first-sample-float32": (PEPG, dict(dim=3, popsize=9, average_baseline=False,
                                             dtype="float32", bounds=BOX3, rng=11), 10),
}


def build(case, **changes):
    cls, kwargs, _ = CASES[case]
    return cls(**{**kwargs, **changes})


def run_until(opt, generations):
    """The run loop of minimize: ask, tell, then the stopping rules (which may restart CMA-ES)."""
    while opt.nit < generations and not opt.done:
        X = opt.ask()
        opt.tell(sphere(X))
        if opt.stop_reason() is not None:
            break


@functools.cache
def uninterrupted(case, backend="numpy"):
    opt = build(case, backend=backend)
    run_until(opt, CASES[case][2])
    return opt


def assert_same_run(resumed, reference):
    """Every entry of the state, and what a user reads, identical to the last bit."""
    first, second = resumed.state_dict(), reference.state_dict()
    assert first.keys() == second.keys()
    for key, value in second.items():
        other = first[key]
        if isinstance(value, np.ndarray):
            assert isinstance(other, np.ndarray), key
            assert (other.dtype, other.shape) == (value.dtype, value.shape), key
            assert other.tobytes() == value.tobytes(), f"state {key!r} differs"
        else:
            assert json.dumps(other, sort_keys=True) == json.dumps(value, sort_keys=True), key
    assert (resumed.nit, resumed.nfev) == (reference.nit, reference.nfev)
    assert resumed.best_fun == reference.best_fun
    assert resumed.best_x.tobytes() == reference.best_x.tobytes()
    host = resumed.backend.to_host
    assert np.asarray(host(resumed.population)).tobytes() == \
        np.asarray(host(reference.population)).tobytes()
    assert resumed.candidates().tobytes() == reference.candidates().tobytes()


def resume(case, path, backend="numpy", **changes):
    opt = build(case, backend=backend, **changes)
    extra = checkpoint.restore(opt, path)
    return opt, extra


# -- a resumed run is the uninterrupted run ------------------------------------------------


@pytest.mark.parametrize("where", ["first", "middle", "last"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_resumed_run_equals_uninterrupted_run(case, where, tmp_path):
    generations = CASES[case][2]
    k = {"first": 1, "middle": generations // 2, "last": generations - 1}[where]
    path = tmp_path / "run.npz"
    opt = build(case)
    run_until(opt, k)
    assert opt.nit == k
    checkpoint.save(opt, path)
    resumed, extra = resume(case, path)
    assert extra == {}
    run_until(resumed, generations)
    reference = uninterrupted(case)
    assert reference.nit == generations
    assert_same_run(resumed, reference)


@pytest.mark.parametrize("case", sorted(CASES))
def test_resume_with_an_ask_pending(case, tmp_path):
    generations = CASES[case][2]
    path = tmp_path / "run.npz"
    opt = build(case)
    run_until(opt, generations // 2)
    asked = np.array(opt.ask(), copy=True)
    checkpoint.save(opt, path)
    resumed, _ = resume(case, path)
    again = resumed.ask()
    assert np.asarray(again).tobytes() == asked.tobytes()
    resumed.tell(sphere(again))
    resumed.stop_reason()
    run_until(resumed, generations)
    assert_same_run(resumed, uninterrupted(case))


def test_cmaes_case_restarts_across_the_checkpoints():
    # the restart case must really restart before, between and after the interruption points
    opt = build("cmaes-restarts")
    counts = []
    for generations in (1, 7, 13, 14):
        run_until(opt, generations)
        counts.append(opt.restart_count)
    assert counts == [0, 1, 2, 2]
    assert opt.popsize == 24


@pytest.mark.parametrize("case", ["diffevo-latent", "cmaes-restarts", "pepg"])
def test_the_fresh_optimizer_may_have_another_seed(case, tmp_path):
    # the generator's state and the random projection come from the checkpoint, not the seed
    path = tmp_path / "run.npz"
    opt = build(case)
    run_until(opt, CASES[case][2] // 2)
    checkpoint.save(opt, path)
    resumed, _ = resume(case, path, rng=12345)
    run_until(resumed, CASES[case][2])
    assert_same_run(resumed, uninterrupted(case))


def test_latent_projection_is_restored(tmp_path):
    path = tmp_path / "run.npz"
    opt = build("diffevo-latent")
    checkpoint.save(opt, path)
    other = build("diffevo-latent", rng=99)
    assert not np.array_equal(other.projection, opt.projection)
    checkpoint.restore(other, path)
    assert other.projection.tobytes() == opt.projection.tobytes()


def test_a_finished_run_resumes_finished(tmp_path):
    path = tmp_path / "run.npz"
    checkpoint.save(uninterrupted("diffevo"), path)
    resumed, _ = resume("diffevo", path)
    assert resumed.done
    assert_same_run(resumed, uninterrupted("diffevo"))


def test_the_non_finite_warning_stays_given(tmp_path):
    path = tmp_path / "run.npz"
    opt = build("openes")
    opt.ask()
    with pytest.warns(NonFiniteObjectiveWarning):
        opt.tell(np.full(8, np.nan))
    checkpoint.save(opt, path)
    resumed, _ = resume("openes", path)
    resumed.ask()
    with warnings.catch_warnings():
        warnings.simplefilter("error", NonFiniteObjectiveWarning)
        resumed.tell(np.full(8, np.nan))  # warned once per run, and that was before the save


@pytest.mark.parametrize("case", ["cmaes-restarts", "diffevo-latent"])
def test_array_api_strict_backend(case, tmp_path):
    generations = CASES[case][2]
    path = tmp_path / "run.npz"
    opt = build(case, backend="array_api_strict")
    run_until(opt, generations // 2)
    opt.ask()
    checkpoint.save(opt, path)
    state, _ = checkpoint.load(path)
    assert all(type(v) is np.ndarray for v in state["state"].values() if hasattr(v, "shape"))
    resumed, _ = resume(case, path, backend="array_api_strict")
    assert array_api_compat.array_namespace(resumed.ask()) is resumed.xp
    run_until(resumed, generations)
    assert_same_run(resumed, uninterrupted(case, "array_api_strict"))


# -- the file ------------------------------------------------------------------------------


def test_extra_round_trips(tmp_path):
    path = tmp_path / "run.npz"
    extra = {
        "history": {"best": [1.5, np.float64(0.25), np.nan], "nfev": [np.int64(8), 16, 24]},
        "settings": {"method": "cmaes", "popsize": None, "vectorized": True, "bounds": ((0, 1),)},
        "population": np.arange(6.0).reshape(2, 3),
        "labels": np.array(["a", "bc"]),
        "counts": np.arange(3, dtype=np.int32),
        "inf": np.inf,
    }
    checkpoint.save(build("cmaes"), path, extra=extra)
    back = checkpoint.restore(build("cmaes"), path)
    assert back["history"]["best"][:2] == [1.5, 0.25] and np.isnan(back["history"]["best"][2])
    assert back["history"]["nfev"] == [8, 16, 24]
    assert back["settings"] == {"method": "cmaes", "popsize": None, "vectorized": True,
                                "bounds": [[0, 1]]}
    assert back["population"].tobytes() == extra["population"].tobytes()
    assert back["labels"].tolist() == ["a", "bc"]
    assert back["counts"].dtype == np.int32
    assert back["inf"] == np.inf


@pytest.mark.parametrize("bad", [{"fun": lambda x: x}, {"pop": np.array([None, 1])},
                                 {3: 1.0}, {"nested": {"f": object()}}])
def test_extra_that_needs_pickling_is_refused(bad, tmp_path):
    with pytest.raises(TypeError):
        checkpoint.save(build("cmaes"), tmp_path / "run.npz", extra=bad)
    assert os.listdir(tmp_path) == []


def test_load_without_an_optimizer(tmp_path):
    path = tmp_path / "run.npz"
    opt = build("pepg")
    run_until(opt, 3)
    checkpoint.save(opt, path, extra={"note": "three"})
    state, extra = checkpoint.load(path)
    assert (state["algorithm"], state["class"]) == ("pepg", "PEPG")
    assert state["format_version"] == checkpoint.FORMAT_VERSION == 2
    assert state["state"]["nit"] == 3 and state["state"]["sigma"].shape == (3,)
    assert state["settings"]["popsize"] == 8
    assert json.dumps(state["state"]["rng"])  # the generator's state is plain JSON
    assert extra == {"note": "three"}
    fresh = build("pepg")
    assert checkpoint.load(path, fresh)[1] == {"note": "three"}
    assert fresh.nit == 3


def test_no_pickle_anywhere(tmp_path):
    path = tmp_path / "run.npz"
    opt = build("diffevo-latent")
    run_until(opt, 2)
    checkpoint.save(opt, path)
    with np.load(path, allow_pickle=False) as data:
        assert all(not data[name].dtype.hasobject for name in data.files)


# -- atomic writes -------------------------------------------------------------------------


def test_save_leaves_only_the_target(tmp_path):
    path = tmp_path / "run.npz"
    opt = build("openes")
    for _ in range(3):
        run_until(opt, opt.nit + 1)
        checkpoint.save(opt, path)
        assert os.listdir(tmp_path) == ["run.npz"]
    assert checkpoint.load(str(path))[0]["state"]["nit"] == 3


def test_an_interrupted_save_keeps_the_old_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "run.npz"
    opt = build("cmaes")
    run_until(opt, 2)
    checkpoint.save(opt, path)
    before = path.read_bytes()
    real_savez = np.savez
    seen = []

    def savez_then_fail(handle, **arrays):
        real_savez(handle, **arrays)
        seen.append(path.read_bytes() == before)  # the target is untouched while writing
        raise KeyboardInterrupt

    run_until(opt, 4)
    monkeypatch.setattr(np, "savez", savez_then_fail)
    with pytest.raises(KeyboardInterrupt):
        checkpoint.save(opt, path)
    monkeypatch.undo()
    assert seen == [True]
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["run.npz"]
    assert checkpoint.load(path)[0]["state"]["nit"] == 2


def test_a_first_save_does_not_create_the_target_before_it_is_whole(tmp_path, monkeypatch):
    path = tmp_path / "run.npz"
    real_savez = np.savez
    seen = []

    def savez_and_look(handle, **arrays):
        real_savez(handle, **arrays)
        seen.append(path.exists())

    monkeypatch.setattr(np, "savez", savez_and_look)
    checkpoint.save(build("pepg"), path)
    assert seen == [False]
    assert os.listdir(tmp_path) == ["run.npz"]


# -- bad files -----------------------------------------------------------------------------


@pytest.fixture
def saved(tmp_path):
    path = tmp_path / "run.npz"
    opt = build("cmaes")
    run_until(opt, 2)
    checkpoint.save(opt, path)
    return path


@pytest.mark.parametrize("cut", ["half", "tail", "head"])
def test_truncated_file(saved, cut):
    data = saved.read_bytes()
    data = {"half": data[:len(data) // 2], "tail": data[:-10], "head": data[:100]}[cut]
    saved.write_bytes(data)
    with pytest.raises(ValueError, match="not a valid evodiff checkpoint"):
        checkpoint.restore(build("cmaes"), saved)


def test_corrupt_member(saved):
    data = bytearray(saved.read_bytes())
    start = data.find(b"state.C.npy")
    data[start + 200:start + 260] = b"\xff" * 60  # inside the array's bytes or header
    saved.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="not a valid evodiff checkpoint"):
        checkpoint.restore(build("cmaes"), saved)


@pytest.mark.parametrize("content", [os.urandom(4096), b"just some text\n", b""])
def test_a_file_that_is_not_a_checkpoint(tmp_path, content):
    path = tmp_path / "run.npz"
    path.write_bytes(content)
    with pytest.raises(ValueError, match="not a valid evodiff checkpoint"):
        checkpoint.restore(build("cmaes"), path)


def test_other_npy_and_npz_files(tmp_path):
    np.save(tmp_path / "a.npy", np.arange(3.0))
    np.savez(tmp_path / "b.npz", x=np.arange(3.0))
    for name in ("a.npy", "b.npz"):
        with pytest.raises(ValueError, match="not a valid evodiff checkpoint"):
            checkpoint.load(tmp_path / name)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(ValueError, match="not a valid evodiff checkpoint.*no file"):
        checkpoint.restore(build("cmaes"), tmp_path / "absent.npz")
    with pytest.raises(ValueError, match="not a valid evodiff checkpoint.*not a file"):
        checkpoint.restore(build("cmaes"), tmp_path)


@pytest.mark.parametrize("saved_case, target_case, names", [
    ("openes", "pepg", ("'openes'", "'pepg'")),
    ("cmaes", "openes", ("'cmaes'", "'openes'")),
    ("diffevo", "cmaes", ("'diffevo'", "'cmaes'")),
])
def test_a_checkpoint_of_another_algorithm(tmp_path, saved_case, target_case, names):
    path = tmp_path / "run.npz"
    checkpoint.save(build(saved_case), path)
    target = build(target_case)
    before = target.state_dict()
    with pytest.raises(ValueError, match="algorithm") as info:
        checkpoint.restore(target, path)
    assert all(name in str(info.value) for name in names)
    assert json.dumps(target.state_dict()["rng"]) == json.dumps(before["rng"])  # untouched


def test_plain_and_latent_diffusion_are_other_algorithms(tmp_path):
    path = tmp_path / "run.npz"
    checkpoint.save(build("diffevo-latent"), path)
    with pytest.warns(DeprecationWarning, match="LatentDiffusionEvolution"):
        latent = LatentDiffusionEvolution(dim=6, popsize=16, steps=8, bounds=[(-2, 2)] * 6,
                                          rng=2)
    with pytest.raises(ValueError, match="'diffevo'.*'latent-diffevo'"):
        checkpoint.restore(latent, path)


def _rewrite_metadata(path, change):
    with np.load(path, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    meta = json.loads(arrays["__evodiff__"].tobytes().decode("utf-8"))
    change(meta)
    arrays["__evodiff__"] = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
    with open(path, "wb") as handle:
        np.savez(handle, **arrays)


def test_wrong_format_version(saved):
    _rewrite_metadata(saved, lambda meta: meta.update(format_version=1))
    with pytest.raises(ValueError, match="format version 1.*format version 2 only"):
        checkpoint.restore(build("cmaes"), saved)


def test_missing_state_entry(saved):
    _rewrite_metadata(saved, lambda meta: meta["state"].pop("sigma"))
    with pytest.raises(ValueError, match="not a valid evodiff checkpoint.*'sigma'"):
        checkpoint.restore(build("cmaes"), saved)


def test_not_an_evodiff_format(saved):
    _rewrite_metadata(saved, lambda meta: meta.update(format="something-else"))
    with pytest.raises(ValueError, match="not a valid evodiff checkpoint"):
        checkpoint.restore(build("cmaes"), saved)


@pytest.mark.parametrize("case, changes, setting", [
    ("cmaes", dict(dim=4, bounds=[(-2, 2)] * 4), "dim"),
    ("openes", dict(popsize=10), "popsize"),
    ("pepg", dict(dtype="float32"), "dtype"),
    ("pepg", dict(backend="array_api_strict"), "backend"),
    ("diffevo", dict(bounds=[(-3, 3)] * 3), "bounds"),
    ("diffevo", dict(steps=9), "schedule"),
    ("diffevo", dict(noise=0.2), "noise"),
    ("diffevo-latent", dict(latent_dim=3), "latent_dim"),
    ("diffevo-latent", dict(latent="pca"), "latent"),
    ("cmaes", dict(sense="max"), "sense"),
    ("cmaes", dict(sigma0=0.3), "sigma0"),
    ("openes", dict(antithetic=False), "antithetic"),
    ("openes", dict(optimizer="sgd"), "optimizer"),
    ("pepg", dict(sigma_alpha=0.1), "sigma_alpha"),
])
def test_mismatched_settings(tmp_path, case, changes, setting):
    path = tmp_path / "run.npz"
    opt = build(case)
    run_until(opt, 1)
    checkpoint.save(opt, path)
    with pytest.raises(ValueError, match=f"setting '{setting}' differs"):
        checkpoint.restore(build(case, **changes), path)


def test_stopping_rules_may_change_to_extend_a_run(tmp_path):
    path = tmp_path / "run.npz"
    opt = build("openes", maxiter=4)
    run_until(opt, 4)
    assert opt.done
    checkpoint.save(opt, path)
    longer, _ = resume("openes", path, maxiter=10)
    assert not longer.done
    run_until(longer, 10)
    assert_same_run(longer, uninterrupted("openes"))


def test_cmaes_popsize_checked_after_restarts(tmp_path):
    path = tmp_path / "run.npz"
    opt = build("cmaes-restarts")
    run_until(opt, 7)
    assert opt.restart_count == 1 and opt.popsize == 12
    checkpoint.save(opt, path)
    with pytest.raises(ValueError, match="setting 'popsize' differs"):
        checkpoint.restore(build("cmaes-restarts", popsize=8), path)
    with pytest.raises(ValueError, match="setting 'incpopsize' differs"):
        checkpoint.restore(build("cmaes-restarts", incpopsize=3.0), path)


def test_a_generator_of_another_kind(tmp_path):
    path = tmp_path / "run.npz"
    checkpoint.save(build("pepg"), path)
    other = build("pepg", rng=np.random.Generator(np.random.MT19937(0)))
    with pytest.raises(ValueError, match="setting 'rng' differs.*PCG64.*MT19937"):
        checkpoint.restore(other, path)


def test_save_refuses_what_is_not_an_optimizer(tmp_path):
    with pytest.raises(TypeError, match="Optimizer"):
        checkpoint.save(object(), tmp_path / "run.npz")
    checkpoint.save(build("pepg"), tmp_path / "run.npz")
    with pytest.raises(TypeError, match="Optimizer"):
        checkpoint.restore(object(), tmp_path / "run.npz")


@pytest.mark.gpu
def test_cupy_resume_is_reproducible(tmp_path):
    # the device generator is re-seeded from the checkpoint: two resumes agree with each other
    path = tmp_path / "run.npz"
    kwargs = dict(dim=3, popsize=16, steps=8, bounds=BOX3, rng=1, backend="cupy")
    opt = DiffusionEvolution(**kwargs)
    run_until(opt, 3)
    checkpoint.save(opt, path)
    first, second = DiffusionEvolution(**kwargs), DiffusionEvolution(**kwargs)
    for resumed in (first, second):
        checkpoint.restore(resumed, path)
        run_until(resumed, 8)
    assert_same_run(first, second)
