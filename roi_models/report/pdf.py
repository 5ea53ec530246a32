"""Printing the HTML report to PDF with a headless Chromium, where one is installed.

No browser is downloaded: Chromium is looked up at ``$ROI_MODELS_CHROMIUM``,
then on the PATH (``chromium``, ``chromium-browser``, ``google-chrome``),
then at ``/usr/bin/chromium``. The page's print CSS (A4 landscape, page
breaks between sections, charts never cut) decides the layout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import InputError
from ..files import write_atomic

CANDIDATES: tuple[str, ...] = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
INSTALL_HINT = "apt-get install -y chromium"
FLAGS: tuple[str, ...] = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-pdf-header-footer", "--run-all-compositor-stages-before-draw",
    "--virtual-time-budget=15000",
)


def find_chromium() -> str | None:
    """Path of a Chromium executable, or None when none is installed."""
    env = os.environ.get("ROI_MODELS_CHROMIUM")
    if env:
        return env if Path(env).is_file() and os.access(env, os.X_OK) else None
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    default = Path("/usr/bin/chromium")
    return str(default) if default.is_file() and os.access(default, os.X_OK) else None


def print_pdf(
    html_path: str | os.PathLike[str], pdf_path: str | os.PathLike[str], *,
    overwrite: bool = False, timeout: float = 180.0,
) -> Path:
    """Print ``html_path`` to ``pdf_path`` with headless Chromium (written atomically).

    Raises
    ------
    InputError
        When no Chromium is installed (naming the browser and how to install
        it), the HTML file does not exist, the PDF exists and ``overwrite`` is
        False, or Chromium fails.
    """
    source = Path(html_path).resolve()
    target = Path(pdf_path)
    if not source.is_file():
        raise InputError.one(str(source), "", str(source), "HTML file not found")
    if target.exists() and not overwrite:
        raise InputError.one(str(target), "", str(target),
                             "already exists; pass overwrite=True (--overwrite) to replace it")
    browser = find_chromium()
    if browser is None:
        raise InputError.one(
            "--pdf", "browser", "chromium",
            f"no Chromium browser found to print the PDF; install Debian's chromium with "
            f"`{INSTALL_HINT}` (or set ROI_MODELS_CHROMIUM to its path); the HTML report "
            "itself was written and can be printed from any browser",
        )
    with tempfile.TemporaryDirectory(prefix="roi_models_pdf_") as tmp:
        out = Path(tmp) / "report.pdf"
        cmd = [browser, *FLAGS, f"--user-data-dir={tmp}/profile", f"--print-to-pdf={out}",
               source.as_uri()]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                                  check=False)
        except subprocess.TimeoutExpired:
            raise InputError.one(browser, "print-to-pdf", str(source),
                                 f"Chromium did not finish within {timeout:g} s") from None
        if not out.is_file() or out.stat().st_size == 0:
            tail = (proc.stderr or "").strip().splitlines()[-3:]
            raise InputError.one(browser, "print-to-pdf", str(source),
                                 "Chromium produced no PDF: " + " | ".join(tail))
        data = out.read_bytes()
    return write_atomic(target, data, overwrite=overwrite)
