"""The documentation builds with Sphinx without a single warning.

The build runs the API reference (autodoc and numpydoc over every public
module), the Markdown guides (MyST) and the example gallery (sphinx-gallery
runs the scripts of ``docs/examples``), with ``-W`` so that any warning fails
the test.  Skipped when the documentation tools (the ``docs`` extra) are not
installed.
"""

import importlib.util
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
TOOLS = ("sphinx", "numpydoc", "furo", "myst_parser", "sphinx_gallery")


def _missing_tools():
    return [name for name in TOOLS if importlib.util.find_spec(name) is None]


@pytest.mark.slow
def test_the_documentation_builds_without_warnings(tmp_path):
    missing = _missing_tools()
    if missing:
        pytest.skip(f"the documentation tools are not installed ({', '.join(missing)}); "
                    "install the docs extra: pip install -e '.[docs]'")
    html = tmp_path / "html"
    command = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
               "-d", str(tmp_path / "doctrees"), str(DOCS), str(html)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, (
        f"sphinx-build failed with exit code {done.returncode}:\n"
        f"{done.stdout[-4000:]}\n{done.stderr[-8000:]}")
    assert (html / "index.html").is_file()
    assert (html / "api" / "index.html").is_file()
    for page in ("optimize", "algorithms", "building_blocks", "problems", "rl", "analysis"):
        assert (html / "api" / f"{page}.html").is_file(), page
    # Markdown fragments written by the benchmarks are included as tables, also in rst pages.
    map_elites = (html / "guide" / "map_elites.html").read_text(encoding="utf-8")
    assert "<table" in map_elites and "pyribs" in map_elites
    assert "<table" in (html / "latent.html").read_text(encoding="utf-8")
    # The gallery ran: its pages exist and hold the figures the scripts drew.
    assert (html / "auto_examples" / "index.html").is_file()
    assert list((html / "_images").glob("sphx_glr_plot_*.png"))
