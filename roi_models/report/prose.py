"""Report prose kept as constants: every sentence the report states that is not a number.

Placeholders in braces are filled by :mod:`roi_models.report.views` with
already formatted (and, in the template, HTML-escaped) figures.
"""

from __future__ import annotations

DEFAULT_TITLE = "Traditional or social marketing: the business case"

RECOMMEND_PLAN = (
    "Recommendation: adopt the plan \u201c{plan}\u201d. Against the status quo it adds an NPV of "
    "{npv} over {months} months (ROI {roi}, IRR {irr}) and {payback}."
)
IRR_IN_SENTENCE_CAVEAT = "{irr}, not a meaningful rate; MIRR {mirr}"
"""The IRR in the recommendation when it carries a caveat (see the note under the table)."""
RECOMMEND_STATUS_QUO = (
    "Recommendation: keep the status quo. No plan in this file beats doing nothing over "
    "{months} months; the best, \u201c{plan}\u201d, has an NPV of {npv}."
)
PAYBACK_IN = "pays back in {month}"
PAYBACK_NEVER = "does not pay back within the horizon"

BUDGET_NEUTRAL_TOLERANCE = 0.01
"""A plan is budget-neutral when its channel and programme spend over the horizon is
within this share of the status quo's."""
BUDGET_MORE = (
    "It is not budget-neutral: this plan spends {amount} more than the status quo over "
    "{months} months (channels and programme: {plan_total} against {base_total}), so part of "
    "its gain is bought with that extra budget."
)
BUDGET_LESS = (
    "It is not budget-neutral: this plan spends {amount} less than the status quo over "
    "{months} months (channels and programme: {plan_total} against {base_total})."
)
BUDGET_NEUTRAL = (
    "It is budget-neutral: over {months} months it spends what the status quo spends on "
    "channels and programme ({plan_total}), only differently."
)

SURE_ROBUST = (
    "How sure: {sensitive} With benefits cut by {benefits_cut} and costs raised by "
    "{costs_up} its NPV is still {risk_npv}; {stress}; benefits could fall by {breakeven} "
    "before it stops paying."
)
SURE_FRAGILE = (
    "How sure: the case is fragile. {sensitive} With benefits cut by {benefits_cut} and costs "
    "raised by {costs_up} its NPV is {risk_npv}; {stress}; benefits need only fall by "
    "{breakeven} before it stops paying."
)
SENSITIVE_MARGIN = (
    "the decision is most sensitive to {field}, which could be {how} before {rival} wins "
    "({ranges} times the width of the file's range for it, {low} to {high})."
)
SENSITIVE_NONE = (
    "no uncertain assumption, moved alone anywhere within its bounds, makes another plan win; "
    "the NPV moves most with {field} ({kpi_low} to {kpi_high} over the file's range)."
)
SENSITIVE_NO_RANGES = (
    "the file gives no uncertainty ranges, so this report cannot say which assumption the "
    "decision rests on."
)
STRESS_ADDED = "with the viral-event stress it is {stress_npv}"
STRESS_ADDED_HIGHER = (
    "with the viral-event stress it is {stress_npv}, higher than without it because the "
    "event hits the status quo harder than this plan, and the NPV is measured against the "
    "status quo"
)
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
HOW_LIKELY = (
    "How likely: over {draws} Monte Carlo draws of the file's uncertain assumptions, viral "
    "stories and downturn, \u201c{plan}\u201d beats the status quo in {p_positive} of draws and "
    "{runner_up_clause}; its NPV lies between {p10} and {p90} in eight draws out of ten "
    "(P10 to P90, median {p50})."
)
HOW_LIKELY_RUNNER_UP = "the next best plan, \u201c{plan}\u201d, in {p_beats}"
HOW_LIKELY_ALONE = "it is the only plan"
HOW_LIKELY_STATUS_QUO = (
    "How likely: over {draws} Monte Carlo draws, the best plan, \u201c{plan}\u201d, beats the "
    "status quo in only {p_positive} of draws (NPV from {p10} to {p90}, P10 to P90)."
)
INTRO_MONTECARLO = (
    "{draws} draws of the uncertain assumptions of the file (Latin hypercube, with its rank "
    "correlations), of negative viral stories ({rate} a month on average, of uncertain "
    "severity) and of the downturn{downturn}: every plan meets the same draws, so "
    "\u201cbeats\u201d is a paired comparison. Seed {seed}: the same seed gives the same "
    "figures."
)
INTRO_IMPORTANCE = (
    "What drives the spread of the NPV of \u201c{plan}\u201d: the rank correlation of each drawn "
    "input with the NPV (with the file's correlations), and Sobol indices, the share of the "
    "NPV's variance each input explains alone (first order) and with its interactions (total "
    "order), which assume independent inputs."
)
INTRO_INSURANCE = (
    "Response capability as insurance: on the same draws, the NPV each plan loses to viral "
    "stories with its listening and response capability and without any. The difference is "
    "the expected loss the capability avoids, next to the present value of the programme "
    "that pays for it (which buys more than response)."
)
MONTECARLO_TABLE_NOTE = (
    "P10, P50, P90: quantiles of the NPV against the status quo over {draws} draws; VaR 5 %: "
    "the NPV that 95 % of draws reach; ES 5 %: the mean NPV of the worst 5 % of draws; "
    "P(beats the next best): against the plan with the next highest mean NPV, on paired draws."
)
ANNUAL_QUANTILES_NOTE = (
    "Net benefits P10, P50 and P90: the quantiles of each column over {draws} Monte Carlo "
    "draws, taken column by column (a row is not one draw's path)."
)
RUNNER_UP = "The next best plan, \u201c{plan}\u201d, has an NPV of {npv}{budget}."
RUNNER_UP_BUDGET = " and spends {amount} {more_less} than the status quo"

