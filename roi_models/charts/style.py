"""Shared look of every chart: template, colours, sizes and number formats.

Fonts are the reader's system fonts (no web font is ever requested), so a
chart renders the same offline.
"""

from __future__ import annotations

import math

import plotly.graph_objects as go

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
TEMPLATE = "plotly_white"
HEIGHT = 420

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


def scenario_colour(i: int) -> str:
    """Colour of the i-th scenario in a run (status quo first)."""
    return SCENARIO_PALETTE[i % len(SCENARIO_PALETTE)]


def base_layout(fig: go.Figure, title: str, *, height: int = HEIGHT) -> go.Figure:
    """Apply the common layout (template, font, margins, legend above the plot)."""
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


def money(value, currency: str, *, digits: int = 1) -> str:
    """A compact amount: ``'EUR 7.2 m'``, ``'EUR -850 k'``, ``'EUR 950'``.

    Missing values (None, NaN) give ``'n/a'``.

    >>> money(7_171_615.9, "EUR"), money(-850_000, "EUR"), money(950.4, "USD"), money(None, "EUR")
    ('EUR 7.2 m', 'EUR -850 k', 'USD 950', 'n/a')
    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "n/a"
    v = float(value)
    a = abs(v)
    if a >= 1e9:
        text = f"{v / 1e9:,.{digits}f} bn"
    elif a >= 1e6:
        text = f"{v / 1e6:,.{digits}f} m"
    elif a >= 1e4:
        text = f"{v / 1e3:,.0f} k"
    else:
        text = f"{v:,.0f}"
    return f"{currency} {text}"


def dropdown(labels: list[str], visible: list[list[bool]], layouts: list[dict] | None = None,
             *, active: int = 0) -> dict:
    """An ``updatemenus`` entry that shows one group of traces per label."""
    buttons = []
    for k, label in enumerate(labels):
        args: list = [{"visible": visible[k]}]
        if layouts is not None:
            args.append(layouts[k])
        buttons.append({"label": label, "method": "update", "args": args})
    return {
        "type": "dropdown", "direction": "down", "active": active, "buttons": buttons,
        "x": 1.0, "xanchor": "right", "y": 1.18, "yanchor": "bottom", "showactive": True,
    }


def plain(text: str) -> str:
    """Text from a user's file made safe for plotly's label markup (shown literally).

    Plotly renders a small HTML subset in titles, names and labels and
    decodes entities; escaping ``&``, ``<`` and ``>`` shows the text as typed.

    >>> plain("<b>R&D</b>")
    '&lt;b&gt;R&amp;D&lt;/b&gt;'
    """
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
