"""Every import of evodiff runs downward through the layers the architecture page states.

The page (docs/guide/architecture.rst) draws the layers as a numbered table; this test reads
that table, finds every import of every module (function-level imports included) and fails
on an import of a higher layer, naming the file, the line and both layers.
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "evodiff"
PAGE = ROOT / "docs" / "guide" / "architecture.rst"
#: Modules outside the layered library: optional integrations with other packages.
OUTSIDE = ("evodiff.integrations",)


def stated_layers(text=None):
    """``{module prefix: layer}`` from the page's table of layers."""
    text = PAGE.read_text() if text is None else text
    block = text.split(".. layers-begin", 1)[1].split(".. layers-end", 1)[0]
    layers = {}
    for line in block.splitlines():
        match = re.match(r"^\s+(\d+)\s+(.+?)(?:\s{2,}|$)", line)
        if not match:
            continue
        for item in match.group(2).split(","):
            name = item.strip().rstrip("/").replace("/", ".")
            if name:
                layers["evodiff" if name == "__init__" else f"evodiff.{name}"] = int(match.group(1))
    return layers


def module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def module_exists(name):
    relative = Path(*name.split("."))
    return (ROOT / relative.with_suffix(".py")).is_file() or (ROOT / relative / "__init__.py").is_file()


def imports(path):
    """``(line, imported module)`` of every evodiff import in ``path``."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:  # `from . import checkpoint` imports a module
                sub = f"{target}.{alias.name}"
                found.append((node.lineno, sub if module_exists(sub) else target))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
    return [(line, target) for line, target in found if target.split(".")[0] == "evodiff"]


def layer_of(name, layers):
    """The layer of the longest stated prefix of ``name`` (``None``: not stated); the
    package itself (``__init__``) is stated for its own file only."""
    parts = name.split(".")
    if name == "evodiff":
        return layers.get(name)
    for end in range(len(parts), 1, -1):
        prefix = ".".join(parts[:end])
        if prefix in layers:
            return layers[prefix]
    return None


def modules():
    return sorted(p for p in PACKAGE.rglob("*.py")
                  if not module_name(p).startswith(OUTSIDE))


def test_the_page_states_a_layer_for_every_module():
    layers = stated_layers()
    missing = [module_name(p) for p in modules() if layer_of(module_name(p), layers) is None]
    assert not missing, f"modules without a layer on the architecture page: {missing}"


def violations(layers):
    found = []
    for path in modules():
        own = layer_of(module_name(path), layers)
        for line, target in imports(path):
            if target.startswith(OUTSIDE):
                continue
            theirs = layer_of(target, layers)
            if theirs is not None and own is not None and theirs > own:
                found.append(f"{path.relative_to(ROOT)}:{line} (layer {own}) imports {target} "
                             f"(layer {theirs})")
    return found


def test_no_import_runs_upward():
    found = violations(stated_layers())
    assert not found, "imports against the stated layers:\n" + "\n".join(found)


def test_an_upward_import_is_found():
    # the check can fail: swap two layers of the table and the imports between them are upward
    layers = dict(stated_layers())
    layers["evodiff.validation"] = max(layers.values()) + 1
    assert any("imports evodiff.validation" in v for v in violations(layers))


@pytest.mark.parametrize("text, expected", [
    (".. layers-begin\n\n   2  algorithms/, rl   optimisers\n   0  backend  arrays\n"
     ".. layers-end", {"evodiff.algorithms": 2, "evodiff.rl": 2, "evodiff.backend": 0}),
])
def test_the_table_is_read_as_written(text, expected):
    assert stated_layers(text) == expected


#: Longest module, in lines: one concept per module keeps each one readable.
MAX_MODULE_LINES = 500


def test_no_module_is_longer_than_the_limit():
    long = {module_name(p): n for p in modules()
            if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES}
    assert not long, f"modules above {MAX_MODULE_LINES} lines: {long}"
