"""The batched monthly simulation: one call runs n plans over months 0..T.

One compiled kernel (:func:`_simulate_rows`, numba) runs the model month by
month, in the order of the equations below and with their names, in three
passes: what does not depend on the customers row by row, the customers of
four rows side by side, cash and customer value row by row. A thin wrapper
(:func:`simulate_chunk`) checks the arrays and
allocates the outputs; :func:`simulate` turns a :class:`ParamBatch` into
those arrays and the outputs into a :class:`SimResult`. Large batches go
through :func:`simulate_chunk` chunk by chunk (see
:mod:`roi_models.engine.batch`): plain arrays in, plain arrays out.

The equations (months t = 1..T; month 0 holds the starting state and the
one-time cost). Sources: the literature named on each line.

- Carry-over (geometric adstock; Broadbent 1979, Robyn's ``geometric``):
  ``a_c(t) = s_c(t) + lambda_c a_c(t-1)``, ``a_c(0) = s_before_c / (1 - lambda_c)``.
- Saturation (Hill; Jin et al. 2017, Google): ``leads_c = Lmax_c x^alpha / (x^alpha + 1)``
  with ``x = a_c / K_c``.
- Awareness (Generalized Bass Model, Bass, Krishnan & Jain 1994, Marketing Science
  13(3): marketing effort shifts the adoption hazard): every channel, of either kind,
  raises the innovation coefficient,
  ``p_eff(t) = p (1 + sum_c w_c h_c(t)) / (1 + sum_c w_c h_c(0))`` with
  ``h_c = a_c / (a_c + Kaw_c)`` on the channel's adstock (w_c its ``awareness_lift``,
  Kaw_c its ``awareness_half_saturation``; h_c(0) at the spend before the plan). So p
  stays the hazard at today's spend (the status quo is unchanged by construction),
  spend above it raises p with diminishing returns and cutting a channel lowers it.
  Only p moves, not the whole hazard as in the GBM's ``x(t) (p + q F)``: imitation is
  customers talking to each other, which the engagement lift on q below models, and
  moving q with spend as well would count that effect twice; the saturating h_c
  replaces the GBM's percentage change of effort, which is undefined for a channel
  that starts from 0.
- Funnel: ``opp_k = l2o x leads_k`` per channel kind k; cost of sales
  ``opp_k x cpo_k`` with ``cpo_social = cpo (1 - social_cost_reduction)``;
  wins ``win_k x opp_k(t - L_k)`` with ``L_social = L (1 - social_cycle_reduction)``,
  ``win_social = min(1, win (1 + uplift))``; a fractional lag splits wins
  between the two neighbouring months; months before the plan carry the
  steady pipeline of ``spend_before_plan``.
- Engagement: ``e(t) = e0 + ramp(t) (x / (x + H) - e0)`` with
  ``x = sum_c v_c a_c + ongoing`` (v_c the channel's ``engagement_weight``, the same
  field for both kinds, plus ongoing programme spend), ``ramp(t) = min(1, t /
  ramp_up_months)`` and ``e0 = x0 / (x0 + H)``, ``x0 = sum_c v_c a_c(0)``, the
  engagement before the plan: the organisation ramps up what the plan changes.
- Participation: ``pi(t) = cap e(t)``, the share of customers who take part in the
  community (``participation_cap`` the share who ever would); the four engagement
  effects below reach these customers only, in every cohort alike.
- Word of mouth (Bass 1969): the hazard ``(p_eff + q_eff A/M)`` acting on ``M - U`` is
  integrated exactly over each month (the Riccati solution of
  ``dF/dt = (p_eff + q' F)(1 - F)`` with ``q' = q_eff A(t-1)/U(t-1)``, the imitation of
  adopters still active), ``q_eff = q (1 + beta_q pi)`` (participants recommend more),
  p and q monthly (``/ 12``). Without churn this reproduces the continuous Bass curve
  F(t) exactly; the forward step ``(p + q A/M)(M - U)`` would be off by up to 0.60 % of
  M at the Sultan et al. (1990) averages p = 0.03, q = 0.38 a year, and 1.3 % at the
  colour-TV analogue p = 0.021, q = 0.583 (the largest gaps over 20 years).
- Referrals (the programme: prompted, rewarded introductions):
  ``referral(t) = r c (1 + lift pi) A(t-1)``. Bass imitation is unprompted word of
  mouth; the programme's customers come out of the same remaining market, and the
  share ``wom_share`` of them would have come by word of mouth anyway, so they are
  moved, not added: ``moved = min(wom_share x referral, bass)`` leaves the organic
  cohort, ``organic = bass - moved`` with bass the Bass adopters of the month (at most
  all of them are moved). The engagement lifts of the two are separate fields
  (beta_q and lift).
- Viral events: the deterministic event (stress) ``det(t) = 0.5^((t - m)/h)`` for
  t >= m and the random ones, whose level decays by the same half-life and adds
  the severities starting in month t, ``level(t) = level(t-1) 0.5^(1/h) + onsets(t)``;
  they superpose, ``d(t) = (det(t) + level(t)) (1 - mitigation x response x ramp(t))``;
  new customers x ``max(0, 1 - hit d)``, churn + ``added d`` (Luo 2009 finds that the
  damage of negative word of mouth lasts and wears out over months; the half-life form
  is the project's assumption). Overlapping random events can exceed the peak:
  acquisition cannot fall below 0 and survival ``1 - churn`` not below 0 (never reached
  without onsets: hit and added churn are at most 1 and 0.2).
- Capacity: if all new customers exceed ``M - U(t-1)`` they are scaled down
  proportionally, so ``U <= M``.
- Retention: ``churn_s(t) = churn0_s (1 - (1 - sigma) gamma pi) + downturn(t) + viral(t)``
  (gamma the observed churn gap of participants, sigma the share of it that is
  self-selection: engaged customers were the loyal ones already, so only
  ``(1 - sigma) gamma`` is caused by taking part (Algesheimer, Borle, Dholakia & Singh
  2010, Marketing Science 29(4), separate the two with a randomised invitation to a
  customer community; sigma itself is the file's assumption); the downturn is not reduced by
  engagement: satisfaction is not loyalty);
  ``A_s(t) = A_s(t-1)(1 - churn_s(t)) + new_s(t)``.
- Cash: revenue on retained customers ``R A_s(t-1)(1 - churn_s(t))`` (a new
  customer first pays next month, Gupta & Lehmann 2003); support
  ``contacts x cost x A(t) x (1 - deflection pi)`` (participants' questions are answered
  by the community); net cash flow = gross profit
  - channel spend - referral rewards - cost of sales - support - programme.
- Customer value (Gupta & Lehmann 2003): ``V_s(t) = r_s(t+1) (m(t+1) + V_s(t+1)) / (1 + i)``
  backwards from the perpetuity ``V_s(T) = m(T) r_s(T) / (1 + i - r_s(T))``,
  ``r = 1 - churn``, ``m = R x margin - support per customer``, i the monthly
  discount rate.

The kernel is ``njit(cache=True, nogil=True)``: compiled on first use and
cached on disk, next to this file or, for a read-only package, in the user's
cache directory (:mod:`roi_models.engine._compile` says where and what
happens where nothing is writable).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields

import numpy as np

from ..assumptions.schema import SOURCES
from ..errors import InputError
from ._compile import compiled
from .params import CHANNEL_PARAMS, ParamBatch

S_EXISTING, S_TRADITIONAL, S_SOCIAL, S_ORGANIC, S_REFERRAL = range(len(SOURCES))
KINDS: tuple[str, ...] = ("traditional", "social")

INFLOWS: tuple[str, ...] = ("gross_profit",)  # the cash-flow components of SimResult
OUTFLOWS: tuple[str, ...] = ("channel_spend", "referral_rewards", "cost_of_sales", "support_cost",
                             "programme_cost")

SCALARS: tuple[str, ...] = (
    "finance.discount_rate_annual",
    "market.potential_customers", "market.initial_customers",
    "market.bass_p_annual", "market.bass_q_annual",
    "economics.revenue_per_customer_monthly", "economics.gross_margin",
    "funnel.lead_to_opportunity", "funnel.win_rate", "funnel.cost_per_opportunity",
    "funnel.sales_cycle_months", "funnel.social_cost_reduction",
    "funnel.social_win_rate_uplift", "funnel.social_cycle_reduction",
    "social.engagement_half_saturation", "social.word_of_mouth_lift", "social.churn_reduction",
    "social.support_deflection", "social.referral_lift",
    "referrals.referrals_per_customer_monthly", "referrals.conversion",
    "referrals.reward_per_customer",
    *(f"retention.churn_monthly.{s}" for s in SOURCES),
    "retention.downturn.start_month", "retention.downturn.duration_months",
    "retention.downturn.added_churn",
    "support.contacts_per_customer_monthly", "support.cost_per_contact",
    "programme.one_time_cost", "programme.ongoing_monthly", "programme.response_capability",
    "organisation.ramp_up_months", "organisation.implementation_cost_multiplier",
    "viral_event.enabled", "viral_event.month", "viral_event.acquisition_hit",
    "viral_event.added_churn", "viral_event.half_life_months", "viral_event.mitigation",
    "social.participation_cap", "social.self_selection_discount",
    "referrals.word_of_mouth_share",
)
"""The scalar inputs of the kernel (schema paths), in the order of its parameter table."""

# rows of the kernel's parameter table (numba reads module constants at compile time)
(_RATE, _M, _N0, _P, _Q, _R, _GM, _L2O, _WIN, _CPO, _LAG, _SOC_CPO, _SOC_WIN, _SOC_LAG,
 _H, _WOM, _GAMMA, _DEFLECT, _REF_LIFT, _REF_RATE, _REF_CONV, _REWARD,
 _CHURN0, _, _, _, _,  # five sources from _CHURN0 on
 _DOWN_START, _DOWN_LEN, _DOWN_CHURN, _CONTACTS, _CONTACT_COST,
 _ONE_TIME, _ONGOING, _RESPONSE, _RAMP, _IMPL,
 _VIRAL_ON, _VIRAL_MONTH, _VIRAL_HIT, _VIRAL_CHURN, _VIRAL_HALF, _VIRAL_MITIGATION,
 _CAP, _SELF_SELECTION, _WOM_SHARE,
 ) = range(len(SCALARS))
# rows of the kernel's channel table, in the order of params.CHANNEL_PARAMS
_S_BEFORE, _LAMBDA, _LMAX, _K, _ALPHA, _AW_LIFT, _AW_K, _ENG_WEIGHT = range(len(CHANNEL_PARAMS))

ROWS_SIDE_BY_SIDE = 4  # rows whose customers the kernel runs together (its pass 2)

BY_SOURCE = ("active", "new", "retained", "survival", "customer_value")  # (n, 5, T+1)
BY_KIND = ("leads", "opportunities", "cost_of_sales_by_kind", "spend_by_kind")  # (n, 2, T+1)
TOTALS = ("referral_rewards", "engagement", "revenue", "gross_profit", "support_cost",
          "programme_cost", "net_cash_flow", "channel_spend", "cost_of_sales",
          "margin_per_customer", "active_customers", "new_customers")  # (n, T+1)


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
    return SimResult(horizon=batch.horizon, **simulate_chunk(batch_arrays(batch)))


def batch_arrays(batch: ParamBatch) -> dict[str, np.ndarray]:
    """The plain arrays of a batch that :func:`simulate_chunk` takes (views, no copies).

    Keys: every path of :data:`SCALARS` ((n,) each), ``"channels.<param>"`` for
    :data:`roi_models.engine.params.CHANNEL_PARAMS` ((C, n) each), ``"spend"``
    ((C, T+1, n) or (C, T+1, 1)), ``"channel_is_social"`` ((C,) bool) and
    ``"viral_onsets"`` ((T+1, n) or (T+1, 1), :meth:`ParamBatch.onsets`).
    """
    arrays = {path: batch.scalars[path] for path in SCALARS}
    arrays |= {f"channels.{p}": batch.channel[p] for p in CHANNEL_PARAMS}
    arrays["spend"] = batch.spend
    arrays["channel_is_social"] = batch.channel_is_social
    arrays["viral_onsets"] = batch.onsets()
    return arrays


def simulate_chunk(arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The simulation of a chunk of rows: plain arrays in (:func:`batch_arrays`), plain arrays out.

    Returns every array field of :class:`SimResult` by name. The unit of work
    of large batches (threads here, Dask workers elsewhere): it holds no state
    and touches no global, and the kernel releases the GIL.

    Raises :class:`~roi_models.errors.InputError` when an array is missing,
    has the wrong shape or holds a value that is not finite (:func:`kernel_inputs`).
    """
    g, channel, spend, social, onsets = kernel_inputs(arrays)
    out = _allocate(g.shape[1], spend.shape[1])
    _simulate_rows(g, channel, spend, social, onsets, **out)
    out["revenue_per_customer"] = g[_R].copy()
    return out


