"""How every figure is written: one style for the CLI, the explorer, the report, charts and notebooks.

The rules, stated once (tests pin them):

- **Amounts** carry the currency code first and a leading minus for
  negatives: ``EUR 9.2 m``, ``-EUR 1.0 m``, ``EUR 229,535``, ``EUR 1.3 bn``.
  :func:`money` is compact (millions and billions with one decimal, smaller
  amounts in whole units); :func:`money_exact` gives whole units always (tables
  where a reader adds up the euros).
- **Shares and rates** are percentages with a space before the sign:
  ``174 %``, ``3.4 %``, ``1.02 % a month``, ``132 % a year``.
- **Months** are counted from the decision date (month 0): ``month 27``.
- **Ratios** are multiples: ``7.0x``.
- **Counts** are whole numbers with thousands separators: ``2,677``.
- **Missing** figures read ``n/a (why)``, never ``nan``: the reason of each
  KPI is in :data:`MISSING` (:func:`format_kpi` picks it).

:data:`KPIS` holds the one set of KPI labels, units and one-line meanings
that every surface uses; :func:`format_kpi` writes a KPI value,
:func:`kpi_header` a column header with its unit, and :func:`money_ticks`
axis ticks in the same units as the text.

Examples
--------
How do the B2B social plan's headline figures read?

>>> money(9_212_345.6, "EUR"), money(-1_034_000, "EUR"), money(229_535.2, "EUR")
('EUR 9.2 m', '-EUR 1.0 m', 'EUR 229,535')
>>> format_kpi("roi", 1.741, "EUR"), format_kpi("payback_month", 27, "EUR")
('174 %', 'month 27')
>>> format_kpi("irr_annual", None, "EUR")
'n/a (the incremental flows never change sign)'
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

Style = Literal["money", "percent", "percent_year", "percent_month", "month", "ratio", "count"]

MINUS = "-"  # ASCII, so that a figure copied from any surface parses as a number


def is_missing(value: Any) -> bool:
    """True for None, pandas' NA and NaN/inf; False for any finite number.

    >>> is_missing(None), is_missing(float("nan")), is_missing(0.0)
    (True, True, False)
    """
    if value is None:
        return True
    try:
        return not math.isfinite(float(value))
    except (TypeError, ValueError):  # pandas.NA raises TypeError on float()
        return True


def money(value: Any, currency: str, *, digits: int = 1) -> str:
    """A compact amount: millions and billions with ``digits`` decimals, else whole units.

    >>> money(7_171_615.9, "EUR"), money(-850_000, "EUR"), money(950.4, "USD")
    ('EUR 7.2 m', '-EUR 850,000', 'USD 950')
    >>> money(2.5e9, "EUR"), money(None, "EUR")
    ('EUR 2.5 bn', 'n/a')
    """
    if is_missing(value):
        return "n/a"
    v = float(value)
    a = abs(v)
    if round(a / 1e9, digits) >= 1:
        text = f"{a / 1e9:,.{digits}f} bn"
    elif round(a / 1e6, digits) >= 1:
        text = f"{a / 1e6:,.{digits}f} m"
    else:
        text = f"{a:,.0f}"
    return _signed(v, f"{currency} {text}")


def money_exact(value: Any, currency: str | None = None) -> str:
    """An amount in whole units with thousands separators (``currency`` prefixed when given).

    >>> money_exact(-12_434_942.4, "EUR"), money_exact(1234.5), money_exact(-0.4)
    ('-EUR 12,434,942', '1,234', '0')
    """
    if is_missing(value):
        return "n/a"
    v = float(value)
    text = f"{abs(v):,.0f}"
    if currency:
        text = f"{currency} {text}"
    return _signed(v, text)


def _signed(v: float, text: str) -> str:
    """A leading minus for negatives that do not round to zero."""
    digits = [c for c in text if c.isdigit()]
    if v < 0 and any(c != "0" for c in digits):
        return MINUS + text
    return text


def percent(value: Any, digits: int = 0, suffix: str = "") -> str:
    """A share as a percentage: ``percent(0.1234, 1) == '12.3 %'``; ``suffix`` follows it.

    >>> percent(1.741), percent(0.0102, 2, " a month"), percent(-0.05, 1)
    ('174 %', '1.02 % a month', '-5.0 %')
    """
    if is_missing(value):
        return "n/a"
    v = 100 * float(value)
    text = f"{abs(v):,.{digits}f} %"
    return _signed(v, text) + suffix


def month(value: Any) -> str:
    """A month counted from the decision date: ``month 27``.

    >>> month(27.0), month(None)
    ('month 27', 'n/a')
    """
    if is_missing(value):
        return "n/a"
    return f"month {int(round(float(value)))}"


def ratio(value: Any, digits: int = 1) -> str:
    """A multiple: ``ratio(7.02) == '7.0x'``."""
    if is_missing(value):
        return "n/a"
    return f"{float(value):,.{digits}f}x"


def count(value: Any) -> str:
    """A whole number of customers, contacts...: ``count(2677.4) == '2,677'``."""
    if is_missing(value):
        return "n/a"
    return money_exact(value)


# ----------------------------------------------------------------------------- KPIs
@dataclass(frozen=True)
class Kpi:
    """How one KPI is named, written and explained."""

    key: str
    label: str
    style: Style
    help: str
    missing: str  # the reason shown when the figure does not exist
    incremental: bool  # against the status quo (meaningless for the status quo itself)


MISSING_BASELINE = "n/a (this is the baseline)"

KPIS: dict[str, Kpi] = {k.key: k for k in (
    Kpi("npv", "NPV", "money", "incremental, against the status quo",
        "n/a (not available)", True),
    Kpi("roi", "ROI", "percent", "(PV benefits - PV costs) / PV costs",
        "n/a (no incremental costs)", True),
    Kpi("irr_annual", "IRR", "percent_year", "of the incremental cash flows",
        "n/a (the incremental flows never change sign)", True),
    Kpi("payback_month", "Payback", "month",
        "first month after which the cumulative incremental cash flow stays >= 0",
        "n/a (does not pay back within the horizon)", True),
    Kpi("discounted_payback_month", "Discounted payback", "month",
        "as payback, on the discounted cash flow", "n/a (does not pay back within the horizon)",
        True),
    Kpi("mirr_annual", "MIRR", "percent_year",
        "modified IRR: outflows financed and inflows reinvested at the discount rate",
        "n/a (the incremental flows never change sign)", True),
    Kpi("cac", "CAC (paid)", "money",
        "channel spend and cost of sales per customer won by the paid channels",
        "n/a (no customers won by paid channels)", False),
    Kpi("cac_blended", "CAC (blended)", "money",
        "all acquisition costs, referral rewards included, per customer acquired, free "
        "word-of-mouth customers included", "n/a (no customers acquired)", False),
    Kpi("clv", "CLV", "money", "present value of a customer's future margin",
        "n/a (no customers acquired)", False),
    Kpi("clv_to_cac", "CLV / CAC (paid)", "ratio",
        "value of a customer won by the paid channels per its acquisition cost",
        "n/a (no acquisition cost)", False),
    Kpi("cost_of_sales_share", "Cost of sales", "percent", "share of revenue",
        "n/a (no revenue)", False),
    Kpi("churn_monthly_avg", "Average churn", "percent_month", "customers lost a month",
        "n/a (no customers)", False),
    Kpi("customers_end", "Customers", "count", "active customers at the end of the horizon",
        "n/a (not available)", False),
)}
"""Every KPI any surface shows, by the key of :attr:`roi_models.ScenarioResults.summary`.

