"""Chart builders: figures from results, deterministic, with the marks they promise."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

import roi_models as rm
from roi_models.analysis.drivers import npv_drivers
from roi_models.analysis.stress import viral_stress
from roi_models.analysis.whatif import budget_share_sweep
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
from roi_models.charts.style import money, plain


@pytest.fixture(scope="module")
def results():
    return rm.run_scenarios(rm.load_shipped("b2b_it_services"))


@pytest.fixture(scope="module")
def figures(results):
    cur = results.currency
    return {
        "customers": active_customers_by_source(results.by_source),
        "cashflow": incremental_cash_flow(results.monthly, results.summary, cur),
        "cac_clv": cac_clv_by_source(results.summary, cur),
        "cost_of_sales": cost_of_sales_by_scenario(results.monthly, results.summary, cur),
        "drivers": npv_waterfall(npv_drivers(results), cur),
        "whatif": budget_share_figure(budget_share_sweep(results, "social")),
        "stress": viral_stress_figure(viral_stress(results), cur),
    }


def test_builders_return_figures_deterministically(results, figures):
    again = {
        "customers": active_customers_by_source(results.by_source),
        "whatif": budget_share_figure(budget_share_sweep(results, "social")),
    }
    for name, fig in figures.items():
        assert isinstance(fig, go.Figure), name
    for name, fig in again.items():
        assert fig.to_json() == figures[name].to_json()


def test_scenario_dropdowns_toggle_one_group(results, figures):
    menu = figures["customers"].layout.updatemenus[0]
    assert [b.label for b in menu.buttons] == list(results.names)
    assert sum(menu.buttons[2].args[0]["visible"]) == 5
    menu = figures["cashflow"].layout.updatemenus[0]
    assert [b.label for b in menu.buttons] == list(results.names[1:])


def test_payback_marked_at_discounted_payback(results, figures):
    s = results.summary.set_index("scenario")
    fig = figures["cashflow"]
    k = [b.label for b in fig.layout.updatemenus[0].buttons].index("social")
    layout = fig.layout.updatemenus[0].buttons[k].args[1]
    assert layout["shapes"][0]["x0"] == int(s.loc["social", "discounted_payback_month"])
    j = [b.label for b in fig.layout.updatemenus[0].buttons].index("traditional")
    text = fig.layout.updatemenus[0].buttons[j].args[1]["annotations"][0]["text"]
    assert "No discounted payback" in text
    # the cumulative line ends at the NPV
    social_line = fig.data[2 * k + 1]
    assert social_line.y[-1] == pytest.approx(float(s.loc["social", "npv"]), rel=1e-9)


def test_clv_below_cac_warning(results):
    summary = results.summary.copy()
    summary.loc[summary.scenario == "social", "clv_social"] = 100.0  # far below its CAC
    fig = cac_clv_by_source(summary, "EUR")
    warn = fig.data[2]
    assert list(warn.x[0]) == ["social"] and list(warn.x[1]) == ["social"]
    assert warn.text == ("CLV < CAC",)
    assert cac_clv_by_source(results.summary, "EUR").data[2].visible == "legendonly"


def test_whatif_slider_steps_show_npv(results, figures):
    sweep = budget_share_sweep(results, "social")
    steps = figures["whatif"].layout.sliders[0].steps
    assert len(steps) == 41
    for k, step in enumerate(steps):
        assert step.method == "update"
        assert f"NPV {money(float(sweep.case.npv[k]), 'EUR')}" in step.args[1]["title.text"]
        np.testing.assert_allclose(step.args[0]["y"][0], sweep.discounted_cash_flow[k])
    # the slider starts at the plan itself: step 20 of -100 %..+100 %, nothing moved
    assert figures["whatif"].layout.sliders[0].active == 20 == sweep.plan_index
    assert steps[20].label == "0 %"
    npv = money(float(results.kpis("social")["npv"]), "EUR")
    assert f"NPV {npv}" in steps[20].args[1]["title.text"]


def test_waterfall_total_is_npv(results, figures):
    s = results.summary.set_index("scenario")
    w = figures["drivers"].data[[t.name for t in figures["drivers"].data].index("social")]
    assert list(w.measure)[-1] == "total"
    assert sum(w.y[:-1]) == pytest.approx(float(s.loc["social", "npv"]), rel=1e-9)


def test_aligned_ranges_share_zero():
    r1, r2 = aligned_ranges([-400, 350], [-1e6, 9e6])
    assert -r1[0] / (r1[1] - r1[0]) == pytest.approx(-r2[0] / (r2[1] - r2[0]))


def test_user_text_shown_literally_in_plotly():
    assert plain("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;"
