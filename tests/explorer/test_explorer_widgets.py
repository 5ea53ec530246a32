"""The explorer without a browser: widgets set from Python, figures and KPIs checked against the engine."""

from __future__ import annotations

import datetime
import json
import re

import numpy as np
import pandas as pd
import pytest
import yaml

import roi_models as rm
from roi_models.cli import json_document
from roi_models.explorer import LEVERS, SHARE_MOVED, Coalescer, Explorer, apply_levers, format_kpis
from roi_models.explorer.figures import churn_percent

SHIPPED = ("b2b_it_services", "consumer_brand", "small_fast_mover")


@pytest.fixture
def ex(tmp_path):
    return Explorer("b2b_it_services", folder=tmp_path, interval=0,
                    today=lambda: datetime.date(2026, 1, 15))


def _engine(ex):
    """What the engine computes for the values the explorer shows, via the validated file."""
    return rm.run_scenarios(apply_levers(ex.model.file, ex.shown_values))


def _table_values(ex) -> dict[tuple[str, str], str]:
    return {(s, k): v for s, k, v in re.findall(
        r'data-scenario="([^"]+)" data-kpi="([^"]+)" data-value="([^"]*)"', ex.kpi_table.value)}


def _y(ex, chart, i):
    return np.array([np.nan if v is None else v for v in ex.charts.data(chart)[i]["y"]],
                    dtype=float)


