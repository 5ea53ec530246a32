"""The business-case explorer: ipywidgets sliders and plotly FigureWidgets for notebooks.

Logic lives here, notebooks only call it. Modules, each one concept:

- :mod:`~roi_models.explorer.levers`: which assumptions the sliders move and how a
  lever applies to the scenarios of a file (:func:`apply_levers` builds the
  validated file of the current settings);
- :mod:`~roi_models.explorer.compute`: the pure, batched evaluation of lever values;
- :mod:`~roi_models.explorer.figures`: FigureWidgets built once, updated in place;
- :mod:`~roi_models.explorer.kpis`: the KPI table against the status quo;
- :mod:`~roi_models.explorer.debounce`: coalescing slider events;
- :mod:`~roi_models.explorer.app`: :class:`Explorer`, the widgets and their callbacks.

Usage in a notebook::

    from roi_models.explorer import Explorer
    Explorer("b2b_it_services")
"""

from .app import Explorer, LeverControl
from .compute import KPI_COLUMNS, Evaluation, ExplorerModel, evaluate
from .debounce import Debouncer
from .kpis import KPI_LABELS, format_kpis, kpi_html
from .levers import (
    BUDGET_SCALE,
    GROUPS,
    LEVERS,
    SHARE_MOVED,
    VIRAL_SEVERITY,
    Lever,
    LeverSpec,
    apply_levers,
    lever_specs,
    move_budget,
    social_plans,
)

__all__ = [
    "BUDGET_SCALE", "GROUPS", "KPI_COLUMNS", "KPI_LABELS", "LEVERS", "SHARE_MOVED",
    "VIRAL_SEVERITY", "Debouncer", "Evaluation", "Explorer", "ExplorerModel", "Lever",
    "LeverControl", "LeverSpec", "apply_levers", "evaluate", "format_kpis", "kpi_html",
    "lever_specs", "move_budget", "social_plans",
]
