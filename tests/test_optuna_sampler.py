"""The Optuna sampler in real Optuna studies: in memory, on SQLite across processes, two
workers on one study, pruned and failed trials, the direction, the state in the storage."""

import math
import subprocess
import sys
import textwrap

import numpy as np
import pytest

optuna = pytest.importorskip("optuna")

from evodiff.integrations.optuna import (  # noqa: E402
    DiffusionEvolutionSampler,
    EvodiffSampler,
)
from evodiff.integrations.state_codec import decode_state, encode_state  # noqa: E402

optuna.logging.set_verbosity(optuna.logging.WARNING)


def _states(study):
    attrs = study._storage.get_study_system_attrs(study._study_id)
    return sorted(key for key in attrs if ":state:" in key)


def mixed(trial):
    x = trial.suggest_float("x", -5.0, 5.0)
    n = trial.suggest_int("n", 1, 9)
    lr = trial.suggest_float("lr", 1e-5, 1e-1, log=True)
    q = trial.suggest_float("q", 0.0, 1.0, step=0.25)
    kind = trial.suggest_categorical("kind", ["a", "b"])
    return ((x - 1.0) ** 2 + (n - 4) ** 2 + (math.log10(lr) + 3.0) ** 2 + (q - 0.5) ** 2
            + (0.0 if kind == "a" else 0.5))


def test_a_mixed_space_is_searched_inside_its_distributions():
    study = optuna.create_study(sampler=DiffusionEvolutionSampler(seed=0))
    study.optimize(mixed, n_trials=240)
    for trial in study.trials:
        p = trial.params
        assert -5.0 <= p["x"] <= 5.0 and isinstance(p["n"], int) and 1 <= p["n"] <= 9
        assert 1e-5 <= p["lr"] <= 1e-1 and p["q"] in (0.0, 0.25, 0.5, 0.75, 1.0)
    assert len(_states(study)) >= 5  # generations were told
    best = study.best_params
    assert best["n"] == 4 and abs(best["q"] - 0.5) <= 0.25 and abs(best["x"] - 1.0) < 0.3
    assert study.best_value < 0.3
    first = min(t.value for t in study.trials[:32])
    assert study.best_value < first  # it learned


def test_maximize_is_honoured():
    def gain(trial):
        x, y = trial.suggest_float("x", -3, 3), trial.suggest_float("y", -3, 3)
        return -((x - 1.0) ** 2) - (y + 0.5) ** 2

    study = optuna.create_study(direction="maximize", sampler=DiffusionEvolutionSampler(seed=1))
    study.optimize(gain, n_trials=200)
    mirror = optuna.create_study(sampler=DiffusionEvolutionSampler(seed=1))
    mirror.optimize(lambda t: -gain(t), n_trials=200)
    assert study.best_value > -0.01
    # maximising the gain is minimising the loss: the same trials, values mirrored
    assert [t.params for t in study.trials] == [t.params for t in mirror.trials]
    assert study.best_value == -mirror.best_value


@pytest.mark.parametrize("sampler", [
    lambda: DiffusionEvolutionSampler(converging=False, popsize=16, steps=5, seed=2),
    lambda: EvodiffSampler(method="cmaes", popsize=8, seed=2),
])
def test_other_methods_run_as_samplers(sampler):
    def sphere(trial):
        return sum((trial.suggest_float(f"x{i}", -2, 2) - 0.3) ** 2 for i in range(3))

    study = optuna.create_study(sampler=sampler())
    study.optimize(sphere, n_trials=160)
    assert len(_states(study)) >= 4 and study.best_value < 0.5


def test_pruned_and_failed_trials_complete_their_generation():
    def objective(trial):
        x, y = trial.suggest_float("x", -2, 2), trial.suggest_float("y", -2, 2)
        value = (x - 0.5) ** 2 + y ** 2
        if x < -1.0:
            raise ValueError("a failed evaluation")
        trial.report(value + 1.0, step=0)
        if y > 1.0:
            raise optuna.TrialPruned()
        return value

    study = optuna.create_study(sampler=DiffusionEvolutionSampler(popsize=16, seed=3))
    study.optimize(objective, n_trials=200, catch=(ValueError,))
    states = {t.state for t in study.trials}
    assert optuna.trial.TrialState.PRUNED in states and optuna.trial.TrialState.FAIL in states
    assert len(_states(study)) >= 5 and study.best_value < 0.05


def _script(storage, name, trials):
    return textwrap.dedent(f"""
        import optuna
        from evodiff.integrations.optuna import DiffusionEvolutionSampler
        optuna.logging.set_verbosity(optuna.logging.WARNING)

        def objective(trial):
            x = trial.suggest_float("x", -5, 5)
            y = trial.suggest_int("y", -10, 10)
            z = trial.suggest_float("z", 1e-3, 10, log=True)
            return (x - 1) ** 2 + (y - 3) ** 2 + (z - 2) ** 2

        storage = optuna.storages.RDBStorage(
            "{storage}", engine_kwargs={{"connect_args": {{"timeout": 60}}}})
        study = optuna.create_study(study_name="{name}", storage=storage, load_if_exists=True,
                                    sampler=DiffusionEvolutionSampler(seed=7, popsize=16))
        study.optimize(objective, n_trials={trials})
    """)