def assert_screen_equals_engine(ex, res):
    """Every KPI cell and every chart's data equal the engine's figures for the same settings."""
    summary = res.summary.set_index("scenario")
    for (name, key), text in _table_values(ex).items():
        want = summary.loc[name, key]
        if text == "":
            assert pd.isna(want), (name, key)
        else:
            assert float(text) == pytest.approx(float(want), rel=1e-9, abs=1e-6), (name, key)
    for i in range(len(res.names)):
        np.testing.assert_allclose(_y(ex, "customers", i), res.sim.active_customers[i],
                                   rtol=1e-9)
        np.testing.assert_allclose(_y(ex, "churn", i), churn_percent(res)[i],
                                   rtol=1e-9, atol=1e-12)
    f = res.names.index(ex.focus.value)
    bars = res.case.discounted_incremental_cash_flow[f]
    shown = _y(ex, "cashflow", 0)
    np.testing.assert_allclose(shown, bars, rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(_y(ex, "cac_cos", 0),
                               summary["cac"].to_numpy(dtype=float, na_value=np.nan), rtol=1e-9)


def test_sliders_are_generated_from_the_schema_metadata(ex):
    assert [c.spec.lever.group for c in ex.controls.values()] == [lv.group for lv in LEVERS]
    c = ex.controls["social.word_of_mouth_lift"]
    meta = rm.field_meta("social.word_of_mouth_lift")
    assert c.slider.description == meta.label and c.slider.tooltip == meta.description
    assert type(c.slider).__name__ == "IntSlider"  # the browser moves step indices only
    assert c.value_at(c.slider.value) == 0.5 and c.text.value == "50" and c.fmt.unit == "%"
    month = ex.controls["viral_event.month"]
    assert month.value_at(month.slider.max) == 60
    assert ex.lever_area.children[0].titles == ("Budget", "Social effects", "Customers",
                                                "Finance and risk")


def test_value_boxes_show_the_step_precision_and_the_files_currency(ex):
    texts = {k: c.text.value for k, c in ex.controls.items()}
    assert texts["funnel.social_cost_reduction"] == "25"  # not 0.25000000000000006
    assert texts["organisation.ramp_up_months"] == "12"  # not 11.999999999999998
    assert texts["retention.churn_monthly.traditional"] == "1.2"
    assert texts["finance.discount_rate_annual"] == "10.0"
    assert ex.controls["economics.revenue_per_customer_monthly"].fmt.unit == "EUR/customer/month"
    for key, c in ex.controls.items():  # every slider position is a clean value
        for k in range(0, c.steps + 1, max(1, c.steps // 7)):
            assert len(c.fmt.text(c.value_at(k))) <= 10 and "999999" not in repr(c.value_at(k))


def test_the_budget_lever_is_the_what_if_definition(ex):
    from roi_models.analysis.whatif import MOVED_LABEL

    c = ex.controls[SHARE_MOVED]
    assert c.spec.label == MOVED_LABEL
    assert (c.value_at(0), c.value_at(c.steps), c.spec.file_value) == (-1.0, 1.0, 0.0)
    ex.set(SHARE_MOVED, -0.5)  # half of the social plans' social spend to traditional
    assert_screen_equals_engine(ex, _engine(ex))
    i = ex.results.names.index("social")
    spend = ex.results.sim.spend_by_kind[i]
    base = ex.model.base.sim.spend_by_kind[i]
    np.testing.assert_allclose(spend[1], 0.5 * base[1])


def test_a_slider_move_updates_figures_and_kpis_to_what_the_engine_computes(ex):
    charts = ex.charts
    before = ex.kpi("social", "npv")
    c = ex.controls[SHARE_MOVED]
    c.slider.value += 6  # +30 %, as the browser would
    ex.controls["social.churn_reduction"].slider.value += 5
    assert ex.values()[SHARE_MOVED] == 0.3 and ex.values()["social.churn_reduction"] == 0.2
    assert c.text.value == "30"
    assert ex.kpi("social", "npv") != before
    assert_screen_equals_engine(ex, _engine(ex))
    assert ex.charts is charts  # updated in place
    sent = ex.charts.patch_state
    assert sent["changed"] and set(sent["changed"]) <= {"customers", "churn", "cashflow",
                                                         "cac_cos"}
    payback = int(_engine(ex).summary.set_index("scenario").loc["social",
                                                                 "discounted_payback_month"])
    assert ex.charts.layout("cashflow")["shapes"][0]["x0"] == payback


def test_typed_values_are_refused_with_plain_advice_and_the_last_valid_state_kept(ex):
    before = ex.results
    shown = list(ex.charts.data("customers")[2]["y"])
    ex.set("social.churn_reduction", 0.95)
    c = ex.controls["social.churn_reduction"]
    assert "95 refused: must be between 0 % and 90 %. Kept 15 %." in c.message.value
    assert c.text.value == "15" and ex.values()["social.churn_reduction"] == 0.15
    assert ex.results is before and list(ex.charts.data("customers")[2]["y"]) == shown
    ex.set("finance.discount_rate_annual", 0.0)
    assert "must be between 0.1 % and 100 % a year" in ex.controls["finance.discount_rate_annual"].message.value
    ex.controls["economics.gross_margin"].text.value = "lots"
    assert "is not a number" in ex.controls["economics.gross_margin"].message.value
    # a value finer than the box's precision is rounded, visibly
    ex.set("retention.churn_monthly.existing", 0.01234)
    c = ex.controls["retention.churn_monthly.existing"]
    assert "rounded to 1.2 % a month" in c.message.value and c.text.value == "1.2"
    assert ex.values()["retention.churn_monthly.existing"] == 0.012
    # a valid typed value beyond the slider's range widens the slider and is used
    ex.set("economics.revenue_per_customer_monthly", 20000)
    c = ex.controls["economics.revenue_per_customer_monthly"]
    assert c.message.value == "" and c.value_at(c.slider.value) == 20000
    assert ex.shown_values["economics.revenue_per_customer_monthly"] == 20000
    assert_screen_equals_engine(ex, _engine(ex))


def test_save_after_a_refused_value_writes_what_the_charts_show(ex, tmp_path):
    ex.set(SHARE_MOVED, 0.4)
    ex.set(SHARE_MOVED, 1.5)  # refused: the charts keep 40 %
    assert ex.shown_values[SHARE_MOVED] == 0.4
    path = ex.save_scenario()
    back = rm.run_scenarios(rm.load_scenario_file(path))
    assert_screen_equals_engine(ex, back)


def test_coalescer_computes_at_once_when_idle_and_once_after_a_burst():
    class Loop:  # a deterministic stand-in for the kernel's event loop
        def __init__(self):
            self.now, self.handles = 0.0, []

        def time(self):
            return self.now

        def call_later(self, delay, fn):
            handle = type("H", (), {"cancelled": False})()
            handle.cancel = lambda: setattr(handle, "cancelled", True)
            handle.fn, handle.at = fn, self.now + delay
            self.handles.append(handle)
            return handle

    calls = []
    loop = Loop()
    c = Coalescer(lambda: calls.append(loop.now), 0.03, loop=loop)
    c.trigger()
    assert calls == [0.0]  # leading edge: no waiting
    for t in (0.005, 0.01, 0.02):
        loop.now = t
        c.trigger()
    assert calls == [0.0] and sum(not h.cancelled for h in loop.handles) == 1
    loop.now = loop.handles[-1].at
    loop.handles[-1].fn()
    assert calls == [0.0, 0.03]  # one trailing run for the burst
    loop.now = 1.0
    c.trigger()
    assert calls[-1] == 1.0 and not c.flush()


@pytest.mark.parametrize("order", [("small_fast_mover",), ("consumer_brand", "small_fast_mover"),
                                   ("small_fast_mover", "b2b_it_services")])
def test_switching_files_shows_exactly_the_new_files_figures(ex, order):
    ex.set("economics.revenue_per_customer_monthly", 5000)
    ex.set("retention.churn_monthly.traditional", 0.02)
    old_controls = dict(ex.controls)
    for name in order:
        ex.picker.value = name
        res = rm.run_scenarios(rm.load_shipped(name))
        assert ex.values() == ex.model.file_values() == ex.shown_values
        assert_screen_equals_engine(ex, res)
        assert json.loads(re.search(r"data-state='([^']*)'", ex.kpi_table.value).group(1)
                          .replace("&quot;", '"'))["file"] == name
        assert ex.file_name.value == f"{name}_explorer"
    # late events of the first file's controls (the browser echoing old values) change nothing
    before = ex.shown_values
    old_controls["economics.revenue_per_customer_monthly"].slider.value = 3
    old_controls["retention.churn_monthly.traditional"].text.value = "1.2"
    assert ex.stale_events == 2 and ex.shown_values == before
    assert all(c.slider.comm is None for c in old_controls.values())  # closed


def test_reset_and_focus(ex):
    ex.set("economics.gross_margin", 0.5)
    ex.reset()
    assert ex.values() == ex.model.file_values()
    ex.focus.value = "traditional"
    layout = ex.charts.layout("cashflow")
    assert "Traditional" in layout["title"]["text"]
    assert all(t.get("name") and "trace" not in t["name"] for c in ex.charts.charts.values()
               for t in c["data"])
    # the focused plan's line is drawn and its axis fits it: readable, not flat
    visible = [t for t in ex.charts.data("cashflow")[3:] if t.get("visible", True) is True]
    assert [t["name"] for t in visible] == ["Cumulative: Traditional"]
    lo, hi = layout["yaxis2"]["range"]
    y = np.asarray(visible[0]["y"], dtype=float)
    assert lo <= y.min() and y.max() <= hi and (y.max() - y.min()) > 0.3 * (hi - lo)
    assert_screen_equals_engine(ex, _engine(ex))


def test_save_writes_a_valid_file_that_loads_back_to_the_same_results(ex, tmp_path):
    ex.set(SHARE_MOVED, 0.4)
    ex.set("social.word_of_mouth_lift", 1.0)
    ex.save_button.click()
    path = tmp_path / "b2b_it_services_explorer.yaml"
    assert "Written" in ex.message.value and path.is_file()
    assert_screen_equals_engine(ex, rm.run_scenarios(rm.load_scenario_file(path)))
    assert "Saved from the roi_models explorer" in yaml.safe_load(path.read_text())["description"]
    text = path.read_text()  # never over an existing file without the checkbox
    ex.set(SHARE_MOVED, 0.5)
    ex.save_button.click()
    assert "already exists" in ex.message.value and "overwrite" in ex.message.value
    assert path.read_text() == text
    ex.overwrite.value = True
    ex.save_button.click()
    assert "Written" in ex.message.value and path.read_text() != text
    ex.file_name.value = "../elsewhere"
    ex.save_button.click()
    assert "name" in ex.message.value and not (tmp_path.parent / "elsewhere.yaml").exists()


def test_export_report_writes_the_report_of_the_current_settings(ex, tmp_path):
    ex.set("social.churn_reduction", 0.3)
    ex.export_button.click()
    path = tmp_path / "b2b_it_services_explorer.html"
    assert "Written" in ex.message.value, ex.message.value
    page = path.read_text(encoding="utf-8")
    assert "2026" in page and page.lstrip().lower().startswith("<!doctype html")
    ex.export_button.click()
    assert "already exists" in ex.message.value


@pytest.mark.parametrize("name", SHIPPED)
def test_untouched_kpi_table_is_the_cli_json(name, tmp_path):
    ex = Explorer(name, folder=tmp_path, interval=0)
    doc = json_document(rm.run_scenarios(rm.load_shipped(name)))
    for (scenario, key), text in _table_values(ex).items():
        want = doc["scenarios"][scenario]["kpis"][key]
        assert (text == "") if want is None else float(text) == want, (scenario, key)


def test_kpi_table_text(ex):
    table = format_kpis(ex.results.summary, ex.model.currency, horizon=60)
    assert table.loc["status_quo", "ROI, %"] == "n/a (this is the baseline)"
    assert table.loc["traditional", "Discounted payback, month"] == \
        "n/a (does not pay back within 60 months)"
    assert table.loc["social", "Discounted payback, month"].startswith("month ")
    assert table.loc["social", "NPV, EUR"].startswith("EUR ")
    cells = re.findall(r">([^<]*)</t[dh]>", ex.kpi_table.value)
    assert cells and not any("nan" in c.lower() for c in cells)


def test_hover_texts_of_amounts_are_in_the_house_format(ex):
    """Money in a hover reads like the KPI table (``-EUR 54,096``), not plotly's d3 ``EUR -54,096``."""
    from roi_models.formatting import money_exact

    ex.set(SHARE_MOVED, 0.3)
    cash, cac = ex.charts.data("cashflow"), ex.charts.data("cac_cos")
    for trace in [cash[0], *cash[3:], cac[0]]:
        assert "%{customdata}" in trace["hovertemplate"] and ",.0f" not in trace["hovertemplate"]
        y = [np.nan if v is None else v for v in trace["y"]]
        assert trace["customdata"] == [money_exact(v, "EUR") for v in y], trace["name"]
    assert cash[0]["customdata"][0] == "-EUR 400,000"  # month 0: the one-time cost
    assert cac[0]["text"] == cac[0]["customdata"]
