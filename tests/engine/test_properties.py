"""Invariants of the engine for any valid input (hypothesis)."""

import dataclasses

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roi_models.assumptions import field_meta
from roi_models.assumptions.examples import neutral_plan
from roi_models.assumptions.merge import deep_merge, nest
from roi_models.engine import ParamBatch, npv, simulate

SOURCES = ["existing", "traditional", "social", "organic", "referral"]
# Paths drawn within their schema bounds; caps keep magnitudes business-like.
PATHS = {
    "finance.discount_rate_annual": None,
    "market.bass_p_annual": None,
    "market.bass_q_annual": None,
    "economics.revenue_per_customer_monthly": 1e5,
    "economics.gross_margin": None,
    "funnel.lead_to_opportunity": None,
    "funnel.win_rate": None,
    "funnel.cost_per_opportunity": 1e5,
    "funnel.sales_cycle_months": None,
    "funnel.social_cost_reduction": None,
    "funnel.social_cycle_reduction": None,
    "social.engagement_half_saturation": 1e7,
    "social.word_of_mouth_lift": None,
    "social.churn_reduction": None,
    "social.support_deflection": None,
    "social.referral_lift": None,
    "social.participation_cap": None,
    "social.self_selection_discount": None,
    "referrals.word_of_mouth_share": None,
    "referrals.referrals_per_customer_monthly": 0.2,
    "referrals.conversion": None,
    "referrals.reward_per_customer": 1e4,
    "support.contacts_per_customer_monthly": None,
    "support.cost_per_contact": 1e3,
    "programme.one_time_cost": 1e7,
    "programme.ongoing_monthly": 1e6,
    "programme.response_capability": None,
    "organisation.ramp_up_months": None,
    "organisation.implementation_cost_multiplier": None,
    "viral_event.acquisition_hit": None,
    "viral_event.added_churn": None,
    "viral_event.half_life_months": None,
    "viral_event.mitigation": None,
    "retention.downturn.added_churn": None,
    **{f"retention.churn_monthly.{s}": None for s in SOURCES},
}
CHANNEL = {"spend.amount": 1e7, "spend_before_plan": 1e7, "carryover": None,
           "max_leads_monthly": 1e5, "half_saturation": 1e7, "shape": None,
           "awareness_lift": None, "awareness_half_saturation": 1e7, "engagement_weight": None}
SOCIAL_EFFECTS = ["social.word_of_mouth_lift", "social.churn_reduction", "social.support_deflection",
                  "social.referral_lift", "funnel.social_cost_reduction", "funnel.social_cycle_reduction",
                  "funnel.social_win_rate_uplift", "programme.response_capability",
                  "social.participation_cap", "social.self_selection_discount"]


def bounded(path, cap):
    m = field_meta(path)
    low = m.low if m.low_inclusive else m.low + 1e-3
    high = m.high if cap is None else min(m.high, cap)
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


@st.composite
def plans(draw, horizon=None):
    values = {p: draw(bounded(p, cap)) for p, cap in PATHS.items()}
    horizon = horizon or draw(st.integers(12, 36))
    values["finance.horizon_months"] = horizon
    market = draw(st.floats(10.0, 1e8))
    values["market.potential_customers"] = market
    values["market.initial_customers"] = draw(st.floats(0.0, 1.0)) * market
    values["funnel.social_win_rate_uplift"] = draw(st.floats(0.0, 1.0)) * (1 / max(values["funnel.win_rate"], 0.5) - 1)
    values["viral_event.enabled"] = draw(st.booleans())
    values["viral_event.month"] = draw(st.integers(1, horizon))
    values["retention.downturn.start_month"] = draw(st.integers(1, horizon))
    values["retention.downturn.duration_months"] = draw(st.integers(0, horizon))
    for ch in ("tv", "social_ads"):
        for p, cap in CHANNEL.items():
            values[f"channels.{ch}.{p}"] = draw(bounded(f"channels.tv.{p}", cap))
    return neutral_plan(nest(values))


