"""The viral-event stress, checked against a one-row run built independently."""

from __future__ import annotations

import pytest

import roi_models as rm
from roi_models.analysis.stress import viral_stress
from roi_models.engine import ParamBatch, npv, simulate


@pytest.fixture(scope="module")
def results():
    return rm.run_scenarios(rm.load_shipped("b2b_it_services"))


def test_every_scenario_with_and_without(results):
    s = viral_stress(results)
    assert list(s["scenario"]) == list(results.names)
    assert s.loc[0, "npv"] == 0 and s.loc[0, "npv_stressed"] == 0
    assert (s["loss_plan"] > 0).all()  # the event destroys value in every plan
    assert (s["npv_stressed"] != s["npv"]).iloc[1:].all()


def test_matches_a_separate_run(results):
    sf = results.file
    plans = [sf.scenario("status_quo"), sf.scenario("social")]
    batch = ParamBatch.from_assumptions(plans).with_values({"viral_event.enabled": 1.0})
    sim = simulate(batch)
    expected = npv(sim.net_cash_flow[1] - sim.net_cash_flow[0], results.discount_rate)
    s = viral_stress(results).set_index("scenario")
    assert float(s.loc["social", "npv_stressed"]) == pytest.approx(expected, rel=1e-10)
