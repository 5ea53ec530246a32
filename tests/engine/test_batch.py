"""run_batch: chunked, threaded large batches give the same figures as one simulation."""

import numpy as np
import pytest

import roi_models as rm
from roi_models.engine import ParamBatch, business_case, channel_lines, plan_metrics, simulate
from roi_models.engine.batch import run_batch, summarise_chunk
from roi_models.engine.simulate import batch_arrays, simulate_chunk
from roi_models.errors import InputError


@pytest.fixture(scope="module")
def batches():
    return sampled(50)


@pytest.fixture(scope="module")
def large_batches():  # chunks of more than 64 rows take the large-batch paths
    return sampled(200)


def sampled(n):
    sf = rm.load_shipped("b2b_it_services")
    rng = np.random.default_rng(7)
    plan = ParamBatch.from_assumptions([sf.scenario("social")]).repeat(n).with_values({
        path: rng.uniform(u.low, u.high, n) for path, u in sf.uncertainty.items()})
    return plan, ParamBatch.from_assumptions([sf.scenario("status_quo")])


@pytest.mark.parametrize("chunk_rows, workers, large", [
    (7, 1, False), (7, 2, False), (50, 1, False), (16, 3, False), (1, 2, False),
    (100, 2, True), (200, 1, True)])
def test_chunks_and_threads_equal_one_simulation(request, chunk_rows, workers, large):
    plan, base = request.getfixturevalue("large_batches" if large else "batches")
    whole = simulate(plan)
    m = plan_metrics(whole, plan)
    spend, base_spend = channel_lines(plan, base)  # each channel's spend, matched by name
    case = business_case(whole, simulate(base), plan["finance.discount_rate_annual"],
                         spend=spend, baseline_spend=base_spend, with_irr=False)
    out = run_batch(plan, base, chunk_rows=chunk_rows, workers=workers, keep_cash_flows=True)
    np.testing.assert_allclose(out.npv_plan, m.npv, rtol=1e-12)
    np.testing.assert_allclose(out.clv, m.clv, rtol=1e-12)
    np.testing.assert_allclose(out.cac, m.cac, rtol=1e-12)
    np.testing.assert_allclose(out.cac_blended, m.cac_blended, rtol=1e-12)
    np.testing.assert_allclose(out.npv, case.npv, rtol=1e-12, atol=1e-6)
    np.testing.assert_allclose(out.roi, case.roi, rtol=1e-12)
    np.testing.assert_array_equal(out.payback_month, case.payback_month)
    np.testing.assert_allclose(out.net_cash_flow, whole.net_cash_flow, rtol=1e-12)


def test_a_baseline_of_b_rows_serves_each_block_of_b_plan_rows(batches):
    """A Monte Carlo chunk's layout: plan row p b + d against baseline row d (row mod b) gives
    exactly the figures of the same rows against a baseline repeated to every row."""
    plan, _ = batches
    b = 10
    baseline, plans = plan.rows(slice(0, b)), plan.rows(slice(b, 4 * b))  # 3 blocks of 10
    tiled = baseline.rows(np.tile(np.arange(b), 3))
    by_mod = summarise_chunk(batch_arrays(plans),
                             baseline_result=simulate_chunk(batch_arrays(baseline)),
                             spend_lines=(plans.spend, baseline.spend), keep_cash_flows=True)
    per_row = summarise_chunk(batch_arrays(plans), batch_arrays(tiled), keep_cash_flows=True)
    assert by_mod.keys() == per_row.keys() >= {"npv", "roi", "payback_month", "net_cash_flow"}
    for k in by_mod:
        np.testing.assert_array_equal(by_mod[k], per_row[k], err_msg=k)


def test_a_baseline_of_many_rows_is_simulated_with_its_own_channels(batches):
    """The baseline's rows are simulated in blocks inside the compiled pass: with its own
    channels and kinds (here the plan's channels in another order, the social one first),
    the figures equal those against the same baseline simulated once beforehand."""
    plan, _ = batches
    sf = rm.load_shipped("b2b_it_services")
    social = sf.scenario("social")
    order = ["linkedin", "events", "outbound"]  # the plans': events, outbound, linkedin
    other = social.model_copy(update={"channels": {c: social.channels[c] for c in order}})
    one = ParamBatch.from_assumptions([other])
    assert one.channel_names == tuple(order) and one.channel_is_social.tolist() == [True, False,
                                                                                     False]
    plans = plan.rows(slice(0, 30))
    lines = channel_lines(plans, one)
    shared = summarise_chunk(batch_arrays(plans), baseline_result=simulate_chunk(
        batch_arrays(one)), spend_lines=lines)
    per_row = summarise_chunk(batch_arrays(plans), batch_arrays(one.repeat(30)),
                              spend_lines=(lines[0], lines[1]))
    for k in ("npv", "roi", "payback_month"):
        np.testing.assert_array_equal(per_row[k], shared[k], err_msg=k)


def test_a_baseline_whose_rows_do_not_divide_the_plans_is_refused(batches):
    plan, _ = batches
    baseline, plans = plan.rows(slice(0, 7)), plan.rows(slice(7, 27))  # 20 plans, 7 rows
    with pytest.raises(InputError, match="divisor of 20"):
        summarise_chunk(batch_arrays(plans), baseline_result=simulate_chunk(batch_arrays(baseline)),
                        spend_lines=(plans.spend, baseline.spend))