def arrays(res):
    return {k: v for k, v in dataclasses.asdict(res).items() if isinstance(v, np.ndarray)}


COMMON = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@COMMON
@given(plans())
def test_no_nan_and_customers_within_the_market(plan):
    res = simulate(ParamBatch.from_assumptions([plan]))
    for name, arr in arrays(res).items():
        assert np.isfinite(arr).all(), name
    M = plan.market.potential_customers
    active = res.active_customers[0]
    assert (res.active >= -1e-9 * M).all()
    assert (active <= M * (1 + 1e-9)).all()
    # everyone ever acquired stays within the market too
    assert plan.market.initial_customers + res.new_customers[0].sum() <= M * (1 + 1e-9)
    assert ((res.churn_rate >= 0) & (res.churn_rate <= 1)).all()
    assert ((res.engagement >= 0) & (res.engagement <= 1)).all()


@COMMON
@given(plans(), st.floats(1.0, 5.0), st.floats(1.0, 5.0))
def test_more_spend_never_lowers_leads_in_the_same_month(plan, k_tv, k_social):
    more = neutral_plan(deep_merge(plan.model_dump(), {"channels": {
        "tv": {"spend": {"amount": plan.channels["tv"].spend.amount * k_tv}},
        "social_ads": {"spend": {"amount": plan.channels["social_ads"].spend.amount * k_social}},
    }}))
    res = simulate(ParamBatch.from_assumptions([plan, more]))
    assert (res.leads[1] >= res.leads[0] * (1 - 1e-12)).all()


@COMMON
@given(plans(), st.data())
def test_social_plan_with_zero_social_spend_and_effects_equals_traditional(plan, data):
    no_social = {  # no social spend, and no channel counts towards engagement
        "channels": {"social_ads": {"spend": {"amount": 0.0}, "spend_before_plan": 0.0,
                                    "engagement_weight": 0.0},
                     "tv": {"engagement_weight": 0.0}},
        "programme": {"ongoing_monthly": 0.0, "one_time_cost": 0.0, "response_capability": 0.0},
    }
    traditional = neutral_plan(deep_merge(plan.model_dump(), no_social))
    # the social plan: same, but every social-effect coefficient drawn at random. With no
    # social spend and no programme there is no engagement and no social lead, so every
    # figure must equal the traditional plan's.
    effects = {p: data.draw(bounded(p, None)) for p in SOCIAL_EFFECTS if p != "funnel.social_win_rate_uplift"}
    effects["programme.response_capability"] = 0.0
    social = neutral_plan(deep_merge(traditional.model_dump(), nest(effects)))
    res = simulate(ParamBatch.from_assumptions([traditional, social]))
    for name, arr in arrays(res).items():
        np.testing.assert_allclose(arr[1], arr[0], rtol=1e-12, atol=1e-9, err_msg=name)


@COMMON
@given(plans())
def test_npv_at_zero_rate_equals_the_sum_of_flows(plan):
    res = simulate(ParamBatch.from_assumptions([plan]))
    cf = res.net_cash_flow[0]
    assert npv(cf, 0.0) == np.float64(cf.sum()) or abs(npv(cf, 0.0) - cf.sum()) <= 1e-9 * np.abs(cf).sum()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(12, 30).flatmap(lambda h: st.lists(plans(horizon=h), min_size=2, max_size=5)))
def test_a_batch_of_n_equals_n_single_runs(batch_plans):
    together = simulate(ParamBatch.from_assumptions(batch_plans))
    for i, plan in enumerate(batch_plans):
        alone = simulate(ParamBatch.from_assumptions([plan]))
        for name, arr in arrays(alone).items():
            np.testing.assert_allclose(arrays(together)[name][i], arr[0], rtol=1e-12, atol=1e-9,
                                       err_msg=name)
