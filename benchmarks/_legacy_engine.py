# ruff: noqa  (TEMPORARY file of issue 10, restored from git history to time the old engine; deleted again)
"""TEMPORARY: the numpy engine as it was before issue 10 (commit 26dd5c9), kept only to
compare the compiled kernel with it (``benchmarks/compare_legacy.py``) and to time both in
one process. Deleted once the comparison is recorded.

Contents: roi_models/engine/simulate.py, workspace.empty, batch.run_batch and
finance.roi_of_differences of commit 26dd5c9, imports made absolute.
"""


from __future__ import annotations

import itertools
from dataclasses import dataclass, fields

import numpy as np

from roi_models.assumptions.schema import SOURCES
from roi_models.conventions import bass_monthly, monthly_rate
from roi_models.engine.params import ParamBatch

S_EXISTING, S_TRADITIONAL, S_SOCIAL, S_ORGANIC, S_REFERRAL = range(len(SOURCES))
KINDS: tuple[str, ...] = ("traditional", "social")
_SMALL_BATCH = 64  # rows up to which per-call overhead, not memory traffic, decides
_TINY = 1e-300  # keeps 0/0 at 0 (or 1 for A/U) without masked divisions in the month loop


INFLOWS: tuple[str, ...] = ("gross_profit",)  # the cash-flow components of SimResult
OUTFLOWS: tuple[str, ...] = ("channel_spend", "referral_rewards", "cost_of_sales", "support_cost",
                             "programme_cost")


@dataclass(frozen=True)
class SimResult:
    """Monthly results of a batch. Month is the last axis (length T + 1, month 0 first).

    Shapes: ``(n, T+1)`` for totals, ``(n, 5, T+1)`` per customer source
    (:data:`roi_models.assumptions.SOURCES`), ``(n, 2, T+1)`` per channel kind
    (traditional, social). Amounts are positive; ``net_cash_flow`` is signed.
    """

    horizon: int
    active: np.ndarray
    new: np.ndarray
    retained: np.ndarray  # (n, 5, T+1): customers of month t-1 still active in month t
    survival: np.ndarray  # (n, 5, T+1): 1 - churn rate
    revenue_per_customer: np.ndarray  # (n,)
    leads: np.ndarray
    opportunities: np.ndarray
    cost_of_sales_by_kind: np.ndarray
    spend_by_kind: np.ndarray
    referral_rewards: np.ndarray
    engagement: np.ndarray
    revenue: np.ndarray
    gross_profit: np.ndarray
    support_cost: np.ndarray
    programme_cost: np.ndarray
    net_cash_flow: np.ndarray
    channel_spend: np.ndarray  # (n, T+1): both kinds
    cost_of_sales: np.ndarray  # (n, T+1): both kinds
    margin_per_customer: np.ndarray
    customer_value: np.ndarray  # (n, 5, T+1): value of a customer active at end of month t
    active_customers: np.ndarray  # (n, T+1): all sources
    new_customers: np.ndarray  # (n, T+1): all sources

    @property
    def n(self) -> int:
        return int(self.revenue.shape[0])

    def rows(self, index) -> "SimResult":
        """The results of some rows only (an int, a slice or an index array); a row stays 2-D."""
        idx = np.atleast_1d(np.arange(self.n)[index])
        return SimResult(**{
            f.name: (getattr(self, f.name)[idx] if isinstance(getattr(self, f.name), np.ndarray)
                     else getattr(self, f.name))
            for f in fields(self)
        })

    @property
    def churn_rate(self) -> np.ndarray:
        """Monthly churn rate per source, (n, 5, T+1); 0 in month 0."""
        return 1.0 - self.survival

    @property
    def churned(self) -> np.ndarray:
        """Customers lost in each month per source, (n, 5, T+1)."""
        out = np.zeros_like(self.active)
        np.subtract(self.active[..., :-1], self.retained[..., 1:], out=out[..., 1:])
        return out

    @property
    def revenue_by_source(self) -> np.ndarray:
        """Revenue from each cohort, (n, 5, T+1)."""
        return self.retained * self.revenue_per_customer[:, None, None]

    @property
    def marketing_spend(self) -> np.ndarray:
        """Channel spend of both kinds plus referral rewards, per month."""
        return self.channel_spend + self.referral_rewards

    def components(self) -> dict[str, np.ndarray]:
        """Signed cash-flow components (inflows +, outflows -) that sum to the net cash flow.

        The same names as :data:`INFLOWS` and :data:`OUTFLOWS`, whose arrays hold
        the amounts (positive)."""
        return {"gross_profit": self.gross_profit, **{k: -getattr(self, k) for k in OUTFLOWS}}


