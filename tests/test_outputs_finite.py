"""No NaN or inf reaches any output, anywhere in the bounded space of the schema (issue 14).

Every numeric field of the B2B case's base is drawn inside its own bounds
(:func:`roi_models.assumptions.field_meta`: the ends and values between them; integers as
integers), the file is validated as a user's file would be, and the run goes through every
output: ``run --json``'s document (strict JSON: ``allow_nan=False`` raises on NaN and inf), the
CLI table, the HTML report and the Excel workbook. Expected: no ``nan``, ``inf`` or
``infinity`` as a word in any text, no non-finite number in any cell; a figure that does not
exist reads "n/a (reason)". The schema's bounds were chosen so that the arithmetic stays
finite (their reasons are in the fields' descriptions); this test is what holds them to it.

The example counts are small (CI runs on 2 cores): the report takes about 3 s an example, so
the report and the workbook see the two corners (every field at its low, every field at its
high) and one generated file each; the JSON and the table see 20 generated files more.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from typing import Any

import plotly
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

import roi_models as rm
from roi_models.assumptions import field_meta
from roi_models.assumptions.merge import deep_merge, nest
from roi_models.assumptions.scenario_file import scenario_file_from_dict, scenario_file_to_dict
from roi_models.cli import format_summary, json_document
from roi_models.report import ReportOptions, render_report, write_excel

NOT_A_NUMBER = re.compile(r"(?<![A-Za-z])(?:nan|NaN|NAN|inf|Inf|INF|infinity|Infinity)(?![a-z])")
"""``nan``, ``inf``, ``-inf``, ``Infinity`` as a word, also before a unit (``infM``), but not
inside "information" or "infer"."""
BASE = rm.load_shipped("b2b_it_services")
MONTH_FIELDS = ("retention.downturn.start_month", "viral_event.month")


def _numeric_paths(data: dict[str, Any], prefix: str = "") -> list[str]:
    paths = []
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            paths += _numeric_paths(value, path + ".")
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            paths.append(path)
    return paths


FIELDS = [field_meta(p) for p in _numeric_paths(BASE.base.model_dump())]


def _value(meta) -> st.SearchStrategy:
    """The ends of a field's range and values between them (log-spread over wide ranges)."""
    low, high = meta.low, meta.high
    assert low is not None and high is not None, meta.path  # every field here is bounded
    if meta.integer:
        return st.integers(int(low), int(high))
    inside = st.floats(low, high, exclude_min=not meta.low_inclusive, allow_nan=False)
    ends = [v for v in (low, high) if v != low or meta.low_inclusive]
    if high / max(low, 1e-12) > 1e4:  # wide ranges: also one value per order of magnitude
        magnitudes = [10.0 ** k for k in range(-3, 12) if low < 10.0 ** k < high]
        ends += magnitudes
    return st.one_of(st.sampled_from(ends), inside)


def _file(chosen: dict[str, float]):
    """The B2B file with ``chosen`` values in its base, made consistent across fields."""
    chosen = dict(chosen)
    horizon = chosen["finance.horizon_months"]
    for month in MONTH_FIELDS:  # an event month lies in the plan (a rule across fields)
        chosen[month] = min(chosen[month], horizon)
    chosen["retention.downturn.duration_months"] = min(
        chosen["retention.downturn.duration_months"],
        horizon - chosen["retention.downturn.start_month"] + 1)
    latest = chosen.get("retention.downturn.start_month_latest", 0)
    if latest:  # 0 (always start_month) or a month from start_month on, within the plan
        chosen["retention.downturn.start_month_latest"] = min(
            max(latest, chosen["retention.downturn.start_month"]), horizon)
    chosen["market.initial_customers"] = min(chosen["market.initial_customers"],
                                             chosen["market.potential_customers"])
    win = chosen["funnel.win_rate"]  # the social win rate, win x (1 + uplift), is at most 1
    if win > 0:
        chosen["funnel.social_win_rate_uplift"] = min(chosen["funnel.social_win_rate_uplift"],
                                                      max(1.0 / win - 1.0, 0.0))
    raw = scenario_file_to_dict(BASE)
    raw.pop("uncertainty")
    raw["base"] = deep_merge(BASE.base.model_dump(), nest(chosen))
    return scenario_file_from_dict(raw, "bounded.yaml")


