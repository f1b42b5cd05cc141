"""The code of docs/guide/architecture.rst runs and prints what it claims."""

import re
from pathlib import Path

import numpy as np
import pytest

from evodiff.registry import METHODS

PAGE = Path(__file__).resolve().parents[1] / "docs" / "guide" / "architecture.rst"


def python_blocks(text):
    """The bodies of the page's ``.. code-block:: python`` directives, dedented."""
    blocks = []
    for match in re.finditer(r"^\.\. code-block:: python\n\n((?:   .*\n|\n)+)", text, re.M):
        lines = [line[3:] for line in match.group(1).splitlines()]
        blocks.append("\n".join(lines).strip() + "\n")
    return blocks


def test_the_page_has_the_examples_it_describes():
    assert len(python_blocks(PAGE.read_text())) == 4


def test_the_page_examples_run_in_order(capsys):
    namespace = {"__name__": "architecture_page"}
    try:
        for block in python_blocks(PAGE.read_text()):
            exec(compile(block, str(PAGE), "exec"), namespace)
    finally:
        METHODS.pop("shrinking", None)
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == "done 20 True"
    assert printed[1].startswith("True ")  # the registered method reached 1e-3 through minimize
    assert printed[2] == "True"  # the checkpoint resumed bit for bit
    assert printed[3].startswith("shifted-styblinski-tang [-2.403534 -3.403534] True")


def test_the_new_method_forgot_nothing_in_its_state():
    # the restored optimiser continues exactly as the uninterrupted one, to the end
    namespace = {"__name__": "architecture_page"}
    blocks = python_blocks(PAGE.read_text())
    try:
        exec(compile(blocks[1], str(PAGE), "exec"), namespace)
        cls = namespace["ShrinkingSearch"]
        def f(X):
            return np.sum(np.asarray(X) ** 2, axis=1)

        whole = cls(bounds=[(-5, 5)] * 2, maxiter=8, rng=3)
        first = cls(bounds=[(-5, 5)] * 2, maxiter=8, rng=3)
        for _ in range(3):
            whole.tell(f(whole.ask()))
            first.tell(f(first.ask()))
        state = first.state_dict()
        second = cls(bounds=[(-5, 5)] * 2, maxiter=8, rng=0)
        second.load_state_dict(state)
        while not whole.done:
            whole.tell(f(whole.ask()))
            second.tell(f(second.ask()))
        assert np.array_equal(whole.best_x, second.best_x) and second.done
    finally:
        METHODS.pop("shrinking", None)


@pytest.mark.parametrize("bad", [0.0, 1.5])
def test_the_new_method_checks_its_arguments(bad):
    namespace = {"__name__": "architecture_page"}
    try:
        exec(compile(python_blocks(PAGE.read_text())[1], str(PAGE), "exec"), namespace)
    finally:
        METHODS.pop("shrinking", None)
    with pytest.raises(ValueError, match="shrink"):
        namespace["ShrinkingSearch"](dim=2, shrink=bad)
