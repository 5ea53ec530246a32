"""Customer acquisition cost (CAC) and customer lifetime value (CLV) by source and scenario.

A source whose CLV is below its CAC loses money on every customer it wins;
those bars carry a warning marker. Organic customers are left out: they have
no direct acquisition cost, so CLV/CAC does not exist for them.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .style import WARNING, base_layout, plain

SOURCES_SHOWN: tuple[str, ...] = ("traditional", "social", "referral")
BLENDED = "all sources"


def cac_clv_frame(summary: pd.DataFrame, scenarios: Sequence[str] | None = None) -> pd.DataFrame:
    """Tidy CAC, CLV and CLV/CAC per scenario and source (``blended`` = all sources).

    Rows where a source won no customers (CAC missing) are dropped.

    >>> import roi_models as rm
    >>> f = cac_clv_frame(rm.run_scenarios(rm.load_shipped()).summary)
    >>> f.columns.tolist()
    ['scenario', 'source', 'cac', 'clv', 'clv_to_cac', 'warning']
    """
    s = summary if scenarios is None else summary[summary["scenario"].isin(list(scenarios))]
    parts = []
    for source in SOURCES_SHOWN + (BLENDED,):
        suffix = "" if source == BLENDED else f"_{source}"
        parts.append(pd.DataFrame({
            "scenario": s["scenario"].to_numpy(), "source": source,
            "cac": s[f"cac{suffix}"].to_numpy(dtype=float, na_value=np.nan),
            "clv": s[f"clv{suffix}"].to_numpy(dtype=float, na_value=np.nan),
        }))
    frame = pd.concat(parts, ignore_index=True)
    order = {n: i for i, n in enumerate(s["scenario"])}
    frame = frame.sort_values(["scenario", "source"], key=lambda c: c.map(order) if c.name ==
                              "scenario" else c.map({x: i for i, x in enumerate(SOURCES_SHOWN + (BLENDED,))}),
                              kind="stable")
    frame = frame[np.isfinite(frame["cac"]) & (frame["cac"] > 0)].reset_index(drop=True)
    frame["clv_to_cac"] = frame["clv"] / frame["cac"]
    frame["warning"] = frame["clv"] < frame["cac"]
    return frame


def cac_clv_by_source(
    summary: pd.DataFrame, currency: str, scenarios: Sequence[str] | None = None
) -> go.Figure:
    """Grouped bars of CAC and CLV per (scenario, source), warning where CLV < CAC.

    >>> import roi_models as rm
    >>> res = rm.run_scenarios(rm.load_shipped())
    >>> [t.name for t in cac_clv_by_source(res.summary, res.currency).data][:2]
    ['CAC', 'CLV']
    """
    f = cac_clv_frame(summary, scenarios)
    x = [[plain(v) for v in f["scenario"]], list(f["source"])]
    ratio = [f"CLV/CAC {r:.1f}" for r in f["clv_to_cac"]]
    fig = go.Figure([
        go.Bar(x=x, y=f["cac"].to_numpy(), name="CAC", marker={"color": "#d98c3f"},
               customdata=ratio, hovertemplate="CAC %{y:,.0f} (%{customdata})<extra></extra>"),
        go.Bar(x=x, y=f["clv"].to_numpy(), name="CLV", marker={"color": "#2f7ed8"},
               hovertemplate="CLV %{y:,.0f}<extra></extra>"),
    ])
    warn = f[f["warning"]]
    fig.add_trace(go.Scatter(
        x=[[plain(v) for v in warn["scenario"]], list(warn["source"])],
        y=np.maximum(warn["cac"], warn["clv"]).to_numpy() * 1.08,
        mode="markers+text", name="CLV < CAC: loses money per customer",
        marker={"symbol": "triangle-down", "size": 13, "color": WARNING},
        text=["CLV < CAC"] * len(warn), textposition="top center",
        textfont={"color": WARNING}, hoverinfo="skip", showlegend=True,
        visible=True if len(warn) else "legendonly",
    ))
    fig.update_yaxes(title_text=f"{currency} per customer", rangemode="tozero")
    base_layout(fig, "CAC and CLV by source and scenario", height=460)
    fig.update_layout(barmode="group", hovermode="closest")
    return fig
