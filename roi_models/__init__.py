"""roi_models: the business case for moving marketing spend from traditional channels to social.

One batched monthly simulation compares cost of sales, customer acquisition
and retention (plus support cost and viral-event risk) under each scenario
of a scenario file, and turns them into a business case against the status
quo: NPV, ROI, IRR, payback, CAC, CLV.

Layers (imports point downwards only; the list is in the README's "Layers"
section and ``tests/test_layers.py`` enforces it). Conventions:
:mod:`roi_models.conventions`; how figures are written: :mod:`roi_models.formatting`.

>>> import roi_models
>>> res = roi_models.run_scenarios(roi_models.load_shipped("small_fast_mover"))
>>> res.names[0]
'status_quo'
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what __getattr__ below imports on first use
    from .analysis import (
        ScenarioResults,
        TEITable,
        budget_share_sweep,
        npv_drivers,
        run_scenarios,
        tei_table,
        viral_stress,
    )
    from .assumptions import (
        Assumptions,
        ScenarioFile,
        field_meta,
        load_scenario_file,
        save_scenario_file,
    )
    from .data import load_shipped, scenario_path, shipped_scenarios
    from .engine import ParamBatch, simulate
    from .errors import InputError

_WHERE = {
    **dict.fromkeys(("ScenarioResults", "TEITable", "budget_share_sweep", "npv_drivers",
                     "run_scenarios", "tei_table", "viral_stress"), ".analysis"),
    **dict.fromkeys(("Assumptions", "ScenarioFile", "field_meta", "load_scenario_file",
                     "save_scenario_file"), ".assumptions"),
    **dict.fromkeys(("load_shipped", "scenario_path", "shipped_scenarios"), ".data"),
    **dict.fromkeys(("ParamBatch", "simulate"), ".engine"),
    "InputError": ".errors",
}
"""The module of each name the package exports. They are imported on first use (PEP 562), so
that ``roi-models validate`` loads the schema without the engine (numba), pandas or plotly."""


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(_WHERE[name], __name__), name)
    globals()[name] = value  # the next access is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_WHERE})


__version__ = "0.1.0"

__all__ = [
    "Assumptions", "InputError", "ParamBatch", "ScenarioFile", "ScenarioResults", "TEITable",
    "__version__", "budget_share_sweep", "field_meta", "load_scenario_file", "load_shipped",
    "npv_drivers", "run_scenarios", "save_scenario_file", "scenario_path", "shipped_scenarios",
    "simulate", "tei_table", "viral_stress",
]
