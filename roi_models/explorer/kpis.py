"""The KPI table of the explorer (and of the comparison notebook): every plan against the status quo.

Built from :attr:`roi_models.ScenarioResults.summary`, the frame behind
``roi-models run --json``, so the explorer's table equals the CLI's figures
by construction. Labels, units and number formats are the house style of
:mod:`roi_models.formatting` (``format_kpi``, ``kpi_header``); amounts are
written in whole units (:func:`roi_models.formatting.money_exact`) so that a
slider step that moves an NPV by a few thousand euros shows. NPV, ROI, IRR
and payback are those of the incremental cash flow against the status quo;
CAC, CLV and CLV / CAC are the plan's own. The status quo's row reads "n/a
(this is the baseline)" where a comparison with itself means nothing; a
missing figure reads "n/a (why)", never "nan".

Each cell of :func:`kpi_html` carries ``data-scenario``, ``data-kpi`` and
``data-value`` (the exact figure, ``repr`` of the float, empty when missing),
so a test or a script reads the numbers behind the text.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from typing import Any

import pandas as pd

from ..assumptions import STATUS_QUO
from ..formatting import KPIS, format_kpi, is_missing, kpi_header

COLUMNS: tuple[str, ...] = (
    "npv", "roi", "irr_annual", "discounted_payback_month", "cac", "cac_blended", "clv",
    "clv_to_cac",
)
"""KPI columns shown, in order (keys of :data:`roi_models.formatting.KPIS`)."""


def _cell(key: str, value: Any, currency: str, name: str, horizon: int | None) -> str:
    return format_kpi(key, None if is_missing(value) else value, currency,
                      baseline=name == STATUS_QUO, exact=True, horizon=horizon)


def format_kpis(frame: pd.DataFrame, currency: str, *, horizon: int | None = None) -> pd.DataFrame:
    """The KPI table as text, one row per scenario (from :attr:`ScenarioResults.summary`).

    >>> import roi_models as rm
    >>> res = rm.run_scenarios(rm.load_shipped())
    >>> table = format_kpis(res.summary, res.currency)
    >>> table.loc["status_quo", "NPV, EUR"]
    'n/a (this is the baseline)'
    >>> table.loc["social", "ROI, %"]
    '51 %'
    """
    rows = {}
    for _, row in frame.iterrows():
        name = str(row["scenario"])
        rows[name] = {kpi_header(k, currency): _cell(k, row[k], currency, name, horizon)
                      for k in COLUMNS}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "scenario"
    return table


def _exact(value: Any) -> str:
    return "" if is_missing(value) else repr(float(value))


def kpi_html(frame: pd.DataFrame, currency: str, *, horizon: int | None = None,
             labels: Mapping[str, str] | None = None, state: Mapping[str, Any] | None = None
             ) -> str:
    """The KPI table as an HTML ``<table class="roi-kpis">`` (see the module docstring).

    ``labels`` names the plans (default: their keys); ``state`` is written as
    JSON into the table's ``data-state`` (the explorer puts the file and the
    lever values the figures were computed from there).
    """
    labels = labels or {}
    head = "".join(f'<th title="{html.escape(KPIS[k].help)}">{html.escape(kpi_header(k, currency))}'
                   "</th>" for k in COLUMNS)
    body = []
    for _, row in frame.iterrows():
        name = str(row["scenario"])
        cells = "".join(
            f'<td data-scenario="{html.escape(name)}" data-kpi="{k}" '
            f'data-value="{_exact(row[k])}">{html.escape(_cell(k, row[k], currency, name, horizon))}'
            "</td>" for k in COLUMNS)
        label = html.escape(labels.get(name, name))
        body.append(f'<tr><th data-scenario="{html.escape(name)}">{label}</th>{cells}</tr>')
    data = f" data-state='{html.escape(json.dumps(dict(state)), quote=True)}'" if state else ""
    return (
        f'<table class="roi-kpis"{data}>'
        f"<thead><tr><th>Plan</th>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


KPI_CSS = (
    ".roi-kpis{border-collapse:collapse;font-size:13px;font-variant-numeric:tabular-nums}"
    ".roi-kpis td,.roi-kpis th{padding:3px 10px;border-bottom:1px solid #ddd;text-align:right;"
    "white-space:nowrap}.roi-kpis tbody th,.roi-kpis thead th:first-child{text-align:left}"
    ".roi-kpis thead th{white-space:normal;vertical-align:bottom}"  # headers wrap: 8 columns fit
)
"""The table's style, sent once (not with every update)."""

__all__ = ["COLUMNS", "KPI_CSS", "format_kpis", "kpi_html"]
