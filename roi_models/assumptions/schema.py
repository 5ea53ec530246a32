"""The validated input schema: one frozen :class:`Assumptions` object per plan.

Every numeric field carries its unit, bounds and description as field
metadata (``json_schema_extra={"unit": ...}``, ``ge``/``le``), so that
widgets, reports and error messages are generated from this module rather
than written again. :func:`field_meta` reads that metadata for a dotted path
such as ``"market.bass_q_annual"`` or ``"channels.tv.carryover"``.

The model is pydantic v2 with ``frozen=True`` and ``extra="forbid"``: a
derived plan is a copy (:func:`roi_models.assumptions.merge.deep_merge`),
never a mutation; an unknown key is refused.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

SOURCES: tuple[str, ...] = ("existing", "traditional", "social", "organic", "referral")
"""Customer sources, each tracked as its own cohort with its own churn.

``existing``: the installed base at month 0; ``traditional`` and ``social``:
won through the sales funnel from paid channels of that kind; ``organic``:
Bass word of mouth and external influence; ``referral``: the referral loop.
"""

PAID_KINDS: tuple[str, ...] = ("traditional", "social")
"""Channel kinds. Leads from each kind go through their own funnel."""

ChannelKind = Literal["traditional", "social"]
OrganisationProfile = Literal["small", "midsize", "large"]
TerminalValue = Literal["none", "customer_value"]
Confidence = Literal["low", "medium", "high"]


def num(
    default: Any = ...,
    *,
    ge: float | None = None,
    le: float | None = None,
    gt: float | None = None,
    unit: str,
    description: str,
    label: str | None = None,
    step: float | None = None,
) -> Any:
    """A numeric field with its unit, bounds, label and description as metadata."""
    extra: dict[str, Any] = {"unit": unit}
    if label:
        extra["label"] = label
    if step is not None:
        extra["step"] = step
    return Field(
        default, ge=ge, le=le, gt=gt, description=description, json_schema_extra=extra
    )


class _Model(BaseModel):
    """Frozen, strict, no unknown keys, no NaN or infinity.

    A cross-field check names the field it blames by starting its message with
    ``@sub.path: `` (relative to the model); the loader turns that into the
    field path of the error.
    """

    model_config = ConfigDict(
        frozen=True, extra="forbid", strict=True, allow_inf_nan=False, validate_default=True
    )


# --------------------------------------------------------------------------- text
# Characters a text field refuses: C0 controls but tab and line feed (ESC can clear a
# terminal, CR overwrite a printed line), DEL and C1 controls, zero-width and bidirectional
# formatting characters (text that reads differently than it is stored) and the BOM.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e"
                      "\u2066-\u2069\ufeff]")


def _printable(value: str, *, lines: bool) -> str:
    bad = _CONTROL.search(value) or (None if lines else re.search("[\t\n]", value))
    if bad:
        raise ValueError(
            f"contains the control character U+{ord(bad.group()):04X} at position "
            f"{bad.start() + 1}; " + ("text takes printable characters, tabs and line breaks"
                                      if lines else "a name takes printable characters only"))
    return value


Text = Annotated[str, AfterValidator(lambda v: _printable(v, lines=True))]
"""Free text (descriptions, sources, notes): printable characters, tabs and line breaks."""
Line = Annotated[str, AfterValidator(lambda v: _printable(v, lines=False))]
"""A name on one line (file name, scenario name, owner): printable characters only."""


def _currency_code(value: str) -> str:
    if not re.fullmatch("[A-Z]{3}", value):
        raise ValueError("an ISO 4217 currency code: three capital letters A-Z, such as "
                         "EUR, USD or GBP")
    return value


CurrencyCode = Annotated[str, AfterValidator(_currency_code)]
"""An ISO 4217 alphabetic code (three capital letters); shown in text, tables and charts."""


# --------------------------------------------------------------------------- finance
class Finance(_Model):
    """Discounting and horizon."""

    discount_rate_annual: float = num(
        0.10, ge=0.001, le=1.0, unit="share/year", label="Discount rate",
        description="Annual discount rate for NPV and CLV; converted to monthly by "
        "(1 + r)^(1/12) - 1. 10 % is the usual rate in total-economic-impact studies. "
        "At least 0.1 % a year: CLV's perpetuity beyond the horizon is margin x r / "
        "(1 + i - r), which with no churn (r = 1) is margin / i; a rate near 0 makes it "
        "meaninglessly large, and below about 3e-15 a year the monthly rate rounds to 0 "
        "and CLV becomes infinite.",
        step=0.005,
    )
    horizon_months: int = num(
        60, ge=12, le=240, unit="months", label="Horizon",
        description="Months simulated after the decision date (month 0 holds one-time costs).",
    )
    terminal_value: TerminalValue = Field(
        "none", description="What the plan is worth beyond the horizon in NPV, ROI and IRR: "
        "none (cash flows stop at month T, as total-economic-impact studies do) or "
        "customer_value (the customers active at month T valued at their customer value, "
        "the same Gupta & Lehmann value as CLV, discounted to month 0). Payback never "
        "counts it: it is not cash received within the horizon.",
    )


# --------------------------------------------------------------------------- market
class Market(_Model):
    """Market potential and Bass word-of-mouth diffusion."""

    potential_customers: float = num(
        ..., ge=1, le=1e10, unit="customers", label="Market potential",
        description="Bass market potential M: everyone who could ever become a customer. "
        "At least one customer: the Bass terms divide by M, and a market of a fraction of "
        "a customer (1e-310 was tried) turns CAC and cost of sales into inf.",
    )
    initial_customers: float = num(
        ..., ge=0, le=1e10, unit="customers", label="Customers at month 0",
        description="Active customers at the decision date (the 'existing' cohort).",
    )
    bass_p_annual: float = num(
        0.03, ge=0, le=1, unit="1/year", label="Bass p (innovation)",
        description="Bass coefficient of innovation (external influence) per year; "
        "monthly rate p/12.", step=0.001,
    )
    bass_q_annual: float = num(
        0.38, ge=0, le=3, unit="1/year", label="Bass q (imitation)",
        description="Bass coefficient of imitation (word of mouth) per year; monthly q/12.",
        step=0.01,
    )

    @model_validator(mode="after")
    def _initial_within_market(self) -> "Market":
        if self.initial_customers > self.potential_customers:
            raise ValueError(
                f"@initial_customers: must not exceed potential_customers "
                f"({self.potential_customers:g})"
            )
        return self


class Economics(_Model):
    """Revenue and margin per customer."""

    revenue_per_customer_monthly: float = num(
        ..., ge=0.01, le=1e8, unit="currency/customer/month", label="Revenue per customer",
        description="Monthly revenue from one active customer. At least 0.01 (a cent): "
        "cost of sales is shown as a share of revenue, which a revenue near 0 (1e-310 was "
        "tried) makes overflow to inf.",
    )
    gross_margin: float = num(
        ..., ge=0, le=1, unit="share", label="Gross margin",
        description="Gross profit as a share of revenue.", step=0.01,
    )


# --------------------------------------------------------------------------- channels
class ConstantSpend(_Model):
    """The same spend every month."""

    kind: Literal["constant"] = "constant"
    amount: float = num(
        ..., ge=0, le=1e10, unit="currency/month", label="Monthly spend",
        description="Spend in each month 1..T.",
    )


class LinearSpend(_Model):
    """Spend that moves linearly from ``start`` in month 1 to ``end`` in month ``ramp_months``,
    then stays at ``end``."""

    kind: Literal["linear"] = "linear"
    start: float = num(..., ge=0, le=1e10, unit="currency/month", label="Spend in month 1",
                       description="Spend in month 1.")
    end: float = num(
        ..., ge=0, le=1e10, unit="currency/month", label="Spend after the ramp",
        description="Spend from month ramp_months on.",
    )
    ramp_months: int = num(
        12, ge=1, le=240, unit="months", label="Spend ramp",
        description="Month in which spend reaches end."
    )


def _list_to_tuple(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


class ExplicitSpend(_Model):
    """Spend given month by month: one amount for each month 1..T."""

    kind: Literal["explicit"] = "explicit"
    # YAML gives a list; strict mode accepts only a tuple, so convert lists first
    # (the items stay strictly validated).
    amounts: Annotated[
        tuple[Annotated[float, Field(ge=0, le=1e10)], ...], BeforeValidator(_list_to_tuple)
    ] = Field(
        ..., description="Spend in months 1..T (exactly horizon_months values).",
        json_schema_extra={"unit": "currency/month"},
    )


Spend = Annotated[Union[ConstantSpend, LinearSpend, ExplicitSpend], Field(discriminator="kind")]


class Channel(_Model):
    """One marketing channel: spend schedule, carry-over (adstock) and saturation (Hill).

    Its spend buys leads (Hill on the adstock), may raise awareness (the Bass
    innovation hazard p, Generalized Bass Model) and may count towards social
    engagement: each effect has its own field, the same for both kinds. The kind
    decides only which funnel the leads enter (the ``funnel.social_*`` advantages
    apply to social leads) and the cohort of the customers won.
    """

    kind: ChannelKind = Field(
        ..., description="'traditional' (TV, print, events, outbound...) or 'social'."
    )
    spend: Spend
    spend_before_plan: float = num(
        0.0, ge=0, le=1e10, unit="currency/month", label="Spend before the plan",
        description="Steady monthly spend before month 1: sets the starting carry-over and "
        "the sales pipeline already in flight (0 for a new channel).",
    )
    carryover: float = num(
        ..., ge=0, le=0.95, unit="share/month", label="Carry-over",
        description="Geometric adstock decay lambda: share of last month's adstock that "
        "carries into this month. Robyn's rules of thumb are per week (TV 0.3-0.8, "
        "print/radio 0.1-0.4, digital 0-0.3); per month lambda_week ^ (52/12): TV 0.005-0.38, "
        "print/radio at most 0.019, digital at most 0.005.",
        step=0.01,
    )
    max_leads_monthly: float = num(
        ..., ge=0, le=1e9, unit="leads/month", label="Maximum leads",
        description="Leads per month at saturation (Hill Lmax).",
    )
    half_saturation: float = num(
        ..., ge=1, le=1e10, unit="currency/month", label="Half-saturation adstock",
        description="Adstock at which the channel yields half its maximum leads (Hill K). "
        "At least 1 (a currency unit a month): the Hill curve divides adstock by K, and a K "
        "near 0 (5e-324 was tried) overflows to inf.",
    )
    shape: float = num(
        1.0, ge=0.3, le=5.0, unit="1", label="Saturation shape",
        description="Hill exponent alpha (Robyn: 0.5-3); above 1 gives an S-curve.",
        step=0.05,
    )
    awareness_lift: float = num(
        0.0, ge=0, le=5, unit="share", label="Awareness lift",
        description="w_c: the channel's effect on awareness, the innovation coefficient p of "
        "the Bass hazard (Generalized Bass Model, Bass, Krishnan & Jain 1994): "
        "p_eff(t) = p (1 + sum_c w_c h_c(t)) / (1 + sum_c w_c h_c(0)) with "
        "h_c = a_c / (a_c + awareness_half_saturation) on the channel's adstock, so p stays "
        "the hazard at the spend before the plan. The same for both kinds; 0: the channel "
        "buys leads only.", step=0.05,
    )
    awareness_half_saturation: float = num(
        ..., ge=1, le=1e10, unit="currency/month", label="Awareness half-saturation",
        description="Adstock at which the channel's awareness effect reaches half of "
        "awareness_lift. Defaults to the channel's half_saturation (awareness saturates "
        "with the channel's reach, as its leads do). At least 1, as half_saturation.",
    )
    engagement_weight: float = num(
        0.0, ge=0, le=1, unit="share", label="Counts towards engagement",
        description="Share of the channel's adstock that counts towards social engagement "
        "e(t), like ongoing programme spend (1: every euro of adstock; 0: none). An "
        "assumption of its own, not implied by the channel's kind.", step=0.05,
    )

    @model_validator(mode="before")
    @classmethod
    def _awareness_saturates_with_the_channel(cls, data: Any) -> Any:
        if isinstance(data, dict) and "awareness_half_saturation" not in data \
                and "half_saturation" in data:
            data = {**data, "awareness_half_saturation": data["half_saturation"]}
        return data


class Funnel(_Model):
    """Leads -> opportunities -> customers, cost of sales and the social advantage."""

    lead_to_opportunity: float = num(
        ..., ge=0, le=1, unit="share", label="Lead to opportunity",
        description="Share of leads that become sales opportunities.", step=0.01,
    )
    win_rate: float = num(
        ..., ge=0, le=1, unit="share", label="Win rate",
        description="Share of opportunities won (traditional leads).", step=0.01,
    )
    cost_per_opportunity: float = num(
        ..., ge=0, le=1e8, unit="currency/opportunity", label="Cost per opportunity",
        description="Sales cost of working one opportunity (traditional leads).",
    )
    sales_cycle_months: float = num(
        ..., ge=0, le=24, unit="months", label="Sales cycle",
        description="Months from opportunity to win; fractional values split the wins "
        "between the two neighbouring months.", step=0.25,
    )
    social_cost_reduction: float = num(
        0.0, ge=0, le=0.9, unit="share", label="Social cost-of-sales advantage",
        description="Cost per opportunity is this share lower for social leads "
        "(better-informed prospects need fewer sales touches).", step=0.01,
    )
    social_win_rate_uplift: float = num(
        0.0, ge=0, le=2, unit="share", label="Social win-rate uplift",
        description="Relative increase of the win rate for social leads "
        "(win_social = win_rate x (1 + uplift), at most 1).", step=0.01,
    )
    social_cycle_reduction: float = num(
        0.0, ge=0, le=0.9, unit="share", label="Social sales-cycle reduction",
        description="The sales cycle of social leads is this share shorter.", step=0.01,
    )

    @model_validator(mode="after")
    def _social_win_rate_is_a_probability(self) -> "Funnel":
        won = self.win_rate * (1 + self.social_win_rate_uplift)
        if won > 1 + 1e-12:
            raise ValueError(
                f"@social_win_rate_uplift: win_rate x (1 + social_win_rate_uplift) = {self.win_rate:g} x "
                f"(1 + {self.social_win_rate_uplift:g}) = {won:.4g} exceeds 1: "
                "lower social_win_rate_uplift to at most "
                f"{(1 / self.win_rate - 1) if self.win_rate else 2:.4g}"
            )
        return self


# --------------------------------------------------------------------------- social
class SocialEffects(_Model):
    """How social engagement e(t) in [0, 1] moves the business.

    e(t) = e0 + ramp(t) x (x(t) / (x(t) + half_saturation) - e0), where x(t) is
    the adstock of the channels that count towards engagement (each channel's
    ``engagement_weight``) plus ongoing programme spend, ramp(t) = min(1, t /
    ramp_up_months) and e0 the engagement before the plan (from spend_before_plan).

    The effects reach the customers who take part in the community: the
    participating share is pi(t) = participation_cap x e(t) of every cohort.
    Participants churn (1 - self_selection_discount) x churn_reduction less, call
    support_deflection less often, talk (word_of_mouth_lift) and refer
    (referral_lift) more; the other customers are as without the community.
    Self-selection: engaged customers were the loyal ones already, so part of the
    observed member/non-member churn gap is who joins, not what joining does
    (Algesheimer, Borle, Dholakia & Singh 2010, Marketing Science 29(4), separate
    the two with a randomised invitation); only the rest lowers churn.
    """

    engagement_half_saturation: float = num(
        ..., ge=1, le=1e10, unit="currency/month", label="Engagement half-saturation",
        description="Social adstock plus ongoing programme spend at which engagement "
        "reaches one half. At least 1 (a currency unit a month), as the channels' "
        "half-saturation: a value near 0 makes the engagement ratio overflow.",
    )
    participation_cap: float = num(
        1.0, ge=0, le=1, unit="share", label="Community participation cap",
        description="Share of customers who ever take part in the community: the "
        "participating share is pi(t) = participation_cap x e(t), and the four "
        "engagement effects below reach those customers only.", step=0.01,
    )
    word_of_mouth_lift: float = num(
        0.0, ge=0, le=5, unit="share", label="Social lift on word of mouth",
        description="beta_q: participants recommend more, so unprompted word of mouth "
        "(Bass imitation) becomes q_eff = q x (1 + beta_q x pi).", step=0.05,
    )
    churn_reduction: float = num(
        0.0, ge=0, le=0.9, unit="share", label="Social effect on churn",
        description="gamma: the observed churn gap of participants against other "
        "customers (participants churn gamma less, relative); the causal part "
        "(1 - self_selection_discount) gamma applies to the participating share: base "
        "churn x (1 - (1 - self_selection_discount) gamma pi).", step=0.01,
    )
    self_selection_discount: float = num(
        0.0, ge=0, le=1, unit="share", label="Self-selection in the churn gap",
        description="Share of the observed churn gap (churn_reduction) that is selection: "
        "the customers who join a community were the loyal ones already, so that part "
        "does not move when participation grows (0: all of the gap is caused by taking "
        "part; 1: none of it).", step=0.05,
    )
    support_deflection: float = num(
        0.0, ge=0, le=0.9, unit="share", label="Community deflection",
        description="Share of the support contacts of participating customers that the "
        "community answers: support x (1 - deflection x pi).",
        step=0.01,
    )
    referral_lift: float = num(
        0.0, ge=0, le=5, unit="share", label="Social lift on referrals",
        description="Participants send (1 + lift) times the referrals of other customers: "
        "referrals per customer x (1 + lift x pi). A field of its own, apart from "
        "word_of_mouth_lift (prompted and unprompted word of mouth are separate).",
        step=0.05,
    )


class Referrals(_Model):
    """The referral programme: prompted, rewarded introductions by active customers.

    Viral coefficient K = referrals x conversion / churn. Referral customers come
    out of the same remaining market M - U as every other new customer; the share
    ``word_of_mouth_share`` of them would have come by unprompted word of mouth
    (Bass imitation) and is taken out of the organic adopters, so the programme
    adds only the rest.
    """

    referrals_per_customer_monthly: float = num(
        0.0, ge=0, le=1, unit="referrals/customer/month", label="Referrals per customer",
        description="Referral invitations sent per active customer per month.", step=0.001,
    )
    conversion: float = num(
        0.0, ge=0, le=1, unit="share", label="Referral conversion",
        description="Share of referral invitations that become customers.", step=0.01,
    )
    reward_per_customer: float = num(
        0.0, ge=0, le=1e7, unit="currency/customer", label="Referral reward",
        description="Reward paid per customer won by referral (an acquisition cost).",
    )
    word_of_mouth_share: float = num(
        0.0, ge=0, le=1, unit="share", label="Referrals that word of mouth would bring",
        description="Share of the referral programme's customers who would have come by "
        "unprompted word of mouth (Bass imitation) anyway: they are moved from the organic "
        "cohort to the referral cohort (and earn the reward), not added; at most the "
        "month's word-of-mouth adopters are moved.", step=0.05,
    )


class ChurnBySource(_Model):
    """Base monthly churn of each customer cohort (before social and shock effects)."""

    existing: float = num(..., ge=0, le=0.5, unit="share/month", description="Installed base.",
                          step=0.001)
    traditional: float = num(..., ge=0, le=0.5, unit="share/month",
                             description="Won through traditional channels.", step=0.001)
    social: float = num(..., ge=0, le=0.5, unit="share/month",
                        description="Won through social channels.", step=0.001)
    organic: float = num(..., ge=0, le=0.5, unit="share/month",
                         description="Word of mouth (Bass).", step=0.001)
    referral: float = num(..., ge=0, le=0.5, unit="share/month",
                          description="Won by referral.", step=0.001)


class Downturn(_Model):
    """A churn shock that satisfaction does not prevent (not reduced by engagement)."""

    start_month: int = num(1, ge=1, le=240, unit="month", label="Downturn start",
                           description="First month of the shock.")
    duration_months: int = num(0, ge=0, le=240, unit="months", label="Downturn length",
                               description="Months the shock lasts (0: no downturn).")
    added_churn: float = num(
        0.0, ge=0, le=0.3, unit="share/month", label="Downturn churn shock",
        description="Churn added to every cohort during the downturn.", step=0.005,
    )
    probability: float = num(
        1.0, ge=0, le=1, unit="share", label="Downturn probability",
        description="Chance that the downturn happens within the horizon (Monte Carlo draws "
        "it; the deterministic run shows the downturn as stated, as a stress test).",
        step=0.05,
    )
    start_month_latest: int = num(
        0, ge=0, le=240, unit="month", label="Latest downturn start",
        description="In Monte Carlo the start month is drawn uniformly from the whole months "
        "start_month..start_month_latest (0: always start_month).",
    )

    @model_validator(mode="after")
    def _start_range(self) -> "Downturn":
        if self.start_month_latest and self.start_month_latest < self.start_month:
            raise ValueError(
                f"@start_month_latest: {self.start_month_latest} is before start_month "
                f"({self.start_month}); give 0 or a month from start_month on")
        return self


class Retention(_Model):
    """Churn per cohort and the downturn shock."""

    churn_monthly: ChurnBySource
    downturn: Downturn = Downturn()


class Support(_Model):
    """Cost to serve: contacts x cost per contact x active customers x (1 - deflection x e)."""

    contacts_per_customer_monthly: float = num(
        0.0, ge=0, le=100, unit="contacts/customer/month", label="Support contacts",
        description="Support contacts per active customer per month.", step=0.01,
    )
    cost_per_contact: float = num(
        0.0, ge=0, le=1e6, unit="currency/contact", label="Cost per contact",
        description="Fully loaded cost of one contact-centre contact.",
    )


class Programme(_Model):
    """The social programme's own costs and capabilities."""

    one_time_cost: float = num(
        0.0, ge=0, le=1e11, unit="currency", label="One-time cost",
        description="Implementation cost in month 0, before the organisation multiplier.",
    )
    ongoing_monthly: float = num(
        0.0, ge=0, le=1e10, unit="currency/month", label="Ongoing programme cost",
        description="Community management, listening tools and content per month; "
        "counts towards engagement.",
    )
    response_capability: float = num(
        0.0, ge=0, le=1, unit="share", label="Listening and response capability",
        description="0: nobody listens or answers; 1: a full listening and response team.",
        step=0.05,
    )


