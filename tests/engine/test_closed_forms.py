"""The engine against closed forms: Bass diffusion, carry-over, saturation, referrals, CLV, lags."""

import math
from decimal import Decimal, localcontext

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from roi_models.assumptions.examples import neutral_plan
from roi_models.conventions import monthly_rate
from roi_models.engine import ParamBatch, plan_metrics, simulate
from roi_models.engine.simulate import S_ORGANIC, S_REFERRAL, S_TRADITIONAL, _one_minus_exp


def run(*plans):
    batch = ParamBatch.from_assumptions(list(plans))
    return simulate(batch), batch


def bass_F(t_years, p, q):
    """Bass (1969) cumulative adoption F(t) = (1 - e^{-(p+q)t}) / (1 + (q/p) e^{-(p+q)t})."""
    e = np.exp(-(p + q) * t_years)
    return (1 - e) / (1 + (q / p) * e)


def one_minus_exp_exact(s: float) -> Decimal:
    """1 - e^(-s) to 50 digits, in Decimal: for s <= 1 the alternating series
    s - s^2/2! + s^3/3! - ... (no cancellation of 1 - e^(-s)), above 1 - exp(-s)."""
    with localcontext() as ctx:
        ctx.prec = 50
        if s > 1.0:
            return 1 - (-Decimal(s)).exp()
        d = term = total = Decimal(s)
        for k in range(2, 60):
            term = -term * d / k
            total += term
        return +total


@settings(max_examples=2000, deadline=None)
@given(st.one_of(st.floats(0.0, 0.25), st.floats(1e-300, 1e-3), st.floats(0.25, 30.0)))
def test_the_bass_steps_one_minus_exp_is_within_4e_16_of_the_exact_value(s):
    # The kernel's inline series (s <= 1/4) and math.expm1 above: within 4e-16 relative
    # of a 50-digit series; the series alone measured 3.0e-16 at worst (math.expm1 1.2e-16).
    got = _one_minus_exp(s)
    if s == 0.0:
        assert got == 0.0
        return
    exact = one_minus_exp_exact(s)
    assert abs((Decimal(got) - exact) / exact) < Decimal("4e-16"), (s, got, exact)


def test_one_minus_exp_is_continuous_where_the_series_hands_over():
    # at s = 1/4 the series ends and math.expm1 takes over: no step between them
    below, above = _one_minus_exp(0.25), _one_minus_exp(math.nextafter(0.25, 1.0))
    assert below == pytest.approx(-math.expm1(-0.25), rel=4e-16)
    assert 0.0 <= above - below < 4e-16


@pytest.mark.parametrize("p, q", [(0.03, 0.38), (0.01, 0.5), (0.021, 0.583)])
def test_organic_adoption_follows_the_bass_closed_form(p, q):
    # No paid spend, no churn, no referrals, nobody at month 0. The engine integrates the
    # Bass hazard exactly over each month, so A(t)/M equals F(t) to rounding: tolerance
    # 1e-9 of M. (The forward monthly step (p + qA/M)(M - U) was off by 0.0060 of M for
    # the Sultan et al. 1990 averages and 0.013 for the colour-TV analogue 0.021/0.583.)
    M = 1e6
    plan = neutral_plan({
        "market": {"potential_customers": M, "bass_p_annual": p, "bass_q_annual": q},
        "finance": {"horizon_months": 240},
    })
    res, _ = run(plan)
    share = res.active_customers[0] / M
    F = bass_F(np.arange(241) / 12, p, q)
    assert np.abs(share - F).max() < 1e-9
    # and the peak month matches t* = ln(q/p) / (p+q) years within two months
    peak = np.argmax(res.new_customers[0])
    assert abs(peak - 12 * np.log(q / p) / (p + q)) <= 2


def test_carryover_reaches_spend_over_one_minus_lambda():
    # steady state adstock = s / (1 - lambda): with Hill shape 1 and K = 1000,
    # leads = L a / (a + K); s = 500, lambda = 0.75 gives a = 2000 and leads = 100 * 2/3.
    plan = neutral_plan({"channels": {"tv": {
        "spend": {"amount": 500.0}, "carryover": 0.75, "max_leads_monthly": 100.0,
        "half_saturation": 1000.0,
    }}})
    res, _ = run(plan)
    assert res.leads[0, 0, -1] == pytest.approx(100 * 2000 / 3000, rel=1e-6)
    # month 1 from a cold start holds only that month's spend: a = 500, leads = 100/3
    assert res.leads[0, 0, 1] == pytest.approx(100 * 500 / 1500, rel=1e-12)
    # warm start: spend before the plan at the same level gives the steady state at once
    warm = neutral_plan({"channels": {"tv": {
        "spend": {"amount": 500.0}, "spend_before_plan": 500.0, "carryover": 0.75,
        "max_leads_monthly": 100.0, "half_saturation": 1000.0,
    }}})
    res_w, _ = run(warm)
    np.testing.assert_allclose(res_w.leads[0, 0, 1:], 100 * 2 / 3, rtol=1e-12)