def simulate(batch: ParamBatch, *, workspace: dict | None = None) -> SimResult:
    """Run the monthly model for every row of ``batch`` (see the module docstring).

    ``workspace`` (see the old workspace module; one dict per thread)
    keeps the month-by-row arrays from one call to the next with the same
    shape. The arrays of the returned result then live in the workspace: the
    next call with it overwrites them.

    Examples
    --------
    How many customers does the shipped B2B case have after five years, per scenario?

    >>> from roi_models.data import load_shipped
    >>> sf = load_shipped("b2b_it_services")
    >>> batch = ParamBatch.from_assumptions([sf.scenario(n) for n in sf.scenario_names])
    >>> res = simulate(batch)
    >>> res.active_customers.shape
    (4, 61)
    """
    T, n = batch.horizon, batch.n
    g = batch.scalars
    months = np.arange(T + 1, dtype=float)[:, None]  # (T+1, 1)
    S = len(SOURCES)

    # ---------------------------------------------------------------- channels
    spend = batch.spend  # (C, T+1, n), or (C, T+1, 1) when every row shares it
    channel = batch.channel
    adstock = _adstock(spend, channel["carryover"], channel["spend_before_plan"],
                       empty(workspace, "adstock", (spend.shape[0], T + 1, n)))
    social = batch.channel_is_social
    # (2, T+1, n); leads[:, 0] is the pre-plan steady state
    leads = empty(workspace, "leads", (2, T + 1, n))
    leads_by_channel = _hill(adstock, channel["half_saturation"][:, None, :],
                             channel["shape"][:, None, :], channel["max_leads_monthly"][:, None, :],
                             empty(workspace, "leads_by_channel", adstock.shape))
    _by_kind(leads_by_channel, social, leads)
    spend_by_kind = empty(workspace, "spend_by_kind", (2, T + 1, n))
    if spend.shape[2] == n:
        _by_kind(spend, social, spend_by_kind)
    else:  # shared by every row: sum the one column, then spread it
        spend_by_kind[...] = _by_kind(spend, social, np.empty((2, T + 1, 1)))
    spend_by_kind[:, 0] = 0.0
    social_adstock = empty(workspace, "social_adstock", (T + 1, n))
    if np.count_nonzero(social) == 1:  # the usual case: one social channel
        np.copyto(social_adstock, adstock[social.argmax()])
    else:
        np.add.reduce(adstock, 0, None, social_adstock, False, 0.0, social[:, None, None])

    # ---------------------------------------------------------------- engagement
    # ramp(t) = min(1, t / ramp_up_months); no ramp-up months: 1 from month 1
    ramp = np.divide(months, np.maximum(g["organisation.ramp_up_months"], 1e-12),
                     out=empty(workspace, "ramp", (T + 1, n)))
    np.minimum(ramp, 1.0, out=ramp)
    ramp[0] = 0.0
    half = g["social.engagement_half_saturation"]
    before = social_adstock[0] / (social_adstock[0] + half)  # social presence before the plan
    x = social_adstock
    x += g["programme.ongoing_monthly"]
    engagement = np.add(x, half, out=empty(workspace, "engagement", x.shape))
    np.divide(x, engagement, out=engagement)  # x / (x + H)
    engagement -= before
    engagement *= ramp
    engagement += before
    engagement[0] = before

    # ---------------------------------------------------------------- shocks
    start = g["retention.downturn.start_month"]
    in_downturn = (months >= start) & (months < start + g["retention.downturn.duration_months"])
    added_churn = np.multiply(in_downturn, g["retention.downturn.added_churn"],
                              out=empty(workspace, "added_churn", (T + 1, n)))
    acquisition_factor = None  # 1 everywhere unless a viral event hits acquisition
    viral_on = g["viral_event.enabled"] > 0
    if viral_on.any():
        since = months - g["viral_event.month"]
        decay = np.where(
            viral_on & (since >= 0),
            np.exp2(-np.maximum(since, 0.0) / g["viral_event.half_life_months"]),  # 0.5^(dt/h)
            0.0,
        )
        decay *= 1.0 - g["viral_event.mitigation"] * g["programme.response_capability"] * ramp
        added_churn += decay * g["viral_event.added_churn"]
        decay *= -g["viral_event.acquisition_hit"]
        if decay.any():
            acquisition_factor = np.add(decay, 1.0, out=empty(workspace, "acquisition", (T + 1, n)))

    # ---------------------------------------------------------------- funnel
    opp = np.multiply(leads, g["funnel.lead_to_opportunity"],
                      out=empty(workspace, "opportunities", leads.shape))  # (2, T+1, n)
    cpo = g["funnel.cost_per_opportunity"]
    cpo_k = np.array([cpo, cpo * (1.0 - g["funnel.social_cost_reduction"])])  # (2, n)
    cost_of_sales = np.multiply(opp, cpo_k[:, None, :], out=empty(workspace, "cost_of_sales", opp.shape))
    cost_of_sales[:, 0, :] = 0.0
    win = g["funnel.win_rate"]
    win_k = np.array([win, np.minimum(1.0, win * (1.0 + g["funnel.social_win_rate_uplift"]))])
    lag = g["funnel.sales_cycle_months"]
    lag_k = np.array([lag, lag * (1.0 - g["funnel.social_cycle_reduction"])])  # (2, n)
    # new customers (month, source, row): one block a month; the paid ones are the
    # wins, written straight into their rows
    new = empty(workspace, "new", (T + 1, S, n))
    new[0] = 0.0
    new[:, S_EXISTING] = 0.0
    paid = new[:, S_TRADITIONAL:S_SOCIAL + 1].transpose(1, 0, 2)  # (2, T+1, n) view
    _lagged(opp, lag_k, paid, scale=win_k)  # win rate x opportunities of month t - lag
    if acquisition_factor is not None:
        paid *= acquisition_factor

    # ---------------------------------------------------------------- retention
    churn0 = np.array([g[f"retention.churn_monthly.{s}"] for s in SOURCES])  # (5, n)
    # survival = 1 - churn, churn = churn0 (1 - gamma e) + added; (month, source, row)
    survival = empty(workspace, "survival", (T + 1, S, n))
    reduction = np.multiply(engagement, g["social.churn_reduction"],
                            out=empty(workspace, "scratch", (T + 1, n)))
    reduction -= 1.0  # gamma e - 1
    base = np.subtract(1.0, added_churn, out=added_churn)  # 1 - added
    if n <= _SMALL_BATCH:  # two calls
        np.multiply(reduction[:, None, :], churn0, out=survival)
        survival += base[:, None, :]
    else:  # month by month: the second pass finds the block in cache
        for t in range(1, T + 1):
            np.multiply(churn0, reduction[t], out=survival[t])
            survival[t] += base[t]
    survival[0] = 1.0

    # ---------------------------------------------------------------- customers
    # q_eff = (1 + lift e) q, monthly
    q_eff = np.multiply(engagement, g["social.word_of_mouth_lift"],
                        out=empty(workspace, "q_eff", (T + 1, n)))
    q_eff += 1.0
    q_eff *= bass_monthly(g["market.bass_q_annual"])
    # what one active customer brings: [q_eff / M, referrals]
    per_active = empty(workspace, "per_active", (T + 1, 2, n))
    np.divide(q_eff, g["market.potential_customers"], out=per_active[:, 0])
    referrals = per_active[:, 1]
    np.multiply(engagement, g["social.referral_lift"], out=referrals)
    referrals += 1.0
    if acquisition_factor is not None:
        referrals *= acquisition_factor
    referrals *= g["referrals.referrals_per_customer_monthly"] * g["referrals.conversion"]
    active, retained, active_total, new_total, retained_total = _customers(
        g["market.initial_customers"], g["market.potential_customers"],
        bass_monthly(g["market.bass_p_annual"]), q_eff, per_active, acquisition_factor, survival,
        new, workspace=workspace,
    )
    leads[:, 0] = 0.0  # month 0 held the pre-plan pipeline; report months 1..T only
    opp[:, 0] = 0.0

    # ---------------------------------------------------------------- cash
    revenue = empty(workspace, "revenue", (T + 1, n))
    if retained_total is None:  # small batch: one call sums the sources
        np.ones(S).dot(retained, out=revenue)
        revenue *= g["economics.revenue_per_customer_monthly"]
    else:
        np.multiply(retained_total, g["economics.revenue_per_customer_monthly"], out=revenue)
    gross_profit = np.multiply(revenue, g["economics.gross_margin"],
                               out=empty(workspace, "gross_profit", revenue.shape))
    support_per_customer = np.multiply(engagement, g["social.support_deflection"],
                                       out=empty(workspace, "support_per_customer", (T + 1, n)))
    np.subtract(1.0, support_per_customer, out=support_per_customer)
    support_per_customer *= g["support.contacts_per_customer_monthly"] * g["support.cost_per_contact"]
    support_per_customer[0] = 0.0
    support_cost = np.multiply(active_total, support_per_customer,
                               out=empty(workspace, "support_cost", revenue.shape))
    referral_rewards = np.multiply(new[:, S_REFERRAL], g["referrals.reward_per_customer"],
                                   out=empty(workspace, "referral_rewards", revenue.shape))
    programme = empty(workspace, "programme", revenue.shape)
    programme[1:] = g["programme.ongoing_monthly"]
    programme[0] = g["programme.one_time_cost"] * g["organisation.implementation_cost_multiplier"]
    channel_spend = np.add(spend_by_kind[0], spend_by_kind[1],
                           out=empty(workspace, "channel_spend", revenue.shape))
    cost_of_sales_total = np.add(cost_of_sales[0], cost_of_sales[1],
                                 out=empty(workspace, "cost_of_sales_total", revenue.shape))
    net = np.subtract(gross_profit, channel_spend, out=empty(workspace, "net", revenue.shape))
    net -= referral_rewards
    net -= cost_of_sales_total
    net -= support_cost
    net -= programme
    margin = np.subtract(g["economics.revenue_per_customer_monthly"] * g["economics.gross_margin"],
                         support_per_customer, out=empty(workspace, "margin", (T + 1, n)))
    value = _customer_value(survival, margin, monthly_rate(g["finance.discount_rate_annual"]),
                            workspace=workspace)

    def by_source(a: np.ndarray) -> np.ndarray:  # (T+1, 5, n) -> (n, 5, T+1)
        return a.transpose(2, 1, 0)

    def by_kind(a: np.ndarray) -> np.ndarray:  # (2, T+1, n) -> (n, 2, T+1)
        return a.transpose(2, 0, 1)

    return SimResult(
        horizon=T,
        active=by_source(active), new=by_source(new), retained=by_source(retained),
        survival=by_source(survival),
        revenue_per_customer=g["economics.revenue_per_customer_monthly"],
        leads=by_kind(leads), opportunities=by_kind(opp),
        cost_of_sales_by_kind=by_kind(cost_of_sales), spend_by_kind=by_kind(spend_by_kind),
        referral_rewards=referral_rewards.T, engagement=engagement.T,
        revenue=revenue.T, gross_profit=gross_profit.T, support_cost=support_cost.T,
        programme_cost=programme.T, net_cash_flow=net.T,
        channel_spend=channel_spend.T, cost_of_sales=cost_of_sales_total.T,
        margin_per_customer=margin.T, customer_value=by_source(value),
        active_customers=active_total.T, new_customers=new_total.T,
    )