class Organisation(_Model):
    """Organisation profile: how fast it ramps up and what implementation costs it."""

    profile: OrganisationProfile = Field(
        "midsize", description="small, midsize or large (a label; the numbers below decide)."
    )
    ramp_up_months: float = num(
        6.0, ge=0, le=48, unit="months", label="Ramp-up",
        description="Months until social engagement reaches its full level (linear ramp).",
        step=1,
    )
    implementation_cost_multiplier: float = num(
        1.0, ge=0.2, le=5, unit="x", label="Implementation cost multiplier",
        description="Multiplies the programme's one-time cost (large organisations pay more).",
        step=0.05,
    )


# --------------------------------------------------------------------------- uncertainty
Distribution = Literal["triangular", "pert", "normal", "lognormal", "uniform"]


class Uncertainty(_Model):
    """Uncertainty of one numeric field.

    ``low``/``high`` are the sensitivity range (tornado) and the support of
    bounded distributions; ``mode`` is needed by triangular and PERT;
    ``mean`` and ``sd`` by normal and lognormal (of the value itself, not of
    its logarithm), which are truncated to [low, high].
    """

    distribution: Distribution
    low: float
    high: float
    mode: float | None = None
    mean: float | None = None
    sd: float | None = Field(None, gt=0)

    @model_validator(mode="after")
    def _consistent(self) -> "Uncertainty":
        if not self.low < self.high:
            raise ValueError(f"low ({self.low:g}) must be below high ({self.high:g})")
        needs_mode = self.distribution in ("triangular", "pert")
        needs_moments = self.distribution in ("normal", "lognormal")
        if needs_mode:
            if self.mode is None:
                raise ValueError(f"{self.distribution} needs mode (low <= mode <= high)")
            if not self.low <= self.mode <= self.high:
                raise ValueError(
                    f"mode ({self.mode:g}) must lie within [low, high] = "
                    f"[{self.low:g}, {self.high:g}]"
                )
        elif self.mode is not None:
            raise ValueError(f"{self.distribution} takes no mode")
        if needs_moments:
            if self.mean is None or self.sd is None:
                raise ValueError(f"{self.distribution} needs mean and sd")
            if not self.low <= self.mean <= self.high:
                raise ValueError(
                    f"mean ({self.mean:g}) must lie within [low, high] = "
                    f"[{self.low:g}, {self.high:g}]"
                )
            if self.distribution == "lognormal" and self.low < 0:
                raise ValueError(f"lognormal needs low >= 0, got {self.low:g}")
        elif self.mean is not None or self.sd is not None:
            raise ValueError(f"{self.distribution} takes no mean or sd")
        return self

    def expected_value(self) -> float:
        """The mean of the distribution truncated to [low, high] (closed forms).

        - uniform ``(a + b) / 2``; triangular ``(a + m + b) / 3``; PERT
          ``(a + 4 m + b) / 6`` (Vose 2008, *Risk Analysis*, ch. 9);
        - normal truncated to [a, b]: ``mu + sd (phi(alpha) - phi(beta)) / (Phi(beta) -
          Phi(alpha))`` with ``alpha = (a - mu) / sd``, ``beta = (b - mu) / sd``
          (Johnson, Kotz & Balakrishnan 1994, *Continuous Univariate Distributions*
          1, sec. 10.1);
        - lognormal with mean ``m`` and sd ``s`` of the value (``sigma^2 = ln(1 +
          s^2/m^2)``, ``mu = ln m - sigma^2 / 2``) truncated to [a, b]:
          ``m (Phi(B - sigma) - Phi(A - sigma)) / (Phi(B) - Phi(A))`` with
          ``A = (ln a - mu) / sigma``, ``B = (ln b - mu) / sigma``.

        >>> Uncertainty(distribution="pert", low=0, mode=1, high=4).expected_value()
        1.3333333333333333
        """
        a, b = self.low, self.high
        if self.distribution == "uniform":
            return (a + b) / 2
        if self.distribution == "triangular":
            return (a + float(self.mode) + b) / 3  # type: ignore[arg-type]
        if self.distribution == "pert":
            return (a + 4 * float(self.mode) + b) / 6  # type: ignore[arg-type]
        mean, sd = float(self.mean), float(self.sd)  # type: ignore[arg-type]
        if self.distribution == "normal":
            alpha, beta = (a - mean) / sd, (b - mean) / sd
            mass = _norm_cdf(beta) - _norm_cdf(alpha)
            return mean + sd * (_norm_pdf(alpha) - _norm_pdf(beta)) / mass
        sigma = math.sqrt(math.log1p((sd / mean) ** 2))
        mu = math.log(mean) - sigma ** 2 / 2
        lo = -math.inf if a <= 0 else (math.log(a) - mu) / sigma
        hi = (math.log(b) - mu) / sigma
        return mean * (_norm_cdf(hi - sigma) - _norm_cdf(lo - sigma)) / (
            _norm_cdf(hi) - _norm_cdf(lo))


