"""Business metrics of simulated plans: CAC, CLV, cost of sales, churn, and the incremental case.

Every figure is an array of shape (n,) (or (n, 5) per source), NaN where it
does not exist. Definitions, over months 1..T unless stated:

- **CAC per source** (acquisition cost per acquired customer; Blattberg,
  Kim & Neslin, *Database Marketing*, 2008): traditional and social =
  (channel spend + cost of sales of that kind) / customers won from it;
  referral = rewards / referral customers; organic = 0 (no direct cost).
- **CAC (paid)**, the headline ``cac`` = (all channel spend + all cost of
  sales) / customers won by the paid sources (traditional and social): what
  a customer bought with marketing money costs. **CAC (blended)** =
  (all channel spend + all cost of sales + referral rewards) / all customers
  acquired, the free organic (word-of-mouth) customers included: it falls
  whenever word of mouth grows, whatever the channels do, so it is shown
  beside the paid figure under its own name, never instead of it. Programme
  costs are in neither: they also buy retention and support savings, and
  enter the NPV and ROI.
- **CLV per source**: acquisition-weighted mean, over the months customers
  were acquired, of the present value of a customer's future monthly margin
  (revenue x gross margin - support cost per customer) given that cohort's
  churn path, with a Gupta & Lehmann (2003) perpetuity beyond the horizon;
  equals ``m r / (1 + i - r)`` under constant churn and margin; NaN for a
  source that acquired nobody. Blended CLV weights the sources by customers
  acquired.
- **CLV / CAC (paid)** = CLV of the customers won by the paid sources / CAC
  (paid): value and cost of the same customers, the conservative ratio (the
  blended one would divide the value of free customers by the cost of paid
  ones).
- **Cost of sales share** = cost of sales / revenue.
- **Average monthly churn** = customers lost / customer-months at risk
  (sum over t of churned(t) / sum of A(t-1)).
- **Terminal value** (``finance.terminal_value: customer_value``): the
  customers active at month T, each source's valued at its customer value at
  T (:attr:`SimResult.customer_value`, the CLV's own Gupta & Lehmann value),
  discounted to month 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np

from ..assumptions.schema import SOURCES
from ..errors import InputError
from ._compile import compiled
from .finance import (
    IRRSolver,
    _payback,
    annual_discount_factors,
    irr_annual,
    irr_caveat,
    mirr_annual,
)
from .params import ParamBatch
from .simulate import (
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
    cac: np.ndarray  # CAC (paid): spend and cost of sales per customer of the paid sources
    cac_blended: np.ndarray  # all acquisition costs per customer acquired, organic included
    clv_by_source: np.ndarray  # (n, 5); NaN for 'existing'
    clv: np.ndarray
    clv_to_cac_by_source: np.ndarray
    clv_to_cac: np.ndarray  # CLV of the paid sources' customers / CAC (paid)
    cost_of_sales_share: np.ndarray
    churn_monthly_avg: np.ndarray
    customers_end: np.ndarray
    new_customers_total: np.ndarray
    budget: np.ndarray  # channel spend + programme cost over months 0..T, undiscounted

    @property
    def cac_paid(self) -> np.ndarray:
        """CAC (paid), the headline ``cac`` under its explicit name."""
        return self.cac


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
      0 for organic; CAC (paid), ``cac`` = (all channel spend + all cost of
      sales) / :math:`(N_{traditional} + N_{social})`; CAC (blended) = all
      acquisition costs (rewards included) / all customers acquired
      (Blattberg, Kim & Neslin 2008, ch. 5's acquisition cost per customer).
      Programme costs are not in CAC. CLV / CAC = the paid sources' CLV /
      CAC (paid).
    - :math:`CLV_s = \\sum_t N_{s,t} V_{s,t} / N_s`, the acquisition-weighted
      present value :math:`V_{s,t}` of a customer's future monthly margin
      given the cohort's churn path, with a perpetuity beyond the horizon;
      with constant margin m, retention r and monthly rate i it is
      :math:`m r / (1 + i - r)` (Gupta & Lehmann 2003).
    - cost-of-sales share = cost of sales / revenue; average monthly churn =
      customers lost / customer-months at risk; NPV of the plan's own net
      cash flow (:func:`roi_models.engine.npv`).
    - budget = channel spend + programme cost over months 0..T,
      undiscounted (a plan's extra spend is its budget minus the status
      quo's).

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
                "new_customers", "programme_cost")
_PER_ROW = ("npv", "cac", "cac_blended", "clv", "clv_to_cac", "cost_of_sales_share",
            "churn_monthly_avg", "customers_end", "new_customers_total", "budget")
_PER_SOURCE = ("cac_by_source", "clv_by_source", "clv_to_cac_by_source")


@compiled()
def _ratio(numerator, denominator):
    """:func:`roi_models.conventions.safe_ratio` of two numbers (the package's one division
    rule: NaN where the denominator is not positive), for the compiled passes."""
    return numerator / denominator if denominator > 0.0 else np.nan


@compiled()
def _plan_rows(factors, new, customer_value, spend_by_kind, cost_of_sales_by_kind,
               referral_rewards, revenue, net_cash_flow, active_customers, new_customers,
               programme_cost,
               npv, cac, cac_blended, clv, clv_to_cac, cost_of_sales_share, churn_monthly_avg,
               customers_end, new_customers_total, budget,
               cac_by_source, clv_by_source, clv_to_cac_by_source):
    """The figures of :func:`plan_metrics`, row by row (definitions: its docstring).

    ``factors`` (1 or n, T+1) are the discount factors
    (:func:`~roi_models.engine.finance.annual_discount_factors`); the next ten
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
        # the other sums in one loop over the months (ten chains side by side); month 0 holds
        # the one-time cost and the first flow of the NPV
        programme = 0.0 + programme_cost[i, 0]
        value = 0.0 + net_cash_flow[i, 0] * d[0]
        spend_0 = spend_1 = cos_0 = cos_1 = 0.0  # per kind
        rewards = revenue_total = acquired_total = at_risk = 0.0
        for t in range(1, T1):
            spend_0 += spend_by_kind[i, 0, t]
            spend_1 += spend_by_kind[i, 1, t]
            cos_0 += cost_of_sales_by_kind[i, 0, t]
            cos_1 += cost_of_sales_by_kind[i, 1, t]
            programme += programme_cost[i, t]
            rewards += referral_rewards[i, t]
            revenue_total += revenue[i, t]
            acquired_total += new_customers[i, t]
            at_risk += active_customers[i, t - 1]  # A(t-1): customer-months at risk
            value += net_cash_flow[i, t] * d[t]
        spend[0], spend[1], cos[0], cos[1] = spend_0, spend_1, cos_0, cos_1
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
        paid_cost = spend[0] + spend[1] + cos[0] + cos[1]
        paid = acquired_by[S_TRADITIONAL] + acquired_by[S_SOCIAL]
        npv[i] = value
        cac[i] = _ratio(paid_cost, paid)  # CAC (paid)
        cac_blended[i] = _ratio(cost_total, acquired)
        clv[i] = _ratio(weighted_acquired, acquired)
        clv_paid = _ratio(weighted[S_TRADITIONAL] + weighted[S_SOCIAL], paid)
        clv_to_cac[i] = _ratio(clv_paid, cac[i])
        budget[i] = spend[0] + spend[1] + programme
        cost_of_sales_share[i] = _ratio(cos[0] + cos[1], revenue_total)
        # customers lost over months 1..T telescope: A(0) - A(T) + everyone acquired
        churned = active_customers[i, 0] - active_customers[i, T1 - 1] + acquired_total
        churn_monthly_avg[i] = _ratio(churned, at_risk)
        customers_end[i] = active_customers[i, T1 - 1]
        new_customers_total[i] = acquired


