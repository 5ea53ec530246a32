"""Every shortcut the engine takes for speed gives the figures of its general path.

The engine picks paths by batch: a closed form for the carry-over of small
batches (unless its powers underflow) and a month loop otherwise, slices for a sales-cycle lag shared
by every row, a closed-form customer value unless it would underflow, a month
loop without the market-capacity test unless the market runs out, and guards
(A = U = 0, p = 0, a viral event) only for batches that need them; the payback
month of many rows runs month by month.
"""

import dataclasses
import functools
import importlib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_properties import plans

from roi_models.assumptions.examples import neutral_plan
from roi_models.data import load_shipped
from roi_models.assumptions.merge import nest
from roi_models.engine import ParamBatch, simulate

engine = importlib.import_module("roi_models.engine.simulate")
finance = importlib.import_module("roi_models.engine.finance")


def arrays(res):
    return {k: v for k, v in dataclasses.asdict(res).items() if isinstance(v, np.ndarray)}


ACTIVE = {  # a plan where every mechanism is at work
    "market.bass_p_annual": 0.03, "market.bass_q_annual": 0.38, "market.initial_customers": 2000.0,
    "channels.tv.spend.amount": 50_000.0, "channels.tv.max_leads_monthly": 400.0,
    "channels.social_ads.spend.amount": 20_000.0, "channels.social_ads.max_leads_monthly": 300.0,
    "funnel.win_rate": 0.2, "referrals.referrals_per_customer_monthly": 0.01,
    "referrals.conversion": 0.3, "social.word_of_mouth_lift": 0.3,
    **{f"retention.churn_monthly.{s}": 0.02 for s in engine.SOURCES},
}


def active_plan(**changes):
    return neutral_plan(nest(ACTIVE | {k.replace("__", "."): v for k, v in changes.items()}))


def assert_same_rows(big, small, rows):
    for name, arr in arrays(small).items():
        np.testing.assert_allclose(arrays(big)[name][rows], arr, rtol=1e-11, atol=1e-9, err_msg=name)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(12, 30).flatmap(lambda h: st.lists(plans(horizon=h), min_size=1, max_size=3)))