def _norm_cdf(x: float) -> float:
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def _norm_pdf(x: float) -> float:
    return math.exp(-x * x / 2) / math.sqrt(2 * math.pi) if math.isfinite(x) else 0.0


MAX_SEVERITY = 5.0
"""Largest severity of one random viral event (5 x the file's peak hit and added churn)."""



class ViralEvent(_Model):
    """Negative viral events: one deterministic event (a stress test) and random ones.

    Impact decays with a half-life: d(t) = 0.5 ** ((t - month) / half_life) for
    t >= month; response capability mitigates it:
    impact x (1 - mitigation x response_capability x ramp(t)).

    Random events (``rate_per_month`` > 0) arrive as a Poisson process, each
    with a severity drawn from ``severity`` (1: the peak ``acquisition_hit``
    and ``added_churn`` below); their impacts superpose and decay with the
    same half-life. The deterministic run (``roi-models run``) shows the
    expected path, ``rate_per_month`` x the mean severity starting every month;
    ``roi-models montecarlo`` draws the events.
    """

    enabled: bool = Field(False, description="Include the deterministic event of `month`.")
    rate_per_month: float = num(
        0.0, ge=0, le=1, unit="events/month", label="Viral events per month",
        description="Expected number of negative viral stories starting each month (Poisson "
        "rate; 1/36 is one story every three years on average). 0: no random events.",
        step=0.005,
    )
    severity: Uncertainty | None = Field(
        None, description="Distribution of the severity of one random event (1 = the peak "
        f"acquisition_hit and added_churn; low >= 0, high <= {MAX_SEVERITY:g}); none: every "
        "event has severity 1.")
    month: int = num(12, ge=1, le=240, unit="month", label="Viral event start",
                     description="Month the story breaks.")
    acquisition_hit: float = num(
        0.3, ge=0, le=1, unit="share", label="Viral hit on acquisition",
        description="Share of new customers lost at the peak of the event.", step=0.01,
    )
    added_churn: float = num(
        0.02, ge=0, le=0.2, unit="share/month", label="Viral added churn",
        description="Churn added at the peak of the event.", step=0.005,
    )
    half_life_months: float = num(
        3.0, gt=0, le=60, unit="months", label="Viral half-life",
        description="Months for the impact to halve (Luo 2009: damage wears out over months).",
        step=0.5,
    )
    mitigation: float = num(
        0.5, ge=0, le=1, unit="share", label="Mitigation at full response",
        description="Share of the impact avoided with full response capability.", step=0.05,
    )

    @model_validator(mode="after")
    def _severity_is_a_multiple(self) -> "ViralEvent":
        if self.severity is not None and not (0 <= self.severity.low
                                              and self.severity.high <= MAX_SEVERITY):
            raise ValueError(
                f"@severity: low ({self.severity.low:g}) and high ({self.severity.high:g}) "
                f"must lie within [0, {MAX_SEVERITY:g}] (a multiple of the peak impact)")
        return self

    def mean_severity(self) -> float:
        """The mean severity of a random event (1 without a severity distribution)."""
        return 1.0 if self.severity is None else self.severity.expected_value()


