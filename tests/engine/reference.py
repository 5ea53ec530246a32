"""A slow, plain reference implementation of the monthly model, for the tests only.

Written from the equations of the module docstring of
:mod:`roi_models.engine.simulate`, not from the kernel: Python
floats, one row and one month at a time, every quantity computed where the
docstring defines it. No numba, no numpy in the arithmetic. Returns the
arrays of :class:`~roi_models.engine.simulate.SimResult` by name.
"""

from __future__ import annotations

import math

import numpy as np

from roi_models.engine.params import ParamBatch

SOURCES = ("existing", "traditional", "social", "organic", "referral")


def hill(a: float, K: float, Lmax: float, alpha: float) -> float:
    """Lmax x^alpha / (x^alpha + 1), x = a / K (Jin et al. 2017)."""
    if a == 0.0:
        return 0.0
    x = a / K
    if x > 1e100:  # x^alpha / (x^alpha + 1) = 1 to double precision
        return Lmax
    xa = x ** alpha
    return Lmax * xa / (xa + 1.0)


def bass_new(M: float, U: float, A: float, q_eff: float, p: float) -> float:
    """Adopters of one month: M (F1 - F0) with the exact Riccati step of
    dF/dt = (p + q' F)(1 - F), q' = q_eff A / U (q_eff when U = 0), F0 = U / M (Bass 1969)."""
    q1 = q_eff if U == 0.0 else q_eff * (A / U)
    F0 = U / M
    s = p + q1
    if s == 0.0:
        return 0.0
    e = math.exp(-s)
    one_minus_e = -math.expm1(-s)
    F1_minus_F0 = one_minus_e * (p + q1 * F0) * (1.0 - F0) / (p + q1 * e + q1 * one_minus_e * F0)
    return M * F1_minus_F0


