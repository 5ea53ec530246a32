"""Shared look of every chart: template, colours, sizes, axes, menus and the toolbar.

Fonts are the reader's system fonts (no web font is ever requested), so a
chart renders the same offline. Every figure a chart shows is written by
:mod:`roi_models.formatting` (the house style): hover texts and labels with
:func:`~roi_models.formatting.money` / :func:`~roi_models.formatting.money_exact`,
amount axes with :func:`money_axis` (ticks from
:func:`~roi_models.formatting.money_ticks`), so an axis reads like the text
around it.

The layout of a chart, top to bottom, is the same on a laptop and a phone:
the title (at most two short lines), then the plan menu on its own row,
then the plot, then the legend below the x axis (:func:`chart_layout`;
the explorer's grid keeps :func:`base_layout`). Nothing is placed over
the plot area, so no label or menu covers bars, lines or the title.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from ..assumptions.scenario_file import default_label
from ..formatting import money, money_exact, money_ticks

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
TEMPLATE = "plotly_white"
HEIGHT = 420  # the explorer's grid cells
CHART_HEIGHT = 460  # the report's charts

SOURCE_COLOURS: dict[str, str] = {
    "existing": "#9aa5b1",
    "traditional": "#d98c3f",
    "social": "#2f7ed8",
    "organic": "#4caf7a",
    "referral": "#8e63c7",
}
KIND_COLOURS: dict[str, str] = {"traditional": "#d98c3f", "social": "#2f7ed8"}
POSITIVE, NEGATIVE, TOTAL = "#2e9d5b", "#d0473d", "#34495e"
WARNING = "#c0392b"
SCENARIO_PALETTE: tuple[str, ...] = (
    "#7f8c8d", "#d98c3f", "#2f7ed8", "#16a085", "#8e63c7", "#c0392b", "#2c3e50", "#f1c40f",
)

#: Toolbar buttons a report reader does not need: ``sendDataToCloud`` is the one that
#: could send a chart off the machine (upload to Chart Studio, "Share chart");
#: lasso/select and the hover-mode toggles only confuse. What stays: download as
#: PNG (``toImage``, made in the browser), zoom, pan, autoscale and reset.
MODEBAR_REMOVED: tuple[str, ...] = (
    "sendDataToCloud", "select2d", "lasso2d", "toggleSpikelines", "hoverClosestCartesian",
    "hoverCompareCartesian",
)
PLOTLY_CONFIG: dict[str, Any] = {
    "responsive": True,
    "displaylogo": False,  # no "Produced with Plotly" link to plotly's website
    "showSendToCloud": False,  # no upload to Chart Studio
    # plotly.js 4 (inlined by plotly 6+) has no showLink / showEditInChartStudio any more
    # (the "Edit chart" link and the Chart Studio button were removed); plotly.py warns
    # on them, so they are not passed. The browser test checks that no such link exists.
    "modeBarButtonsToRemove": list(MODEBAR_REMOVED),
    "displayModeBar": "hover",
    "toImageButtonOptions": {"format": "png", "scale": 2},
}
"""The plotly config of every chart in the report: nothing leaves the machine."""


def scenario_colour(i: int) -> str:
    """Colour of the i-th scenario in a run (status quo first)."""
    return SCENARIO_PALETTE[i % len(SCENARIO_PALETTE)]


def label_of(name: str, labels: Mapping[str, str] | None = None) -> str:
    """The plan's name to show (markup-safe): its label, else the readable key.

    >>> label_of("social_reallocation"), label_of("social", {"social": "A & B"})
    ('Social reallocation', 'A &amp; B')
    """
    return plain((labels or {}).get(name) or default_label(name))


def base_layout(fig: go.Figure, title: str, *, height: int = HEIGHT) -> go.Figure:
    """The explorer's layout (template, font, margins, legend above the plot)."""
    fig.update_layout(
        template=TEMPLATE,
        title={"text": title, "x": 0.0, "xanchor": "left", "font": {"size": 16}},
        font={"family": FONT, "size": 13},
        height=height,
        margin={"l": 70, "r": 30, "t": 90, "b": 60},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0.0},
        hovermode="x unified",
    )
    return fig