class Assumptions(_Model):
    """Everything one plan needs: the input of one simulation row."""

    finance: Finance = Finance()
    market: Market
    economics: Economics
    channels: dict[Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]{0,39}$")], Channel] = (
        Field(..., min_length=1, description="The marketing channels, at least one: a plan "
              "without any channel has no spend to move and no leads to simulate."))
    funnel: Funnel
    social: SocialEffects
    referrals: Referrals = Referrals()
    retention: Retention
    support: Support = Support()
    programme: Programme = Programme()
    organisation: Organisation = Organisation()
    viral_event: ViralEvent = ViralEvent()

    @model_validator(mode="after")
    def _schedules_fit_horizon(self) -> "Assumptions":
        horizon = self.finance.horizon_months
        for name, channel in self.channels.items():
            if isinstance(channel.spend, ExplicitSpend) and len(channel.spend.amounts) != horizon:
                raise ValueError(
                    f"@channels.{name}.spend.amounts: has {len(channel.spend.amounts)} values; "
                    f"it needs exactly horizon_months = {horizon} (months 1..{horizon})"
                )
        if self.viral_event.enabled and self.viral_event.month > horizon:
            raise ValueError(
                f"@viral_event.month: month {self.viral_event.month} is after the horizon "
                f"(horizon_months = {horizon})"
            )
        return self


