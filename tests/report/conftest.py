"""Fixtures of the report tests: shipped results and a rendered report.

The ``browser`` fixture (Debian's chromium through Playwright) is in tests/conftest.py.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

import roi_models as rm
from roi_models.report import ReportOptions, write_report

REPORT_DATE = datetime.date(2025, 3, 14)


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
