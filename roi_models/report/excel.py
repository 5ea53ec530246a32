"""The results as an Excel workbook a finance team can work with (openpyxl).

Sheets, in order:

- ``about``: the case, currency, horizon, discount rate, the plans (label and
  key) and how to read the other sheets;
- ``summary``: one row per plan, the business case and plan KPIs;
- ``annual``: the TEI tables as a long table (plan, basis, flow, then
  Initial, Year 1..N, Total, Present value), unadjusted and risk-adjusted;
- ``monthly``: one row per plan and month (:attr:`ScenarioResults.monthly`);
- ``by_source``: one row per plan, customer source and month;
- ``assumptions``: the assumption register of every plan (value, unit with the
  file's currency, source, confidence, owner, validated on, note);
- ``columns``: every sheet's headers with the column keys behind them.

Every header names its unit in words ("Revenue, EUR a month", "IRR, % a year",
"Cumulative incremental cash flow, EUR": a running total is not "a month").
Cells carry number formats: amounts as currency with the file's code
(``"EUR "#,##0``, negatives ``-EUR 1,234``), shares as percentages,
customers, leads and months as whole numbers; missing figures are empty
cells. Each sheet has a styled, frozen header row, an autofilter and column
widths that fit; long texts (sources, notes) wrap.

Text from the scenario file (plan names, sources, owners, notes...) is
always written as text: a value that starts with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return is stored as a string with Excel's quote prefix,
never as a formula (OWASP "CSV/formula injection").

The last sheet, ``columns``, lists every header with the key of its column
in the results' frames; :func:`read_sheet` reads a sheet back with pandas
and those keys.
"""

from __future__ import annotations

import datetime
import io
import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from ..analysis.scenarios import ScenarioResults
from ..assumptions import STATUS_QUO
from ..errors import InputError
from ..files import check_target, write_atomic
from ..formatting import KPIS, kpi_header

SHEETS: tuple[str, ...] = (
    "about", "summary", "annual", "monthly", "by_source", "assumptions", "columns",
)
"""Sheet names, kept as in the first workbook (scripts read them by name)."""
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
"""A text cell starting with one of these could be read as a formula: written as text."""

# ----------------------------------------------------------------------------- columns
@dataclass(frozen=True)
class Column:
    """How one column of a sheet is headed and formatted."""

    key: str
    header: str
    kind: str  # money, count, share, share2, month, ratio, decimal, text, date, wrap


def _formats(currency: str) -> dict[str, str]:
    code = currency.replace('"', "")
    return {
        "money": f'"{code} "#,##0;-"{code} "#,##0;"{code} "0',
        "count": "#,##0",
        "share": '0.0" "%',
        "share2": '0.00" "%',
        "month": "0",
        "ratio": '0.0"x"',
        "decimal": "0.00",
        "date": "yyyy-mm-dd",
    }


