"""Monthly and cumulative discounted incremental cash flow, with the discounted payback marked.

Each plan in the menu brings its own axes: both amount axes are scaled to
that plan's bars and running total (zero at the same height on both), with
ticks in the text's units (``EUR 2 m``); the payback month is a dashed
line named in the legend and the title, so no label sits on the bars.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ..formatting import money, month
from .style import (
    NEGATIVE,
    POSITIVE,
    TOTAL,
    chart_layout,
    dropdown,
    exact_texts,
    label_of,
    money_axis,
    relayout_keys,
)

BAR_NAME = "This month (discounted)"
LINE_NAME = "Running total (discounted): NPV at the end"


def cash_flow_traces(months, discounted, *, visible: bool = True, currency: str = "",
                     payback=None, payback_range=None) -> list[go.BaseTraceType]:
    """The traces of a cash-flow chart: monthly bars, the running total, the payback line.

    ``discounted`` is the discounted incremental cash flow of one plan, month 0
    first. Hover texts give each bar's own value and month in whole units
    ("Month 36: EUR 229,535"); the running total says that it is one. With
    ``payback`` (a month) and ``payback_range`` (the bar axis range) a dashed
    vertical line marks the discounted payback month.
    """
    flow = np.asarray(discounted, dtype=float)
    x = np.asarray(months)
    cum = np.cumsum(flow)
    traces: list[go.BaseTraceType] = [
        go.Bar(x=x, y=flow, name=BAR_NAME,
               marker={"color": np.where(flow >= 0, POSITIVE, NEGATIVE).tolist()},
               visible=visible, customdata=exact_texts(flow, currency),
               hovertemplate="Month %{x}: %{customdata}<extra>this month, discounted</extra>"),
        go.Scatter(x=x, y=cum, name=LINE_NAME, mode="lines",
                   line={"color": TOTAL, "width": 2.5}, yaxis="y2", visible=visible,
                   customdata=exact_texts(cum, currency),
                   hovertemplate="Month %{x}: %{customdata}<extra>running total</extra>"),
    ]
    if payback is not None and not pd.isna(payback) and payback_range is not None:
        m = int(payback)
        traces.append(go.Scatter(
            x=[m, m], y=list(payback_range), name=f"Discounted payback: {month(m)}",
            mode="lines", line={"color": POSITIVE, "width": 2, "dash": "dash"},
            visible=visible, hovertemplate=f"Discounted payback: {month(m)}<extra></extra>"))
    return traces


def aligned_ranges(monthly, cumulative, pad: float = 0.06) -> tuple[list[float], list[float]]:
    """Axis ranges for the bars (left) and the running total (right) with zero at the same height.

    Zero sits at the height ``f`` that gives both series the same share of
    the plot: a series whose own zero lies below ``f`` fills the top and
    leaves room below, one whose zero lies above fills the bottom. With
    ``f_lo``, ``f_hi`` the two series' own zero heights, ``f = f_hi / (1 -
    f_lo + f_hi)`` (both then use ``(1 - f) / (1 - f_lo)`` of the height). A
    series that never goes below zero and one that never goes above it are
    both drawn in full, whatever their signs: all-negative running totals
    (a plan that never pays back) included.

    Bars from -1 to 2 and a running total from -10 to 40 both use 88 % of the height; a plan
    that never pays back (a running total below zero) still shows all its bars:

    >>> aligned_ranges([-1, 2], [-10, 40], pad=0)
    ([-1.0, 2.4], [-16.666667, 40.0])
    >>> aligned_ranges([-5, 1], [-30, -10], pad=0)
    ([-6.0, 1.0], [-30.0, 5.0])
    >>> aligned_ranges([0, 3], [0, 9], pad=0)
    ([0.0, 3.0], [0.0, 9.0])
    """
    def extent(v):
        a = np.asarray(v, dtype=float)
        a = a[np.isfinite(a)]
        lo = min(float(a.min()), 0.0) if a.size else 0.0
        hi = max(float(a.max()), 0.0) if a.size else 0.0
        if hi == lo:  # all zero: a unit range above zero
            hi = 1.0
        return lo, hi

    (lo1, hi1), (lo2, hi2) = extent(monthly), extent(cumulative)
    f1, f2 = -lo1 / (hi1 - lo1), -lo2 / (hi2 - lo2)
    f_lo, f_hi = min(f1, f2), max(f1, f2)
    f = f_hi / (1.0 - f_lo + f_hi)

    def rng(lo, hi):
        if f <= 0:
            return [0.0, hi]
        if f >= 1:
            return [lo, 0.0]
        b = max(hi, -lo * (1.0 - f) / f)
        return [-f / (1.0 - f) * b, b]

    r1, r2 = rng(lo1, hi1), rng(lo2, hi2)
    if pad:
        r1 = [r1[0] * (1 + pad), r1[1] * (1 + pad)]
        r2 = [r2[0] * (1 + pad), r2[1] * (1 + pad)]
        if f <= 0:  # keep a little room under a zero baseline
            r1[0], r2[0] = -pad * r1[1], -pad * r2[1]
        if f >= 1:
            r1[1], r2[1] = -pad * r1[0], -pad * r2[0]
    return [round(v, 6) for v in r1], [round(v, 6) for v in r2]


def payback_marks(payback_month, label: str = "Discounted payback") -> dict:
    """Layout ``shapes`` and ``annotations`` marking a payback month (none if missing).

    Used by the explorer; the report's chart names the payback in its legend instead.
    """
    if payback_month is None or pd.isna(payback_month):
        return {"shapes": [], "annotations": [{
            "text": "No discounted payback within the horizon", "xref": "paper", "yref": "paper",
            "x": 0.01, "y": 0.98, "showarrow": False, "font": {"color": NEGATIVE},
            "xanchor": "left", "yanchor": "top",
        }]}
    m = int(payback_month)
    return {
        "shapes": [{"type": "line", "x0": m, "x1": m, "xref": "x", "yref": "paper", "y0": 0,
                    "y1": 1, "line": {"color": POSITIVE, "width": 2, "dash": "dash"}}],
        "annotations": [{"text": f"{label}: month {m}", "x": m, "xref": "x", "y": 1.0,
                         "yref": "paper", "showarrow": False, "xanchor": "left",
                         "yanchor": "top", "font": {"color": POSITIVE}, "xshift": 4}],
    }


def cash_flow_axes(flow, currency: str) -> tuple[dict, dict]:
    """Settings of the bar axis and the running-total axis of one plan (ranges and ticks)."""
    flow = np.asarray(flow, dtype=float)
    r1, r2 = aligned_ranges(flow, np.cumsum(flow))
    return money_axis(r1[0], r1[1], currency), money_axis(r2[0], r2[1], currency)


def cash_flow_title(label: str, npv, payback, currency: str, horizon: int) -> str:
    """Three short lines: what the chart shows, the plan, its NPV and discounted payback."""
    pb = (f"discounted payback {month(payback)}" if payback is not None and not pd.isna(payback)
          else f"no discounted payback within {horizon} months")
    npv_text = money(None if npv is None or pd.isna(npv) else float(npv), currency)
    return f"Discounted incremental cash flow<br>{label}<br>NPV {npv_text}, {pb}"


def incremental_cash_flow(
    monthly: pd.DataFrame, summary: pd.DataFrame, currency: str,
    scenarios: Sequence[str] | None = None, *, active: str | None = None,
    labels: Mapping[str, str] | None = None, height: int = 470,
) -> go.Figure:
    """Discounted incremental cash flow against the status quo, per scenario (menu).

    Bars: the month's discounted incremental cash flow (left axis); line
    (right axis): its running total, whose last value is the NPV; the dashed
    line marks the discounted payback month (first month after which the
    running total stays at or above zero). Choosing a plan in the menu
    redraws its traces with its own axis ranges and ticks.

    Parameters
    ----------
    monthly, summary : :attr:`ScenarioResults.monthly` and ``.summary``.
    scenarios : scenarios to offer (default: all but the first, the status quo).
    active : the plan shown first; labels : plan names to show (default: readable keys).

    >>> import roi_models as rm
    >>> res = rm.run_scenarios(rm.load_shipped())
    >>> fig = incremental_cash_flow(res.monthly, res.summary, res.currency)
    >>> [b.label for b in fig.layout.updatemenus[0].buttons]
    ['Traditional', 'Social', 'Blended']
    """
    names = list(scenarios) if scenarios is not None else list(summary["scenario"])[1:]
    shown = names.index(active) if active in names else 0
    by_name = summary.set_index("scenario")
    horizon = int(monthly["month"].max())
    fig = go.Figure()
    layouts, groups = [], []
    for k, name in enumerate(names):
        part = monthly[monthly["scenario"] == name]
        flow = part["discounted_incremental_cash_flow"].to_numpy(dtype=float)
        ax1, ax2 = cash_flow_axes(flow, currency)
        payback = by_name.loc[name, "discounted_payback_month"]
        payback = None if pd.isna(payback) else int(payback)
        traces = cash_flow_traces(part["month"].to_numpy(), flow, visible=k == shown,
                                  currency=currency, payback=payback,
                                  payback_range=ax1["range"])
        groups.append(len(traces))
        fig.add_traces(traces)
        npv = by_name.loc[name, "npv"]
        layouts.append({
            "title.text": cash_flow_title(label_of(name, labels), npv, payback, currency,
                                          horizon),
            **relayout_keys("yaxis", ax1), **relayout_keys("yaxis2", ax2),
        })
    chart_layout(fig, layouts[shown]["title.text"] if layouts
                 else "Discounted incremental cash flow", height=height, menu=len(names) > 1)
    fig.update_layout(
        xaxis={"title": {"text": "Month (0: decision date)"}, "range": [-0.8, horizon + 0.8]},
        yaxis={"title": {"text": "This month"}, "zeroline": True, "zerolinecolor": "#9aa5b1"},
        yaxis2={"title": {"text": "Running total"}, "overlaying": "y", "side": "right",
                "showgrid": False, "zeroline": False, "automargin": True},
        bargap=0.15,
    )
    if layouts:
        fig.update_layout({k: v for k, v in layouts[shown].items() if k != "title.text"})
    if len(names) > 1:
        owner = [k for k, n in enumerate(groups) for _ in range(n)]
        visible = [[g == k for g in owner] for k in range(len(names))]
        fig.update_layout(updatemenus=[dropdown([label_of(n, labels) for n in names], visible,
                                                layouts, active=shown)])
    return fig
