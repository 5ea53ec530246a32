"""Sensitivity charts: tornado, spider, data-table heatmap and decision-margin bars.

Each builder takes the frame of one :mod:`roi_models.analysis.sensitivity`
analysis and returns a ``go.Figure``; amounts are written in the house style
of :mod:`roi_models.formatting` (hover texts and axis ticks alike).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ..analysis.sensitivity import DataTable
from ..formatting import KPIS, format_kpi, money_ticks, percent
from .style import NEGATIVE, POSITIVE, TOTAL, chart_layout, label_of, plain, scenario_colour


def _kpi_text(kpi: str, value: float, currency: str) -> str:
    """A KPI value as every other surface writes it (:func:`roi_models.formatting.format_kpi`)."""
    return format_kpi(kpi, value, currency) if np.isfinite(value) else "n/a"


def _kpi_axis(fig: go.Figure, kpi: str, currency: str, values, axis: str = "xaxis") -> None:
    """Axis title and ticks of a KPI axis in the house style."""
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    title = KPIS[kpi].label + (f", {currency}" if KPIS[kpi].style == "money" else "")
    update: dict = {"title": {"text": title}}
    if KPIS[kpi].style == "money" and finite.size:
        tickvals, ticktext = money_ticks(float(finite.min()), float(finite.max()), currency)
        update |= {"tickvals": tickvals, "ticktext": ticktext}
    elif KPIS[kpi].style.startswith("percent"):
        update |= {"tickformat": ".0%"}
    fig.update_layout({axis: update})


def _subtitle(frame: pd.DataFrame, labels: Mapping[str, str] | None = None) -> str:
    a = frame.attrs
    versus = "" if a.get("kpi") not in KPIS or not KPIS[a["kpi"]].incremental else (
        f" against {label_of(a.get('against', ''), labels)}")
    return f"{KPIS[a['kpi']].label} of {label_of(a.get('plan', ''), labels)}{versus}"


def tornado_figure(frame: pd.DataFrame, *, top: int = 12,
                   labels: Mapping[str, str] | None = None) -> go.Figure:
    """Horizontal bars from the KPI at each field's low to its high, largest swing on top.

    >>> import roi_models as rm
    >>> from roi_models.analysis.sensitivity import tornado
    >>> fig = tornado_figure(tornado(rm.run_scenarios(rm.load_shipped()), plan="social"))
    >>> [t.name for t in fig.data]
    ['at the low end', 'at the high end']
    """
    a = frame.attrs
    cur, kpi, base = a["currency"], a["kpi"], float(a["base"])
    rows = frame.head(top).iloc[::-1]  # plotly draws the first category at the bottom
    rows_shown = [plain(str(v)) for v in rows["label"]]
    fig = go.Figure()
    for end, colour in (("low", NEGATIVE), ("high", POSITIVE)):
        k = rows[f"kpi_{end}"].to_numpy(dtype=float)
        texts = [f"{plain(lbl)} = {v:,.4g} ({end}): {_kpi_text(kpi, x, cur)}"
                 for lbl, v, x in zip(rows["label"], rows[end], k, strict=True)]
        fig.add_bar(y=rows_shown, x=k - base, base=base, orientation="h",
                    name=f"at the {end} end", marker={"color": colour},
                    customdata=texts, hovertemplate="%{customdata}<extra></extra>")
    fig.add_vline(x=base, line={"color": TOTAL, "width": 1.5, "dash": "dot"})
    ends = np.concatenate([rows["kpi_low"], rows["kpi_high"], [base]])
    _kpi_axis(fig, kpi, cur, ends)
    chart_layout(fig, f"What moves the case<br>{_subtitle(frame, labels)}<br>"
                 f"today {_kpi_text(kpi, base, cur)}", height=max(360, 140 + 34 * len(rows)))
    fig.update_layout(barmode="overlay")
    return fig


def spider_figure(frame: pd.DataFrame, *, labels: Mapping[str, str] | None = None) -> go.Figure:
    """The KPI against the relative change of each field, one line per field.

    Points where a field's bound clipped the change are drawn as open markers.
    """
    a = frame.attrs
    cur, kpi = a["currency"], a["kpi"]
    fig = go.Figure()
    for i, (_key, part) in enumerate(frame.groupby("field", sort=False)):
        label = plain(str(part["label"].iloc[0]))
        symbols = np.where(part["clipped"], "circle-open", "circle").tolist()
        texts = [f"{label}: {c:+.0%} ({v:,.4g}{', at its bound' if cl else ''}): "
                 f"{_kpi_text(kpi, k, cur)}".replace("%", " %")
                 for c, v, cl, k in zip(part["change"], part["value"], part["clipped"],
                                        part["kpi"], strict=True)]
        fig.add_scatter(x=part["change"], y=part["kpi"], mode="lines+markers", name=label,
                        marker={"symbol": symbols, "size": 7},
                        line={"color": scenario_colour(i + 1), "width": 2},
                        customdata=texts, hovertemplate="%{customdata}<extra></extra>")
    _kpi_axis(fig, kpi, cur, frame["kpi"], axis="yaxis")
    fig.update_xaxes(title_text="Change of the field from today's value", tickformat="+.0%")
    chart_layout(fig, f"Spider<br>{_subtitle(frame, labels)}", height=520)
    return fig


def data_table_figure(table: DataTable, currency: str, *,
                      labels: Mapping[str, str] | None = None) -> go.Figure:
    """Heatmap of a two-field data table, 0 of an incremental KPI marked by the colour midpoint."""
    q = table.question
    z = table.kpi
    finite = z[np.isfinite(z)]
    span = float(np.max(np.abs(finite))) if finite.size else 1.0
    texts = [[_kpi_text(q.kpi, v, currency) for v in row] for row in z]
    fig = go.Figure(go.Heatmap(
        z=z, x=table.columns, y=table.rows, text=texts, zmid=0.0, zmin=-span, zmax=span,
        colorscale=[[0.0, NEGATIVE], [0.5, "#f7f7f7"], [1.0, POSITIVE]],
        hovertemplate=(f"{plain(table.row_field.label)} %{{y:,.4g}}, "
                       f"{plain(table.column_field.label)} %{{x:,.4g}}: %{{text}}<extra></extra>"),
        colorbar={"title": {"text": KPIS[q.kpi].label}},
    ))
    if KPIS[q.kpi].style == "money":
        tickvals, ticktext = money_ticks(-span, span, currency)
        fig.update_traces(colorbar={"tickvals": tickvals, "ticktext": ticktext})
    fig.update_xaxes(title_text=plain(table.column_field.label))
    fig.update_yaxes(title_text=plain(table.row_field.label))
    chart_layout(fig, f"Data table<br>{KPIS[q.kpi].label} of {label_of(q.plan, labels)}",
                 height=480, legend=False)
    return fig


MARGIN_CAP = 3.0
"""Widths of the uncertainty range beyond which a margin bar is cut (and labelled so)."""


def decision_margin_figure(frame: pd.DataFrame, *,
                           labels: Mapping[str, str] | None = None) -> go.Figure:
    """Bars of how far each field can move before a rival wins, in widths of its range.

    Bars are cut at :data:`MARGIN_CAP` widths (their label gives the real
    distance); a field at whose every value the plan stays ahead gets a grey
    bar labelled "never".
    """
    fig = go.Figure()
    rivals = list(dict.fromkeys(frame["rival"]))
    for i, rival in enumerate(rivals):
        part = frame[frame["rival"] == rival].iloc[::-1]
        width = part["in_ranges"].to_numpy(dtype=float)
        never = ~np.isfinite(part["value"].to_numpy(dtype=float))
        unranged = ~never & ~np.isfinite(width)
        bar_texts = []
        for w, pct, nv, ur in zip(width, part["change_pct"], never, unranged, strict=True):
            move = percent(pct, 0) if np.isfinite(pct) else ""
            bar_texts.append("never" if nv else f"{move} (no range)" if ur else
                          f"{move}, {w:.1f} ranges" + (" (cut)" if w > MARGIN_CAP else ""))
        y = [plain(str(v)) for v in part["label"]]
        who = label_of(str(rival), labels)
        for mask, colour, name in ((~never, scenario_colour(i + 2), f"before {who} wins"),
                                   (never, "#c8ccd0", f"{who} never wins")):
            if not mask.any():
                continue
            x = np.where(never | unranged, MARGIN_CAP, np.minimum(width, MARGIN_CAP))
            fig.add_bar(y=np.array(y)[mask].tolist(), x=x[mask], orientation="h", name=name,
                        marker={"color": colour}, offsetgroup=str(i),
                        text=np.array(bar_texts)[mask].tolist(), textposition="inside",
                        insidetextanchor="end", textangle=0,
                        customdata=part["sentence"].map(lambda t: plain(str(t)))[mask].tolist(),
                        hovertemplate="%{customdata}<extra></extra>")
    fig.update_xaxes(title_text="Distance to the tie<br>(in ranges)", range=[0, MARGIN_CAP * 1.02])
    chart_layout(fig, f"Decision margins<br>{label_of(frame.attrs.get('plan', ''), labels)}",
                 height=max(360, 160 + 44 * frame["field"].nunique()))
    fig.update_layout(barmode="group",
                      uniformtext={"minsize": 11, "mode": "show"},
                      yaxis={"categoryorder": "array",
                             "categoryarray": [plain(str(v)) for v in
                                               dict.fromkeys(frame["label"][::-1])]})
    return fig


__all__ = ["data_table_figure", "decision_margin_figure", "spider_figure", "tornado_figure"]
