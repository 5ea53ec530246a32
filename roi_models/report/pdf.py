"""Printing the HTML report to PDF with a headless Chromium, where one is installed.

No browser is downloaded: Chromium is looked up at ``$ROI_MODELS_CHROMIUM``,
then on the PATH (``chromium``, ``chromium-browser``, ``google-chrome``),
then at ``/usr/bin/chromium``. The page's print CSS (A4 landscape, page
breaks between sections, charts never cut) decides the layout.

**Offline.** The report is one self-contained file; printing it needs no
network, and the browser is started so that nothing leaves the machine:

- :data:`OFFLINE_FLAGS` switch off Chromium's background services (component
  and variations updates, sync, sign-in checks, safe browsing lists, pings,
  DNS prefetch, domain reliability, translate, media router) and map every
  host name to ``~NOTFOUND`` (``--host-resolver-rules``), so no DNS query is
  sent for the Google hosts Chromium still asks for (``accounts.google.com``,
  ``clients2.google.com``, ``update.googleapis.com`` without these switches);
- Chromium also probes IPv6 reachability with a UDP ``connect`` to Google's
  public resolver (2001:4860:4860::8888) before every host resolution, and no
  switch turns that off: where the system allows unprivileged namespaces, the
  browser runs in its own empty network namespace (``unshare --user
  --map-root-user --net``), so the probe and anything else fail inside it.
  :func:`network_isolation` says whether that is the case here.

``tests/report/test_pdf_offline.py`` prints the report with Chromium's net log
(and strace where installed) and asserts both.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ..errors import InputError
from ..files import check_target, write_atomic

CANDIDATES: tuple[str, ...] = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
INSTALL_HINT = "apt-get install -y chromium"
FLAGS: tuple[str, ...] = (
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-pdf-header-footer", "--run-all-compositor-stages-before-draw",
    "--virtual-time-budget=15000",
)
"""How the page is printed (headless, no header or footer, every frame drawn)."""
OFFLINE_FLAGS: tuple[str, ...] = (
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions", "--disable-domain-reliability",
    "--disable-client-side-phishing-detection", "--disable-breakpad",
    "--disable-field-trial-config", "--safebrowsing-disable-auto-update", "--no-pings",
    "--no-default-browser-check", "--dns-prefetch-disable", "--disable-quic",
    "--disable-features=OptimizationHints,MediaRouter,DialMediaRouteProvider,Translate,"
    "AutofillServerCommunication,CertificateTransparencyComponentUpdater,"
    "NetworkTimeServiceQuerying",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
)
"""Chromium's switches that keep it from calling out (see the module's docstring)."""
ISOLATE: tuple[str, ...] = ("unshare", "--user", "--map-root-user", "--net")
"""The prefix that runs the browser in a network namespace of its own (util-linux)."""


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


@functools.cache
def network_isolation() -> tuple[str, ...]:
    """The command prefix that gives the browser an empty network namespace, or ``()``.

    ``()`` where ``unshare`` is missing or the system refuses unprivileged user and
    network namespaces (some containers and hardened kernels): the browser then runs
    with :data:`OFFLINE_FLAGS` alone, which stop every DNS query but not Chromium's
    IPv6 reachability probe (a UDP ``connect``; it sends no packet).
    """
    if shutil.which(ISOLATE[0]) is None:
        return ()
    try:
        ok = subprocess.run([*ISOLATE, "true"], capture_output=True, timeout=10,
                            check=False).returncode == 0
    except (OSError, subprocess.SubprocessError):
        ok = False
    return ISOLATE if ok else ()


def chromium_command(browser: str, source: Path, out: Path, profile: Path,
                     extra: Sequence[str] = ()) -> list[str]:
    """The command that prints ``source`` (an HTML file) to ``out``: isolated, offline."""
    return [*network_isolation(), browser, *FLAGS, *OFFLINE_FLAGS, *extra,
            f"--user-data-dir={profile}", f"--print-to-pdf={out}", source.as_uri()]


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
    target = check_target(pdf_path, overwrite=overwrite)  # before the browser starts
    if not source.is_file():
        raise InputError.one(str(source), "", str(source), "HTML file not found")
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
        cmd = chromium_command(browser, source, out, Path(tmp) / "profile")
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
