"""Small frozen view objects the report template reads, built from the results.

Everything the template shows is decided here: formatted texts, the exact
values behind them (``value`` attributes, for machine checks) and the
"n/a (reason)" texts for figures that do not exist. The template only lays
them out; Jinja2 escapes every text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
import pandas as pd
from markupsafe import Markup

from ..assumptions import STATUS_QUO, field_meta
from ..assumptions.merge import get_path
from ..engine import payback_month
from ..formatting import (
    KPIS,
    format_kpi,
    irr_caveat_text,
    is_missing,
    money,
    money_exact,
    percent,
)
from . import prose


# ----------------------------------------------------------------------------- formatting
def exact(value: Any) -> str:
    """The exact value for a ``data-value`` attribute ('' when missing): ``repr(float)``."""
    return "" if is_missing(value) else repr(float(value))


def unit_text(unit: str, currency: str) -> str:
    """A schema unit with the file's currency: ``'currency/month' -> 'EUR/month'``."""
    return unit.replace("currency", currency)


def value_text(value: Any, unit: str, currency: str) -> str:
    """An assumption value with its unit: ``'EUR 120,000/month'``, ``'25 %'``, ``'6 months'``."""
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
    if unit.startswith("currency"):
        rest = unit[len("currency"):]
        return (money_exact(v, currency) if abs(v) >= 1000 or v == int(v)
                else f"{currency} {v:.4g}") + rest
    text = f"{v:,.0f}" if abs(v) >= 1000 or v == int(v) else f"{v:.4g}"
    u = unit_text(unit, currency)
    if u == "month":  # a month of the plan (counted from the decision date)
        return f"month {text}"
    if u == "months":  # a duration
        return f"{text} month" if v == 1 else f"{text} months"
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
    caveat: str = ""  # why the figure is not what it seems (an IRR that is not a rate)


@dataclass(frozen=True)
class ScenarioKpis:
    scenario: str
    label: str
    is_baseline: bool
    cards: tuple[KpiCard, ...]
    budget: Cell  # channel and programme spend against the status quo


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
    label: str
    adjusted: bool
    caption: str
    columns: tuple[str, ...]
    rows: tuple[TableRow, ...]
    npv: Cell
    roi: Cell
    payback: Cell
    note: str  # why this NPV differs from the summary's, where it does


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
    label: str
    intro: str
    rows: tuple[RegisterRow, ...]


@dataclass(frozen=True)
class StressRow:
    scenario: str
    label: str
    npv: Cell
    npv_stressed: Cell
    change: Cell
    payback: str
    payback_stressed: str


# ----------------------------------------------------------------------------- builders
KPI_KEYS: tuple[str, ...] = (
    "npv", "roi", "irr_annual", "mirr_annual", "payback_month", "cac", "cac_blended",
    "clv_to_cac", "cost_of_sales_share", "churn_monthly_avg",
)
"""The KPI cards, in order (labels, help and missing reasons from :data:`KPIS`): the
incremental ones first (:data:`INCREMENTAL_CARDS` of them), CAC (paid) beside CAC (blended)."""
INCREMENTAL_CARDS = sum(1 for k in KPI_KEYS if KPIS[k].incremental)
assert all(KPIS[k].incremental for k in KPI_KEYS[:INCREMENTAL_CARDS])  # the table's colspan

KPI_HELP: dict[str, str] = {**{k: KPIS[k].help for k in KPI_KEYS}, **prose.KPI_HELP_REPORT}


def kpi_cards(kpis: Mapping[str, Any], currency: str, horizon: int, *, baseline: bool
              ) -> tuple[KpiCard, ...]:
    """The KPI cards of one scenario from :meth:`ScenarioResults.kpis` (house style); the IRR's
    card carries its caveat (:func:`roi_models.formatting.irr_caveat_text`) where it has one."""
    cards = []
    for key in KPI_KEYS:
        v = kpis.get(key)
        if baseline and KPIS[key].incremental:
            v = None
        text = format_kpi(key, v, currency, baseline=baseline, horizon=horizon)
        tone = ""
        if not is_missing(v):
            if key == "npv":
                tone = "good" if v > 0 else "bad"
            elif key == "clv_to_cac" and v < 1:
                tone = "bad"
        caveat = (irr_caveat_text(kpis.get("irr_caveat")) or "") if key == "irr_annual" \
            and not baseline else ""
        cards.append(KpiCard(key=key, label=KPIS[key].label, text=text, value=exact(v),
                             help=KPI_HELP[key], missing=is_missing(v), tone=tone,
                             caveat=caveat))
    return tuple(cards)


