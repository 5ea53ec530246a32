"""Risk charts of a Monte Carlo run: NPV distribution, P(beats), importance, convergence.

Each builder takes a :class:`roi_models.analysis.montecarlo.MonteCarloResults`
(or one of its frames) and returns a ``go.Figure``; amounts are written in
the house style of :mod:`roi_models.formatting`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ..analysis.montecarlo import MonteCarloResults, quantile
from ..formatting import format_kpi, money_ticks, percent
from .style import NEGATIVE, POSITIVE, TOTAL, chart_layout, label_of, plain, scenario_colour

BINS = 60


def _money_axis(fig: go.Figure, values: np.ndarray, currency: str, axis: str = "xaxis") -> None:
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    update: dict = {"title": {"text": f"NPV against the status quo, {currency}"}}
    if finite.size:
        tickvals, ticktext = money_ticks(float(finite.min()), float(finite.max()), currency)
        update |= {"tickvals": tickvals, "ticktext": ticktext}
    fig.update_layout({axis: update})


def npv_distribution_figure(mc: MonteCarloResults, plans: list[str] | None = None) -> go.Figure:
    """The distribution of each plan's NPV (a histogram of the draws, as shares) with its P5,
    P50 and P95 marked, and the break-even line at 0.

    >>> import roi_models as rm
    >>> from roi_models.analysis.montecarlo import montecarlo
    >>> mc = montecarlo(rm.run_scenarios(rm.load_shipped()), draws=1024)
    >>> fig = npv_distribution_figure(mc, ["social"])
    >>> fig.data[0].name
    'LinkedIn and community'
    """
    plans = list(plans or mc.names)
    cur = mc.currency
    every = np.concatenate([mc.column(p) for p in plans])
    edges = np.histogram_bin_edges(every[np.isfinite(every)], bins=BINS)
    fig = go.Figure()
    for plan in plans:
        x = mc.column(plan)
        counts, _ = np.histogram(x, bins=edges)
        mids = (edges[:-1] + edges[1:]) / 2
        colour = scenario_colour(mc.names.index(plan) + 1)
        texts = [f"{format_kpi('npv', lo, cur)} to {format_kpi('npv', hi, cur)}: "
                 f"{percent(c / x.size, 1)} of draws"
                 for lo, hi, c in zip(edges[:-1], edges[1:], counts, strict=True)]
        fig.add_bar(x=mids, y=counts / x.size, width=np.diff(edges), name=mc.labels[plan],
                    marker={"color": colour}, opacity=0.55 if len(plans) > 1 else 0.85,
                    customdata=texts, hovertemplate="%{customdata}<extra></extra>")
        top = float((counts / x.size).max())
        for q, dash in ((0.05, "dot"), (0.5, "solid"), (0.95, "dot")):
            v = quantile(x, q)
            fig.add_scatter(x=[v, v], y=[0, top * 1.05], mode="lines", showlegend=False,
                            line={"color": colour, "width": 1.5, "dash": dash},
                            hovertemplate=f"{plain(mc.labels[plan])} P{round(q * 100)}: "
                            f"{format_kpi('npv', v, cur)}<extra></extra>")
    fig.add_vline(x=0, line={"color": TOTAL, "width": 1})
    _money_axis(fig, edges, cur)
    fig.update_layout(barmode="overlay", yaxis={"title": {"text": "share of draws"},
                                                "tickformat": ".0%"})
    chart_layout(fig, f"How sure: NPV over {mc.draws:,} draws<br>lines: P5, P50 and P95 "
                 "of each plan; the same draws for every plan")
    return fig


def p_beats_figure(mc: MonteCarloResults) -> go.Figure:
    """A heatmap of P(row plan beats column plan) on paired draws (the status quo a column)."""
    frame = mc.p_beats
    cols = ["status_quo", *mc.names]
    z = np.full((len(mc.names), len(cols)), np.nan)
    se = np.full_like(z, np.nan)
    for r in frame.itertuples():
        z[mc.names.index(r.scenario), cols.index(r.other)] = r.p
        se[mc.names.index(r.scenario), cols.index(r.other)] = r.se
    labels = [mc.labels.get(c, c) for c in cols]
    text = [["" if np.isnan(v) else percent(v, 0) for v in row] for row in z]
    hover = [[("" if np.isnan(v) else f"{plain(mc.labels[a])} beats {plain(labels[j])} in "
               f"{percent(v, 1)} of draws (se {percent(s, 1)})")
              for j, (v, s) in enumerate(zip(row, srow, strict=True))]
             for a, row, srow in zip(mc.names, z, se, strict=True)]
    fig = go.Figure(go.Heatmap(
        z=z, x=labels, y=[mc.labels[n] for n in mc.names], text=text, texttemplate="%{text}",
        customdata=hover, hovertemplate="%{customdata}<extra></extra>", zmin=0, zmax=1,
        colorscale=[[0, NEGATIVE], [0.5, "#f7f7f7"], [1, POSITIVE]],
        colorbar={"title": {"text": "P(beats)"}, "tickformat": ".0%"}))
    fig.update_layout(xaxis={"title": {"text": "against"}}, yaxis={"autorange": "reversed"})
    chart_layout(fig, "How likely each plan beats another<br>share of paired draws where the "
                 "row's NPV is higher", height=max(320, 160 + 50 * len(mc.names)))
    return fig


def importance_figure(importance: pd.DataFrame, sobol: pd.DataFrame | None = None, *,
                      plan: str, labels: Mapping[str, str] | None = None,
                      input_labels: Mapping[str, str] | None = None, top: int = 12) -> go.Figure:
    """Rank correlation of each input with the plan's NPV (bars), and Sobol total and first
    order indices where given (on independent marginals: the chart says so)."""
    part = importance[importance["scenario"] == plan].head(top).iloc[::-1]
    names = [plain((input_labels or importance.attrs.get("labels") or {}).get(k, k))
             for k in part["input"]]
    fig = go.Figure()
    colours = [POSITIVE if v >= 0 else NEGATIVE for v in part["spearman"]]
    fig.add_bar(y=names, x=part["spearman"], orientation="h", marker={"color": colours},
                name="Spearman rank correlation (with the file's correlations)",
                hovertemplate="%{y}: rank correlation %{x:.2f}<extra></extra>")
    title = f"What drives the risk of {label_of(plan, labels)}"
    if sobol is not None and len(sobol):
        s = sobol.set_index("input").reindex(part["input"])
        fig.add_bar(y=names, x=s["ST"], orientation="h", name="Sobol total order",
                    marker={"color": TOTAL}, opacity=0.6, xaxis="x2",
                    error_x={"type": "data", "array": s["ST_conf"]},
                    hovertemplate="%{y}: Sobol total %{x:.2f}<extra></extra>")
        fig.add_bar(y=names, x=s["S1"], orientation="h", name="Sobol first order",
                    marker={"color": "#7f8c8d"}, opacity=0.6, xaxis="x2",
                    hovertemplate="%{y}: Sobol first order %{x:.2f}<extra></extra>")
        title += "<br>Sobol indices assume independent inputs (the file's correlations are " \
                 "not applied)"
        fig.update_layout(xaxis={"domain": [0, 0.48], "range": [-1, 1],
                                 "title": {"text": "rank correlation with NPV"}},
                          xaxis2={"domain": [0.52, 1], "range": [0, 1], "anchor": "y",
                                  "title": {"text": "Sobol index (share of variance)"}})
    else:
        fig.update_layout(xaxis={"range": [-1, 1], "title": {"text": "rank correlation with NPV"}})
    fig.update_layout(barmode="group")
    chart_layout(fig, title, height=max(360, 140 + 34 * len(part)))
    return fig


def convergence_figure(convergence: pd.DataFrame, currency: str,
                       labels: Mapping[str, str] | None = None) -> go.Figure:
    """The running mean NPV of each plan after n draws, with its 95 % band (mean +- 1.96 se)."""
    fig = go.Figure()
    for k, (plan, part) in enumerate(convergence.groupby("scenario", sort=False)):
        colour = scenario_colour(k + 1)
        n, mean, se = part["draws"], part["mean"], part["se"]
        name = label_of(str(plan), labels)
        fig.add_scatter(x=np.concatenate([n, n[::-1]]),
                        y=np.concatenate([mean + 1.96 * se, (mean - 1.96 * se)[::-1]]),
                        fill="toself", line={"width": 0}, fillcolor=colour, opacity=0.2,
                        hoverinfo="skip", showlegend=False)
        texts = [f"{plain(name)} after {int(d):,} draws: {format_kpi('npv', m, currency)} "
                 f"(se {format_kpi('npv', s, currency)})"
                 for d, m, s in zip(n, mean, se, strict=True)]
        fig.add_scatter(x=n, y=mean, mode="lines", name=name, line={"color": colour},
                        customdata=texts, hovertemplate="%{customdata}<extra></extra>")
    _money_axis(fig, np.concatenate([convergence["mean"] - 1.96 * convergence["se"],
                                     convergence["mean"] + 1.96 * convergence["se"]]),
                currency, axis="yaxis")
    fig.update_layout(xaxis={"type": "log", "title": {"text": "draws"}})
    chart_layout(fig, "Convergence: mean NPV and its 95 % band as draws accumulate")
    return fig
