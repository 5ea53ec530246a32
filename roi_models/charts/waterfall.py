"""Waterfall of the NPV drivers of each scenario against the status quo."""

from __future__ import annotations

from typing import Sequence

import pandas as pd
import plotly.graph_objects as go

from ..analysis.drivers import DRIVER_LABELS, DRIVERS
from .style import NEGATIVE, POSITIVE, TOTAL, base_layout, dropdown, money, plain


def npv_waterfall(
    drivers: pd.DataFrame, currency: str, scenarios: Sequence[str] | None = None,
    *, active: str | None = None, title: str | None = None,
) -> go.Figure:
    """Drivers (acquisition, retention, marketing spend, cost of sales, support,
    programme cost) stepping to the incremental NPV; a dropdown picks the scenario.

    ``drivers`` is the tidy frame of :func:`roi_models.analysis.drivers.npv_drivers`
    (or of :func:`~roi_models.analysis.drivers.driver_difference` for plan against plan).

    >>> import roi_models as rm
    >>> from roi_models.analysis.drivers import npv_drivers
    >>> res = rm.run_scenarios(rm.load_shipped())
    >>> fig = npv_waterfall(npv_drivers(res), res.currency)
    >>> list(fig.data[0].measure)[-1]
    'total'
    """
    names = list(scenarios) if scenarios is not None else list(dict.fromkeys(drivers["scenario"]))
    shown = names.index(active) if active in names else 0
    labels = [DRIVER_LABELS[d] for d in DRIVERS] + ["NPV"]
    fig = go.Figure()
    titles = []
    for k, name in enumerate(names):
        part = drivers[drivers["scenario"] == name].set_index("driver").reindex(list(DRIVERS))
        values = part["npv"].to_numpy(dtype=float)
        total = float(values.sum())
        fig.add_trace(go.Waterfall(
            x=labels, y=list(values) + [0.0], measure=["relative"] * len(DRIVERS) + ["total"],
            text=[money(v, currency) for v in values] + [money(total, currency)],
            textposition="outside", name=plain(name), visible=k == shown,
            increasing={"marker": {"color": POSITIVE}},
            decreasing={"marker": {"color": NEGATIVE}},
            totals={"marker": {"color": TOTAL}},
            connector={"line": {"color": "#b0b7bf"}},
            hovertemplate="%{x}: %{y:,.0f}<extra></extra>",
        ))
        titles.append({"title.text": title or f"What drives the NPV: {plain(name)} vs status quo"})
    fig.update_yaxes(title_text=f"Present value [{currency}]")
    base_layout(fig, titles[shown]["title.text"] if titles else "What drives the NPV", height=460)
    fig.update_layout(showlegend=False, hovermode="closest")
    if len(names) > 1:
        visible = [[j == k for j in range(len(names))] for k in range(len(names))]
        fig.update_layout(updatemenus=[dropdown([plain(n) for n in names], visible, titles,
                                                active=shown)])
    return fig
