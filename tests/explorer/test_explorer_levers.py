"""Lever semantics: the validated file of the settings and the fast batch path agree with the engine."""

from __future__ import annotations

import numpy as np
import pytest

import roi_models as rm
from roi_models.assumptions import scenario_file_from_dict, scenario_file_to_dict
from roi_models.explorer import (
    BUDGET_SCALE,
    LEVERS,
    SHARE_MOVED,
    VIRAL_SEVERITY,
    ExplorerModel,
    apply_levers,
    evaluate,
    lever_specs,
    social_plans,
)

SHIPPED = ("b2b_it_services", "consumer_brand", "small_fast_mover")
KPIS = ("npv", "roi", "irr_annual", "payback_month", "discounted_payback_month", "cac", "clv",
        "clv_to_cac")


def _as_float(frame, col):
    return frame[col].to_numpy(dtype=float, na_value=np.nan)


def assert_same_results(ev, res):
    """The fast path's figures equal run_scenarios on the validated file of the same values."""
    assert ev.names == res.names
    for col in KPIS:
        np.testing.assert_allclose(_as_float(ev.summary, col), _as_float(res.summary, col),
                                   rtol=1e-9, atol=1e-6, err_msg=col)
    np.testing.assert_allclose(ev.sim.active_customers, res.sim.active_customers, rtol=1e-12)
    np.testing.assert_allclose(ev.case.incremental_cash_flow, res.case.incremental_cash_flow,
                               rtol=1e-9, atol=1e-6)


def test_every_lever_of_the_issue_is_there_with_schema_metadata():
    keys = {lever.key for lever in LEVERS}
    for key in ("social.word_of_mouth_lift", "social.churn_reduction",
                "funnel.social_cost_reduction", "social.support_deflection",
                "retention.churn_monthly.existing", "economics.revenue_per_customer_monthly",
                "economics.gross_margin", "finance.discount_rate_annual",
                "organisation.ramp_up_months", SHARE_MOVED, BUDGET_SCALE, VIRAL_SEVERITY):
        assert key in keys, key
    sf = rm.load_shipped("b2b_it_services")
    for spec in lever_specs(sf):
        if spec.lever.kind == "field" and spec.key != "viral_event.month":
            meta = rm.field_meta(spec.key)
            assert spec.meta == meta  # label, unit, bounds, description straight from the schema
        assert spec.slider_min <= spec.file_value <= spec.slider_max, spec.key
        assert spec.step > 0


@pytest.mark.parametrize("name", SHIPPED)
def test_untouched_levers_reproduce_the_file_exactly(name):
    sf = rm.load_shipped(name)
    model = ExplorerModel.from_file(sf)
    ev = evaluate(model, model.file_values())
    np.testing.assert_array_equal(ev.sim.net_cash_flow, model.base.sim.net_cash_flow)
    again = apply_levers(sf, model.file_values())
    assert scenario_file_to_dict(again)["scenarios"] == scenario_file_to_dict(sf)["scenarios"]
    assert again.base == sf.base


VALUE_SETS = [
    {SHARE_MOVED: 0.35},
    {SHARE_MOVED: -0.6},
    {BUDGET_SCALE: 1.4},
    {SHARE_MOVED: 1.0, BUDGET_SCALE: 0.5},
    {"social.churn_reduction": 0.3, "funnel.social_cost_reduction": 0.4,
     "social.word_of_mouth_lift": 1.2, "social.support_deflection": 0.5},
    {"retention.churn_monthly.existing": 0.02, "retention.churn_monthly.social": 0.005,
     "economics.revenue_per_customer_monthly": 50.0, "economics.gross_margin": 0.6},
    {"finance.discount_rate_annual": 0.2, "organisation.ramp_up_months": 3.0},
    {VIRAL_SEVERITY: 0.6, "viral_event.month": 6, "retention.downturn.added_churn": 0.02},
    {VIRAL_SEVERITY: 0.0},
]


@pytest.mark.parametrize("name", SHIPPED)
@pytest.mark.parametrize("values", VALUE_SETS, ids=lambda v: "+".join(k.split(".")[-1] for k in v))
def test_fast_path_equals_the_engine_on_the_validated_file(name, values):
    sf = rm.load_shipped(name)
    model = ExplorerModel.from_file(sf)
    ev = evaluate(model, model.file_values() | values)
    res = rm.run_scenarios(apply_levers(sf, model.file_values() | values))
    assert_same_results(ev, res)


