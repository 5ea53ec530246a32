"""Small frozen view objects the report template reads, built from the results.

Everything the template shows is decided here: formatted texts, the exact
values behind them (``value`` attributes, for machine checks) and the
"n/a (reason)" texts for figures that do not exist. The template only lays
them out; Jinja2 escapes every text.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping

import pandas as pd
from markupsafe import Markup

from ..assumptions import STATUS_QUO, field_meta
from ..assumptions.merge import get_path
from ..charts.style import money
from . import prose


# ----------------------------------------------------------------------------- formatting
def is_missing(value: Any) -> bool:
    """True for None, pandas NA and NaN/inf."""
    if value is None or value is pd.NA:
        return True
    try:
        return not math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def exact(value: Any) -> str:
    """The exact value for a ``data-value`` attribute ('' when missing): ``repr(float)``."""
    return "" if is_missing(value) else repr(float(value))


def pct(value: float, digits: int = 0) -> str:
    """``0.1234 -> '12 %'`` (digits after the point as given)."""
    return f"{100 * float(value):,.{digits}f} %"


def amount(value: float) -> str:
    """A table amount: thousands separated, no decimals; a minus sign for negatives."""
    v = float(value)
    text = f"{abs(v):,.0f}"
    return text if v >= 0 or text == "0" else "\u2212" + text


def unit_text(unit: str, currency: str) -> str:
    """A schema unit with the file's currency: ``'currency/month' -> 'EUR/month'``."""
    return unit.replace("currency", currency)


def value_text(value: Any, unit: str, currency: str) -> str:
    """An assumption value with its unit, e.g. ``'120,000 EUR/month'``, ``'25 %'``."""
    if value is None:
        return prose.MISSING_VALUE
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    v = float(value)
    if unit.startswith("share"):
        rest = unit[len("share"):]
        return f"{100 * v:.4g} %{rest}"
    text = f"{v:,.0f}" if abs(v) >= 1000 or v == int(v) else f"{v:.4g}"
    u = unit_text(unit, currency)
    return f"{text} {u}" if u and u != "1" else text


# ----------------------------------------------------------------------------- views
@dataclass(frozen=True)
class KpiCard:
    key: str
    label: str
    text: str
    value: str  # exact, for data-value ('' when missing)
    help: str
    missing: bool
    tone: str  # 'good', 'bad' or ''


@dataclass(frozen=True)
class ScenarioKpis:
    scenario: str
    is_baseline: bool
    cards: tuple[KpiCard, ...]


@dataclass(frozen=True)
class Cell:
    text: str
    value: str
    negative: bool = False


@dataclass(frozen=True)
class TableRow:
    label: str
    key: str
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class TeiView:
    scenario: str
    adjusted: bool
    caption: str
    columns: tuple[str, ...]
    rows: tuple[TableRow, ...]
    npv: Cell
    roi: Cell
    payback: Cell


@dataclass(frozen=True)
class ChartView:
    id: str
    html: Markup
    caption: str = ""


@dataclass(frozen=True)
class RegisterRow:
    path: str
    label: str
    value: str
    source: str
    confidence: str
    owner: str
    validated_on: str
    note: str


@dataclass(frozen=True)
class RegisterSection:
    scenario: str
    intro: str
    rows: tuple[RegisterRow, ...]


@dataclass(frozen=True)
class StressRow:
    scenario: str
    npv: Cell
    npv_stressed: Cell
    change: Cell
    payback: str
    payback_stressed: str


# ----------------------------------------------------------------------------- builders
KPI_KEYS: tuple[str, ...] = tuple(prose.KPI_LABELS)
_INCREMENTAL = ("npv", "roi", "irr_annual", "payback_month")


def kpi_cards(kpis: Mapping[str, Any], currency: str, horizon: int, *, baseline: bool
              ) -> tuple[KpiCard, ...]:
    """The eight KPI cards of one scenario from :meth:`ScenarioResults.kpis`."""
    cards = []
    for key in KPI_KEYS:
        v = kpis.get(key)
        tone = ""
        if baseline and key in _INCREMENTAL:
            text, v = prose.MISSING_BASELINE, None
        elif is_missing(v):
            text = {
                "irr_annual": prose.MISSING_IRR,
                "payback_month": prose.MISSING_PAYBACK.format(months=horizon),
                "roi": prose.MISSING_ROI, "cac": prose.MISSING_CAC,
                "clv_to_cac": prose.MISSING_RATIO,
            }.get(key, prose.MISSING_GENERIC)
        elif key == "npv":
            text, tone = money(v, currency), ("good" if v > 0 else "bad")
        elif key == "roi":
            text = pct(v)
        elif key == "irr_annual":
            text = pct(v) + " a year"
        elif key == "payback_month":
            text = f"month {int(v)}"
        elif key == "cac":
            text = money(v, currency)
        elif key == "clv_to_cac":
            text, tone = f"{v:.1f}\u00d7", ("bad" if v < 1 else "")
        elif key == "cost_of_sales_share":
            text = pct(v, 1)
        else:  # churn_monthly_avg
            text = pct(v, 2) + " a month"
        cards.append(KpiCard(key=key, label=prose.KPI_LABELS[key], text=text, value=exact(v),
                             help=prose.KPI_HELP[key], missing=is_missing(v), tone=tone))
    return tuple(cards)


