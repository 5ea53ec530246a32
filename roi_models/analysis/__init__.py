"""Analyses built on the engine, each one batch through the same simulation.

- :mod:`.scenarios`: every scenario of a file against the status quo;
- :mod:`.decision`: the recommended plan, one rule for the report, the CLI and sensitivity;
- :mod:`.tei`: the annual table of a total-economic-impact study;
- :mod:`.whatif`: the share of the marketing budget moved to social, swept 0..100 %;
- :mod:`.drivers`: what drives the NPV difference (acquisition, retention, cost of sales...);
- :mod:`.stress`: the viral-event stress test.
"""

from .drivers import npv_drivers
from .scenarios import ScenarioResults, run_scenarios
from .stress import viral_stress
from .tei import TEITable, tei_table
from .whatif import BudgetShareSweep, budget_share_sweep

__all__ = [
    "BudgetShareSweep", "ScenarioResults", "TEITable", "budget_share_sweep", "npv_drivers",
    "run_scenarios", "tei_table", "viral_stress",
]
