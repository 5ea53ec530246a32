"""run_scenarios: the frames, the business case against the status quo and the JSON document."""

import json

import numpy as np
import numpy_financial as npf
import pandas as pd
import pytest

import roi_models as rm
from roi_models.cli import json_document
from roi_models.conventions import monthly_rate
from roi_models.engine import irr_annual
from roi_models.errors import InputError


@pytest.fixture(scope="module")
def res():
    return rm.run_scenarios(rm.load_shipped("b2b_it_services"))


def test_status_quo_first_and_its_incremental_case_is_empty(res):
    assert res.names[0] == "status_quo"
    k = res.kpis("status_quo")
    # identical to the baseline: nothing invested, nothing gained
    assert k["npv"] == 0.0 and k["irr_annual"] is None and k["roi"] is None
    assert k["payback_month"] is None


def test_incremental_npv_is_the_discounted_sum_of_the_monthly_incremental_column(res):
    m = res.monthly
    d = (1 + monthly_rate(res.discount_rate)) ** -np.arange(res.horizon + 1)
    for name in res.names:
        inc = m.loc[m.scenario == name, "incremental_cash_flow"].to_numpy()
        assert res.kpis(name)["npv"] == pytest.approx(float(inc @ d), rel=1e-12, abs=1e-6)
        # and the incremental column is the plan's net cash flow minus the status quo's
        sq = m.loc[m.scenario == "status_quo", "net_cash_flow"].to_numpy()
        plan = m.loc[m.scenario == name, "net_cash_flow"].to_numpy()
        np.testing.assert_allclose(inc, plan - sq)


def test_net_cash_flow_is_the_sum_of_its_parts(res):
    m = res.monthly
    parts = (m.gross_profit - m.marketing_spend - m.cost_of_sales - m.support_cost
             - m.programme_cost)
    np.testing.assert_allclose(m.net_cash_flow, parts, rtol=1e-12, atol=1e-6)


def test_by_source_adds_up_to_the_totals(res):
    counts = ["active_customers", "new_customers"]
    by = res.by_source.groupby(["scenario", "month"], sort=False)[counts].sum()
    tot = res.monthly.set_index(["scenario", "month"])[["active_customers", "new_customers"]]
    np.testing.assert_allclose(by.loc[tot.index].to_numpy(), tot.to_numpy(), rtol=1e-12)


def test_summary_has_units_and_no_nan(res):
    s = res.summary
    assert s.attrs["units"]["npv"] == "EUR" and s.attrs["units"]["payback_month"] == "month"
    for col in s.columns[1:]:
        values = s[col].to_numpy(dtype=object)
        assert not any(isinstance(v, float) and np.isnan(v) for v in values), col
    assert str(s["payback_month"].dtype) == "Int64"
    assert s.query("scenario == 'status_quo'")["cac_social"].isna().all()  # no social customers


def test_annual_table_of_a_scenario_uses_the_tei_convention(res):
    t = res.annual("social")
    assert list(t.table.columns) == ["Initial", "Year 1", "Year 2", "Year 3", "Year 4", "Year 5",
                                     "Total", "Present value"]
    costs = t.table.loc["Costs"].iloc[:6].to_numpy()
    d = 1.1 ** -np.arange(6)
    assert t.pv_costs == pytest.approx(float(costs @ d))
    # the initial column is month 0: the one-time cost 250,000 x multiplier 1.6 = 400,000
    assert t.table.loc["Costs", "Initial"] == pytest.approx(400_000)
    # risk adjustment: benefits -10 %, costs +5 %
    adj = res.annual("social", risk_adjust_benefits=0.1, risk_adjust_costs=0.05)
    assert adj.pv_benefits == pytest.approx(0.9 * t.pv_benefits)
    assert adj.pv_costs == pytest.approx(1.05 * t.pv_costs)
    with pytest.raises(InputError, match="risk_adjust_costs"):
        res.annual("social", risk_adjust_costs=1.5)


def test_register_travels_into_results(res):
    reg = res.register
    row = reg[(reg.scenario == "social") & (reg.path == "market.bass_p_annual")].iloc[0]
    assert row["value"] == 0.005 and "Sultan" in row["source"] and row["confidence"] == "low"
    # a scenario's own annotation wins over the base one
    ev = reg[(reg.scenario == "traditional") & (reg.path == "channels.events.spend.amount")].iloc[0]
    assert ev["value"] == 180000 and ev["source"].startswith("Plan")


def test_json_document_is_strict_json_with_nulls(res):
    doc = json_document(res)
    text = json.dumps(doc, allow_nan=False)  # raises on NaN or inf
    back = json.loads(text)
    assert back["discount_rate_annual"] == 0.1
    social = back["scenarios"]["social"]
    for key in ("npv", "irr_annual", "roi", "payback_month", "cac", "clv",
                "cost_of_sales_share", "churn_monthly_avg"):
        assert key in social["kpis"]
    monthly = social["monthly"]
    assert monthly["month"][0] == 0 and len(monthly["month"]) == 61
    for key in ("net_cash_flow", "incremental_cash_flow", "active_customers", "new_customers",
                "revenue", "cost_of_sales", "marketing_spend", "support_cost"):
        assert len(monthly[key]) == 61
    assert back["scenarios"]["status_quo"]["kpis"]["irr_annual"] is None


def test_unknown_scenario_suggests_the_nearest(res):
    with pytest.raises(InputError, match="did you mean 'social'"):
        rm.run_scenarios(res.file, ["socail"])


def test_frames_are_tidy_and_queryable(res):
    m = res.monthly
    assert len(m) == len(res.names) * (res.horizon + 1)
    pivot = m.pivot(index="month", columns="scenario", values="active_customers")
    assert list(pivot.columns) == sorted(res.names)
    assert isinstance(m.query("scenario == 'social' and month == 12"), pd.DataFrame)


def test_monthly_churn_rate_is_missing_where_nobody_was_active(res):
    m = res.monthly
    assert m.loc[m.month == 0, "churn_rate"].isna().all()  # month 0: no month before it
    social = m[m.scenario == "social"]
    churned, active = social["churned_customers"].to_numpy(), social["active_customers"].to_numpy()
    expected = churned[1:] / active[:-1]
    np.testing.assert_allclose(social["churn_rate"].to_numpy(dtype=float)[1:], expected)


def test_shown_irr_is_numpy_financial_and_the_batch_solver_agrees(res):
    inc = res.case.incremental_cash_flow
    for i, name in enumerate(res.names[1:], start=1):
        expected = (1 + npf.irr(inc[i])) ** 12 - 1
        assert res.kpis(name)["irr_annual"] == pytest.approx(expected, rel=1e-9)
        assert irr_annual(inc[i], solver="vectorised") == pytest.approx(expected, rel=1e-9)
