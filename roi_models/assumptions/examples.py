"""A neutral plan to start from: every effect switched off, one channel of each kind.

Useful for tests, doctests and worked examples: switch on exactly the lever
you want to study with ``overrides`` (nested mapping, deep-merged).

>>> plan = neutral_plan({"market": {"bass_q_annual": 0.4}})
>>> plan.market.bass_q_annual, plan.social.word_of_mouth_lift
(0.4, 0.0)
"""

from __future__ import annotations

from typing import Any, Mapping

from .merge import deep_merge
from .schema import Assumptions

NEUTRAL: dict[str, Any] = {
    "finance": {"discount_rate_annual": 0.10, "horizon_months": 60},
    "market": {
        "potential_customers": 100_000.0, "initial_customers": 0.0,
        "bass_p_annual": 0.0, "bass_q_annual": 0.0,
    },
    "economics": {"revenue_per_customer_monthly": 100.0, "gross_margin": 0.5},
    "channels": {
        "tv": {
            "kind": "traditional", "spend": {"kind": "constant", "amount": 0.0},
            "carryover": 0.0, "max_leads_monthly": 0.0, "half_saturation": 1000.0, "shape": 1.0,
        },
        "social_ads": {
            "kind": "social", "spend": {"kind": "constant", "amount": 0.0},
            "carryover": 0.0, "max_leads_monthly": 0.0, "half_saturation": 1000.0, "shape": 1.0,
        },
    },
    "funnel": {
        "lead_to_opportunity": 1.0, "win_rate": 1.0, "cost_per_opportunity": 0.0,
        "sales_cycle_months": 0.0,
    },
    "social": {"engagement_half_saturation": 1000.0},
    "retention": {"churn_monthly": {
        "existing": 0.0, "traditional": 0.0, "social": 0.0, "organic": 0.0, "referral": 0.0,
    }},
}


def neutral_plan(overrides: Mapping[str, Any] | None = None) -> Assumptions:
    """The neutral plan with ``overrides`` deep-merged onto it, validated."""
    return Assumptions.model_validate(deep_merge(NEUTRAL, overrides or {}))
