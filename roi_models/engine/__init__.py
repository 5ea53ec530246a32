"""The engine: parameter batches, the batched monthly simulation and the finance metrics."""

from .finance import (
    discount_factors,
    irr_annual,
    irr_monthly,
    irr_monthly_npf,
    mirr_annual,
    none_if_nan,
    npv,
    payback_month,
    roi_from_components,
)
from .metrics import BusinessCase, PlanMetrics, business_case, channel_lines, plan_metrics
from .params import ParamBatch, spend_schedule
from .simulate import KINDS, SimResult, simulate

__all__ = [
    "KINDS", "BusinessCase", "ParamBatch", "PlanMetrics", "SimResult",
    "business_case", "channel_lines", "discount_factors", "irr_annual", "irr_monthly",
    "irr_monthly_npf", "mirr_annual", "none_if_nan", "npv", "payback_month", "plan_metrics",
    "roi_from_components", "simulate", "spend_schedule",
]
