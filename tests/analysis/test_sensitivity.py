"""Sensitivity and break-even, checked against runs of edited scenario files.

Every expected figure here comes from an independent path: the scenario file
with the one field edited (through the file's own loader and validation),
run by :func:`roi_models.run_scenarios`. So the batched analyses are checked
against the deterministic engine run of the equivalent file.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

import roi_models as rm
from roi_models.analysis import sensitivity as sens
from roi_models.assumptions import scenario_file_from_dict, scenario_file_to_dict
from roi_models.assumptions.merge import get_path
from roi_models.errors import InputError


@pytest.fixture(scope="module")
def sf():
    return rm.load_shipped("b2b_it_services")


@pytest.fixture(scope="module")
def results(sf):
    return rm.run_scenarios(sf)


def _edited(sf, key: str, value: float):
    """The file with one field set: in base (the world) or in one plan (scenarios.<plan>.<path>)."""
    raw = copy.deepcopy(scenario_file_to_dict(sf))
    parts = key.split(".")
    if parts[0] == "scenarios":
        node = raw["scenarios"].setdefault(parts[1], {})
        parts = parts[2:]
    else:
        node = raw["base"]
    for p in parts[:-1]:
        node = node.setdefault(p, {})
    old = node.get(parts[-1])
    node[parts[-1]] = {**old, "value": value} if isinstance(old, dict) else value
    return scenario_file_from_dict(raw, "edited")


def _npv(sf, plan: str, against: str = "status_quo") -> float:
    s = rm.run_scenarios(sf).summary.set_index("scenario")["npv"]
    return float(s[plan] - s[against])


def test_tornado_base_is_the_run_and_each_end_is_a_run_of_the_edited_file(sf, results):
    t = sens.tornado(results, plan="social")
    assert t.attrs["base"] == pytest.approx(results.kpis("social")["npv"], rel=1e-12)
    assert list(t["swing"]) == sorted(t["swing"], reverse=True)
    assert set(t["field"]) == set(sf.uncertainty)
    for row in t.itertuples():
        for end, kpi in (("low", row.kpi_low), ("high", row.kpi_high)):
            expected = _npv(_edited(sf, row.field, getattr(row, end)), "social")
            assert kpi == pytest.approx(expected, rel=1e-9, abs=1e-3), (row.field, end)


def test_tornado_reproduces_the_published_swings_of_the_b2b_file(results):
    """Figures of the issue-11 model (one at a time over the file's own ranges; issue 12 had
    word-of-mouth lift 4.1-15.7 m before the lift reached only participating clients):
    revenue per customer 0.69 m to 4.69 m, word-of-mouth lift 1.21-4.56 m, Bass q
    1.54-4.07 m. The ends are checked against edited files in the test above."""
    t = sens.tornado(results, plan="social").set_index("field")
    for path, low, high in (("social.word_of_mouth_lift", 1.21e6, 4.56e6),
                            ("market.bass_q_annual", 1.54e6, 4.07e6),
                            ("economics.revenue_per_customer_monthly", 0.69e6, 4.69e6)):
        assert t.loc[path, "kpi_low"] == pytest.approx(low, abs=0.01e6)
        assert t.loc[path, "kpi_high"] == pytest.approx(high, abs=0.01e6)
    assert t.index[0] == "economics.revenue_per_customer_monthly"


def test_plan_against_plan_is_the_difference_of_their_npvs(sf, results):
    t = sens.tornado(results, plan="social", against="traditional").set_index("field")
    expected = _npv(_edited(sf, "market.bass_q_annual", 0.1), "social", "traditional")
    assert t.loc["market.bass_q_annual", "kpi_low"] == pytest.approx(expected, rel=1e-9)
    assert t.attrs["base"] == pytest.approx(_npv(sf, "social", "traditional"), rel=1e-12)


def test_a_field_a_plan_sets_itself_does_not_move_with_the_world(sf, results):
    """The social plan sets its own programme cost: a base range does not apply to it, and
    a 'scenarios.social.' range applies to the social plan only."""
    world = sens.tornado(results, plan="social", fields=[], kpi="npv")
    assert world.empty
    raw = copy.deepcopy(scenario_file_to_dict(sf))
    raw["uncertainty"]["programme.one_time_cost"] = {
        "distribution": "uniform", "low": 0.0, "high": 500_000.0}
    raw["uncertainty"]["scenarios.social.programme.one_time_cost"] = {
        "distribution": "uniform", "low": 200_000.0, "high": 400_000.0}
    edited = scenario_file_from_dict(raw, "edited")
    res = rm.run_scenarios(edited)
    t = sens.tornado(res, plan="social").set_index("field")
    base = t.attrs["base"]
    # month-0 cost, undiscounted, times the organisation's implementation multiplier
    mult = sf.scenario("social").organisation.implementation_cost_multiplier
    assert sf.base.programme.one_time_cost == 0.0
    # the base range moves the status quo (it takes the field from base), not social, which
    # sets its own: at the high end the status quo pays 500,000 and social gains as much
    world = t.loc["programme.one_time_cost"]
    assert world.kpi_low == pytest.approx(base, rel=1e-12)
    assert world.kpi_high - base == pytest.approx(500_000 * mult, rel=1e-9)
    own = t.loc["scenarios.social.programme.one_time_cost"]
    assert own.kpi_low - base == pytest.approx(50_000 * mult, rel=1e-9)
    assert own.kpi_high - base == pytest.approx(-150_000 * mult, rel=1e-9)


def test_uncertainty_keys_of_unknown_plans_are_refused(sf):
    raw = copy.deepcopy(scenario_file_to_dict(sf))
    raw["uncertainty"]["scenarios.socal.programme.one_time_cost"] = {
        "distribution": "uniform", "low": 0.0, "high": 1.0}
    with pytest.raises(InputError) as err:
        scenario_file_from_dict(raw, "bad.yaml")
    assert "social" in str(err.value)


def test_spider_clips_to_the_bounds_and_says_so(sf, results):
    s = sens.spider(results, plan="social", fields=["economics.gross_margin",
                                                    "social.churn_reduction"])
    assert len(s) == 2 * 13
    margin = s[s.field == "economics.gross_margin"]
    today = get_path(sf.base.model_dump(), "economics.gross_margin")
    assert margin["value"].max() <= 1.0
    assert margin["clipped"].any() == (today * 1.3 > 1.0)
    mid = s[(s.field == "social.churn_reduction") & (s.change == 0.0)]
    assert float(mid.kpi.iloc[0]) == pytest.approx(results.kpis("social")["npv"], rel=1e-12)
    row = s[(s.field == "social.churn_reduction") & (s.change == 0.3)].iloc[0]
    assert row.kpi == pytest.approx(_npv(_edited(sf, "social.churn_reduction", row.value),
                                         "social"), rel=1e-9)


def test_data_table_cells_are_runs_of_the_edited_file(sf, results):
    dt = sens.data_table(results, "social.word_of_mouth_lift", "market.bass_q_annual",
                         rows=[0.2, 0.8], columns=[0.15, 0.3], plan="social")
    assert dt.frame.shape == (2, 2)
    edited = _edited(_edited(sf, "social.word_of_mouth_lift", 0.8), "market.bass_q_annual", 0.15)
    assert dt.frame.loc[0.8, 0.15] == pytest.approx(_npv(edited, "social"), rel=1e-9)
    assert len(dt.tidy) == 4
    with pytest.raises(InputError, match="word_of_mouth_lift"):
        sens.data_table(results, "social.word_of_mouth_lift", "market.bass_q_annual",
                        rows=[-1.0, 0.5], plan="social")


def test_goal_seek_value_run_reproduces_the_target(sf, results):
    g = sens.goal_seek(results, "economics.revenue_per_customer_monthly", plan="social")
    assert g.value is not None and g.reason is None
    assert 0 < g.value < 4000  # the plan pays at today's 4,000 a month
    assert abs(_npv(_edited(sf, "economics.revenue_per_customer_monthly", g.value), "social")) < 1.0
    target = sens.goal_seek(results, "social.word_of_mouth_lift", plan="social", target=12e6)
    assert _npv(_edited(sf, "social.word_of_mouth_lift", target.value), "social") == pytest.approx(
        12e6, abs=1.0)


def test_goal_seek_without_a_root_says_so(results):
    g = sens.goal_seek(results, "social.word_of_mouth_lift", plan="social")
    assert g.value is None and g.kpi_at_value is None
    assert g.reason == "NPV stays above 0 for every value in [0, 5]"
    doc = g.to_json_dict()
    assert doc["value"] is None and doc["reason"] == g.reason


def test_decision_margins_run_make_the_two_plans_tie(sf, results):
    m = sens.decision_margins(results, plan="social")
    assert m.attrs["rivals"] == ["blended", "status_quo"]
    found = m[np.isfinite(m["value"])]
    assert len(found) >= 2
    for row in found.itertuples():
        tie = _npv(_edited(sf, row.field, row.value), "social", row.rival)
        assert abs(tie) < 1.0, (row.field, row.rival, tie)
        assert row.direction == ("lower" if row.value < row.today else "higher")
        assert row.sentence.endswith("wins.")
    none = m[~np.isfinite(m["value"])]
    assert all("at every value" in s for s in none.sentence)


def test_budget_levers_move_the_plan_only(results):
    g = sens.goal_seek(results, sens.MOVED, plan="social", target=results.kpis("social")["npv"])
    assert g.value == pytest.approx(0.0, abs=1e-6)  # nothing moved: the plan itself
    s = sens.spider(results, plan="traditional", fields=[sens.MULTIPLIER], changes=[0.0, 0.2])
    assert s.kpi.iloc[0] == pytest.approx(results.kpis("traditional")["npv"], rel=1e-12)


def test_bad_questions_are_refused_with_the_nearest_name(results):
    with pytest.raises(InputError, match="social"):
        sens.tornado(results, plan="socal")
    with pytest.raises(InputError, match="npv"):
        sens.tornado(results, plan="social", kpi="npvv")
    with pytest.raises(InputError, match="word_of_mouth_lift"):
        sens.goal_seek(results, "social.word_of_mouth_lfit", plan="social")
    with pytest.raises(InputError, match="whole-number"):
        sens.goal_seek(results, "finance.horizon_months", plan="social")
    with pytest.raises(InputError, match="another plan"):
        sens.tornado(results, plan="social", against="social")


def test_every_analysis_is_one_batch(results):
    q = sens.ask(results, "social")
    ev = sens.Evaluator(results, q)
    fields = {f.key: f for f in sens.uncertain_fields(results)}
    ev({k: np.full(3, np.nan) for k in fields}, fields)
    assert ev.runs == 1


def test_searches_keep_the_schema_rules_between_fields(sf, results):
    """Initial customers may not exceed the market: a goal seek over the market size searches
    only down to today's customer base, and says so when the target is not in reach."""
    f = sens.field(results, "market.potential_customers")
    assert f.bounds()[0] == sf.base.market.initial_customers
    g = sens.goal_seek(results, "market.potential_customers", plan="social")
    assert g.bounds[0] == sf.base.market.initial_customers
    assert g.value is None or abs(g.kpi_at_value) < 1.0
    s = sens.spider(results, plan="social", fields=["market.initial_customers"],
                    changes=[0.0, 1e6])
    assert s["clipped"].tolist() == [False, True]
    assert s["value"].iloc[-1] == pytest.approx(sf.base.market.potential_customers)
