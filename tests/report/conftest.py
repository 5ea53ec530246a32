"""Fixtures of the report tests: shipped results, a rendered report and a real Chromium.

Browser tests use Debian's chromium through Playwright's sync API (never a
downloaded browser). When chromium is missing they are skipped locally and
fail when the environment variable CI is "true".
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest

import roi_models as rm
from roi_models.report import ReportOptions, write_report

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
REPORT_DATE = datetime.date(2025, 3, 14)


def _no_browser(reason: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: browser tests must run)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Path of Debian's chromium; skip (locally) or fail (CI) when it is missing."""
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        _no_browser(f"{CHROMIUM} not found: install it with `apt-get install -y chromium`")
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium_path):
    """A headless Chromium launched by Playwright's sync API for the whole session."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is a dev dependency
        _no_browser("playwright is not installed (pip install -e '.[dev]')")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def results():
    """The shipped B2B case, all scenarios."""
    return rm.run_scenarios(rm.load_shipped("b2b_it_services"),
                            source="data/scenarios/b2b_it_services.yaml")


@pytest.fixture(scope="session")
def report_options() -> ReportOptions:
    return ReportOptions(date=REPORT_DATE)


@pytest.fixture(scope="session")
def report_path(results, report_options, tmp_path_factory) -> Path:
    """The shipped case's report written once for the session."""
    return write_report(results, tmp_path_factory.mktemp("report") / "report.html",
                        report_options)


@pytest.fixture(scope="session")
def report_html(report_path) -> str:
    return report_path.read_text(encoding="utf-8")