def _by_kind(per_channel: np.ndarray, social: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Sum (C, T+1, m) channel arrays into ``out``, (2, T+1, m): traditional, social.

    Small blocks: one product with the (2, C) membership matrix. Large ones: a
    loop over the handful of channels, not a matrix product (BLAS would start
    its own threads inside :func:`roi_models.engine.batch.run_batch`'s workers).
    """
    C = per_channel.shape[0]
    if out.shape[-1] <= _SMALL_BATCH:
        kinds = np.array([~social, social], dtype=float)  # (2, C)
        kinds.dot(per_channel.reshape(C, -1), out=out.reshape(2, -1))  # the method: no dispatch
        return out
    for k, is_kind in enumerate((~social, social)):
        members = np.flatnonzero(is_kind)
        if members.size == 0:
            out[k] = 0.0
        elif members.size == 1:
            np.copyto(out[k], per_channel[members[0]])
        else:
            np.add(per_channel[members[0]], per_channel[members[1]], out=out[k])
            for c in members[2:]:
                out[k] += per_channel[c]
    return out


def _customers(initial, market, p, q_eff, per_active, acquisition, survival, new, *,
               capacity_test: bool = False, workspace: dict | None = None):
    """Customers by source, month by month: the one recurrence of the model.

    ``new`` (T+1, 5, n) holds the paid acquisitions on entry; the organic and
    referral rows are filled in here. ``per_active`` (T+1, 2, n) is what one active
    customer brings in a month: imitation ``q_eff / M`` and referrals;
    ``acquisition`` (T+1, n) the viral-event factor on new customers, or None
    when it is 1. Returns active and retained customers (T+1, 5, n), all
    active customers A and all new customers (T+1, n), and, on large batches,
    all retained customers (T+1, n) (None on small ones: a sum afterwards
    costs less there than a call a month).

    The month loop first runs without the capacity test (the usual case: the
    market is far from exhausted). If some month would acquire more than is
    left of the market, it runs again with the test, which scales that
    month's acquisitions down so that ``U <= M`` (see the module docstring).
    ``capacity_test=True`` runs the test from the start (for tests).
    """
    T1, S, n = new.shape
    active = empty(workspace, "active", (T1, S, n))
    retained = empty(workspace, "retained", (T1, S, n))
    # the loop keeps A and the month's new customers twice (a row per use) on small batches
    total = empty(workspace, "total", (T1, 2, n))
    gained = empty(workspace, "gained", (T1, 2, n))
    retained_total = None if n <= _SMALL_BATCH else empty(workspace, "retained_total", (T1, n))
    if retained_total is not None:
        retained_total[0] = 0.0
    active[0] = 0.0
    active[0, S_EXISTING] = initial
    retained[0] = 0.0
    total[0] = initial
    gained[0] = 0.0
    # [M - U(t), -(U(t) + tiny)], U: everyone ever acquired (tiny: see _month_loop)
    remaining = empty(workspace, "remaining", (T1, 2, n))
    remaining[0, 0] = market - initial
    remaining[0, 1] = -initial - _TINY
    args = (p, q_eff, per_active, acquisition, survival, new, gained, active, retained, total,
            remaining, retained_total)
    # Guards that only some batches need, decided once (skipping them changes no figure):
    # U ~ 0 in some row (q' = q_eff (A + tiny)/(U + tiny) must start at q_eff) and p = 0 in
    # some row (h = 0 would give 0/0).
    guards = {"empty_start": bool(initial.min() <= 1e-200), "no_innovation": bool(p.min() <= 0.0)}
    if not capacity_test:
        with np.errstate(all="ignore"):  # past an exhausted market this pass is discarded
            _month_loop(*args, capacity=False, **guards)
    if capacity_test or not remaining[1:, 0].min() >= 0.0:  # negative, or NaN past the end
        _month_loop(*args, capacity=True, **guards)
    return active, retained, total[:, 0], gained[:, 0], retained_total


def _month_loop(p, q_eff, per_active, acquisition, survival, new, gained, active, retained,
                total, remaining, retained_total, *, capacity: bool, empty_start: bool,
                no_innovation: bool) -> None:
    """The body of :func:`_customers`: 15 to 18 numpy calls a month on (n,), (2, n) or (5, n) blocks.

    Per month, with A = A(t-1), U = U(t-1), a = q_eff A / M, h = p + a and the
    adopters' imitation q' = q_eff A / U, the exact Bass step of :func:`_bass_step`
    ``(1 - e) h (M - U) / (h - e (a - q'))`` with ``e = exp(-s)``, ``s = p + q'``,
    is computed multiplied through by ``exp(s)``:
    ``organic = m h (M - U) / (m h + s)``, ``m = expm1(s)`` (``h - (a - q') = s``),
    times the viral-event factor; ``referral = per_active[1] A``; then every
    source's cohort ``A_s(t) = A_s(t-1) r_s(t) + new_s(t)``.

    Every call has operands of one shape and no Python scalar: on small batches
    a call costs its overhead (about 1 us here), and broadcasting or a scalar
    operand doubles it. So on small batches A and the month's new customers are
    kept twice, (2, n), and what is left of the market with ``-U`` as one (2, n)
    block: the imitation and referral terms are one product with ``per_active``,
    and both running totals one subtraction.
    """
    T1, S, n = new.shape
    mul, add, sub, div, expm1 = np.multiply, np.add, np.subtract, np.divide, np.expm1
    hazard, a_tiny, neg_q, m, den, tiny = np.empty((6, n))
    tiny[:] = _TINY
    small = n <= _SMALL_BATCH  # small blocks: 5-term dot products cost less than reductions
    # (2, 5) ones: two sums of a (5, n) block; the bound method skips np.dot's dispatch (0.7 us)
    both_sums = np.ones((2, S)).dot
    reduce = np.add.reduce  # no BLAS on large blocks: it would start threads inside
    months = zip(           # run_batch's workers
        total[1:], total[1:, 0], remaining[1:], remaining[1:, 0], remaining[:-1, 1],
        per_active[1:], q_eff[1:],
        acquisition[1:] if acquisition is not None else itertools.repeat(None), new[1:],
        new[1:, S_ORGANIC:S_REFERRAL + 1], new[1:, S_ORGANIC], gained[1:], gained[1:, 0],
        active[1:], retained[1:], survival[1:],
        retained_total[1:] if retained_total is not None else itertools.repeat(None),
    )
    A2, A, both, left, act = total[0], total[0, 0], remaining[0], remaining[0, 0], active[0]
    for (A2_next, A_next, both_next, left_next, neg_adopted, brought, q_t, acq, step, referred,
         organic, got2, got, act_next, ret_next, surv, kept) in months:
        # [q_eff A / M, referrals]: organic holds a = q_eff A / M for now
        mul(brought, A2 if small else A, referred)
        add(organic, p, hazard)  # h
        if empty_start:
            add(A, tiny, a_tiny)
            div(a_tiny, neg_adopted, neg_q)
        else:
            div(A, neg_adopted, neg_q)  # -A / (U + tiny)
        mul(neg_q, q_t, neg_q)  # -q'
        sub(p, neg_q, neg_q)  # s = p + q'
        expm1(neg_q, m)
        mul(m, hazard, hazard)  # m h
        add(hazard, neg_q, den)
        if no_innovation:
            add(den, tiny, den)  # no p and no A: 0 / tiny = 0
        mul(hazard, left, organic)
        div(organic, den, organic)
        if acq is not None:
            mul(organic, acq, organic)
        if small:  # all new customers of the month, twice
            both_sums(step, got2)
        else:
            reduce(step, 0, None, got)
        if capacity:  # never acquire more than what is left of the market
            over = got > left
            if over.any():
                step *= np.where(over, left / np.where(over, got, 1.0), 1.0)
                np.copyto(got2, left, where=over)  # exactly what was left: U = M
        sub(both, got2 if small else got, both_next)  # [M - U, -(U + tiny)]
        mul(act, surv, ret_next)
        add(ret_next, step, act_next)
        if small:  # A in both rows
            both_sums(act_next, A2_next)
        else:  # only row 0 (the products above broadcast it), from the retained and new
            reduce(ret_next, 0, None, kept)  # customers: their sum is the revenue base
            add(kept, got, A_next)
        A2, A, both, left, act = A2_next, A_next, both_next, left_next, act_next


def _bass_step(F0, q_adopter, p):
    """Reference form of the monthly Bass step of :func:`simulate` (whose month loop computes
    it multiplied through by ``exp(p + q')``, see :func:`_month_loop`).

    Exact solution over one period of ``dF/dt = (p + q' F)(1 - F)`` started at ``F0``
    (Bass 1969, the closed form F(t) restarted at F0), with ``q'`` held for the month:
    ``F1 - F0 = (1 - e)(p + q' F0)(1 - F0) / (p + q' e + q' (1 - e) F0)``,
    ``e = exp(-(p + q'))``. Inside the engine ``q' F0 = q A / M`` (imitation by active
    customers) and ``q' = q A / U``.

    Month 1 of the Sultan et al. averages equals F(1/12 year) = 0.00253675:

    >>> round(float(_bass_step(0.0, 0.38 / 12, 0.03 / 12)), 8)
    0.00253675
    """
    e = np.exp(-(p + q_adopter))
    return (1 - e) * (p + q_adopter * F0) * (1 - F0) / (p + q_adopter * e + q_adopter * (1 - e) * F0)


def _adstock(spend: np.ndarray, carryover: np.ndarray, before: np.ndarray,
             out: np.ndarray) -> np.ndarray:
    """Geometric adstock ``a(t) = s(t) + lambda a(t-1)`` from ``a(0) = before / (1 - lambda)``.

    ``spend`` is (C, T+1, n) or (C, T+1, 1) (month 0 unused), ``carryover`` and
    ``before`` (C, n); fills and returns ``out`` (C, T+1, n). Small batches use the
    solution ``a(t) = lambda^t (a(0) + sum_{k=1..t} s(k) lambda^-k)`` (two
    cumulative passes; every term is positive, so it is as exact as the
    recurrence) unless ``lambda^-T`` would overflow (lambda = 0 or tiny). Large
    batches, and those, run the recurrence month by month, which passes over
    memory once.
    """
    C, T1, _ = spend.shape
    n = before.shape[1]
    adstock = out
    adstock[...] = spend
    adstock[:, 0] = before / (1.0 - carryover)
    if n <= _SMALL_BATCH and carryover.min() ** (T1 - 1) > 1e-250:
        # a(t) = lambda^t (a(0) + sum_k<=t s(k) lambda^-k): two cumulative passes
        power = np.empty(adstock.shape)
        power[...] = carryover[:, None, :]
        power[:, 0] = 1.0
        np.multiply.accumulate(power, 1, None, power)  # lambda^t
        adstock /= power
        np.add.accumulate(adstock, 1, None, adstock)
        adstock *= power
        return adstock
    for t in range(1, T1):
        np.multiply(carryover, adstock[:, t - 1], out=adstock[:, t])
        adstock[:, t] += spend[:, t]
    return adstock


def _hill(adstock: np.ndarray, half: np.ndarray, shape: np.ndarray, top: np.ndarray,
          out: np.ndarray) -> np.ndarray:
    """Hill saturation ``top x^alpha / (x^alpha + 1)`` with ``x = adstock / half``.

    With alpha = 1 (every channel of the batch) it is ``top a / (a + K)``
    (K > 0: no division by zero); otherwise ``top / (1 + x^-alpha)`` in
    ``out`` (``x = 0`` gives 0). Both are as exact as the textbook form at
    every x, without its temporaries.
    """
    if (shape == 1.0).all():
        np.add(adstock, half, out=out)
        np.divide(adstock, out, out=out)
        out *= top
        return out
    x = np.divide(adstock, half, out=out)
    with np.errstate(divide="ignore", over="ignore"):  # x^-alpha = inf: a saturation of 0
        np.log(x, out=x)
        x *= -shape
        np.exp(x, out=x)  # x^-alpha; x = 0 gives exp(inf) = inf
    x += 1.0
    np.divide(top, x, out=x)
    return x


def _lagged(opp: np.ndarray, lag: np.ndarray, out: np.ndarray | None = None,
            scale: np.ndarray | None = None) -> np.ndarray:
    """Opportunities of month ``t - lag`` for every month t >= 1 (fractional lags interpolate).

    ``opp`` is (K, T+1, n) with row 0 the steady pre-plan level (the value of
    every month before the plan); ``lag`` is (K, n). Returns ``out`` (K, T+1, n) with
    month 0 set to 0: ``(1 - f) opp(t - L) + f opp(t - L - 1)``, ``L + f = lag``,
    times ``scale`` (K, n) when given (the win rates: wins come out in one pass).
    """
    K, T1, n = opp.shape
    whole = np.floor(lag)
    frac = lag - whole
    result = np.empty_like(opp) if out is None else out
    result[:, 0] = 0.0
    if scale is None:
        scale = np.ones((K, n))
    if (lag == lag[:, :1]).all():  # every row has the same lag (the usual case): slices
        for k in range(K):  # two channel kinds
            L, f = int(whole[k, 0]), float(frac[k, 0])
            if f == 0.0:
                _shift(opp[k], L, result[k, 1:], scale[k])
                continue
            _shift(opp[k], L, result[k, 1:], scale[k] * (1.0 - f))
            later = np.empty((T1 - 1, n))
            _shift(opp[k], L + 1, later, scale[k] * f)
            result[k, 1:] += later
        return result
    t = np.arange(1.0, T1)[None, :, None]
    first = np.maximum(t - whole[:, None, :], 0.0).astype(np.intp)  # (K, T, n)
    at_first = np.take_along_axis(opp, first, axis=1)
    at_second = np.take_along_axis(opp, np.maximum(first - 1, 0), axis=1)
    at_second -= at_first
    at_second *= frac[:, None, :]
    at_second += at_first
    np.multiply(at_second, scale[:, None, :], out=result[:, 1:])
    return result


def _shift(series: np.ndarray, lag: int, out: np.ndarray, scale: np.ndarray) -> None:
    """``out[t - 1] = scale x series[max(t - lag, 0)]`` for months t = 1..T (``series`` is (T+1, n))."""
    before = min(lag, len(out))
    np.multiply(series[0], scale, out=out[:before])
    np.multiply(series[1:len(out) - before + 1], scale, out=out[before:])


def _customer_value(survival: np.ndarray, margin: np.ndarray, rate: np.ndarray, *,
                    workspace: dict | None = None) -> np.ndarray:
    """Present value, at the end of month t, of a customer active then (per source).

    Backward recursion ``V(t) = r(t+1) (m(t+1) + V(t+1)) / (1 + i)`` with
    ``r = 1 - churn`` and the Gupta & Lehmann (2003) perpetuity
    ``V(T) = m r / (1 + i - r)`` beyond the horizon. With constant churn and
    margin, V(t) equals the closed form in every month. ``survival`` is
    (T+1, 5, n), ``margin`` (T+1, n), ``rate`` (n,); returns (T+1, 5, n).

    Small batches solve it without a month loop: with
    ``D(t) = prod_{j<=t} r(j) / (1 + i)``,
    ``V(t) D(t) = sum_{k>t} m(k) D(k) + V(T) D(T)`` (a reverse cumulative sum),
    unless D(T) would underflow (churn near 100 %). Large batches, and those,
    run the recursion month by month (three passes over a (5, n) block a
    month): cumulative sums along the month axis cost more there.
    """
    T1, _, n = survival.shape
    value = empty(workspace, "value", survival.shape)
    r_end = survival[-1]
    value[-1] = margin[-1] * r_end / (1.0 + rate - r_end)
    discount = 1.0 / (1.0 + rate)
    if n <= _SMALL_BATCH:
        kept = survival * discount  # r(t) / (1 + i)
        kept[0] = 1.0
        held = np.multiply.accumulate(kept, 0, None, kept)  # D(t)
        if held[-1].min() > 1e-250:
            future = held[1:] * margin[1:, None, :]  # m(k) D(k), k = 1..T
            future[-1] += value[-1] * held[-1]
            np.add.accumulate(future[::-1], 0, None, value[-2::-1])  # sum over k >= t + 1
            value[:-1] /= held[:-1]
            return value
    for t in range(T1 - 2, -1, -1):  # no month-by-source temporary
        row = value[t]
        np.add(value[t + 1], margin[t + 1], out=row)
        row *= survival[t + 1]
        row *= discount
    return value


# ---------------------------------------------------------------- workspace.py


def empty(workspace: dict | None, name: str, shape: tuple[int, ...], *,
          like: np.ndarray | None = None) -> np.ndarray:
    """An uninitialised float array of ``shape`` (laid out like ``like`` when given):
    fresh, or the workspace's array of that name if it has that shape and layout."""
    def make() -> np.ndarray:
        return np.empty(shape) if like is None else np.empty_like(like, dtype=float)

    if workspace is None:
        return make()
    buffer = workspace.get(name)
    if (buffer is None or buffer.shape != tuple(shape)
            or (like is not None and buffer.strides != like.strides)):
        buffer = workspace[name] = make()
    return buffer


# ---------------------------------------------------------------- finance.py (part)
# The KPIs of commit 26dd5c9 too (finance.npv, payback_month, metrics.plan_metrics): the
# package's own now run through its compiled KPI pass, which must not speed up the old side.
from roi_models.engine.finance import ROI  # noqa: E402


def discount_factors(rate_monthly, months: int) -> np.ndarray:
    """``(1 + r)^-t`` for t = 0..months; shape (..., months + 1) for rates of shape (...)."""
    r = np.asarray(rate_monthly, dtype=float)
    return np.power(1.0 + r[..., None], -np.arange(months + 1, dtype=float))


def annual_discount_factors(annual_rate, months: int) -> np.ndarray:
    """Monthly discount factors for an annual rate: (months + 1,) when the batch has one rate
    (so present values are one BLAS product), (n, months + 1) for a rate per row."""
    rate = np.asarray(annual_rate, dtype=float)
    if rate.ndim and rate.size and np.all(rate == rate.flat[0]):
        rate = rate.flat[0]
    return discount_factors(monthly_rate(rate), months)



def npv(cash_flows, annual_rate) -> np.ndarray | float:
    """Net present value of monthly flows, month 0 undiscounted.

    ``NPV = sum_t CF_t / (1 + r_m)^t`` with ``r_m = (1 + r_annual)^(1/12) - 1``.
    Works on (n, T+1) batches in one matrix-vector product (numpy-financial's
    ``npv`` refuses 2-D input); ``annual_rate`` may be a scalar or shape (n,).
    Same timing convention as ``numpy_financial.npv`` (values from t = 0).

    Examples
    --------
    numpy's documented example, with the monthly rate given as an annual one:

    >>> from roi_models.conventions import annualise
    >>> round(float(npv([-100, 39, 59, 55, 20], annualise(0.281))), 10)
    -0.0084785916
    """
    cf = np.asarray(cash_flows, dtype=float)
    result = _present_value(cf, annual_discount_factors(annual_rate, cf.shape[-1] - 1))
    return float(result) if np.ndim(result) == 0 else result


def _present_value(flows: np.ndarray, factors: np.ndarray) -> np.ndarray:
    """Sum over the last axis of flows x discount factors (a BLAS product for one rate)."""
    if factors.ndim == 1:
        return flows @ factors
    return np.einsum("...t,...t->...", flows, factors)



def payback_month(cash_flows, annual_rate=None) -> np.ndarray | float:
    """First month after which the cumulative cash flow stays at or above zero.

    ``payback = min { m : sum_{t<=s} CF_t >= 0 for every s >= m }``; NaN when
    the cumulative flow ends below zero (never pays back within the horizon)
    or when every flow is zero (nothing to pay back). Month 0 means the plan
    never goes below zero. With ``annual_rate`` the flows are discounted first
    (the discounted payback month).

    >>> payback_month([-100, 30, 40, 50])
    3.0
    >>> payback_month([-100, 60, 60, -30])
    nan
    >>> round(float(payback_month([-100, 30, 40, 50], 0.5)), 1)
    3.0
    """
    cf = np.asarray(cash_flows, dtype=float)
    if annual_rate is not None:
        cf = cf * annual_discount_factors(annual_rate, cf.shape[-1] - 1)
    T1 = cf.shape[-1]
    flows = cf.reshape(-1, T1).T  # (T+1, rows): a view for 1-D, C or month-major 2-D input
    if flows.shape[1] > _MANY_ROWS:  # numpy's cumulative sum along a short axis costs about
        cum = np.empty(flows.shape)  # 4 ns an element, T + 1 additions of whole rows a tenth
        cum[0] = flows[0]
        for t in range(1, T1):
            np.add(cum[t - 1], flows[t], out=cum[t])
    else:
        cum = np.cumsum(flows, axis=0)
    size = np.abs(flows)
    tol = 1e-9 * np.maximum(1.0, size.sum(axis=0))
    # 1 + the last month below -tol (0: never below), in small integers: a tenth of floats
    later = np.arange(1, T1 + 1, dtype=np.int16 if T1 < 2**15 else np.int64)[:, None]
    after_last_below = np.multiply(np.less(cum, -tol), later, dtype=later.dtype).max(axis=0)
    month = after_last_below.astype(float)
    month[after_last_below == T1] = np.nan  # still below at the end: never pays back
    month[size.max(axis=0) <= tol] = np.nan  # every flow is ~0
    month = month.reshape(cf.shape[:-1])
    return float(month) if month.ndim == 0 else month


_MANY_ROWS = 64  # rows from which payback_month adds whole rows month by month



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



import os, threading  # noqa: E401,E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402


def roi_of_differences(pairs, annual_rate, *, npv=None, workspace: dict | None = None) -> ROI:
    """:func:`roi_from_components` of the incremental components ``a - b`` of ``(a, b)`` pairs,
    without building the differences.

    An inflow component is the pair (plan, baseline); an outflow given as a
    positive amount is the pair (baseline, plan), since ``-plan - (-baseline)``
    is ``baseline - plan``. Either side may be one row broadcast against many.
    ``npv``: the NPV of the summed differences (the incremental flow) when the
    caller has it already; it spares a pass over every component.
    ``workspace``: buffers kept between calls of the same shape (see
    the old workspace module).
    """
    return _roi(((np.asarray(a, dtype=float), b) for a, b in pairs), annual_rate, workspace,
                npv_total=npv)


def _roi(pairs, annual_rate, workspace: dict | None = None, npv_total=None) -> ROI:
    """ROI of the differences ``a - b`` of (a, b) component pairs (definitions above).

    Month by month: the sum of the positive parts (the benefits) and, unless
    ``npv_total`` is given, the net flow."""
    total = benefits = part = None
    for a, b in pairs:
        if benefits is None:
            shape = np.broadcast_shapes(np.shape(a), np.shape(b))
            like = a if a.shape == shape else None  # keep the plan's layout
            benefits = empty(workspace, "benefits", shape, like=like)
            part = empty(workspace, "part", shape, like=like)
            if npv_total is None:
                total = empty(workspace, "total", shape, like=like)
                np.subtract(a, b, out=total)
                np.maximum(total, 0.0, out=benefits)
            else:
                np.subtract(a, b, out=benefits)
                np.maximum(benefits, 0.0, out=benefits)
            continue
        np.subtract(a, b, out=part)
        if total is not None:
            total += part
        np.maximum(part, 0.0, out=part)
        benefits += part
    d = annual_discount_factors(annual_rate, benefits.shape[-1] - 1)
    pv_b = _present_value(benefits, d)  # discounting is linear: one product for all parts
    if total is not None:
        npv_total = _present_value(total, d)
    # PV costs = PV benefits - NPV; below rounding of the sums it is exactly no cost
    pv_c = pv_b - npv_total
    pv_c = np.where(pv_c <= 1e-12 * (np.abs(pv_b) + np.abs(npv_total)), 0.0, pv_c)
    with np.errstate(divide="ignore", invalid="ignore"):
        roi = np.where(pv_c > 0, (pv_b - pv_c) / np.where(pv_c > 0, pv_c, 1.0), np.nan)
    return ROI(roi=roi, pv_benefits=pv_b, pv_costs=pv_c)


# ---------------------------------------------------------------- batch.py (part)
DEFAULT_CHUNK_ROWS = 6144  # fewer chunks (less per-chunk overhead) beat smaller ones here


@dataclass(frozen=True)
class BatchSummary:
    """Per-row figures of a large batch (shape (n,)); incremental ones need a baseline."""

    npv_plan: np.ndarray
    cac: np.ndarray
    clv: np.ndarray
    clv_to_cac: np.ndarray
    cost_of_sales_share: np.ndarray
    churn_monthly_avg: np.ndarray
    customers_end: np.ndarray
    npv: np.ndarray | None = None
    roi: np.ndarray | None = None
    payback_month: np.ndarray | None = None
    net_cash_flow: np.ndarray | None = None


def run_batch(
    batch: ParamBatch,
    baseline: ParamBatch | None = None,
    *,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    keep_cash_flows: bool = False,
    workers: int | None = None,
) -> BatchSummary:
    """Simulate ``batch`` in chunks of at most ``chunk_rows`` rows and return per-row KPIs.

    ``baseline`` (one row, or as many rows as ``batch``) gives the incremental
    NPV, ROI and payback month of each row against it, as
    :func:`roi_models.engine.business_case` defines them (IRR is left out: it
    is the costly figure; compute it for the rows you show).

    Chunks are independent, so ``workers`` threads (default: the machine's
    cores) simulate them side by side: numpy releases the GIL inside its
    loops. The result does not depend on ``workers`` (rows keep their order).

    >>> from roi_models.data import load_shipped
    >>> sf = load_shipped("b2b_it_services")
    >>> social = ParamBatch.from_assumptions([sf.scenario("social")]).repeat(3)
    >>> status_quo = ParamBatch.from_assumptions([sf.scenario("status_quo")])
    >>> out = run_batch(social, status_quo, chunk_rows=2)
    >>> bool(np.allclose(out.npv, out.npv[0]))
    True
    """
    if chunk_rows < 1:
        raise ValueError("chunk_rows must be at least 1")
    n = batch.n
    if baseline is not None and baseline.n not in (1, n):
        raise ValueError(f"baseline needs 1 or {n} rows, has {baseline.n}")
    base_res = simulate(baseline) if baseline is not None and baseline.n == 1 else None
    count = max(1, -(-n // chunk_rows))  # chunks of at most chunk_rows rows
    threads = max(1, min(workers or os.cpu_count() or 1, count))
    # as many chunks as a multiple of the threads: no thread idles at the end while
    # another finishes a last chunk
    count = -(-count // threads) * threads
    chunk_rows = max(1, -(-n // count))
    starts = list(range(0, n, chunk_rows))
    local = threading.local()  # one workspace per thread: chunks reuse their arrays

    def chunk(start: int) -> dict[str, np.ndarray]:
        rows = slice(start, min(start + chunk_rows, n))
        sub = batch.rows(rows)
        if not hasattr(local, "workspace"):
            local.workspace, local.kpi_workspace = {}, {}
        res = simulate(sub, workspace=local.workspace)  # used up before this thread's next chunk
        m = plan_metrics(res, sub)
        out = {
            "npv_plan": m.npv, "cac": m.cac, "clv": m.clv, "clv_to_cac": m.clv_to_cac,
            "cost_of_sales_share": m.cost_of_sales_share, "churn_monthly_avg": m.churn_monthly_avg,
            "customers_end": m.customers_end,
        }
        if baseline is not None:
            ref = base_res if base_res is not None else simulate(baseline.rows(rows))
            rate = sub["finance.discount_rate_annual"]
            # (n, T+1) view of a month-major array: payback_month adds whole rows month by month
            inc = np.subtract(res.net_cash_flow.T, ref.net_cash_flow.T).T
            # inflows as (plan, baseline), outflow amounts as (baseline, plan): see roi_of_differences
            pairs = ([(getattr(res, k), getattr(ref, k)) for k in INFLOWS]
                     + [(getattr(ref, k), getattr(res, k)) for k in OUTFLOWS])
            npv_inc = np.asarray(npv(inc, rate))
            r = roi_of_differences(pairs, rate, npv=npv_inc, workspace=local.kpi_workspace)
            out |= {"npv": npv_inc, "roi": r.roi,
                    "payback_month": np.asarray(payback_month(inc))}
        if keep_cash_flows:
            out["net_cash_flow"] = res.net_cash_flow
        # copies: the workspace's arrays (and views of them) are overwritten by the next chunk
        return {k: np.array(v, order="C") for k, v in out.items()}

    if threads == 1:
        done = [chunk(s) for s in starts]
    else:
        with ThreadPoolExecutor(threads) as pool:
            done = list(pool.map(chunk, starts))
    return BatchSummary(**{k: np.concatenate([d[k] for d in done]) for k in done[0]})