@st.composite
def bounded_files(draw):
    """A scenario file whose base takes a value inside the bounds of every numeric field."""
    return _file({m.path: draw(_value(m), label=m.path) for m in FIELDS})


def _end(meta, which: str) -> float:
    if which == "high" or meta.low_inclusive:
        value = meta.high if which == "high" else meta.low
        return int(value) if meta.integer else value
    return meta.low + (meta.high - meta.low) * 1e-6  # an open lower end: just inside


ALL_LOW = _file({m.path: _end(m, "low") for m in FIELDS})
"""Every field at its lowest: no churn, a 0.1 % discount rate, a market of one customer,
revenue of 0.01 a month, 12 months (the corner where CLV's perpetuity and CAC blew up)."""
ALL_HIGH = _file({m.path: _end(m, "high") for m in FIELDS})
"""Every field at its highest: 240 months, half the customers lost a month, 1e10 budgets."""


def _no_word(text: str, where: str) -> None:
    match = NOT_A_NUMBER.search(text)
    assert match is None, f"{where}: ...{text[max(0, match.start() - 120):match.end() + 40]}..."


FAST = settings(max_examples=20, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=1, suppress_health_check=[HealthCheck.too_slow,
                                                       HealthCheck.function_scoped_fixture])


@FAST
@given(sf=bounded_files())
@example(sf=ALL_LOW)
@example(sf=ALL_HIGH)
def test_the_json_document_and_the_table_hold_no_nan_or_inf(sf):
    res = rm.run_scenarios(sf, source="bounded.yaml")
    text = json.dumps(json_document(res), allow_nan=False)  # raises on NaN and inf
    _no_word(text, "run --json")
    _no_word(format_summary(res), "run's table")
    assert all(math.isfinite(v) for v in res.summary["npv"])  # NPV always exists


@SLOW
@given(sf=bounded_files())
@example(sf=ALL_LOW)
@example(sf=ALL_HIGH)
def test_the_html_report_holds_no_nan_or_inf(sf):
    res = rm.run_scenarios(sf, source="bounded.yaml")
    html = render_report(res, ReportOptions(date=dt.date(2026, 1, 31)))
    # plotly.js itself (inline once) holds NaN and Infinity in its own code: not our output
    _no_word(html.replace(plotly.offline.get_plotlyjs(), ""), "the HTML report")


@SLOW
@given(sf=bounded_files())
@example(sf=ALL_LOW)
@example(sf=ALL_HIGH)
def test_the_excel_workbook_holds_no_nan_or_inf(tmp_path_factory, sf):
    res = rm.run_scenarios(sf, source="bounded.yaml")
    path = write_excel(res, tmp_path_factory.mktemp("xlsx") / "bounded.xlsx")
    book = load_workbook(path, read_only=True)
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                if isinstance(value, float):
                    assert math.isfinite(value), (sheet.title, row)
                elif isinstance(value, str):
                    _no_word(value, f"sheet {sheet.title}")
    book.close()


def test_the_check_finds_what_the_issue_saw_and_nothing_else():
    # Expected: the issue's outputs ("CLV infM", "CLV/CAC inf", NaN in JSON, Excel's "inf") are
    # found; words that merely contain the letters are not
    for seen in ("CLV infM", "CLV/CAC inf", "NPV EUR nan", "-inf %", "Infinity", "inf"):
        assert NOT_A_NUMBER.search(seen), seen
    for fine in ("information", "infer", "n/a (unbounded: no churn and no discounting)",
                 "finance", "nano", "infrastructure"):
        assert not NOT_A_NUMBER.search(fine), fine