# readable names of the results' columns; the unit follows in kind and suffix
_MONTHLY: dict[str, tuple[str, str]] = {
    "month": ("Month (0: decision date)", "month"),
    "active_customers": ("Active customers", "count"),
    "new_customers": ("New customers, a month", "count"),
    "churned_customers": ("Churned customers, a month", "count"),
    "churn_rate": ("Churn rate, % a month", "share2"),
    "engagement": ("Engagement, 0-1", "decimal"),
    "revenue": ("Revenue, {cur} a month", "money"),
    "gross_profit": ("Gross profit, {cur} a month", "money"),
    "marketing_spend": ("Marketing spend, {cur} a month", "money"),
    "channel_spend_traditional": ("Traditional channel spend, {cur} a month", "money"),
    "channel_spend_social": ("Social channel spend, {cur} a month", "money"),
    "referral_rewards": ("Referral rewards, {cur} a month", "money"),
    "cost_of_sales": ("Cost of sales, {cur} a month", "money"),
    "cost_of_sales_traditional": ("Cost of sales of traditional leads, {cur} a month", "money"),
    "cost_of_sales_social": ("Cost of sales of social leads, {cur} a month", "money"),
    "leads_traditional": ("Traditional leads, a month", "count"),
    "leads_social": ("Social leads, a month", "count"),
    "opportunities_traditional": ("Opportunities from traditional leads, a month", "count"),
    "opportunities_social": ("Opportunities from social leads, a month", "count"),
    "support_cost": ("Support cost, {cur} a month", "money"),
    "programme_cost": ("Programme cost, {cur} a month", "money"),
    "net_cash_flow": ("Net cash flow, {cur} a month", "money"),
    "incremental_cash_flow": ("Incremental cash flow vs status quo, {cur} a month", "money"),
    "cumulative_incremental_cash_flow": (
        "Cumulative incremental cash flow vs status quo, {cur}", "money"),
    "discounted_incremental_cash_flow": (
        "Discounted incremental cash flow vs status quo, {cur} a month", "money"),
    "cumulative_discounted_incremental_cash_flow": (
        "Cumulative discounted incremental cash flow vs status quo, {cur}", "money"),
    "revenue_by_source": ("Revenue, {cur} a month", "money"),
}
_SUMMARY: dict[str, tuple[str, str]] = {
    "npv": ("NPV vs status quo, {cur}", "money"),
    "pv_benefits": ("PV of incremental benefits, {cur}", "money"),
    "pv_costs": ("PV of incremental costs, {cur}", "money"),
    "npv_plan": ("NPV of the plan on its own, {cur}", "money"),
    "customers_end": ("Active customers at the end", "count"),
    "new_customers": ("New customers over the horizon", "count"),
    "cac_paid": ("CAC (paid) again, as JSON's cac_paid, {cur} per customer", "money"),
    "npv_without_terminal_value": ("NPV vs status quo without terminal value, {cur}", "money"),
    "npv_with_terminal_value": ("NPV vs status quo with terminal value, {cur}", "money"),
    "terminal_value": ("Terminal value vs status quo (present value), {cur}", "money"),
    "peak_outlay": ("Peak outlay (deepest cumulative incremental cash), {cur}", "money"),
    "budget": ("Channel and programme spend over the horizon, {cur}", "money"),
    "extra_spend": ("Extra spend vs status quo (undiscounted), {cur}", "money"),
    "irr_caveat": ("IRR caveat (0: a meaningful rate; 1: no material outlay; 2: above 100 % "
                   "a year)", "count"),
}
_SOURCE_NAMES = {"traditional": "traditional channels", "social": "social channels",
                 "organic": "organic", "referral": "referrals"}
_KIND_OF_STYLE = {"money": "money", "percent": "share", "percent_year": "share",
                  "percent_month": "share2", "month": "month", "ratio": "ratio", "count": "count"}


def _generic(key: str, unit: str, currency: str) -> tuple[str, str]:
    """Header and kind of a column this module does not know by name (from its unit)."""
    label = key.replace("_", " ").strip().capitalize()
    u = (unit or "").replace("currency", currency)
    if key.startswith("cumulative_") and u.endswith("/month"):
        u = u[: -len("/month")]  # a running total is an amount, not a rate
    if u == currency or u.startswith(currency + "/"):
        rest = u[len(currency):].replace("/month", " a month").replace("/", " per ")
        return f"{label}, {currency}{rest}", "money"
    if u.startswith("share"):
        return f"{label}, %" + u[len("share"):].replace("/month", " a month").replace(
            "/year", " a year"), "share2" if "month" in u else "share"
    if u in ("customers", "leads/month", "opportunities/month"):
        return f"{label}, {u.replace('/month', ' a month')}", "count"
    if u == "month":
        return f"{label}, month", "month"
    return (f"{label}, {u}" if u else label), "decimal"


def _column(key: str, unit: str, currency: str, table: str) -> Column:
    if key == "scenario":
        return Column(key, "Scenario key", "text")
    if key == "plan":
        return Column(key, "Plan", "text")
    if key == "source":
        return Column(key, "Customer source", "text")
    named = _SUMMARY if table == "summary" else _MONTHLY
    if key in named:
        header, kind = named[key]
        return Column(key, header.format(cur=currency), kind)
    if table == "summary":
        base, _, source = key.rpartition("_")
        if source in _SOURCE_NAMES and base in KPIS:
            kpi = KPIS[base]
            unit_text = kpi_header(base, currency).split(", ", 1)[1]
            if kpi.style == "money":
                unit_text += " per customer"
            return Column(key, f"{kpi.label} of {_SOURCE_NAMES[source]}, {unit_text}",
                          _KIND_OF_STYLE[kpi.style])
        if key in KPIS:
            kpi = KPIS[key]
            header = kpi_header(key, currency)
            if key in ("cac", "cac_blended", "clv"):
                header += " per customer"
            if key == "cost_of_sales_share":
                header = "Cost of sales, % of revenue"
            return Column(key, header, _KIND_OF_STYLE[kpi.style])
    header, kind = _generic(key, unit, currency)
    return Column(key, header, kind)


