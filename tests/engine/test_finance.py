"""Finance functions against published examples, hand calculations and invariants."""

import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from roi_models.conventions import annualise, monthly_rate
from roi_models.engine import irr_annual, irr_monthly, npv, payback_month, roi_from_components, tei_table
from roi_models.errors import InputError


def test_monthly_rate_of_ten_percent_a_year():
    # (1.10)^(1/12) - 1 = 0.00797414 (hand calculation), and back to 10 % a year
    assert monthly_rate(0.10) == pytest.approx(0.0079741404, abs=1e-10)
    assert annualise(monthly_rate(0.10)) == pytest.approx(0.10, rel=1e-12)


def test_npv_matches_numpy_documentation_example():
    # numpy's documented example: npv(0.281, [-100, 39, 59, 55, 20]) = -0.0084785916,
    # values from t = 0. Our rate is annual: give the annual equivalent of 28.1 % a month.
    assert npv([-100, 39, 59, 55, 20], annualise(0.281)) == pytest.approx(-0.0084785916, abs=1e-9)


def test_npv_hand_calculation_month_zero_undiscounted():
    # -1000 now, +600 in months 1 and 2 at 12 % a year: r_m = 1.12^(1/12) - 1 = 0.0094888
    r = 1.12 ** (1 / 12) - 1
    expected = -1000 + 600 / (1 + r) + 600 / (1 + r) ** 2  # = 594.36 + 588.77 - 1000 = 183.13
    assert npv([-1000, 600, 600], 0.12) == pytest.approx(expected, rel=1e-12)
    assert expected == pytest.approx(183.13, abs=0.01)


def test_npv_batched_equals_rows_and_per_row_rates():
    rng = np.random.default_rng(1)
    cf = rng.normal(size=(7, 25))
    rates = np.linspace(0.0, 0.3, 7)
    batched = npv(cf, rates)
    rows = [npv(cf[i], rates[i]) for i in range(7)]
    np.testing.assert_allclose(batched, rows, rtol=1e-12)


def test_npv_at_zero_rate_is_the_sum_of_flows():
    cf = np.array([[-5.0, 1, 2, 3, 4], [3, -1, -1, 0, 7]])
    np.testing.assert_allclose(npv(cf, 0.0), cf.sum(axis=1))


@pytest.mark.parametrize(
    "flows, expected",
    [  # numpy-financial's documented examples (irr docstring)
        ([-100, 39, 59, 55, 20], 0.28095),
        ([-100, 0, 0, 74], -0.0955),
        ([-100, 100, 0, -7], -0.0833),
        ([-100, 100, 0, 7], 0.06206),
        ([-5, 10.5, 1, -8, 1], 0.0886),
    ],
)
def test_irr_matches_numpy_financial_examples(flows, expected):
    assert round(irr_monthly(flows), 4) == pytest.approx(round(expected, 4), abs=1e-4)
    assert irr_monthly(flows) == pytest.approx(npf.irr(flows), abs=1e-9)


def test_irr_none_where_flows_never_change_sign():
    out = irr_monthly(np.array([[1.0, 2, 3], [-1.0, -2, -3], [0.0, 0, 0]]))
    assert np.isnan(out).all()


def test_irr_annualised():
    # 1 % a month compounds to 1.01^12 - 1 = 12.6825 % a year
    flows = [-100] + [0] * 11 + [100 * 1.01**12]
    assert irr_annual(flows) == pytest.approx(1.01**12 - 1, rel=1e-9)


conventional = st.lists(st.floats(0.5, 100), min_size=2, max_size=60).map(
    lambda xs: [-sum(xs) * 0.8] + xs
)


@settings(max_examples=60, deadline=None)
@given(conventional)
def test_irr_vectorised_agrees_with_numpy_financial(flows):
    ours = irr_monthly(flows)
    ref = npf.irr(flows)
    assert ours == pytest.approx(ref, abs=1e-8)
    # invariant: NPV at the IRR is zero
    assert np.dot(flows, (1 + ours) ** -np.arange(len(flows))) == pytest.approx(0, abs=1e-6 * sum(map(abs, flows)))


