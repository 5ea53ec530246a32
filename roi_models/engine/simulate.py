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

from dataclasses import dataclass, fields

import numpy as np
from scipy.signal import lfilter

from ..assumptions.schema import SOURCES
from ..conventions import bass_monthly, monthly_rate
from .params import ParamBatch

S_EXISTING, S_TRADITIONAL, S_SOCIAL, S_ORGANIC, S_REFERRAL = range(len(SOURCES))
KINDS: tuple[str, ...] = ("traditional", "social")
_SMALL_BATCH = 64  # rows up to which per-call overhead, not memory traffic, decides
_TINY = 1e-300  # keeps 0/0 at 0 (or 1 for A/U) without masked divisions in the month loop


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
    def cost_of_sales(self) -> np.ndarray:
        return self.cost_of_sales_by_kind.sum(axis=1)

    @property
    def marketing_spend(self) -> np.ndarray:
        """Channel spend of both kinds plus referral rewards, per month."""
        return self.spend_by_kind.sum(axis=1) + self.referral_rewards

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
    spend = np.broadcast_to(batch.spend, (len(batch.channel_names), T + 1, n))
    adstock = _adstock(spend, batch.channel["carryover"], batch.channel["spend_before_plan"])
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
    decay = np.where(
        viral_on & (since >= 0),
        np.exp2(-np.maximum(since, 0.0) / g["viral_event.half_life_months"]),  # 0.5^(dt/h)
        0.0,
    )
    decay *= 1.0 - g["viral_event.mitigation"] * g["programme.response_capability"] * ramp
    acquisition_factor = 1.0 - g["viral_event.acquisition_hit"] * decay
    start = g["retention.downturn.start_month"]
    in_downturn = (months >= start) & (months < start + g["retention.downturn.duration_months"])
    added_churn = in_downturn * g["retention.downturn.added_churn"] + decay * g["viral_event.added_churn"]
    churn0 = np.stack([g[f"retention.churn_monthly.{s}"] for s in SOURCES])  # (5, n)
    # survival = 1 - churn, churn = churn0 (1 - gamma e) + added
    survival = churn0[:, None, :] * (g["social.churn_reduction"] * engagement - 1.0)
    survival += 1.0 - added_churn
    survival[:, 0, :] = 1.0

    # ---------------------------------------------------------------- word of mouth, referrals
    p = bass_monthly(g["market.bass_p_annual"])
    q_eff = bass_monthly(g["market.bass_q_annual"]) * (1.0 + g["social.word_of_mouth_lift"] * engagement)
    market = g["market.potential_customers"]
    q_per_customer = q_eff / market  # (T+1, n): imitation per active customer
    referral_in = (
        g["referrals.referrals_per_customer_monthly"] * g["referrals.conversion"]
        * (1.0 + g["social.referral_lift"] * engagement) * acquisition_factor
    )
    paid_in = wins * acquisition_factor  # (2, T+1, n)

    # ---------------------------------------------------------------- the recurrence
    # Only what depends on the customer state is left in here: ~25 numpy calls a month.
    S = len(SOURCES)
    active = np.empty((S, T + 1, n))
    new = np.empty((S, T + 1, n))
    retained = np.empty((S, T + 1, n))
    active[:, 0] = 0.0
    active[S_EXISTING, 0] = g["market.initial_customers"]
    new[:, 0] = 0.0
    retained[:, 0] = 0.0
    new[S_EXISTING] = 0.0
    new[S_TRADITIONAL:S_SOCIAL + 1] = paid_in
    adopted = g["market.initial_customers"].copy()  # U: everyone ever acquired
    p_tiny = p + _TINY
    active_total = np.empty((T + 1, n))  # A(t), kept as the loop computes it
    new_total = np.zeros((T + 1, n))
    active_total[0] = g["market.initial_customers"]
    imitation = np.empty(n)
    hazard = np.empty(n)
    q_adopter = np.empty(n)
    growth = np.empty(n)
    denom = np.empty(n)
    remaining = np.empty(n)
    for t in range(1, T + 1):
        prev = active[:, t - 1]
        step = new[:, t]
        total_prev = active_total[t - 1]
        total_new = new_total[t]
        # Bass hazard h = p + q A/M on the remaining market M - U, integrated exactly over
        # the month (see _bass_step): organic = (1 - e) h (M - U) / (p + q' e + (1 - e) q A/M)
        np.multiply(q_per_customer[t], total_prev, out=imitation)
        np.add(imitation, p, out=hazard)
        # q' = q A/U; (A + tiny)/(U + tiny) is 1 before anyone adopted (A = U = 0)
        np.add(adopted, _TINY, out=q_adopter)
        np.add(total_prev, _TINY, out=denom)
        np.divide(denom, q_adopter, out=q_adopter)
        q_adopter *= q_eff[t]
        np.add(q_adopter, p, out=growth)
        np.negative(growth, out=growth)
        np.exp(growth, out=growth)  # e
        np.multiply(q_adopter, growth, out=denom)
        denom += p_tiny  # p, and a tiny term so that 0/0 (no p, no q) gives 0
        np.subtract(1.0, growth, out=growth)  # 1 - e
        imitation *= growth
        denom += imitation
        np.subtract(market, adopted, out=remaining)
        np.multiply(growth, hazard, out=step[S_ORGANIC])
        step[S_ORGANIC] *= remaining
        np.divide(step[S_ORGANIC], denom, out=step[S_ORGANIC])
        step[S_ORGANIC] *= acquisition_factor[t]
        np.multiply(referral_in[t], total_prev, out=step[S_REFERRAL])
        np.add.reduce(step, axis=0, out=total_new)
        over = total_new > remaining
        if over.any():  # capacity: never acquire more than what is left of the market
            scale = np.where(over, remaining / np.where(over, total_new, 1.0), 1.0)
            step *= scale
            np.multiply(total_new, scale, out=total_new)
        np.multiply(prev, survival[:, t], out=retained[:, t])
        np.add(retained[:, t], step, out=active[:, t])
        np.add.reduce(active[:, t], axis=0, out=active_total[t])
        adopted += total_new
    leads[:, 0] = 0.0  # month 0 held the pre-plan pipeline; report months 1..T only
    opp[:, 0] = 0.0

    # ---------------------------------------------------------------- cash
    revenue = np.add.reduce(retained, axis=0)
    revenue *= g["economics.revenue_per_customer_monthly"]
    gross_profit = revenue * g["economics.gross_margin"]
    support_per_customer = (
        g["support.contacts_per_customer_monthly"] * g["support.cost_per_contact"]
        * (1.0 - g["social.support_deflection"] * engagement)
    )
    support_per_customer[0] = 0.0
    support_cost = active_total * support_per_customer
    referral_rewards = new[S_REFERRAL] * g["referrals.reward_per_customer"]
    programme = np.broadcast_to(g["programme.ongoing_monthly"], (T + 1, n)).copy()
    programme[0] = g["programme.one_time_cost"] * g["organisation.implementation_cost_multiplier"]
    net = (
        gross_profit - spend_by_kind.sum(axis=0) - referral_rewards
        - cost_of_sales.sum(axis=0) - support_cost - programme
    )
    margin = g["economics.revenue_per_customer_monthly"] * g["economics.gross_margin"] - support_per_customer
    value = _customer_value(survival, margin, monthly_rate(g["finance.discount_rate_annual"]))

    def out(a: np.ndarray) -> np.ndarray:  # (..., T+1, n) -> (n, ..., T+1)
        return np.moveaxis(a, -1, 0)

    return SimResult(
        horizon=T,
        active=out(active), new=out(new), retained=out(retained), survival=out(survival),
        revenue_per_customer=g["economics.revenue_per_customer_monthly"],
        leads=out(leads), opportunities=out(opp),
        cost_of_sales_by_kind=out(cost_of_sales), spend_by_kind=out(spend_by_kind),
        referral_rewards=out(referral_rewards), engagement=out(engagement),
        revenue=out(revenue), gross_profit=out(gross_profit), support_cost=out(support_cost),
        programme_cost=out(programme), net_cash_flow=out(net),
        margin_per_customer=out(margin), customer_value=out(value),
        active_customers=out(active_total), new_customers=out(new_total),
    )


