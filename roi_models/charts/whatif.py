"""The budget-share what-if: a plotly slider over precomputed results (no kernel needed).

Each slider step redraws the discounted incremental cash flow of one share
of the channel budget moved to social and states its NPV in the title; the
lower panel shows NPV against the share with the current step marked.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..analysis.whatif import MOVED_LABEL, BudgetShareSweep
from ..formatting import money, month, percent
from .cashflow import BAR_NAME, LINE_NAME, aligned_ranges
from .style import (
    NEGATIVE,
    POSITIVE,
    TOTAL,
    WARNING,
    chart_layout,
    exact_texts,
    label_of,
    money_axis,
)


def _moved(x: float) -> str:
    """``+25 %``, ``-50 %``, ``0 %`` (0: the plan itself)."""
    return "0 %" if abs(x) < 1e-12 else ("+" if x > 0 else "") + percent(x)


def _payback(sweep: BudgetShareSweep, k: int) -> int | None:
    pb = sweep.case.discounted_payback_month[k]
    return int(pb) if np.isfinite(pb) else None


def _title(sweep: BudgetShareSweep, k: int, label: str) -> str:
    """Three short lines: the plan, the budget moved and the social share, NPV and payback."""
    npv = float(sweep.case.npv[k])
    pb = _payback(sweep, k)
    payback = (f"discounted payback {month(pb)}" if pb is not None
               else "no discounted payback within the horizon")
    share = percent(sweep.social_share[k])
    moved = (f"the plan as in its file ({share} on social)" if abs(sweep.moved[k]) < 1e-12
             else f"{_moved(sweep.moved[k])} moved to social ({share} on social)")
    return f"{label}<br>{moved}<br>NPV {money(npv, sweep.currency)}, {payback}"


def budget_share_figure(sweep: BudgetShareSweep, *, label: str | None = None) -> go.Figure:
    """Slider figure of a :class:`~roi_models.analysis.whatif.BudgetShareSweep`.

    The slider starts at the plan itself (nothing moved, ``sweep.plan_index``).
    Each step redraws the upper panel (discounted incremental cash flow of
    that split, its running total and the discounted payback) and moves the
    marker on the lower panel (NPV against the budget moved). ``label`` is
    the plan's name to show (default: the readable key).

    >>> import roi_models as rm
    >>> from roi_models.analysis.whatif import budget_share_sweep
    >>> res = rm.run_scenarios(rm.load_shipped())
    >>> fig = budget_share_figure(budget_share_sweep(res, "social"))
    >>> len(fig.layout.sliders[0].steps)
    41
    """
    name = label_of(sweep.scenario, {sweep.scenario: label} if label else None)
    months = sweep.months
    flows = sweep.discounted_cash_flow
    cum = np.cumsum(flows, axis=1)
    npv = np.asarray(sweep.case.npv, dtype=float)
    start = sweep.plan_index
    cur = sweep.currency

    def colours(row):
        return np.where(row >= 0, POSITIVE, NEGATIVE).tolist()

    def payback_line(k):
        pb = _payback(sweep, k)
        return ([pb, pb] if pb is not None else [None, None],
                f"Discounted payback: {month(pb)}" if pb is not None else "No discounted payback")

    fig = make_subplots(
        rows=2, cols=1, row_heights=[0.6, 0.4], vertical_spacing=0.2,
        specs=[[{"secondary_y": True}], [{}]],
        subplot_titles=("", "NPV by budget moved"),
    )
    r1, r2 = aligned_ranges(flows, cum)  # fixed over all steps: the bars visibly move
    ax1, ax2 = money_axis(r1[0], r1[1], cur), money_axis(r2[0], r2[1], cur)
    px, pname = payback_line(start)
    fig.add_trace(go.Bar(x=months, y=flows[start], name=BAR_NAME,
                         marker={"color": colours(flows[start])},
                         customdata=exact_texts(flows[start], cur),
                         hovertemplate="Month %{x}: %{customdata}<extra>this month, discounted"
                                       "</extra>"), row=1, col=1)
    fig.add_trace(go.Scatter(x=months, y=cum[start], name=LINE_NAME, mode="lines",
                             line={"color": TOTAL, "width": 2.5},
                             customdata=exact_texts(cum[start], cur),
                             hovertemplate="Month %{x}: %{customdata}<extra>running total</extra>"),
                  row=1, col=1, secondary_y=True)
    moved_text = [_moved(m) for m in sweep.moved]
    fig.add_trace(go.Scatter(x=sweep.moved, y=npv, name="NPV by budget moved",
                             mode="lines+markers", line={"color": "#2f7ed8"}, marker={"size": 5},
                             customdata=[f"{m} moved to social: NPV {v}" for m, v in
                                         zip(moved_text, exact_texts(npv, cur), strict=False)],
                             hovertemplate="%{customdata}<extra></extra>"), row=2, col=1)
    fig.add_trace(go.Scatter(x=[sweep.moved[start]], y=[npv[start]], name="Selected split",
                             mode="markers", marker={"size": 14, "color": WARNING,
                                                     "symbol": "circle-open", "line": {"width": 3}},
                             hoverinfo="skip"), row=2, col=1)
    fig.add_trace(go.Scatter(x=px, y=ax1["range"], name=pname, mode="lines",
                             line={"color": POSITIVE, "width": 2, "dash": "dash"},
                             hoverinfo="skip"), row=1, col=1)
    fig.update_yaxes(**ax1, title_text="This month", row=1, col=1, secondary_y=False)
    fig.update_yaxes(**ax2, title_text="Running total", showgrid=False,
                     row=1, col=1, secondary_y=True)
    fig.update_xaxes(title_text="Month (0: decision date)", row=1, col=1)
    ticks = [-1.0, -0.5, 0.0, 0.5, 1.0]
    fig.update_xaxes(title_text=MOVED_LABEL,
                     tickmode="array", tickvals=ticks,
                     ticktext=["-100 %", "-50 %", "0", "+50 %", "+100 %"],
                     range=[-1.05, 1.05], row=2, col=1)
    lo, hi = float(np.nanmin(npv)), float(np.nanmax(npv))
    span = (hi - lo) or max(abs(hi), 1.0)
    fig.update_yaxes(**money_axis(min(lo - 0.08 * span, 0.0) if lo < 0 else lo - 0.08 * span,
                                  hi + 0.08 * span, cur), title_text="NPV", row=2, col=1)

    steps = []
    for k, share in enumerate(sweep.moved):
        px, pname = payback_line(k)
        steps.append({
            "label": _moved(share),
            "method": "update",
            "args": [
                {"y": [flows[k], cum[k], [npv[k]], ax1["range"]],
                 "x": [months, months, [share], px],
                 "customdata": [exact_texts(flows[k], cur), exact_texts(cum[k], cur), None, None],
                 "marker.color": [colours(flows[k]), TOTAL, WARNING, POSITIVE],
                 "name": [BAR_NAME, LINE_NAME, "Selected split", pname]},
                {"title.text": _title(sweep, k, name)},
                [0, 1, 3, 4],
            ],
        })
    # the slider sits between the title and the plots (the title leaves room for it), so
    # the legend under the plots can wrap on a phone without covering it
    chart_layout(fig, _title(sweep, start, name), height=820, gap=112)
    fig.update_layout(
        sliders=[{
            "active": start, "steps": steps, "x": 0.0, "len": 1.0, "y": 1.0,
            "yanchor": "bottom", "pad": {"t": 0, "b": 24},
            "currentvalue": {"prefix": f"{MOVED_LABEL}: ", "font": {"size": 13}},
        }],
    )
    return fig


def npv_at_steps(fig: go.Figure) -> pd.Series:
    """The NPV title text of every slider step (for checks and captions)."""
    return pd.Series([s.args[1]["title.text"] for s in fig.layout.sliders[0].steps])
