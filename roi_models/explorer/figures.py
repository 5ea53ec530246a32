"""The explorer's charts: plotly figures built once per file, then only what changed is sent.

Each chart has a build step (:func:`build`: traces and layout for the plans
of a file, validated by plotly) and a change step (:func:`changes`: its
trace data and the few layout values that depend on the figures), which
:class:`~roi_models.explorer.chartwidget.ChartsWidget` turns into the
smallest message. Speed in the browser comes from what is NOT sent: every value axis has a fixed range on a 1-2-5 grid (no autorange
relayout on each step; the range moves only when the data crosses a grid
line), titles do not carry figures that change on every step (the KPI
table above the charts has them), and arrays equal to those already shown
are not sent again (a chart whose data did not change gets no message at
all). Amount axes are in the house style (:func:`roi_models.formatting.money_ticks`),
and so are the hover texts of amounts (:func:`roi_models.formatting.money_exact`:
``-EUR 12,435``, not plotly's ``EUR -12,435``), sent as each point's
``customdata``; shares in percent; every trace is named.

Charts (keys of :data:`CHARTS`):

- ``customers``: active customers per plan and month;
- ``cashflow``: the plan in focus against the status quo: its discounted
  incremental cash flow per month (bars, left axis: green months add to the
  case, red ones cost) and its cumulative figure (line, right axis; its
  last value is the NPV), both axes scaled to that plan and sharing zero;
  the other plans' cumulative lines are one legend click away; the
  discounted payback month is marked;
- ``cac_cos``: CAC (paid) and cost of sales as a share of revenue, per plan;
- ``churn``: monthly churn of all customers per plan.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..analysis.scenarios import ScenarioResults
from ..charts.cashflow import payback_marks
from ..charts.style import NEGATIVE, POSITIVE, base_layout, plain, scenario_colour
from ..formatting import money_exact, money_ticks

CHARTS: tuple[str, ...] = ("customers", "cashflow", "cac_cos", "churn")
HEIGHT = 380


def plan_label(name: str) -> str:
    """A readable plan name: ``social_reallocation`` -> ``Social reallocation``."""
    text = str(name).replace("_", " ").strip()
    return plain(text[:1].upper() + text[1:])


def nice_top(value: float) -> float:
    """The smallest 1-2-5 grid value >= ``value`` (axis tops that move only now and then).

    >>> nice_top(0.0373), nice_top(2677.0), nice_top(0.0)
    (0.04, 3000.0, 1.0)
    """
    if not math.isfinite(value) or value <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    for m in (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0):
        if m * power >= value * (1 - 1e-12):
            return float(round(m * power, 12))
    return 10.0 * power  # pragma: no cover


def focus_index(res: ScenarioResults, focus: str) -> int:
    return res.names.index(focus) if focus in res.names else min(1, len(res.names) - 1)


def churn_percent(res: ScenarioResults) -> np.ndarray:
    """Monthly churn of all customers, months 1..T, in % ((n, T); the ``monthly`` frame's)."""
    n, T = len(res.names), res.horizon
    rate = res.monthly["churn_rate"].to_numpy(dtype=float).reshape(n, T + 1)
    return 100.0 * rate[:, 1:]


def _cashflow_ranges(bars: np.ndarray, cumulative: np.ndarray) -> tuple[list[float], list[float]]:
    """Left (bars) and right (cumulative) ranges on the 1-2-5 grid, zero at the same height."""
    lo1, hi1 = min(float(bars.min()), 0.0), max(float(bars.max()), 0.0)
    lo2, hi2 = min(float(cumulative.min()), 0.0), max(float(cumulative.max()), 0.0)
    hi1, hi2 = nice_top(hi1) if hi1 > 0 else 0.0, nice_top(hi2) if hi2 > 0 else 0.0
    lo1, lo2 = -nice_top(-lo1) if lo1 < 0 else 0.0, -nice_top(-lo2) if lo2 < 0 else 0.0
    if hi1 == 0 and lo1 == 0:
        hi1 = 1.0
    if hi2 == 0 and lo2 == 0:
        hi2 = 1.0
    # zero at the same height on both axes: the larger negative share f wins, and the
    # other axis is extended downwards (or, when f is capped, upwards)
    f = min(max(-lo1 / (hi1 - lo1), -lo2 / (hi2 - lo2)), 0.95)
    out = []
    for lo, hi in ((lo1, hi1), (lo2, hi2)):
        own = -lo / (hi - lo)
        if own < f:
            lo = -f / (1 - f) * hi
        elif own > f:
            hi = -lo * (1 - f) / f
        out.append([round(lo, 6), round(hi, 6)])
    return out[0], out[1]


# ----------------------------------------------------------------------------- build
def build(res: ScenarioResults, focus: str) -> dict[str, go.Figure]:
    """Plain figures with every trace of the file's plans (filled by :func:`update`)."""
    names, cur, T = res.names, res.currency, res.horizon
    labels = [plan_label(n) for n in names]
    months = np.arange(T + 1)
    figs: dict[str, go.Figure] = {}

    fig = go.Figure()
    for i, label in enumerate(labels):
        fig.add_scatter(x=months, y=np.zeros(T + 1), name=label, mode="lines",
                        line={"color": scenario_colour(i), "width": 2},
                        hovertemplate="Month %{x}: %{y:,.0f} customers<extra>" + label
                        + "</extra>")
    base_layout(fig, "Active customers", height=HEIGHT)
    fig.update_xaxes(title_text="Month", range=[0, T], autorange=False)
    fig.update_yaxes(title_text="Active customers", autorange=False, range=[0, 1],
                     tickformat=",.0f")
    figs["customers"] = fig

    fig = go.Figure()
    for i, label in enumerate(labels):
        fig.add_scatter(x=months[1:], y=np.zeros(T), name=label, mode="lines",
                        line={"color": scenario_colour(i), "width": 2},
                        hovertemplate="Month %{x}: %{y:.2f} % a month<extra>" + label
                        + "</extra>")
    base_layout(fig, "Monthly churn, all customers", height=HEIGHT)
    fig.update_xaxes(title_text="Month", range=[0, T], autorange=False)
    fig.update_yaxes(title_text="Churn, % a month", ticksuffix=" %", autorange=False,
                     range=[0, 1])
    figs["churn"] = fig

    fig = go.Figure()
    f = focus_index(res, focus)
    money = "Month %{x}: %{customdata}<extra>%{fullData.name}</extra>"
    # one bar per month, coloured by its sign (colour strings: plotly.js reads a numeric
    # marker.color as a colorscale value and warned "Invalid color specifier" 122 times a
    # load); the two legend entries are empty traces that only name the colours
    fig.add_bar(x=months, y=np.zeros(T + 1), name="Per month", showlegend=False,
                marker={"color": [POSITIVE] * (T + 1)}, hovertemplate=money)
    for label, colour in (("Month adds to the case", POSITIVE), ("Month costs the case", NEGATIVE)):
        fig.add_bar(x=[None], y=[None], name=label, marker={"color": colour},
                    hoverinfo="skip")
    for i in range(1, len(names)):
        fig.add_scatter(x=months, y=np.zeros(T + 1), yaxis="y2", mode="lines",
                        name=f"Cumulative: {labels[i]}",
                        visible=True if i == f else "legendonly",
                        line={"color": scenario_colour(i), "width": 3 if i == f else 1.5},
                        hovertemplate="Month %{x}: %{customdata} cumulative<extra>"
                        + labels[i] + "</extra>")
    base_layout(fig, f"Discounted incremental cash flow: {labels[f]} vs status quo",
                height=HEIGHT)
    fig.update_layout(
        xaxis={"title": {"text": "Month"}, "range": [-0.5, T + 0.5], "autorange": False},
        yaxis={"title": {"text": f"Per month, {cur}"}, "zeroline": True, "autorange": False},
        yaxis2={"title": {"text": f"Cumulative, {cur}"}, "overlaying": "y", "side": "right",
                "showgrid": False, "zeroline": False, "autorange": False},
        bargap=0.15, barmode="overlay", hovermode="closest",
        margin={"l": 90, "r": 90, "t": 60, "b": 110},
        legend={"orientation": "h", "yanchor": "top", "y": -0.2, "x": 0.0},
    )
    figs["cashflow"] = fig

    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.2,
                        subplot_titles=(f"CAC (paid), {cur} per customer won",
                                        "Cost of sales, % of revenue"))
    colours = [scenario_colour(i) for i in range(len(names))]
    fig.add_bar(x=labels, y=np.zeros(len(names)), name="CAC", marker={"color": colours},
                textposition="outside", cliponaxis=False, row=1, col=1,
                hovertemplate="%{x}: %{customdata} per customer won<extra></extra>")
    fig.add_bar(x=labels, y=np.zeros(len(names)), name="Cost of sales",
                marker={"color": colours}, textposition="outside", cliponaxis=False,
                row=1, col=2, hovertemplate="%{x}: %{y:.1f} % of revenue<extra></extra>")
    base_layout(fig, "Acquisition cost and cost of sales", height=HEIGHT)
    fig.update_yaxes(autorange=False, range=[0, 1], row=1, col=1)
    fig.update_yaxes(autorange=False, range=[0, 1], ticksuffix=" %", row=1, col=2)
    fig.update_layout(showlegend=False, hovermode="closest", margin={"t": 80, "l": 90})
    figs["cac_cos"] = fig
    for fig in figs.values():
        fig.update_layout(autosize=True)
    return figs


