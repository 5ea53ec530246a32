"""Declared dependencies are the ones the code uses, in the right list.

- every third-party module the package imports (at the top or inside a function) comes
  from a runtime dependency of ``pyproject.toml``;
- every runtime dependency is imported by the package, or is in :data:`WITHOUT_IMPORT`
  with the reason it is needed anyway (the same reasons are the comments in pyproject.toml);
- every dev dependency is used by the tests, the benchmarks or the checks.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

WITHOUT_IMPORT = {
    "jupyterlab": "the user-facing notebook tool (make lab)",
    "ipykernel": "the kernel the notebooks and the explorer run in",
    "dask": "the task graphs behind dask.distributed (Monte Carlo engine='dask')",
}
"""Runtime dependencies the package needs without importing them, and why."""

DEV_TOOLS = {
    "voila": "tests/notebooks/test_explorer_voila.py runs its server; make app",
    "ruff": "tools/check.sh",
    "mypy": "tools/check.sh",
    "types-pyyaml": "stubs for mypy",
}
"""Dev dependencies used as programs or stubs, not imported by a test."""


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_name(requirement: str) -> str:
    return _norm(re.split(r"[<>=!~ \[;]", requirement.strip(), maxsplit=1)[0])


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _imported_modules(*folders: str) -> set[str]:
    """Top-level names of every absolute import (and ``pytest.importorskip``) in the folders."""
    names: set[str] = set()
    for folder in folders:
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Import):
                    names |= {a.name.split(".")[0] for a in node.names}
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names.add(node.module.split(".")[0])
                elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                      and node.func.attr == "importorskip" and node.args
                      and isinstance(node.args[0], ast.Constant)):
                    names.add(str(node.args[0].value).split(".")[0])
    return names - set(sys.stdlib_module_names) - {"roi_models", "__future__"}


def _distributions(modules: set[str]) -> dict[str, set[str]]:
    """Module name -> the (normalised) distributions that provide it."""
    provided = importlib.metadata.packages_distributions()
    return {m: {_norm(d) for d in provided.get(m, [])} for m in modules}


def test_every_import_of_the_package_is_a_runtime_dependency():
    runtime = {_requirement_name(r) for r in _project()["dependencies"]}
    by_module = _distributions(_imported_modules("roi_models"))
    undeclared = {m: sorted(d) for m, d in by_module.items() if not d & runtime}
    assert not undeclared, f"imported by roi_models but not in [project].dependencies: {undeclared}"


def test_every_runtime_dependency_is_imported_or_needed_for_a_stated_reason():
    runtime = {_requirement_name(r) for r in _project()["dependencies"]}
    imported = set().union(*_distributions(_imported_modules("roi_models")).values())
    unused = runtime - imported - set(WITHOUT_IMPORT)
    assert not unused, f"not imported by roi_models: move to dev or drop: {sorted(unused)}"
    stale = {n for n in WITHOUT_IMPORT if n in imported or n not in runtime}
    assert not stale, f"WITHOUT_IMPORT entries that are imported or not declared: {stale}"
    pyproject = (ROOT / "pyproject.toml").read_text()
    for name in WITHOUT_IMPORT:  # the reason is also next to the requirement
        line = next(line for line in pyproject.splitlines() if line.strip().startswith(f'"{name}'))
        assert "# no import:" in line, line


def test_the_reasons_without_import_hold():
    assert "jupyter lab" in (ROOT / "Makefile").read_text()


def test_every_dev_dependency_is_used():
    dev = {_requirement_name(r) for r in _project()["optional-dependencies"]["dev"]}
    runtime = {_requirement_name(r) for r in _project()["dependencies"]}
    used = set().union(*_distributions(_imported_modules("tests", "benchmarks")).values())
    assert not dev & runtime, "a package is both runtime and dev"
    assert not (dev - used - set(DEV_TOOLS)), sorted(dev - used - set(DEV_TOOLS))
    checks = (ROOT / "tools" / "check.sh").read_text()
    assert "ruff check" in checks and "mypy" in checks
    # the package itself imports no test-only library
    package = set().union(*_distributions(_imported_modules("roi_models")).values())
    assert not package & dev, sorted(package & dev)
