"""Active customers by source (cohort), one stacked area per scenario."""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ..assumptions import SOURCES
from .style import SOURCE_COLOURS, chart_layout, dropdown, label_of

SOURCE_NAMES: dict[str, str] = {
    "existing": "Existing customers", "traditional": "Won by traditional channels",
    "social": "Won by social channels", "organic": "Organic (word of mouth)",
    "referral": "Referred by customers",
}


def active_customers_by_source(
    by_source: pd.DataFrame, scenarios: Sequence[str] | None = None, *, active: str | None = None,
    labels: Mapping[str, str] | None = None, height: int = 460,
) -> go.Figure:
    """Stacked active customers per source and month; a menu picks the scenario.

    Parameters
    ----------
    by_source : the tidy frame :attr:`roi_models.ScenarioResults.by_source`.
    scenarios : which scenarios to offer (default: all, in frame order).
    active : the scenario shown first (default: the last one offered).
    labels : plan names to show (default: readable keys).

    >>> import roi_models as rm
    >>> res = rm.run_scenarios(rm.load_shipped())
    >>> fig = active_customers_by_source(res.by_source)
    >>> len(fig.data) == len(res.names) * 5
    True
    """
    names = list(scenarios) if scenarios is not None else list(dict.fromkeys(by_source["scenario"]))
    shown = names.index(active) if active in names else len(names) - 1
    fig = go.Figure()
    layouts = []
    for k, name in enumerate(names):
        part = by_source[by_source["scenario"] == name]
        total = part.groupby("month")["active_customers"].sum()
        for source in SOURCES:
            rows = part[part["source"] == source]
            fig.add_trace(go.Scatter(
                x=rows["month"].to_numpy(), y=rows["active_customers"].to_numpy(),
                name=SOURCE_NAMES[source], legendgroup=source, stackgroup=f"s{k}",
                mode="lines", line={"width": 0.5, "color": SOURCE_COLOURS[source]},
                visible=k == shown,
                hovertemplate=("Month %{x}: %{y:,.0f} customers<extra>"
                               + SOURCE_NAMES[source].lower() + "</extra>"),
            ))
        top = float(np.nanmax(total.to_numpy(dtype=float), initial=1.0))
        end = float(total.iloc[-1]) if len(total) else float("nan")
        layouts.append({
            "title.text": (f"Active customers by source<br>{label_of(name, labels)}: "
                           f"{end:,.0f} in month {int(total.index[-1])}"
                           if len(total) else "Active customers by source"),
            "yaxis.range": [0, round(top * 1.06, 6)],
        })
    title = str(layouts[shown]["title.text"]) if layouts else "Active customers by source"
    chart_layout(fig, title, height=height, menu=len(names) > 1)
    fig.update_xaxes(title_text="Month (0: decision date)")
    fig.update_yaxes(title_text="Active customers", tickformat=",.0f")
    if layouts:
        fig.update_layout({"yaxis.range": layouts[shown]["yaxis.range"]})
    if len(names) > 1:
        S = len(SOURCES)
        visible = [[j // S == k for j in range(S * len(names))] for k in range(len(names))]
        fig.update_layout(updatemenus=[dropdown([label_of(n, labels) for n in names], visible,
                                                layouts, active=shown)])
    return fig
