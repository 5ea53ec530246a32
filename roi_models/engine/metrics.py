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
from ..errors import InputError
from ._compile import compiled
from .finance import IRRSolver, _payback, annual_discount_factors, irr_annual
from .params import ParamBatch
from .simulate import (
    INFLOWS,
    OUTFLOWS,
    S_EXISTING,
    S_ORGANIC,
    S_REFERRAL,
    S_SOCIAL,
    S_TRADITIONAL,
    SimResult,
)


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

    Every figure comes out of one compiled pass over the rows (``_plan_rows``,
    sums in month order), which the tests hold to these formulas written in
    numpy (1e-12 relative).

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
    n, T1 = res.net_cash_flow.shape
    factors = np.atleast_2d(annual_discount_factors(batch["finance.discount_rate_annual"], T1 - 1))
    per_row = {name: np.empty(n) for name in _PER_ROW}
    per_source = {name: np.empty((n, len(SOURCES))) for name in _PER_SOURCE}
    _plan_rows(np.ascontiguousarray(factors),
               *(np.ascontiguousarray(getattr(res, name), dtype=float) for name in _PLAN_INPUTS),
               *per_row.values(), *per_source.values())
    return PlanMetrics(**per_row, **per_source)


_PLAN_INPUTS = ("new", "customer_value", "spend_by_kind", "cost_of_sales_by_kind",
                "referral_rewards", "revenue", "net_cash_flow", "active_customers",
                "new_customers")
_PER_ROW = ("npv", "cac", "clv", "clv_to_cac", "cost_of_sales_share", "churn_monthly_avg",
            "customers_end", "new_customers_total")
_PER_SOURCE = ("cac_by_source", "clv_by_source", "clv_to_cac_by_source")


@compiled()
def _ratio(numerator, denominator):
    """:func:`roi_models.conventions.safe_ratio` of two numbers (the package's one division
    rule: NaN where the denominator is not positive), for the compiled passes."""
    return numerator / denominator if denominator > 0.0 else np.nan


