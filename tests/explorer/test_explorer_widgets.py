"""The explorer without a browser: widgets set from Python, figures and KPIs checked against the engine."""

from __future__ import annotations

import datetime

import numpy as np
import pytest
import yaml

import roi_models as rm
from roi_models.explorer import (
    LEVERS,
    SHARE_MOVED,
    Debouncer,
    Explorer,
    apply_levers,
    format_kpis,
)
from roi_models.explorer.kpis import format_kpi


@pytest.fixture
def ex(tmp_path):
    return Explorer("b2b_it_services", folder=tmp_path, debounce=0,
                    today=lambda: datetime.date(2026, 1, 15))


def _engine(ex):
    """What the engine computes for the explorer's current values, via the validated file."""
    return rm.run_scenarios(apply_levers(ex.model.file, ex.values()))


def test_sliders_are_generated_from_the_schema_metadata(ex):
    assert [c.spec.lever.group for c in ex.controls.values()] == [lv.group for lv in LEVERS]
    c = ex.controls["social.word_of_mouth_lift"]
    meta = rm.field_meta("social.word_of_mouth_lift")
    assert c.slider.description == meta.label
    assert (c.slider.min, c.slider.step, c.slider.value) == (0.0, meta.step, 0.5)
    assert c.slider.tooltip == meta.description and meta.unit in c.unit.value
    month = ex.controls["viral_event.month"]
    assert type(month.slider).__name__ == "IntSlider" and month.slider.max == 60
    assert ex.tabs.titles == ("Budget", "Social effects", "Customers", "Finance and risk")


def test_a_slider_move_updates_figures_and_kpis_to_what_the_engine_computes(ex):
    figs = dict(ex.figures)
    npv_before = ex.evaluation.kpi("social", "npv")
    ex.controls[SHARE_MOVED].slider.value = 0.3  # as the browser would
    ex.controls["social.churn_reduction"].slider.value = 0.3
    res = _engine(ex)
    summary = res.summary.set_index("scenario")
    assert ex.evaluation.kpi("social", "npv") != npv_before
    assert ex.evaluation.kpi("social", "npv") == pytest.approx(summary.loc["social", "npv"])
    customers = ex.figures["customers"].data
    for i, name in enumerate(res.names):
        np.testing.assert_allclose(customers[i].y, res.sim.active_customers[i])
    social = res.names.index("social")
    np.testing.assert_allclose(ex.figures["cashflow"].data[0].y,
                               res.monthly.query("scenario == 'social'")
                               ["discounted_incremental_cash_flow"])
    np.testing.assert_allclose(ex.figures["cac_cos"].data[0].y,
                               summary["cac"].to_numpy(dtype=float))
    np.testing.assert_allclose(ex.figures["churn"].data[social].y,
                               res.monthly.query("scenario == 'social' and month > 0")["churn_rate"])
    payback = int(summary.loc["social", "discounted_payback_month"])
    assert ex.figures["cashflow"].layout.shapes[0].x0 == payback
    assert f">{format_kpi('npv', summary.loc['social', 'npv'])}<" in ex.kpi_table.value
    assert ex.figures == figs and all(ex.figures[k] is figs[k] for k in figs)  # updated in place


def test_typed_values_are_checked_and_bad_ones_refused_with_the_schema_message(ex):
    before = ex.evaluation
    shown = list(ex.figures["customers"].data[2].y)
    ex.set("social.churn_reduction", 0.95)
    control = ex.controls["social.churn_reduction"]
    assert "refused" in control.message.value and "a number in [0, 0.9] (share)" in \
        control.message.value
    assert control.slider.value == 0.15 and ex.evaluation is before
    assert list(ex.figures["customers"].data[2].y) == shown  # the last valid state
    ex.set("finance.discount_rate_annual", 0.0)
    assert "[0.001, 1] (share/year)" in ex.controls["finance.discount_rate_annual"].message.value
    ex.set("plans.share_moved_to_social", 1.5)
    assert "a number in [0, 1]" in ex.controls[SHARE_MOVED].message.value
    # a valid typed value beyond the slider's range widens the slider and is used
    ex.set("economics.revenue_per_customer_monthly", 20000)
    c = ex.controls["economics.revenue_per_customer_monthly"]
    assert c.message.value == "" and c.slider.max == 20000
    assert ex.evaluation.values["economics.revenue_per_customer_monthly"] == 20000
    ex.set("social.churn_reduction", 0.2)  # a good value clears the message
    assert control.message.value == "" and ex.evaluation.values["social.churn_reduction"] == 0.2