@settings(max_examples=40, deadline=None)
@given(conventional, st.floats(0.1, 1000))
def test_scaling_flows_scales_npv_and_keeps_irr(flows, k):
    f = np.array(flows)
    assert npv(k * f, 0.1) == pytest.approx(k * npv(f, 0.1), rel=1e-9, abs=1e-9)
    assert irr_monthly(k * f) == pytest.approx(irr_monthly(f), abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(conventional)
def test_npv_falls_as_the_rate_rises_for_a_conventional_project(flows):
    values = [npv(flows, r) for r in (0.0, 0.05, 0.2, 0.5)]
    assert all(a >= b - 1e-9 for a, b in zip(values, values[1:]))


def test_payback_month_hand_cases():
    # cumulative -100, -70, -30, 20: pays back in month 3
    assert payback_month([-100, 30, 40, 50]) == 3
    # dips below zero again at the end: never pays back for good
    assert np.isnan(payback_month([-100, 60, 60, -30]))
    # never below zero: month 0
    assert payback_month([0, 5, 5]) == 0
    # all zero: nothing to pay back
    assert np.isnan(payback_month([0.0, 0.0, 0.0]))
    # discounted payback comes later: at 300 % a year (4^(1/12) = 1.1225 a month) month 3 is
    # -100 + 30/1.1225 + 40/1.2599 + 50/1.4142 = -6.2, and a month-4 flow of 20 adds 20/1.5874 = 12.6
    assert np.isnan(payback_month([-100, 30, 40, 50], 3.0))
    assert payback_month([-100, 30, 40, 50, 20], 3.0) == 4


def test_roi_benefits_minus_costs_equals_npv():
    # gross profit +50 a month for 2 months, programme cost 60 up front, spend saving +5 in month 1
    parts = {
        "gross_profit": np.array([0.0, 50, 50]),
        "programme_cost": np.array([-60.0, 0, 0]),
        "channel_spend": np.array([0.0, 5, -10]),
    }
    r = roi_from_components(parts, 0.0)
    assert r.pv_benefits == pytest.approx(105.0)  # 50 + 50 + 5
    assert r.pv_costs == pytest.approx(70.0)  # 60 + 10
    assert r.roi == pytest.approx(35.0 / 70.0)
    total = sum(parts.values())
    assert r.pv_benefits - r.pv_costs == pytest.approx(npv(total, 0.0))


def test_roi_undefined_without_costs():
    r = roi_from_components({"gross_profit": np.array([0.0, 1.0])}, 0.1)
    assert np.isnan(r.roi)


def test_tei_table_discounting_convention():
    # Initial undiscounted, year n discounted by 1.1^n (Forrester TEI)
    t = tei_table([100, 20, 20], [0, 80, 90], 0.10)
    pv_costs = 100 + 20 / 1.1 + 20 / 1.21  # = 134.71
    pv_benefits = 80 / 1.1 + 90 / 1.21  # = 147.11
    assert t.pv_costs == pytest.approx(pv_costs)
    assert t.pv_benefits == pytest.approx(pv_benefits)
    assert t.npv == pytest.approx(pv_benefits - pv_costs)
    assert t.roi == pytest.approx((pv_benefits - pv_costs) / pv_costs)
    assert t.table.loc["Costs", "Present value"] == pytest.approx(pv_costs)
    assert t.table.loc["Net benefits", "Total"] == pytest.approx(170 - 140)
    assert list(t.table.index) == ["Costs", "Benefits", "Net benefits"]
    # net -100, 60, 70: cumulative -100, -40, 30 -> pays back 40/70 of the way through year 2
    assert t.payback_years == pytest.approx(1 + 40 / 70)


@pytest.mark.parametrize(
    "costs, benefits, rate, field",
    [
        ([100, -5], [0, 10], 0.1, "costs[1]"),
        ([100, 5], [0, float("nan")], 0.1, "benefits[1]"),
        ([100, 5, 5], [0, 10], 0.1, "benefits"),
        ([100], [0], 0.1, "costs"),
        ([100, 5], [0, 10], float("inf"), "discount_rate"),
    ],
)
def test_tei_table_refuses_bad_input(costs, benefits, rate, field):
    with pytest.raises(InputError, match=field.replace("[", r"\[").replace("]", r"\]")):
        tei_table(costs, benefits, rate)