KPI_HELP_REPORT: dict[str, str] = {
    "npv": "incremental, against the status quo, discounted monthly",
    "payback_month": "undiscounted, counted from month 0 (note below)",
}
"""Card help texts that differ from :data:`roi_models.formatting.KPIS` in the report."""

PAYBACK_CONVENTION = (
    "Payback, throughout this report, is the first month after which the cumulative "
    "incremental cash flow (undiscounted) stays at or above zero, counted from the decision "
    "date (month 0). Where a payback is discounted, it says so."
)
KPI_TABLE_NOTE = (
    "NPV, ROI, IRR, MIRR and payback are incremental: each plan's net cash flow minus the "
    "status quo's. CAC, CLV/CAC, cost of sales and churn describe each plan on its own. "
    "CAC (paid) is the cost of a customer won by the paid channels; CAC (blended) also "
    "counts the free word-of-mouth and referral customers, so it is lower and falls whenever "
    "word of mouth grows; CLV / CAC uses the paid figure. Extra spend: channel and programme "
    "spend over the horizon, undiscounted, minus the status quo's (the status quo's row "
    "gives its total; 'same' within 1 %, budget-neutral)."
)
IRR_CAVEAT_NOTE = (
    "* Not a meaningful rate: {reasons}. The MIRR beside it finances the outflows and "
    "reinvests the inflows at the discount rate."
)
IRR_CAVEAT_REASONS = {
    1: "no material up-front outlay (the plan never has more than 10 % of the present "
       "value of its costs out of pocket)",
    2: "above 100 % a year (it would assume every inflow is reinvested at that rate)",
}
TERMINAL_VALUE_NONE = (
    "Terminal value: none (finance.terminal_value: none, as total-economic-impact studies "
    "do): every NPV stops at month {months}. Counting the customers still active then at their "
    "customer value (customer_value) would give \u201c{plan}\u201d an NPV of {other}."
)
TERMINAL_VALUE_CUSTOMER = (
    "Terminal value: customer_value: every NPV includes the customers active at month "
    "{months} valued at their customer value and discounted to month 0 (total-economic-impact "
    "studies count none). Without it, \u201c{plan}\u201d has an NPV of {other}."
)

MISSING_VALUE = "n/a (not used in this scenario)"