def test_a_field_lever_sets_base_and_replaces_scenario_overrides():
    raw = scenario_file_to_dict(rm.load_shipped("b2b_it_services"))
    raw["scenarios"]["social"]["social"] = {"churn_reduction": 0.25}  # an override on purpose
    sf = scenario_file_from_dict(raw)
    untouched = apply_levers(sf, {"social.churn_reduction": 0.15})  # the base value: untouched
    assert untouched.scenario("social").social.churn_reduction == 0.25
    moved = apply_levers(sf, {"social.churn_reduction": 0.4})
    assert moved.base.social.churn_reduction == 0.4
    assert all(moved.scenario(n).social.churn_reduction == 0.4 for n in moved.scenario_names)
    register = moved.register_for("social")["social.churn_reduction"]
    assert "explorer" in register.source and "0.15" in register.source
    model = ExplorerModel.from_file(sf)
    assert_same_results(evaluate(model, {"social.churn_reduction": 0.4}), rm.run_scenarios(moved))


def test_viral_severity_switches_the_event_and_scales_its_churn():
    sf = rm.load_shipped("b2b_it_services")  # event off in the file: hit 0.3, added churn 0.01
    assert lever_specs(sf)[[lv.key for lv in LEVERS].index(VIRAL_SEVERITY)].file_value == 0.0
    on = apply_levers(sf, {VIRAL_SEVERITY: 0.6})
    ev = on.scenario("social").viral_event
    assert ev.enabled and ev.acquisition_hit == 0.6
    assert ev.added_churn == pytest.approx(0.02)  # 0.01 x 0.6 / 0.3
    consumer = rm.load_shipped("consumer_brand")  # event on in the file
    off = apply_levers(consumer, {VIRAL_SEVERITY: 0.0})
    assert not off.scenario("social").viral_event.enabled


def test_budget_levers_act_on_the_social_plans_only():
    assert social_plans(rm.load_shipped("b2b_it_services")) == ("social", "blended")
    assert social_plans(rm.load_shipped("consumer_brand")) == (
        "social", "blended", "social_reallocation")
    sf = rm.load_shipped("b2b_it_services")
    model = ExplorerModel.from_file(sf)
    base = model.base
    ev = evaluate(model, {SHARE_MOVED: 0.5})
    spend = ev.sim.spend_by_kind
    for name in ("status_quo", "traditional"):
        i = base.names.index(name)
        np.testing.assert_array_equal(spend[i], base.sim.spend_by_kind[i])
    i = base.names.index("social")
    # monthly totals kept, half of the traditional spend now social
    np.testing.assert_allclose(spend[i].sum(axis=0), base.sim.spend_by_kind[i].sum(axis=0))
    np.testing.assert_allclose(spend[i, 0], 0.5 * base.sim.spend_by_kind[i, 0])
    scaled = evaluate(model, {BUDGET_SCALE: 2.0}).sim.spend_by_kind[i]
    np.testing.assert_allclose(scaled, 2.0 * base.sim.spend_by_kind[i])


def test_out_of_bounds_values_are_refused_with_the_schema_text():
    sf = rm.load_shipped("b2b_it_services")
    model = ExplorerModel.from_file(sf)
    with pytest.raises(rm.InputError) as err:
        evaluate(model, {"social.churn_reduction": 0.95})
    assert err.value.problems[0].allowed == "must be a number in [0, 0.9] (share)"
    with pytest.raises(rm.InputError):
        evaluate(model, {SHARE_MOVED: -1.5})
    with pytest.raises(rm.InputError) as err:
        apply_levers(sf, {"finance.discount_rate_annual": 0.0})
    assert "allowed: a number in [0.001, 1] (share/year)" in err.value.problems[0].allowed


def test_participation_cap_lever_drives_the_b2b_social_case():
    """The community's participation cap is a lever with the schema's bounds (0..1, step
    0.01); over 0.1..0.6 the B2B social plan's NPV runs from about 1.17 m to 5.01 m (the
    figures of the issue-11 model, computed by the engine for this file)."""
    from roi_models.explorer import Explorer

    ex = Explorer("b2b_it_services")
    spec = ex.model.spec("social.participation_cap")
    assert (spec.slider_min, spec.slider_max, spec.step) == (0.0, 1.0, 0.01)
    ex.set("social.participation_cap", 0.1)
    low = ex.kpi("social", "npv")
    ex.set("social.participation_cap", 0.6)
    high = ex.kpi("social", "npv")
    assert 1.1e6 < low < 1.25e6 and 4.9e6 < high < 5.1e6
    ex.set("social.participation_cap", 1.5)  # above the schema's bound: refused, kept
    assert ex.values()["social.participation_cap"] == 0.6


def test_kpi_table_shows_blended_cac_beside_paid():
    """CAC (blended) sits right after CAC (paid), labelled from formatting.KPIS."""
    from roi_models.explorer import Explorer
    from roi_models.explorer.kpis import COLUMNS
    from roi_models.formatting import KPIS

    assert COLUMNS.index("cac_blended") == COLUMNS.index("cac") + 1
    ex = Explorer("b2b_it_services")
    assert KPIS["cac_blended"].label in ex.kpi_table.value
    assert 'data-kpi="cac_blended"' in ex.kpi_table.value
