"""``evodiff demo rl --env ID``: the classic-control tasks of the paper beside CartPole."""

import numpy as np
import pytest

pytest.importorskip("gymnasium")

from evodiff import cli  # noqa: E402
from evodiff.demos import control  # noqa: E402


def test_the_command_line_knows_the_tasks_of_the_demo():
    assert cli.demo.RL_TASKS == control.TASKS
    assert set(control.PRESETS) == set(control.TASKS)


def test_settings_for_a_task_take_its_preset_then_the_overrides():
    settings = control.settings_for("Pendulum-v1", seed=3, steps=None)
    preset = control.PRESETS["Pendulum-v1"]
    for key, value in preset.items():
        assert getattr(settings, key) == value
    assert settings.seed == 3 and settings.env_id == "Pendulum-v1"
    assert control.settings_for("Pendulum-v1", steps=7).steps == 7
    assert control.settings_for("CartPole-v1") == control.CartPoleSettings()


@pytest.mark.parametrize("env_id", ["Acrobot-v1", "MountainCarContinuous-v0"])
def test_a_short_run_scores_unseen_episodes(env_id):
    settings = control.settings_for(env_id, popsize=16, steps=3, test_episodes=2)
    result = control.run_method("latent-diffevo", control.NETWORKS["small"], settings,
                                report=None)
    assert len(result.median_per_generation) == 3
    assert result.evaluations == 16 * 3
    assert np.isfinite(result.test_median)
    low, high = {"Acrobot-v1": (-500, 0), "MountainCarContinuous-v0": (-100, 100)}[env_id]
    assert low <= result.test_median <= high


def test_demo_rl_writes_a_figure_and_a_summary(tmp_path, capsys):
    code = cli.main(["demo", "rl", "--env", "Pendulum-v1", "--network", "small", "--popsize",
                     "8", "--steps", "2", "--out", str(tmp_path), "--no-progress"])
    assert code == 0
    out = capsys.readouterr().out
    assert "Pendulum-v1: population 8, 2 generations" in out
    # --no-progress: one line per method as it ends, none per generation
    assert out.count("  done: 16 evaluations in ") == 5 and "generation   1" not in out
    figure = tmp_path / "rl" / "Pendulum-v1_median_return.png"
    assert figure.stat().st_size > 5_000


@pytest.mark.parametrize("argv,message", [
    (["demo", "rl", "--env", "Pong-v5"], "invalid choice 'Pong-v5'"),
    (["demo", "himmelblau", "--env", "Acrobot-v1"], "only with the rl demo"),
])
def test_demo_rl_bad_arguments_exit_with_a_usage_error(argv, message, capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(argv)
    assert stop.value.code == 2
    assert message in capsys.readouterr().err