def chart_layout(fig: go.Figure, title: str, *, height: int = CHART_HEIGHT, menu: bool = False,
                 legend: bool = True, gap: int = 14) -> go.Figure:
    """The report's layout: title top left, the menu row under it (``menu``), legend below.

    Axes grow their margins to fit their tick labels (``automargin``), so a
    phone-width chart keeps its labels inside the figure.
    """
    # The title sits on the plot's top edge and pushes the top margin up as far as its
    # lines need (plotly misplaces multi-line titles anchored at the top of the figure);
    # with a menu it leaves a row for it between its last line and the plot. Plotly
    # never wraps a title: builders write lines of at most about 42 characters, which
    # fit a phone's 340 px at the narrow font size the report switches to there.
    fig.update_layout(
        template=TEMPLATE,
        title={"text": title, "x": 0.0, "xref": "container", "xanchor": "left",
               "y": 1.0, "yref": "paper", "yanchor": "bottom", "automargin": True,
               "pad": {"b": 46 if menu else gap, "l": 2}, "font": {"size": 15}},
        font={"family": FONT, "size": 12},
        height=height,
        margin={"l": 12, "r": 12, "t": 20, "b": 12},
        # at the figure's bottom edge: plotly grows the bottom margin to fit it, so it
        # never covers the x axis, however many lines it wraps to on a phone
        legend={"orientation": "h", "x": 0.0, "xanchor": "left", "y": 0.0, "yanchor": "bottom",
                "xref": "container", "yref": "container"},
        showlegend=legend,
        hovermode="closest",
        hoverlabel={"font": {"family": FONT, "size": 12}},
    )
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    return fig


def money_axis(low: float, high: float, currency: str, *, pad: float = 0.0) -> dict[str, Any]:
    """Axis settings for an amount axis over [low, high]: range and house-style ticks.

    >>> a = money_axis(-1.2e6, 9.3e6, "EUR")
    >>> a["range"], a["ticktext"][:3]
    ([-1200000.0, 9300000.0], ['-EUR 2 m', 'EUR 0', 'EUR 2 m'])
    """
    lo, hi = float(low), float(high)
    if not (np.isfinite(lo) and np.isfinite(hi)):
        lo, hi = 0.0, 1.0
    if hi <= lo:
        hi = lo + max(1.0, abs(lo))
    span = hi - lo
    lo, hi = lo - pad * span, hi + pad * span
    values, texts = money_ticks(lo, hi, currency)
    inside = [v for v in values if lo <= v <= hi]
    if len(inside) < 4:  # a range just past a tick step: ask for finer steps
        values, texts = money_ticks(lo, hi, currency, target=12)
    return {"range": [round(lo, 6), round(hi, 6)], "tickmode": "array",
            "tickvals": values, "ticktext": texts}


def relayout_keys(axis: str, settings: Mapping[str, Any]) -> dict[str, Any]:
    """``{"range": r}`` -> ``{"yaxis.range": r}`` for an updatemenu's layout arguments."""
    return {f"{axis}.{k}": v for k, v in settings.items()}


def exact_texts(values: Sequence[float] | np.ndarray, currency: str) -> list[str]:
    """Each amount in whole units for a hover text: ``'EUR 229,535'``, ``'-EUR 2,048,000'``."""
    return [money_exact(v, currency) for v in np.asarray(values, dtype=float)]


def compact_texts(values: Sequence[float] | np.ndarray, currency: str) -> list[str]:
    """Each amount in the compact style for a bar label: ``'EUR 9.2 m'``."""
    return [money(v, currency) for v in np.asarray(values, dtype=float)]


def dropdown(labels: list[str], visible: list[list[bool]], layouts: list[dict] | None = None,
             *, active: int = 0) -> dict:
    """An ``updatemenus`` entry that shows one group of traces per label.

    It sits on its own row between the title and the plot, at the left, so
    it never covers the title or the plot (see :func:`chart_layout` with
    ``menu=True``).
    """
    buttons = []
    for k, label in enumerate(labels):
        args: list = [{"visible": visible[k]}]
        if layouts is not None:
            args.append(layouts[k])
        buttons.append({"label": label, "method": "update", "args": args})
    return {
        "type": "dropdown", "direction": "down", "active": active, "buttons": buttons,
        "x": 0.0, "xanchor": "left", "y": 1.0,
        "yanchor": "bottom", "pad": {"b": 8}, "showactive": True,
        "bgcolor": "#ffffff", "bordercolor": "#b9c3cc", "font": {"size": 12},
    }


def plain(text: str) -> str:
    """Text from a user's file made safe for plotly's label markup (shown literally).

    Plotly renders a small HTML subset in titles, names and labels and
    decodes entities; escaping ``&``, ``<`` and ``>`` shows the text as typed.

    >>> plain("<b>R&D</b>")
    '&lt;b&gt;R&amp;D&lt;/b&gt;'
    """
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


__all__ = [
    "CHART_HEIGHT", "FONT", "HEIGHT", "KIND_COLOURS", "MODEBAR_REMOVED", "NEGATIVE",
    "PLOTLY_CONFIG",
    "POSITIVE", "SOURCE_COLOURS", "TEMPLATE", "TOTAL", "WARNING", "base_layout", "chart_layout",
    "compact_texts", "dropdown", "exact_texts", "label_of", "money", "money_axis",
    "plain", "relayout_keys", "scenario_colour",
]