def _bass_step(F0, q_adopter, p):
    """Reference form of the monthly Bass step used inside :func:`simulate` (kept for tests).

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


def _adstock(spend: np.ndarray, carryover: np.ndarray, before: np.ndarray) -> np.ndarray:
    """Geometric adstock ``a(t) = s(t) + lambda a(t-1)`` from ``a(0) = before / (1 - lambda)``.

    ``spend`` is (C, T+1, n) (month 0 unused), ``carryover`` and ``before`` (C, n).
    Small batches whose carry-over is the same in every row run one linear
    filter per channel (``scipy.signal.lfilter``: the recurrence in C, no
    per-month Python call); larger batches run the month loop over all
    channels and rows at once, which is cheaper than filtering thousands of
    short columns.
    """
    C, T1, n = spend.shape
    adstock = np.empty((C, T1, n))
    adstock[:, 0] = before / (1.0 - carryover)
    uniform = bool(np.all(carryover == carryover[:, :1]))
    if uniform and n <= _SMALL_BATCH:
        for c in range(C):  # a handful of channels
            lam0 = float(carryover[c, 0])
            adstock[c, 1:] = lfilter([1.0], [1.0, -lam0], spend[c, 1:], axis=0,
                                     zi=lam0 * adstock[c, :1])[0]
        return adstock
    for t in range(1, T1):
        np.multiply(carryover, adstock[:, t - 1], out=adstock[:, t])
        adstock[:, t] += spend[:, t]
    return adstock


def _hill(adstock: np.ndarray, half: np.ndarray, shape: np.ndarray) -> np.ndarray:
    """Hill saturation ``x^alpha / (x^alpha + 1)`` with ``x = adstock / half`` (in [0, 1))."""
    x = adstock / half
    if not np.all(shape == 1.0):
        with np.errstate(divide="ignore"):
            np.log(x, out=x)
        x *= shape
        np.exp(x, out=x)  # x = 0 gives exp(-inf) = 0
    denominator = x + 1.0
    x /= denominator
    return x


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
    result = np.zeros_like(opp)
    for k in range(K):  # two channel kinds
        if np.all(whole[k] == whole[k, 0]) and np.all(frac[k] == frac[k, 0]):
            # every row has the same lag (the usual case): plain slices
            L, f = int(whole[k, 0]), float(frac[k, 0])
            first = padded[k, pad - L: pad - L + T1 - 1]
            result[k, 1:] = first if f == 0.0 else (1.0 - f) * first + f * padded[k, pad - L - 1: pad - L + T1 - 2]
            continue
        t = np.arange(1, T1)[:, None]  # months 1..T
        idx = pad - 1 + t - whole[k][None, :]  # month t - whole in padded coordinates
        first = np.take_along_axis(padded[k], idx, axis=0)
        second = np.take_along_axis(padded[k], idx - 1, axis=0)
        result[k, 1:] = (1.0 - frac[k]) * first + frac[k] * second
    return result


def _customer_value(survival: np.ndarray, margin: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """Present value, at the end of month t, of a customer active then (per source).

    Backward recursion ``V(t) = r(t+1) (m(t+1) + V(t+1)) / (1 + i)`` with
    ``r = 1 - churn`` and the Gupta & Lehmann (2003) perpetuity
    ``V(T) = m r / (1 + i - r)`` beyond the horizon. With constant churn and
    margin, V(t) equals the closed form in every month.
    """
    value = np.empty_like(survival)
    r_end = survival[:, -1]
    value[:, -1] = margin[-1] * r_end / (1.0 + rate - r_end)
    discount = 1.0 / (1.0 + rate)
    if np.all(discount == discount.flat[0]):
        discount = float(discount.flat[0])
    for t in range(survival.shape[1] - 2, -1, -1):
        row = value[:, t]
        np.add(value[:, t + 1], margin[t + 1], out=row)
        row *= survival[:, t + 1]
        row *= discount
    return value