def test_saturation_gives_diminishing_returns():
    # Hill with shape 1: leads(2s) < 2 leads(s); at K the channel gives half of Lmax
    plans = [neutral_plan({"channels": {"tv": {
        "spend": {"amount": s}, "max_leads_monthly": 100.0, "half_saturation": 1000.0,
    }}}) for s in (500.0, 1000.0, 2000.0)]
    res, _ = run(*plans)
    leads = res.leads[:, 0, 1]
    assert leads[1] == pytest.approx(50.0)
    assert leads[2] < 2 * leads[1] and leads[1] < 2 * leads[0]
    # an S-curve (shape 2) is convex below K: leads(s/2) < leads(s)/2
    s_curve = [neutral_plan({"channels": {"tv": {
        "spend": {"amount": s}, "max_leads_monthly": 100.0, "half_saturation": 1000.0, "shape": 2.0,
    }}}) for s in (250.0, 500.0)]
    res2, _ = run(*s_curve)
    assert res2.leads[0, 0, 1] < res2.leads[1, 0, 1] / 2


def test_viral_coefficient_multiplies_paid_acquisition_by_one_over_one_minus_k():
    # Paid wins W a month (lead-to-opp 1, win 1, no lag), churn c for everyone, referrals
    # k = referrals x conversion per customer-month. In steady state A = (W + kA)/c, so new
    # customers per month = W c / (c - k) = W / (1 - K) with K = k / c (here 0.5 -> x2).
    c, k = 0.10, 0.05
    plan = neutral_plan({
        "finance": {"horizon_months": 240},
        "market": {"potential_customers": 1e9},
        "channels": {"tv": {"spend": {"amount": 1000.0}, "max_leads_monthly": 20.0,
                            "half_saturation": 1000.0}},
        "referrals": {"referrals_per_customer_monthly": 0.1, "conversion": 0.5},
        "retention": {"churn_monthly": dict.fromkeys(
            ["existing", "traditional", "social", "organic", "referral"], c)},
    })
    res, _ = run(plan)
    paid = res.new[0, S_TRADITIONAL, -1]
    assert paid == pytest.approx(10.0)  # 20 leads x 1000 / (1000 + 1000)
    assert res.new_customers[0, -1] / paid == pytest.approx(1 / (1 - k / c), rel=1e-4)
    assert res.new[0, S_REFERRAL, -1] > 0 and res.new[0, S_ORGANIC, -1] == 0


def test_clv_equals_gupta_lehmann_closed_form_under_constant_churn():
    # m r / (1 + i - r) with m = revenue x margin = 100 x 0.5 = 50, r = 1 - churn,
    # i = the monthly equivalent of 10 % a year (0.0079741). At churn 0.02 that is
    # 50 x 0.98 / 0.0279741 = 1751.62.
    churn = {"existing": 0.02, "traditional": 0.03, "social": 0.02, "organic": 0.01, "referral": 0.05}
    plan = neutral_plan({
        "market": {"bass_p_annual": 0.05, "initial_customers": 100.0},
        "channels": {"tv": {"spend": {"amount": 1000.0}, "max_leads_monthly": 20.0}},
        "retention": {"churn_monthly": churn},
    })
    res, batch = run(plan)
    m = plan_metrics(res, batch)
    i = monthly_rate(0.10)
    for s, idx in (("traditional", 1), ("organic", 3)):
        r = 1 - churn[s]
        assert m.clv_by_source[0, idx] == pytest.approx(50 * r / (1 + i - r), rel=1e-10), s
    # no social or referral customers were acquired: their CLV does not exist
    assert np.isnan(m.clv_by_source[0, 2]) and np.isnan(m.clv_by_source[0, 4])
    r = res.customer_value[0, 2, 5]  # the value of a social customer is still defined
    assert r == pytest.approx(50 * 0.98 / (1 + i - 0.98), rel=1e-10)
    assert 50 * 0.98 / (1 + i - 0.98) == pytest.approx(1751.62, abs=0.01)


