"""Monthly and cumulative discounted incremental cash flow, with the payback month marked."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .style import NEGATIVE, POSITIVE, TOTAL, base_layout, dropdown, money, plain


def cash_flow_traces(months, discounted, *, visible: bool = True) -> list[go.BaseTraceType]:
    """The two traces of a cash-flow chart: monthly bars and the cumulative line.

    ``discounted`` is the discounted incremental cash flow of one plan, month 0 first.
    """
    flow = np.asarray(discounted, dtype=float)
    return [
        go.Bar(x=np.asarray(months), y=flow, name="Monthly (discounted)",
               marker={"color": np.where(flow >= 0, POSITIVE, NEGATIVE).tolist()},
               visible=visible, hovertemplate="%{y:,.0f}<extra>monthly</extra>"),
        go.Scatter(x=np.asarray(months), y=np.cumsum(flow), name="Cumulative (discounted)",
                   mode="lines", line={"color": TOTAL, "width": 2.5}, yaxis="y2",
                   visible=visible, hovertemplate="%{y:,.0f}<extra>cumulative</extra>"),
    ]


def aligned_ranges(monthly, cumulative, pad: float = 0.06) -> tuple[list[float], list[float]]:
    """Axis ranges for the bars (left) and the running total (right) with zero at the same height.

    Bars from -1 to 2 put zero a third of the way up; the line follows:

    >>> aligned_ranges([-1, 2], [-10, 40], pad=0)
    ([-1.0, 2.0], [-20.0, 40.0])
    """
    lo1, hi1 = min(float(np.min(monthly)), 0.0), max(float(np.max(monthly)), 0.0)
    lo2, hi2 = min(float(np.min(cumulative)), 0.0), max(float(np.max(cumulative)), 0.0)
    hi1, hi2 = hi1 or 1.0, hi2 or 1.0
    # zero sits at fraction f of the height: the larger negative share wins
    f = max(-lo1 / (hi1 - lo1), -lo2 / (hi2 - lo2))
    f = min(f, 0.95)

    def rng(hi):
        return [-f / (1 - f) * hi, hi]

    r1, r2 = rng(hi1), rng(hi2)
    if pad:
        r1 = [r1[0] * (1 + pad), r1[1] * (1 + pad)]
        r2 = [r2[0] * (1 + pad), r2[1] * (1 + pad)]
    return [round(v, 6) for v in r1], [round(v, 6) for v in r2]


def payback_marks(payback_month, label: str = "Discounted payback") -> dict:
    """Layout ``shapes`` and ``annotations`` marking a payback month (none if missing)."""
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


def _axes(fig: go.Figure, currency: str, ranges=None) -> None:
    r1, r2 = ranges if ranges is not None else (None, None)
    fig.update_layout(
        xaxis={"title": {"text": "Month"}},
        yaxis={"title": {"text": f"Monthly [{currency}]"}, "zeroline": True, "range": r1},
        yaxis2={"title": {"text": f"Cumulative [{currency}]"}, "overlaying": "y", "side": "right",
                "showgrid": False, "zeroline": True, "range": r2},
        bargap=0.15,
    )
    fig.update_layout(margin={"r": 80})


def incremental_cash_flow(
    monthly: pd.DataFrame, summary: pd.DataFrame, currency: str,
    scenarios: Sequence[str] | None = None, *, active: str | None = None,
) -> go.Figure:
    """Discounted incremental cash flow against the status quo, per scenario (dropdown).

    Bars: the month's discounted incremental cash flow; line (right axis): its
    running total, whose last value is the NPV; the dashed line marks the
    discounted payback month (first month after which the running total stays
    at or above zero).

    Parameters
    ----------
    monthly, summary : :attr:`ScenarioResults.monthly` and ``.summary``.
    scenarios : scenarios to offer (default: all but the first, the status quo).

    >>> import roi_models as rm
    >>> res = rm.run_scenarios(rm.load_shipped())
    >>> fig = incremental_cash_flow(res.monthly, res.summary, res.currency)
    >>> len(fig.data) == 2 * (len(res.names) - 1)
    True
    """
    names = list(scenarios) if scenarios is not None else list(summary["scenario"])[1:]
    shown = names.index(active) if active in names else 0
    by_name = summary.set_index("scenario")
    fig = go.Figure()
    layouts = []
    for k, name in enumerate(names):
        part = monthly[monthly["scenario"] == name]
        for trace in cash_flow_traces(part["month"].to_numpy(),
                                      part["discounted_incremental_cash_flow"].to_numpy(),
                                      visible=k == shown):
            fig.add_trace(trace)
        npv = by_name.loc[name, "npv"]
        marks = payback_marks(by_name.loc[name, "discounted_payback_month"])
        flow = part["discounted_incremental_cash_flow"].to_numpy()
        r1, r2 = aligned_ranges(flow, np.cumsum(flow))
        layouts.append({
            **marks, "yaxis.range": r1, "yaxis2.range": r2,
            "title.text": f"Discounted incremental cash flow: {plain(name)} "
                          f"(NPV {money(None if pd.isna(npv) else float(npv), currency)})",
        })
    _axes(fig, currency, (layouts[shown]["yaxis.range"], layouts[shown]["yaxis2.range"])
          if layouts else None)
    base_layout(fig, layouts[shown]["title.text"] if layouts else "Discounted incremental cash flow")
    if layouts:
        fig.update_layout(shapes=layouts[shown]["shapes"], annotations=layouts[shown]["annotations"])
    if len(names) > 1:
        visible = [[j // 2 == k for j in range(2 * len(names))] for k in range(len(names))]
        fig.update_layout(updatemenus=[dropdown([plain(n) for n in names], visible, layouts,
                                                active=shown)])
    return fig
