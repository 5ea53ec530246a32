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

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ..assumptions.schema import SOURCES
from ..conventions import safe_ratio
from .finance import (
    IRRSolver,
    annual_discount_factors,
    irr_annual,
    npv,
    payback_month,
    roi_from_components,
)
from .params import ParamBatch
from .simulate import S_ORGANIC, S_REFERRAL, S_SOCIAL, S_TRADITIONAL, SimResult

ACQUIRED = (S_TRADITIONAL, S_SOCIAL, S_ORGANIC, S_REFERRAL)


@dataclass(frozen=True)
class PlanMetrics:
    """Stand-alone metrics of each row (no baseline needed); arrays of shape (n,) or (n, 5)."""

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


def plan_metrics(res: SimResult, batch: ParamBatch | Mapping[str, np.ndarray]) -> PlanMetrics:
    """CAC, CLV, cost of sales, churn and NPV of every row of a simulation.

    Parameters
    ----------
    res : SimResult
        The simulation of ``batch`` (n rows, months 0..T).
    batch : ParamBatch
        Its parameters (the discount rate of each row).

    Returns
    -------
    PlanMetrics
        Per row; a figure that does not exist (no customers from a source,
        no acquisition cost, no revenue) is NaN.

    Notes
    -----
    Over months 1..T, with :math:`N_s` customers acquired from source s and
    every ratio taken by :func:`roi_models.conventions.safe_ratio`:

    - :math:`CAC_s = (\\text{spend}_s + \\text{cost of sales}_s) / N_s` for the
      traditional and social sources, rewards / :math:`N_{referral}`,
      0 for organic; blended CAC = all acquisition costs / all customers
      acquired (Blattberg, Kim & Neslin 2008, ch. 5's acquisition cost per
      customer). Programme costs are not in CAC.
    - :math:`CLV_s = \\sum_t N_{s,t} V_{s,t} / N_s`, the acquisition-weighted
      present value :math:`V_{s,t}` of a customer's future monthly margin
      given the cohort's churn path, with a perpetuity beyond the horizon;
      with constant margin m, retention r and monthly rate i it is
      :math:`m r / (1 + i - r)` (Gupta & Lehmann 2003).
    - cost-of-sales share = cost of sales / revenue; average monthly churn =
      customers lost / customer-months at risk; NPV of the plan's own net
      cash flow (:func:`roi_models.engine.npv`).

    References
    ----------
    .. [BKN] R. C. Blattberg, B.-D. Kim and S. A. Neslin, *Database Marketing:
       Analyzing and Managing Customers*, Springer, 2008.
    .. [GL] S. Gupta and D. R. Lehmann, "Customers as Assets", *Journal of
       Interactive Marketing* 17(1), 2003, 9-24.

    Examples
    --------
    What does a customer cost and what is one worth in the B2B social plan?

    >>> from roi_models.data import load_shipped
    >>> sf = load_shipped("b2b_it_services")
    >>> batch = ParamBatch.from_assumptions([sf.scenario("status_quo"), sf.scenario("social")])
    >>> from roi_models.engine import simulate
    >>> m = plan_metrics(simulate(batch), batch)
    >>> bool(m.clv[1] > m.cac[1] > 0), bool(np.isnan(m.cac_by_source[0, 2]))  # no social customers
    (True, True)
    """
    months = slice(1, None)
    new_total = res.new[:, :, months].sum(axis=-1)  # (n, 5)
    spend = res.spend_by_kind[:, :, months].sum(axis=-1)  # (n, 2)
    cos = res.cost_of_sales_by_kind[:, :, months].sum(axis=-1)
    rewards = res.referral_rewards[:, months].sum(axis=-1)
    cost_by_source = np.zeros_like(new_total)
    cost_by_source[:, S_TRADITIONAL] = spend[:, 0] + cos[:, 0]
    cost_by_source[:, S_SOCIAL] = spend[:, 1] + cos[:, 1]
    cost_by_source[:, S_REFERRAL] = rewards
    cac_src = safe_ratio(cost_by_source, new_total)
    cac_src[:, 0] = np.nan
    acquired = new_total[:, ACQUIRED].sum(axis=1)
    cac = safe_ratio(cost_by_source.sum(axis=1), acquired)

    # CLV: value of a customer acquired in month t = customer_value at t (first margin at t+1)
    weighted = np.einsum("nst,nst->ns", res.new[:, :, months], res.customer_value[:, :, months])
    clv_src = safe_ratio(weighted, new_total)  # NaN: none acquired
    clv_src[:, 0] = np.nan
    clv = safe_ratio(weighted[:, ACQUIRED].sum(axis=1), acquired)

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
        clv_to_cac_by_source=safe_ratio(clv_src, cac_src),
        clv_to_cac=safe_ratio(clv, cac),
        cost_of_sales_share=safe_ratio(cos.sum(axis=-1), res.revenue[:, months].sum(axis=-1)),
        churn_monthly_avg=safe_ratio(churned, at_risk),
        customers_end=res.active_customers[:, -1],
        new_customers_total=acquired,
    )


