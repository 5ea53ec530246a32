"""The viral-event stress: incremental NPV of each scenario with and without the event.

When the scenario file already puts the event in every scenario, "without"
and "with" are the same run: the chart then shows one bar per plan and says
that the event is included, instead of two identical bars.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ..formatting import month
from .style import (
    NEGATIVE,
    TOTAL,
    chart_layout,
    compact_texts,
    exact_texts,
    label_of,
    money_axis,
)


def viral_stress_figure(stress: pd.DataFrame, currency: str, *,
                        labels: Mapping[str, str] | None = None,
                        included: Mapping[str, bool] | None = None) -> go.Figure:
    """Paired bars per plan (one row each) from :func:`roi_models.analysis.stress.viral_stress`.

    The status quo row is left out (its incremental NPV is 0 by definition).
    ``included`` tells, per scenario, whether its file already enables the
    event; when every scenario does, one series is drawn.

    >>> import roi_models as rm
    >>> from roi_models.analysis.stress import viral_stress
    >>> res = rm.run_scenarios(rm.load_shipped())
    >>> [t.name for t in viral_stress_figure(viral_stress(res), res.currency).data]
    ['Without the event', 'With the viral event']
    """
    s = stress.iloc[1:]
    x = [label_of(n, labels) for n in s["scenario"]]
    event_month = stress.attrs.get("event", {}).get("month")
    when = f" of {month(event_month)}" if event_month is not None else ""
    everywhere = included is not None and bool(included) and all(
        included.get(n, False) for n in stress["scenario"])
    fig = go.Figure()
    series = ((("npv_stressed", "With the viral event (as in the file)",
                NEGATIVE),) if everywhere else
              (("npv", "Without the event", TOTAL),
               ("npv_stressed", "With the viral event", NEGATIVE)))
    values = [s[col].to_numpy(dtype=float, na_value=np.nan) for col, _, _ in series]
    for (col, name, colour), v in zip(series, values, strict=False):
        fig.add_trace(go.Bar(y=x, x=v, name=name, marker={"color": colour}, orientation="h",
                             text=compact_texts(v, currency), textposition="outside",
                             cliponaxis=False, constraintext="none", textfont={"size": 12},
                             customdata=exact_texts(v, currency),
                             hovertemplate="%{y}: %{customdata}<extra>" + (
                                 "with the event" if col == "npv_stressed" else "without it")
                             + "</extra>"))
    allv = np.concatenate(values + [np.zeros(1)]) if values else np.zeros(1)
    lo, hi = float(np.nanmin(allv)), float(np.nanmax(allv))
    span = (hi - lo) or 1.0
    title = ("Incremental NPV, viral event included<br>"
             f"(the file puts it{when} in every scenario)" if everywhere else
             "Incremental NPV against the status quo<br>"
             f"without and with a viral story{when}")
    chart_layout(fig, title, height=150 + 70 * max(len(x), 1) * len(series) // 2 + 60)
    fig.update_layout(
        barmode="group", bargap=0.3, margin={"r": 70, "l": 12},
        yaxis={"tickfont": {"size": 12}, "autorange": "reversed"},
        xaxis={**money_axis(lo - (0.3 * span if lo < 0 else 0), hi + 0.3 * span, currency),
               "title": {"text": "Incremental NPV against the status quo"}, "zeroline": True,
               "zerolinecolor": "#9aa5b1"},
    )
    return fig