TerminalValue = Literal["none", "customer_value"]
"""``finance.terminal_value``: the plan ends at month T (``none``, as TEI studies do), or the
customers active at T are valued at their customer value (``customer_value``)."""


@dataclass(frozen=True)
class BusinessCase:
    """Incremental business case of each row against its baseline row; arrays of shape (n,)."""

    incremental_cash_flow: np.ndarray  # (n, T+1), cash only (no terminal value)
    discounted_incremental_cash_flow: np.ndarray  # (n, T+1), month 0 undiscounted
    incremental_components: dict[str, np.ndarray]  # SimResult.components(), plan - baseline
    incremental_lines: dict[str, np.ndarray]  # the finest lines of ROI (see business_case)
    terminal_value_setting: TerminalValue
    npv: np.ndarray  # at the setting: npv_with_terminal_value or npv_without_terminal_value
    npv_without_terminal_value: np.ndarray
    npv_with_terminal_value: np.ndarray
    terminal_value: np.ndarray  # PV at month 0 of the incremental terminal value
    irr_annual: np.ndarray
    mirr_annual: np.ndarray
    irr_caveat: np.ndarray  # finance.IRR_* codes; NaN where there is no IRR
    roi: np.ndarray
    pv_benefits: np.ndarray
    pv_costs: np.ndarray
    payback_month: np.ndarray
    discounted_payback_month: np.ndarray
    peak_outlay: np.ndarray  # deepest cumulative incremental shortfall (undiscounted, >= 0)


