"""The compiled kernel against the plain reference implementation (tests/engine/reference.py).

The reference is written from the equations of the engine's module docstring,
one Python float at a time; the kernel must give the same figures to rounding
(1e-9 relative, with a floor of 1e-12 of each series' largest value, at
least 1e-12, for values near 0, and for customer counts at least 1e-12 of the
market) for any valid plan: hypothesis draws every parameter within its schema bounds
(tests/engine/test_properties.py), plus the shipped files.
"""

import dataclasses

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference import simulate_reference
from test_properties import plans

from roi_models.data import load_shipped
from roi_models.engine import ParamBatch, simulate
from roi_models.engine.simulate import batch_arrays, simulate_chunk
from roi_models.errors import InputError

# Customer counts: the reference works out what is left of the market as M - U, the kernel
# carries it month by month; where U is within a few ulps of M (hypothesis found M = 32,769,
# U = 32,768.99999999999) the two differ by an ulp of U (7e-12 customers), so their floor
# is 1e-12 of the market, not of the (tiny) series itself.
CUSTOMER_COUNTS = ("active", "new", "retained", "active_customers", "new_customers")


def assert_matches_reference(batch: ParamBatch) -> None:
    res = simulate(batch)
    ref = simulate_reference(batch)
    for f in dataclasses.fields(res):
        arr = getattr(res, f.name)
        if not isinstance(arr, np.ndarray):
            continue
        expected = ref[f.name]
        assert arr.shape == expected.shape, f.name
        scale = np.abs(expected).reshape(len(expected), -1).max(axis=1)
        if f.name in CUSTOMER_COUNTS:  # rounding of M - U is an ulp of U, which reaches M
            scale = np.maximum(scale, batch.scalars["market.potential_customers"])
        # the floor: 1e-12 of the series' largest value, at least 1e-12 in its unit (a series
        # that is 0 in exact arithmetic carries rounding noise of ~1e-15 in the reference)
        floor = 1e-12 * np.maximum(scale, 1.0).reshape((-1,) + (1,) * (arr.ndim - 1))
        bad = np.abs(arr - expected) > 1e-9 * np.abs(expected) + floor
        assert not bad.any(), (f.name, np.argwhere(bad)[:3], arr[bad][:3], expected[bad][:3])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(12, 48).flatmap(lambda h: st.lists(plans(horizon=h), min_size=1, max_size=4)))
def test_kernel_equals_the_reference_on_random_plans(batch_plans):
    assert_matches_reference(ParamBatch.from_assumptions(batch_plans))


@pytest.mark.parametrize("name", ["b2b_it_services", "consumer_brand", "small_fast_mover"])
def test_kernel_equals_the_reference_on_the_shipped_files(name):
    # several channels of a kind, spend schedules per row, every scenario of the file
    sf = load_shipped(name)
    plans = [sf.scenario(s) for s in sf.scenario_names]
    assert_matches_reference(ParamBatch.from_assumptions(plans))


def test_shared_and_per_row_spend_give_the_same_rows():
    # (C, T+1, 1) spend shared by every row and the same schedule copied per row: same figures
    sf = load_shipped("b2b_it_services")
    shared = ParamBatch.from_assumptions([sf.scenario("social")]).repeat(3)
    assert shared.spend.shape[2] == 1
    per_row = dataclasses.replace(shared, spend=np.repeat(shared.spend, 3, axis=2))
    a, b = simulate(shared), simulate(per_row)
    for f in dataclasses.fields(a):
        if isinstance(getattr(a, f.name), np.ndarray):
            np.testing.assert_array_equal(getattr(a, f.name), getattr(b, f.name), err_msg=f.name)


