"""The CMO report as one self-contained HTML file: :func:`render_report` (pure) and
:func:`write_report` (atomic file write).

The page inlines plotly.js once and every chart as a ``div`` with a fixed id,
so it opens from ``file://`` with no network, and the same inputs give the
same bytes (no clock, no random ids). Jinja2 autoescapes every text.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import jinja2
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.offline
from markupsafe import Markup

from .. import __version__
from ..analysis.decision import Recommendation, recommend
from ..analysis.drivers import npv_drivers
from ..analysis.scenarios import ScenarioResults
from ..analysis.sensitivity import decision_margins, tornado
from ..analysis.stress import viral_stress
from ..analysis.whatif import MOVED_LABEL, budget_share_sweep
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
from ..charts.sensitivity import (
    decision_margin_figure,
    tornado_figure,
)
from ..charts.style import PLOTLY_CONFIG
from ..errors import InputError
from ..files import check_target, write_atomic
from ..formatting import EXTRA_SPEND_LABEL, format_kpi, money, month, percent
from . import prose
from .options import ReportOptions
from .views import (
    INCREMENTAL_CARDS,
    ChartView,
    ScenarioKpis,
    budget_cell,
    exact,
    finite_or_none,
    how_likely_sentence,
    kpi_cards,
    margin_rows,
    montecarlo_view,
    monthly_payback,
    never_sentences,
    quantile_rows,
    register_sections,
    stress_rows,
    tei_view,
    tornado_rows,
)

PRINT_WIDTH = 1020
"""CSS pixels of a chart printed on A4 landscape with 12 mm margins (273 mm = 1031 px)."""
PRINT_HEIGHT = 460
"""Tallest chart on paper (an A4 landscape page holds 186 mm = 703 px): a chart, its
heading and intro fit on a page with room for more, so pages do not run half empty."""
PRINT_MULTIPLE_WIDTH = 500
"""Width of one small multiple on paper (two side by side)."""
_PRINT_CONFIG = {**PLOTLY_CONFIG, "responsive": False, "staticPlot": True}


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
                       config=PLOTLY_CONFIG)
    return ChartView(id=div_id, html=Markup(html), caption=caption)


def _print_chart(fig: go.Figure, div_id: str, caption: str = "", *,
                 width: int = PRINT_MULTIPLE_WIDTH) -> ChartView:
    """A static figure for paper: fixed width, no toolbar, no menu, no slider."""
    fig.update_layout(width=width, updatemenus=[], sliders=[])
    html = fig.to_html(full_html=False, include_plotlyjs=False, div_id=div_id,
                       config=_PRINT_CONFIG)
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


def plan_spend(results: ScenarioResults) -> dict[str, float]:
    """Channel and programme spend of every scenario over months 0..T (undiscounted): the
    ``budget`` of :attr:`ScenarioResults.summary`."""
    budget = results.summary.set_index("scenario")["budget"]
    return {str(k): float(v) for k, v in budget.items()}


def _budget_sentence(name: str, spend: dict[str, float], currency: str, horizon: int) -> str:
    plan, base = spend[name], spend[STATUS_QUO]
    diff = plan - base
    fields = {"amount": money(abs(diff), currency), "months": horizon,
              "plan_total": money(plan, currency), "base_total": money(base, currency)}
    if abs(diff) <= prose.BUDGET_NEUTRAL_TOLERANCE * abs(base):
        return prose.BUDGET_NEUTRAL.format(**fields)
    return (prose.BUDGET_MORE if diff > 0 else prose.BUDGET_LESS).format(**fields)


@dataclass(frozen=True)
class _Sensitivity:
    tornado: pd.DataFrame
    margins: pd.DataFrame


def _sensitivity(results: ScenarioResults, best: str | None) -> _Sensitivity | None:
    """Tornado and decision margins of the recommended plan (None without uncertainty ranges)."""
    if best is None or not results.file.uncertainty:
        return None
    return _Sensitivity(tornado(results, plan=best), decision_margins(results, plan=best))


def _sensitive_clause(sens: _Sensitivity | None, cur: str, names: dict[str, str]) -> str:
    """The assumption the decision is most sensitive to, and its margin, for "How sure"."""
    if sens is None or sens.tornado.empty:
        return prose.SENSITIVE_NO_RANGES
    m = sens.margins
    found = m[np.isfinite(m["value"].to_numpy(dtype=float))]
    if found.empty:
        top = sens.tornado.iloc[0]
        return prose.SENSITIVE_NONE.format(field=_lower(top["label"]),
                                           kpi_low=money(top["kpi_low"], cur),
                                           kpi_high=money(top["kpi_high"], cur))
    row = found.sort_values("in_ranges", kind="stable").iloc[0]
    spec = sens.tornado.set_index("field").loc[row["field"]]
    how = (f"{percent(abs(row['change_pct']))} {row['direction']}"
           if np.isfinite(row["change_pct"]) else f"{row['direction']}, at {row['value']:,.4g}")
    rival = ("the status quo" if row["rival"] == STATUS_QUO
             else f"\u201c{names.get(row['rival'], row['rival'])}\u201d")
    return prose.SENSITIVE_MARGIN.format(
        field=_lower(row["label"]), how=how, rival=rival, ranges=f"{row['in_ranges']:.1f}",
        low=f"{spec['low']:,.4g}", high=f"{spec['high']:,.4g}")


def _lower(label: str) -> str:
    """A label inside a sentence: first letter lower case unless it is an acronym or a name."""
    word = label.split(" ", 1)[0]
    names = ("Bass",)  # a person's name stays capitalised
    return label if word.isupper() or word[:1].islower() or ":" in word or word in names else (
        label[:1].lower() + label[1:])


def _recommend(results, decision: Recommendation, stress, options, labels, spend,
               sens: _Sensitivity | None = None) -> _Recommendation:
    """The sentences of the recommendation that :func:`recommend` decided."""
    cur, T = results.currency, results.horizon
    if decision.best is None:
        return _Recommendation(None, (
            "Recommendation: n/a (the file has no scenario besides the status quo).",))
    summary = results.summary.set_index("scenario")
    ranked = list(decision.ranked)
    npvs = {n: float(summary.loc[n, "npv"]) for n in ranked}
    best = decision.best
    k = results.kpis(best)
    if not decision.adopts_a_plan:
        return _Recommendation(None, (
            prose.RECOMMEND_STATUS_QUO.format(months=T, plan=labels[best],
                                              npv=money(npvs[best], cur)),
            prose.SURE_STATUS_QUO, prose.RANGE_LATER))
    payback = (prose.PAYBACK_NEVER if k["payback_month"] is None
               else prose.PAYBACK_IN.format(month=month(k["payback_month"])))
    first = prose.RECOMMEND_PLAN.format(
        plan=labels[best], npv=money(k["npv"], cur), months=T,
        roi=format_kpi("roi", k["roi"], cur), irr=_irr_in_sentence(k, cur), payback=payback)
    risk_npv = results.annual(best, risk_adjust_benefits=options.risk_adjust_benefits,
                              risk_adjust_costs=options.risk_adjust_costs).npv
    row = stress.set_index("scenario").loc[best]
    stressed = float(row["npv_stressed"])
    pv_b = float(summary.loc[best, "pv_benefits"])
    breakeven = npvs[best] / pv_b if pv_b > 0 else float("nan")
    template = prose.SURE_ROBUST if risk_npv > 0 and stressed > 0 else prose.SURE_FRAGILE
    event = results.file.scenario(best).viral_event
    if event.enabled:
        stress_clause = prose.STRESS_INCLUDED.format(month=event.month)
    elif stressed > float(row["npv"]):
        stress_clause = prose.STRESS_ADDED_HIGHER.format(stress_npv=money(stressed, cur))
    else:
        stress_clause = prose.STRESS_ADDED.format(stress_npv=money(stressed, cur))
    sure = template.format(
        sensitive=_sensitive_clause(sens, cur, labels),
        benefits_cut=percent(options.risk_adjust_benefits),
        costs_up=percent(options.risk_adjust_costs),
        risk_npv=money(risk_npv, cur), stress=stress_clause,
        breakeven="n/a" if not np.isfinite(breakeven) else percent(breakeven))
    sentences = [first, _budget_sentence(best, spend, cur, T), sure]
    if len(ranked) > 1:
        second = ranked[1]
        diff = spend[second] - spend[STATUS_QUO]
        budget = ("" if abs(diff) <= prose.BUDGET_NEUTRAL_TOLERANCE * abs(spend[STATUS_QUO])
                  else prose.RUNNER_UP_BUDGET.format(amount=money(abs(diff), cur),
                                                     more_less="more" if diff > 0 else "less"))
        sentences.append(prose.RUNNER_UP.format(plan=labels[second],
                                                npv=money(npvs[second], cur), budget=budget))
    sentences.append(prose.RANGE_LATER)
    return _Recommendation(best, tuple(sentences))


def _irr_in_sentence(k, cur: str) -> str:
    """The IRR as the recommendation states it: with its caveat and the MIRR where it has one."""
    irr = format_kpi("irr_annual", k["irr_annual"], cur)
    if not k["irr_caveat"]:
        return irr
    mirr = format_kpi("mirr_annual", k["mirr_annual"], cur)
    return prose.IRR_IN_SENTENCE_CAVEAT.format(irr=irr, mirr=mirr)


def _whatif(results, plans, preferred):
    """The sweep of the preferred plan, or of the first plan with both channel kinds."""
    order = ([preferred] if preferred else []) + [p for p in plans if p != preferred]
    for name in order:
        try:
            return budget_share_sweep(results, name)
        except InputError:
            continue
    return None


def _cashflow_payback_text(results, focus, labels) -> str:
    """Why the chart's discounted payback differs from the summary's payback (if it does)."""
    k = results.kpis(focus)
    pb, dpb = k["payback_month"], k["discounted_payback_month"]
    if dpb is None:
        return ""
    if pb is None or pb == dpb:
        return prose.CASHFLOW_PAYBACK_SAME.format(plan=labels[focus], discounted=month(dpb))
    gap = int(dpb) - int(pb)
    return prose.CASHFLOW_PAYBACK_GAP.format(
        plan=labels[focus], discounted=f"discounted payback {month(dpb)}", payback=month(pb),
        gap="one month" if gap == 1 else f"{gap} months")


def _risk_texts(stress: pd.DataFrame, results, names, labels) -> tuple[str, ...]:
    """The sentences under the risk intro: event already included, or why an NPV rises."""
    if all(results.file.scenario(n).viral_event.enabled for n in names):
        return (prose.RISK_INCLUDED,)
    rows = stress.iloc[1:]
    higher = [labels[r.scenario] for r in rows.itertuples(index=False)
              if not pd.isna(r.npv_stressed) and not pd.isna(r.npv)
              and float(r.npv_stressed) > float(r.npv)]
    if not higher:
        return ()
    plans = ", ".join(f"\u201c{h}\u201d" for h in higher[:-1])
    plans = (plans + " and " if plans else "") + f"\u201c{higher[-1]}\u201d"
    many = len(higher) > 1
    return (prose.RISK_HIGHER.format(plans=plans, verb="have" if many else "has",
                                     pronoun="these plans" if many else "this plan"),)


def _headline_notes(results: ScenarioResults, names, focus: str | None,
                    labels: dict[str, str]) -> tuple[str, ...]:
    """Under the KPI table: the terminal-value setting with the NPV at the other one, and why
    an IRR marked * is not a meaningful rate."""
    notes = []
    if focus is not None:
        k = results.kpis(focus)
        with_tv = results.terminal_value == "customer_value"
        other = k["npv_without_terminal_value" if with_tv else "npv_with_terminal_value"]
        template = prose.TERMINAL_VALUE_CUSTOMER if with_tv else prose.TERMINAL_VALUE_NONE
        notes.append(template.format(months=results.horizon, plan=labels[focus],
                                     other=money(other, results.currency)))
    codes = sorted({int(c) for n in names if n != STATUS_QUO
                    for c in [results.kpis(n)["irr_caveat"]] if c})
    if codes:
        notes.append(prose.IRR_CAVEAT_NOTE.format(
            reasons="; or ".join(prose.IRR_CAVEAT_REASONS[c] for c in codes)))
    return tuple(notes)


def render_report(results: ScenarioResults, options: ReportOptions) -> str:
    """The CMO report as one self-contained HTML string (pure and deterministic).

    Sections: executive summary (recommendation and KPI cards), the annual
    business case (plain and risk-adjusted), cash flow with the budget-share
    what-if slider, NPV drivers, customers and acquisition, risk (viral-event
    stress), and an appendix with the assumption register and methodology.
    Plans are named by their labels (:meth:`ScenarioFile.label`); figures
    are written in the house style of :mod:`roi_models.formatting`.
    """
    if not isinstance(options, ReportOptions):
        raise InputError.one("argument", "options", type(options).__name__, "a ReportOptions")
    names = _selected(results, options)
    plans = [n for n in names if n != STATUS_QUO]
    cur, T = results.currency, results.horizon
    labels = {n: results.file.label(n) for n in results.names}
    spend = plan_spend(results)

    stress = viral_stress(results)
    decision = recommend(results, plans)
    sens = _sensitivity(results, decision.plan if decision.adopts_a_plan else None)
    rec = _recommend(results, decision, stress, options, labels, spend, sens)
    risk = _montecarlo(results, plans, options, labels, rec.scenario)
    if risk is not None:  # the probability replaces "this report states no probability"
        rec = _Recommendation(rec.scenario, tuple(
            risk["how_likely"] if s == prose.RANGE_LATER else s for s in rec.sentences))
    focus = rec.scenario or (plans[0] if plans else None)

    kpis = tuple(
        ScenarioKpis(scenario=n, label=labels[n], is_baseline=n == STATUS_QUO,
                     cards=kpi_cards(results.kpis(n), cur, T, baseline=n == STATUS_QUO),
                     budget=budget_cell(spend[n] - spend[STATUS_QUO], spend[STATUS_QUO], cur, T,
                                        baseline=n == STATUS_QUO))
        for n in names
    )
    headline = next((k for k in kpis if k.scenario == focus), None)

    tables = []
    intro_table = prose.INTRO_TABLE.format(
        rate=percent(results.discount_rate), benefits_cut=percent(options.risk_adjust_benefits),
        costs_up=percent(options.risk_adjust_costs))
    for n in plans:
        components = {c: v[results.index(n)]  # the lines of ROI and of the annual table
                      for c, v in results.case.incremental_lines.items()}
        plain_t = results.annual(n)
        adj_t = results.annual(n, risk_adjust_benefits=options.risk_adjust_benefits,
                               risk_adjust_costs=options.risk_adjust_costs)
        npv_value = results.kpis(n)["npv"]
        monthly_npv = float("nan") if npv_value is None else float(npv_value)
        note = prose.TEI_NPV_NOTE.format(
            monthly=money(monthly_npv, cur),
            higher_lower="higher" if monthly_npv > plain_t.npv else "lower")
        plain_v = tei_view(plain_t, n, label=labels[n], adjusted=False, caption="Unadjusted",
                           horizon=T, currency=cur, note=note,
                           payback=monthly_payback(components))
        if risk is not None:  # P10/P50/P90 rows of the annual net benefits
            plain_v = replace(plain_v, rows=plain_v.rows + quantile_rows(
                risk["mc"].annual_quantiles(n)))
        tables.append((
            plain_v,
            tei_view(adj_t, n, label=labels[n], adjusted=True, horizon=T, currency=cur,
                     payback=monthly_payback(components,
                                             benefits_cut=options.risk_adjust_benefits,
                                             costs_up=options.risk_adjust_costs),
                     caption=(f"Risk-adjusted: benefits -{percent(options.risk_adjust_benefits)}"
                              f", costs +{percent(options.risk_adjust_costs)}")),
        ))

    # optional charts are None when the file has no plan for them (status quo only, or no
    # plan with both channel kinds); the template says so instead
    charts: dict[str, ChartView | None] = dict.fromkeys(
        ("cashflow", "whatif", "drivers", "stress", "tornado", "margins"))
    prints: dict[str, tuple[ChartView, ...]] = {"cashflow": (), "drivers": (), "customers": (),
                                                "whatif": ()}
    sweep = None
    drivers = npv_drivers(results) if plans else None
    if plans:
        charts["cashflow"] = _chart(incremental_cash_flow(
            results.monthly, results.summary, cur, plans, active=focus, labels=labels),
            "chart-cashflow")
        prints["cashflow"] = tuple(
            _print_chart(incremental_cash_flow(results.monthly, results.summary, cur, [n],
                                               labels=labels, height=360),
                         f"print-cashflow-{i}")
            for i, n in enumerate(plans) if n != focus)
        sweep = _whatif(results, plans, rec.scenario)
        if sweep is not None:
            charts["whatif"] = _chart(budget_share_figure(sweep, label=labels[sweep.scenario]),
                                      "chart-whatif")
            # on paper: the plan's own split, without the slider's row
            paper = budget_share_figure(sweep, label=labels[sweep.scenario])
            paper.update_layout(height=PRINT_HEIGHT + 160, title={"pad": {"b": 14}})
            prints["whatif"] = (_print_chart(paper, "print-whatif-0", width=PRINT_WIDTH),)
        charts["drivers"] = _chart(npv_waterfall(drivers, cur, plans, active=focus,
                                                 labels=labels), "chart-drivers")
        prints["drivers"] = tuple(
            _print_chart(npv_waterfall(drivers, cur, [n], labels=labels, height=380),
                         f"print-drivers-{i}")
            for i, n in enumerate(plans) if n != focus)
    shown_customers = focus if focus is not None else names[-1]
    charts["customers"] = _chart(active_customers_by_source(
        results.by_source, names, active=shown_customers, labels=labels), "chart-customers")
    prints["customers"] = tuple(
        _print_chart(active_customers_by_source(results.by_source, [n], labels=labels,
                                                height=360), f"print-customers-{i}")
        for i, n in enumerate(names) if n != shown_customers)
    charts["cac_clv"] = _chart(cac_clv_by_source(results.summary, cur, names, labels=labels),
                               "chart-cac-clv")
    charts["cost_of_sales"] = _chart(cost_of_sales_by_scenario(
        results.monthly, results.summary, cur, names, labels=labels), "chart-cost-of-sales")
    stress_sel = stress[stress["scenario"].isin(names)].reset_index(drop=True)
    included = {n: bool(results.file.scenario(n).viral_event.enabled) for n in names}
    if plans:
        charts["stress"] = _chart(viral_stress_figure(stress_sel, cur, labels=labels,
                                                      included=included), "chart-stress")

    if sens is not None:
        charts["tornado"] = _chart(tornado_figure(sens.tornado, labels=labels), "chart-tornado")
        charts["margins"] = _chart(decision_margin_figure(sens.margins, labels=labels),
                                   "chart-margins")
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
        "discount_rate": percent(results.discount_rate, 1),
        "version": __version__,
        "recommendation": rec.sentences,
        "recommended": rec.scenario or STATUS_QUO,  # nothing beats doing nothing
        "headline": headline,
        "kpis": kpis,
        "kpi_labels": {c.key: c.label for c in kpis[0].cards} if kpis else {},
        "kpi_note": prose.KPI_TABLE_NOTE,
        "headline_notes": _headline_notes(results, names, focus, labels),
        "incremental_cards": INCREMENTAL_CARDS,
        "extra_spend_label": EXTRA_SPEND_LABEL,
        "methodology_headline": prose.METHODOLOGY_HEADLINE,
        "payback_convention": prose.PAYBACK_CONVENTION,
        "tables": tables,
        "intro_table": intro_table,
        "table_note": prose.TABLE_BASIS_NOTE + (
            " " + prose.ANNUAL_QUANTILES_NOTE.format(draws=f"{options.draws:,}")
            if risk is not None else ""),
        "montecarlo": risk,
        "charts": charts,
        "prints": prints,
        "labels": labels,
        "focus": focus,
        "focus_label": labels[focus] if focus else "",
        "plotly_js": _plotly_js(),
        "print_width": PRINT_WIDTH,
        "print_height": PRINT_HEIGHT,
        "cashflow_intro": prose.INTRO_CASHFLOW,
        "cashflow_payback": _cashflow_payback_text(results, focus, labels) if focus else "",
        "cashflow_menu_screen": prose.CASHFLOW_MENU_SCREEN if len(plans) > 1 else "",
        "cashflow_menu_print": prose.CASHFLOW_MENU_PRINT if len(plans) > 1 else "",
        "whatif_intro": (prose.INTRO_WHATIF.format(plan=labels[sweep.scenario],
                                                   moved_label=MOVED_LABEL.lower())
                         if sweep is not None else prose.WHATIF_MISSING),
        "whatif_screen": prose.WHATIF_SCREEN if sweep is not None else "",
        "whatif_print": prose.WHATIF_PRINT if sweep is not None else "",
        "whatif_scenario": sweep.scenario if sweep is not None else None,
        "moved_label": MOVED_LABEL,
        "drivers_intro": prose.INTRO_DRIVERS,
        "risk_intro": prose.INTRO_RISK.format(
            month=int(event["month"]), hit=percent(event["acquisition_hit"]),
            churn=percent(event["added_churn"], 1), half_life=f"{event['half_life_months']:g}",
            mitigation=percent(event["mitigation"])),
        "risk_notes": _risk_texts(stress_sel, results, names, labels),
        "risk_included": all(included.values()),
        "risk_later": prose.RISK_LATER,
        "sensitivity_intro": (prose.INTRO_SENSITIVITY.format(
            plan=labels[rec.scenario], npv=money(sens.tornado.attrs["base"], cur))
            if sens is not None and rec.scenario else prose.NO_SENSITIVITY),
        "margins_intro": (prose.INTRO_MARGINS.format(plan=labels[rec.scenario])
                          if sens is not None and rec.scenario else ""),
        "tornado_rows": tornado_rows(sens.tornado, cur) if sens is not None else (),
        "margin_rows": margin_rows(sens.margins, labels) if sens is not None else (),
        "margin_never": never_sentences(sens.margins, labels) if sens is not None else (),
        "stress": stress_rows(stress_sel, cur, T, labels),
        "register": register_sections(results, names),
        "methodology": prose.METHODOLOGY,
        "exact": exact,
        "finite_or_none": finite_or_none,
    }
    return _environment().get_template("report.html").render(context)


def _montecarlo(results: ScenarioResults, plans: list[str], options: ReportOptions,
                labels: dict[str, str], best: str | None) -> dict | None:
    """The Monte Carlo part of the report (``options.draws`` draws, ``options.seed``): the
    "how likely" sentence, P10/P50/P90 rows of each plan's annual table and the risk
    section's charts and tables (template ``_montecarlo.html``)."""
    if not options.draws or not plans:
        return None
    from ..analysis.montecarlo import insurance_value, montecarlo, sobol_indices
    from ..charts.risk import importance_figure, npv_distribution_figure, p_beats_figure

    cur = results.currency
    mc = montecarlo(results, options.draws, options.seed, annual=True)
    focus = best if best in mc.names else max(plans, key=lambda n: float(mc.column(n).mean()))
    shown = [n for n in mc.names if n in plans]
    try:
        sobol = sobol_indices(results, focus, base_draws=64, seed=options.seed)
    except InputError:  # no uncertain field: rank correlations of the shocks only
        sobol = None
    ins = insurance_value(results, min(options.draws, 1024), options.seed)
    ev, down = results.file.base.viral_event, results.file.base.retention.downturn
    downturn = ("" if down.probability >= 1 and not down.start_month_latest else
                f" (a {percent(down.probability)} chance, starting in month {down.start_month}"
                + (f" to {down.start_month_latest}" if down.start_month_latest else "") + ")")
    view = montecarlo_view(mc, ins[ins.scenario.isin([STATUS_QUO, *shown])], labels, cur)
    view["rows"] = tuple(r for r in view["rows"] if r.scenario in shown)
    return view | {
        "mc": mc,
        "how_likely": how_likely_sentence(mc, best, labels, cur),
        "intro": prose.INTRO_MONTECARLO.format(
            draws=f"{mc.draws:,}", rate=f"{ev.rate_per_month:g}", downturn=downturn,
            seed=mc.seed),
        "importance_intro": prose.INTRO_IMPORTANCE.format(plan=labels[focus]),
        "insurance_intro": prose.INTRO_INSURANCE,
        "table_note": prose.MONTECARLO_TABLE_NOTE.format(draws=f"{mc.draws:,}"),
        "charts": {
            "distribution": _chart(npv_distribution_figure(mc, shown), "chart-mc-distribution"),
            "beats": _chart(p_beats_figure(mc), "chart-mc-beats"),
            "importance": _chart(importance_figure(mc.importance(), sobol, plan=focus,
                                                   labels=labels), "chart-mc-importance"),
        },
    }


def write_report(
    results: ScenarioResults, path: str | os.PathLike[str], options: ReportOptions, *,
    overwrite: bool = False,
) -> Path:
    """Render the report and write it atomically; refuses an existing file unless ``overwrite``."""
    target = check_target(path, overwrite=overwrite)  # fail before the work of rendering
    return write_atomic(target, render_report(results, options), overwrite=overwrite)