def test_small_batch_paths_equal_the_large_batch_paths(batch_plans):
    # 3 rows take the small-batch paths (closed forms, uniform checks); 70 rows the large-batch loop
    small = simulate(ParamBatch.from_assumptions(batch_plans))
    k = len(batch_plans)
    big = simulate(ParamBatch.from_assumptions(batch_plans * (70 // k + 1)))
    assert big.n > engine._SMALL_BATCH >= small.n
    assert_same_rows(big, small, slice(0, k))


@pytest.mark.parametrize("name", ["b2b_it_services", "consumer_brand", "small_fast_mover"])
def test_shipped_files_give_the_same_figures_on_both_paths(name):
    # the shipped files have several channels of a kind (summed channel by channel on large
    # batches) and spend schedules per row
    sf = load_shipped(name)
    plans = [sf.scenario(s) for s in sf.scenario_names]
    small = simulate(ParamBatch.from_assumptions(plans))
    big = simulate(ParamBatch.from_assumptions(plans * (70 // len(plans) + 1)))
    assert big.n > engine._SMALL_BATCH >= small.n
    assert_same_rows(big, small, slice(0, len(plans)))


def test_guards_for_empty_start_and_no_innovation_leave_other_rows_unchanged():
    normal = active_plan()
    odd = active_plan(market__initial_customers=0.0, market__bass_p_annual=0.0,
                      channels__tv__spend__amount=0.0, channels__social_ads__spend__amount=0.0,
                      viral_event__enabled=True, viral_event__month=3)
    alone = simulate(ParamBatch.from_assumptions([normal]))
    mixed = simulate(ParamBatch.from_assumptions([normal, odd]))
    assert_same_rows(mixed, alone, slice(0, 1))
    # no innovation, no paid customers, nobody to imitate: nobody adopts, exactly
    assert np.all(mixed.new[1] == 0.0)


def test_exhausted_market_scales_acquisition_and_never_exceeds_it():
    # 1,000 potential customers and paid channels that win far more: the capacity test runs
    plan = active_plan(market__potential_customers=1000.0, market__initial_customers=10.0,
                       channels__tv__spend__amount=5e6, channels__tv__max_leads_monthly=50.0)
    res = simulate(ParamBatch.from_assumptions([plan]))
    adopted = 10.0 + res.new_customers[0, 1:].cumsum()
    assert adopted[-1] <= 1000.0 * (1 + 1e-12)
    assert np.isclose(adopted[-1], 1000.0, rtol=1e-12)  # every potential customer was won
    assert np.all(res.new >= 0.0)
    assert np.all(res.active_customers <= 1000.0 * (1 + 1e-12))


def test_month_loop_without_capacity_test_equals_the_loop_with_it_while_the_market_lasts(
        monkeypatch):
    batch = ParamBatch.from_assumptions([active_plan(), active_plan(market__bass_q_annual=0.9)])
    fast = simulate(batch)
    assert np.all(fast.new_customers.sum(axis=1) < batch["market.potential_customers"])
    monkeypatch.setattr(engine, "_customers", functools.partial(engine._customers, capacity_test=True))
    assert_same_rows(simulate(batch), fast, slice(None))


def test_a_first_pass_gone_wrong_anywhere_is_run_again_with_the_capacity_test(monkeypatch):
    # past an exhausted market the first pass may leave NaN rather than a negative remainder
    passes = []
    loop = engine._month_loop

    def spoiled(*args, capacity, **guards):
        passes.append(capacity)
        loop(*args, capacity=capacity, **guards)
        if not capacity:
            args[10][5:] = np.nan  # what is left of the market (remaining), from month 5 on

    monkeypatch.setattr(engine, "_month_loop", spoiled)
    res = simulate(ParamBatch.from_assumptions([active_plan()]))
    assert passes == [False, True]
    assert np.all(np.isfinite(res.active_customers))


def _value_by_recursion(survival, margin, rate):
    value = np.empty_like(survival)
    r_end = survival[-1]
    value[-1] = margin[-1] * r_end / (1.0 + rate - r_end)
    for t in range(survival.shape[0] - 2, -1, -1):
        value[t] = survival[t + 1] * (margin[t + 1] + value[t + 1]) / (1.0 + rate)
    return value


def test_customer_value_closed_form_equals_the_backward_recursion():
    rng = np.random.default_rng(3)
    survival = rng.uniform(0.5, 1.0, (61, 5, 6))
    survival[0] = 1.0
    margin = rng.uniform(-20.0, 200.0, (61, 6))  # support can exceed margin: negative months
    rate = rng.uniform(0.001, 0.02, 6)
    np.testing.assert_allclose(engine._customer_value(survival, margin, rate),
                               _value_by_recursion(survival, margin, rate), rtol=1e-11, atol=1e-9)


def test_customer_value_with_total_churn_falls_back_to_the_recursion():
    survival = np.full((241, 5, 2), 0.9)
    survival[0] = 1.0
    survival[100:, 2, 0] = 0.0  # a cohort that churns completely: D(t) = 0
    margin = np.full((241, 2), 50.0)
    rate = np.array([0.01, 0.01])
    got = engine._customer_value(survival, margin, rate)
    assert np.all(np.isfinite(got))
    np.testing.assert_allclose(got, _value_by_recursion(survival, margin, rate), rtol=1e-12)
    assert np.all(got[99:, 2, 0] == 0.0)  # nobody left to pay from month 100 on


def test_shared_lag_slices_equal_per_row_lags():
    rng = np.random.default_rng(5)
    opp = rng.uniform(0.0, 10.0, (2, 25, 3))
    shared = np.array([[2.5, 2.5, 2.5], [0.0, 0.0, 0.0]])
    per_row = shared.copy()
    per_row[:, 2] = [7.25, 30.0]  # differs in the last row only: the general path
    np.testing.assert_allclose(engine._lagged(opp, per_row)[:, :, :2],
                               engine._lagged(opp, shared)[:, :, :2], rtol=1e-15)
    # by hand: month 5 with lag 2.5 is 0.5 opp(3) + 0.5 opp(2); months up to the lag take month 0
    lagged = engine._lagged(opp, per_row)
    np.testing.assert_allclose(lagged[0, 5, 0], 0.5 * opp[0, 3, 0] + 0.5 * opp[0, 2, 0])
    np.testing.assert_allclose(lagged[0, 2, 0], opp[0, 0, 0])
    np.testing.assert_allclose(lagged[1, 24, 2], opp[1, 0, 2])  # a 30-month lag: pre-plan level
    assert np.all(lagged[:, 0] == 0.0)


def test_payback_month_of_many_rows_equals_the_general_path():
    # many rows run month by month over whole rows; both paths must give the same month
    rng = np.random.default_rng(11)
    for horizon in (1, 2, 13, 61, 240):
        cf = rng.normal(0.0, 1.0, (200, horizon)) + rng.normal(0.0, 1.0, (200, 1))
        cf[:20] = 0.0  # nothing to pay back: NaN
        cf[20:30] *= 1e-12  # below the tolerance: NaN
        cf[30:40, 0] = -1e6  # never pays back: NaN
        cf[40:50] = np.abs(cf[40:50])  # never below zero: month 0
        month_major = np.ascontiguousarray(cf.T).T
        general = np.concatenate([finance.payback_month(cf[i:i + 50]) for i in range(0, 200, 50)])
        np.testing.assert_array_equal(finance.payback_month(month_major), general)
        np.testing.assert_array_equal(finance.payback_month(cf), general)
    assert np.isnan(general[:40]).all() and (general[40:50] == 0.0).all()
    # by hand: -100, 30, 40, 50 pays back in month 3 on both paths
    flows = np.tile([-100.0, 30.0, 40.0, 50.0], (100, 1))
    assert (finance.payback_month(flows) == 3.0).all()


def _adstock_by_recursion(spend, carryover, before):
    a = np.empty(spend.shape)
    a[:, 0] = before / (1.0 - carryover)
    for t in range(1, spend.shape[1]):
        a[:, t] = spend[:, t] + carryover * a[:, t - 1]
    return a


@pytest.mark.parametrize("n, tiny_carryover", [(4, False), (4, True), (70, False)])
def test_carryover_paths_equal_the_recursion(n, tiny_carryover):
    # 4 rows: the closed form lambda^t (a0 + sum s lambda^-k), or the month loop when a
    # carry-over is 0 (lambda^-t overflows); 70 rows: the month loop
    rng = np.random.default_rng(13)
    spend = rng.uniform(0.0, 1e5, (3, 241, n))
    carryover = rng.uniform(0.3, 0.95, (3, n))
    if tiny_carryover:
        carryover[1, 2] = 0.0
        carryover[2, 0] = 1e-6
    before = rng.uniform(0.0, 1e5, (3, n))
    got = engine._adstock(spend, carryover, before, np.empty(spend.shape))
    np.testing.assert_allclose(got, _adstock_by_recursion(spend, carryover, before), rtol=1e-12)
    # by hand: lambda 0.5, a(0) = 10 / 0.5 = 20, a(1) = 4 + 10 = 14, a(2) = 0 + 7 = 7
    one = engine._adstock(np.array([[[0.0], [4.0], [0.0]]]), np.array([[0.5]]), np.array([[10.0]]),
                          np.empty((1, 3, 1)))
    np.testing.assert_allclose(one[0, :, 0], [20.0, 14.0, 7.0])