INTRO_TABLE = (
    "Costs and benefits against the status quo, per year, as in a total-economic-impact "
    "study. An incremental inflow or saving is a benefit, an incremental outflow or loss a "
    "cost (component by component, month by month). Initial is month 0 and is not "
    "discounted; year n is discounted by (1 + {rate})^n. The risk-adjusted table cuts "
    "benefits by {benefits_cut} and raises costs by {costs_up}."
)
TABLE_BASIS_NOTE = (
    "The tables discount each year's sum once, at the year's end, as TEI studies do; the "
    "summary discounts every month. Cash that arrives during a year is discounted a little "
    "less month by month, so a plan whose gains come later has a somewhat higher monthly NPV "
    "than annual NPV. Payback is in months, as in the summary."
)
TEI_NPV_NOTE = (
    "annual discounting; the summary's monthly NPV is {monthly}, {higher_lower} because it "
    "discounts each month's cash from the month it arrives, not from the year's end"
)
INTRO_CASHFLOW = (
    "Each month's discounted incremental cash flow against the status quo (bars, left axis) "
    "and its running total (line, right axis), whose last value is the NPV. The dashed line "
    "marks the discounted payback: the month the running total of discounted cash turns "
    "positive for good."
)
CASHFLOW_PAYBACK_GAP = (
    "For \u201c{plan}\u201d that is {discounted}, against {payback} in the summary: "
    "discounting shrinks the later gains that repay the early outlay, so the discounted "
    "running total needs {gap} longer."
)
CASHFLOW_PAYBACK_SAME = (
    "For \u201c{plan}\u201d that is {discounted}, the same month as the summary's payback."
)
CASHFLOW_MENU_SCREEN = "Pick another plan in the menu above the chart."
CASHFLOW_MENU_PRINT = "The other plans follow as small charts."
INTRO_WHATIF = (
    "What if the \u201c{plan}\u201d plan split its channel budget differently between "
    "traditional and social channels? Total spend and its timing stay as planned, only the "
    "split changes (the same share in every month; within each kind, channels keep their "
    "proportions); {moved_label} of 0 is the plan as in its file, +100 % moves all its "
    "traditional budget to social, -100 % all its social budget to traditional."
)
WHATIF_SCREEN = (
    "Drag the slider under the chart: every step was computed in advance by the same "
    "simulation, so it works offline."
)
WHATIF_PRINT = (
    "On paper the chart shows the plan as in its file; the lower panel gives the NPV of "
    "every split from -100 % to +100 %."
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
RISK_INCLUDED = (
    "This file puts the event in every scenario, the status quo included: every NPV in this "
    "report already carries it, and there is no event-free case to compare with. To see the "
    "plans without it, switch viral_event.enabled off in a copy of the file."
)
RISK_HIGHER = (
    "With the event, {plans} {verb} a higher NPV than without it: the event hits the status "
    "quo harder than {pronoun}, because listening and response capability limits the damage, "
    "and the NPV is measured against the stressed status quo."
)
RISK_LATER = (
    "The tornado moves one assumption at a time and ignores how assumptions move together; "
    "the distribution of outcomes and the probability of beating each plan come with the "
    "Monte Carlo analysis, not yet part of this toolkit."
)
INTRO_SENSITIVITY = (
    "Which assumptions carry the case of \u201c{plan}\u201d: each uncertain assumption of the "
    "file at the low and at the high end of its range, every other one as in the file "
    "(today's NPV {npv}). The assumptions that matter most are on top."
)
INTRO_MARGINS = (
    "How far each assumption can move, alone, before the recommendation changes: the value "
    "at which another plan's NPV equals that of \u201c{plan}\u201d, searched over everything "
    "the assumption can take, and its distance from today's value in widths of its "
    "uncertainty range."
)
NO_SENSITIVITY = (
    "The file gives no uncertainty ranges (its uncertainty section is empty), so there is no "
    "tornado and no decision margin."
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
     "Carry-over a(t) = s(t) + lambda a(t-1), lambda per month (published weekly ranges "
     "converted as lambda_week^(52/12)); leads = Lmax a^alpha / (a^alpha + K^alpha) "
     "(diminishing returns). Leads become opportunities and customers through the funnel; "
     "where the file says so, social leads cost less per opportunity, win more often and "
     "close sooner. Every channel, traditional or social, can also raise awareness and count "
     "towards engagement, each by its own assumption: a channel's kind changes nothing by "
     "itself."),
    ("Word of mouth and retention",
     "Bass: organic adopters = (p_eff + q_eff A/M)(M - U), integrated over each month; p and "
     "q per year divided by 12. Awareness (Generalized Bass Model): p_eff = p (1 + sum of "
     "w_c h_c(t)) / (1 + sum of w_c h_c(0)), h_c = a_c / (a_c + K_c), so p is today's hazard "
     "and spend above or below today's moves it. Community effects reach the customers who "
     "take part, pi = cap x e: q_eff = q (1 + beta pi); churn = churn0 (1 - (1 - s) gamma "
     "pi) + downturn + viral shock, where s is the share of the members' lower churn that is "
     "self-selection (loyal customers join); support cost falls by deflection x pi; a "
     "downturn raises churn whatever the engagement."),
    ("Referrals and word of mouth",
     "Word of mouth (Bass imitation) is unprompted; the referral programme is prompted and "
     "rewarded: referrals = r c (1 + lift pi) A. Its customers come out of the same remaining "
     "market, and the share of them who would have come by word of mouth anyway is moved from "
     "the organic customers to the referral ones, not added, so no customer is counted twice."),
    ("CAC and CLV",
     "CAC = (channel spend + cost of sales of a kind) / customers won from it; blended CAC "
     "adds referral rewards over all customers acquired. CLV = present value of a "
     "customer's future monthly margin given its churn, with the Gupta & Lehmann (2003) "
     "perpetuity m r / (1 + i - r) beyond the horizon."),
    ("Cost of sales and churn",
     "Cost of sales share = cost of sales / revenue over months 1..T. Average churn = "
     "customers lost / customer-months at risk."),
)

