"""Customer acquisition cost (CAC) and customer lifetime value (CLV) by source and scenario.

A source whose CLV is below its CAC loses money on every customer it wins;
those bars carry a warning marker. Organic customers are left out: they have
no direct acquisition cost, so CLV/CAC does not exist for them.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..formatting import ratio
from .style import WARNING, chart_layout, exact_texts, label_of, money_axis

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
            # all sources: CAC (blended), all acquisition costs over every customer acquired
            "cac": s["cac_blended" if source == BLENDED else f"cac{suffix}"].to_numpy(
                dtype=float, na_value=np.nan),
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


SOURCE_NAMES: dict[str, str] = {
    "traditional": "Won by traditional channels", "social": "Won by social channels",
    "referral": "Referred by customers", BLENDED: "All sources (blended)",
}


def cac_clv_by_source(
    summary: pd.DataFrame, currency: str, scenarios: Sequence[str] | None = None, *,
    labels: Mapping[str, str] | None = None,
) -> go.Figure:
    """CAC and CLV per plan, one panel per source; a warning where CLV < CAC.

    Horizontal paired bars, plans top to bottom in file order, so long plan
    names stay readable on a phone; the panels share the amount axis.

    >>> import roi_models as rm
    >>> res = rm.run_scenarios(rm.load_shipped())
    >>> [t.name for t in cac_clv_by_source(res.summary, res.currency).data][:2]
    ['CAC: cost to win a customer', 'CLV: value of a customer']
    """
    f = cac_clv_frame(summary, scenarios)
    sources = [s for s in SOURCES_SHOWN + (BLENDED,) if (f["source"] == s).any()] or [BLENDED]
    counts = [max(int((f["source"] == s).sum()), 1) for s in sources]
    fig = make_subplots(rows=len(sources), cols=1, shared_xaxes=True,
                        row_heights=[c / sum(counts) for c in counts],
                        vertical_spacing=min(0.1, 0.5 / len(sources)),
                        subplot_titles=[SOURCE_NAMES[s] for s in sources])
    top = float(np.nanmax(np.r_[f["cac"].to_numpy(dtype=float), f["clv"].to_numpy(dtype=float),
                                1.0]))
    warned = bool(f["warning"].any())
    legend_warn = False
    for row, source in enumerate(sources, start=1):
        part = f[f["source"] == source]
        plan = [label_of(v, labels) for v in part["scenario"]]
        where = SOURCE_NAMES[source].lower()
        cac_text = [f"{p}, {where}: CAC {c} (CLV/CAC {ratio(r)})" for p, c, r in
                    zip(plan, exact_texts(part["cac"], currency), part["clv_to_cac"], strict=False)]
        clv_text = [f"{p}, {where}: CLV {c}" for p, c in
                    zip(plan, exact_texts(part["clv"], currency), strict=False)]
        fig.add_trace(go.Bar(y=plan, x=part["cac"].to_numpy(), name="CAC: cost to win a customer",
                             orientation="h", marker={"color": "#d98c3f"}, customdata=cac_text,
                             hovertemplate="%{customdata}<extra></extra>", legendgroup="cac",
                             showlegend=row == 1), row=row, col=1)
        fig.add_trace(go.Bar(y=plan, x=part["clv"].to_numpy(), name="CLV: value of a customer",
                             orientation="h", marker={"color": "#2f7ed8"}, customdata=clv_text,
                             hovertemplate="%{customdata}<extra></extra>", legendgroup="clv",
                             showlegend=row == 1), row=row, col=1)
        warn = part[part["warning"]]
        if len(warn):
            fig.add_trace(go.Scatter(
                y=[label_of(v, labels) for v in warn["scenario"]],
                x=np.maximum(warn["cac"], warn["clv"]).to_numpy() * 1.03,
                mode="markers+text", name="CLV < CAC: loses money on every customer won",
                marker={"symbol": "triangle-left", "size": 12, "color": WARNING},
                text=["CLV < CAC"] * len(warn), textposition="middle right",
                textfont={"color": WARNING}, hoverinfo="skip", legendgroup="warn",
                showlegend=not legend_warn), row=row, col=1)
            legend_warn = True
        fig.update_yaxes(autorange="reversed", tickfont={"size": 11}, row=row, col=1)
    if not warned:  # say in the legend that no source loses money per customer
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", visible="legendonly",
                                 name="CLV < CAC: loses money on every customer won",
                                 marker={"symbol": "triangle-left", "size": 12, "color": WARNING},
                                 hoverinfo="skip"), row=1, col=1)
    axis = money_axis(0.0, top * (1.22 if warned else 1.06), currency)
    for row in range(1, len(sources) + 1):
        fig.update_xaxes(**axis, row=row, col=1, showticklabels=row == len(sources))
    fig.update_xaxes(title_text="Per customer", row=len(sources), col=1)
    for a in fig.layout.annotations:  # the panel titles, left-aligned above each panel
        a.update(x=0.0, xanchor="left", font={"size": 12})
    chart_layout(fig, "What a customer costs to win (CAC)<br>"
                      "and is worth (CLV), by source and plan", height=150 + 34 * sum(counts)
                 + 40 * len(sources), gap=34)
    fig.update_layout(barmode="group", bargap=0.3, bargroupgap=0.05)
    return fig
