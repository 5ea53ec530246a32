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

__version__ = "0.1.0"

__all__ = [
    "Assumptions", "InputError", "ParamBatch", "ScenarioFile", "ScenarioResults", "TEITable",
    "__version__", "budget_share_sweep", "field_meta", "load_scenario_file", "load_shipped",
    "npv_drivers", "run_scenarios", "save_scenario_file", "scenario_path", "shipped_scenarios",
    "simulate", "tei_table", "viral_stress",
]
