"""The budget-share what-if: spend arrays, one batch, consistency with the scenario run."""

from __future__ import annotations

import numpy as np
import pytest

import roi_models as rm
from roi_models.analysis.whatif import DEFAULT_SHARES, budget_share_sweep, split_spend
from roi_models.errors import InputError


@pytest.fixture(scope="module")
def results():
    return rm.run_scenarios(rm.load_shipped("b2b_it_services"))


def test_split_keeps_monthly_totals_and_proportions():
    spend = np.array([[0, 60, 90], [0, 30, 30], [0, 0, 0]], dtype=float)
    social = np.array([False, False, True])
    out = split_spend(spend, social, np.array([0.0, 0.25, 1.0]))
    assert out.shape == (3, 3, 3)
    np.testing.assert_allclose(out.sum(axis=0), np.repeat(spend.sum(axis=0)[:, None], 3, axis=1))
    # traditional channels keep their horizon proportions 150 : 60
    np.testing.assert_allclose(out[0, 1:, 1] / out[1, 1:, 1], 150 / 60)
    # the social channel had no spend: it receives the social share (equal split of one)
    np.testing.assert_allclose(out[2, :, 1], 0.25 * spend.sum(axis=0))
    np.testing.assert_allclose(out[:2, :, 2], 0.0)


def test_sweep_is_one_batch_from_0_to_100_percent(results):
    sweep = budget_share_sweep(results, "social")
    assert sweep.sim.n == len(DEFAULT_SHARES) == 21
    assert sweep.shares[0] == 0.0 and sweep.shares[-1] == 1.0
    np.testing.assert_allclose(np.diff(sweep.shares), 0.05)
    assert sweep.frame["npv"].notna().all()
    assert 0.0 < sweep.current_share < 1.0


def test_a_constant_split_reproduces_the_scenario(results):
    """The traditional plan spends nothing on social: share 0 is the plan itself."""
    sweep = budget_share_sweep(results, "traditional")
    npv = results.summary.set_index("scenario")["npv"]
    assert sweep.case.npv[0] == pytest.approx(float(npv["traditional"]), rel=1e-12)
    status_quo = budget_share_sweep(results, "status_quo")
    assert status_quo.case.npv[0] == pytest.approx(0.0, abs=1e-6)


def test_invalid_shares_are_refused(results):
    with pytest.raises(InputError, match="shares"):
        budget_share_sweep(results, "social", shares=[0.0, 1.2])
    with pytest.raises(InputError):
        budget_share_sweep(results, "no_such_plan")
