"""The static checks are wired into `make test`, and their baseline of old findings only shrinks.

``tools/check.sh`` runs ruff and mypy (``make check``; ``make test`` runs it first). The
findings that were in files other branches were editing when the checks came in are
listed in ``pyproject.toml`` (ruff's per-file ignores, mypy's per-module disabled codes);
this test fails when an entry is no longer needed, so that the list is cleaned as the
files are, and when an entry names a file that does not exist.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())
RUFF_BASELINE = {
    path: codes
    for path, codes in CONFIG["tool"]["ruff"]["lint"]["per-file-ignores"].items()
    if "*" not in path  # patterns such as tests/** are settings, not a baseline
}


def _ruff() -> str:
    found = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if found is None:
        pytest.fail("ruff not found: run `make install`")
    return found


def test_make_test_runs_the_checks_first():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^test: check$", makefile, re.M), "make test must depend on make check"
    assert re.search(r"^check: .*\n\ttools/check.sh$", makefile, re.M)
    script = (ROOT / "tools" / "check.sh").read_text()
    assert "ruff\" check --quiet roi_models tests benchmarks" in script
    assert "mypy\" roi_models" in script
    assert (ROOT / "tools" / "check.sh").stat().st_mode & 0o111, "tools/check.sh must be executable"


def test_ruff_settings():
    ruff = CONFIG["tool"]["ruff"]
    assert ruff["line-length"] == 100
    assert {"E", "F", "I", "B", "UP"} <= set(ruff["lint"]["select"])


@pytest.mark.parametrize("path", sorted(RUFF_BASELINE))
def test_every_ruff_baseline_entry_is_still_needed(path):
    assert (ROOT / path).is_file(), f"{path} is gone: delete its entry in pyproject.toml"
    codes = RUFF_BASELINE[path]
    proc = subprocess.run(
        [_ruff(), "check", "--isolated", "--no-cache", "--line-length", "100",
         "--target-version", "py311", "--select", ",".join(codes), "--output-format", "json",
         path],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    found = {f["code"] for f in json.loads(proc.stdout or "[]")}
    fixed = sorted(set(codes) - found)
    assert not fixed, f"{path} no longer has {fixed}: delete them from its entry in pyproject.toml"


def test_mypy_baseline_names_existing_modules():
    for override in CONFIG["tool"]["mypy"]["overrides"]:
        if "disable_error_code" not in override:
            continue
        for module in override["module"]:
            path = ROOT / (module.replace(".", "/") + ".py")
            assert path.is_file(), f"{module} is gone: delete it from the mypy overrides"
