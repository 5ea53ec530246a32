"""NPV drivers: the parts sum exactly to the NPV; the split follows its definition."""

from __future__ import annotations

import numpy as np
import pytest

import roi_models as rm
from roi_models.analysis.drivers import DRIVERS, npv_drivers
from roi_models.engine import npv


@pytest.fixture(scope="module")
def results():
    return rm.run_scenarios(rm.load_shipped("b2b_it_services"))


@pytest.fixture(scope="module")
def drivers(results):
    return npv_drivers(results)


def test_parts_sum_to_the_npv(results, drivers):
    total = drivers.groupby("scenario", sort=False)["npv"].sum()
    expected = results.summary.set_index("scenario")["npv"].astype(float)
    assert list(total.index) == list(results.names[1:])
    for name, value in total.items():
        assert value == pytest.approx(expected[name], rel=1e-9, abs=1e-6)


def test_shape_and_order(results, drivers):
    assert len(drivers) == len(DRIVERS) * (len(results.names) - 1)
    assert tuple(drivers[drivers.scenario == "social"]["driver"]) == DRIVERS


def test_components_are_the_incremental_ones(results, drivers):
    d = drivers.set_index(["scenario", "driver"])["npv"]
    i = results.index("social")
    parts = results.case.incremental_components
    assert d["social", "programme_cost"] == pytest.approx(
        npv(parts["programme_cost"][i], results.discount_rate))
    assert d["social", "acquisition"] + d["social", "retention"] == pytest.approx(
        npv(parts["gross_profit"][i], results.discount_rate))


def test_no_retention_effect_without_social_engagement(drivers):
    """The traditional plan has no social spend or programme: engagement is 0."""
    d = drivers.set_index(["scenario", "driver"])["npv"]
    assert d["traditional", "retention"] == pytest.approx(0.0, abs=1e-6)
    assert d["social", "retention"] > 0
    assert np.isfinite(drivers["npv"]).all()
