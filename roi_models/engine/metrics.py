"""Business metrics of simulated plans: CAC, CLV, cost of sales, churn, and the incremental case.

Every figure is an array of shape (n,) (or (n, 5) per source), NaN where it
does not exist. Definitions, over months 1..T unless stated:

- **CAC per source** (acquisition cost per acquired customer; Blattberg,
  Kim & Neslin, *Database Marketing*, 2008): traditional and social =
  (channel spend + cost of sales of that kind) / customers won from it;
  referral = rewards / referral customers; organic = 0 (no direct cost).
  **Blended CAC** = (all channel spend + all cost of sales + referral
  rewards) / all customers acquired. Programme costs are not in CAC: they
  also buy retention and support savings, and enter the NPV and ROI.
- **CLV per source**: acquisition-weighted mean, over the months customers
  were acquired, of the present value of a customer's future monthly margin
  (revenue x gross margin - support cost per customer) given that cohort's
  churn path, with a Gupta & Lehmann (2003) perpetuity beyond the horizon;
  equals ``m r / (1 + i - r)`` under constant churn and margin; NaN for a
  source that acquired nobody. Blended CLV weights the sources by customers
  acquired.
- **Cost of sales share** = cost of sales / revenue.
- **Average monthly churn** = customers lost / customer-months at risk
  (sum over t of churned(t) / sum of A(t-1)).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..assumptions.schema import SOURCES
from .finance import (
    annual_discount_factors,
    irr_annual,
    npv,
    payback_month,
    roi_from_components,
)
from .params import ParamBatch
from .simulate import S_ORGANIC, S_REFERRAL, S_SOCIAL, S_TRADITIONAL, SimResult

ACQUIRED = (S_TRADITIONAL, S_SOCIAL, S_ORGANIC, S_REFERRAL)


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


@dataclass(frozen=True)
class PlanMetrics:
    """Stand-alone metrics of each row (no baseline needed)."""

    npv: np.ndarray  # NPV of the plan's own net cash flow
    cac_by_source: np.ndarray  # (n, 5); NaN for 'existing' and sources with no customers
    cac: np.ndarray
    clv_by_source: np.ndarray  # (n, 5); NaN for 'existing'
    clv: np.ndarray
    clv_to_cac_by_source: np.ndarray
    clv_to_cac: np.ndarray
    cost_of_sales_share: np.ndarray
    churn_monthly_avg: np.ndarray
    customers_end: np.ndarray
    new_customers_total: np.ndarray


def plan_metrics(res: SimResult, batch: ParamBatch) -> PlanMetrics:
    """Compute :class:`PlanMetrics` for every row of a simulation (definitions above)."""
    months = slice(1, None)
    new_total = res.new[:, :, months].sum(axis=-1)  # (n, 5)
    spend = res.spend_by_kind[:, :, months].sum(axis=-1)  # (n, 2)
    cos = res.cost_of_sales_by_kind[:, :, months].sum(axis=-1)
    rewards = res.referral_rewards[:, months].sum(axis=-1)
    cost_by_source = np.zeros_like(new_total)
    cost_by_source[:, S_TRADITIONAL] = spend[:, 0] + cos[:, 0]
    cost_by_source[:, S_SOCIAL] = spend[:, 1] + cos[:, 1]
    cost_by_source[:, S_REFERRAL] = rewards
    cac_src = _ratio(cost_by_source, new_total)
    cac_src[:, 0] = np.nan
    acquired = new_total[:, ACQUIRED].sum(axis=1)
    cac = _ratio(cost_by_source.sum(axis=1), acquired)

    # CLV: value of a customer acquired in month t = customer_value at t (first margin at t+1)
    weighted = np.einsum("nst,nst->ns", res.new[:, :, months], res.customer_value[:, :, months])
    clv_src = _ratio(weighted, new_total)  # NaN: none acquired
    clv_src[:, 0] = np.nan
    clv = _ratio(weighted[:, ACQUIRED].sum(axis=1), acquired)

    # customers lost over months 1..T telescope: A(0) - A(T) + everyone acquired
    active = res.active_customers
    churned = active[:, 0] - active[:, -1] + res.new_customers[:, months].sum(axis=-1)
    at_risk = active[:, :-1].sum(axis=-1)
    return PlanMetrics(
        npv=np.asarray(npv(res.net_cash_flow, batch["finance.discount_rate_annual"])),
        cac_by_source=cac_src,
        cac=cac,
        clv_by_source=clv_src,
        clv=clv,
        clv_to_cac_by_source=_ratio(clv_src, cac_src),
        clv_to_cac=_ratio(clv, cac),
        cost_of_sales_share=_ratio(cos.sum(axis=-1), res.revenue[:, months].sum(axis=-1)),
        churn_monthly_avg=_ratio(churned, at_risk),
        customers_end=res.active_customers[:, -1],
        new_customers_total=acquired,
    )


@dataclass(frozen=True)
class BusinessCase:
    """Incremental business case of each row against its baseline row."""

    incremental_cash_flow: np.ndarray  # (n, T+1)
    discounted_incremental_cash_flow: np.ndarray  # (n, T+1), month 0 undiscounted
    incremental_components: dict[str, np.ndarray]
    npv: np.ndarray
    irr_annual: np.ndarray
    roi: np.ndarray
    pv_benefits: np.ndarray
    pv_costs: np.ndarray
    payback_month: np.ndarray
    discounted_payback_month: np.ndarray


def business_case(
    res: SimResult, baseline: SimResult, annual_rate, *, with_irr: bool = True
) -> BusinessCase:
    """Each row of ``res`` against the matching (or single) row of ``baseline``.

    Incremental cash flow = plan - baseline, month by month. NPV at the
    monthly equivalent of ``annual_rate`` (month 0 undiscounted); IRR
    annualised; payback month plain and discounted; ROI with benefits and
    costs as defined in :func:`roi_from_components`. ``with_irr=False`` skips
    the IRR (it is the costly figure for large batches) and leaves NaN.
    """
    inc = res.net_cash_flow - baseline.net_cash_flow
    discounted = inc * annual_discount_factors(annual_rate, inc.shape[-1] - 1)
    base_parts = baseline.components()
    parts = {k: v - base_parts[k] for k, v in res.components().items()}
    r = roi_from_components(parts, annual_rate)
    return BusinessCase(
        incremental_cash_flow=inc,
        discounted_incremental_cash_flow=discounted,
        incremental_components=parts,
        npv=discounted.sum(axis=-1),
        irr_annual=np.asarray(irr_annual(inc)) if with_irr else np.full(inc.shape[0], np.nan),
        roi=r.roi,
        pv_benefits=r.pv_benefits,
        pv_costs=r.pv_costs,
        payback_month=np.asarray(payback_month(inc)),
        discounted_payback_month=np.asarray(payback_month(discounted)),  # flows discounted already
    )


__all__ = ["SOURCES", "BusinessCase", "PlanMetrics", "business_case", "plan_metrics"]