METHODOLOGY_HEADLINE: tuple[tuple[str, str], ...] = (
    ("CAC (paid) and CAC (blended)",
     "The headline CAC is CAC (paid): all channel spend plus all cost of sales, divided by "
     "the customers won by the traditional and social channels. CAC (blended) divides the "
     "same costs plus referral rewards by every customer acquired, the free word-of-mouth "
     "(organic) and referral customers included; it is shown beside the paid figure under "
     "its own name because it falls whenever word of mouth grows, whatever the channels "
     "achieve. CLV / CAC is the CLV of the customers won by the paid channels over CAC "
     "(paid): value and cost of the same customers, the conservative ratio."),
    ("ROI line by line",
     "Benefits and costs are taken line by line at the finest level the model has: gross "
     "profit, each channel's spend (every channel its own line), cost of sales of each kind, "
     "referral rewards, support and programme cost, month by month. A line that rises against "
     "the status quo is a cost, one that falls a benefit, as the line items of a Forrester "
     "TEI study. Netting lines first (all spend as one line) would hide the cost of the "
     "channels a plan raises inside the savings of those it cuts, and the ROI would depend on "
     "how the lines were grouped; split one channel into two halves and this ROI does not "
     "move."),
    ("Terminal value",
     "finance.terminal_value is none by default, as in TEI studies: the NPV stops at the "
     "horizon. With customer_value the customers active at the horizon are valued at their "
     "customer value (the same value as the CLV, with its perpetuity), discounted to month 0 "
     "and added to the last month of the flows of NPV, ROI (its own line), IRR and MIRR; "
     "payback never counts it, since it is not cash received within the horizon. The "
     "summary states the setting and the NPV at the other one."),
    ("IRR and MIRR",
     "An IRR is shown with a caveat when it is not a meaningful rate: when the plan has no "
     "material up-front outlay (it never has more than 10 % of the present value of its "
     "costs out of pocket: almost no money is tied up, so any gain is a huge rate) "
     "or when it is above 100 % a year. Beside it, the modified IRR (numpy-financial's mirr) "
     "finances the outflows and reinvests the inflows at the discount rate, monthly, "
     "annualised as (1 + mirr_m)^12 - 1."),
    ("Extra spend",
     "Each plan's channel and programme spend over the horizon, undiscounted, minus the "
     "status quo's. A plan that spends more is not a like-for-like alternative to a "
     "budget-neutral one: the summary states the difference beside its NPV. The "
     "recommendation ranks plans by NPV, which already charges each plan for what it "
     "spends."),
)
"""The methodology of the headline figures, a paragraph of its own (the model's structure is
in :data:`METHODOLOGY`)."""
