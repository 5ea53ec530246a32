"""Cost of sales by scenario: the amount by lead kind and its share of revenue."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ..engine import KINDS
from .style import KIND_COLOURS, TOTAL, base_layout, plain


def cost_of_sales_by_scenario(
    monthly: pd.DataFrame, summary: pd.DataFrame, currency: str,
    scenarios: Sequence[str] | None = None,
) -> go.Figure:
    """Stacked bars: cost of sales over the horizon (months 1..T, undiscounted) by the
    kind of lead worked; diamonds (right axis): cost of sales as a share of revenue.

    >>> import roi_models as rm
    >>> res = rm.run_scenarios(rm.load_shipped())
    >>> len(cost_of_sales_by_scenario(res.monthly, res.summary, res.currency).data)
    3
    """
    names = list(scenarios) if scenarios is not None else list(summary["scenario"])
    plan = monthly[(monthly["month"] > 0) & monthly["scenario"].isin(names)]
    totals = plan.groupby("scenario", sort=False)[[f"cost_of_sales_{k}" for k in KINDS]].sum()
    totals = totals.reindex(names)
    share = summary.set_index("scenario").reindex(names)["cost_of_sales_share"]
    x = [plain(n) for n in names]
    fig = go.Figure()
    for k in KINDS:
        fig.add_trace(go.Bar(
            x=x, y=totals[f"cost_of_sales_{k}"].to_numpy(), name=f"{k.capitalize()} leads",
            marker={"color": KIND_COLOURS[k]},
            hovertemplate="%{y:,.0f}<extra>" + k + " leads</extra>",
        ))
    fig.add_trace(go.Scatter(
        x=x, y=share.to_numpy(dtype=float, na_value=np.nan), name="Share of revenue",
        mode="markers+text", yaxis="y2", marker={"symbol": "diamond", "size": 12, "color": TOTAL},
        text=[f"{v:.1%}" if pd.notna(v) else "n/a" for v in share], textposition="top center",
        hovertemplate="%{y:.1%}<extra>share of revenue</extra>",
    ))
    fig.update_layout(
        barmode="stack",
        yaxis={"title": {"text": f"Cost of sales, months 1-T [{currency}]"}, "rangemode": "tozero"},
        yaxis2={"title": {"text": "Share of revenue"}, "overlaying": "y", "side": "right",
                "tickformat": ".0%", "rangemode": "tozero", "showgrid": False},
    )
    base_layout(fig, "Cost of sales by scenario")
    fig.update_layout(hovermode="x unified", margin={"r": 80})
    return fig