def simulate_reference(batch: ParamBatch) -> dict[str, np.ndarray]:
    T = batch.horizon
    n = batch.n
    C = len(batch.channel_names)
    out = {name: np.zeros((n, 5, T + 1)) for name in
           ("active", "new", "retained", "survival", "customer_value")}
    out |= {name: np.zeros((n, 2, T + 1)) for name in
            ("leads", "opportunities", "cost_of_sales_by_kind", "spend_by_kind")}
    out |= {name: np.zeros((n, T + 1)) for name in (
        "referral_rewards", "engagement", "revenue", "gross_profit", "support_cost",
        "programme_cost", "net_cash_flow", "channel_spend", "cost_of_sales",
        "margin_per_customer", "active_customers", "new_customers")}
    for i in range(n):
        v = {path: float(arr[i]) for path, arr in batch.scalars.items()}
        ch = {p: [float(batch.channel[p][c, i]) for c in range(C)] for p in batch.channel}
        social = [bool(x) for x in batch.channel_is_social]

        def spend(c, t):
            col = i if batch.spend.shape[2] > 1 else 0
            return float(batch.spend[c, t, col])

        all_onsets = batch.onsets()
        onsets = [float(x) for x in all_onsets[:, i if all_onsets.shape[1] > 1 else 0]]

        # carry-over a_c(t) = s_c(t) + lambda a_c(t-1), a_c(0) = s_before / (1 - lambda)
        a = [[0.0] * (T + 1) for _ in range(C)]
        for c in range(C):
            a[c][0] = ch["spend_before_plan"][c] / (1.0 - ch["carryover"][c])
            for t in range(1, T + 1):
                a[c][t] = spend(c, t) + ch["carryover"][c] * a[c][t - 1]
        # leads per kind (month 0: the pipeline before the plan, reported as 0)
        leads = [[0.0] * (T + 1) for _ in range(2)]
        for c in range(C):
            k = 1 if social[c] else 0
            for t in range(T + 1):
                leads[k][t] += hill(a[c][t], ch["half_saturation"][c], ch["max_leads_monthly"][c],
                                    ch["shape"][c])
        opp = [[v["funnel.lead_to_opportunity"] * leads[k][t] for t in range(T + 1)]
               for k in range(2)]
        cpo = [v["funnel.cost_per_opportunity"],
               v["funnel.cost_per_opportunity"] * (1.0 - v["funnel.social_cost_reduction"])]
        win = [v["funnel.win_rate"],
               min(1.0, v["funnel.win_rate"] * (1.0 + v["funnel.social_win_rate_uplift"]))]
        lag = [v["funnel.sales_cycle_months"],
               v["funnel.sales_cycle_months"] * (1.0 - v["funnel.social_cycle_reduction"])]

        def opp_at(k, m):  # months before the plan carry the steady pipeline
            return opp[k][m] if m >= 1 else opp[k][0]

        def wins(k, t):
            L = math.floor(lag[k])
            f = lag[k] - L
            return win[k] * ((1.0 - f) * opp_at(k, t - L) + f * opp_at(k, t - L - 1))

        # awareness (Bass, Krishnan & Jain 1994): p_eff(t) = p (1 + sum w h(t)) / (1 + sum w h(0)),
        # h_c = a_c / (a_c + Kaw_c), for every channel whatever its kind
        def awareness(t):
            return sum(ch["awareness_lift"][c] * a[c][t]
                       / (a[c][t] + ch["awareness_half_saturation"][c]) for c in range(C))

        p_ratio = [(1.0 + awareness(t)) / (1.0 + awareness(0)) for t in range(T + 1)]
        # engagement e(t) = e0 + ramp(t) (x/(x + H) - e0), x = sum v_c a_c + ongoing programme
        H = v["social.engagement_half_saturation"]
        a_engaging = [sum(ch["engagement_weight"][c] * a[c][t] for c in range(C))
                      for t in range(T + 1)]
        e0 = a_engaging[0] / (a_engaging[0] + H)

        def ramp(t):
            R = v["organisation.ramp_up_months"]
            return 1.0 if R == 0 else min(1.0, t / R)

        e = [e0] + [e0 + ramp(t) * ((a_engaging[t] + v["programme.ongoing_monthly"])
                                    / (a_engaging[t] + v["programme.ongoing_monthly"] + H) - e0)
                    for t in range(1, T + 1)]
        # participation pi(t) = cap e(t): the share of every cohort that takes part
        part = [v["social.participation_cap"] * e[t] for t in range(T + 1)]
        # customers
        M, N0 = v["market.potential_customers"], v["market.initial_customers"]
        p, q = v["market.bass_p_annual"] / 12, v["market.bass_q_annual"] / 12
        active = [[0.0] * (T + 1) for _ in range(5)]
        active[0][0] = N0
        new = [[0.0] * (T + 1) for _ in range(5)]
        retained = [[0.0] * (T + 1) for _ in range(5)]
        survival = [[1.0] * (T + 1) for _ in range(5)]
        U = N0
        A = N0
        level = 0.0  # random viral events: each month's level decays, the onsets add
        for t in range(1, T + 1):
            det = 0.0
            if v["viral_event.enabled"] > 0 and t >= v["viral_event.month"]:
                det = 0.5 ** ((t - v["viral_event.month"]) / v["viral_event.half_life_months"])
            level = level * 0.5 ** (1 / v["viral_event.half_life_months"]) + onsets[t]
            d = (det + level) * (1.0 - (v["viral_event.mitigation"]
                                        * v["programme.response_capability"] * ramp(t)))
            start = v["retention.downturn.start_month"]
            down = (v["retention.downturn.added_churn"]
                    if start <= t < start + v["retention.downturn.duration_months"] else 0.0)
            factor = max(0.0, 1.0 - v["viral_event.acquisition_hit"] * d)
            q_eff = q * (1.0 + v["social.word_of_mouth_lift"] * part[t])
            word_of_mouth = bass_new(M, U, A, q_eff, p * p_ratio[t])
            referred = (v["referrals.referrals_per_customer_monthly"] * v["referrals.conversion"]
                        * (1.0 + v["social.referral_lift"] * part[t]) * A)
            # referral customers who would have come by word of mouth move out of organic
            moved = min(v["referrals.word_of_mouth_share"] * referred, word_of_mouth)
            got = [0.0,
                   wins(0, t) * factor,
                   wins(1, t) * factor,
                   (word_of_mouth - moved) * factor,
                   referred * factor]
            total = sum(got)
            if total > M - U:  # capacity
                got = [x * (M - U) / total for x in got]
            for s in range(5):
                causal = (1.0 - v["social.self_selection_discount"]) * v["social.churn_reduction"]
                churn = (v[f"retention.churn_monthly.{SOURCES[s]}"] * (1.0 - causal * part[t])
                         + down + v["viral_event.added_churn"] * d)
                survival[s][t] = max(0.0, 1.0 - churn)
                retained[s][t] = active[s][t - 1] * survival[s][t]
                new[s][t] = got[s]
                active[s][t] = retained[s][t] + got[s]
            U += sum(got)
            A = sum(active[s][t] for s in range(5))
        # cash
        R, gm = v["economics.revenue_per_customer_monthly"], v["economics.gross_margin"]
        o = {k: out[k][i] for k in out}
        for t in range(T + 1):
            for k in range(2):
                if t > 0:
                    o["leads"][k, t] = leads[k][t]
                    o["opportunities"][k, t] = opp[k][t]
                    o["cost_of_sales_by_kind"][k, t] = cpo[k] * opp[k][t]
                    o["spend_by_kind"][k, t] = sum(spend(c, t) for c in range(C)
                                                   if social[c] == (k == 1))
            for s in range(5):
                o["active"][s, t], o["new"][s, t] = active[s][t], new[s][t]
                o["retained"][s, t], o["survival"][s, t] = retained[s][t], survival[s][t]
            o["engagement"][t] = e[t]
            support_per_customer = 0.0 if t == 0 else (
                v["support.contacts_per_customer_monthly"] * v["support.cost_per_contact"]
                * (1.0 - v["social.support_deflection"] * part[t]))
            o["active_customers"][t] = sum(active[s][t] for s in range(5))
            o["new_customers"][t] = sum(new[s][t] for s in range(5))
            o["revenue"][t] = R * sum(retained[s][t] for s in range(5))
            o["gross_profit"][t] = o["revenue"][t] * gm
            o["support_cost"][t] = o["active_customers"][t] * support_per_customer
            o["referral_rewards"][t] = new[4][t] * v["referrals.reward_per_customer"]
            o["programme_cost"][t] = (v["programme.one_time_cost"]
                                      * v["organisation.implementation_cost_multiplier"]
                                      if t == 0 else v["programme.ongoing_monthly"])
            o["channel_spend"][t] = o["spend_by_kind"][:, t].sum()
            o["cost_of_sales"][t] = o["cost_of_sales_by_kind"][:, t].sum()
            o["net_cash_flow"][t] = (o["gross_profit"][t] - o["channel_spend"][t]
                                     - o["referral_rewards"][t] - o["cost_of_sales"][t]
                                     - o["support_cost"][t] - o["programme_cost"][t])
            o["margin_per_customer"][t] = R * gm - support_per_customer
        # customer value: V(t) = r(t+1) (m(t+1) + V(t+1)) / (1 + i), V(T) = m r / (1 + i - r)
        i_m = (1.0 + v["finance.discount_rate_annual"]) ** (1 / 12) - 1.0
        m = o["margin_per_customer"]
        for s in range(5):
            r = survival[s][T]
            V = m[T] * r / (1.0 + i_m - r)
            o["customer_value"][s, T] = V
            for t in range(T - 1, -1, -1):
                V = survival[s][t + 1] * (m[t + 1] + V) / (1.0 + i_m)
                o["customer_value"][s, t] = V
    out["revenue_per_customer"] = np.array(
        batch.scalars["economics.revenue_per_customer_monthly"], dtype=float)
    return out
