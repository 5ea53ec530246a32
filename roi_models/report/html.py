"""The CMO report as one self-contained HTML file: :func:`render_report` (pure) and
:func:`write_report` (atomic file write).

The page inlines plotly.js once and every chart as a ``div`` with a fixed id,
so it opens from ``file://`` with no network, and the same inputs give the
same bytes (no clock, no random ids). Jinja2 autoescapes every text.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jinja2
import numpy as np
import plotly.graph_objects as go
import plotly.offline
from markupsafe import Markup

from .. import __version__
from ..analysis.drivers import npv_drivers
from ..analysis.scenarios import ScenarioResults
from ..analysis.stress import viral_stress
from ..analysis.whatif import budget_share_sweep
from ..assumptions import STATUS_QUO
from ..charts import (
    active_customers_by_source,
    budget_share_figure,
    cac_clv_by_source,
    cost_of_sales_by_scenario,
    incremental_cash_flow,
    npv_waterfall,
    viral_stress_figure,
)
from ..charts.style import money
from ..errors import InputError
from ..files import write_atomic
from . import prose
from .options import ReportOptions
from .views import (
    ChartView,
    ScenarioKpis,
    exact,
    finite_or_none,
    kpi_cards,
    pct,
    register_sections,
    stress_rows,
    tei_view,
)

_PLOTLY_CONFIG = {"responsive": True, "displaylogo": False, "displayModeBar": "hover"}


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("roi_models.report", "templates"),
        autoescape=True,  # every template, whatever its extension
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@lru_cache(maxsize=1)
def _plotly_js() -> Markup:
    # plotly.js is trusted code; '</script' never occurs in it (checked in the tests).
    return Markup(plotly.offline.get_plotlyjs())


def _chart(fig: go.Figure, div_id: str, caption: str = "") -> ChartView:
    html = fig.to_html(full_html=False, include_plotlyjs=False, div_id=div_id,
                       config=_PLOTLY_CONFIG)
    return ChartView(id=div_id, html=Markup(html), caption=caption)


@dataclass(frozen=True)
class _Recommendation:
    scenario: str | None
    sentences: tuple[str, ...]


def _selected(results: ScenarioResults, options: ReportOptions) -> tuple[str, ...]:
    if options.scenarios is None:
        return tuple(results.names)
    for name in options.scenarios:
        results.index(name)  # InputError naming the valid scenarios
    wanted = set(options.scenarios)
    return tuple(n for n in results.names if n == STATUS_QUO or n in wanted)


def _recommend(results, plans, stress, options) -> _Recommendation:
    cur, T = results.currency, results.horizon
    if not plans:
        return _Recommendation(None, (
            "Recommendation: n/a (the file has no scenario besides the status quo).",))
    summary = results.summary.set_index("scenario")
    npvs = {n: float(summary.loc[n, "npv"]) for n in plans}
    ranked = sorted(plans, key=lambda n: (-npvs[n], plans.index(n)))
    best = ranked[0]
    k = results.kpis(best)
    if npvs[best] <= 0:
        return _Recommendation(None, (
            prose.RECOMMEND_STATUS_QUO.format(months=T, plan=best, npv=money(npvs[best], cur)),
            prose.SURE_STATUS_QUO, prose.RANGE_LATER))
    payback = (prose.PAYBACK_NEVER if k["payback_month"] is None
               else prose.PAYBACK_IN.format(month=k["payback_month"]))
    first = prose.RECOMMEND_PLAN.format(
        plan=best, npv=money(k["npv"], cur), months=T,
        roi=prose.MISSING_ROI if k["roi"] is None else pct(k["roi"]),
        irr=prose.MISSING_IRR if k["irr_annual"] is None else pct(k["irr_annual"]) + " a year",
        payback=payback)
    risk_npv = results.annual(best, risk_adjust_benefits=options.risk_adjust_benefits,
                              risk_adjust_costs=options.risk_adjust_costs).npv
    stressed = float(stress.set_index("scenario").loc[best, "npv_stressed"])
    pv_b = float(summary.loc[best, "pv_benefits"])
    breakeven = npvs[best] / pv_b if pv_b > 0 else float("nan")
    template = prose.SURE_ROBUST if risk_npv > 0 and stressed > 0 else prose.SURE_FRAGILE
    event = results.file.scenario(best).viral_event
    stress_clause = (prose.STRESS_INCLUDED.format(month=event.month) if event.enabled
                     else prose.STRESS_ADDED.format(stress_npv=money(stressed, cur)))
    sure = template.format(
        benefits_cut=pct(options.risk_adjust_benefits), costs_up=pct(options.risk_adjust_costs),
        risk_npv=money(risk_npv, cur), stress=stress_clause,
        breakeven="n/a" if not np.isfinite(breakeven) else pct(breakeven))
    sentences = [first, sure]
    if len(ranked) > 1:
        sentences.append(prose.RUNNER_UP.format(plan=ranked[1], npv=money(npvs[ranked[1]], cur)))
    sentences.append(prose.RANGE_LATER)
    return _Recommendation(best, tuple(sentences))


def _whatif(results, plans, preferred):
    """The sweep of the preferred plan, or of the first plan with both channel kinds."""
    order = ([preferred] if preferred else []) + [p for p in plans if p != preferred]
    for name in order:
        try:
            return budget_share_sweep(results, name)
        except InputError:
            continue
    return None


def render_report(results: ScenarioResults, options: ReportOptions) -> str:
    """The CMO report as one self-contained HTML string (pure and deterministic).

    Sections: executive summary (recommendation and KPI cards), the annual
    business case (plain and risk-adjusted), cash flow with the budget-share
    what-if slider, NPV drivers, customers and acquisition, risk (viral-event
    stress), and an appendix with the assumption register and methodology.
    """
    if not isinstance(options, ReportOptions):
        raise InputError.one("argument", "options", type(options).__name__, "a ReportOptions")
    names = _selected(results, options)
    plans = [n for n in names if n != STATUS_QUO]
    cur, T = results.currency, results.horizon

    stress = viral_stress(results)
    rec = _recommend(results, plans, stress, options)
    focus = rec.scenario or (plans[0] if plans else None)

    kpis = tuple(
        ScenarioKpis(scenario=n, is_baseline=n == STATUS_QUO,
                     cards=kpi_cards(results.kpis(n), cur, T, baseline=n == STATUS_QUO))
        for n in names
    )
    headline = next((k for k in kpis if k.scenario == focus), None)

    tables = []
    intro_table = prose.INTRO_TABLE.format(
        rate=pct(results.discount_rate), benefits_cut=pct(options.risk_adjust_benefits),
        costs_up=pct(options.risk_adjust_costs))
    for n in plans:
        plain_t = results.annual(n)
        adj_t = results.annual(n, risk_adjust_benefits=options.risk_adjust_benefits,
                               risk_adjust_costs=options.risk_adjust_costs)
        tables.append((
            tei_view(plain_t, n, adjusted=False, caption="Unadjusted", horizon=T),
            tei_view(adj_t, n, adjusted=True, horizon=T, caption=(
                f"Risk-adjusted: benefits \u2212{pct(options.risk_adjust_benefits)}, "
                f"costs +{pct(options.risk_adjust_costs)}")),
        ))

    # optional charts are None when the file has no plan for them (status quo only, or no
    # plan with both channel kinds); the template says so instead
    charts: dict[str, ChartView | None] = dict.fromkeys(("cashflow", "whatif", "drivers", "stress"))
    sweep = None
    if plans:
        charts["cashflow"] = _chart(incremental_cash_flow(
            results.monthly, results.summary, cur, plans, active=focus), "chart-cashflow")
        sweep = _whatif(results, plans, rec.scenario)
        if sweep is not None:
            charts["whatif"] = _chart(budget_share_figure(sweep), "chart-whatif")
        charts["drivers"] = _chart(npv_waterfall(npv_drivers(results), cur, plans, active=focus),
                                   "chart-drivers")
    charts["customers"] = _chart(active_customers_by_source(
        results.by_source, names, active=focus), "chart-customers")
    charts["cac_clv"] = _chart(cac_clv_by_source(results.summary, cur, names), "chart-cac-clv")
    charts["cost_of_sales"] = _chart(cost_of_sales_by_scenario(
        results.monthly, results.summary, cur, names), "chart-cost-of-sales")
    stress_sel = stress[stress["scenario"].isin(names)].reset_index(drop=True)
    if plans:
        charts["stress"] = _chart(viral_stress_figure(stress_sel, cur), "chart-stress")

    event = stress.attrs["event"]
    context = {
        "title": options.title or prose.DEFAULT_TITLE,
        "case_name": results.file.name,
        "description": results.file.description,
        "source": os.path.basename(results.source) if results.source else "",
        "date": options.date.isoformat(),
        "date_long": f"{options.date.day} {options.date:%B %Y}",
        "currency": cur,
        "horizon": T,
        "discount_rate": pct(results.discount_rate, 1),
        "version": __version__,
        "recommendation": rec.sentences,
        "recommended": rec.scenario,
        "headline": headline,
        "kpis": kpis,
        "kpi_labels": prose.KPI_LABELS,
        "tables": tables,
        "intro_table": intro_table,
        "table_note": prose.TABLE_BASIS_NOTE,
        "charts": charts,
        "plotly_js": _plotly_js(),
        "whatif_intro": (prose.INTRO_WHATIF.format(plan=sweep.scenario) if sweep is not None
                         else prose.WHATIF_MISSING),
        "whatif_scenario": sweep.scenario if sweep is not None else None,
        "drivers_intro": prose.INTRO_DRIVERS,
        "risk_intro": prose.INTRO_RISK.format(
            month=int(event["month"]), hit=pct(event["acquisition_hit"]),
            churn=pct(event["added_churn"], 1), half_life=f"{event['half_life_months']:g}",
            mitigation=pct(event["mitigation"])),
        "risk_later": prose.RISK_LATER,
        "stress": stress_rows(stress_sel, cur, T),
        "register": register_sections(results, names),
        "methodology": prose.METHODOLOGY,
        "exact": exact,
        "finite_or_none": finite_or_none,
    }
    return _environment().get_template("report.html").render(context)


def write_report(
    results: ScenarioResults, path: str | os.PathLike[str], options: ReportOptions, *,
    overwrite: bool = False,
) -> Path:
    """Render the report and write it atomically; refuses an existing file unless ``overwrite``."""
    target = Path(path)
    if target.exists() and not overwrite:  # fail before the work of rendering
        write_atomic(target, b"", overwrite=False)
    return write_atomic(target, render_report(results, options), overwrite=overwrite)