def test_simulate_chunk_refuses_non_finite_values_and_wrong_shapes():
    sf = load_shipped("b2b_it_services")
    arrays = batch_arrays(ParamBatch.from_assumptions([sf.scenario("social")]).repeat(2))
    bad = dict(arrays, **{"market.bass_q_annual": np.array([0.3, np.nan])})
    with pytest.raises(InputError, match=r"market\.bass_q_annual = nan: finite numbers \(1 value"):
        simulate_chunk(bad)
    spend = arrays["spend"].copy()
    spend[0, 5, 0] = np.inf
    with pytest.raises(InputError, match=r"spend = inf"):
        simulate_chunk(dict(arrays, spend=spend))
    with pytest.raises(InputError, match=r"channels\.carryover"):
        simulate_chunk(dict(arrays, **{"channels.carryover": arrays["channels.carryover"][:, :1]}))
    with pytest.raises(InputError, match=r"spend"):
        simulate_chunk(dict(arrays, spend=arrays["spend"][:, :, :1].repeat(3, axis=2)))
    missing = dict(arrays)
    del missing["funnel.win_rate"]
    with pytest.raises(InputError, match=r"funnel\.win_rate"):
        simulate_chunk(missing)


def test_zero_onsets_reproduce_the_run_without_random_events():
    # Expected: an explicit (T+1, n) block of zero onsets gives exactly (bit for bit) the
    # figures of a batch without random events: level(t) = 0 adds nothing to d(t).
    sf = load_shipped("b2b_it_services")
    batch = ParamBatch.from_assumptions([sf.scenario(s) for s in sf.scenario_names])
    assert batch.viral_onsets is None  # the B2B file states no rate
    zero = batch.with_onsets(np.zeros((batch.horizon + 1, batch.n)))
    a, b = simulate(batch), simulate(zero)
    assert np.array_equal(a.net_cash_flow, b.net_cash_flow)
    assert np.array_equal(a.active, b.active)


def test_random_onsets_superpose_and_match_the_reference():
    # Severities starting in months 3, 5 (two at once) and 20, on top of the deterministic
    # event of the consumer file, at each row's own onsets: the kernel equals the plain
    # reference, including a pile-up (severity 5 + 5) that saturates acquisition and churn.
    sf = load_shipped("consumer_brand")
    batch = ParamBatch.from_assumptions([sf.scenario(s) for s in sf.scenario_names])
    batch = batch.with_values({"viral_event.enabled": 1.0})
    onsets = np.zeros((batch.horizon + 1, batch.n))
    onsets[3, 0], onsets[5, 1], onsets[20, 2] = 1.0, 2.0, 0.5
    onsets[10, 3] = onsets[11, 3] = 5.0
    assert_matches_reference(batch.with_onsets(onsets))


def test_an_onset_of_severity_one_equals_the_deterministic_event():
    # Expected: one random event of severity 1 in month m, without the deterministic
    # event, is the deterministic event of month m (level(t) = 0.5^((t - m) / h)).
    sf = load_shipped("consumer_brand")
    batch = ParamBatch.from_assumptions([sf.scenario("social")])
    det = batch.with_values({"viral_event.enabled": 1.0, "viral_event.rate_per_month": 0.0})
    month = int(det["viral_event.month"][0])
    onsets = np.zeros((batch.horizon + 1, 1))
    onsets[month] = 1.0
    rand = batch.with_values({"viral_event.enabled": 0.0,
                              "viral_event.rate_per_month": 0.0}).with_onsets(onsets)
    np.testing.assert_allclose(simulate(rand).net_cash_flow, simulate(det).net_cash_flow,
                               rtol=1e-12)


def test_with_onsets_refuses_negative_or_misshapen_severities():
    sf = load_shipped("b2b_it_services")
    batch = ParamBatch.from_assumptions([sf.scenario("social")])
    with pytest.raises(InputError, match=r"viral_onsets = -1\.0"):
        batch.with_onsets(-np.ones((batch.horizon + 1, 1)))
    with pytest.raises(InputError, match="viral_onsets"):
        batch.with_onsets(np.zeros((batch.horizon, 1)))