``cac`` is CAC (paid), the headline (the JSON document also names it ``cac_paid``);
CAC (blended) counts the free organic customers and is shown beside it, never instead."""

EXTRA_SPEND_LABEL = "Extra spend"
EXTRA_SPEND_HELP = ("channel and programme spend over the horizon minus the status quo's, "
                    "undiscounted")

IRR_CAVEATS: dict[int, str] = {
    1: "not a meaningful rate: the plan has no material up-front outlay (it never has "
       "more than 10 % of the present value of its costs out of pocket); read the MIRR",
    2: "not a meaningful rate: above 100 % a year, it assumes all the cash the plan returns "
       "is reinvested at that rate; read the MIRR",
}
"""Why an IRR is shown with a caveat, by the code of :func:`roi_models.engine.finance.irr_caveat`
(0: a meaningful rate, no caveat)."""


def irr_caveat_text(code: Any) -> str | None:
    """The caveat of an IRR (:data:`IRR_CAVEATS`), or None for a meaningful rate or no IRR.

    >>> irr_caveat_text(2)[:40], irr_caveat_text(0), irr_caveat_text(None)
    ('not a meaningful rate: above 100 % a yea', None, None)
    """
    if is_missing(code):
        return None
    return IRR_CAVEATS.get(int(code))

_UNITS: dict[Style, str] = {
    "money": "{currency}", "percent": "%", "percent_year": "% a year",
    "percent_month": "% a month", "month": "month", "ratio": "x", "count": "",
}


def format_kpi(key: str, value: Any, currency: str, *, baseline: bool = False,
               exact: bool = False, horizon: int | None = None) -> str:
    """One KPI as text in the house style (see the module docstring).

    ``baseline``: the row is the status quo itself, whose incremental figures
    read "n/a (this is the baseline)"; ``exact``: amounts in whole units
    (:func:`money_exact`) instead of the compact form; ``horizon`` names the
    months in a missing payback's reason.

    >>> format_kpi("npv", 7_171_615.9, "EUR"), format_kpi("npv", 7_171_615.9, "EUR", exact=True)
    ('EUR 7.2 m', 'EUR 7,171,616')
    >>> format_kpi("npv", 0.0, "EUR", baseline=True)
    'n/a (this is the baseline)'
    >>> format_kpi("payback_month", None, "EUR", horizon=60)
    'n/a (does not pay back within 60 months)'
    """
    kpi = KPIS[key]
    if baseline and kpi.incremental:
        return MISSING_BASELINE
    if is_missing(value):
        if horizon is not None and kpi.style == "month":
            return f"n/a (does not pay back within {horizon} months)"
        return kpi.missing
    v = float(value)
    style = kpi.style
    if style == "money":
        return money_exact(v, currency) if exact else money(v, currency)
    if style == "percent":
        return percent(v, 1 if abs(v) < 0.1 else 0)
    if style == "percent_year":
        return percent(v, 0, " a year")
    if style == "percent_month":
        return percent(v, 2, " a month")
    if style == "month":
        return month(v)
    if style == "ratio":
        return ratio(v)
    return count(v)


def kpi_header(key: str, currency: str) -> str:
    """A column header with the KPI's unit: ``kpi_header("cac", "EUR") == 'CAC, EUR'``.

    >>> kpi_header("irr_annual", "EUR"), kpi_header("payback_month", "EUR")
    ('IRR, % a year', 'Payback, month')
    """
    kpi = KPIS[key]
    unit = _UNITS[kpi.style].format(currency=currency)
    return f"{kpi.label}, {unit}" if unit else kpi.label


def kpi_table(summary: Any, currency: str, *, baseline: str = "status_quo",
              horizon: int | None = None) -> Any:
    """The KPI table as text: one row per scenario, one column per KPI of :data:`KPIS`.

    ``summary`` is :attr:`roi_models.ScenarioResults.summary` (a ``scenario`` column
    and one column per KPI key); the incremental KPIs of the ``baseline`` row read
    "n/a (this is the baseline)". Headers carry the unit (:func:`kpi_header`).

    >>> import pandas as pd
    >>> frame = pd.DataFrame({"scenario": ["status_quo", "social"], "npv": [0.0, 9.2e6],
    ...                       "roi": [None, 1.741]})
    >>> kpi_table(frame, "EUR").to_dict(orient="index")["social"]
    {'NPV, EUR': 'EUR 9.2 m', 'ROI, %': '174 %'}
    """
    import pandas as pd  # here: the formatting rules themselves need no pandas

    keys = [k for k in KPIS if k in summary.columns]
    rows = {
        row["scenario"]: {
            kpi_header(k, currency): format_kpi(k, row[k], currency, horizon=horizon,
                                                baseline=row["scenario"] == baseline)
            for k in keys
        }
        for _, row in summary.iterrows()
    }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "scenario"
    return table


# ----------------------------------------------------------------------------- axes
def money_ticks(low: float, high: float, currency: str, *, target: int = 6
                ) -> tuple[list[float], list[str]]:
    """Tick positions and texts for an amount axis over [low, high], in the text's style.

    Ticks fall on a 1-2-5 step; every text uses the unit of the largest tick
    (``EUR 2 m``, ``EUR 4 m``... or ``EUR 250,000``) so an axis reads like the
    figures around it.

    >>> money_ticks(-1.2e6, 9.3e6, "EUR")[1]
    ['-EUR 2 m', 'EUR 0', 'EUR 2 m', 'EUR 4 m', 'EUR 6 m', 'EUR 8 m', 'EUR 10 m']
    """
    lo, hi = float(min(low, high)), float(max(low, high))
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return [], []
    if hi - lo <= 0:
        hi = lo + max(1.0, abs(lo))
    power = 10.0 ** math.floor(math.log10((hi - lo) / target))
    step = next(m * power for m in (1, 2, 5, 10, 20)  # the finest with at most target intervals
                if math.ceil(hi / (m * power)) - math.floor(lo / (m * power)) <= target)
    first, last = math.floor(lo / step), math.ceil(hi / step)
    values = [k * step for k in range(first, last + 1)]
    top = max(abs(values[0]), abs(values[-1]))
    scale, unit = (1e9, " bn") if top >= 1e9 else (1e6, " m") if top >= 1e6 else (1.0, "")
    decimals = 0
    while decimals < 3 and any(abs(round(v / scale, decimals) - v / scale) > 1e-9 * max(1, top)
                               for v in values):
        decimals += 1
    texts = []
    for v in values:
        if v == 0:
            texts.append(f"{currency} 0")
        else:
            texts.append(_signed(v, f"{currency} {abs(v) / scale:,.{decimals}f}{unit}"))
    return values, texts


__all__ = [
    "EXTRA_SPEND_HELP", "EXTRA_SPEND_LABEL", "IRR_CAVEATS", "KPIS", "MISSING_BASELINE", "Kpi",
    "count", "format_kpi", "irr_caveat_text", "is_missing", "kpi_header", "kpi_table",
    "money", "money_exact", "money_ticks", "month", "percent", "ratio",
]
