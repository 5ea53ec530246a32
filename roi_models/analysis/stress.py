"""Viral-event stress: every scenario with the file's negative viral event switched on.

A false viral story hits acquisition and churn whether or not the company
takes part in social media; listening and response capability shrinks the
damage (negative word of mouth builds and fades over months: Luo, Marketing
Science 28(1), 2009; Forrester (2010) called listening and response
"corporate reputation insurance"). The stress sets ``viral_event.enabled`` to 1
in every row of the scenario batch (status quo included) and simulates the
batch once. Each stressed scenario is compared with the stressed status quo,
so the stressed NPV answers "is the plan still worth it if the story
breaks?"; ``loss_plan`` is how much of the plan's own NPV the event destroys
(the status quo's row shows the damage to doing nothing).

Examples
--------
Does the social plan still pay off when a false story breaks?

>>> from roi_models import load_shipped, run_scenarios
>>> res = run_scenarios(load_shipped("b2b_it_services"))
>>> s = viral_stress(res).set_index("scenario")
>>> bool(s.loc["social", "npv_stressed"] > 0)
True
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..engine import business_case, npv, simulate
from .scenarios import ScenarioResults


def viral_stress(results: ScenarioResults) -> pd.DataFrame:
    """Incremental NPV and payback of every scenario with and without the viral event.

    Parameters
    ----------
    results : ScenarioResults
        A run of a scenario file; the event's settings (month, hits,
        half-life, mitigation) are the file's.

    Returns
    -------
    pandas.DataFrame
        One row per scenario: ``npv`` (no event), ``npv_stressed`` (event on,
        against the stressed status quo), ``npv_change``, ``payback_month``,
        ``payback_month_stressed``, ``npv_plan``, ``npv_plan_stressed`` (the
        plans' own NPVs) and ``loss_plan`` (``npv_plan - npv_plan_stressed``);
        missing paybacks are ``<NA>``. ``attrs["units"]`` and ``attrs["event"]``.

    Notes
    -----
    The NPVs and paybacks are :func:`roi_models.engine.business_case`'s on
    the stressed batch (without IRR); see the module docstring for why the
    status quo is stressed too.
    """
    batch = results.batch.with_values({"viral_event.enabled": 1.0})
    sim = simulate(batch)
    baseline = sim.rows(0)
    case = business_case(sim, baseline, results.discount_rate, spend=batch.spend,
                         baseline_spend=batch.rows(np.array([0])).spend,
                         terminal_value=results.terminal_value, with_irr=False)
    plan_stressed = np.asarray(npv(sim.net_cash_flow, results.discount_rate))
    plan = np.asarray(results.metrics.npv, dtype=float)
    frame = pd.DataFrame({"scenario": list(results.names)})

    def col(v, dtype="Float64"):
        return pd.array(np.asarray(v, dtype=float), dtype="Float64").astype(dtype)

    frame["npv"] = col(results.case.npv)
    frame["npv_stressed"] = col(case.npv)
    frame["npv_change"] = col(case.npv - results.case.npv)
    frame["payback_month"] = col(results.case.payback_month, "Int64")
    frame["payback_month_stressed"] = col(case.payback_month, "Int64")
    frame["npv_plan"] = col(plan)
    frame["npv_plan_stressed"] = col(plan_stressed)
    frame["loss_plan"] = col(plan - plan_stressed)
    cur = results.currency
    frame.attrs["units"] = {
        "npv": cur, "npv_stressed": cur, "npv_change": cur, "payback_month": "month",
        "payback_month_stressed": "month", "npv_plan": cur, "npv_plan_stressed": cur,
        "loss_plan": cur,
    }
    frame.attrs["event"] = {
        k.split(".", 1)[1]: float(results.batch[k][0])
        for k in results.batch.scalars
        if k.startswith("viral_event.") and k != "viral_event.enabled"
    }
    return frame