@dataclass(frozen=True)
class BusinessCase:
    """Incremental business case of each row against its baseline row; arrays of shape (n,)."""

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
    res: SimResult, baseline: SimResult, annual_rate, *, with_irr: bool = True,
    irr_solver: IRRSolver = "numpy_financial",
) -> BusinessCase:
    """Each row of ``res`` against the matching (or single) row of ``baseline``.

    Parameters
    ----------
    res : SimResult
        The plans (n rows).
    baseline : SimResult
        One row (the status quo), or n rows matched row by row.
    annual_rate : float or array_like, shape (n,)
        Annual discount rate.
    with_irr : bool, default True
        False skips the IRR (left NaN): it is the costly figure.
    irr_solver : {"numpy_financial", "vectorised"}, default "numpy_financial"
        ``numpy_financial.irr`` row by row for the rows a user sees (about
        0.5 ms a row); the vectorised solver for large batches
        (:func:`roi_models.engine.irr_annual`).

    Returns
    -------
    BusinessCase
        Incremental flows and components, NPV, IRR (annual), ROI with its
        present values, payback month plain and discounted; NaN where a
        figure does not exist.

    Notes
    -----
    The incremental cash flow is :math:`\\Delta CF_t = CF^{plan}_t -
    CF^{baseline}_t`, month by month; NPV is :func:`roi_models.engine.npv`
    of it (monthly rate, month 0 undiscounted), IRR is
    :func:`roi_models.engine.irr_annual` of it, payback is
    :func:`roi_models.engine.payback_month` of it (and of its discounted
    form), and ROI = (PV benefits - PV costs) / PV costs with benefits and
    costs as in :func:`roi_models.engine.roi_from_components` [TEI]_ [BMA]_.

    References
    ----------
    .. [BMA] Brealey, Myers & Allen, *Principles of Corporate Finance*, ch. 2 and 5.
    .. [TEI] Forrester Research, *Total Economic Impact* methodology.

    Examples
    --------
    Does the B2B social plan beat the status quo, and when does it pay back?

    >>> from roi_models.data import load_shipped
    >>> from roi_models.engine import simulate
    >>> sf = load_shipped("b2b_it_services")
    >>> sim = simulate(ParamBatch.from_assumptions([sf.scenario("status_quo"),
    ...                                             sf.scenario("social")]))
    >>> case = business_case(sim, sim.rows(0), 0.10)
    >>> bool(case.npv[1] > 0), int(case.payback_month[1]), bool(np.isnan(case.roi[0]))
    (True, 27, True)
    """
    inc = res.net_cash_flow - baseline.net_cash_flow
    discounted = inc * annual_discount_factors(annual_rate, inc.shape[-1] - 1)
    base_parts = baseline.components()
    parts = {k: v - base_parts[k] for k, v in res.components().items()}
    r = roi_from_components(parts, annual_rate)
    irr = (np.asarray(irr_annual(inc, solver=irr_solver)) if with_irr
           else np.full(inc.shape[0], np.nan))
    return BusinessCase(
        incremental_cash_flow=inc,
        discounted_incremental_cash_flow=discounted,
        incremental_components=parts,
        npv=np.asarray(npv(inc, annual_rate)),
        irr_annual=irr,
        roi=r.roi,
        pv_benefits=r.pv_benefits,
        pv_costs=r.pv_costs,
        payback_month=np.asarray(payback_month(inc)),
        discounted_payback_month=np.asarray(payback_month(discounted)),  # flows discounted already
    )


__all__ = ["SOURCES", "BusinessCase", "PlanMetrics", "business_case", "plan_metrics"]
