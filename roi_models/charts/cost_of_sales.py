"""Cost of sales by scenario: the amount by lead kind and its share of revenue."""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ..engine import KINDS
from ..formatting import percent
from .style import KIND_COLOURS, chart_layout, exact_texts, label_of, money_axis

KIND_NAMES: dict[str, str] = {"traditional": "Traditional leads", "social": "Social leads"}


def cost_of_sales_by_scenario(
    monthly: pd.DataFrame, summary: pd.DataFrame, currency: str,
    scenarios: Sequence[str] | None = None, *, labels: Mapping[str, str] | None = None,
) -> go.Figure:
    """Stacked bars, one row per plan: cost of sales over the horizon (months 1..T,
    undiscounted) by the kind of lead worked; the text after each bar: cost of sales as
    a share of revenue.

    >>> import roi_models as rm
    >>> res = rm.run_scenarios(rm.load_shipped())
    >>> len(cost_of_sales_by_scenario(res.monthly, res.summary, res.currency).data)
    2
    """
    names = list(scenarios) if scenarios is not None else list(summary["scenario"])
    plan = monthly[(monthly["month"] > 0) & monthly["scenario"].isin(names)]
    horizon = int(monthly["month"].max())
    totals = plan.groupby("scenario", sort=False)[[f"cost_of_sales_{k}" for k in KINDS]].sum()
    totals = totals.reindex(names)
    share = summary.set_index("scenario").reindex(names)["cost_of_sales_share"]
    shares = share.to_numpy(dtype=float, na_value=np.nan)
    texts = [f"{percent(v, 1)} of revenue" if np.isfinite(v) else "n/a (no revenue)"
             for v in shares]
    # the share of revenue is part of each plan's row label: it never runs off a phone
    x = [f"{label_of(n, labels)}<br>{t}" for n, t in zip(names, texts, strict=False)]
    fig = go.Figure()
    for k in KINDS:
        values = totals[f"cost_of_sales_{k}"].to_numpy(dtype=float)
        fig.add_trace(go.Bar(
            y=x, x=values, name=KIND_NAMES[k], marker={"color": KIND_COLOURS[k]},
            orientation="h", customdata=exact_texts(values, currency),
            hovertemplate="%{y}: %{customdata}<extra>" + KIND_NAMES[k].lower() + "</extra>",
        ))
    top = totals.sum(axis=1).to_numpy(dtype=float)
    chart_layout(fig, f"Cost of sales, months 1-{horizon}, by lead kind<br>"
                      "and as a share of revenue", height=170 + 52 * max(len(x), 1))
    fig.update_layout(
        barmode="stack", bargap=0.35,
        xaxis={**money_axis(0.0, float(np.nanmax(top, initial=0.0)) * 1.05 or 1.0, currency),
               "title": {"text": f"Cost of sales, months 1-{horizon}"}},
        yaxis={"tickfont": {"size": 12}, "autorange": "reversed"},
    )
    return fig
