"""The batched monthly simulation: one call runs n plans over months 0..T.

Inside, every array keeps the batch as its last, contiguous axis
(``(T + 1, n)`` or ``(K, T + 1, n)``); the month loop is the only Python loop
and exists because customers are a recurrence. Everything that does not
depend on the customer state (carry-over, saturation, funnel, engagement,
churn rates, viral decay) is computed for all months at once.

The equations (months t = 1..T; month 0 holds the starting state and the
one-time cost). Sources: DESIGN.md of this project, with the literature named
on each line.

- Carry-over (geometric adstock; Broadbent 1979, Robyn's ``geometric``):
  ``a_c(t) = s_c(t) + lambda_c a_c(t-1)``, ``a_c(0) = s_before_c / (1 - lambda_c)``.
- Saturation (Hill; Jin et al. 2017, Google): ``leads_c = Lmax_c x^alpha / (x^alpha + 1)``
  with ``x = a_c / K_c``.
- Funnel: ``opp_k = l2o x leads_k`` per channel kind k; cost of sales
  ``opp_k x cpo_k`` with ``cpo_social = cpo (1 - social_cost_reduction)``;
  wins ``win_k x opp_k(t - L_k)`` with ``L_social = L (1 - social_cycle_reduction)``,
  ``win_social = min(1, win (1 + uplift))``; a fractional lag splits wins
  between the two neighbouring months; months before the plan carry the
  steady pipeline of ``spend_before_plan``.
- Engagement: ``e(t) = e0 + ramp(t) (x / (x + H) - e0)`` with ``x`` the social
  adstock plus ongoing programme spend, ``ramp(t) = min(1, t / ramp_up_months)``
  and ``e0`` the engagement of the social presence before the plan (from
  ``spend_before_plan``): the organisation ramps up what the plan changes.
- Word of mouth (Bass 1969): the hazard ``(p + q_eff A/M)`` acting on ``M - U`` is
  integrated exactly over each month (the Riccati solution of
  ``dF/dt = (p + q' F)(1 - F)`` with ``q' = q_eff A(t-1)/U(t-1)``, the imitation of
  adopters still active), ``q_eff = q (1 + beta_q e)``, p and q monthly (``/ 12``).
  Without churn this reproduces the continuous Bass curve F(t) exactly; the
  forward step ``(p + q A/M)(M - U)`` would be off by up to 1.3 % of M.
- Referrals (viral loop): ``referral(t) = r c (1 + lift e) A(t-1)``.
- Viral event (stress): impact ``d(t) = 0.5^((t - m)/h)`` for t >= m, mitigated by
  ``1 - mitigation x response x ramp(t)``; new customers x ``(1 - hit d)``,
  churn + ``added d`` (shape after Luo 2009).
- Capacity: if all new customers exceed ``M - U(t-1)`` they are scaled down
  proportionally, so ``U <= M``.
- Retention: ``churn_s(t) = churn0_s (1 - gamma e) + downturn(t) + viral(t)``
  (the downturn is not reduced by engagement: satisfaction is not loyalty);
  ``A_s(t) = A_s(t-1)(1 - churn_s(t)) + new_s(t)``.
- Cash: revenue on retained customers ``R A_s(t-1)(1 - churn_s(t))`` (a new
  customer first pays next month, Gupta & Lehmann 2003); support
  ``contacts x cost x A(t) x (1 - deflection e)``; net cash flow = gross profit
  - channel spend - referral rewards - cost of sales - support - programme.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..assumptions.schema import SOURCES
from ..conventions import bass_monthly, monthly_rate
from .params import ParamBatch

S_EXISTING, S_TRADITIONAL, S_SOCIAL, S_ORGANIC, S_REFERRAL = range(len(SOURCES))
KINDS: tuple[str, ...] = ("traditional", "social")


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
    churned: np.ndarray
    churn_rate: np.ndarray
    revenue_by_source: np.ndarray
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
    margin_per_customer: np.ndarray
    customer_value: np.ndarray  # (n, 5, T+1): value of a customer active at end of month t

    @property
    def n(self) -> int:
        return int(self.revenue.shape[0])

    @property
    def cost_of_sales(self) -> np.ndarray:
        return self.cost_of_sales_by_kind.sum(axis=1)

    @property
    def marketing_spend(self) -> np.ndarray:
        """Channel spend of both kinds plus referral rewards, per month."""
        return self.spend_by_kind.sum(axis=1) + self.referral_rewards

    @property
    def active_customers(self) -> np.ndarray:
        return self.active.sum(axis=1)

    @property
    def new_customers(self) -> np.ndarray:
        return self.new.sum(axis=1)

    def components(self) -> dict[str, np.ndarray]:
        """Signed cash-flow components (inflows +, outflows -) that sum to the net cash flow."""
        return {
            "gross_profit": self.gross_profit,
            "channel_spend": -self.spend_by_kind.sum(axis=1),
            "referral_rewards": -self.referral_rewards,
            "cost_of_sales": -self.cost_of_sales,
            "support_cost": -self.support_cost,
            "programme_cost": -self.programme_cost,
        }


def simulate(batch: ParamBatch) -> SimResult:
    """Run the monthly model for every row of ``batch`` (see the module docstring).

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

    # ---------------------------------------------------------------- channels
    lam = batch.channel["carryover"][:, None, :]  # (C, 1, n)
    spend = np.broadcast_to(batch.spend, (len(batch.channel_names), T + 1, n))
    adstock = np.empty_like(spend, dtype=float)
    adstock[:, 0, :] = batch.channel["spend_before_plan"] / (1.0 - batch.channel["carryover"])
    for t in range(1, T + 1):
        np.multiply(lam[:, 0, :], adstock[:, t - 1, :], out=adstock[:, t, :])
        adstock[:, t, :] += spend[:, t, :]
    leads_c = _hill(
        adstock, batch.channel["half_saturation"][:, None, :], batch.channel["shape"][:, None, :]
    ) * batch.channel["max_leads_monthly"][:, None, :]
    social = batch.channel_is_social
    kind_mask = np.stack([~social, social]).astype(float)  # (2, C)
    leads = np.einsum("kc,ctn->ktn", kind_mask, leads_c)  # leads[:, 0] is the pre-plan steady state
    spend_by_kind = np.einsum("kc,ctn->ktn", kind_mask, spend)
    spend_by_kind[:, 0, :] = 0.0
    social_adstock = np.einsum("c,ctn->tn", social.astype(float), adstock)

    # ---------------------------------------------------------------- engagement
    ramp_months = g["organisation.ramp_up_months"]
    ramp = np.where(ramp_months > 0, np.minimum(1.0, months / np.maximum(ramp_months, 1e-12)), 1.0)
    ramp[0] = 0.0
    half = g["social.engagement_half_saturation"]
    x = social_adstock + g["programme.ongoing_monthly"]
    before = social_adstock[0] / (social_adstock[0] + half)  # social presence before the plan
    engagement = before + ramp * (x / (x + half) - before)
    engagement[0] = before

    # ---------------------------------------------------------------- funnel
    opp = leads * g["funnel.lead_to_opportunity"]  # (2, T+1, n)
    cpo = g["funnel.cost_per_opportunity"]
    cpo_k = np.stack([cpo, cpo * (1.0 - g["funnel.social_cost_reduction"])])  # (2, n)
    cost_of_sales = opp * cpo_k[:, None, :]
    cost_of_sales[:, 0, :] = 0.0
    win = g["funnel.win_rate"]
    win_k = np.stack([win, np.minimum(1.0, win * (1.0 + g["funnel.social_win_rate_uplift"]))])
    lag = g["funnel.sales_cycle_months"]
    lag_k = np.stack([lag, lag * (1.0 - g["funnel.social_cycle_reduction"])])  # (2, n)
    wins = _lagged(opp, lag_k) * win_k[:, None, :]  # (2, T+1, n)

    # ---------------------------------------------------------------- shocks
    viral_on = g["viral_event.enabled"] > 0
    since = months - g["viral_event.month"]
    decay = np.where(viral_on & (since >= 0), 0.5 ** (np.maximum(since, 0.0) / g["viral_event.half_life_months"]), 0.0)
    decay *= 1.0 - g["viral_event.mitigation"] * g["programme.response_capability"] * ramp
    acquisition_factor = 1.0 - g["viral_event.acquisition_hit"] * decay
    start = g["retention.downturn.start_month"]
    in_downturn = (months >= start) & (months < start + g["retention.downturn.duration_months"])
    added_churn = in_downturn * g["retention.downturn.added_churn"] + decay * g["viral_event.added_churn"]
    churn0 = np.stack([g[f"retention.churn_monthly.{s}"] for s in SOURCES])  # (5, n)
    churn_rate = churn0[:, None, :] * (1.0 - g["social.churn_reduction"] * engagement) + added_churn
    churn_rate[:, 0, :] = 0.0

    # ---------------------------------------------------------------- word of mouth, referrals
    p = bass_monthly(g["market.bass_p_annual"])
    q_eff = bass_monthly(g["market.bass_q_annual"]) * (1.0 + g["social.word_of_mouth_lift"] * engagement)
    referral_rate = (
        g["referrals.referrals_per_customer_monthly"] * g["referrals.conversion"]
        * (1.0 + g["social.referral_lift"] * engagement)
    )
    market = g["market.potential_customers"]

    # ---------------------------------------------------------------- the recurrence
    S = len(SOURCES)
    active = np.zeros((S, T + 1, n))
    new = np.zeros((S, T + 1, n))
    retained = np.zeros((S, T + 1, n))
    active[S_EXISTING, 0] = g["market.initial_customers"]
    adopted = g["market.initial_customers"].copy()  # U: everyone ever acquired
    for t in range(1, T + 1):
        prev = active[:, t - 1]
        total_prev = prev.sum(axis=0)
        remaining = np.maximum(market - adopted, 0.0)
        step = new[:, t]
        step[S_TRADITIONAL] = wins[0, t]
        step[S_SOCIAL] = wins[1, t]
        step[S_ORGANIC] = _bass_step(adopted / market, total_prev, adopted, p, q_eff[t]) * market
        step[S_REFERRAL] = referral_rate[t] * total_prev
        step *= acquisition_factor[t]
        total_new = step.sum(axis=0)
        over = total_new > remaining
        if over.any():
            step *= np.where(over, remaining / np.where(over, total_new, 1.0), 1.0)
            total_new = np.where(over, remaining, total_new)
        np.multiply(prev, 1.0 - churn_rate[:, t], out=retained[:, t])
        np.add(retained[:, t], step, out=active[:, t])
        adopted += total_new
    churned = np.zeros_like(active)
    churned[:, 1:] = active[:, :-1] - retained[:, 1:]

    # ---------------------------------------------------------------- cash
    revenue_by_source = retained * g["economics.revenue_per_customer_monthly"]
    revenue = revenue_by_source.sum(axis=0)
    gross_profit = revenue * g["economics.gross_margin"]
    support_per_customer = (
        g["support.contacts_per_customer_monthly"] * g["support.cost_per_contact"]
        * (1.0 - g["social.support_deflection"] * engagement)
    )
    support_per_customer[0] = 0.0
    support_cost = active.sum(axis=0) * support_per_customer
    referral_rewards = new[S_REFERRAL] * g["referrals.reward_per_customer"]
    programme = np.broadcast_to(g["programme.ongoing_monthly"], (T + 1, n)).copy()
    programme[0] = g["programme.one_time_cost"] * g["organisation.implementation_cost_multiplier"]
    net = (
        gross_profit - spend_by_kind.sum(axis=0) - referral_rewards
        - cost_of_sales.sum(axis=0) - support_cost - programme
    )
    margin = g["economics.revenue_per_customer_monthly"] * g["economics.gross_margin"] - support_per_customer
    value = _customer_value(churn_rate, margin, monthly_rate(g["finance.discount_rate_annual"]))

    def out(a: np.ndarray) -> np.ndarray:  # (..., T+1, n) -> (n, ..., T+1)
        return np.moveaxis(a, -1, 0)

    return SimResult(
        horizon=T,
        active=out(active), new=out(new), churned=out(churned), churn_rate=out(churn_rate),
        revenue_by_source=out(revenue_by_source),
        leads=out(leads * (months > 0)), opportunities=out(opp * (months > 0)),
        cost_of_sales_by_kind=out(cost_of_sales), spend_by_kind=out(spend_by_kind),
        referral_rewards=out(referral_rewards), engagement=out(engagement),
        revenue=out(revenue), gross_profit=out(gross_profit), support_cost=out(support_cost),
        programme_cost=out(programme), net_cash_flow=out(net),
        margin_per_customer=out(margin), customer_value=out(value),
    )


