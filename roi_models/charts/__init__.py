"""Plotly figure builders: results in, ``plotly.graph_objects.Figure`` out (never shown here).

One concept per module; every builder takes the tidy frames of
:class:`roi_models.ScenarioResults` (or an analysis result) so that the CMO
report and the notebook explorer draw the same charts.
"""

from .acquisition import cac_clv_by_source, cac_clv_frame
from .cashflow import incremental_cash_flow
from .cost_of_sales import cost_of_sales_by_scenario
from .customers import active_customers_by_source
from .stress import viral_stress_figure
from .waterfall import npv_waterfall
from .whatif import budget_share_figure

__all__ = [
    "active_customers_by_source", "budget_share_figure", "cac_clv_by_source", "cac_clv_frame",
    "cost_of_sales_by_scenario", "incremental_cash_flow", "npv_waterfall", "viral_stress_figure",
]
