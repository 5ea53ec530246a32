"""References in the code and the docs point at things that exist in this repository.

Three kinds are checked in the package, the tests, the benchmarks, the notebooks, the
READMEs and the project files:

- paths of repository files (``roi_models/engine/finance.py``, ``tests/test_wheel.py``,
  ``data/scenarios/*.yaml``...);
- Markdown documents by name (``DESIGN.md``): a reader of a clone must be able to open them;
- dotted names of the package (``roi_models.engine.npv``, in prose or in Sphinx roles).

:data:`KNOWN_STALE` lists the stale references found in files other branches were editing
when this test came in; each must still be there (so the list is cleaned as they are
fixed), and no other may appear. :data:`EXAMPLES` are references that another test uses as
examples of what it refuses.
"""

from __future__ import annotations

import importlib
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

KNOWN_STALE: set[tuple[str, str]] = set()
"""(file, reference) pairs to fix in their owners' files; nothing may be added."""

EXAMPLES = {
    ("tests/test_shipped_data.py", "DOMAIN.md"),
}
"""References that are examples of what another test refuses (they are meant not to exist)."""

PATH = re.compile(
    r"(?<![\w/.-])((?:roi_models|tests|benchmarks|data|notebooks|tools|\.ci)/[\w/.*-]*\w)"
)
DOCUMENT = re.compile(r"(?<![\w/.-])([A-Z][A-Z_]*\.md)\b")
DOTTED = re.compile(r"(?<![\w.])(roi_models(?:\.\w+)+)")


def _sources() -> list[Path]:
    files = [ROOT / name for name in ("README.md", "pyproject.toml", "Makefile",
                                      "environment.yml", ".ci/run", "tools/check.sh")]
    files += sorted((ROOT / "data").glob("*.md"))
    for folder, pattern in (("roi_models", "*.py"), ("tests", "*.py"),
                            ("benchmarks", "*.py"), ("notebooks", "*.ipynb")):
        files += sorted(p for p in (ROOT / folder).rglob(pattern) if "_data" not in p.parts)
    return [f for f in files if f.is_file() and f != Path(__file__).resolve()]


def _documents() -> set[str]:
    """Names of the Markdown files of the repository (as a clone has them)."""
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return {Path(line).name for line in listed.splitlines() if line.endswith(".md")}


def _exists(dotted: str) -> bool:
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for attr in parts[i:]:
            fields = set(getattr(obj, "__dataclass_fields__", {})) | set(
                getattr(obj, "model_fields", {}))
            if hasattr(obj, attr):
                obj = getattr(obj, attr)
            elif attr in fields:  # a field of a dataclass or pydantic model (no class attribute)
                return attr == parts[-1]
            else:
                return False
        return True
    return False


def _path_exists(text: str) -> bool:
    if "*" in text:
        return any(ROOT.glob(text))
    return (ROOT / text).exists() or (ROOT / text.rstrip(".")).exists()


def _stale() -> set[tuple[str, str]]:
    found = set()
    documents = _documents()
    for path in _sources():
        where = path.relative_to(ROOT).as_posix()
        text = path.read_text(encoding="utf-8")
        for match in PATH.finditer(text):
            ref = match.group(1)
            if "." in ref.rsplit("/", 1)[-1] and not _path_exists(ref):
                found.add((where, ref))
        for match in DOCUMENT.finditer(text):
            if match.group(1) not in documents:
                found.add((where, match.group(1)))
        for match in DOTTED.finditer(text):
            ref = match.group(1)
            if not _exists(ref):
                found.add((where, ref))
    return found


def test_references_point_at_things_that_exist():
    stale = _stale() - EXAMPLES
    new = sorted(stale - KNOWN_STALE)
    assert not new, "references to files or names that do not exist:\n" + "\n".join(
        f"  {where}: {ref}" for where, ref in new)
    fixed = sorted(KNOWN_STALE - stale)
    assert not fixed, f"fixed: delete from KNOWN_STALE: {fixed}"


def test_the_checker_finds_a_stale_reference(tmp_path):
    assert not _exists("roi_models.engine.tei_table")  # moved to roi_models.analysis
    assert _exists("roi_models.analysis.tei.tei_table")
    assert _exists("roi_models.analysis.ScenarioResults.summary")
    assert _exists("roi_models.analysis.tei.TEITable.payback_years")  # a dataclass field
    assert not _path_exists("tests/test_environment_yml.py")
    assert _path_exists("data/scenarios/*.yaml")
    assert "README.md" in _documents() and "DESIGN.md" not in _documents()
