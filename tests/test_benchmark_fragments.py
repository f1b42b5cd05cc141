"""The generated tables of the performance page: written by scripts, all included."""

import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TABLES = ROOT / "docs" / "performance_tables"


def _fragment_module():
    spec = importlib.util.spec_from_file_location("markdown_fragment",
                                                  ROOT / "benchmarks" / "markdown_fragment.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_table_keeps_a_pipe_inside_its_cell():
    fragment = _fragment_module()
    table = fragment.markdown_table(["run", "x"], [["a|b", 1.5]], "lr")
    assert table.splitlines() == ["| run | x |", "|---|---:|", "| a\\|b | 1.5 |"]
    with pytest.raises(ValueError, match="align"):
        fragment.markdown_table(["run", "x"], [], "l")


def test_a_fragment_names_the_command_that_wrote_it(tmp_path, capsys):
    fragment = _fragment_module()
    path = fragment.write_fragment(tmp_path / "t", "demo", ["text"],
                                   command=fragment.script_command("benchmarks/x.py", ["--quick"]))
    assert path.name == "demo.md.inc"
    assert path.read_text().splitlines()[0].startswith("% Written by `python benchmarks/x.py --quick`")
    assert str(path) in capsys.readouterr().out


def test_every_fragment_is_included_and_every_include_exists():
    page = (ROOT / "docs" / "performance.md").read_text()
    included = set(re.findall(r"```\{include\} performance_tables/(\S+)", page))
    present = {p.name for p in TABLES.glob("*.md.inc")}
    assert included == present and len(present) == 5
    for name in present:
        head = (TABLES / name).read_text().splitlines()[0]
        script = re.search(r"python (benchmarks/\w+\.py)", head).group(1)
        assert (ROOT / script).exists(), head