def kernel_inputs(arrays: Mapping[str, np.ndarray]) -> tuple[np.ndarray, ...]:
    """The inputs of :func:`_simulate_rows` from :func:`batch_arrays`, checked: ``g`` (P, n),
    ``channel`` (8, C, n), ``spend``, ``social`` and ``onsets``.

    Raises :class:`~roi_models.errors.InputError` when an array is missing,
    has the wrong shape or holds a value that is not finite.
    """
    missing = [k for k in (*SCALARS, *(f"channels.{p}" for p in CHANNEL_PARAMS), "spend",
                           "channel_is_social", "viral_onsets") if k not in arrays]
    if missing:
        raise InputError.one("argument", missing[0], None,
                             f"simulate_chunk needs this array ({len(missing)} missing)")
    spend = np.asarray(arrays["spend"], dtype=float)
    social = np.asarray(arrays["channel_is_social"], dtype=bool)
    n = np.shape(arrays[SCALARS[0]])[0] if np.ndim(arrays[SCALARS[0]]) == 1 else -1
    C = social.shape[0] if social.ndim == 1 else -1
    if n < 1 or C < 0 or spend.ndim != 3 or spend.shape[0] != C or spend.shape[1] < 2 \
            or spend.shape[2] not in (1, n):
        raise InputError.one("argument", "spend", getattr(spend, "shape", None),
                             "an array of shape (channels, T + 1, n or 1) with T >= 1, "
                             f"n = {n} rows and {C} channels")
    g = _table(arrays, SCALARS, (n,))  # (P, n)
    channel = _table(arrays, tuple(f"channels.{p}" for p in CHANNEL_PARAMS), (C, n))
    if not np.isfinite(spend).all():
        _refuse_non_finite("spend", spend)
    onsets = np.asarray(arrays["viral_onsets"], dtype=float)
    if onsets.ndim != 2 or onsets.shape[0] != spend.shape[1] or onsets.shape[1] not in (1, n):
        raise InputError.one("argument", "viral_onsets", getattr(onsets, "shape", None),
                             f"an array of shape (T + 1 = {spend.shape[1]}, n or 1)")
    if not np.isfinite(onsets).all():
        _refuse_non_finite("viral_onsets", onsets)
    return g, channel, spend, social, onsets


