"""Imports point down the layers only: the order is stated here once, and the README agrees.

Every import of every module of the package is read with ``ast`` (those inside functions
too, which Python runs late but which tie the layers all the same). A module of one layer
may import its own layer, any lower layer and the helper modules; a helper may import only
what :data:`HELPERS` says. The package's ``__init__`` is the public front: it may import
anything, and inside the package only its ``__version__`` may be imported from it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "roi_models"

LAYERS = ("assumptions", "engine", "analysis", "charts", "report", "explorer", "cli")
"""From the bottom up: a layer imports only the layers before it (and itself)."""

HELPERS = {
    "errors": set(),
    "conventions": set(),
    "formatting": set(),
    "files": {"errors"},
    "data": {"errors", "assumptions"},  # reads the shipped files through the schema
    "display": set(),  # how notebooks show figures (plotly renderers, IPython display)
}
"""Top-level helper modules any layer may import, and what each of them may import."""

EXCEPTIONS: dict[tuple[str, str], str] = {}
"""Upward imports allowed for a stated reason (each must still exist)."""


def _imports(path: Path, package_root: Path = PACKAGE) -> list[tuple[str, int]]:
    """(first part below roi_models, line) of every import of the package in ``path``."""
    rel = path.relative_to(package_root).with_suffix("")
    parts = list(rel.parts)
    package = parts if path.name == "__init__.py" else parts[:-1]
    if package and package[-1] == "__init__":
        package = package[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                names = alias.name.split(".")
                if names[0] == "roi_models":
                    found.append((names[1] if len(names) > 1 else "", node.lineno))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = base + (node.module.split(".") if node.module else [])
            elif node.module and node.module.split(".")[0] == "roi_models":
                target = node.module.split(".")[1:]
            else:
                continue
            if target:
                found.append((target[0].removesuffix(".py"), node.lineno))
            else:  # from roi_models import x (or from .. import x at the top)
                for alias in node.names:
                    found.append((f"__init__:{alias.name}", node.lineno))
    return found


def _owner(path: Path, package_root: Path = PACKAGE) -> str:
    rel = path.relative_to(package_root)
    return rel.parts[0].removesuffix(".py") if len(rel.parts) > 1 else rel.stem


def _violations(package_root: Path = PACKAGE) -> tuple[list[str], set[tuple[str, str]]]:
    bad, used_exceptions = [], set()
    for path in sorted(package_root.rglob("*.py")):
        owner = _owner(path, package_root)
        where = path.relative_to(package_root.parent).as_posix()
        for target, line in sorted(_imports(path, package_root), key=lambda t: t[1]):
            if target == owner:
                continue
            if owner == "__init__":  # the public front imports what it exposes
                continue
            if target.startswith("__init__:"):
                if target != "__init__:__version__":
                    bad.append(f"{where}:{line} imports {target[9:]} from the package front")
                continue
            if owner in HELPERS:
                ok = target in HELPERS[owner]
            elif target in HELPERS:
                ok = True
            else:
                ok = LAYERS.index(target) <= LAYERS.index(owner)
            if not ok and (where, target) in EXCEPTIONS:
                used_exceptions.add((where, target))
                continue
            if not ok:
                bad.append(f"{where}:{line}: {owner} imports {target}")
    return bad, used_exceptions


def test_every_part_of_the_package_is_a_layer_or_a_helper():
    parts = {_owner(p) for p in PACKAGE.rglob("*.py")} - {"__init__"}
    unknown = parts - set(LAYERS) - set(HELPERS)
    assert not unknown, f"add {sorted(unknown)} to LAYERS or HELPERS here and in the README"


def test_imports_point_down_the_layers():
    bad, used = _violations()
    assert not bad, "imports up the layers:\n" + "\n".join(bad)
    assert used == set(EXCEPTIONS), f"exceptions no longer needed: {set(EXCEPTIONS) - used}"


def test_the_checker_sees_imports_inside_functions(tmp_path):
    # the explorer's "Export report" imports the report inside a function: it is seen, and
    # allowed only because the explorer sits above the report
    imports = dict(_imports(PACKAGE / "explorer" / "app.py"))
    assert "report" in imports
    assert LAYERS.index("explorer") > LAYERS.index("report")


def test_the_checker_refuses_imports_up_the_layers(tmp_path):
    package = tmp_path / "roi_models"
    (package / "engine").mkdir(parents=True)
    (package / "__init__.py").write_text("from .engine import x\n")
    (package / "engine" / "__init__.py").write_text("")
    (package / "engine" / "finance.py").write_text(
        "from ..conventions import safe_ratio\n"  # a helper: fine
        "from .. import __version__\n"  # the version from the front: fine
        "def f():\n    from ..analysis.tei import tei_table\n"  # up, inside a function
        "import roi_models.report.html\n"  # up, absolute
        "from roi_models import run_scenarios\n"  # the front, for more than the version
    )
    (package / "errors.py").write_text("from .engine import finance\n")  # a helper importing up
    bad, _ = _violations(package)
    assert bad == [
        "roi_models/engine/finance.py:4: engine imports analysis",
        "roi_models/engine/finance.py:5: engine imports report",
        "roi_models/engine/finance.py:6 imports run_scenarios from the package front",
        "roi_models/errors.py:1: errors imports engine",
    ]


def _readme_layers() -> tuple[list[str], list[str]]:
    text = (ROOT / "README.md").read_text()
    section = re.search(r"^## Layers\n(.*?)(?=^## )", text, re.S | re.M)
    assert section, "README.md needs a '## Layers' section"
    body = section.group(1)
    block = re.search(r"```\n(.*?)```", body, re.S)
    assert block, "the Layers section lists the layers in a code block"
    names = re.findall(r"^roi_models/(\w+)(?:/|\.py)", block.group(1), re.M)
    helpers = re.findall(r"`(\w+)`", body[block.end():])
    return names, helpers


def test_readme_lists_the_same_layers_top_down():
    names, helpers = _readme_layers()
    assert names == list(reversed(LAYERS)), names
    assert set(HELPERS) <= set(helpers), helpers


@pytest.mark.parametrize("stale", ["cli -> report -> analysis", "imports pointing downwards"])
def test_the_layer_list_is_written_once(stale):
    # the README's Layers section is the one list; other places point at it
    for path in [ROOT / "README.md", PACKAGE / "__init__.py"]:
        assert stale not in path.read_text(), (path, stale)