def tei_view(table, scenario: str, *, adjusted: bool, caption: str, horizon: int) -> TeiView:
    """A :class:`~roi_models.engine.TEITable` as rows of cells with exact values."""
    t = table.table
    rows = []
    for label in t.index:
        cells = tuple(Cell(text=amount(v), value=exact(v), negative=float(v) < 0)
                      for v in t.loc[label].to_numpy(dtype=float))
        rows.append(TableRow(label=label, key=label.lower().replace(" ", "_"), cells=cells))
    roi = table.roi
    pb = table.payback_years
    return TeiView(
        scenario=scenario, adjusted=adjusted, caption=caption,
        columns=tuple(str(c) for c in t.columns), rows=tuple(rows),
        npv=Cell(text=amount(table.npv), value=exact(table.npv), negative=table.npv < 0),
        roi=Cell(text=prose.MISSING_ROI if roi is None else pct(roi), value=exact(roi)),
        payback=Cell(
            text=(prose.MISSING_PAYBACK.format(months=horizon) if pb is None
                  else f"{pb:.1f} years"),
            value=exact(pb),
        ),
    )


def _entry_fields(entry) -> dict[str, str]:
    if entry is None:
        return {"source": prose.NO_OWN_SOURCE, "confidence": "", "owner": "",
                "validated_on": "", "note": ""}
    return {
        "source": entry.source or "", "confidence": entry.confidence or "",
        "owner": entry.owner or "",
        "validated_on": entry.validated_on.isoformat() if entry.validated_on else "",
        "note": entry.note or "",
    }


def _label(path: str) -> tuple[str, str]:
    """(label, unit) of a schema path; ('', '') when the path has no metadata."""
    if path.endswith(".spend.kind"):
        return "Spend schedule", ""
    try:
        meta = field_meta(path)
    except KeyError:
        return "", ""
    return meta.label, meta.unit


def _flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, Mapping):
            out.update(_flatten(value, path))
        else:
            out[path] = value
    return out


def register_sections(results, names: tuple[str, ...]) -> tuple[RegisterSection, ...]:
    """The status quo's full register, then each scenario's changes with their sources."""
    cur = results.currency
    sf = results.file
    sections = []
    base_plan = sf.scenario(STATUS_QUO).model_dump()
    rows = []
    for path, entry in sorted(sf.register_for(STATUS_QUO).items()):
        label, unit = _label(path)
        try:
            value = get_path(base_plan, path)
        except KeyError:
            value = None
        rows.append(RegisterRow(path=path, label=label, value=value_text(value, unit, cur),
                                **_entry_fields(entry)))
    sections.append(RegisterSection(scenario=STATUS_QUO, intro=prose.INTRO_REGISTER,
                                    rows=tuple(rows)))
    for name in names:
        if name == STATUS_QUO:
            continue
        own = sf.assumption_register.get(f"scenarios.{name}", {})
        rows = []
        for path, value in sorted(_flatten(sf.scenarios.get(name, {})).items()):
            label, unit = _label(path)
            if isinstance(value, (list, tuple)):
                value = f"{len(value)} monthly values"
            rows.append(RegisterRow(path=path, label=label, value=value_text(value, unit, cur),
                                    **_entry_fields(own.get(path))))
        intro = ("Changes against the status quo." if rows
                 else "No changes: the same assumptions as the status quo.")
        sections.append(RegisterSection(scenario=name, intro=intro, rows=tuple(rows)))
    return tuple(sections)


def stress_rows(stress: pd.DataFrame, currency: str, horizon: int) -> tuple[StressRow, ...]:
    out = []
    for r in stress.iloc[1:].itertuples(index=False):
        def cell(v):
            return Cell(text="n/a" if is_missing(v) else money(float(v), currency),
                        value=exact(v), negative=not is_missing(v) and float(v) < 0)

        def pb(v):
            return (prose.MISSING_PAYBACK.format(months=horizon) if is_missing(v)
                    else f"month {int(v)}")

        out.append(StressRow(scenario=r.scenario, npv=cell(r.npv),
                             npv_stressed=cell(r.npv_stressed), change=cell(r.npv_change),
                             payback=pb(r.payback_month),
                             payback_stressed=pb(r.payback_month_stressed)))
    return tuple(out)


def finite_or_none(value) -> float | None:
    return None if is_missing(value) else float(value)


__all__ = [
    "Cell", "ChartView", "KpiCard", "RegisterRow", "RegisterSection", "ScenarioKpis",
    "StressRow", "TableRow", "TeiView", "kpi_cards", "register_sections", "stress_rows",
    "tei_view",
]