@compiled()
def _plan_rows(factors, new, customer_value, spend_by_kind, cost_of_sales_by_kind,
               referral_rewards, revenue, net_cash_flow, active_customers, new_customers,
               npv, cac, clv, clv_to_cac, cost_of_sales_share, churn_monthly_avg,
               customers_end, new_customers_total,
               cac_by_source, clv_by_source, clv_to_cac_by_source):
    """The figures of :func:`plan_metrics`, row by row (definitions: its docstring).

    ``factors`` (1 or n, T+1) are the discount factors
    (:func:`~roi_models.engine.finance.annual_discount_factors`); the next nine
    arguments are the arrays of :class:`~roi_models.engine.simulate.SimResult`
    of those names, the others the outputs ((n,), then (n, 5)). Sums over the
    months run in month order; the tests hold every figure to the numpy
    formulas of the definitions (1e-12 relative).
    """
    n, S, T1 = new.shape
    acquired_by = np.empty(S)  # N_s: customers acquired from source s in months 1..T
    weighted = np.empty(S)  # sum_t N_{s,t} V_{s,t}
    cost = np.empty(S)  # acquisition cost of source s
    spend, cos = np.empty(2), np.empty(2)  # channel spend and cost of sales per kind
    for i in range(n):
        d = factors[i] if factors.shape[0] > 1 else factors[0]
        # CLV: a customer acquired in month t is worth customer_value at t (first margin at t+1)
        for s in range(S):  # (local sums: an array element would be stored every month)
            acquired_s = weighted_s = 0.0
            for t in range(1, T1):
                acquired_s += new[i, s, t]
                weighted_s += new[i, s, t] * customer_value[i, s, t]
            acquired_by[s], weighted[s] = acquired_s, weighted_s
        for k in range(2):
            spend_k = cos_k = 0.0
            for t in range(1, T1):
                spend_k += spend_by_kind[i, k, t]
                cos_k += cost_of_sales_by_kind[i, k, t]
            spend[k], cos[k] = spend_k, cos_k
        rewards = revenue_total = acquired_total = at_risk = value = 0.0
        for t in range(1, T1):
            rewards += referral_rewards[i, t]
            revenue_total += revenue[i, t]
            acquired_total += new_customers[i, t]
            at_risk += active_customers[i, t - 1]  # A(t-1): customer-months at risk
        for t in range(T1):
            value += net_cash_flow[i, t] * d[t]
        # CAC: spend and cost of sales per paid source, rewards per referral, 0 for organic
        cost[S_EXISTING] = cost[S_ORGANIC] = 0.0
        cost[S_TRADITIONAL] = spend[0] + cos[0]
        cost[S_SOCIAL] = spend[1] + cos[1]
        cost[S_REFERRAL] = rewards
        acquired = weighted_acquired = cost_total = 0.0
        for s in range(S):
            cost_total += cost[s]
            if s != S_EXISTING:
                acquired += acquired_by[s]
                weighted_acquired += weighted[s]
        for s in range(S):
            is_acquired = s != S_EXISTING
            cac_by_source[i, s] = _ratio(cost[s], acquired_by[s]) if is_acquired else np.nan
            clv_by_source[i, s] = _ratio(weighted[s], acquired_by[s]) if is_acquired else np.nan
            clv_to_cac_by_source[i, s] = _ratio(clv_by_source[i, s], cac_by_source[i, s])
        npv[i] = value
        cac[i] = _ratio(cost_total, acquired)
        clv[i] = _ratio(weighted_acquired, acquired)
        clv_to_cac[i] = _ratio(clv[i], cac[i])
        cost_of_sales_share[i] = _ratio(cos[0] + cos[1], revenue_total)
        # customers lost over months 1..T telescope: A(0) - A(T) + everyone acquired
        churned = active_customers[i, 0] - active_customers[i, T1 - 1] + acquired_total
        churn_monthly_avg[i] = _ratio(churned, at_risk)
        customers_end[i] = active_customers[i, T1 - 1]
        new_customers_total[i] = acquired


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
    (True, 40, True)
    """
    inc = res.net_cash_flow - baseline.net_cash_flow
    discounted = inc * annual_discount_factors(annual_rate, inc.shape[-1] - 1)
    base_parts = baseline.components()
    parts = {k: v - base_parts[k] for k, v in res.components().items()}
    irr = (np.asarray(irr_annual(inc, solver=irr_solver)) if with_irr
           else np.full(inc.shape[0], np.nan))
    return BusinessCase(
        incremental_cash_flow=inc,
        discounted_incremental_cash_flow=discounted,
        incremental_components=parts,
        irr_annual=irr,
        **incremental_figures(res, baseline, annual_rate),
    )


def incremental_figures(res: SimResult, baseline: SimResult, annual_rate) -> dict[str, np.ndarray]:
    """NPV, ROI (with PV benefits and costs) and payback months of each row against its baseline.

    The figures of :class:`BusinessCase` that are one number per row, as
    :func:`business_case` defines them, in one compiled pass over the rows
    (:func:`_case_rows`) without building the incremental arrays: the path of
    :func:`business_case` and of large batches (:func:`roi_models.engine.batch.run_batch`).

    Returns
    -------
    dict of str to numpy.ndarray, shape (n,)
        ``npv``, ``roi``, ``pv_benefits``, ``pv_costs``, ``payback_month``,
        ``discounted_payback_month``.
    """
    n, T1 = res.net_cash_flow.shape
    if baseline.net_cash_flow.shape[0] not in (1, n) or baseline.net_cash_flow.shape[1] != T1:
        raise InputError.one("argument", "baseline", baseline.net_cash_flow.shape,
                             f"one row or {n} rows of {T1} months")
    factors = np.atleast_2d(annual_discount_factors(annual_rate, T1 - 1))
    if factors.shape[0] not in (1, n):
        raise InputError.one("argument", "annual_rate", np.shape(annual_rate),
                             f"one rate or {n} rates")
    out = {name: np.empty(n) for name in _CASE_FIGURES}
    _case_rows(np.ascontiguousarray(factors), _SIGNS, _parts(res), _parts(baseline),
               np.ascontiguousarray(res.net_cash_flow, dtype=float),
               np.ascontiguousarray(baseline.net_cash_flow, dtype=float), *out.values())
    return out


_COMPONENTS = (*INFLOWS, *OUTFLOWS)  # the amounts of SimResult.components(), in its order
_SIGNS = np.array([1.0] * len(INFLOWS) + [-1.0] * len(OUTFLOWS))  # inflows +, outflows -
_CASE_FIGURES = ("npv", "roi", "pv_benefits", "pv_costs", "payback_month",
                 "discounted_payback_month")


def _parts(res: SimResult) -> tuple[np.ndarray, ...]:
    return tuple(np.ascontiguousarray(getattr(res, k), dtype=float) for k in _COMPONENTS)


@compiled()
def _case_rows(factors, signs, plan_parts, base_parts, plan_cash_flow, base_cash_flow,
               npv, roi, pv_benefits, pv_costs, payback_month, discounted_payback_month):
    """The figures of :func:`incremental_figures`, row by row (definitions: :func:`business_case`).

    ``factors`` (1 or n, T+1) discount factors; ``plan_parts`` and
    ``base_parts`` the amounts of the cash-flow components ((n, T+1) and
    (1 or n, T+1) each), ``signs`` +1 for an inflow and -1 for an outflow;
    the net cash flows; then the outputs (n,). Per month t the incremental
    flow is ``plan - baseline``, and per component k ``Delta_k = sign_k (plan_k
    - baseline_k)`` is a benefit where positive and a cost where negative
    (:func:`~roi_models.engine.finance.roi_from_components`); the payback
    months are :func:`~roi_models.engine.finance.payback_month`'s rule of the
    incremental flow, plain and discounted.
    """
    n, T1 = plan_cash_flow.shape
    incremental, discounted = np.empty(T1), np.empty(T1)
    benefit = np.empty(T1)  # B_t = sum_k max(Delta_k, 0)
    cost = np.empty(T1)  # C_t = sum_k max(-Delta_k, 0)
    for i in range(n):
        j = i if base_cash_flow.shape[0] > 1 else 0  # the baseline row: its own, or the one
        d = factors[i] if factors.shape[0] > 1 else factors[0]
        benefit[:] = 0.0
        cost[:] = 0.0
        for k in range(len(plan_parts)):  # component by component, month by month
            plan_k, base_k, sign = plan_parts[k], base_parts[k], signs[k]
            for t in range(T1):
                delta = sign * (plan_k[i, t] - base_k[j, t])
                benefit[t] += max(delta, 0.0)
                cost[t] += max(-delta, 0.0)
        value = benefits = costs = 0.0  # NPV, PV benefits, PV costs
        for t in range(T1):
            incremental[t] = plan_cash_flow[i, t] - base_cash_flow[j, t]
            discounted[t] = incremental[t] * d[t]
            value += discounted[t]
            benefits += benefit[t] * d[t]
            costs += cost[t] * d[t]
        npv[i] = value
        pv_benefits[i] = benefits
        pv_costs[i] = costs
        roi[i] = _ratio(benefits - costs, costs)
        payback_month[i] = _payback(incremental)
        discounted_payback_month[i] = _payback(discounted)


__all__ = ["SOURCES", "BusinessCase", "PlanMetrics", "business_case", "incremental_figures",
           "plan_metrics"]
