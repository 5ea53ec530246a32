"""The KPI table of the explorer and the comparison notebook: every scenario against the status quo.

NPV, ROI, IRR and payback are those of the incremental cash flow against
the status quo (:func:`roi_models.engine.business_case`); CAC, CLV and
CLV/CAC are the plan's own (:func:`roi_models.engine.plan_metrics`). The
status quo's row shows "baseline" where a comparison with itself means
nothing; a missing figure shows "n/a", never "nan".
"""

from __future__ import annotations

import html
import math
from typing import Any

import pandas as pd

from ..assumptions import STATUS_QUO

KPI_LABELS: dict[str, str] = {
    "npv": "NPV vs status quo",
    "roi": "ROI",
    "irr_annual": "IRR (annual)",
    "discounted_payback_month": "Payback (discounted)",
    "cac": "CAC",
    "clv": "CLV",
    "clv_to_cac": "CLV/CAC",
}
"""Columns shown, in order, with their headers."""

_AGAINST_BASELINE = ("npv", "roi", "irr_annual", "discounted_payback_month")


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and not math.isfinite(value))


def format_kpi(column: str, value: Any) -> str:
    """One KPI as text: ``format_kpi("roi", 1.234) == '123.4 %'``; missing gives 'n/a'.

    >>> format_kpi("npv", 7171615.9), format_kpi("discounted_payback_month", 23.0)
    ('7,171,616', 'month 23')
    >>> format_kpi("irr_annual", float("nan")), format_kpi("clv_to_cac", 3.456)
    ('n/a', '3.5')
    """
    if _missing(value):
        return "n/a"
    v = float(value)
    if column in ("roi", "irr_annual"):
        return f"{v * 100:,.1f} %"
    if column.endswith("payback_month"):
        return f"month {int(v)}"
    if column == "clv_to_cac":
        return f"{v:.1f}"
    return f"{v:,.0f}"


def format_kpis(frame: pd.DataFrame, currency: str) -> pd.DataFrame:
    """The KPI table as text, one row per scenario (from ``summary`` or ``Evaluation.kpis``).

    >>> import roi_models as rm
    >>> res = rm.run_scenarios(rm.load_shipped())
    >>> table = format_kpis(res.summary, res.currency)
    >>> table.loc["status_quo", "NPV vs status quo [EUR]"]
    'baseline'
    """
    rows = {}
    for _, row in frame.iterrows():
        name = row["scenario"]
        rows[name] = {
            _header(col, currency): ("baseline" if name == STATUS_QUO and col in _AGAINST_BASELINE
                                     else format_kpi(col, row[col]))
            for col in KPI_LABELS
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "scenario"
    return table


def _header(column: str, currency: str) -> str:
    label = KPI_LABELS[column]
    if column in ("npv",):
        return f"{label} [{currency}]"
    if column in ("cac", "clv"):
        return f"{label} [{currency}/customer]"
    return label


def kpi_html(frame: pd.DataFrame, currency: str) -> str:
    """The KPI table as an HTML ``<table>``; each cell carries ``data-scenario`` and ``data-kpi``."""
    head = "".join(f"<th>{html.escape(_header(c, currency))}</th>" for c in KPI_LABELS)
    body = []
    for _, row in frame.iterrows():
        name = str(row["scenario"])
        cells = []
        for col in KPI_LABELS:
            text = ("baseline" if name == STATUS_QUO and col in _AGAINST_BASELINE
                    else format_kpi(col, row[col]))
            cells.append(f'<td data-scenario="{html.escape(name)}" data-kpi="{col}">'
                         f"{html.escape(text)}</td>")
        body.append(f"<tr><th>{html.escape(name)}</th>{''.join(cells)}</tr>")
    return (
        '<table class="roi-kpis" style="border-collapse:collapse;font-size:13px">'
        f"<thead><tr><th>scenario</th>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
        "<style>.roi-kpis td,.roi-kpis th{padding:3px 8px;border-bottom:1px solid #ddd;"
        "text-align:right}.roi-kpis tbody th{text-align:left}</style>"
    )