def columns_of(frame: pd.DataFrame, currency: str, table: str) -> list[Column]:
    """The :class:`Column` of every column of a results frame (``table``: which frame)."""
    units = frame.attrs.get("units", {})
    return [_column(str(c), units.get(c, ""), currency, table) for c in frame.columns]


# ----------------------------------------------------------------------------- cells
def is_formula_like(text: str) -> bool:
    """True for a text that a spreadsheet could run as a formula (``=``, ``+``, ``-``, ...).

    >>> is_formula_like("=HYPERLINK(\\"http://x\\")"), is_formula_like("CRM export")
    (True, False)
    """
    return text.startswith(FORMULA_PREFIXES)


def _value(v: Any) -> Any:
    """A cell value: None for missing figures, plain Python numbers, dates, or text."""
    if v is None or v is pd.NA:
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return float(v) if math.isfinite(float(v)) else None
    if isinstance(v, (datetime.date, datetime.datetime)):
        return v
    if isinstance(v, str):
        return v
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return str(v)


_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", start_color="1F2D3A", end_color="1F2D3A")
_HEADER_BORDER = Border(bottom=Side(style="thin", color="1F2D3A"))
_WRAP = Alignment(wrap_text=True, vertical="top")
_HEADER_ALIGN = Alignment(wrap_text=True, vertical="center")
_WRAPPED_KEYS = {"source", "note", "description", "text"}
_WIDE = 60


def _write_table(ws, columns: list[Column], rows: Iterable[Iterable[Any]], currency: str,
                 *, formats_by_row: list[dict[int, str]] | None = None,
                 index: list[tuple[str, str, str]] | None = None) -> None:
    """Header row, rows, number formats, frozen header, autofilter and widths of one sheet.

    ``index`` collects (sheet, header, key) of every column for the Columns sheet.
    """
    fmt = _formats(currency)
    if index is not None:
        index.extend((ws.title, c.header, c.key) for c in columns)
    for j, col in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=j, value=col.header)
        cell.data_type = "s"
        cell.font, cell.fill, cell.alignment, cell.border = (
            _HEADER_FONT, _HEADER_FILL, _HEADER_ALIGN, _HEADER_BORDER)
    widths = [min(max(len(w) for w in c.header.split()) + 2, _WIDE) for c in columns]
    widths = [max(w, min(len(c.header), 28) + 2) for w, c in zip(widths, columns, strict=False)]
    n = 1
    for i, row in enumerate(rows, start=2):
        n = i
        extra = formats_by_row[i - 2] if formats_by_row else {}
        for j, (col, raw) in enumerate(zip(columns, row, strict=False), start=1):
            value = _value(raw)
            cell = ws.cell(row=i, column=j)
            if isinstance(value, str):
                cell.value = value
                cell.data_type = "s"  # text, never a formula
                if is_formula_like(value):
                    cell.quotePrefix = True
                if col.kind == "wrap" or col.key in _WRAPPED_KEYS:
                    cell.alignment = _WRAP
                shown = len(value)
            else:
                cell.value = value
                number_format = extra.get(j) or fmt.get(col.kind)
                if value is not None and number_format:
                    cell.number_format = number_format
                shown = 14 if col.kind == "money" else 10
            if value is not None:
                widths[j - 1] = max(widths[j - 1], min(shown + 2, _WIDE))
    for j, (col, w) in enumerate(zip(columns, widths, strict=True), start=1):
        if col.kind == "wrap" or col.key in _WRAPPED_KEYS:
            w = _WIDE
        ws.column_dimensions[get_column_letter(j)].width = w
    ws.row_dimensions[1].height = 32
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(n, 1)}"


# ----------------------------------------------------------------------------- sheets
def _with_plan(frame: pd.DataFrame, labels: Mapping[str, str]) -> pd.DataFrame:
    out = frame.copy()
    out.insert(0, "plan", out["scenario"].map(lambda s: labels.get(s, s)))
    out.attrs = dict(frame.attrs)
    return out


