"""Report prose kept as constants: every sentence the report states that is not a number.

Placeholders in braces are filled by :mod:`roi_models.report.views` with
already formatted (and, in the template, HTML-escaped) figures.
"""

from __future__ import annotations

DEFAULT_TITLE = "Traditional or social marketing: the business case"

RECOMMEND_PLAN = (
    "Recommendation: adopt the {plan} plan. Against the status quo it adds an NPV of {npv} "
    "over {months} months (ROI {roi}, IRR {irr}) and {payback}."
)
RECOMMEND_STATUS_QUO = (
    "Recommendation: keep the status quo. No plan in this file beats doing nothing over "
    "{months} months; the best, {plan}, has an NPV of {npv}."
)
PAYBACK_IN = "pays back in month {month}"
PAYBACK_NEVER = "does not pay back within the horizon"

SURE_ROBUST = (
    "How sure: the case holds under the checks available today. With benefits cut by "
    "{benefits_cut} and costs raised by {costs_up} its NPV is still {risk_npv}; {stress}; "
    "benefits could fall by {breakeven} before it stops paying."
)
SURE_FRAGILE = (
    "How sure: the case is fragile. With benefits cut by {benefits_cut} and costs raised by "
    "{costs_up} its NPV is {risk_npv}; {stress}; benefits need only fall by {breakeven} "
    "before it stops paying."
)
STRESS_ADDED = "with the viral-event stress it is {stress_npv}"
STRESS_INCLUDED = (
    "its NPV already includes the viral event of month {month}, which the file puts in every "
    "scenario"
)
SURE_STATUS_QUO = (
    "Even with benefits as stated, no plan recovers its costs; the risk section shows how "
    "the plans fare under a viral event."
)
RANGE_LATER = (
    "The range of outcomes and the probability of beating the status quo will come with "
    "the Monte Carlo analysis; this report states no probability."
)
RUNNER_UP = "The next best plan, {plan}, has an NPV of {npv}."

KPI_LABELS: dict[str, str] = {
    "npv": "NPV",
    "roi": "ROI",
    "irr_annual": "IRR",
    "payback_month": "Payback",
    "cac": "CAC",
    "clv_to_cac": "CLV / CAC",
    "cost_of_sales_share": "Cost of sales",
    "churn_monthly_avg": "Average churn",
}
KPI_HELP: dict[str, str] = {
    "npv": "incremental, vs status quo",
    "roi": "(PV benefits - PV costs) / PV costs",
    "irr_annual": "of the incremental flows, a year",
    "payback_month": "first month the cumulative gain stays >= 0",
    "cac": "acquisition cost per customer won",
    "clv_to_cac": "lifetime value per unit of CAC",
    "cost_of_sales_share": "share of revenue",
    "churn_monthly_avg": "customers lost a month",
}

MISSING_BASELINE = "n/a (this is the baseline)"
MISSING_IRR = "n/a (the incremental flows never change sign)"
MISSING_PAYBACK = "n/a (does not pay back within {months} months)"
MISSING_ROI = "n/a (no incremental costs)"
MISSING_CAC = "n/a (no customers acquired)"
MISSING_RATIO = "n/a (no acquisition cost)"
MISSING_VALUE = "n/a (not used in this scenario)"
MISSING_GENERIC = "n/a (not available)"

INTRO_TABLE = (
    "Costs and benefits against the status quo, per year, as in a total-economic-impact "
    "study. An incremental inflow or saving is a benefit, an incremental outflow or loss a "
    "cost (component by component, month by month). Initial is month 0 and is not "
    "discounted; year n is discounted by (1 + {rate})^n. The risk-adjusted table cuts "
    "benefits by {benefits_cut} and raises costs by {costs_up}."
)
TABLE_BASIS_NOTE = (
    "The tables discount annual sums once a year, so their NPV differs slightly from the "
    "monthly NPV in the summary, which discounts every month."
)
INTRO_WHATIF = (
    "Move the slider to shift the {plan} plan's channel budget between traditional and "
    "social channels: total spend and its timing stay as planned, only the split changes "
    "(the same share in every month; within each kind, channels keep their proportions). "
    "Every step was computed in advance by the same simulation, so the slider works "
    "offline."
)
WHATIF_MISSING = (
    "n/a (no scenario has both a traditional and a social channel to move budget between)"
)
INTRO_DRIVERS = (
    "Where the NPV comes from. Acquisition is the gross profit of the customers won "
    "differently, at the status quo's churn; retention is the gross profit of customers kept "
    "longer; the other bars are the present value of incremental costs (negative) or savings "
    "(positive). The bars add up exactly to the NPV."
)
INTRO_RISK = (
    "A false viral story breaks in month {month}: it cuts acquisition by up to {hit} and adds "
    "up to {churn} monthly churn, halving every {half_life} months; listening and response "
    "capability avoids up to {mitigation} of the damage. It hits the status quo too, so each "
    "plan is compared with the stressed status quo."
)
RISK_LATER = (
    "Sensitivity (tornado) and Monte Carlo analyses are not part of this toolkit yet; once "
    "they exist, their tornado and the distribution of outcomes appear here."
)
INTRO_REGISTER = (
    "Every assumption the status quo rests on, with its source. The other scenarios list "
    "only what they change; everything else is as in the status quo."
)
NO_OWN_SOURCE = "no source given for this scenario's value"

METHODOLOGY: tuple[tuple[str, str], ...] = (
    ("Period and timing",
     "One period is a month. Month 0 is the decision date and holds one-time costs only; "
     "months 1..T run the plan. A customer acquired in month t first pays in month t + 1."),
    ("Discounting",
     "Monthly rate r_m = (1 + r)^(1/12) - 1 from the annual rate r. NPV = sum over t of "
     "CF_t / (1 + r_m)^t, month 0 undiscounted; CF_t is the plan's net cash flow minus the "
     "status quo's."),
    ("ROI",
     "ROI = (PV benefits - PV costs) / PV costs (Forrester TEI), where each incremental "
     "component is a benefit when it raises cash and a cost when it lowers it. It is not "
     "revenue over spend (that is ROAS)."),
    ("IRR and payback",
     "IRR: the monthly rate at which the incremental NPV is zero, annualised as "
     "(1 + irr_m)^12 - 1; n/a when the flows never change sign. Payback month: the first "
     "month after which the cumulative incremental cash flow stays at or above zero "
     "(discounted payback: the same on discounted flows)."),
    ("Channels",
     "Carry-over a(t) = s(t) + lambda a(t-1); leads = Lmax a^alpha / (a^alpha + K^alpha) "
     "(diminishing returns). Leads become opportunities and customers through the funnel; "
     "social leads cost less per opportunity, win more often and close sooner."),
    ("Word of mouth and retention",
     "Bass: organic adopters = (p + q_eff A/M)(M - U), q_eff = q (1 + beta e); p and q per "
     "year divided by 12. Churn = churn0 (1 - gamma e) + downturn + viral shock; a downturn "
     "raises churn whatever the engagement e."),
    ("CAC and CLV",
     "CAC = (channel spend + cost of sales of a kind) / customers won from it; blended CAC "
     "adds referral rewards over all customers acquired. CLV = present value of a "
     "customer's future monthly margin given its churn, with the Gupta & Lehmann (2003) "
     "perpetuity m r / (1 + i - r) beyond the horizon."),
    ("Cost of sales and churn",
     "Cost of sales share = cost of sales / revenue over months 1..T. Average churn = "
     "customers lost / customer-months at risk."),
)