def table_amount(value: float) -> str:
    """An amount in a table whose header names the currency: whole units, ``-1,036,739``."""
    return money_exact(value)


def monthly_payback(components: Mapping[str, np.ndarray], *, benefits_cut: float = 0.0,
                    costs_up: float = 0.0) -> int | None:
    """Payback month of one plan's incremental components after a TEI risk adjustment.

    The components (one array of months 0..T each) are split into benefits
    (positive parts) and costs (negative parts) month by month, exactly as the
    annual table does; benefits are cut and costs raised, and the payback is
    :func:`roi_models.engine.payback_month` of the net: the summary's
    convention, on the adjusted flows.
    """
    parts = np.stack([np.asarray(v, dtype=float) for v in components.values()])
    net = (np.clip(parts, 0, None).sum(axis=0) * (1.0 - benefits_cut)
           - np.clip(-parts, 0, None).sum(axis=0) * (1.0 + costs_up))
    pb = float(payback_month(net))
    return int(pb) if np.isfinite(pb) else None


def tei_view(table, scenario: str, *, adjusted: bool, caption: str, horizon: int,
             label: str | None = None, payback: int | None = None, note: str = "",
             currency: str = "") -> TeiView:
    """A :class:`~roi_models.analysis.TEITable` as rows of cells with exact values.

    ``payback`` is the plan's payback month on the same (adjusted) flows, in
    the summary's convention; the table's own interpolated payback in years is
    not shown, so the report states one payback convention.
    """
    t = table.table
    rows = []
    for row in t.index:
        cells = tuple(Cell(text=table_amount(v), value=exact(v), negative=float(v) < 0)
                      for v in t.loc[row].to_numpy(dtype=float))
        rows.append(TableRow(label=row, key=row.lower().replace(" ", "_"), cells=cells))
    roi = table.roi
    return TeiView(
        scenario=scenario, label=label or scenario, adjusted=adjusted, caption=caption,
        columns=tuple(str(c) for c in t.columns), rows=tuple(rows),
        npv=Cell(text=money_exact(table.npv, currency), value=exact(table.npv),
                 negative=table.npv < 0),
        roi=Cell(text=format_kpi("roi", roi, ""), value=exact(roi)),
        payback=Cell(text=format_kpi("payback_month", payback, "", horizon=horizon),
                     value=exact(payback)),
        note=note,
    )


def budget_cell(difference: float, base_total: float, currency: str, horizon: int,
                *, baseline: bool, tolerance: float = prose.BUDGET_NEUTRAL_TOLERANCE) -> Cell:
    """Channel and programme spend against the status quo: ``+EUR 3.6 m`` or ``same``."""
    if baseline:
        return Cell(text=money(base_total, currency),
                    value=exact(base_total))
    if abs(difference) <= tolerance * abs(base_total):
        return Cell(text="same", value=exact(difference))
    sign = "+" if difference > 0 else ""
    return Cell(text=sign + money(difference, currency), value=exact(difference),
                negative=difference < 0)


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
    plan_label = results.file.label
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
    sections.append(RegisterSection(scenario=STATUS_QUO, label=plan_label(STATUS_QUO),
                                    intro=prose.INTRO_REGISTER, rows=tuple(rows)))
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
        sections.append(RegisterSection(scenario=name, label=plan_label(name), intro=intro,
                                        rows=tuple(rows)))
    return tuple(sections)


@dataclass(frozen=True)
class TornadoRow:
    field: str
    label: str
    low: str
    high: str
    kpi_low: Cell
    kpi_high: Cell
    swing: Cell


@dataclass(frozen=True)
class MarginRow:
    field: str
    label: str
    rival: str
    rival_label: str
    today: str
    value: Cell  # the tie value (text "never" when no value ties)
    change: str
    ranges: str
    sentence: str


def _number(v: Any) -> str:
    """An assumption value in a sentence or table: up to four significant digits."""
    if is_missing(v):
        return "n/a"
    v = float(v)
    return f"{v:,.0f}" if abs(v) >= 1e4 else f"{v:,.4g}"


