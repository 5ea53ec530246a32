"""The compiled KPI passes against the numpy formulas of their definitions.

``plan_metrics`` and ``business_case`` compute their per-row figures in one
compiled pass each (``metrics._plan_rows``, ``metrics._case_rows``). Here
every figure is computed again the plain numpy way, straight from the
definitions in their docstrings (sums over the month axis, ``safe_ratio``,
``npv``, ``roi_from_components`` and the vectorised payback rule below), on
the shipped files and on hypothesis batches, and must agree to 1e-12
relative. Where a figure is a difference of larger sums (an NPV of flows of
both signs, ROI near 0, churn from the telescoped count) the 1e-12 is taken
of the sums' magnitude, the size of the rounding of either summation order;
NaN must be NaN in both.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_properties import plans

from roi_models.conventions import safe_ratio
from roi_models.data import load_shipped
from roi_models.engine import ParamBatch, business_case, plan_metrics, simulate
from roi_models.engine.finance import (
    PAYBACK_TOLERANCE,
    annual_discount_factors,
    npv,
    payback_month,
    roi_from_components,
)
from roi_models.engine.simulate import S_ORGANIC, S_REFERRAL, S_SOCIAL, S_TRADITIONAL

RTOL = 1e-12
ACQUIRED = (S_TRADITIONAL, S_SOCIAL, S_ORGANIC, S_REFERRAL)


def numpy_plan_metrics(res, rate):
    """The definitions of plan_metrics' docstring in numpy (the engine's formulas before the
    compiled pass), with the magnitudes that bound the rounding of the cancelling figures."""
    months = slice(1, None)
    new_total = res.new[:, :, months].sum(axis=-1)
    spend = res.spend_by_kind[:, :, months].sum(axis=-1)
    cos = res.cost_of_sales_by_kind[:, :, months].sum(axis=-1)
    cost = np.zeros_like(new_total)
    cost[:, S_TRADITIONAL] = spend[:, 0] + cos[:, 0]
    cost[:, S_SOCIAL] = spend[:, 1] + cos[:, 1]
    cost[:, S_REFERRAL] = res.referral_rewards[:, months].sum(axis=-1)
    cac_src = safe_ratio(cost, new_total)
    cac_src[:, 0] = np.nan
    acquired = new_total[:, ACQUIRED].sum(axis=1)
    paid = new_total[:, [S_TRADITIONAL, S_SOCIAL]].sum(axis=1)
    cac = safe_ratio(spend.sum(axis=1) + cos.sum(axis=1), paid)  # CAC (paid)
    cac_blended = safe_ratio(cost.sum(axis=1), acquired)
    products = res.new[:, :, months] * res.customer_value[:, :, months]
    weighted = products.sum(axis=-1)
    clv_src = safe_ratio(weighted, new_total)
    clv_src[:, 0] = np.nan
    clv = safe_ratio(weighted[:, ACQUIRED].sum(axis=1), acquired)
    clv_paid = safe_ratio(weighted[:, [S_TRADITIONAL, S_SOCIAL]].sum(axis=1), paid)
    active = res.active_customers
    added = res.new_customers[:, months].sum(axis=-1)
    churned = active[:, 0] - active[:, -1] + added
    at_risk = active[:, :-1].sum(axis=-1)
    d = np.atleast_2d(annual_discount_factors(rate, res.horizon))
    figures = {
        "npv": npv(res.net_cash_flow, rate), "cac_by_source": cac_src, "cac": cac,
        "cac_blended": cac_blended, "clv_by_source": clv_src, "clv": clv,
        "clv_to_cac_by_source": safe_ratio(clv_src, cac_src),
        "clv_to_cac": safe_ratio(clv_paid, cac),
        "budget": res.channel_spend.sum(axis=-1) + res.programme_cost.sum(axis=-1),
        "cost_of_sales_share": safe_ratio(cos.sum(axis=-1), res.revenue[:, months].sum(axis=-1)),
        "churn_monthly_avg": safe_ratio(churned, at_risk),
        "customers_end": active[:, -1], "new_customers_total": acquired,
    }
    clv_size_src = safe_ratio(np.abs(products).sum(axis=-1), new_total)
    clv_size = safe_ratio(np.abs(products)[:, ACQUIRED].sum(axis=(1, 2)), acquired)
    clv_paid_size = safe_ratio(np.abs(products)[:, [S_TRADITIONAL, S_SOCIAL]].sum(axis=(1, 2)),
                               paid)
    sizes = {
        "npv": (np.abs(res.net_cash_flow) * d).sum(axis=-1),
        "clv_by_source": clv_size_src, "clv": clv_size,
        "clv_to_cac_by_source": safe_ratio(clv_size_src, cac_src),
        "clv_to_cac": safe_ratio(clv_paid_size, cac),
        "churn_monthly_avg": safe_ratio(active[:, 0] + active[:, -1] + added, at_risk),
    }
    return figures, sizes


def vectorised_payback(cf):
    """payback_month's rule over a whole batch in numpy (cumulative sums of the month axis)."""
    cum = np.cumsum(cf, axis=-1)
    size = np.abs(cf)
    tol = PAYBACK_TOLERANCE * np.maximum(1.0, size.sum(axis=-1, keepdims=True))
    below = cum < -tol
    T1 = cf.shape[-1]
    after_last_below = np.where(below.any(axis=-1), T1 - np.argmax(below[..., ::-1], axis=-1), 0)
    month = after_last_below.astype(float)
    month[after_last_below == T1] = np.nan
    month[size.max(axis=-1) <= tol[..., 0]] = np.nan
    return month