def business_case(
    res: SimResult, baseline: SimResult, annual_rate, *, spend, baseline_spend,
    terminal_value: TerminalValue = "none", with_irr: bool = True,
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
    spend, baseline_spend : numpy.ndarray, shape (C, T + 1, n or 1)
        Each channel's monthly spend in the plans and in the baseline
        (:attr:`ParamBatch.spend`, one row or one per row), on one channel
        axis: :func:`channel_lines` aligns two batches by channel name.
    terminal_value : {"none", "customer_value"}, default "none"
        ``finance.terminal_value`` (see Notes).
    with_irr : bool, default True
        False skips the IRR and MIRR (left NaN): they are the costly figures.
    irr_solver : {"numpy_financial", "vectorised"}, default "numpy_financial"
        ``numpy_financial.irr`` and ``mirr`` row by row for the rows a user
        sees (about 0.5 ms a row); the vectorised solvers for large batches
        (:func:`roi_models.engine.irr_annual`, :func:`~roi_models.engine.finance.mirr_annual`).

    Returns
    -------
    BusinessCase
        Incremental flows, components and lines; NPV (at the setting and at
        both), IRR and MIRR (annual) with the IRR's caveat, ROI with its
        present values, payback month plain and discounted and the peak
        outlay; NaN where a figure does not exist.

    Notes
    -----
    The incremental cash flow is :math:`\\Delta CF_t = CF^{plan}_t -
    CF^{baseline}_t`, month by month; NPV is :func:`roi_models.engine.npv`
    of it (monthly rate, month 0 undiscounted), IRR is
    :func:`roi_models.engine.irr_annual` of it, MIRR
    :func:`~roi_models.engine.finance.mirr_annual` (financing and
    reinvestment at the discount rate), payback is
    :func:`roi_models.engine.payback_month` of it (and of its discounted
    form) [BMA]_.

    **ROI** = (PV benefits - PV costs) / PV costs, benefits and costs taken
    line by line and month by month as in
    :func:`roi_models.engine.roi_from_components` [TEI]_, at the finest level
    the model has: gross profit; **each channel's spend** (not the sum of a
    kind, not all spend as one line); cost of sales of each kind; referral
    rewards; support; programme cost (and the terminal value, when counted).
    A TEI study lists its benefits and costs as line items, each a benefit or
    a cost; netting lines first hides costs inside benefits, and then ROI
    depends on how the lines were grouped (one spend line that nets a cut
    channel against a raised one gives a larger ROI at the same NPV). With
    lines at the finest level, splitting a channel into two with half the
    spend and the same response leaves ROI unchanged, and ``PV benefits -
    PV costs`` is the NPV.

    **Terminal value** (``customer_value``): the customers active at T valued
    at their customer value, :math:`TV = \\sum_s A_s(T) V_s(T)`, plan minus
    baseline, is added to month T of the flows of NPV, ROI (as its own line),
    IRR and MIRR; payback never counts it (it is not cash received within
    the horizon), and the monthly cash-flow arrays stay cash only. Both NPVs
    are always computed: ``npv_without_terminal_value`` and
    ``npv_with_terminal_value`` (their difference is ``terminal_value``, in
    present value).

    **Peak outlay** is :math:`\\max(0, -\\min_t \\sum_{s \\le t} \\Delta CF_s)`, the most
    the plan has out of pocket at any month (undiscounted); the IRR's caveat
    (:func:`~roi_models.engine.finance.irr_caveat`) uses it.

    References
    ----------
    .. [BMA] Brealey, Myers & Allen, *Principles of Corporate Finance*, ch. 2 and 5.
    .. [TEI] Forrester Research, *Total Economic Impact* methodology: costs and
       benefits as line items, ROI = (PV benefits - PV costs) / PV costs.

    Examples
    --------
    Does the B2B social plan beat the status quo, and when does it pay back?

    >>> from roi_models.data import load_shipped
    >>> from roi_models.engine import simulate
    >>> sf = load_shipped("b2b_it_services")
    >>> batch = ParamBatch.from_assumptions([sf.scenario("status_quo"), sf.scenario("social")])
    >>> sim = simulate(batch)
    >>> case = business_case(sim, sim.rows(0), 0.10, spend=batch.spend,
    ...                      baseline_spend=batch.rows(np.array([0])).spend)
    >>> bool(case.npv[1] > 0), int(case.payback_month[1]), bool(np.isnan(case.roi[0]))
    (True, 40, True)
    """
    inc = res.net_cash_flow - baseline.net_cash_flow
    discounted = inc * annual_discount_factors(annual_rate, inc.shape[-1] - 1)
    base_parts = baseline.components()
    parts = {k: v - base_parts[k] for k, v in res.components().items()}
    lines = _lines(res, spend)
    base_lines = _lines(baseline, baseline_spend)
    figures = incremental_figures(res, baseline, annual_rate, spend=spend,
                                  baseline_spend=baseline_spend, terminal_value=terminal_value)
    n = inc.shape[0]
    irr = mirr = np.full(n, np.nan)
    if with_irr:
        flows = inc
        if terminal_value == "customer_value":  # the terminal value at month T, undiscounted
            flows = inc.copy()
            flows[:, -1] += lines["terminal_value"][:, -1] - base_lines["terminal_value"][:, -1]
        irr = np.asarray(irr_annual(flows, solver=irr_solver))
        mirr = np.asarray(mirr_annual(flows, annual_rate, solver=irr_solver))
    caveat = irr_caveat(irr, figures["peak_outlay"], figures["pv_costs"])
    kept = _LINE_SIGNS if terminal_value == "customer_value" else {
        k: v for k, v in _LINE_SIGNS.items() if k != "terminal_value"}
    incremental_lines = {}
    for k in lines:
        key = k if not k.startswith("channel_spend_") else "channel_spend_"
        if key in kept:
            incremental_lines[k] = kept[key] * (lines[k] - base_lines[k])
    return BusinessCase(
        incremental_cash_flow=inc,
        discounted_incremental_cash_flow=discounted,
        incremental_components=parts,
        incremental_lines=incremental_lines,
        terminal_value_setting=terminal_value,
        irr_annual=irr,
        mirr_annual=mirr,
        irr_caveat=caveat,
        **figures,
    )


def channel_lines(plan: ParamBatch, baseline: ParamBatch) -> tuple[np.ndarray, np.ndarray]:
    """Each channel's spend of two batches on one channel axis, matched by channel name.

    The plan's channels first, then the baseline's that the plan lacks (no
    spend in the plan); a channel of the plan that the baseline lacks has no
    spend in the baseline. The arrays ``spend`` and ``baseline_spend`` of
    :func:`business_case` for plans and a baseline built as separate batches.

    >>> from roi_models.data import load_shipped
    >>> sf = load_shipped("b2b_it_services")
    >>> plan = ParamBatch.from_assumptions([sf.scenario("social")])
    >>> a, b = channel_lines(plan, ParamBatch.from_assumptions([sf.scenario("status_quo")]))
    >>> a.shape == b.shape
    True
    """
    names = list(plan.channel_names) + [c for c in baseline.channel_names
                                        if c not in plan.channel_names]
    if names == list(baseline.channel_names):
        return plan.spend, baseline.spend

    def on(batch: ParamBatch) -> np.ndarray:
        out = np.zeros((len(names),) + batch.spend.shape[1:])
        for c, name in enumerate(batch.channel_names):
            out[names.index(name)] = batch.spend[c]
        return out

    return on(plan), on(baseline)


def incremental_figures(
    res: SimResult, baseline: SimResult, annual_rate, *, spend, baseline_spend,
    terminal_value: TerminalValue = "none",
) -> dict[str, np.ndarray]:
    """The one-number-per-row figures of :class:`BusinessCase` but IRR and MIRR.

    As :func:`business_case` defines them, in one compiled pass over the rows
    (:func:`_case_rows`) without building the incremental arrays: the path of
    :func:`business_case` and of large batches (:func:`roi_models.engine.batch.run_batch`).
    ``spend`` and ``baseline_spend`` are each channel's spend, (C, T + 1, n
    or 1), on one channel axis (:func:`channel_lines`). The baseline has one
    row, n rows, or b rows with b a divisor of n: then row i is compared with
    baseline row ``i mod b`` (n / b blocks of plans against the same b
    baseline rows, as a Monte Carlo chunk lays out its draws).

    Returns
    -------
    dict of str to numpy.ndarray, shape (n,)
        ``npv``, ``npv_without_terminal_value``, ``npv_with_terminal_value``,
        ``terminal_value``, ``roi``, ``pv_benefits``, ``pv_costs``,
        ``payback_month``, ``discounted_payback_month``, ``peak_outlay``.
    """
    n, T1 = res.net_cash_flow.shape
    b = baseline.net_cash_flow.shape[0]
    if b < 1 or n % b or baseline.net_cash_flow.shape[1] != T1:
        raise InputError.one("argument", "baseline", baseline.net_cash_flow.shape,
                             f"one row, {n} rows or a divisor of {n}, of {T1} months")
    if terminal_value not in get_args(TerminalValue):
        raise InputError.one("argument", "terminal_value", terminal_value,
                             "one of: " + ", ".join(get_args(TerminalValue)))
    for name, arr, rows in (("spend", spend, n), ("baseline_spend", baseline_spend,
                                                  baseline.net_cash_flow.shape[0])):
        shape = np.shape(arr)
        if len(shape) != 3 or shape[1] != T1 or shape[2] not in (1, rows) \
                or shape[0] != np.shape(spend)[0]:
            raise InputError.one("argument", name, shape,
                                 f"(channels, {T1}, 1 or {rows}) on the plans' channel axis")
    factors = np.atleast_2d(annual_discount_factors(annual_rate, T1 - 1))
    if factors.shape[0] not in (1, n):
        raise InputError.one("argument", "annual_rate", np.shape(annual_rate),
                             f"one rate or {n} rates")
    out = {name: np.empty(n) for name in _CASE_FIGURES}
    plan_spend = np.asarray(spend, dtype=float)
    base_spend = np.asarray(baseline_spend, dtype=float)
    _case_rows(np.ascontiguousarray(factors), terminal_value == "customer_value",
               *_case_arrays(res), plan_spend, *_case_arrays(baseline), base_spend, 0,
               *out.values())
    out["npv"] = (out["npv_with_terminal_value"] if terminal_value == "customer_value"
                  else out["npv_without_terminal_value"]).copy()
    return out


_LINE_SIGNS: dict[str, float] = {  # the lines of ROI and their signs (inflows +, outflows -)
    "gross_profit": 1.0, "channel_spend_": -1.0, "cost_of_sales_traditional": -1.0,
    "cost_of_sales_social": -1.0, "referral_rewards": -1.0, "support_cost": -1.0,
    "programme_cost": -1.0, "terminal_value": 1.0,
}
_CASE_FIGURES = ("npv_without_terminal_value", "npv_with_terminal_value", "terminal_value",
                 "roi", "pv_benefits", "pv_costs", "payback_month", "discounted_payback_month",
                 "peak_outlay")


def _lines(res: SimResult, spend) -> dict[str, np.ndarray]:
    """The amounts (>= 0) of every line of ROI, each (rows, T + 1); ``channel_spend_<c>`` per
    channel c of ``spend`` (C, T + 1, rows or 1: then one row); the terminal value
    :math:`\\sum_s A_s(T) V_s(T)` sits in month T."""
    spend = np.asarray(spend, dtype=float)
    lines = {"gross_profit": res.gross_profit}
    lines |= {f"channel_spend_{c}": spend[c].T for c in range(spend.shape[0])}
    lines |= {"cost_of_sales_traditional": res.cost_of_sales_by_kind[:, 0],
              "cost_of_sales_social": res.cost_of_sales_by_kind[:, 1],
              "referral_rewards": res.referral_rewards, "support_cost": res.support_cost,
              "programme_cost": res.programme_cost}
    tv = np.zeros_like(res.net_cash_flow)
    tv[:, -1] = (res.active[:, :, -1] * res.customer_value[:, :, -1]).sum(axis=1)
    lines["terminal_value"] = tv
    return lines


def _case_arrays(res: SimResult) -> tuple[np.ndarray, ...]:
    """The monthly arrays :func:`_case_rows` reads from a result, in its argument order."""
    return (res.gross_profit, res.cost_of_sales_by_kind, res.referral_rewards, res.support_cost,
            res.programme_cost, res.active, res.customer_value, res.net_cash_flow)


@compiled()
def _line(benefit, cost, delta):
    """A month's benefits and costs with a line's ``Delta_k`` added to the benefits (where
    positive) or the costs (where negative)."""
    return benefit + max(delta, 0.0), cost + max(-delta, 0.0)


@compiled()
def _case_rows(factors, with_terminal_value,
               gross_profit, cost_of_sales_by_kind, referral_rewards, support_cost, programme_cost,
               active, customer_value, net_cash_flow, spend,
               base_gross_profit, base_cost_of_sales_by_kind, base_referral_rewards,
               base_support_cost, base_programme_cost, base_active, base_customer_value,
               base_net_cash_flow, base_spend, first,
               npv_without_terminal_value, npv_with_terminal_value, terminal_value, roi,
               pv_benefits, pv_costs, payback_month, discounted_payback_month, peak_outlay):
    """The figures of :func:`incremental_figures`, row by row (definitions: :func:`business_case`).

    ``factors`` (1 or n, T+1) discount factors; ``with_terminal_value``
    whether the terminal value is a line of ROI; then the plan's monthly
    results (the :class:`SimResult` fields of the same names, n rows) and
    each channel's spend (C, T+1, 1 or n), the baseline's (1 or n rows) and
    its spend on the same channel axis (row i against baseline row
    ``(first + i) mod b``, b its rows: ``first`` is the row's number in a
    larger batch, 0 for a whole one); then the outputs (n,). Per month t
    the incremental flow is ``plan - baseline``, and per line k ``Delta_k =
    sign_k (plan_k - baseline_k)`` is a benefit where positive and a cost
    where negative (:func:`~roi_models.engine.finance.roi_from_components`),
    the lines in the order of :func:`_lines`: gross profit (+), each
    channel's spend, cost of sales of each kind, referral rewards, support,
    programme (-) and the terminal value :math:`\\sum_s A_s(T) V_s(T)` (+, in
    month T); the payback months are
    :func:`~roi_models.engine.finance.payback_month`'s rule of the
    incremental cash flow, plain and discounted (the discounted one only where
    ``discounted_payback_month`` has rows: :func:`roi_models.engine.batch.run_batch`
    passes an empty array, it keeps the plain one only).
    """
    n, T1 = net_cash_flow.shape
    C = spend.shape[0]
    T = T1 - 1
    incremental, discounted = np.empty(T1), np.empty(T1)
    benefit, cost = np.empty(T1), np.empty(T1)  # B_t and C_t
    for i in range(n):
        j = (first + i) % base_net_cash_flow.shape[0]  # baseline row: the one, its own, or mod b
        d = factors[i] if factors.shape[0] > 1 else factors[0]
        js = i if spend.shape[2] > 1 else 0  # spend columns: per row, or shared
        jb = j if base_spend.shape[2] > 1 else 0
        tv_plan = tv_base = 0.0  # sum_s A_s(T) V_s(T)
        for s in range(active.shape[1]):
            tv_plan += active[i, s, T] * customer_value[i, s, T]
            tv_base += base_active[j, s, T] * base_customer_value[j, s, T]
        # B_t = sum_k max(Delta_k, 0) and C_t = sum_k max(-Delta_k, 0), line by line in the order
        # of _lines, each line a loop over the months (no chain from month to month)
        for t in range(T1):
            benefit[t], cost[t] = _line(0.0, 0.0, gross_profit[i, t] - base_gross_profit[j, t])
        for c in range(C):
            for t in range(T1):
                benefit[t], cost[t] = _line(benefit[t], cost[t],
                                            -(spend[c, t, js] - base_spend[c, t, jb]))
        for k in range(2):
            for t in range(T1):
                benefit[t], cost[t] = _line(benefit[t], cost[t],
                                            -(cost_of_sales_by_kind[i, k, t]
                                              - base_cost_of_sales_by_kind[j, k, t]))
        for t in range(T1):
            benefit[t], cost[t] = _line(benefit[t], cost[t],
                                        -(referral_rewards[i, t] - base_referral_rewards[j, t]))
        for t in range(T1):
            benefit[t], cost[t] = _line(benefit[t], cost[t],
                                        -(support_cost[i, t] - base_support_cost[j, t]))
        for t in range(T1):
            benefit[t], cost[t] = _line(benefit[t], cost[t],
                                        -(programme_cost[i, t] - base_programme_cost[j, t]))
        if with_terminal_value:
            benefit[T], cost[T] = _line(benefit[T], cost[T], tv_plan - tv_base)
        for t in range(T1):
            incremental[t] = net_cash_flow[i, t] - base_net_cash_flow[j, t]
            discounted[t] = incremental[t] * d[t]
        value = benefits = costs = cumulative = deepest = 0.0
        for t in range(T1):  # the sums in month order
            value += discounted[t]
            benefits += benefit[t] * d[t]
            costs += cost[t] * d[t]
            cumulative += incremental[t]
            deepest = min(deepest, cumulative)
        tv = (tv_plan - tv_base) * d[T]
        npv_without_terminal_value[i] = value
        npv_with_terminal_value[i] = value + tv
        terminal_value[i] = tv
        pv_benefits[i] = benefits
        pv_costs[i] = costs
        roi[i] = _ratio(benefits - costs, costs)
        payback_month[i] = _payback(incremental)
        if discounted_payback_month.shape[0] > 0:  # (a summary of many rows leaves it out)
            discounted_payback_month[i] = _payback(discounted)
        peak_outlay[i] = 0.0 - deepest  # (0.0 - 0.0 is +0.0; -deepest would be -0.0)


__all__ = ["SOURCES", "BusinessCase", "PlanMetrics", "TerminalValue", "business_case",
           "channel_lines", "incremental_figures", "plan_metrics"]
