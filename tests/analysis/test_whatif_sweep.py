"""The budget-share what-if: spend arrays, one batch, consistency with the scenario run."""

from __future__ import annotations

import numpy as np
import pytest

import roi_models as rm
from roi_models.analysis.whatif import DEFAULT_MOVED, budget_share_sweep, move_budget
from roi_models.errors import InputError


@pytest.fixture(scope="module")
def results():
    return rm.run_scenarios(rm.load_shipped("b2b_it_services"))


SOCIAL = np.array([False, False, True])  # events, outbound, linkedin


def test_moving_keeps_monthly_totals_and_proportions():
    spend = np.array([[0, 60, 90], [0, 30, 30], [0, 0, 0]], dtype=float)[:, :, None]
    out = move_budget(np.repeat(spend, 3, axis=2), SOCIAL, np.array([0.0, 0.25, 1.0]))
    assert out.shape == (3, 3, 3)
    np.testing.assert_allclose(out.sum(axis=0), np.repeat(spend.sum(axis=0), 3, axis=1))
    # traditional channels keep their monthly proportions (they are scaled alike)
    np.testing.assert_allclose(out[0, 1:, 1] / out[1, 1:, 1], [2.0, 3.0])
    # the social channel had no spend: it receives 25 % of each month's traditional spend
    np.testing.assert_allclose(out[2, :, 1], 0.25 * spend[:2, :, 0].sum(axis=0))
    np.testing.assert_allclose(out[:2, :, 2], 0.0)


def test_moving_to_social_splits_by_horizon_weights_or_equally():
    s = np.array([[0, 100, 100], [0, 30, 10], [0, 10, 10]], dtype=float)[:, :, None]
    social = np.array([False, True, True])
    out = move_budget(s, social, 1.0)[:, :, 0]
    # hand calculation: social weights 40/60 and 20/60; all 100 traditional moves each month
    np.testing.assert_allclose(out[:, 1], [0.0, 30 + 100 * 40 / 60, 10 + 100 * 20 / 60])
    none = np.array([[0, 90, 90], [0, 0, 0], [0, 0, 0]], dtype=float)[:, :, None]
    np.testing.assert_allclose(move_budget(none, social, 1 / 3)[:, 1, 0], [60.0, 15.0, 15.0])


def test_negative_moves_go_back_to_traditional_and_zero_is_the_plan():
    s = np.array([[0, 60, 60], [0, 30, 30], [0, 10, 30]], dtype=float)[:, :, None]
    assert move_budget(s, SOCIAL, 0.0).tobytes() == s.tobytes()
    back = move_budget(s, SOCIAL, -1.0)[:, :, 0]
    # all social spend to events and outbound in their horizon proportion 120 : 60
    np.testing.assert_allclose(back[:, 1], [60 + 10 * 2 / 3, 30 + 10 / 3, 0.0])
    np.testing.assert_allclose(back[:, 2], [60 + 30 * 2 / 3, 30 + 30 / 3, 0.0])
    np.testing.assert_allclose(move_budget(s, SOCIAL, 0.5, 2.0), 2 * move_budget(s, SOCIAL, 0.5))


def test_moves_outside_the_range_are_refused():
    s = np.ones((3, 4, 1))
    for bad in (1.5, -1.01, float("nan")):
        with pytest.raises(InputError, match="moved"):
            move_budget(s, SOCIAL, bad)
    with pytest.raises(InputError, match="scale"):
        move_budget(s, SOCIAL, 0.2, -1.0)


def test_sweep_is_one_batch_from_minus_to_plus_100_percent(results):
    sweep = budget_share_sweep(results, "social")
    assert sweep.sim.n == len(DEFAULT_MOVED) == 41
    assert sweep.moved[0] == -1.0 and sweep.moved[-1] == 1.0
    np.testing.assert_allclose(np.diff(sweep.moved), 0.05)
    assert sweep.frame["npv"].notna().all()
    assert sweep.social_share[0] == pytest.approx(0.0, abs=1e-12)
    assert sweep.social_share[-1] == pytest.approx(1.0)
    # the plan itself is the point where nothing moves: its NPV is the scenario's
    npv = results.summary.set_index("scenario")["npv"]
    assert sweep.moved[sweep.plan_index] == 0.0
    assert sweep.case.npv[sweep.plan_index] == pytest.approx(float(npv["social"]), rel=1e-12)


def test_a_constant_split_reproduces_the_scenario(results):
    """Nothing moved is the plan itself, for every plan, the status quo included."""
    sweep = budget_share_sweep(results, "traditional")
    npv = results.summary.set_index("scenario")["npv"]
    assert sweep.case.npv[sweep.plan_index] == pytest.approx(float(npv["traditional"]), rel=1e-12)
    status_quo = budget_share_sweep(results, "status_quo")
    assert status_quo.case.npv[status_quo.plan_index] == pytest.approx(0.0, abs=1e-6)


def test_invalid_shares_are_refused(results):
    with pytest.raises(InputError, match="moved"):
        budget_share_sweep(results, "social", moved=[0.0, 1.2])
    with pytest.raises(InputError):
        budget_share_sweep(results, "no_such_plan")