def roi_lines(res, spend):
    """The signed lines of ROI (business_case's docstring), each channel's spend its own."""
    lines = {"gross_profit": res.gross_profit}
    lines |= {f"spend {c}": -np.asarray(spend[c]).T for c in range(spend.shape[0])}
    lines |= {"cos traditional": -res.cost_of_sales_by_kind[:, 0],
              "cos social": -res.cost_of_sales_by_kind[:, 1],
              "referral_rewards": -res.referral_rewards, "support": -res.support_cost,
              "programme": -res.programme_cost}
    return lines


def numpy_case(res, baseline, rate, spend, baseline_spend):
    inc = res.net_cash_flow - baseline.net_cash_flow
    d = np.atleast_2d(annual_discount_factors(rate, res.horizon))
    base = roi_lines(baseline, baseline_spend)
    parts = {k: v - base[k] for k, v in roi_lines(res, spend).items()}
    r = roi_from_components(parts, rate)
    cumulative = np.cumsum(inc, axis=-1)
    figures = {"npv": npv(inc, rate), "roi": r.roi, "pv_benefits": r.pv_benefits,
               "pv_costs": r.pv_costs, "payback_month": vectorised_payback(inc),
               "discounted_payback_month": vectorised_payback(inc * d),
               "peak_outlay": np.maximum(0.0, -cumulative.min(axis=-1))}
    sizes = {"npv": (np.abs(inc) * d).sum(axis=-1),
             "roi": safe_ratio(r.pv_benefits + r.pv_costs, r.pv_costs),
             "peak_outlay": np.abs(inc).sum(axis=-1)}
    return figures, sizes


def assert_close(name, got, expected, size=None):
    got, expected = np.asarray(got), np.asarray(expected)
    assert got.shape == expected.shape, name
    nan = np.isnan(expected)
    np.testing.assert_array_equal(np.isnan(got), nan, err_msg=name)
    scale = np.abs(expected) if size is None else np.maximum(np.abs(expected), size)
    with np.errstate(invalid="ignore"):  # inf - inf: equal infinities pass by got == expected
        bad = ~nan & (got != expected) & ~(np.abs(got - expected) <= RTOL * scale)
    assert not bad.any(), (name, got[bad][:3], expected[bad][:3])


def assert_passes_equal_numpy(batch: ParamBatch, baseline_rows) -> None:
    res = simulate(batch)
    rate = batch["finance.discount_rate_annual"]
    m = plan_metrics(res, batch)
    with np.errstate(over="ignore"):  # a CLV/CAC of a subnormal CAC (win rate 1e-311) is inf
        figures, sizes = numpy_plan_metrics(res, rate)
    for name, expected in figures.items():
        assert_close(name, getattr(m, name), expected, sizes.get(name))
    baseline = res.rows(baseline_rows)
    base_spend = batch.rows(np.atleast_1d(np.arange(batch.n)[baseline_rows])).spend
    case = business_case(res, baseline, rate, spend=batch.spend, baseline_spend=base_spend,
                         with_irr=False)
    figures, sizes = numpy_case(res, baseline, rate, batch.spend, base_spend)
    for name, expected in figures.items():
        assert_close(name, getattr(case, name), expected, sizes.get(name))
    # the one payback rule: payback_month (compiled) gives the business case's months
    np.testing.assert_array_equal(payback_month(case.incremental_cash_flow), case.payback_month)
    np.testing.assert_array_equal(payback_month(case.discounted_incremental_cash_flow),
                                  case.discounted_payback_month)


@pytest.mark.parametrize("name", ["b2b_it_services", "consumer_brand", "small_fast_mover"])
def test_kpi_passes_equal_the_numpy_definitions_on_the_shipped_files(name):
    sf = load_shipped(name)
    batch = ParamBatch.from_assumptions([sf.scenario(s) for s in sf.scenario_names])
    assert_passes_equal_numpy(batch, 0)  # against the status quo
    assert_passes_equal_numpy(batch, slice(None, None, -1))  # row by row against others


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(12, 48).flatmap(lambda h: st.lists(plans(horizon=h), min_size=1, max_size=5)),
       st.booleans())
def test_kpi_passes_equal_the_numpy_definitions_on_random_plans(batch_plans, per_row):
    # every row has its own discount rate; the baseline is row 0, or every row in reverse
    batch = ParamBatch.from_assumptions(batch_plans)
    assert_passes_equal_numpy(batch, slice(None, None, -1) if per_row else 0)


def test_vectorised_payback_of_this_file_is_payback_month_on_hand_cases():
    # the oracle above is itself held to the hand cases of test_finance
    flows = np.array([[-100, 30, 40, 50], [-100, 60, 60, -30], [0, 5, 5, 0], [0, 0, 0, 0]], float)
    np.testing.assert_array_equal(vectorised_payback(flows), [3, np.nan, 0, np.nan])
    np.testing.assert_array_equal(payback_month(flows), [3, np.nan, 0, np.nan])
    assert np.isnan(payback_month([-100.0, np.nan, 200.0]))  # a row with NaN: no payback