def test_sales_cycle_delays_wins():
    # cold start, lag 3: no wins in months 1-3, wins from month 4; lag 2.5 splits month 3
    def plan(lag):
        return neutral_plan({
            "channels": {"tv": {"spend": {"amount": 1000.0}, "max_leads_monthly": 10.0}},
            "funnel": {"sales_cycle_months": lag},
        })
    res, _ = run(plan(3.0), plan(2.5))
    wins3, wins25 = res.new[0, S_TRADITIONAL], res.new[1, S_TRADITIONAL]
    np.testing.assert_allclose(wins3[:4], 0.0)
    assert wins3[4] == pytest.approx(5.0)
    assert wins25[3] == pytest.approx(2.5)  # half of month 1's five wins
    assert wins25[4] == pytest.approx(5.0)


def test_cost_of_sales_is_cost_per_opportunity_times_opportunities_with_social_advantage():
    # 10 leads -> 5 opportunities at 200 each = 1000 a month traditional; social leads
    # cost 30 % less per opportunity: 5 x 140 = 700.
    plan = neutral_plan({
        "channels": {
            "tv": {"spend": {"amount": 1000.0}, "max_leads_monthly": 20.0},
            "social_ads": {"spend": {"amount": 1000.0}, "max_leads_monthly": 20.0},
        },
        "funnel": {"lead_to_opportunity": 0.5, "win_rate": 0.5, "cost_per_opportunity": 200.0,
                   "social_cost_reduction": 0.3, "social_win_rate_uplift": 0.2},
    })
    res, _ = run(plan)
    assert res.cost_of_sales_by_kind[0, 0, 1] == pytest.approx(1000.0)
    assert res.cost_of_sales_by_kind[0, 1, 1] == pytest.approx(700.0)
    # win 0.5 x 1.2 = 0.6 of 5 opportunities = 3 social customers vs 2.5 traditional
    assert res.new[0, 2, 1] == pytest.approx(3.0)
    assert res.new[0, 1, 1] == pytest.approx(2.5)


def test_downturn_raises_churn_whatever_the_engagement():
    plan = neutral_plan({
        "market": {"initial_customers": 1000.0},
        "retention": {"churn_monthly": {"existing": 0.01},
                      "downturn": {"start_month": 3, "duration_months": 2, "added_churn": 0.05}},
        "social": {"churn_reduction": 0.9},
        "programme": {"ongoing_monthly": 1e9},  # engagement ~1 from month 1 (no ramp)
        "organisation": {"ramp_up_months": 0},
    })
    res, _ = run(plan)
    rate = res.churn_rate[0, 0]
    assert rate[1] == pytest.approx(0.01 * (1 - 0.9 * 1e9 / (1e9 + 1000)), rel=1e-9)
    assert rate[3] == pytest.approx(rate[1] + 0.05)  # the shock is not reduced by engagement
    assert rate[5] == pytest.approx(rate[1])


def test_viral_event_decays_with_its_half_life_and_response_mitigates():
    base = {
        "market": {"initial_customers": 1000.0},
        "retention": {"churn_monthly": {"existing": 0.01}},
        "viral_event": {"enabled": True, "month": 2, "acquisition_hit": 0.5, "added_churn": 0.04,
                        "half_life_months": 2.0, "mitigation": 0.5},
        "organisation": {"ramp_up_months": 0},
    }
    res, _ = run(neutral_plan(base), neutral_plan({**base, "programme": {"response_capability": 1.0}}))
    added = res.churn_rate[:, 0] - 0.01
    assert added[0, 1] == pytest.approx(0.0)
    assert added[0, 2] == pytest.approx(0.04)  # peak at the event month
    assert added[0, 4] == pytest.approx(0.02)  # one half-life later
    assert added[1, 2] == pytest.approx(0.02)  # full response capability avoids half


def test_awareness_raises_the_innovation_hazard_by_the_generalized_bass_ratio():
    # Generalized Bass Model (Bass, Krishnan & Jain 1994), the model's form:
    # p_eff = p (1 + w h(t)) / (1 + w h(0)), h = a / (a + Kaw). No imitation (q = 0), no churn,
    # no paid leads, no carry-over: adoption is pure innovation, U(t) = M (1 - exp(-p_eff t)).
    # p = 0.12 a year = 0.01 a month, w = 1, spend = Kaw (h = 1/2), nothing before the plan
    # (h(0) = 0): p_eff = 0.01 x 1.5 = 0.015 a month, so month 1 brings
    # 1e6 x (1 - e^-0.015) = 14,888.06 adopters and month 12 ends at 1e6 x (1 - e^-0.18).
    M = 1e6

    def plan(spend, before, lift):
        return neutral_plan({
            "market": {"potential_customers": M, "bass_p_annual": 0.12},
            "channels": {"tv": {"spend": {"amount": spend}, "spend_before_plan": before,
                                "awareness_lift": lift, "awareness_half_saturation": 1000.0}},
        })

    res, _ = run(plan(1000.0, 0.0, 1.0), plan(1000.0, 1000.0, 1.0), plan(0.0, 1000.0, 1.0),
                 plan(1000.0, 0.0, 0.0))
    assert res.new[0, S_ORGANIC, 1] == pytest.approx(14_888.06, abs=0.01)
    assert res.active_customers[0, 12] == pytest.approx(M * -np.expm1(-0.18), rel=1e-12)
    # Expected: spend that stays at its level before the plan leaves p as it is (the status
    # quo unchanged by construction): U(t) = M (1 - exp(-0.01 t)), as with no awareness at all.
    np.testing.assert_allclose(res.active_customers[1], M * -np.expm1(-0.01 * np.arange(61)),
                               rtol=1e-12)
    np.testing.assert_allclose(res.active_customers[3], res.active_customers[1], rtol=1e-12)
    # Expected: cutting the channel lowers p to p / (1 + w h(0)) = 0.01 / 1.5 a month.
    assert res.new[2, S_ORGANIC, 1] == pytest.approx(M * -np.expm1(-0.01 / 1.5), rel=1e-12)