def _bass_step(F0: np.ndarray, active: np.ndarray, adopted: np.ndarray, p: np.ndarray,
               q: np.ndarray) -> np.ndarray:
    """Share of the market adopting within one month: F(t) - F(t-1) of the Bass model.

    Exact solution over one period of ``dF/dt = (p + q' F)(1 - F)`` from ``F0``,
    with ``q' = q x active / adopted`` held for the month:
    ``F1 = (1 - p D e) / (1 + q' D e)``, ``D = (1 - F0) / (p + q' F0)``,
    ``e = exp(-(p + q'))`` (Bass 1969; the closed form F(t) restarted at F0).
    """
    ratio = np.where(adopted > 0, active / np.where(adopted > 0, adopted, 1.0), 1.0)
    qq = q * ratio
    hazard = p + qq * F0
    live = hazard > 0
    D = np.where(live, (1.0 - F0) / np.where(live, hazard, 1.0), 0.0)
    e = np.exp(-(p + qq))
    F1 = (1.0 - p * D * e) / (1.0 + qq * D * e)
    return np.where(live, np.maximum(F1 - F0, 0.0), 0.0)


def _hill(adstock: np.ndarray, half: np.ndarray, shape: np.ndarray) -> np.ndarray:
    """Hill saturation ``x^alpha / (x^alpha + 1)`` with ``x = adstock / half`` (in [0, 1))."""
    x = adstock / half
    if np.all(shape == 1.0):
        return x / (x + 1.0)
    with np.errstate(divide="ignore"):
        xa = np.exp(shape * np.log(x))  # x = 0 gives exp(-inf) = 0
    return xa / (xa + 1.0)