def test_debouncer_coalesces_a_burst_into_one_update():
    class Loop:  # a deterministic stand-in for the kernel's event loop
        def __init__(self):
            self.handles = []

        def call_later(self, delay, fn):
            handle = type("H", (), {"cancelled": False})()
            handle.cancel = lambda: setattr(handle, "cancelled", True)
            handle.fn = fn
            self.handles.append(handle)
            return handle

    calls = []
    loop = Loop()
    d = Debouncer(lambda: calls.append(1), 0.2, loop=loop)
    for _ in range(10):
        d.trigger()
    assert calls == [] and sum(not h.cancelled for h in loop.handles) == 1
    assert d.flush() and calls == [1]
    assert not d.flush() and calls == [1]


def test_explorer_with_debounce_updates_on_flush(tmp_path):
    ex = Explorer("small_fast_mover", folder=tmp_path, debounce=0.5)
    ex._debouncer._loop = type("L", (), {"call_later": lambda self, d, fn: type(
        "H", (), {"cancel": lambda self: None})()})()
    before = ex.evaluation
    for v in (0.1, 0.2, 0.3):
        ex.controls[SHARE_MOVED].slider.value = v
    assert ex.evaluation is before  # nothing computed during the burst
    assert ex.flush()
    assert ex.evaluation.values[SHARE_MOVED] == 0.3 and len(ex.history_ms) == 1


def test_reset_focus_and_scenario_picker(ex):
    ex.controls["economics.gross_margin"].slider.value = 0.5
    ex.reset()
    assert ex.values() == ex.model.file_values()
    ex.focus.value = "blended"
    assert "blended" in ex.figures["cashflow"].layout.title.text
    customers = ex.figures["customers"]
    ex.picker.value = "consumer_brand"
    assert ex.model.file.name == rm.load_shipped("consumer_brand").name
    assert ex.figures["customers"] is customers and len(customers.data) == 5
    assert ex.values() == ex.model.file_values()
    res = rm.run_scenarios(rm.load_shipped("consumer_brand"))
    np.testing.assert_allclose(customers.data[4].y, res.sim.active_customers[4])
    assert ex.file_name.value == "consumer_brand_explorer"


def test_save_writes_a_valid_file_that_loads_back_to_the_same_results(ex, tmp_path):
    ex.set(SHARE_MOVED, 0.4)
    ex.set("social.word_of_mouth_lift", 1.0)
    ex.save_button.click()
    path = tmp_path / "b2b_it_services_explorer.yaml"
    assert "Written" in ex.message.value and path.is_file()
    back = rm.run_scenarios(rm.load_scenario_file(path)).summary.set_index("scenario")
    for name in ex.model.names:
        for col in ("npv", "cac", "clv"):
            assert float(back.loc[name, col]) == pytest.approx(ex.evaluation.kpi(name, col),
                                                               rel=1e-9), (name, col)
    assert "Saved from the roi_models explorer" in yaml.safe_load(path.read_text())["description"]
    # never over an existing file without the checkbox, and no traceback: a message
    text = path.read_text()
    ex.set(SHARE_MOVED, 0.5)
    ex.save_button.click()
    assert "already exists" in ex.message.value and "overwrite" in ex.message.value
    assert path.read_text() == text
    ex.overwrite.value = True
    ex.save_button.click()
    assert "Written" in ex.message.value and path.read_text() != text
    ex.file_name.value = "../elsewhere"
    ex.save_button.click()
    assert "refused" not in ex.message.value and "name" in ex.message.value
    assert not (tmp_path.parent / "elsewhere.yaml").exists()


def test_export_report_writes_the_report_of_the_current_settings(ex, tmp_path):
    ex.set("social.churn_reduction", 0.3)
    ex.export_button.click()
    path = tmp_path / "b2b_it_services_explorer.html"
    assert "Written" in ex.message.value, ex.message.value
    page = path.read_text(encoding="utf-8")
    assert "2026" in page and page.lstrip().lower().startswith("<!doctype html")
    ex.export_button.click()
    assert "already exists" in ex.message.value


def test_kpi_table_text(ex):
    table = format_kpis(ex.evaluation.kpis, ex.model.currency)
    assert table.loc["status_quo", "ROI"] == "baseline"
    assert table.loc["traditional", "Payback (discounted)"] == "n/a"
    assert table.loc["social", "Payback (discounted)"].startswith("month ")
    assert "nan" not in ex.kpi_table.value.lower()