def _run(script):
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]


def _params(url, name):
    study = optuna.load_study(study_name=name, storage=url)
    return [(t.params["x"], t.params["y"], t.params["z"]) for t in study.trials], study


def test_a_study_resumed_from_sqlite_in_another_process_continues_the_same_run(tmp_path):
    whole_url = f"sqlite:///{tmp_path / 'whole.db'}"
    split_url = f"sqlite:///{tmp_path / 'split.db'}"
    _run(_script(whole_url, "whole", 90))
    _run(_script(split_url, "split", 45))  # one process stops ...
    _run(_script(split_url, "split", 45))  # ... another one continues
    whole, whole_study = _params(whole_url, "whole")
    split, split_study = _params(split_url, "split")
    assert len(whole) == len(split) == 90
    assert whole == split  # the same points, bit for bit
    assert len(_states(whole_study)) == len(_states(split_study)) >= 4


def test_two_workers_share_one_sqlite_study(tmp_path):
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    script = _script(url, "shared", 48)
    _run(_script(url, "shared", 1))  # creates the study and its first trial
    workers = [subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE,
                                text=True) for _ in range(2)]
    for worker in workers:
        _, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err[-3000:]
    params, study = _params(url, "shared")
    assert len(params) == 97
    assert all(t.state == optuna.trial.TrialState.COMPLETE for t in study.trials)
    assert len(_states(study)) >= 2  # the generations were told by one worker or the other
    slots = [tuple(t.system_attrs["evodiff:slot"]) for t in study.trials
             if t.system_attrs.get("evodiff:slot")]
    assert len(slots) >= 60  # most trials took a point of a generation ...
    assert len(slots) - len(set(slots)) <= 8  # ... and few took one another worker had taken
    assert study.best_value < 10.0


def test_a_study_refuses_a_sampler_with_other_settings():
    study = optuna.create_study(sampler=DiffusionEvolutionSampler(seed=0, popsize=16))
    study.optimize(lambda t: t.suggest_float("x", 0, 1) ** 2, n_trials=3)
    study.sampler = DiffusionEvolutionSampler(seed=0, popsize=32)
    with pytest.raises(ValueError, match="sampler settings"):
        study.optimize(lambda t: t.suggest_float("x", 0, 1) ** 2, n_trials=1)


def test_bad_settings_and_multi_objective_studies_are_refused():
    with pytest.raises(ValueError, match="continuous"):
        EvodiffSampler(method="anneal")
    with pytest.raises(ValueError, match="popsize"):
        EvodiffSampler(popsize=1)
    study = optuna.create_study(directions=["minimize", "minimize"],
                                sampler=DiffusionEvolutionSampler(seed=0))
    with pytest.raises(ValueError):
        study.optimize(lambda t: (t.suggest_float("x", 0, 1), t.suggest_float("y", 0, 1)),
                       n_trials=3, catch=())


def test_the_state_codec_is_exact_and_refuses_what_it_did_not_write():
    rng = np.random.default_rng(5)
    rng.random(3)
    state = {"x": rng.normal(size=(3, 2)), "best": math.inf, "worst": -math.inf,
             "missing": math.nan, "n": 7, "rng": rng.bit_generator.state, "none": None,
             "flags": np.array([True, False]), "name": "diffevo"}
    back = decode_state(encode_state(state))
    np.testing.assert_array_equal(back["x"], state["x"])
    assert back["best"] == math.inf and back["worst"] == -math.inf and math.isnan(back["missing"])
    assert back["rng"] == state["rng"] and back["n"] == 7 and back["name"] == "diffevo"
    for text in ('{"a": {"__array__": "object", "shape": [1], "data": ""}}',
                 '{"a": {"__array__": "float64", "shape": [2], "data": "AAAA"}}',
                 '{"a": {"__float__": "1e5"}}', "not json"):
        with pytest.raises(ValueError):
            decode_state(text)


def test_import_evodiff_does_not_import_optuna_and_a_missing_extra_is_named():
    code = ("import sys, evodiff; assert 'optuna' not in sys.modules; "
            "sys.modules['optuna'] = None\n"
            "try:\n    import evodiff.integrations.optuna\n"
            "except ImportError as e:\n    print(e)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert "pip install evodiff-toolkit[optuna]" in done.stdout


def test_the_state_codec_refuses_what_it_cannot_hold_exactly():
    with pytest.raises(TypeError, match="dtype"):
        encode_state({"x": np.array(["a"])})
    with pytest.raises(TypeError, match="type object"):
        encode_state({"x": object()})
