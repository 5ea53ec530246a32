"""The explorer's charts as plotly ``FigureWidget``s that are built once and updated in place.

Each chart has a ``populate`` step (traces created for the scenarios of a
file: run when a file is loaded) and an ``update`` step (only trace data and
a few layout values assigned, inside ``fig.batch_update()``, so the browser
receives one message per chart and redraws without flicker). Look and
number formats come from :mod:`roi_models.charts.style`, the payback marker
and the aligned cash-flow axes from :mod:`roi_models.charts.cashflow`, so
the explorer draws what the CMO report draws.

Charts (keys of :data:`CHARTS`):

- ``customers``: active customers per scenario and month;
- ``cashflow``: the focused plan's monthly discounted incremental cash flow
  (bars) and every plan's cumulative discounted incremental cash flow
  (lines, right axis; the last value is the NPV), the focused plan's
  discounted payback month marked;
- ``cac_cos``: blended CAC and cost of sales as a share of revenue, per scenario;
- ``churn``: monthly churn of all customers per scenario.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..charts.cashflow import aligned_ranges, payback_marks
from ..charts.style import NEGATIVE, POSITIVE, base_layout, money, plain, scenario_colour
from .compute import Evaluation

CHARTS: tuple[str, ...] = ("customers", "cashflow", "cac_cos", "churn")
HEIGHT = 360


def _blank() -> dict[str, go.Figure]:
    figs = {name: go.Figure() for name in CHARTS}
    figs["cac_cos"] = make_subplots(
        rows=1, cols=2, subplot_titles=("CAC, all sources", "Cost of sales / revenue"),
        horizontal_spacing=0.15)
    return figs


def build(ev: Evaluation, focus: str) -> dict[str, go.Figure]:
    """Plain figures with every trace filled (what the widgets show for ``ev``)."""
    figs = _blank()
    populate(figs, ev, focus)
    return figs


def new_figures(ev: Evaluation, focus: str) -> dict[str, go.FigureWidget]:
    """One FigureWidget per chart, created with its data (so a first view is never stale)."""
    return {name: go.FigureWidget(fig) for name, fig in build(ev, focus).items()}


def reload(widgets: dict[str, go.FigureWidget], ev: Evaluation, focus: str) -> None:
    """Replace the traces and layout of existing widgets (a file with other scenarios)."""
    for name, fig in build(ev, focus).items():
        widget = widgets[name]
        widget.data = ()
        with widget.batch_update():
            widget.add_traces(list(fig.data))
            widget.layout = fig.layout


def populate(figs: dict[str, go.FigureWidget], ev: Evaluation, focus: str) -> None:
    """(Re)create every chart's traces for the scenarios of ``ev`` and fill them."""
    names, cur = ev.names, ev.currency
    labels = [plain(n) for n in names]
    months = ev.months
    fig = figs["customers"]
    with fig.batch_update():
        fig.data = ()
        for i, label in enumerate(labels):
            fig.add_scatter(x=months, y=ev.sim.active_customers[i], name=label, mode="lines",
                            line={"color": scenario_colour(i), "width": 2},
                            hovertemplate="%{y:,.0f}<extra>" + label + "</extra>")
        fig.update_xaxes(title_text="Month")
        fig.update_yaxes(title_text="Active customers", rangemode="tozero")
        base_layout(fig, "Active customers", height=HEIGHT)

    fig = figs["churn"]
    with fig.batch_update():
        fig.data = ()
        for i, label in enumerate(labels):
            fig.add_scatter(x=months[1:], y=ev.churn_rate[i], name=label, mode="lines",
                            line={"color": scenario_colour(i), "width": 2},
                            hovertemplate="%{y:.2%}<extra>" + label + "</extra>")
        fig.update_xaxes(title_text="Month")
        fig.update_yaxes(title_text="Churn per month", tickformat=".1%", rangemode="tozero")
        base_layout(fig, "Monthly churn, all customers", height=HEIGHT)

    fig = figs["cashflow"]
    with fig.batch_update():
        fig.data = ()
        fig.add_bar(x=months, y=np.zeros(months.size), name="Monthly, focused plan",
                    marker={"color": np.zeros(months.size), "cmin": 0, "cmax": 1,
                            "colorscale": [[0, NEGATIVE], [1, POSITIVE]]},
                    hovertemplate="%{y:,.0f}<extra>monthly</extra>")
        for i in range(1, len(names)):
            fig.add_scatter(x=months, y=np.zeros(months.size), yaxis="y2", mode="lines",
                            name=f"Cumulative: {labels[i]}",
                            line={"color": scenario_colour(i), "width": 2},
                            hovertemplate="%{y:,.0f}<extra>" + labels[i] + "</extra>")
        fig.update_layout(
            xaxis={"title": {"text": "Month"}},
            yaxis={"title": {"text": f"Monthly [{cur}]"}, "zeroline": True},
            yaxis2={"title": {"text": f"Cumulative [{cur}]"}, "overlaying": "y",
                    "side": "right", "showgrid": False, "zeroline": True},
            bargap=0.15,
        )
        base_layout(fig, "Discounted incremental cash flow", height=HEIGHT)
        fig.update_layout(margin={"r": 80, "b": 90},
                          legend={"orientation": "h", "yanchor": "top", "y": -0.18, "x": 0.0})

    fig = figs["cac_cos"]
    with fig.batch_update():
        fig.data = ()
        colours = [scenario_colour(i) for i in range(len(names))]
        fig.add_bar(x=labels, y=np.zeros(len(names)), name="CAC", marker={"color": colours},
                    textposition="outside", row=1, col=1,
                    hovertemplate="CAC %{y:,.0f}<extra></extra>")
        fig.add_bar(x=labels, y=np.zeros(len(names)), name="Cost of sales share",
                    marker={"color": colours}, textposition="outside", row=1, col=2,
                    hovertemplate="%{y:.2%} of revenue<extra></extra>")
        fig.update_yaxes(title_text=f"{cur} per customer", rangemode="tozero", row=1, col=1)
        fig.update_yaxes(tickformat=".1%", rangemode="tozero", row=1, col=2)
        base_layout(fig, "Customer acquisition cost and cost of sales", height=HEIGHT)
        fig.update_layout(showlegend=False, hovermode="closest")
    update(figs, ev, focus)