def tornado_rows(frame: pd.DataFrame, currency: str) -> tuple[TornadoRow, ...]:
    """One row per field of :func:`roi_models.analysis.sensitivity.tornado`, largest swing first."""
    def cell(v: Any) -> Cell:
        return Cell(text=money(v, currency), value=exact(v),
                    negative=not is_missing(v) and float(v) < 0)

    return tuple(TornadoRow(field=r["field"], label=r["label"], low=_number(r["low"]),
                            high=_number(r["high"]), kpi_low=cell(r["kpi_low"]),
                            kpi_high=cell(r["kpi_high"]), swing=cell(r["swing"]))
                 for r in frame.to_dict("records"))


def never_sentences(frame: pd.DataFrame, labels: Mapping[str, str]) -> tuple[str, ...]:
    """Per rival, the assumptions at whose every value the plan stays ahead, in one sentence."""
    plan = labels.get(frame.attrs.get("plan", ""), frame.attrs.get("plan", ""))
    out = []
    for rival in dict.fromkeys(frame["rival"]):
        part = frame[(frame["rival"] == rival) & frame["value"].isna()]
        if len(part):
            who = ("the status quo" if rival == STATUS_QUO
                   else f"\u201c{labels.get(rival, rival)}\u201d")
            out.append(f"\u201c{plan}\u201d beats {who} at every value of: "
                       + ", ".join(part["label"]) + ".")
    return tuple(out)


def margin_rows(frame: pd.DataFrame, labels: Mapping[str, str]) -> tuple[MarginRow, ...]:
    """One row per field and rival of :func:`roi_models.analysis.sensitivity.decision_margins`
    at which a tie exists (the others: :func:`never_sentences`)."""
    out = []
    for r in frame.to_dict("records"):
        never = is_missing(r["value"])
        if never:
            continue
        out.append(MarginRow(
            field=r["field"], label=r["label"], rival=r["rival"],
            rival_label=labels.get(r["rival"], r["rival"]), today=_number(r["today"]),
            value=Cell(text="never" if never else _number(r["value"]), value=exact(r["value"])),
            change="" if never or is_missing(r["change_pct"]) else percent(r["change_pct"]),
            ranges="" if never or is_missing(r["in_ranges"]) else f"{r['in_ranges']:.1f}",
            sentence=r["sentence"]))
    return tuple(out)


def stress_rows(stress: pd.DataFrame, currency: str, horizon: int,
                labels: Mapping[str, str] | None = None) -> tuple[StressRow, ...]:
    """One row per plan of :func:`roi_models.analysis.stress.viral_stress` (house style)."""
    out = []
    for r in stress.iloc[1:].itertuples(index=False):
        def cell(v):
            return Cell(text=money(v, currency), value=exact(v),
                        negative=not is_missing(v) and float(v) < 0)

        def pb(v):
            return format_kpi("payback_month", None if is_missing(v) else v, currency,
                              horizon=horizon)

        out.append(StressRow(scenario=r.scenario, label=(labels or {}).get(r.scenario, r.scenario),
                             npv=cell(r.npv), npv_stressed=cell(r.npv_stressed),
                             change=Cell(text=("+" if not is_missing(r.npv_change)
                                               and r.npv_change > 0 else "")
                                         + money(r.npv_change, currency),
                                         value=exact(r.npv_change),
                                         negative=not is_missing(r.npv_change)
                                         and float(r.npv_change) < 0),
                             payback=pb(r.payback_month),
                             payback_stressed=pb(r.payback_month_stressed)))
    return tuple(out)


def finite_or_none(value) -> float | None:
    return None if is_missing(value) else float(value)


__all__ = [
    "Cell", "ChartView", "KpiCard", "RegisterRow", "RegisterSection", "ScenarioKpis",
    "StressRow", "TableRow", "TeiView", "budget_cell", "kpi_cards", "monthly_payback",
    "register_sections", "stress_rows", "tei_view",
]


# ----------------------------------------------------------------------------- Monte Carlo
@dataclass(frozen=True)
class RiskRow:
    """One plan of the Monte Carlo table."""

    scenario: str
    label: str
    p10: Cell
    p50: Cell
    p90: Cell
    mean: Cell
    p_positive: Cell
    p_beats_next: Cell
    var_5: Cell
    es_5: Cell