def test_engagement_effects_reach_the_participating_share_less_self_selection():
    # pi = cap x e; churn = churn0 (1 - (1 - sigma) gamma pi); support per customer
    # = contacts x cost x (1 - deflection x pi). Programme spend 1e9 against H = 1000 makes
    # e = 1e9 / (1e9 + 1000) from month 1 (no ramp). With churn0 = 0.02, gamma = 0.5,
    # sigma = 0.4, cap = 0.3: churn = 0.02 (1 - 0.6 x 0.5 x 0.3 e) = 0.02 (1 - 0.09 e),
    # 0.0182 at e = 1; with deflection 0.5 support is 10 x (1 - 0.15 e) = 8.5 per customer.
    plan = neutral_plan({
        "market": {"initial_customers": 1000.0},
        "retention": {"churn_monthly": {"existing": 0.02}},
        "social": {"churn_reduction": 0.5, "self_selection_discount": 0.4,
                   "participation_cap": 0.3, "support_deflection": 0.5},
        "support": {"contacts_per_customer_monthly": 1.0, "cost_per_contact": 10.0},
        "programme": {"ongoing_monthly": 1e9},
        "organisation": {"ramp_up_months": 0},
    })
    res, _ = run(plan)
    e = 1e9 / (1e9 + 1000.0)
    assert res.engagement[0, 1] == pytest.approx(e, rel=1e-12)
    assert res.churn_rate[0, 0, 1] == pytest.approx(0.02 * (1 - 0.09 * e), rel=1e-12)
    assert 0.02 * (1 - 0.09) == pytest.approx(0.0182)
    assert res.support_cost[0, 1] / res.active_customers[0, 1] == pytest.approx(
        10.0 * (1 - 0.15 * e), rel=1e-12)


def test_referral_customers_who_would_have_come_by_word_of_mouth_are_moved_not_added():
    # Month 1, 1,000 customers, M = 1e5 (F0 = 0.01), q = 0.12 a year (0.01 a month), p = 0:
    # the exact Bass step (logistic) brings W = M F0 (e^q - 1)(1 - F0) / (1 - F0 + F0 e^q)
    # = 9.9487 adopters; the programme r c A =
    # 0.01 x 0.5 x 1000 = 5 referral customers. With word_of_mouth_share 0.4, 0.4 x 5 = 2 of
    # them are taken out of the organic cohort: organic W - 2, referral 5, all new W + 3.
    def plan(share, q=0.12):
        return neutral_plan({
            "market": {"initial_customers": 1000.0, "bass_q_annual": q},
            "referrals": {"referrals_per_customer_monthly": 0.01, "conversion": 0.5,
                          "word_of_mouth_share": share},
        })
    res, _ = run(plan(0.0), plan(0.4), plan(1.0, q=0.0))
    W = res.new[0, S_ORGANIC, 1]
    assert W == pytest.approx(1e5 * 0.01 * np.expm1(0.01) * 0.99 / (0.99 + 0.01 * np.exp(0.01)),
                              rel=1e-12)
    assert W == pytest.approx(9.9487, abs=1e-4)
    assert res.new[1, S_REFERRAL, 1] == pytest.approx(5.0) == res.new[0, S_REFERRAL, 1]
    assert res.new[1, S_ORGANIC, 1] == pytest.approx(W - 2.0, rel=1e-12)
    assert res.new_customers[1, 1] == pytest.approx(res.new_customers[0, 1] - 2.0, rel=1e-12)
    # Expected: with no word of mouth to move from (q = 0), all five are added.
    assert res.new[2, S_ORGANIC, 1] == 0.0 and res.new[2, S_REFERRAL, 1] == pytest.approx(5.0)