def changes(res: ScenarioResults, focus: str) -> dict[str, dict]:
    """What every chart shows for ``res``: ``{chart: {"traces": {i: {attr: value}}, "layout": {path: value}}}``.

    :meth:`roi_models.explorer.chartwidget.ChartsWidget.patch` sends only the
    entries that differ from what the browser holds.
    """
    return {name: globals()["_" + name](res, focus) for name in CHARTS}


def _money_layout(axis: str, lo: float, hi: float, currency: str) -> dict:
    ticks, texts = money_ticks(lo, hi, currency)
    return {f"{axis}.range": [lo, hi], f"{axis}.tickvals": ticks, f"{axis}.ticktext": texts}


def _customers(res: ScenarioResults, focus: str) -> dict:
    active = res.sim.active_customers
    return {"traces": {i: {"y": active[i]} for i in range(len(res.names))},
            "layout": {"yaxis.range": [0.0, nice_top(float(active.max()) * 1.02)]}}


def _churn(res: ScenarioResults, focus: str) -> dict:
    churn = churn_percent(res)
    return {"traces": {i: {"y": churn[i]} for i in range(len(res.names))},
            "layout": {"yaxis.range": [0.0, nice_top(float(churn.max()) * 1.05)]}}


def _cashflow(res: ScenarioResults, focus: str) -> dict:
    f = focus_index(res, focus)
    flows = res.case.discounted_incremental_cash_flow
    cumulative = np.cumsum(flows, axis=1)
    bars = flows[f]
    cur = res.currency
    traces = {0: {"y": bars, "marker.color": [POSITIVE if v >= 0 else NEGATIVE for v in bars],
                  "name": f"Per month: {plan_label(res.names[f])}",
                  "customdata": [money_exact(v, cur) for v in bars]}}
    for k, i in enumerate(range(1, len(res.names)), start=3):
        traces[k] = {"y": cumulative[i], "visible": True if i == f else "legendonly",
                     "line.width": 3 if i == f else 1.5,
                     "customdata": [money_exact(v, cur) for v in cumulative[i]]}
    r1, r2 = _cashflow_ranges(bars, cumulative[f])
    layout = (_money_layout("yaxis", r1[0], r1[1], res.currency)
              | _money_layout("yaxis2", r2[0], r2[1], res.currency))
    marks = payback_marks(res.case.discounted_payback_month[f])
    layout["shapes"], layout["annotations"] = marks["shapes"], marks["annotations"]
    layout["title.text"] = (f"Discounted incremental cash flow: {plan_label(res.names[f])} "
                            "vs status quo")
    return {"traces": traces, "layout": layout}


def _cac_cos(res: ScenarioResults, focus: str) -> dict:
    cac = np.asarray(res.metrics.cac, dtype=float)
    share = 100.0 * np.asarray(res.metrics.cost_of_sales_share, dtype=float)
    cac_text = [money_exact(v, res.currency) for v in cac]  # "n/a" where there is none
    traces = {
        0: {"y": cac, "text": cac_text, "customdata": cac_text},
        1: {"y": share, "text": [f"{v:.1f} %" if np.isfinite(v) else "n/a" for v in share]},
    }
    top = nice_top(float(np.nanmax(cac, initial=0.0)) * 1.25)
    layout = _money_layout("yaxis", 0.0, top, res.currency)
    layout["yaxis2.range"] = [0.0, nice_top(float(np.nanmax(share, initial=0.0)) * 1.25)]
    return {"traces": traces, "layout": layout}


__all__ = ["CHARTS", "build", "changes", "churn_percent", "nice_top", "plan_label"]
