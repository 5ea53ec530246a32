"""A wheel of this checkout installs into a fresh environment and carries the shipped data.

The test copies the files git would commit (tracked and new, not ignored; symbolic links
kept as links, as a clone has them) to a temporary folder, builds a wheel there with
``uv build --wheel``, installs it with its dependencies into a new virtual environment
(``uv venv`` + ``uv pip install``: from uv's cache when it has them, else from the package
index), and runs the console script from a folder outside the checkout: ``roi-models run``
and ``roi-models report`` on a shipped scenario given by name. So it fails if the wheel
misses the data files, a template, an entry point or a runtime dependency.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from roi_models.analysis import run_scenarios
from roi_models.cli import format_summary
from roi_models.data import load_shipped

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def _uv() -> str:
    found = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if found is None:  # make install puts uv into .venv/bin
        pytest.fail("uv not found: run `make install` (it installs uv into .venv)")
    return found


def _run(cmd: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False,
                          timeout=600)
    assert proc.returncode == 0, f"{' '.join(cmd)} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc


def _checkout_copy(target: Path) -> None:
    """The files of a clean clone of the current work (tracked and new files, not ignored)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, check=True,
    ).stdout.decode().split("\0")
    for name in filter(None, listed):
        src, dst = ROOT / name, target / name
        if not src.is_symlink() and not src.exists():  # deleted in the work tree
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_symlink():
            os.symlink(os.readlink(src), dst)
        else:
            shutil.copy2(src, dst)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("wheel")
    env = {k: v for k, v in os.environ.items()
           if k not in ("VIRTUAL_ENV", "PYTHONPATH", "ROI_MODELS_DATA", "PYTHONHOME")}
    src, dist, venv = tmp / "src", tmp / "dist", tmp / "venv"
    _checkout_copy(src)
    uv = _uv()
    _run([uv, "build", "--wheel", "--quiet", "--out-dir", str(dist), str(src)], tmp, env)
    (wheel,) = dist.glob("roi_models-*.whl")
    _run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)], tmp, env)
    python = venv / "bin" / "python"
    _run([uv, "pip", "install", "--quiet", "--python", str(python), str(wheel)], tmp, env)
    work = tmp / "elsewhere"  # not the checkout: nothing can come from ROOT
    work.mkdir()
    return {"wheel": wheel, "python": python, "bin": venv / "bin", "work": work, "env": env}


def test_the_wheel_carries_every_shipped_data_file(installed):
    names = set(zipfile.ZipFile(installed["wheel"]).namelist())
    shipped = [p.relative_to(ROOT / "data") for p in (ROOT / "data").rglob("*") if p.is_file()]
    assert shipped
    missing = [str(p) for p in shipped if f"roi_models/_data/{p.as_posix()}" not in names]
    assert not missing, missing
    assert {"roi_models/py.typed", "roi_models/report/templates/report.html"} <= names


def test_installed_package_reads_its_own_data(installed):
    code = ("import roi_models, roi_models.data as d; "
            "print(roi_models.__file__); print(d.data_dir()); print(d.shipped_scenarios())")
    out = _run([str(installed["python"]), "-c", code], installed["work"], installed["env"])
    package, data, names = out.stdout.splitlines()
    site = installed["bin"].parent
    assert Path(package).is_relative_to(site) and Path(data).is_relative_to(site)
    assert names == "['b2b_it_services', 'consumer_brand', 'small_fast_mover']"


def test_installed_cli_runs_a_shipped_scenario_by_name(installed):
    out = _run([str(installed["bin"] / "roi-models"), "run", "b2b_it_services"],
               installed["work"], installed["env"])
    expected = format_summary(run_scenarios(load_shipped("b2b_it_services")))
    assert out.stdout.rstrip("\n") == expected


def test_installed_cli_writes_the_report(installed):
    target = installed["work"] / "b2b.html"
    out = _run([str(installed["bin"] / "roi-models"), "report", "b2b_it_services", "-o",
                str(target), "--date", "2026-01-31"], installed["work"], installed["env"])
    assert "wrote" in out.stdout
    html = target.read_text(encoding="utf-8")
    assert "Northwind IT Services" in html and "<script" in html
