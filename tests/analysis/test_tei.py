"""The annual TEI table: hand calculations, numpy-financial's NPV, the shared payback rule."""

import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import roi_models as rm
from roi_models.analysis.tei import TEITable, payback_years, tei_table, yearly
from roi_models.engine import payback_month
from roi_models.errors import InputError


def test_tei_table_is_importable_from_the_top_level_package():
    assert rm.tei_table is tei_table and rm.TEITable is TEITable


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


def test_present_values_are_numpy_financial_npv_from_t0():
    costs, benefits = [250.0, 30, 30, 30, 30], [0.0, 90, 120, 150, 150]
    t = tei_table(costs, benefits, 0.08)
    assert t.pv_costs == npf.npv(0.08, costs) and t.pv_benefits == npf.npv(0.08, benefits)


def test_roi_is_none_without_costs():
    t = tei_table([0, 0, 0], [0, 10, 10], 0.1)
    assert t.roi is None and t.pv_costs == 0.0 and t.npv == pytest.approx(10 / 1.1 + 10 / 1.21)


@pytest.mark.parametrize("net, expected", [
    ([-100, 60, 70], 1 + 40 / 70),  # hand case above
    ([-100, 50, 50, 50], 2.0),  # cumulative exactly 0 at the end of year 2
    ([0, 10, 10], 0.0),  # never below zero
    ([-100, 60, 60, -30], None),  # ends below zero: never pays back for good
    ([-100, 150, -80, 100], 2 + 30 / 100),  # dips again in year 2: pays back in year 3
    ([0, 0, 0], None),  # nothing to pay back
])
def test_payback_years_hand_cases(net, expected):
    got = payback_years(net)
    assert got == (pytest.approx(expected) if expected is not None else None)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6, allow_subnormal=False), min_size=2, max_size=12))
def test_payback_years_falls_in_the_year_payback_month_names(net):
    # one payback rule: the TEI year is payback_month of the yearly flows, the fraction only
    # places it inside that year
    year, got = payback_month(net), payback_years(net)
    if np.isnan(year):
        assert got is None
    else:
        assert max(0.0, year - 1) <= got <= year


def test_yearly_sums_months_into_tei_columns():
    months = np.arange(26, dtype=float)  # month 0, then 25 months: two years and one month
    assert yearly(months) == [0.0, float(sum(range(1, 13))), float(sum(range(13, 25))), 25.0]


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