def _frame_sheet(ws, frame: pd.DataFrame, currency: str, table: str, index) -> None:
    cols = columns_of(frame, currency, table)
    _write_table(ws, cols, frame.itertuples(index=False, name=None), currency, index=index)


def _annual_frame(results: ScenarioResults, benefits: float, costs: float,
                  labels: Mapping[str, str]) -> pd.DataFrame:
    parts = []
    for name in results.names:
        if name == STATUS_QUO:
            continue
        for basis, (b, c) in (("unadjusted", (0.0, 0.0)), ("risk-adjusted", (benefits, costs))):
            t = results.annual(name, risk_adjust_benefits=b, risk_adjust_costs=c)
            table = t.table.reset_index()
            table.insert(0, "basis", basis)
            table.insert(0, "scenario", name)
            table.insert(0, "plan", labels.get(name, name))
            table["npv"] = t.npv
            table["roi"] = t.roi
            table["payback_years"] = t.payback_years
            parts.append(table)
    if not parts:
        return pd.DataFrame(columns=["plan", "scenario", "basis", "flow"])
    return pd.concat(parts, ignore_index=True)


def _annual_columns(frame: pd.DataFrame, currency: str) -> list[Column]:
    out = []
    for c in frame.columns:
        c = str(c)
        if c in ("plan", "scenario"):
            out.append(_column(c, "", currency, "annual"))
        elif c == "basis":
            out.append(Column(c, "Basis", "text"))
        elif c == "flow":
            out.append(Column(c, "Flow", "text"))
        elif c == "Initial":
            out.append(Column(c, f"Initial (month 0), {currency}", "money"))
        elif c.startswith("Year "):
            out.append(Column(c, f"{c}, {currency}", "money"))
        elif c == "Total":
            out.append(Column(c, f"Total, undiscounted, {currency}", "money"))
        elif c == "Present value":
            out.append(Column(c, f"Present value, {currency}", "money"))
        elif c == "npv":
            out.append(Column(c, f"NPV of the table (annual discounting), {currency}", "money"))
        elif c == "roi":
            out.append(Column(c, "ROI of the table, %", "share"))
        elif c == "payback_years":
            out.append(Column(c, "Payback, years (annual sums, interpolated)", "decimal"))
        else:
            out.append(Column(c, c, "decimal"))
    return out


_REGISTER_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("plan", "Plan", "text"), ("scenario", "Scenario key", "text"),
    ("path", "Assumption (field path)", "text"), ("value", "Value", "decimal"),
    ("unit", "Unit", "text"), ("source", "Source", "wrap"),
    ("confidence", "Confidence", "text"), ("owner", "Owner", "text"),
    ("validated_on", "Validated on", "date"), ("note", "Note", "wrap"),
)


def _register_sheet(ws, results: ScenarioResults, labels: Mapping[str, str], index) -> None:
    reg = results.register.copy()
    cur = results.currency
    fmt = _formats(cur)
    reg["unit"] = reg["unit"].map(lambda u: str(u).replace("currency", cur) if u else "")
    reg.insert(0, "plan", reg["scenario"].map(lambda s: labels.get(s, s)))
    cols = [Column(k, h, kind) for k, h, kind in _REGISTER_COLUMNS]
    rows, formats = [], []
    value_col = [c.key for c in cols].index("value") + 1
    for r in reg.to_dict("records"):
        unit = str(r.get("unit") or "")
        value = r.get("value")
        if isinstance(value, (list, tuple)):
            value = f"{len(value)} monthly values"
        f = {}
        if unit.startswith("share"):
            f[value_col] = '0.0##" "%'
        elif unit == cur or unit.startswith(cur + "/"):
            f[value_col] = fmt["money"]
        elif unit in ("month", "months", "customers"):
            f[value_col] = "#,##0"
        else:
            f[value_col] = "#,##0.####"
        rows.append([r.get(c.key) if c.key != "value" else value for c in cols])
        formats.append(f)
    _write_table(ws, cols, rows, cur, formats_by_row=formats, index=index)


