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
    top = totals.sum(axis=1).to_numpy(dtype=float)
    fig.add_trace(go.Scatter(
        x=x, y=top, name="Share of revenue", mode="text", showlegend=False,
        text=[f"{v:.1%} of revenue" if pd.notna(v) else "n/a" for v in share],
        textposition="top center", textfont={"color": TOTAL, "size": 13},
        customdata=share.to_numpy(dtype=float, na_value=np.nan),
        hovertemplate="%{customdata:.2%} of revenue<extra></extra>",
    ))
    fig.update_layout(
        barmode="stack",
        yaxis={"title": {"text": f"Cost of sales, months 1-T [{currency}]"},
               "range": [0, float(np.nanmax(top, initial=0.0)) * 1.15 or 1.0]},
    )
    base_layout(fig, "Cost of sales by scenario and its share of revenue")
    fig.update_layout(hovermode="x unified")
    return fig