def _lagged(opp: np.ndarray, lag: np.ndarray) -> np.ndarray:
    """Opportunities of month ``t - lag`` for every month t >= 1 (fractional lags interpolate).

    ``opp`` is (K, T+1, n) with row 0 the steady pre-plan level; ``lag`` is (K, n).
    Returns (K, T+1, n) with month 0 set to 0.
    """
    K, T1, n = opp.shape
    whole = np.floor(lag).astype(np.intp)  # (K, n)
    frac = lag - whole
    pad = int(whole.max(initial=0)) + 1
    padded = np.concatenate([np.repeat(opp[:, :1, :], pad, axis=1), opp[:, 1:, :]], axis=1)
    t = np.arange(1, T1)[None, :, None]  # months 1..T
    idx_a = pad - 1 + t - whole[:, None, :]  # month t - whole in padded coordinates
    first = np.take_along_axis(padded, idx_a, axis=1)
    second = np.take_along_axis(padded, idx_a - 1, axis=1)
    result = np.zeros_like(opp)
    result[:, 1:, :] = (1.0 - frac[:, None, :]) * first + frac[:, None, :] * second
    return result


def _customer_value(churn: np.ndarray, margin: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """Present value, at the end of month t, of a customer active then (per source).

    Backward recursion ``V(t) = (1 - c(t+1)) (m(t+1) + V(t+1)) / (1 + i)`` with the
    Gupta & Lehmann (2003) perpetuity ``V(T) = m r / (1 + i - r)``, ``r = 1 - c(T)``,
    beyond the horizon. With constant churn and margin, V(t) equals the closed
    form in every month.
    """
    S, T1, n = churn.shape
    value = np.empty_like(churn)
    r_end = 1.0 - churn[:, -1]
    value[:, -1] = margin[-1] * r_end / (1.0 + rate - r_end)
    for t in range(T1 - 2, -1, -1):
        value[:, t] = (1.0 - churn[:, t + 1]) * (margin[t + 1] + value[:, t + 1]) / (1.0 + rate)
    return value