def _about_sheet(ws, results: ScenarioResults, labels: Mapping[str, str], benefits: float,
                 costs: float) -> None:
    sf = results.file
    rows: list[list[Any]] = [
        ["Case", sf.name],
        ["Description", sf.description],
        ["Scenario file", os.path.basename(results.source) if results.source else ""],
        ["Currency", results.currency],
        ["Horizon", f"{results.horizon} months (month 0: decision date, one-time costs)"],
        ["Discount rate", results.discount_rate],
        ["Risk adjustment (annual sheet)",
         f"benefits cut by {benefits:.0%}, costs raised by {costs:.0%}"],
        ["Figures", "NPV, ROI, IRR and payback are incremental: each plan against the status "
                    "quo. Amounts are undiscounted unless a header says discounted or present "
                    "value. Months are counted from the decision date (month 0)."],
    ]
    for name in results.names:
        rows.append([f"Plan: {labels.get(name, name)}", f"scenario key {name}"])
    cols = [Column("item", "Item", "text"), Column("text", "Value", "wrap")]
    formats: list[dict[int, str]] = [{} for _ in rows]
    formats[5] = {2: '0.0" "%'}  # the discount rate
    _write_table(ws, cols, rows, results.currency, formats_by_row=formats)
    ws.column_dimensions["A"].width = 34
    ws.auto_filter.ref = None  # a cover sheet, not a table to filter


def write_excel(
    results: ScenarioResults, path: str | os.PathLike[str], *, overwrite: bool = False,
    risk_adjust_benefits: float = 0.10, risk_adjust_costs: float = 0.05,
) -> Path:
    """Write the workbook described in the module docstring, atomically.

    Refuses an existing file unless ``overwrite`` (on the command line:
    ``--overwrite``). Read a sheet back with :func:`read_sheet`.
    """
    target = check_target(path, overwrite=overwrite)  # fail before the work of building
    for name, value in (("risk_adjust_benefits", risk_adjust_benefits),
                        ("risk_adjust_costs", risk_adjust_costs)):
        if not 0 <= value <= 1:
            raise InputError.one("argument", name, value, "a share in [0, 1]")
    labels = {n: results.file.label(n) for n in results.names}
    cur = results.currency
    wb = Workbook()
    wb.remove(wb.active)
    sheets = {name: wb.create_sheet(name) for name in SHEETS}
    _about_sheet(sheets["about"], results, labels, risk_adjust_benefits, risk_adjust_costs)
    index: list[tuple[str, str, str]] = []
    _frame_sheet(sheets["summary"], _with_plan(results.summary, labels), cur, "summary", index)
    annual = _annual_frame(results, risk_adjust_benefits, risk_adjust_costs, labels)
    _write_table(sheets["annual"], _annual_columns(annual, cur),
                 annual.itertuples(index=False, name=None), cur, index=index)
    _frame_sheet(sheets["monthly"], _with_plan(results.monthly, labels), cur, "monthly", index)
    _frame_sheet(sheets["by_source"], _with_plan(results.by_source, labels), cur, "by_source",
                 index)
    _register_sheet(sheets["assumptions"], results, labels, index)
    _write_table(sheets["columns"], [Column("Sheet", "Sheet", "text"),
                                     Column("Header", "Header", "text"),
                                     Column("Key", "Key", "text")], index, cur)
    wb.properties.creator = "roi_models"
    buffer = io.BytesIO()
    wb.save(buffer)
    return write_atomic(target, buffer.getvalue(), overwrite=overwrite)


def read_sheet(path: str | os.PathLike[str], sheet: str) -> pd.DataFrame:
    """A sheet of :func:`write_excel` read back with pandas, headers mapped back to keys.

    The ``columns`` sheet lists every header with its column key, so
    ``read_sheet(path, "monthly")`` has the columns of
    :attr:`ScenarioResults.monthly` (plus ``plan``, the plan's label).
    """
    frame = pd.read_excel(path, sheet_name=sheet)
    keys = pd.read_excel(path, sheet_name="columns")
    mine = keys[keys["Sheet"] == sheet]
    by_header = dict(zip(mine["Header"].astype(str), mine["Key"].astype(str), strict=True))
    frame.columns = [by_header.get(str(h), str(h)) for h in frame.columns]
    return frame


__all__ = ["FORMULA_PREFIXES", "SHEETS", "columns_of", "is_formula_like", "read_sheet",
           "write_excel"]