# --------------------------------------------------------------------------- register
class RegisterEntry(_Model):
    """Where an assumption comes from and who answers for it (the assumption register)."""

    source: Text | None = Field(None, max_length=2000, description="Source or rationale.")
    confidence: Confidence | None = Field(None, description="low, medium or high.")
    owner: Line | None = Field(None, max_length=200, description="Who answers for the value.")
    validated_on: _dt.date | None = Field(
        None, strict=False, description="Date the value was last checked (YYYY-MM-DD)."
    )
    note: Text | None = Field(None, max_length=2000, description="Free comment.")


REGISTER_KEYS: frozenset[str] = frozenset(RegisterEntry.model_fields)


# --------------------------------------------------------------------------- metadata
@dataclass(frozen=True)
class FieldMeta:
    """Metadata of one numeric field, for widgets, reports and messages."""

    path: str
    label: str
    unit: str
    description: str
    low: float | None
    high: float | None
    low_inclusive: bool
    step: float | None
    integer: bool

    def allowed(self) -> str:
        """'a number in [0, 0.95] (share/month)'-style text for error messages."""
        kind = "a whole number" if self.integer else "a number"
        lo = "-inf" if self.low is None else f"{self.low:g}"
        hi = "inf" if self.high is None else f"{self.high:g}"
        bracket = "[" if self.low_inclusive else "("
        return f"{kind} in {bracket}{lo}, {hi}] ({self.unit})"


