"""The business-case explorer: ipywidgets sliders and plotly FigureWidgets for notebooks.

Logic lives here, notebooks only call it. Modules, each one concept:

- :mod:`~roi_models.explorer.levers`: which assumptions the sliders move and how a
  lever applies to the scenarios of a file (:func:`apply_levers` builds the
  validated file of the current settings);
- :mod:`~roi_models.explorer.display`: how a lever's value is shown, typed and refused;
- :mod:`~roi_models.explorer.controls`: one lever's widgets (slider over step indices,
  typed-value box, unit, message line);
- :mod:`~roi_models.explorer.compute`: the pure, batched evaluation of lever values
  into a :class:`roi_models.ScenarioResults`;
- :mod:`~roi_models.explorer.figures`: FigureWidgets built per file, updated in place;
- :mod:`~roi_models.explorer.kpis`: the KPI table against the status quo;
- :mod:`~roi_models.explorer.views`: the tabs under the KPI table (Business case,
  Sensitivity), each built by a function and drawn only when visible;
- :mod:`~roi_models.explorer.coalesce`: slider events computed at once, bursts coalesced;
  slow results (decision margins) computed once the steps settle, on a worker thread;
- :mod:`~roi_models.explorer.app`: :class:`Explorer`, the widgets and their callbacks;
- :mod:`~roi_models.explorer.serve`: how Voila serves the explorer (``make app``).

Usage in a notebook::

    from roi_models.explorer import Explorer
    Explorer("b2b_it_services")
"""

from .app import Explorer
from .coalesce import Coalescer
from .compute import ExplorerModel, evaluate
from .controls import LeverControl
from .display import LeverFormat
from .kpis import COLUMNS as KPI_COLUMNS
from .kpis import format_kpis, kpi_html
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
    "BUDGET_SCALE", "GROUPS", "KPI_COLUMNS", "LEVERS", "SHARE_MOVED", "VIRAL_SEVERITY",
    "Coalescer", "Explorer", "ExplorerModel", "Lever", "LeverControl", "LeverFormat",
    "LeverSpec", "apply_levers", "evaluate", "format_kpis", "kpi_html", "lever_specs",
    "move_budget", "social_plans",
]
