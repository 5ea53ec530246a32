"""A channel's kind changes nothing by itself (issue 11).

A social channel with the same response parameters as a traditional one (carry-over,
saturation, awareness, engagement weight), every social advantage at zero (the seven:
social_cost_reduction, social_win_rate_uplift, social_cycle_reduction, word_of_mouth_lift,
churn_reduction, support_deflection, referral_lift) and the social cohort's churn equal to
the traditional one's must give the same plan: every array of the simulation and every KPI.
The kind only labels where the customers are counted, so the per-kind arrays (traditional,
social) and the per-source arrays (traditional, social cohorts) are compared with those two
entries swapped.
"""

import dataclasses

import numpy as np
from hypothesis import HealthCheck, given, settings
from test_properties import plans

from roi_models.assumptions.examples import neutral_plan
from roi_models.assumptions.merge import deep_merge
from roi_models.engine import ParamBatch, business_case, plan_metrics, simulate
from roi_models.engine.simulate import S_SOCIAL, S_TRADITIONAL

SEVEN = {
    "funnel": {"social_cost_reduction": 0.0, "social_win_rate_uplift": 0.0,
               "social_cycle_reduction": 0.0},
    "social": {"word_of_mouth_lift": 0.0, "churn_reduction": 0.0, "support_deflection": 0.0,
               "referral_lift": 0.0},
}
IDLE = {"spend": {"kind": "constant", "amount": 0.0}, "spend_before_plan": 0.0}  # no spend at all


def twin_plans(plan):
    """The plan with its 'tv' channel as drawn, and the same channel declared social."""
    data = deep_merge(plan.model_dump(), SEVEN)
    data["retention"]["churn_monthly"]["social"] = data["retention"]["churn_monthly"]["traditional"]
    channel = data["channels"]["tv"]
    traditional = deep_merge(data, {"channels": {"social_ads": IDLE}})
    social = deep_merge(data, {"channels": {"tv": IDLE,
                                            "social_ads": {**channel, "kind": "social"}}})
    return neutral_plan(traditional), neutral_plan(social)


def swapped(name: str, arr: np.ndarray) -> np.ndarray:
    """The array with traditional and social swapped on its kind or source axis."""
    out = arr.copy()
    if arr.ndim == 3 and arr.shape[1] == 2:  # (n, 2, T+1) per kind
        out[:, [0, 1]] = arr[:, [1, 0]]
    elif arr.ndim == 3 and arr.shape[1] == 5:  # (n, 5, T+1) per source
        out[:, [S_TRADITIONAL, S_SOCIAL]] = arr[:, [S_SOCIAL, S_TRADITIONAL]]
    elif arr.ndim == 2 and arr.shape[1] == 5 and name.endswith("_by_source"):  # (n, 5) KPIs
        out[:, [S_TRADITIONAL, S_SOCIAL]] = arr[:, [S_SOCIAL, S_TRADITIONAL]]
    return out


def assert_same(a, b, what: str) -> None:
    for f in dataclasses.fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray):
            np.testing.assert_allclose(swapped(f.name, y), x, rtol=1e-12, atol=1e-9,
                                       err_msg=f"{what}.{f.name}")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans())
def test_a_social_channel_without_social_advantages_is_a_traditional_one(plan):
    traditional, social = twin_plans(plan)
    assert social.channels["social_ads"].kind == "social"
    batch_t = ParamBatch.from_assumptions([traditional])
    batch_s = ParamBatch.from_assumptions([social])
    res_t, res_s = simulate(batch_t), simulate(batch_s)
    # Expected: every simulated array equal (kind and source axes swapped), to rounding.
    assert_same(res_t, res_s, "SimResult")
    # Expected: every stand-alone KPI (NPV, CAC, CLV, churn, ...) equal as well.
    assert_same(plan_metrics(res_t, batch_t), plan_metrics(res_s, batch_s), "PlanMetrics")


def test_the_twin_plans_are_identical_against_their_twin_status_quo():
    # A hand-made case with every effect that could single out a kind switched on (spend,
    # carry-over, awareness, engagement through the channel's own weight, programme spend,
    # engagement-driven referrals, churn and support through the participation cap): the
    # incremental business case (NPV, IRR, ROI, payback) of the plan whose channel is
    # traditional against a status quo with that channel, and of the twin whose channel is
    # social against the twin status quo, is the same. (Against one common status quo the
    # social twin would cut 'tv' and start 'social_ads': ROI, taken line by line, counts that
    # as a saving and a new cost, a different case from raising 'tv', at the same NPV.)
    base = neutral_plan({
        "market": {"potential_customers": 50_000.0, "initial_customers": 2_000.0,
                   "bass_p_annual": 0.02, "bass_q_annual": 0.3},
        "channels": {"tv": {"spend": {"amount": 20_000.0}, "spend_before_plan": 10_000.0,
                            "carryover": 0.2, "max_leads_monthly": 300.0,
                            "half_saturation": 15_000.0, "awareness_lift": 0.8,
                            "awareness_half_saturation": 12_000.0, "engagement_weight": 0.6}},
        "funnel": {"lead_to_opportunity": 0.4, "win_rate": 0.3, "cost_per_opportunity": 50.0,
                   "sales_cycle_months": 1.5},
        "social": {"participation_cap": 0.4, "self_selection_discount": 0.3},
        "referrals": {"referrals_per_customer_monthly": 0.01, "conversion": 0.2,
                      "reward_per_customer": 30.0, "word_of_mouth_share": 0.4},
        "retention": {"churn_monthly": {"existing": 0.02, "traditional": 0.03, "social": 0.01,
                                        "organic": 0.015, "referral": 0.01}},
        "support": {"contacts_per_customer_monthly": 0.5, "cost_per_contact": 8.0},
        "programme": {"ongoing_monthly": 3_000.0, "one_time_cost": 40_000.0},
    })
    traditional, social = twin_plans(base)
    status_quo_t, status_quo_s = twin_plans(neutral_plan(deep_merge(base.model_dump(), {
        "channels": {"tv": {"spend": {"amount": 10_000.0}}},
        "programme": {"ongoing_monthly": 0.0, "one_time_cost": 0.0}})))
    cases = []
    for status_quo, plan in ((status_quo_t, traditional), (status_quo_s, social)):
        batch = ParamBatch.from_assumptions([status_quo, plan])
        res = simulate(batch)
        cases.append(business_case(res, res.rows(0), 0.10, spend=batch.spend,
                                   baseline_spend=batch.rows(slice(0, 1)).spend))
    case_t, case_s = cases
    # Expected: a plan that differs from the status quo (more spend, a programme) ...
    assert abs(case_t.npv[1]) > 1_000.0
    # ... and the same incremental figures whichever kind the channel is declared.
    for name in ("npv", "irr_annual", "roi", "pv_benefits", "pv_costs", "payback_month",
                 "discounted_payback_month"):
        np.testing.assert_allclose(getattr(case_s, name)[1], getattr(case_t, name)[1],
                                   rtol=1e-10, err_msg=name)
