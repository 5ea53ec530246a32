"""NPV drivers: where the incremental NPV of each scenario against the status quo comes from.

Method
------
The incremental net cash flow is the sum of signed incremental components
(:meth:`roi_models.engine.SimResult.components`, scenario minus status quo),
and NPV is linear, so the NPV splits exactly into the NPVs of the components.
Gross profit is split further into *acquisition* and *retention* with one
counterfactual row per scenario: the scenario with its retention effect
switched off (``social.churn_reduction`` = 0 and every
``retention.churn_monthly.*`` and ``retention.downturn.*`` value set to the
status quo's), simulated as one batch. Then

- **acquisition** = NPV(gross profit of the counterfactual - status quo):
  the margin of the customers won differently, at the status quo's churn;
- **retention** = NPV(gross profit of the scenario - counterfactual): the
  margin of the customers kept longer (lower churn);
- **marketing spend** = NPV of incremental channel spend and referral rewards
  (negative when the scenario spends more);
- **cost of sales**, **support**, **programme cost** = NPV of those
  incremental components.

The six parts sum to the scenario's incremental NPV up to rounding
(``acquisition + retention`` is the NPV of incremental gross profit).
Interaction between retention and the other components (for example more
retained customers also need more support) stays in those components.

Examples
--------
Do the drivers of the social plan add up to its NPV?

>>> from roi_models import load_shipped, run_scenarios
>>> res = run_scenarios(load_shipped("b2b_it_services"))
>>> d = npv_drivers(res)
>>> total = d[d.scenario == "social"]["npv"].sum()
>>> bool(abs(total - res.summary.set_index("scenario").loc["social", "npv"]) < 1e-6)
True
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..assumptions import SOURCES
from ..engine import npv, simulate
from .scenarios import ScenarioResults

DRIVERS: tuple[str, ...] = (
    "acquisition", "retention", "marketing_spend", "cost_of_sales", "support", "programme_cost",
)
"""Driver names, in waterfall order."""

DRIVER_LABELS: dict[str, str] = {
    "acquisition": "Acquisition",
    "retention": "Retention",
    "marketing_spend": "Marketing spend",
    "cost_of_sales": "Cost of sales",
    "support": "Support",
    "programme_cost": "Programme cost",
}

_RETENTION_PATHS: tuple[str, ...] = tuple(f"retention.churn_monthly.{s}" for s in SOURCES) + (
    "retention.downturn.start_month", "retention.downturn.duration_months",
    "retention.downturn.added_churn",
)


def npv_drivers(results: ScenarioResults) -> pd.DataFrame:
    """Where each scenario's incremental NPV comes from, driver by driver.

    Parameters
    ----------
    results : ScenarioResults
        A run of a scenario file (:func:`roi_models.analysis.run_scenarios`).

    Returns
    -------
    pandas.DataFrame
        Tidy ``scenario, driver, npv`` for every scenario but the status quo,
        drivers in :data:`DRIVERS` order; units in ``attrs["units"]``.

    Notes
    -----
    NPV is linear, so the NPV of the incremental flow is the sum of the NPVs
    of its components (the module docstring gives the split of gross profit
    into acquisition and retention); each is :func:`roi_models.engine.npv`.
    """
    batch = results.batch
    values = {path: batch[path][0] for path in _RETENTION_PATHS}  # the status quo's row
    values["social.churn_reduction"] = 0.0
    counterfactual = simulate(batch.with_values(values))

    sim, base = results.sim, 0
    parts = results.case.incremental_components
    rate = results.discount_rate
    flows = np.stack([
        counterfactual.gross_profit - sim.gross_profit[base],
        sim.gross_profit - counterfactual.gross_profit,
        parts["channel_spend"] + parts["referral_rewards"],
        parts["cost_of_sales"],
        parts["support_cost"],
        parts["programme_cost"],
    ], axis=1)  # (n, 6, T+1)
    values_npv = np.asarray(npv(flows, rate))  # (n, 6)
    n = len(results.names)
    frame = pd.DataFrame({
        "scenario": np.repeat(np.array(results.names, dtype=object), len(DRIVERS)),
        "driver": np.tile(np.array(DRIVERS, dtype=object), n),
        "npv": values_npv.reshape(-1),
    })
    frame = frame[frame["scenario"] != results.names[base]].reset_index(drop=True)
    frame.attrs["units"] = {"npv": results.currency}
    return frame


def driver_difference(results: ScenarioResults, plan: str, against: str) -> pd.DataFrame:
    """Why one plan beats (or trails) another, driver by driver.

    Parameters
    ----------
    results : ScenarioResults
        A run of a scenario file.
    plan, against : str
        Two scenarios of the run.

    Returns
    -------
    pandas.DataFrame
        Tidy ``scenario, driver, npv`` with scenario ``"plan vs against"``.

    Notes
    -----
    NPV is linear, so plan A's drivers minus plan B's drivers split
    NPV(A) - NPV(B) exactly (each plan keeps its own acquisition/retention
    counterfactual).

    Examples
    --------
    Do the differences of the social and the traditional plan add up to the
    difference of their NPVs?

    >>> import roi_models as rm
    >>> res = rm.run_scenarios(rm.load_shipped("b2b_it_services"))
    >>> d = driver_difference(res, "social", "traditional")
    >>> s = res.summary.set_index("scenario")["npv"]
    >>> bool(abs(d["npv"].sum() - (s["social"] - s["traditional"])) < 1e-6)
    True
    """
    results.index(plan), results.index(against)  # unknown names raise InputError
    drivers = npv_drivers(results).pivot(index="driver", columns="scenario", values="npv")
    zero = pd.Series(0.0, index=drivers.index)  # the status quo has no drivers against itself
    diff = drivers.get(plan, zero) - drivers.get(against, zero)
    frame = pd.DataFrame({"scenario": f"{plan} vs {against}", "driver": list(DRIVERS),
                          "npv": diff.reindex(list(DRIVERS)).to_numpy(dtype=float)})
    frame.attrs["units"] = {"npv": results.currency}
    return frame

