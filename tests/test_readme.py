"""Every Python example of the README runs (the CuPy one only where a GPU is present)."""

import pathlib
import re

import pytest

from tests.conftest import cupy_available

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def test_the_readme_has_examples():
    assert len(BLOCKS) >= 4


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_example_runs(index, capsys):
    code = BLOCKS[index]
    if 'backend="cupy"' in code and not cupy_available():
        pytest.skip("the CuPy example needs a GPU")
    exec(compile(code, f"README block {index}", "exec"), {"__name__": "readme"})
    assert capsys.readouterr().out.strip() or "print(" not in code
