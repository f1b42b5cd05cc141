"""Every declared parameter limit of every registered method refuses a value outside it.

The limits are data (:mod:`evodiff.parameters`); this test reads them from the class of
each registered method, so a new limit or method is probed without editing the test.
"""

import numpy as np
import pytest

from evodiff.binary import QUBO
from evodiff.parameters import Bool, Choice, Int, Real, check_parameters, outside_values
from evodiff.registry import METHODS, make_optimizer


def _settings(spec):
    if spec.domain == "binary":
        rng = np.random.default_rng(0)
        Q = rng.normal(size=(6, 6))
        return {"problem": QUBO((Q + Q.T) / 2), "dim": 6, "domain": (0, 1)}
    return {"bounds": [(-1.0, 1.0)] * 3}


def _cases():
    cases = []
    for name, spec in METHODS.items():
        cls = type(make_optimizer(name, rng=0, **_settings(spec)))
        for parameter, value in outside_values(getattr(cls, "PARAMETERS", {})):
            cases.append(pytest.param(name, parameter, value, id=f"{name}-{parameter}-{value!r}"))
    return cases


CASES = _cases()


def test_the_methods_declare_their_limits():
    declared = {name for name, spec in METHODS.items()
                if getattr(type(make_optimizer(name, rng=0, **_settings(spec))), "PARAMETERS",
                           None)}
    assert declared == set(METHODS), f"without declared limits: {set(METHODS) - declared}"


@pytest.mark.parametrize("name, parameter, value", CASES)
def test_a_value_outside_a_declared_limit_is_refused_with_its_name(name, parameter, value):
    with pytest.raises((TypeError, ValueError), match=parameter):
        make_optimizer(name, rng=0, **_settings(METHODS[name]), **{parameter: value})


def test_checked_values_come_back_normalised_in_declared_order():
    limits = {"n": Int(minimum=1), "rate": Real(0.0, 1.0), "flag": Bool(),
              "kind": Choice(("a", "b")), "cap": Int(minimum=1, optional=True)}
    checked = check_parameters(limits, {"cap": None, "kind": "a", "flag": np.bool_(True),
                                        "rate": 1, "n": np.int64(3)})
    assert list(checked) == ["n", "rate", "flag", "kind", "cap"]
    assert checked == {"n": 3, "rate": 1.0, "flag": True, "kind": "a", "cap": None}
    assert type(checked["n"]) is int and type(checked["rate"]) is float
    with pytest.raises(ValueError, match="rate must be >= 0.0 and <= 1.0"):
        check_parameters(limits, {"n": 1, "rate": 1.5, "flag": True, "kind": "a", "cap": 2})


def test_the_spellings_of_0_1_0_still_work_and_warn():
    from evodiff import PEPG, OpenES
    from evodiff.algorithms import MAPElites

    with pytest.warns(DeprecationWarning, match="sigma_init is deprecated.*sigma0"):
        assert OpenES(dim=2, sigma_init=0.3).sigma0 == 0.3
    with pytest.warns(DeprecationWarning, match="sigma_init"):
        assert PEPG(dim=2, sigma_init=0.2).sigma0 == 0.2
    with pytest.warns(DeprecationWarning, match="initial_sigma is deprecated.*sigma0"):
        assert MAPElites(dim=2, initial_sigma=0.5).sigma0 == 0.5
    with pytest.raises(ValueError, match="sigma0"):  # the old spelling is checked as the new one
        with pytest.warns(DeprecationWarning):
            OpenES(dim=2, sigma_init=-1.0)


def test_a_policy_evaluator_is_seeded_by_rng_and_has_a_dim():
    pytest.importorskip("gymnasium")
    from evodiff.rl import MLPPolicy, PolicyEvaluator

    policy = MLPPolicy((4, 8, 2))
    assert policy.dim == 58
    with pytest.warns(DeprecationWarning, match="num_params is deprecated.*dim"):
        assert policy.num_params == 58
    new = PolicyEvaluator("CartPole-v1", episodes=3, rng=5)
    with pytest.warns(DeprecationWarning, match="seed is deprecated.*rng"):
        old = PolicyEvaluator("CartPole-v1", episodes=3, seed=5)
    assert new.training_seeds() == old.training_seeds() and new.dim == 58
