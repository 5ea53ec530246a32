"""Waterfall of the NPV drivers of each scenario against the status quo."""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ..analysis.drivers import DRIVER_LABELS, DRIVERS
from .style import (
    NEGATIVE,
    POSITIVE,
    TOTAL,
    chart_layout,
    compact_texts,
    dropdown,
    exact_texts,
    label_of,
    money_axis,
    plain,
    relayout_keys,
)


def _axis(values: np.ndarray, currency: str) -> dict:
    """The amount axis of one waterfall: from the lowest to the highest running total."""
    steps = np.concatenate([[0.0], np.cumsum(values)])
    lo, hi = min(float(steps.min()), 0.0), max(float(steps.max()), 0.0)
    span = (hi - lo) or 1.0
    # room for the value labels outside the bars (at either end)
    return money_axis(lo - (0.25 * span if lo < 0 else 0.0), hi + 0.25 * span, currency)


def npv_waterfall(
    drivers: pd.DataFrame, currency: str, scenarios: Sequence[str] | None = None,
    *, active: str | None = None, title: str | None = None,
    labels: Mapping[str, str] | None = None, height: int = 440,
) -> go.Figure:
    """Drivers (acquisition, retention, marketing spend, cost of sales, support,
    programme cost) stepping to the incremental NPV; a menu picks the scenario.

    The bars run across, one row per driver (top to bottom, the NPV last), so
    the driver names and value labels read on a phone as well as on paper.

    ``drivers`` is the tidy frame of :func:`roi_models.analysis.drivers.npv_drivers`
    (or of :func:`~roi_models.analysis.drivers.driver_difference` for plan against plan).
    Each bar's label and hover give its own present value ("Marketing spend:
    -EUR 2,048,000"), never the running total it steps to.

    >>> import roi_models as rm
    >>> from roi_models.analysis.drivers import npv_drivers
    >>> res = rm.run_scenarios(rm.load_shipped())
    >>> fig = npv_waterfall(npv_drivers(res), res.currency)
    >>> list(fig.data[0].measure)[-1]
    'total'
    """
    names = list(scenarios) if scenarios is not None else list(dict.fromkeys(drivers["scenario"]))
    shown = names.index(active) if active in names else 0
    steps = [DRIVER_LABELS[d] for d in DRIVERS] + ["NPV"]
    fig = go.Figure()
    layouts = []
    for k, name in enumerate(names):
        part = drivers[drivers["scenario"] == name].set_index("driver").reindex(list(DRIVERS))
        values = part["npv"].to_numpy(dtype=float)
        own = np.append(values, values.sum())  # each bar's own value; the last is the NPV
        fig.add_trace(go.Waterfall(
            y=steps, x=list(values) + [0.0], measure=["relative"] * len(DRIVERS) + ["total"],
            orientation="h", text=compact_texts(own, currency), textposition="outside",
            cliponaxis=False, constraintext="none", textfont={"size": 12},
            customdata=exact_texts(own, currency),
            hovertemplate="%{y}: %{customdata}<extra></extra>",
            name=label_of(name, labels), visible=k == shown,
            increasing={"marker": {"color": POSITIVE}},
            decreasing={"marker": {"color": NEGATIVE}},
            totals={"marker": {"color": TOTAL}},
            connector={"line": {"color": "#b0b7bf"}},
        ))
        heading = (plain(title) if title else
                   f"What drives the NPV against the status quo<br>{label_of(name, labels)}")
        layouts.append({"title.text": heading, **relayout_keys("xaxis", _axis(values, currency))})
    chart_layout(fig, layouts[shown]["title.text"] if layouts else "What drives the NPV",
                 height=height, menu=len(names) > 1, legend=False)
    fig.update_layout(margin={"r": 70, "l": 12})  # room for the value labels at the right
    fig.update_xaxes(title_text="Present value against the status quo")
    fig.update_yaxes(autorange="reversed", tickfont={"size": 12})
    if layouts:
        fig.update_layout({k: v for k, v in layouts[shown].items() if k != "title.text"})
    if len(names) > 1:
        visible = [[j == k for j in range(len(names))] for k in range(len(names))]
        fig.update_layout(updatemenus=[dropdown([label_of(n, labels) for n in names], visible,
                                                layouts, active=shown)])
    return fig
