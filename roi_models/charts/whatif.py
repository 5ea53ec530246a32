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
from .cashflow import aligned_ranges, payback_marks
from .style import NEGATIVE, POSITIVE, TOTAL, WARNING, base_layout, money, plain


def _title(sweep: BudgetShareSweep, k: int) -> str:
    npv = float(sweep.case.npv[k])
    pb = sweep.case.discounted_payback_month[k]
    payback = f"payback month {int(pb)}" if np.isfinite(pb) else "no payback within the horizon"
    return (f"{plain(sweep.scenario)}: {_moved(sweep.moved[k])} moved to social "
            f"({sweep.social_share[k]:.0%} of channel budget on social)"
            f" — NPV {money(npv, sweep.currency)}, {payback}")


def _moved(x: float) -> str:
    """``+25 %``, ``-50 %``, ``0 %`` (0: the plan itself)."""
    return "0 %" if abs(x) < 1e-12 else f"{x:+.0%}".replace("%", " %")


def _marks(sweep: BudgetShareSweep, k: int) -> dict:
    pb = sweep.case.discounted_payback_month[k]
    marks = payback_marks(None if not np.isfinite(pb) else int(pb))
    for shape in marks["shapes"]:
        shape.update(xref="x", yref="y domain")
    for a in marks["annotations"]:
        if a.get("xref") == "x":
            a.update(yref="y domain")
        else:
            a.update(xref="x domain", yref="y domain")
    return marks


def budget_share_figure(sweep: BudgetShareSweep) -> go.Figure:
    """Slider figure of a :class:`~roi_models.analysis.whatif.BudgetShareSweep`.

    The slider starts at the plan itself (nothing moved).

    >>> import roi_models as rm
    >>> from roi_models.analysis.whatif import budget_share_sweep
    >>> res = rm.run_scenarios(rm.load_shipped())
    >>> fig = budget_share_figure(budget_share_sweep(res, "social"))
    >>> len(fig.layout.sliders[0].steps)
    41
    """
    months = sweep.months
    flows = sweep.discounted_cash_flow
    cum = np.cumsum(flows, axis=1)
    npv = np.asarray(sweep.case.npv, dtype=float)
    start = sweep.plan_index
    cur = sweep.currency

    def colours(row):
        return np.where(row >= 0, POSITIVE, NEGATIVE).tolist()

    fig = make_subplots(
        rows=2, cols=1, row_heights=[0.62, 0.38], vertical_spacing=0.22,
        specs=[[{"secondary_y": True}], [{}]],
        subplot_titles=("", f"NPV against the {MOVED_LABEL.lower()}"),
    )
    fig.add_trace(go.Bar(x=months, y=flows[start], name="Monthly (discounted)",
                         marker={"color": colours(flows[start])},
                         hovertemplate="%{y:,.0f}<extra>monthly</extra>"), row=1, col=1)
    fig.add_trace(go.Scatter(x=months, y=cum[start], name="Cumulative (discounted)", mode="lines",
                             line={"color": TOTAL, "width": 2.5},
                             hovertemplate="%{y:,.0f}<extra>cumulative</extra>"),
                  row=1, col=1, secondary_y=True)
    fig.add_trace(go.Scatter(x=sweep.moved, y=npv, name="NPV by budget moved", mode="lines+markers",
                             line={"color": "#2f7ed8"}, marker={"size": 5},
                             hovertemplate="%{x:.0%}: %{y:,.0f}<extra>NPV</extra>"), row=2, col=1)
    fig.add_trace(go.Scatter(x=[sweep.moved[start]], y=[npv[start]], name="Selected point",
                             mode="markers", marker={"size": 14, "color": WARNING,
                                                     "symbol": "circle-open", "line": {"width": 3}},
                             hoverinfo="skip"), row=2, col=1)
    r1, r2 = aligned_ranges(flows, cum)  # fixed over all steps: the bars visibly move
    fig.update_yaxes(range=r1, title_text=f"Monthly [{cur}]", row=1, col=1, secondary_y=False)
    fig.update_yaxes(range=r2, title_text=f"Cumulative [{cur}]", showgrid=False,
                     row=1, col=1, secondary_y=True)
    fig.update_xaxes(title_text="Month", row=1, col=1)
    fig.update_xaxes(title_text=f"{MOVED_LABEL} (0: the plan as in its file)", tickformat="+.0%",
                     row=2, col=1)
    fig.update_yaxes(title_text=f"NPV [{cur}]", row=2, col=1)
    subplot_titles = list(fig.layout.annotations)  # keep the lower panel's title in every step

    steps = []
    for k, share in enumerate(sweep.moved):
        marks = _marks(sweep, k)
        steps.append({
            "label": _moved(share),
            "method": "update",
            "args": [
                {"y": [flows[k], cum[k], [npv[k]]], "x": [months, months, [share]],
                 "marker.color": [colours(flows[k]), TOTAL, WARNING]},
                {"title.text": _title(sweep, k), "shapes": marks["shapes"],
                 "annotations": [a.to_plotly_json() for a in subplot_titles] + marks["annotations"]},
                [0, 1, 3],
            ],
        })
    base_layout(fig, _title(sweep, start), height=700)
    marks = _marks(sweep, start)
    fig.update_layout(
        shapes=marks["shapes"],
        annotations=[a.to_plotly_json() for a in subplot_titles] + marks["annotations"],
        sliders=[{
            "active": start, "steps": steps, "pad": {"t": 70},
            "currentvalue": {"prefix": f"{MOVED_LABEL}: ", "font": {"size": 14}},
        }],
        hovermode="x unified", margin={"r": 80, "b": 40},
    )
    return fig


def npv_at_steps(fig: go.Figure) -> pd.Series:
    """The NPV title text of every slider step (for checks and captions)."""
    return pd.Series([s.args[1]["title.text"] for s in fig.layout.sliders[0].steps])