@dataclass(frozen=True)
class InsuranceRow:
    """One plan of the insurance table."""

    scenario: str
    label: str
    response: str
    loss_with: Cell
    loss_without: Cell
    value: Cell
    cost: Cell


def montecarlo_view(mc: Any, insurance: pd.DataFrame, labels: Mapping[str, str],
                    currency: str) -> dict[str, Any]:
    """The rows of the report's Monte Carlo section (:mod:`roi_models.analysis.montecarlo`).

    ``rows``: per plan its NPV's P10, P50, P90, mean, P(NPV > 0), P(beats the
    next best plan by mean NPV), VaR and ES at 5 %; ``insurance``: per plan the
    expected loss to viral stories with and without response capability, the
    insurance value and the programme's PV.
    """
    doc = mc.to_json_dict()["scenarios"]
    ranked = sorted(doc, key=lambda n: -doc[n]["npv"]["mean"])

    def cash(v: Any) -> Cell:
        return Cell(text=money(v, currency), value=exact(v),
                    negative=not is_missing(v) and float(v) < 0)

    def share(v: Any) -> Cell:
        return Cell(text="n/a" if is_missing(v) else percent(v, 1), value=exact(v))

    rows = []
    for name, d in doc.items():
        rival = next((n for n in ranked if n != name), None)
        rows.append(RiskRow(
            scenario=name, label=labels.get(name, name), p10=cash(d["npv"]["p10"]),
            p50=cash(d["npv"]["p50"]), p90=cash(d["npv"]["p90"]), mean=cash(d["npv"]["mean"]),
            p_positive=share(d["p_npv_positive"]),
            p_beats_next=share(None if rival is None else d["p_beats"][rival]),
            var_5=cash(d["var_5"]), es_5=cash(d["es_5"])))
    insured = tuple(
        InsuranceRow(scenario=r.scenario, label=labels.get(r.scenario, r.scenario),
                     response=percent(r.response_capability), loss_with=cash(r.loss_with),
                     loss_without=cash(r.loss_without), value=cash(r.insurance_value),
                     cost=cash(r.pv_programme_cost))
        for r in insurance.itertuples(index=False))
    return {"rows": tuple(rows), "insurance": insured}


def how_likely_sentence(mc: Any, best: str | None, labels: Mapping[str, str],
                        currency: str) -> str:
    """The report's "how likely" sentence: P(NPV > 0) of the recommended plan, P(it beats the
    next best plan) on paired draws, and its P10-P90 range (prose.HOW_LIKELY)."""
    doc = mc.to_json_dict()["scenarios"]
    if best is None or best not in doc:  # nothing recommended: the best plan by mean NPV
        top = max(doc, key=lambda n: doc[n]["npv"]["mean"])
        d = doc[top]
        return prose.HOW_LIKELY_STATUS_QUO.format(
            draws=f"{mc.draws:,}", plan=labels.get(top, top),
            p_positive=percent(d["p_npv_positive"], 1), p10=money(d["npv"]["p10"], currency),
            p90=money(d["npv"]["p90"], currency))
    d = doc[best]
    others = sorted((n for n in doc if n != best), key=lambda n: -doc[n]["npv"]["mean"])
    clause = (prose.HOW_LIKELY_RUNNER_UP.format(plan=labels.get(others[0], others[0]),
                                                p_beats=percent(d["p_beats"][others[0]], 1))
              if others else prose.HOW_LIKELY_ALONE)
    return prose.HOW_LIKELY.format(
        draws=f"{mc.draws:,}", plan=labels.get(best, best),
        p_positive=percent(d["p_npv_positive"], 1), runner_up_clause=clause,
        p10=money(d["npv"]["p10"], currency), p50=money(d["npv"]["p50"], currency),
        p90=money(d["npv"]["p90"], currency))


def quantile_rows(frame: pd.DataFrame) -> tuple[TableRow, ...]:
    """Rows ``Net benefits P10/P50/P90`` of the TEI table from
    :meth:`~roi_models.analysis.montecarlo.MonteCarloResults.annual_quantiles`."""
    return tuple(
        TableRow(label=f"Net benefits {q}", key=f"net_benefits_{q.lower()}",
                 cells=tuple(Cell(text=table_amount(v), value=exact(v), negative=float(v) < 0)
                             for v in frame.loc[q].to_numpy(dtype=float)))
        for q in frame.index)
