"""Chart builders: figures from results, deterministic, with the marks and texts they promise."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

import roi_models as rm
from roi_models.analysis.drivers import npv_drivers
from roi_models.analysis.stress import viral_stress
from roi_models.analysis.whatif import MOVED_LABEL, budget_share_sweep
from roi_models.charts import (
    active_customers_by_source,
    budget_share_figure,
    cac_clv_by_source,
    cost_of_sales_by_scenario,
    incremental_cash_flow,
    npv_waterfall,
    viral_stress_figure,
)
from roi_models.charts.cashflow import aligned_ranges
from roi_models.charts.style import MODEBAR_REMOVED, PLOTLY_CONFIG, label_of, money_axis, plain
from roi_models.formatting import money, money_exact, money_ticks


@pytest.fixture(scope="module")
def results():
    return rm.run_scenarios(rm.load_shipped("b2b_it_services"))


@pytest.fixture(scope="module")
def labels(results):
    return {n: results.file.label(n) for n in results.names}


@pytest.fixture(scope="module")
def figures(results, labels):
    cur = results.currency
    plans = list(results.names[1:])
    return {
        "customers": active_customers_by_source(results.by_source, labels=labels),
        "cashflow": incremental_cash_flow(results.monthly, results.summary, cur, plans,
                                          labels=labels),
        "cac_clv": cac_clv_by_source(results.summary, cur, labels=labels),
        "cost_of_sales": cost_of_sales_by_scenario(results.monthly, results.summary, cur,
                                                   labels=labels),
        "drivers": npv_waterfall(npv_drivers(results), cur, plans, labels=labels),
        "whatif": budget_share_figure(budget_share_sweep(results, "social"),
                                      label=labels["social"]),
        "stress": viral_stress_figure(viral_stress(results), cur, labels=labels),
    }


def test_builders_return_figures_deterministically(results, labels, figures):
    again = {
        "customers": active_customers_by_source(results.by_source, labels=labels),
        "whatif": budget_share_figure(budget_share_sweep(results, "social"),
                                      label=labels["social"]),
    }
    for name, fig in figures.items():
        assert isinstance(fig, go.Figure), name
    for name, fig in again.items():
        assert fig.to_json() == figures[name].to_json()


def test_plans_are_named_by_their_labels_never_by_raw_ids(results, labels, figures):
    menu = figures["customers"].layout.updatemenus[0]
    assert [b.label for b in menu.buttons] == [labels[n] for n in results.names]
    assert sum(menu.buttons[2].args[0]["visible"]) == 5
    menu = figures["cashflow"].layout.updatemenus[0]
    assert [b.label for b in menu.buttons] == [labels[n] for n in results.names[1:]]
    text = figures["cashflow"].to_json() + figures["drivers"].to_json() + \
        figures["stress"].to_json() + figures["cost_of_sales"].to_json()
    for raw in ("status_quo", '"traditional"', '"blended"'):
        assert raw not in text
    # without labels, a readable form of the key
    assert label_of("social_reallocation") == "Social reallocation"


def _ranges_hold_data(fig, axis_of_trace):
    """For every menu entry: the visible traces' data lie within their axes' ranges."""
    menu = fig.layout.updatemenus[0]
    for button in menu.buttons:
        visible, layout = button.args[0]["visible"], button.args[1]
        for trace, shown in zip(fig.data, visible, strict=True):
            if not shown:
                continue
            axis, values = axis_of_trace(trace)
            lo, hi = layout[f"{axis}.range"]
            v = np.asarray([x for x in values if x is not None], dtype=float)
            assert lo <= v.min() and v.max() <= hi, (button.label, trace.name, lo, hi)
            ticks = layout[f"{axis}.tickvals"]
            inside = [t for t in ticks if lo <= t <= hi]
            assert len(inside) >= 3, (button.label, axis, ticks, lo, hi)


def test_every_cash_flow_menu_entry_has_its_own_readable_axes(figures):
    fig = figures["cashflow"]

    def axis(trace):
        return ("yaxis2" if trace.yaxis == "y2" else "yaxis"), trace.y

    _ranges_hold_data(fig, axis)
    for button in fig.layout.updatemenus[0].buttons:
        layout = button.args[1]
        for ax in ("yaxis", "yaxis2"):  # ticks in the text's units
            lo, hi = layout[f"{ax}.range"]
            assert layout[f"{ax}.ticktext"] == money_ticks(lo, hi, "EUR", target=12)[1] or \
                layout[f"{ax}.ticktext"] == money_ticks(lo, hi, "EUR")[1]
            assert all(t.startswith(("EUR", "-EUR")) for t in layout[f"{ax}.ticktext"])
    assert fig.layout.annotations == ()  # nothing is written over the bars


def test_traditional_plan_that_never_pays_back_keeps_its_line_on_the_chart(results, figures):
    fig = figures["cashflow"]
    menu = fig.layout.updatemenus[0]
    k = [b.label for b in menu.buttons].index("More events")
    layout = menu.buttons[k].args[1]
    line = next(t for t, v in zip(fig.data, menu.buttons[k].args[0]["visible"], strict=True)
                if v and t.yaxis == "y2")
    lo, hi = layout["yaxis2.range"]
    assert max(line.y[1:]) < 0  # never pays back
    assert lo <= min(line.y) and (max(line.y) - min(line.y)) / (hi - lo) > 0.5  # readable
    assert "no discounted payback within 60 months" in layout["title.text"]


def test_waterfall_menu_entries_hold_their_bars(figures):
    fig = figures["drivers"]

    def axis(trace):
        return "xaxis", np.concatenate([[0.0], np.cumsum(trace.x[:-1])])

    _ranges_hold_data(fig, axis)


def test_payback_marked_at_discounted_payback(results, figures):
    s = results.summary.set_index("scenario")
    fig = figures["cashflow"]
    payback = [t for t in fig.data if t.name and t.name.startswith("Discounted payback")]
    assert [t.x[0] for t in payback] == [int(s.loc[n, "discounted_payback_month"])
                                         for n in ("social", "blended")]
    # the cumulative line ends at the NPV
    line = [t for t in fig.data if t.yaxis == "y2"][1]
    assert line.y[-1] == pytest.approx(float(s.loc["social", "npv"]), rel=1e-9)


def test_hover_shows_each_bars_own_value_with_unit_and_month(results, figures):
    fig = figures["cashflow"]
    bars = next(t for t in fig.data if isinstance(t, go.Bar))
    assert bars.hovertemplate.startswith("Month %{x}: %{customdata}")
    assert list(bars.customdata) == [money_exact(v, "EUR") for v in bars.y]
    assert bars.customdata[36].startswith(("EUR ", "-EUR "))
    # the waterfall: a bar's own value, not the running total it steps to
    w = figures["drivers"].data[1]  # the social plan
    d = npv_drivers(results)
    own = d[d.scenario == "social"].set_index("driver")["npv"]
    k = list(w.y).index("Marketing spend")
    assert w.customdata[k] == money_exact(own["marketing_spend"], "EUR")
    assert w.customdata[k].startswith("-EUR")
    assert w.hovertemplate == "%{y}: %{customdata}<extra></extra>"
    assert w.text[-1] == money(own.sum(), "EUR")


def test_no_hover_shows_a_bare_number(figures):
    for name, fig in figures.items():
        for t in fig.data:
            template = t.hovertemplate or ""
            assert "%{y:,.0f}<extra>" not in template or "customers" in template, (name, t.name)
            if template and "customdata" not in template:  # a count, or a label only
                assert "customers" in template or "%{" not in template.replace(
                    "%{x}", ""), (name, t.name, template)


def test_clv_below_cac_warning(results):
    summary = results.summary.copy()
    summary.loc[summary.scenario == "social", "clv_social"] = 100.0  # far below its CAC
    fig = cac_clv_by_source(summary, "EUR")
    warn = [t for t in fig.data if getattr(t, "mode", None) == "markers+text"]
    assert len(warn) == 1 and list(warn[0].y) == ["Social"]
    assert warn[0].text == ("CLV < CAC",)
    legend_only = [t for t in cac_clv_by_source(results.summary, "EUR").data
                   if t.visible == "legendonly"]
    assert len(legend_only) == 1  # the legend still explains the marker


def test_whatif_slider_steps_show_npv(results, figures):
    sweep = budget_share_sweep(results, "social")
    fig = figures["whatif"]
    steps = fig.layout.sliders[0].steps
    assert len(steps) == 41
    for k, step in enumerate(steps):
        assert step.method == "update"
        assert f"NPV {money(float(sweep.case.npv[k]), 'EUR')}" in step.args[1]["title.text"]
        np.testing.assert_allclose(step.args[0]["y"][0], sweep.discounted_cash_flow[k])
        assert step.args[0]["customdata"][0] == [money_exact(v, "EUR")
                                                 for v in sweep.discounted_cash_flow[k]]
    # the slider starts at the plan itself: step 20 of -100 %..+100 %, nothing moved
    assert fig.layout.sliders[0].active == 20 == sweep.plan_index
    assert steps[20].label == "0 %" and steps[-1].label == "+100 %" and steps[0].label == "-100 %"
    assert fig.layout.sliders[0].currentvalue.prefix == f"{MOVED_LABEL}: "
    assert "LinkedIn and community" in steps[20].args[1]["title.text"]
    assert f"NPV {money(float(results.kpis('social')['npv']), 'EUR')}" in \
        steps[20].args[1]["title.text"]


def test_waterfall_total_is_npv(results, figures):
    s = results.summary.set_index("scenario")
    w = figures["drivers"].data[1]
    assert w.name == "LinkedIn and community"
    assert list(w.measure)[-1] == "total"
    assert sum(w.x[:-1]) == pytest.approx(float(s.loc["social", "npv"]), rel=1e-9)


def test_stress_chart_says_when_the_event_is_in_every_scenario(consumer_with_certain_event):
    res = rm.run_scenarios(consumer_with_certain_event)
    stress = viral_stress(res)
    included = {n: res.file.scenario(n).viral_event.enabled for n in res.names}
    assert all(included.values())
    fig = viral_stress_figure(stress, res.currency, included=included)
    assert len(fig.data) == 1  # not two identical series
    assert "in every scenario" in fig.layout.title.text
    assert len(viral_stress_figure(stress, res.currency).data) == 2  # not told: both


@pytest.mark.parametrize("monthly, cumulative", [
    ([-400, 350], [-1e6, 9e6]), ([-5, 1], [-30, -10]), ([0, 3], [0, 9]), ([-3, -1], [-9, -2]),
    ([-1, 5], [2, 9]), ([0, 0], [0, 0]),
])
def test_aligned_ranges_share_zero_and_hold_both_series(monthly, cumulative):
    r1, r2 = aligned_ranges(monthly, cumulative)
    f1, f2 = -r1[0] / (r1[1] - r1[0]), -r2[0] / (r2[1] - r2[0])
    assert f1 == pytest.approx(f2, abs=0.07)  # zero at the same height (padding aside)
    assert r1[0] <= min(monthly) and max(monthly) <= r1[1]
    assert r2[0] <= min(cumulative) and max(cumulative) <= r2[1]


def test_money_axis_ticks_in_the_texts_units():
    a = money_axis(-1.2e6, 9.3e6, "EUR")
    assert a["ticktext"][:3] == ["-EUR 2 m", "EUR 0", "EUR 2 m"]
    b = money_axis(-0.46e6, 0.55e6, "EUR")  # a range that would show only two ticks
    assert len([v for v in b["tickvals"] if b["range"][0] <= v <= b["range"][1]]) >= 4


def test_config_lets_nothing_leave_the_machine():
    assert PLOTLY_CONFIG["displaylogo"] is False
    assert PLOTLY_CONFIG["showSendToCloud"] is False
    assert PLOTLY_CONFIG.get("showLink", False) is False
    assert PLOTLY_CONFIG.get("showEditInChartStudio", False) is False
    assert "sendDataToCloud" in PLOTLY_CONFIG["modeBarButtonsToRemove"]
    assert "toImage" not in MODEBAR_REMOVED  # download as PNG stays


def test_user_text_shown_literally_in_plotly():
    assert plain("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert label_of("x", {"x": "<b>R&D</b>"}) == "&lt;b&gt;R&amp;D&lt;/b&gt;"
