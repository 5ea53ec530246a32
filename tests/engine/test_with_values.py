"""ParamBatch.with_values: the path of every sensitivity, Monte Carlo and optimisation batch.

Values are checked against the schema's bounds (field_meta) before they reach the
kernel. Before this check, channels.linkedin.carryover = 1.0 gave NaN everywhere
(a_c(0) = s_before / (1 - lambda) divides by 0) and funnel.win_rate = -0.5 gave
-1,533 active customers without a word.
"""

import numpy as np
import pytest

from roi_models.data import load_shipped
from roi_models.engine import ParamBatch, simulate
from roi_models.errors import InputError


@pytest.fixture(scope="module")
def batch():
    sf = load_shipped("b2b_it_services")
    return ParamBatch.from_assumptions([sf.scenario("social")]).repeat(3)


@pytest.mark.parametrize("path, value, message", [
    # out of bounds: scalar, channel and spend paths
    ("funnel.win_rate", -0.5,
     r"funnel\.win_rate = -0\.5: a number in \[0, 1\] \(share\) \(3 of 3 rows"),
    ("channels.linkedin.carryover", 1.0,
     r"channels\.linkedin\.carryover = 1\.0: a number in \[0, 0\.95\] \(share/month\) "
     r"\(3 of 3 rows"),
    ("channels.linkedin.spend.amount", [10.0, -1.0, -2.0],
     r"channels\.linkedin\.spend\.amount = -1\.0: a number in \[0, 1e\+10\].*\(2 of 3 rows"),
    ("finance.discount_rate_annual", 0.0,
     r"finance\.discount_rate_annual = 0\.0: a number in \[0\.001, 1\]"),
    ("channels.events.shape", [1.0, 1.0, 7.0],
     r"channels\.events\.shape = 7\.0: a number in \[0\.3, 5\]"),
    # not finite
    ("market.bass_q_annual", [0.2, np.nan, 0.3], r"market\.bass_q_annual = nan"),
    ("channels.outbound.half_saturation", np.inf, r"channels\.outbound\.half_saturation = inf"),
    ("channels.outbound.spend.amount", [np.nan] * 3, r"spend\.amount = nan.*\(3 of 3 rows"),
    # integers and switches
    ("viral_event.month", 2.5, r"viral_event\.month = 2\.5: a whole number in \[1, 240\]"),
    ("viral_event.enabled", 0.5, r"viral_event\.enabled = 0\.5: 0 or 1"),
    # a cross-field rule of the schema
    ("market.initial_customers", 1e9, r"must not exceed market\.potential_customers"),
])
def test_values_outside_the_schema_are_refused(batch, path, value, message):
    with pytest.raises(InputError, match=message):
        batch.with_values({path: value})


@pytest.mark.parametrize("path, value", [
    ("funnel.win_rate", [0.1, 0.2]),  # 2 values for 3 rows
    ("channels.linkedin.carryover", np.zeros((3, 2))),
    ("channels.linkedin.spend.amount", "a lot"),
])
def test_values_of_the_wrong_shape_are_refused(batch, path, value):
    with pytest.raises(InputError, match=r"a number or an array of shape \(3,\)"):
        batch.with_values({path: value})


@pytest.mark.parametrize("path, nearest", [
    ("funnel.win_rat", "funnel.win_rate"),
    ("channels.linkedln.carryover", "channels.linkedin.carryover"),
    ("channels.linkedin.spend.amonut", "channels.linkedin.spend.amount"),
])
def test_an_unknown_path_names_the_nearest_valid_one(batch, path, nearest):
    with pytest.raises(InputError, match=f"did you mean '{nearest}'"):
        batch.with_values({path: 0.1})


def test_the_horizon_cannot_change_in_a_batch(batch):
    with pytest.raises(InputError, match="horizon is fixed"):
        batch.with_values({"finance.horizon_months": 24})


def test_values_within_bounds_are_applied_row_by_row(batch):
    out = batch.with_values({
        "funnel.win_rate": [0.1, 0.2, 0.3], "channels.linkedin.carryover": 0.95,
        "channels.linkedin.spend.amount": [0.0, 5e3, 1e10], "viral_event.enabled": 1,
    })
    np.testing.assert_array_equal(out["funnel.win_rate"], [0.1, 0.2, 0.3])
    c = out.channel_names.index("linkedin")
    np.testing.assert_array_equal(out.channel["carryover"][c], 0.95)
    np.testing.assert_array_equal(out.spend[c, 1:, 1], 5e3)
    assert out.spend[c, 0].max() == 0.0  # month 0 of a schedule stays 0
    assert np.isfinite(simulate(out).net_cash_flow).all()
    # the batch it came from is unchanged
    assert batch["funnel.win_rate"][0] == 0.2 and batch.spend.shape[2] == 1


def test_the_issue_11_fields_are_batch_parameters(batch):
    # The awareness, engagement-weight, participation, self-selection and moved-referral fields
    # reach the kernel through with_values like any other field (sensitivity, explorer).
    rows = batch.with_values({
        "channels.linkedin.awareness_lift": [0.0, 0.5, 2.0],
        "channels.events.awareness_half_saturation": 50_000.0,
        "channels.linkedin.engagement_weight": [1.0, 1.0, 0.0],
        "social.participation_cap": [0.3, 0.3, 0.3],
        "social.self_selection_discount": 0.5,
        "referrals.word_of_mouth_share": 0.5,
    })
    res = simulate(rows)
    # Expected: more awareness lift on LinkedIn, more word-of-mouth adopters (organic, index 3)
    organic = res.new[:, 3, 1:].sum(axis=1)
    assert organic[0] < organic[1]
    # Expected: a LinkedIn that counts nothing towards engagement leaves only programme spend
    assert res.engagement[2, -1] < res.engagement[1, -1]
    with pytest.raises(InputError,
                       match=r"channels\.linkedin\.awareness_lift = -1\.0: a number in \[0, 5\]"):
        batch.with_values({"channels.linkedin.awareness_lift": -1.0})
    with pytest.raises(InputError, match=r"social\.participation_cap = 1\.5: a number in \[0, 1\]"):
        batch.with_values({"social.participation_cap": 1.5})
