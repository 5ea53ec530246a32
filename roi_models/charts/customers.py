"""Active customers by source (cohort), one stacked area per scenario."""

from __future__ import annotations

from typing import Sequence

import pandas as pd
import plotly.graph_objects as go

from ..assumptions import SOURCES
from .style import SOURCE_COLOURS, base_layout, dropdown, plain


def active_customers_by_source(
    by_source: pd.DataFrame, scenarios: Sequence[str] | None = None, *, active: str | None = None
) -> go.Figure:
    """Stacked active customers per source and month; a dropdown picks the scenario.

    Parameters
    ----------
    by_source : the tidy frame :attr:`roi_models.ScenarioResults.by_source`.
    scenarios : which scenarios to offer (default: all, in frame order).
    active : the scenario shown first (default: the last one offered).

    >>> import roi_models as rm
    >>> res = rm.run_scenarios(rm.load_shipped())
    >>> fig = active_customers_by_source(res.by_source)
    >>> len(fig.data) == len(res.names) * 5
    True
    """
    names = list(scenarios) if scenarios is not None else list(dict.fromkeys(by_source["scenario"]))
    shown = names.index(active) if active in names else len(names) - 1
    fig = go.Figure()
    for k, name in enumerate(names):
        part = by_source[by_source["scenario"] == name]
        for source in SOURCES:
            rows = part[part["source"] == source]
            fig.add_trace(go.Scatter(
                x=rows["month"].to_numpy(), y=rows["active_customers"].to_numpy(),
                name=source.capitalize(), legendgroup=source, stackgroup=f"s{k}",
                mode="lines", line={"width": 0.5, "color": SOURCE_COLOURS[source]},
                visible=k == shown,
                hovertemplate="%{y:,.0f}<extra>" + source + "</extra>",
            ))
    fig.update_xaxes(title_text="Month")
    fig.update_yaxes(title_text="Active customers", rangemode="tozero")
    base_layout(fig, "Active customers by source")
    if len(names) > 1:
        S = len(SOURCES)
        visible = [[j // S == k for j in range(S * len(names))] for k in range(len(names))]
        fig.update_layout(updatemenus=[dropdown([plain(n) for n in names], visible, active=shown)])
    return fig
