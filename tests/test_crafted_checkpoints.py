"""Crafted checkpoints: every value validated, only named members read, atomic restore."""

import json
import os
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evodiff import CMAES, DiffusionEvolution, checkpoint, minimize

META = "__evodiff__"


def _saved(tmp_path, opt=None):
    opt = opt or DiffusionEvolution(bounds=[(-5, 5)] * 2, popsize=16, steps=6, rng=0)
    for _ in range(2):
        opt.tell(np.sum(np.asarray(opt.ask()) ** 2, axis=1))
    opt.ask()
    path = tmp_path / "run.npz"
    checkpoint.save(opt, path)
    return path


def _rewrite(path, edit_meta=None, edit_arrays=None, extra_members=None, compress=False):
    with np.load(path, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    meta = json.loads(arrays[META].tobytes().decode())
    if edit_meta:
        edit_meta(meta)
    if edit_arrays:
        edit_arrays(arrays)
    arrays[META] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    (np.savez_compressed if compress else np.savez)(path, **arrays)
    if extra_members:
        with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, payload in extra_members.items():
                archive.writestr(name, payload)
    return path


def _fresh():
    return DiffusionEvolution(bounds=[(-5, 5)] * 2, popsize=16, steps=6, rng=7)


def _refused(path, match, opt=None):
    opt = opt or _fresh()
    before = np.asarray(opt.ask()).copy()
    state = opt.rng.bit_generator.state
    with pytest.raises(ValueError, match=match):
        checkpoint.restore(opt, path)
    # a failed restore changes nothing: not the generator, not the points
    assert opt.rng.bit_generator.state == state
    np.testing.assert_array_equal(np.asarray(opt.ask()), before)


def test_a_nan_population_is_refused(tmp_path):
    path = _rewrite(_saved(tmp_path),
                    edit_arrays=lambda a: a.__setitem__("state.x", np.full_like(a["state.x"], np.nan)))
    _refused(path, "state 'x' holds NaN or infinite values")


def test_a_best_point_outside_the_box_is_refused(tmp_path):
    path = _rewrite(_saved(tmp_path),
                    edit_arrays=lambda a: a.__setitem__("state.best_x", np.array([1e9, 0.0])))
    _refused(path, "state 'best_x' lies outside the bounds")


@pytest.mark.parametrize("field, value, match", [
    ("nit", -5, "must be in \\[0"),
    ("nit", 1e300, "must be an integer"),
    ("nit", True, "must be an integer"),
    ("step", 99, "beyond the schedule"),
    ("nfev", 1, "below 'nit'"),
])
def test_counters_out_of_range_are_refused(tmp_path, field, value, match):
    path = _rewrite(_saved(tmp_path), edit_meta=lambda m: m["state"].__setitem__(field, value))
    _refused(path, match)


@pytest.mark.parametrize("version", [True, 2.0, "2"])
def test_format_version_must_be_the_integer(tmp_path, version):
    path = _rewrite(_saved(tmp_path), edit_meta=lambda m: m.__setitem__("format_version", version))
    _refused(path, "format version")


def test_a_malformed_generator_state_is_refused_before_anything_changes(tmp_path):
    def damage(meta):
        meta["state"]["rng"]["state"] = {"state": "nonsense"}
    path = _rewrite(_saved(tmp_path), edit_meta=damage)
    _refused(path, "state 'rng' is not a valid")


def test_unnamed_members_are_never_read(tmp_path, monkeypatch):
    # a zip bomb beside the real members: 64 MiB of zeros compress to about 64 KiB
    path = _rewrite(_saved(tmp_path), extra_members={"bomb.npy": b"\0" * (64 * 2**20)})
    opt = _fresh()
    checkpoint.restore(opt, path)  # restores, without touching the bomb
    assert opt.nit == 2


def test_a_named_member_compressed_like_a_bomb_is_refused(tmp_path):
    def bomb(arrays):
        arrays["state.x"] = np.zeros((16, 2))
    path = _saved(tmp_path)
    with np.load(path, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    arrays["extra.big"] = np.zeros(2**22)  # 32 MiB of zeros, compressed about 1000 times
    meta = json.loads(arrays[META].tobytes().decode())
    meta["arrays"]["extra"].append("big")
    arrays[META] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    np.savez_compressed(path, **arrays)
    _refused(path, "compressed more than 100 times")


def test_malformed_history_is_not_a_raw_type_error(tmp_path):
    common = dict(bounds=[(-5, 5)] * 2, vectorized=True, method="diffevo", popsize=16,
                  maxiter=6, rng=0)
    path = tmp_path / "run.npz"
    minimize(lambda X: np.sum(X**2, axis=1), checkpoint=path,
             callback=lambda r: r.nit >= 2, **common)

    def damage(arrays):
        arrays["extra.history_best"] = np.array(["a", "b"])
    _rewrite(path, edit_arrays=damage)
    with pytest.raises(ValueError, match="not a valid evodiff checkpoint"):
        minimize(lambda X: np.sum(X**2, axis=1), resume=path, **common)


def test_stale_temporary_files_are_removed_on_the_next_save(tmp_path):
    stale = tmp_path / ".run.npz.999999999.abcd1234.tmp"  # no such process
    stale.write_bytes(b"half a file")
    alive = tmp_path / f".run.npz.{os.getppid()}.abcd1234.tmp"  # a running process
    alive.write_bytes(b"being written")
    opt = CMAES(bounds=[(-5, 5)] * 2, rng=0)
    checkpoint.save(opt, tmp_path / "run.npz")
    assert not stale.exists() and alive.exists()


def _fitness_a(xp, cost):
    return -cost


def _fitness_b(xp, cost):
    return -2.0 * cost


@pytest.mark.parametrize("kind", ["fitness", "latent"])
def test_resuming_with_another_callable_is_refused(tmp_path, kind):
    if kind == "fitness":
        first, second = {"fitness": _fitness_a}, {"fitness": _fitness_b}
    else:
        first = {"latent": lambda x: x[:, :1]}
        second = {"latent": lambda x: 2.0 * x[:, :1]}
    make = lambda options, seed: DiffusionEvolution(  # noqa: E731
        bounds=[(-5, 5)] * 2, popsize=16, steps=6, rng=seed, **options)
    path = _saved(tmp_path, make(first, 0))
    checkpoint.restore(make(first, 5), path)  # the same callables: accepted
    with pytest.raises(ValueError, match=f"setting '{kind}' differs"):
        checkpoint.restore(make(second, 5), path)


def _make(name):
    from evodiff.registry import make_optimizer

    settings = {"cmaes": {"popsize": 6}, "openes": {"popsize": 8}, "pepg": {"popsize": 8},
                "map-elites": {"popsize": 8}, "diffevo": {"popsize": 16, "maxiter": 6}}[name]
    return make_optimizer(name, bounds=[(-5, 5)] * 2, rng=0, **settings)


@pytest.mark.parametrize("method, field, value, match", [
    ("diffevo", "best_cost", float("nan"), "state 'best_cost' must be a number or \\+inf"),
    ("diffevo", "best_cost", float("-inf"), "state 'best_cost' must be a number or \\+inf"),
    ("diffevo", "best_cost", "low", "state 'best_cost' must be a number"),
    ("diffevo", "warn_state", [1, 2], "state 'warn_state' must be a dict"),
    ("cmaes", "sigma", -1.0, "state 'sigma' must be positive"),
    ("cmaes", "sigma", float("nan"), "state 'sigma' must be positive"),
    ("cmaes", "condition", 1e308, "state 'condition' must be at least 1 and at most 1e16"),
    ("cmaes", "condition", 0.5, "state 'condition' must be at least 1"),
    ("openes", "sigma", float("nan"), "state 'sigma' must be positive"),
    ("openes", "sigma", 1e308, "state 'sigma' must be positive and at most 1e\\+100"),
    ("openes", "learning_rate", 1e308, "state 'learning_rate' must be positive"),
    ("openes", "learning_rate", -0.1, "state 'learning_rate' must be positive"),
])
def test_a_value_outside_its_declared_domain_is_refused(tmp_path, method, field, value, match):
    path = _rewrite(_saved(tmp_path, _make(method)),
                    edit_meta=lambda m: m["state"].__setitem__(field, value))
    _refused(path, "not a valid evodiff checkpoint: " + match, _make(method))


@pytest.mark.parametrize("method, member, make_value, match", [
    ("cmaes", "state.best_history", lambda a: np.array([[1.0, 2.0], [3.0, 4.0]]),
     "state 'best_history' has shape \\(2, 2\\)"),
    ("cmaes", "state.best_history", lambda a: np.array([1.0, np.nan]),
     "state 'best_history' must be numbers or \\+inf"),
    ("diffevo", "state.last_values", lambda a: np.zeros((4, 4)),
     "state 'last_values' has shape \\(4, 4\\)"),
    ("diffevo", "state.last_values", lambda a: np.zeros(40),
     "state 'last_values' holds 40 values, more than a generation of 16"),
    ("pepg", "state.sigma", lambda a: -np.abs(a["state.sigma"]), "state 'sigma' must be positive"),
    ("map-elites", "state.elite_cost", lambda a: np.full_like(a["state.elite_cost"], -np.inf),
     "state 'elite_cost' must be numbers or \\+inf"),
    ("map-elites", "state.elite_x", lambda a: a["state.elite_x"] + 5.0,
     "state 'elite_x' holds .* elite\\(s\\) outside the bounds"),
])
def test_an_array_outside_its_declared_shape_or_domain_is_refused(tmp_path, method, member,
                                                                  make_value, match):
    path = _rewrite(_saved(tmp_path, _make(method)),
                    edit_arrays=lambda a: a.__setitem__(member, make_value(a)))
    _refused(path, match, _make(method))


def test_a_generator_state_too_large_for_its_type_is_refused(tmp_path):
    def damage(meta):
        meta["state"]["rng"]["state"]["state"] = 2**300
    path = _rewrite(_saved(tmp_path), edit_meta=damage)
    _refused(path, "state 'rng' is not a valid")


def test_a_member_whose_header_declares_more_than_it_holds_is_refused_before_allocation(tmp_path):
    import io
    import tracemalloc

    path = _saved(tmp_path)
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f8", "fortran_order": False, "shape": (2**27, 2)})
    assert header.getvalue().startswith(b"\x93NUMPY")  # magic and header: 2 GiB declared
    with zipfile.ZipFile(path) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    members["state.x.npy"] = header.getvalue() + b"\x00" * 64
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    tracemalloc.start()
    try:
        _refused(path, "'state.x' whose header declares shape \\(134217728, 2\\)")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 64 * 2**20


_ODD_NUMBERS = st.one_of(st.sampled_from([float("nan"), float("inf"), float("-inf"), -1.0, 0.0,
                                          1e-300, 1e308, 1e100, 1.0]),
                         st.floats(allow_nan=True, allow_infinity=True))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(method=st.sampled_from(["cmaes", "openes", "pepg", "diffevo", "map-elites"]),
       field=st.sampled_from(["best_cost", "sigma", "condition", "learning_rate"]),
       value=_ODD_NUMBERS)
def test_property_a_restored_state_is_refused_or_keeps_every_promise(tmp_path, method, field,
                                                                    value):
    path = _saved(tmp_path, _make(method))

    def edit(meta):
        if field in meta["state"]:
            meta["state"][field] = value

    def edit_arrays(arrays):
        key = f"state.{field}"
        if key in arrays:
            arrays[key] = np.full_like(arrays[key], value)

    _rewrite(path, edit_meta=edit, edit_arrays=edit_arrays)
    opt = _make(method)
    try:
        checkpoint.restore(opt, path)
    except ValueError as exc:
        assert "not a valid evodiff checkpoint" in str(exc)
        return
    # accepted: the next generations ask finite points inside the box and report a real best
    for _ in range(3):
        X = np.asarray(opt.ask())
        assert np.all(np.isfinite(X)) and np.all(np.abs(X) <= 5.0)
        opt.tell(np.sum(X ** 2, axis=1))
    assert not np.isnan(opt.best_fun) and opt.best_fun != -np.inf


@pytest.mark.parametrize("method", ["diffevo", "cmaes", "diffevo-restarts"])
def test_a_best_point_and_value_edited_into_a_minimize_checkpoint_are_refused(tmp_path, method):
    common = dict(bounds=[(-5, 5)] * 2, vectorized=True, method=method, rng=0,
                  maxiter=6 if method != "diffevo-restarts" else None,
                  options={"maxfevals": 2000} if method == "diffevo-restarts" else None)
    path = tmp_path / "run.npz"
    minimize(lambda X: np.sum(X**2, axis=1) + 1.0, checkpoint=path,
             callback=lambda r: r.nit >= 3, **common)

    def fake_answer(meta):  # a point and a value that match each other, but not the run
        meta["state"]["best_cost"] = 0.5

    def fake_point(arrays):
        arrays["state.best_x"] = np.array([0.7, 0.7])

    _rewrite(path, edit_meta=fake_answer, edit_arrays=fake_point)
    with pytest.raises(ValueError, match="stores a best value of 0.5, but the best value its "
                                         "history recorded is"):
        minimize(lambda X: np.sum(X**2, axis=1) + 1.0, resume=path, **common)


@pytest.mark.parametrize("member, make_value, match", [
    ("state.mode_points", lambda a: np.full((2, 2), 3.0), "state 'mode_costs' holds"),
    ("state.mode_points", lambda a: np.full(a["state.mode_points"].shape, 3.0),
     "state 'mode_points' lies outside the bounds"),
    ("state.queue", lambda a: np.full((1, 2), np.nan), "queue"),
    ("state.stepper_v", lambda a: np.full(2, -1.0), "state .v. must be at least 0"),
])
def test_restarts_and_adam_state_outside_their_domains_are_refused(tmp_path, member,
                                                                   make_value, match):
    from evodiff.registry import make_optimizer

    def build(name):
        if name == "openes":
            return make_optimizer("openes", bounds=[(-5, 5)] * 2, rng=0, popsize=8)
        return make_optimizer("diffevo-restarts", bounds=[(-5, 5)] * 2, rng=0, maxfevals=4000)

    name = "openes" if "stepper" in member else "diffevo-restarts"
    opt = build(name)
    for _ in range(400):  # past the exploration and the first refinement: modes and a queue
        opt.tell(np.sum(np.asarray(opt.ask()) ** 2, axis=1))
        if name == "openes" or getattr(opt, "_modes", None):
            break
    opt.ask()
    path = tmp_path / "run.npz"
    checkpoint.save(opt, path)
    with np.load(path) as data:
        keys = set(data.files)
    assert member in keys, sorted(keys)
    _rewrite(path, edit_arrays=lambda a: a.__setitem__(member, make_value(a)))
    _refused(path, match, build(name))


def test_a_field_with_an_unknown_domain_is_refused_when_declared():
    from evodiff.state import DOMAINS, Field

    with pytest.raises(ValueError, match="domain must be one of"):
        Field("sigma", "float", domain="positive-ish")
    assert Field("sigma", "float", domain="step").domain in DOMAINS
