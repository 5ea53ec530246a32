"""The viral-event stress: incremental NPV of each scenario with and without the event."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .style import NEGATIVE, TOTAL, base_layout, money, plain


def viral_stress_figure(stress: pd.DataFrame, currency: str) -> go.Figure:
    """Paired bars per scenario from :func:`roi_models.analysis.stress.viral_stress`.

    The status quo row is left out (its incremental NPV is 0 by definition).

    >>> import roi_models as rm
    >>> from roi_models.analysis.stress import viral_stress
    >>> res = rm.run_scenarios(rm.load_shipped())
    >>> [t.name for t in viral_stress_figure(viral_stress(res), res.currency).data]
    ['No viral event', 'With the viral event']
    """
    s = stress.iloc[1:]
    x = [plain(n) for n in s["scenario"]]
    fig = go.Figure()
    for col, name, colour in (("npv", "No viral event", TOTAL),
                              ("npv_stressed", "With the viral event", NEGATIVE)):
        v = s[col].to_numpy(dtype=float, na_value=np.nan)
        fig.add_trace(go.Bar(x=x, y=v, name=name, marker={"color": colour},
                             text=[money(a, currency) for a in v], textposition="outside",
                             hovertemplate="%{y:,.0f}<extra>" + name + "</extra>"))
    fig.update_yaxes(title_text=f"Incremental NPV [{currency}]")
    base_layout(fig, "Incremental NPV against the status quo, with and without a viral event")
    fig.update_layout(barmode="group", hovermode="closest")
    return fig