def _model_at(model: type[BaseModel], parts: list[str]) -> tuple[type[BaseModel], str]:
    """Walk a dotted path through the schema; return the owning model and the field name."""
    current: type[BaseModel] = model
    for i, part in enumerate(parts[:-1]):
        if current is Assumptions and part == "channels":
            # channels.<name>.<field>: the channel name is free, its fields are Channel's.
            rest = parts[i + 2:]
            if not rest:
                raise KeyError(".".join(parts))
            return _model_at(Channel, rest)
        if current is Channel and part == "spend":
            name = parts[-1]
            for option in (ConstantSpend, LinearSpend, ExplicitSpend):
                if name in option.model_fields:
                    return option, name
            raise KeyError(".".join(parts))
        field = current.model_fields.get(part)
        if field is None or not isinstance(field.annotation, type) or not issubclass(
            field.annotation, BaseModel
        ):
            raise KeyError(".".join(parts))
        current = field.annotation
    return current, parts[-1]


def field_meta(path: str) -> FieldMeta:
    """Metadata of the numeric field at a dotted path of :class:`Assumptions`.

    Examples
    --------
    What unit and range does the social lift on word of mouth take?

    >>> m = field_meta("social.word_of_mouth_lift")
    >>> (m.unit, m.low, m.high)
    ('share', 0.0, 5.0)
    >>> field_meta("channels.tv.carryover").allowed()
    'a number in [0, 0.95] (share/month)'
    """
    owner, name = _model_at(Assumptions, path.split("."))
    info = owner.model_fields.get(name)
    if info is None:
        raise KeyError(path)
    low = high = None
    low_inclusive = True
    for constraint in info.metadata:
        if getattr(constraint, "ge", None) is not None:
            low = float(constraint.ge)
        if getattr(constraint, "gt", None) is not None:
            low, low_inclusive = float(constraint.gt), False
        if getattr(constraint, "le", None) is not None:
            high = float(constraint.le)
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    if "unit" not in extra:
        raise KeyError(path)
    return FieldMeta(
        path=path,
        label=str(extra.get("label") or name.replace("_", " ").capitalize()),
        unit=str(extra["unit"]),
        description=info.description or "",
        low=low,
        high=high,
        low_inclusive=low_inclusive,
        step=extra.get("step"),  # type: ignore[arg-type]
        integer=info.annotation is int,
    )
