"""The report's sensitivity: the tornado and the decision margins of the recommended plan,
and the "how sure" sentence that names the assumption the decision is most sensitive to."""

from __future__ import annotations

import datetime

import numpy as np
import pytest
from test_report_html import parse, visible_text

import roi_models as rm
from roi_models.analysis.sensitivity import decision_margins, tornado
from roi_models.report import ReportOptions, render_report

OPTIONS = ReportOptions(date=datetime.date(2025, 3, 14))


@pytest.fixture(scope="module")
def b2b():
    res = rm.run_scenarios(rm.load_shipped("b2b_it_services"))
    return res, render_report(res, OPTIONS)


def test_tornado_table_equals_the_analysis(b2b):
    res, html = b2b
    expected = tornado(res, plan="social").set_index("field")
    rows = [e for e in parse(html).elements if e["tag"] == "tr" and e.get("data-field")
            and "word" not in e.get("class", "")]
    cells = [e for e in parse(html).elements if e["tag"] == "td" and e.get("data-value")]
    shown = [r["data-field"] for r in rows][:len(expected)]
    assert shown == list(expected.index)  # sorted by swing, largest first
    values = {float(c["data-value"]) for c in cells}
    for field in expected.index:
        assert expected.loc[field, "kpi_low"] in values
        assert expected.loc[field, "kpi_high"] in values
    assert 'id="chart-tornado"' in html and 'id="chart-margins"' in html


def test_how_sure_names_the_closest_call_and_its_margin(b2b):
    res, html = b2b
    m = decision_margins(res, plan="social")
    found = m[np.isfinite(m["value"])].sort_values("in_ranges")
    closest = found.iloc[0]
    rec = next(e for e in parse(html).elements if e.get("id") == "recommendation")["_text"]
    assert "the case holds" not in rec
    assert "most sensitive to revenue per customer" in rec
    assert closest["field"] == "economics.revenue_per_customer_monthly"
    assert "34 % lower before the status quo wins" in rec  # 1 - 2,652.59 / 4,000 (goal seek)


def test_margin_table_rows_make_the_plans_tie(b2b):
    res, html = b2b
    m = decision_margins(res, plan="social").set_index(["field", "rival"])
    rows = [e for e in parse(html).elements if e["tag"] == "tr" and e.get("data-rival")]
    assert rows
    for r in rows:
        assert np.isfinite(m.loc[(r["data-field"], r["data-rival"]), "value"])
    text = visible_text(html)
    assert "beats the status quo at every value of:" in text


def test_a_file_without_uncertainty_says_so():
    sf = rm.load_shipped("b2b_it_services").model_copy(update={"uncertainty": {}})
    html = render_report(rm.run_scenarios(sf), OPTIONS)
    text = visible_text(html)
    assert "cannot say which assumption the decision rests on" in text
    assert "no tornado and no decision margin" in text
    assert 'id="chart-tornado"' not in html