def update(figs: dict[str, go.FigureWidget], ev: Evaluation, focus: str) -> None:
    """Assign new data to every chart in place (one batched message per chart)."""
    with figs["customers"].batch_update():
        for i, trace in enumerate(figs["customers"].data):
            trace.y = ev.sim.active_customers[i]
    with figs["churn"].batch_update():
        for i, trace in enumerate(figs["churn"].data):
            trace.y = ev.churn_rate[i]
    update_cashflow(figs["cashflow"], ev, focus)
    fig = figs["cac_cos"]
    cac = np.asarray(ev.metrics.cac, dtype=float)
    share = np.asarray(ev.metrics.cost_of_sales_share, dtype=float)
    with fig.batch_update():
        fig.data[0].y = cac
        fig.data[0].text = [f"{v:,.0f}" if np.isfinite(v) else "n/a" for v in cac]
        fig.data[1].y = share
        fig.data[1].text = [f"{v:.1%}" if np.isfinite(v) else "n/a" for v in share]
        top_cac = float(np.nanmax(cac, initial=0.0)) * 1.2 or 1.0
        top_share = float(np.nanmax(share, initial=0.0)) * 1.2 or 0.01
        fig.layout.yaxis.range = [0, top_cac]
        fig.layout.yaxis2.range = [0, top_share]


def update_cashflow(fig: go.FigureWidget, ev: Evaluation, focus: str) -> None:
    """The cash-flow chart for the focused plan (bars, payback mark, title) and every plan's line."""
    f = ev.names.index(focus) if focus in ev.names else min(1, len(ev.names) - 1)
    flows = ev.discounted_incremental
    cumulative = np.cumsum(flows, axis=1)
    bars = flows[f]
    marks = payback_marks(ev.case.discounted_payback_month[f])
    r1, r2 = aligned_ranges(bars, cumulative[1:] if len(ev.names) > 1 else cumulative)
    npv = float(ev.case.npv[f])
    with fig.batch_update():
        fig.data[0].y = bars
        fig.data[0].marker.color = (bars >= 0).astype(float)  # 1: positive colour
        name = f"Monthly: {plain(ev.names[f])}"
        if fig.data[0].name != name:
            fig.data[0].name = name
        for i, trace in enumerate(fig.data[1:], start=1):
            trace.y = cumulative[i]
            trace.line.width = 3.5 if i == f else 1.5
        fig.layout.yaxis.range = r1
        fig.layout.yaxis2.range = r2
        if _marks_differ(fig, marks):  # validating shapes is costly: only when the month moves
            fig.layout.shapes = marks["shapes"]
            fig.layout.annotations = marks["annotations"]
        title = (f"Discounted incremental cash flow: {plain(ev.names[f])} "
                 f"(NPV {money(npv, ev.currency)})")
        if fig.layout.title.text != title:
            fig.layout.title.text = title


def _marks_differ(fig: go.FigureWidget, marks: dict) -> bool:
    texts = [a.text for a in fig.layout.annotations]
    xs = [s.x0 for s in fig.layout.shapes]
    return (texts != [a["text"] for a in marks["annotations"]]
            or xs != [s["x0"] for s in marks["shapes"]])
