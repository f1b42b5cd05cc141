"""Sphinx configuration of the evodiff documentation.

Build it from the repository root with::

    python -m sphinx -W -b html docs docs/_build/html

The API reference is read from the package itself (autodoc and numpydoc),
the guide pages are reStructuredText, the two existing Markdown guides are
read by MyST, and the scripts of ``docs/examples`` are run by sphinx-gallery
into ``docs/auto_examples``.  Nothing is fetched from the network.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import sys
import types
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent

# Document the checkout next to this file, installed or not.
sys.path.insert(0, str(ROOT))

# Gallery scripts and autodoc imports must never open a window.
os.environ.setdefault("MPLBACKEND", "Agg")

import evodiff  # noqa: E402

# -- Project -------------------------------------------------------------------------

project = "evodiff"
author = "the evodiff developers"
copyright = "the evodiff developers, BSD-3-Clause"
release = evodiff.__version__
version = ".".join(release.split(".")[:2])

# -- General -------------------------------------------------------------------------

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = [
    "_build",
    "Thumbs.db",
    ".DS_Store",
    "benchmarks_paper/summary.md",  # raw output of evodiff bench; its tables are in benchmarks.rst
    # The gallery writes its own .py, .ipynb, .zip and .json files; only the .rst pages are read.
    "auto_examples/*.ipynb",
    "auto_examples/*.py",
    "auto_examples/*.zip",
    "auto_examples/*.json",
    "auto_examples/*.md5",
    "examples/*",
]
templates_path = []
nitpicky = False
default_role = "literal"
pygments_style = "sphinx"
pygments_dark_style = "monokai"

# -- autodoc, autosummary and numpydoc ------------------------------------------------

autodoc_default_options = {}
autodoc_member_order = "bysource"
autodoc_typehints = "none"
autodoc_class_signature = "mixed"
autosummary_generate = False

# numpydoc renders the sections of the docstrings; the members of a class are
# documented once, by autodoc, not a second time in a numpydoc summary table.
numpydoc_show_class_members = False
numpydoc_show_inherited_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False

# -- MyST (the Markdown pages performance.md and latent.md) --------------------------

myst_heading_anchors = 3

# -- sphinx-gallery -------------------------------------------------------------------

sphinx_gallery_conf = {
    "examples_dirs": "examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"plot_",
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "write_computation_times": False,
    "remove_config_comments": True,
    "image_scrapers": ("matplotlib",),
    "reset_modules": ("matplotlib",),
    "show_signature": False,
    "abort_on_example_error": True,
}

# -- HTML -----------------------------------------------------------------------------

html_theme = "furo"
html_title = f"evodiff {release}"
html_static_path = []
html_show_sourcelink = False
html_theme_options = {
    "navigation_with_keys": True,
}


# -- Local helpers --------------------------------------------------------------------

def _resolve_reexport(app, env, node, contnode):
    """Resolve ``:func:`minimize``` and friends written in the package's own docstrings.

    The top-level module re-exports objects that are documented where they are
    defined (``evodiff.optimize.minimize``); a reference to the re-exported
    name ``evodiff.minimize`` is resolved to the defining module's entry.
    """
    if node.get("refdomain") != "py":
        return None
    target = node.get("reftarget", "")
    module = node.get("py:module") or ""
    candidates = [target] if "." in target else []
    if module:
        candidates.append(f"{module}.{target}")
    candidates.append(f"evodiff.{target}")
    for name in candidates:
        head, _, attr = name.rpartition(".")
        if not head.startswith("evodiff"):
            continue
        try:
            obj = getattr(importlib.import_module(head), attr)
        except (ImportError, AttributeError, ValueError):
            continue
        if isinstance(obj, types.ModuleType):
            canonical = obj.__name__
        else:
            defining = getattr(obj, "__module__", None)
            qualname = getattr(obj, "__qualname__", None)
            if not (defining and qualname):
                continue
            canonical = f"{defining}.{qualname}"
        if canonical == name:
            continue
        domain = env.get_domain("py")
        newnode = node.deepcopy()
        newnode["reftarget"] = canonical
        newnode["refspecific"] = False
        resolved = domain.resolve_xref(env, node["refdoc"], app.builder, node["reftype"],
                                       canonical, newnode, contnode)
        if resolved is not None:
            return resolved
    return None


def _command_help(argv):
    """Return what ``evodiff ARGV --help`` prints, 88 columns wide ('' if it fails)."""
    from evodiff.cli import build_parser

    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "88"
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            build_parser().parse_args([*argv, "--help"])
    except SystemExit:
        pass
    finally:
        if old is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = old
    return out.getvalue().rstrip()


def _make_help_directive():
    """``.. evodiff-help:: [SUBCOMMAND]``: the ``--help`` text of the ``evodiff`` command.

    The text is produced by the command's own parser at build time, so the page
    always matches the code; an unknown subcommand is a build error.
    """
    from docutils import nodes
    from sphinx.util.docutils import SphinxDirective

    class EvodiffHelp(SphinxDirective):
        optional_arguments = 1
        has_content = False

        def run(self):
            argv = self.arguments[:1]
            text = _command_help(argv)
            if not text:
                raise self.error(f"evodiff {' '.join(argv)} --help printed nothing")
            block = nodes.literal_block(text, text)
            block["language"] = "text"
            return [block]

    return EvodiffHelp


def setup(app):
    app.connect("missing-reference", _resolve_reexport)
    app.add_directive("evodiff-help", _make_help_directive())
    return {"parallel_read_safe": True}