def _allocate(n: int, T1: int) -> dict[str, np.ndarray]:
    """Uninitialised C-ordered outputs, one array per quantity, carved out of one allocation.

    One block instead of 21 arrays: the allocator hands a freed block of the
    same size back to the next chunk, where 21 fresh arrays would each cost
    new pages (about twice the kernel's time on the reference machine). In the
    block, array k starts ``k x 192`` bytes past a multiple of 4 KiB: the kernel
    reads and writes every array at the same index in a month, and addresses
    that differ by a multiple of 4 KiB make the processor hold a load until an
    unrelated store is done ("4K aliasing"; 256 rows, whose arrays by kind are
    61 x 4 KiB long, took 135 ns a row-month instead of 65 without the offsets).
    """
    shapes: dict[str, tuple[int, ...]] = {name: (n, len(SOURCES), T1) for name in BY_SOURCE}
    shapes |= {name: (n, len(KINDS), T1) for name in BY_KIND}
    shapes |= {name: (n, T1) for name in TOTALS}
    page, stagger = 512, 24  # 4 KiB and 192 bytes, in float64
    starts, end = [], 0
    for k, shape in enumerate(shapes.values()):
        start = -(-end // page) * page + k * stagger  # the next 4 KiB, plus k x 192 bytes
        starts.append(start)
        end = start + math.prod(shape)
    block = np.empty(end)
    return {name: block[start:start + math.prod(shape)].reshape(shape)
            for (name, shape), start in zip(shapes.items(), starts, strict=True)}


def _table(arrays, names: tuple[str, ...], shape: tuple[int, ...]) -> np.ndarray:
    """Stack the arrays of ``names`` (each of ``shape``) into one float table, checked finite."""
    for name in names:
        if np.shape(arrays[name]) != shape:
            raise InputError.one("argument", name, np.shape(arrays[name]),
                                 f"an array of shape {shape}")
    table = np.array([arrays[name] for name in names], dtype=float)
    if not np.isfinite(table).all():
        bad = ~np.isfinite(table).reshape(len(names), -1)
        k = int(np.argmax(bad.any(axis=1)))
        _refuse_non_finite(names[k], table[k])
    return table


def _refuse_non_finite(name: str, values: np.ndarray):
    bad = ~np.isfinite(values)
    raise InputError.one("argument", name, float(values.reshape(-1)[np.argmax(bad.reshape(-1))]),
                         f"finite numbers ({int(bad.sum())} value(s) are not)")


@compiled()
def _bass_step(remaining, imitation, q_adopter, p):
    """New adopters of one month by the exact Bass step (Bass 1969).

    The exact solution over one period of ``dF/dt = (p + q' F)(1 - F)``
    started at ``F0`` (the closed form F(t) restarted at F0), with ``q'`` held
    for the month: ``F1 - F0 = (1 - e)(p + q' F0)(1 - F0) / (p + q' e + q' (1 - e) F0)``,
    ``e = exp(-(p + q'))``, here multiplied by the market M:
    ``remaining = M (1 - F0) = M - U``, ``imitation = q' F0 = q_eff A / M``
    (imitation by active customers), ``q_adopter = q' = q_eff A / U``.

    ``1 - e`` is :func:`_one_minus_exp` of ``p + q'`` (no cancellation for a small
    hazard) and ``e`` is 1 minus that (an absolute error of about 1e-16, which is
    relative only where e is small and ``q' e`` small beside the other terms; one
    exponential a month instead of two, on the month's chain). The
    denominator is 0 only when ``p = 0`` and ``q' = 0`` (no innovation and
    nobody to imitate): then nobody adopts, and the step returns 0.

    Month 1 of the Sultan et al. averages (p = 0.03, q = 0.38 a year) equals
    F(1/12 year) = 0.00253675:

    >>> round(float(_bass_step(1.0, 0.0, 0.38 / 12, 0.03 / 12)), 8)
    0.00253675
    """
    one_minus_e = _one_minus_exp(p + q_adopter)
    e = 1.0 - one_minus_e
    den = p + q_adopter * e + one_minus_e * imitation
    if den == 0.0:  # p = q' = 0: no hazard
        return 0.0
    return one_minus_e * (p + imitation) * remaining / den


_ONE_MINUS_EXP_SERIES = tuple(1.0 / math.factorial(k + 1) for k in range(12))  # 1 / (k + 1)!


@compiled()
def _one_minus_exp(s):
    """``1 - e^(-s)`` for a hazard ``s >= 0`` of one month, without cancellation.

    For ``s <= 1/4`` (every Bass hazard of a month seen in practice: p + q of
    the Sultan et al. (1990) averages is 0.034 a month) the Taylor series
    ``1 - e^(-s) = s sum_{k=0..11} (-s)^k / (k + 1)!``, whose first term left out
    is below ``s^12 / 13! < 1e-17`` of the value, evaluated by Estrin's scheme
    (Knuth, The Art of Computer Programming vol. 2, section 4.6.4: pairs of
    terms, then pairs of pairs, a short chain of operations); within 3e-16 of
    the exact value (tests/engine/test_closed_forms.py holds it to 4e-16 against
    a 50-digit series). Above 1/4, ``-math.expm1(-s)``.

    Why not ``math.expm1`` always: it is a call into the C library that the
    compiler cannot inline, and the Bass step it sits in is the chain from one
    month to the next of the kernel's pass 2 (the registers of the other rows'
    chains are saved around every call). Measured (issue 10, 32-row blocks of
    the sampled B2B batch, one process): the kernel took 55 ns a row-month with
    ``math.expm1``, 50 with the series.

    The hazard of month 1 at the Sultan et al. averages, to 16 digits:

    >>> s = (0.03 + 0.38) / 12
    >>> bool(abs(_one_minus_exp(s) / -math.expm1(-s) - 1.0) < 4e-16)
    True
    """
    if s > 0.25:
        return -math.expm1(-s)
    c = _ONE_MINUS_EXP_SERIES
    x = -s
    x2 = x * x
    x4 = x2 * x2
    q = ((c[0] + x * c[1]) + x2 * (c[2] + x * c[3])
         + x4 * ((c[4] + x * c[5]) + x2 * (c[6] + x * c[7]))
         + x4 * x4 * ((c[8] + x * c[9]) + x2 * (c[10] + x * c[11])))
    return s * q


@compiled(error_model="numpy")
def _simulate_rows(g, channel, spend, social, onsets,
                   active, new, retained, survival, customer_value,
                   leads, opportunities, cost_of_sales_by_kind, spend_by_kind,
                   referral_rewards, engagement, revenue, gross_profit, support_cost,
                   programme_cost, net_cash_flow, channel_spend, cost_of_sales,
                   margin_per_customer, active_customers, new_customers):
    """The monthly model of every row (equations: the module docstring), in three passes.

    Inputs: ``g`` (P, n) the scalar parameters in the order of :data:`SCALARS`,
    ``channel`` (8, C, n) the channel parameters in the order of
    :data:`~roi_models.engine.params.CHANNEL_PARAMS`, ``spend`` (C, T+1, n) or
    (C, T+1, 1) (shared by every row; month 0 unused), ``social`` (C,) bool,
    ``onsets`` (T+1, n) or (T+1, 1) the severities of random viral events.
    Every other argument is an output, (n, 5, T+1), (n, 2, T+1) or (n, T+1),
    and is filled entirely. Names follow the equations: a_c carry-over
    (Broadbent 1979), leads by Hill saturation (Jin et al. 2017), opp and wins
    through the funnel with the sales-cycle lag, e engagement, q_eff and q' for
    the exact Bass step (Bass 1969, :func:`_bass_step`) with p_eff the awareness
    (Bass, Krishnan & Jain 1994), pi participation, A active and U ever
    acquired customers, churn and survival r, revenue on retained customers
    and the customer value V with the Gupta & Lehmann (2003) perpetuity at T.

    The passes:

    1. Row by row, what does not depend on the customers: channels, funnel,
       engagement and participation, the shocks, the paid wins and the
       survival of each source; the month's drivers of acquisition (p_eff,
       q_eff, the referral rate, the factor on new customers) are kept for
       pass 2. Each equation is a loop over the months of the row (only the
       carry-over and the viral level go from month to month): such a loop
       has no chain from one month to the next, and the compiler runs it
       eight months at a time in the processor's vector registers (the same
       operations in the same order on each month, so the same figures to
       the last bit as one month at a time; the kernel took 62 ns a
       row-month with the months outside the equations, 54 this way).
    2. The customers, month by month for :data:`ROWS_SIDE_BY_SIDE` rows at a
       time: a month of a row waits for its month before (active customers,
       the market left) through the Bass step, a chain of about 100 cycles of
       latency; rows are independent, so the processor works on four rows'
       chains at once. Each row's state (U, M - U, A) stays in small arrays
       beside the chain, not read back from the outputs.
    3. Row by row: cash, each line a loop over the months, then the customer value
       backwards from T.

    Where the time goes (issue 10; 32-row blocks of the sampled B2B batch in
    cache, one thread, 60 months): about 44 ns a row-month, pass 1 about 21,
    pass 2 about 16, pass 3 about 7.
    """
    C, T1, n_spend = spend.shape
    n = g.shape[1]
    T = T1 - 1
    S = 5
    lam, K, Lmax, alpha = np.empty(C), np.empty(C), np.empty(C), np.empty(C)
    w_aw, K_aw, v_eng = np.empty(C), np.empty(C), np.empty(C)  # awareness, engagement weight
    kind = np.empty(C, dtype=np.int64)  # 0 traditional, 1 social
    a = np.empty((C, T1))  # carry-over a_c(t) of the row
    aw, x = np.empty(T1), np.empty(T1)  # sum_c w_c h_c(t); sum_c v_c a_c(t)
    ramp, shock = np.empty(T1), np.empty(T1)  # ramp(t); the viral-event impact d(t)
    pipe = np.empty(T1)  # the pipeline of a kind, its opportunities L months before
    cpo_k, win_k, opp_before = np.empty(2), np.empty(2), np.empty(2)
    lag_whole, lag_frac = np.empty(2, dtype=np.int64), np.empty(2)
    leads_k = np.empty(2)  # leads of month 0 by kind
    churn0 = np.empty(S)
    # the month's drivers of acquisition, from pass 1 to pass 2, and participation for pass 3
    p_eff, q_eff = np.empty((n, T1)), np.empty((n, T1))  # awareness; imitation with engagement
    referral, hit = np.empty((n, T1)), np.empty((n, T1))  # r c (1 + lift pi); factor on new
    participation = np.empty((n, T1))  # pi(t)
    for i in range(n):
        j = i if n_spend > 1 else 0  # spend column: per row, or shared by every row
        jo = i if onsets.shape[1] > 1 else 0  # onsets column, the same way
        # ------------------------------------------------------------ parameters of row i
        p, q = g[_P, i] / 12.0, g[_Q, i] / 12.0  # monthly Bass coefficients
        l2o, H = g[_L2O, i], g[_H, i]
        beta_q = g[_WOM, i]
        gamma_causal = (1.0 - g[_SELF_SELECTION, i]) * g[_GAMMA, i]  # (1 - sigma) gamma
        cap = g[_CAP, i]
        referral_rate = g[_REF_RATE, i] * g[_REF_CONV, i]  # r c
        referral_lift = g[_REF_LIFT, i]
        cpo_k[0] = g[_CPO, i]
        cpo_k[1] = g[_CPO, i] * (1.0 - g[_SOC_CPO, i])
        win_k[0] = g[_WIN, i]
        win_k[1] = min(1.0, g[_WIN, i] * (1.0 + g[_SOC_WIN, i]))
        for k in range(2):  # L_k = whole months + a fraction
            L = g[_LAG, i] * (1.0 - g[_SOC_LAG, i]) if k == 1 else g[_LAG, i]
            lag_whole[k] = math.floor(L)
            lag_frac[k] = L - math.floor(L)
        for s in range(S):
            churn0[s] = g[_CHURN0 + s, i]
        down_start, down_end = g[_DOWN_START, i], g[_DOWN_START, i] + g[_DOWN_LEN, i]
        down_churn = g[_DOWN_CHURN, i]
        viral_on, viral_month, viral_half = g[_VIRAL_ON, i] > 0.0, g[_VIRAL_MONTH, i], g[_VIRAL_HALF, i]
        viral_hit, viral_churn = g[_VIRAL_HIT, i], g[_VIRAL_CHURN, i]
        viral_response = g[_VIRAL_MITIGATION, i] * g[_RESPONSE, i]  # mitigation x response
        viral_decay = 0.5 ** (1.0 / viral_half)  # a month of the half-life
        ongoing, ramp_up = g[_ONGOING, i], g[_RAMP, i]
        for c in range(C):
            kind[c] = 1 if social[c] else 0
            lam[c], K[c] = channel[_LAMBDA, c, i], channel[_K, c, i]
            Lmax[c], alpha[c] = channel[_LMAX, c, i], channel[_ALPHA, c, i]
            w_aw[c], K_aw[c] = channel[_AW_LIFT, c, i], channel[_AW_K, c, i]
            v_eng[c] = channel[_ENG_WEIGHT, c, i]

        # ============================================================ pass 1: channels, funnel,
        # engagement, shocks, wins, survival; one equation a loop over the months (the
        # processor runs a loop without a chain from month to month several months at a time)
        # carry-over a_c(t) = s_c(t) + lambda_c a_c(t-1), from the steady state before the plan
        # a_c(0) = s_before / (1 - lambda): it gives the pipeline of every month before the plan,
        # the awareness and the engagement e0 the plan starts from
        for c in range(C):
            a[c, 0] = channel[_S_BEFORE, c, i] / (1.0 - lam[c])
        # the two recursions from month to month, side by side: carry-over and the level of
        # the random viral events, which decays by the half-life and adds the month's onsets;
        # the spend by kind on the way (month 0 of spend is 0)
        for k in range(2):
            for t in range(T1):
                spend_by_kind[i, k, t] = 0.0
        level = 0.0
        for t in range(1, T1):
            for c in range(C):
                a[c, t] = spend[c, t, j] + lam[c] * a[c, t - 1]
                spend_by_kind[i, kind[c], t] += spend[c, t, j]
            level = level * viral_decay + onsets[t, jo]
            shock[t] = level
        leads_k[0] = leads_k[1] = aw0 = x0 = 0.0
        for c in range(C):
            leads_k[kind[c]] += _hill(a[c, 0], K[c], Lmax[c], alpha[c])
            aw0 += w_aw[c] * a[c, 0] / (a[c, 0] + K_aw[c])  # sum_c w_c h_c(0)
            x0 += v_eng[c] * a[c, 0]
        e0 = x0 / (x0 + H)
        engagement[i, 0] = e0
        p_eff[i, 0], participation[i, 0] = p, cap * e0
        for k in range(2):
            opp_before[k] = l2o * leads_k[k]
        channel_spend[i, 0] = cost_of_sales[i, 0] = 0.0
        for s in range(S):
            survival[i, s, 0] = 1.0
        for t in range(T1):
            new[i, S_EXISTING, t] = 0.0  # the customers of the start are not acquired
        # each channel's leads (Hill), awareness h_c and engagement weight, summed by kind and
        # over the channels in channel order (months 1..T; month 0 of leads is 0)
        for t in range(T1):
            aw[t] = x[t] = 0.0
        for k in range(2):
            for t in range(T1):
                leads[i, k, t] = 0.0
        for c in range(C):
            _add_hill(a[c], K[c], Lmax[c], alpha[c], leads[i, kind[c]])
            for t in range(1, T1):
                aw[t] += w_aw[c] * a[c, t] / (a[c, t] + K_aw[c])  # sum_c w_c h_c(t)
                x[t] += v_eng[c] * a[c, t]
        for t in range(1, T1):  # awareness: p_eff(t) = p (1 + sum_c w_c h_c(t)) / (1 + sum_c w_c h_c(0))
            p_eff[i, t] = p * (1.0 + aw[t]) / (1.0 + aw0)
        for t in range(1, T1):
            ramp[t] = _ramp(t, ramp_up)
        for t in range(1, T1):  # engagement e(t) and participation pi(t) = cap e(t)
            x_t = x[t] + ongoing
            engagement[i, t] = e0 + ramp[t] * (x_t / (x_t + H) - e0)
            participation[i, t] = cap * engagement[i, t]
        for k in range(2):  # the funnel
            opportunities[i, k, 0] = cost_of_sales_by_kind[i, k, 0] = 0.0  # months 1..T only
            for t in range(1, T1):
                opportunities[i, k, t] = l2o * leads[i, k, t]
                cost_of_sales_by_kind[i, k, t] = cpo_k[k] * opportunities[i, k, t]
        for t in range(1, T1):
            channel_spend[i, t] = spend_by_kind[i, 0, t] + spend_by_kind[i, 1, t]
            cost_of_sales[i, t] = cost_of_sales_by_kind[i, 0, t] + cost_of_sales_by_kind[i, 1, t]
        # shocks: the viral-event impact d(t) = (det(t) + level(t)) (1 - mitigation x response x
        # ramp(t)), the deterministic event det(t) = 0.5^((t - m)/h) from its month m on
        if viral_on:
            for t in range(1, T1):
                if t >= viral_month:
                    shock[t] = 0.5 ** ((t - viral_month) / viral_half) + shock[t]
        for t in range(1, T1):
            shock[t] *= 1.0 - viral_response * ramp[t]  # d(t)
        # the drivers of acquisition: the factor on new customers, word of mouth and referrals
        # (customers still to come, pass 2)
        for t in range(1, T1):
            hit[i, t] = max(0.0, 1.0 - viral_hit * shock[t])
            q_eff[i, t] = q * (1.0 + beta_q * participation[i, t])
            referral[i, t] = referral_rate * (1.0 + referral_lift * participation[i, t])
        # paid wins win_k x opp_k(t - L_k), a fractional lag interpolating two months (new before
        # the capacity): pipe(t) = opp_k(t - floor(L_k)), where months before the plan (t -
        # floor(L_k) <= 0) carry the steady pipeline
        for k in range(2):
            source = S_SOCIAL if k == 1 else S_TRADITIONAL
            before = min(lag_whole[k], T)  # pipe(0..before) is the steady pipeline
            for t in range(before + 1):
                pipe[t] = opp_before[k]
            for t in range(before + 1, T1):
                pipe[t] = opportunities[i, k, t - lag_whole[k]]
            for t in range(1, T1):
                wins = win_k[k] * ((1.0 - lag_frac[k]) * pipe[t] + lag_frac[k] * pipe[t - 1])
                new[i, source, t] = wins * hit[i, t]
        # retention: churn_s(t) and survival r_s(t) = 1 - churn_s(t), with the downturn
        for s in range(S):
            for t in range(1, T1):
                downturn = down_churn if down_start <= t < down_end else 0.0
                churn = (churn0[s] * (1.0 - gamma_causal * participation[i, t]) + downturn
                         + viral_churn * shock[t])
                survival[i, s, t] = max(0.0, 1.0 - churn)

    # ================================================================ pass 2: customers
    # the state of each row, U(t - 1) everyone ever acquired, what is left of the market M - U and
    # A(t - 1) the active customers (then of month t), and its market M and share of referrals that
    # word of mouth would have brought
    U, left, A_r = np.empty(ROWS_SIDE_BY_SIDE), np.empty(ROWS_SIDE_BY_SIDE), np.empty(ROWS_SIDE_BY_SIDE)
    M_r, wom_share = np.empty(ROWS_SIDE_BY_SIDE), np.empty(ROWS_SIDE_BY_SIDE)
    for first in range(0, n, ROWS_SIDE_BY_SIDE):
        last = min(first + ROWS_SIDE_BY_SIDE, n)
        for i in range(first, last):
            r = i - first
            N0 = g[_N0, i]
            for s in range(S):
                active[i, s, 0] = N0 if s == S_EXISTING else 0.0
                new[i, s, 0] = retained[i, s, 0] = 0.0
            active_customers[i, 0] = N0
            new_customers[i, 0] = 0.0
            U[r], A_r[r], M_r[r], wom_share[r] = N0, N0, g[_M, i], g[_WOM_SHARE, i]
            left[r] = M_r[r] - N0
        for t in range(1, T1):
            for r in range(last - first):  # the rows side by side: r in the group, i in the batch
                i = np.uint64(first + r)  # unsigned: numba adds a test for a negative index to
                # every index of a signed integer that the compiler cannot prove >= 0 (2 ns)
                A = A_r[r]  # active customers A(t - 1)
                # acquisition: paid wins (pass 1), word of mouth (Bass), referrals, within the
                # market
                imitation = q_eff[i, t] * (A / M_r[r])
                q_adopter = q_eff[i, t] if U[r] == 0.0 else q_eff[i, t] * (A / U[r])  # U = 0:
                # the Bass curve from F = 0
                bass = _bass_step(left[r], imitation, q_adopter, p_eff[i, t])  # awareness, word
                # of mouth
                referred = referral[i, t] * A  # the programme, prompted
                moved = min(wom_share[r] * referred, bass)  # would have come by word of mouth
                # anyway
                organic = (bass - moved) * hit[i, t]
                by_referral = referred * hit[i, t]
                new[i, S_ORGANIC, t], new[i, S_REFERRAL, t] = organic, by_referral
                new_total = new[i, S_TRADITIONAL, t] + new[i, S_SOCIAL, t] + organic + by_referral
                if new_total > left[r]:  # capacity: never more than what is left of the market
                    for s in range(S):
                        new[i, s, t] *= left[r] / new_total
                    new_total = left[r]  # U = M exactly
                left[r] -= new_total
                U[r] += new_total
                # retention: A_s(t) = A_s(t-1)(1 - churn_s(t)) + new_s(t)
                A = 0.0
                for s in range(S):
                    retained[i, s, t] = active[i, s, t - 1] * survival[i, s, t]
                    active[i, s, t] = retained[i, s, t] + new[i, s, t]
                    A += active[i, s, t]
                A_r[r] = active_customers[i, t] = A
                new_customers[i, t] = new_total

    # ================================================================ pass 3: cash, customer value
    for i in range(n):
        R, gm = g[_R, i], g[_GM, i]
        deflection, reward, ongoing = g[_DEFLECT, i], g[_REWARD, i], g[_ONGOING, i]
        support_per_contact = g[_CONTACTS, i] * g[_CONTACT_COST, i]
        rate = (1.0 + g[_RATE, i]) ** (1.0 / 12.0) - 1.0  # monthly discount rate
        revenue[i, 0] = gross_profit[i, 0] = support_cost[i, 0] = referral_rewards[i, 0] = 0.0
        programme_cost[i, 0] = g[_ONE_TIME, i] * g[_IMPL, i]
        net_cash_flow[i, 0] = -programme_cost[i, 0]
        margin_per_customer[i, 0] = R * gm  # no support cost in month 0
        for t in range(1, T1):  # revenue on the customers retained from month t - 1
            kept = 0.0
            for s in range(S):
                kept += retained[i, s, t]
            revenue[i, t] = R * kept
            gross_profit[i, t] = revenue[i, t] * gm
        for t in range(1, T1):  # support, less what the community answers
            support_per_customer = support_per_contact * (1.0 - deflection * participation[i, t])
            support_cost[i, t] = active_customers[i, t] * support_per_customer
            margin_per_customer[i, t] = R * gm - support_per_customer
        for t in range(1, T1):
            referral_rewards[i, t] = new[i, S_REFERRAL, t] * reward
            programme_cost[i, t] = ongoing
        for t in range(1, T1):
            net_cash_flow[i, t] = (gross_profit[i, t] - channel_spend[i, t] - referral_rewards[i, t]
                                   - cost_of_sales[i, t] - support_cost[i, t] - programme_cost[i, t])
        # V_s(T) = m r / (1 + i - r), then V_s(t) = r_s(t+1) (m(t+1) + V_s(t+1)) / (1 + i)
        discount = 1.0 / (1.0 + rate)
        for s in range(S):
            r = survival[i, s, T]
            customer_value[i, s, T] = margin_per_customer[i, T] * r / (1.0 + rate - r)
        for t in range(T - 1, -1, -1):  # the five sources side by side
            for s in range(S):
                customer_value[i, s, t] = (survival[i, s, t + 1] * discount
                                           * (margin_per_customer[i, t + 1] + customer_value[i, s, t + 1]))


@compiled(error_model="numpy")
def _hill(a, K, Lmax, alpha):
    """Hill saturation ``Lmax x^alpha / (x^alpha + 1)``, ``x = a / K`` (Jin et al. 2017).

    With alpha = 1 (the default shape) it is ``Lmax a / (a + K)`` (K > 0: no
    division by zero); any other shape is computed divided through by
    ``x^alpha``, ``Lmax / (1 + x^-alpha)``: no overflow for a large x, and 0 at
    x = 0 (``x^-alpha = inf``). Both are the textbook value to rounding (the
    tests hold them to the plain formula of ``tests/engine/reference.py``).

    Why two lines and not one: a(t) changes every month, so the general form
    needs a power of it every channel-month (hoisting ``K^alpha`` per row and
    channel still leaves ``a^alpha``), and ``pow`` costs more than the rest of
    a channel's month. Measured in one process (issue 10, 128 rows of the
    sampled B2B batch, 3 channels of shape 1, minimum of 300 runs): the kernel
    took 67 ns a row-month with this fork, 112 with ``Lmax / (1 + x^-alpha)``
    for every shape (glibc's ``pow`` has no fast path for an exponent of 1)
    and 107 with ``exp(-alpha log x)``; with shape 1.7 all three took
    107-112. The kernel is about three quarters of ``run_batch``'s time, so
    the general form alone would make a large batch take about 1.5 times as
    long (further from the issue's target of 2x the numpy engine).
    """
    if alpha == 1.0:
        return Lmax * a / (a + K)
    return Lmax / (1.0 + (a / K) ** -alpha)


@compiled(error_model="numpy")
def _add_hill(a_c, K, Lmax, alpha, leads_k):
    """Add a channel's leads :func:`_hill` of ``a_c(t)`` to ``leads_k(t)``, months 1..T.

    The shape's fork (see :func:`_hill`) is taken once for the channel, not every
    month: a loop without a branch runs several months at a time.
    """
    if alpha == 1.0:  # the shape a constant: the compiler drops _hill's fork from the loop
        for t in range(1, a_c.shape[0]):
            leads_k[t] += _hill(a_c[t], K, Lmax, 1.0)
    else:
        for t in range(1, a_c.shape[0]):
            leads_k[t] += _hill(a_c[t], K, Lmax, alpha)


@compiled()
def _ramp(t, ramp_up_months):
    """The organisation's ramp-up ``min(1, t / ramp_up_months)``; 1 from month 1 without ramp-up."""
    return 1.0 if ramp_up_months == 0.0 else min(1.0, t / ramp_up_months)
