"""Monte Carlo core (roi_models.analysis.montecarlo): draws, statistics, reproducibility.

Expected values: the deterministic run (draws of a world without uncertainty), the
definitions of the statistics applied by hand (shares of paired draws, order statistics),
the standard error sd / sqrt(n) of a Normal(655, 20) mean over 100 draws (20 / 10 = 2).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import yaml

import roi_models as rm
from roi_models.analysis.montecarlo import (
    MonteCarloCancelled,
    describe,
    insurance_value,
    montecarlo,
    problem,
    quantile,
    risk_of_plans,
    sobol_indices,
    var_es,
)
from roi_models.analysis.sampling import EventSpec, Marginal, sample_block
from roi_models.assumptions import Uncertainty, scenario_file_from_dict
from roi_models.data import scenario_path
from roi_models.errors import InputError


def _raw(name: str) -> dict:
    return yaml.safe_load(scenario_path(name).read_text())


@pytest.fixture(scope="module")
def b2b():
    return rm.run_scenarios(rm.load_shipped("b2b_it_services"))


@pytest.fixture(scope="module")
def b2b_mc(b2b):
    return montecarlo(b2b, draws=2048, seed=3)


def test_a_world_without_uncertainty_reproduces_the_deterministic_run():
    # No uncertainty section and no random events: every draw is the run itself.
    raw = _raw("b2b_it_services")
    raw.pop("uncertainty")
    res = rm.run_scenarios(scenario_file_from_dict(raw))
    mc = montecarlo(res, draws=50, seed=1)
    for i, plan in enumerate(mc.names, start=1):
        np.testing.assert_allclose(mc.column(plan, "npv"), res.case.npv[i], rtol=1e-12)
        np.testing.assert_allclose(mc.column(plan, "cac"), res.metrics.cac[i], rtol=1e-12)


def test_zero_width_distributions_reproduce_the_deterministic_run():
    # Every uncertain field within +-1e-9 of its value: the NPVs move by less than 1e-6
    # relative (NPV is smooth in each field).
    raw = _raw("b2b_it_services")
    sf = rm.load_shipped("b2b_it_services")
    base = sf.base.model_dump()
    narrow = {}
    for key in raw["uncertainty"]:
        value = rm.assumptions.merge.get_path(base, key)
        narrow[key] = {"distribution": "uniform", "low": value * (1 - 1e-9),
                       "high": value * (1 + 1e-9)}
    raw["uncertainty"] = narrow
    res = rm.run_scenarios(scenario_file_from_dict(raw))
    mc = montecarlo(res, draws=64, seed=2)
    for i, plan in enumerate(mc.names, start=1):
        np.testing.assert_allclose(mc.column(plan), res.case.npv[i], rtol=1e-6)


def test_the_same_seed_gives_the_same_draws_whatever_the_chunks_and_threads(b2b):
    # 3,000 draws: two whole blocks and a part; one block a chunk on one thread against
    # three blocks a chunk on two threads: bit for bit the same figures.
    a = montecarlo(b2b, draws=3000, seed=9, chunk_blocks=1, workers=1)
    b = montecarlo(b2b, draws=3000, seed=9, chunk_blocks=3, workers=2)
    for k in a.kpis:
        np.testing.assert_array_equal(a.kpis[k], b.kpis[k])
    np.testing.assert_array_equal(a.inputs, b.inputs)
    assert a.to_json_dict() == b.to_json_dict()
    # a run of fewer draws is the first draws of the longer run
    c = montecarlo(b2b, draws=1500, seed=9)
    np.testing.assert_array_equal(c.kpis["npv"], a.kpis["npv"][:1500])
    # another seed gives other draws
    assert not np.array_equal(montecarlo(b2b, draws=100, seed=10).kpis["npv"],
                              a.kpis["npv"][:100])


def test_the_standard_error_of_a_normal_mean_over_100_draws_is_2():
    # Normal(655, 20): se = sd / sqrt(n) = 20 / 10 = 2. The sample sd of 100 draws has an sd
    # of about 20 / sqrt(2 x 99) = 1.42, so se lies within 2 +- 0.43 (3 sd) of 2.
    m = Marginal.of("x", Uncertainty(distribution="normal", low=0, high=2000, mean=655, sd=20))
    x = sample_block(42, 0, [m], np.eye(1), EventSpec(horizon=12), method="random",
                     n=100).values[:, 0]
    stats = describe(x)
    assert stats["se"] == pytest.approx(2.0, abs=0.43)
    assert stats["mean"] == pytest.approx(655, abs=3 * 2.0)


def test_p_beats_is_the_share_of_paired_draws(b2b_mc):
    beats = b2b_mc.p_beats.set_index(["scenario", "other"])
    for plan in b2b_mc.names:
        x = b2b_mc.column(plan)
        assert beats.loc[(plan, "status_quo"), "p"] == np.mean(x > 0)
        assert beats.loc[(plan, "status_quo"), "p"] == b2b_mc.p_npv_positive(plan)
        for other in b2b_mc.names:
            if other != plan:
                share = np.mean(x > b2b_mc.column(other))
                assert beats.loc[(plan, other), "p"] == share
                assert beats.loc[(plan, other), "se"] == pytest.approx(
                    math.sqrt(share * (1 - share) / x.size))
    # paired: P(a beats b) + P(b beats a) = 1 where no draw ties
    ab = beats.loc[("social", "traditional"), "p"] + beats.loc[("traditional", "social"), "p"]
    assert ab == pytest.approx(1.0)


def test_var_and_es_are_their_definitions_on_a_hand_made_sample():
    # 40 draws: k = ceil(0.05 x 40) = 2; the two worst are -7 and -3: VaR -3, ES -5
    x = np.array([-3.0, -7.0] + list(range(1, 39)), dtype=float)
    np.random.default_rng(0).shuffle(x)
    assert var_es(x) == (-3.0, -5.0)
    # 100 draws 1..100: k = 5; VaR 5, ES mean(1..5) = 3
    assert var_es(np.arange(100.0, 0.0, -1.0)) == (5.0, 3.0)


def test_risk_frame_and_json_agree_with_the_draws(b2b_mc):
    doc = b2b_mc.to_json_dict()
    assert doc["draws"] == 2048 and doc["seed"] == 3
    assert set(doc["scenarios"]) == {"traditional", "social", "blended"}
    social = doc["scenarios"]["social"]
    x = b2b_mc.column("social")
    assert social["npv"]["mean"] == pytest.approx(x.mean())
    assert social["var_5"] == social["npv"]["p5"] == var_es(x)[0]
    assert social["es_5"] == var_es(x)[1]
    assert social["npv"]["p5"] <= social["npv"]["p50"] <= social["npv"]["p95"]
    assert set(social["p_beats"]) == {"status_quo", "traditional", "blended"}


def test_the_world_rule_decides_which_plans_a_field_moves():
    # A plan-specific key moves that plan only; a base field that a plan sets itself does
    # not move that plan.
    raw = _raw("b2b_it_services")
    raw["uncertainty"]["scenarios.social.programme.one_time_cost"] = {
        "distribution": "uniform", "low": 100000, "high": 400000}
    res = rm.run_scenarios(scenario_file_from_dict(raw))
    prob = problem(res)
    row = prob.keys.index("scenarios.social.programme.one_time_cost")
    assert prob.applies[row].tolist() == [n == "social" for n in prob.names]
    q = prob.keys.index("market.bass_q_annual")
    assert prob.applies[q].all()  # no plan sets Bass q itself
    # alone, the plan's own cost moves the social plan only, and its NPV falls as the cost
    # rises: rank correlation -1 (NPV is linear in the one-time cost)
    raw["uncertainty"] = {"scenarios.social.programme.one_time_cost":
                          raw["uncertainty"]["scenarios.social.programme.one_time_cost"]}
    mc = montecarlo(rm.run_scenarios(scenario_file_from_dict(raw)), draws=256, seed=1)
    imp = mc.importance()
    assert imp.scenario.tolist() == ["social"]
    assert imp.spearman.iloc[0] == pytest.approx(-1.0)
    assert np.ptp(mc.column("blended")) == 0 and np.ptp(mc.column("social")) > 0


def test_the_files_rank_correlations_are_reached_in_the_draws():
    res = rm.run_scenarios(rm.load_shipped("consumer_brand"))
    mc = montecarlo(res, draws=4096, seed=5)
    from scipy.stats import spearmanr

    keys = list(mc.input_keys)
    a, b = keys.index("market.bass_q_annual"), keys.index("social.word_of_mouth_lift")
    c, d = keys.index("channels.tv.carryover"), keys.index("channels.tv.max_leads_monthly")
    # Expected: 0.4 and -0.3 (the file) within 0.05; an unlisted pair near 0
    assert spearmanr(mc.inputs[:, a], mc.inputs[:, b]).statistic == pytest.approx(0.4, abs=0.05)
    assert spearmanr(mc.inputs[:, c], mc.inputs[:, d]).statistic == pytest.approx(-0.3, abs=0.05)
    assert abs(spearmanr(mc.inputs[:, a], mc.inputs[:, c]).statistic) < 0.05
    # the random shocks are inputs too: the total severity of the draw's viral stories
    assert "viral_events.severity_total" in keys and "retention.downturn.happens" in keys
    happened = mc.inputs[:, keys.index("retention.downturn.happens")]
    assert happened.mean() == pytest.approx(0.4, abs=3 * math.sqrt(0.24 / 4096))


def test_a_plan_may_not_set_its_own_chance_of_viral_events():
    raw = _raw("consumer_brand")
    raw["scenarios"]["social"]["viral_event"] = {"rate_per_month": 0.01}
    res = rm.run_scenarios(scenario_file_from_dict(raw))
    with pytest.raises(InputError, match=r"scenarios\.social\.viral_event\.rate_per_month"):
        montecarlo(res, draws=10)


def test_bad_arguments_are_refused(b2b):
    with pytest.raises(InputError, match="draws"):
        montecarlo(b2b, draws=1)
    with pytest.raises(InputError, match="local, dask"):
        montecarlo(b2b, draws=10, engine="spark")
    with pytest.raises(InputError, match="lhs, random"):
        montecarlo(b2b, draws=10, method="sobol")


def test_progress_callback_and_cancel(b2b):
    seen = []
    montecarlo(b2b, draws=2500, seed=1, workers=1, progress=lambda d, n: seen.append((d, n)))
    # Expected: one call a chunk of 2 blocks (2,048 + 452 draws), ending at all draws
    assert seen == [(2048, 2500), (2500, 2500)]
    with pytest.raises(MonteCarloCancelled):
        montecarlo(b2b, draws=5000, seed=1, workers=1, chunk_blocks=1, cancelled=lambda: True)


def test_risk_of_plans_takes_the_explorers_batch(b2b):
    # the explorer's API: a batch and its names give the same figures as the file's run
    a = risk_of_plans(b2b.file, b2b.batch, b2b.names, draws=300, seed=4)
    b = montecarlo(b2b, draws=300, seed=4)
    np.testing.assert_array_equal(a.kpis["npv"], b.kpis["npv"])
    plans = [b2b.file.scenario(n) for n in b2b.names]
    c = risk_of_plans(b2b.file, plans, b2b.names, draws=300, seed=4)
    np.testing.assert_array_equal(c.kpis["npv"], b.kpis["npv"])


def test_risk_of_plans_discounts_the_annual_flows_at_the_batchs_rate(b2b):
    # a lever that moves the discount rate to 25 % moves the draws' NPVs and the present
    # value of the annual table alike: PV = sum_y flow_y / 1.25^y on each draw's flows
    batch = b2b.batch.with_values({"finance.discount_rate_annual": np.full(b2b.batch.n, 0.25)})
    mc = risk_of_plans(b2b.file, batch, b2b.names, draws=300, seed=4, annual=True)
    assert mc.discount_rate == 0.25
    flows = mc.annual[:, mc.names.index("social")]
    pv = flows @ 1.25 ** -np.arange(flows.shape[1])
    table = mc.annual_quantiles("social", (0.5,))
    assert table.loc["P50", "Present value"] == pytest.approx(quantile(pv, 0.5), rel=1e-12)
    # the per-draw NPVs are discounted at 25 % too: lower than at the file's 10 %
    at_file_rate = risk_of_plans(b2b.file, b2b.batch, b2b.names, draws=300, seed=4)
    assert np.median(mc.column("social")) < np.median(at_file_rate.column("social"))


def test_convergence_ends_at_the_full_mean(b2b_mc):
    conv = b2b_mc.convergence()
    last = conv[conv.draws == 2048].set_index("scenario")
    for plan in b2b_mc.names:
        x = b2b_mc.column(plan)
        assert last.loc[plan, "mean"] == pytest.approx(x.mean())
        assert last.loc[plan, "se"] == pytest.approx(x.std(ddof=1) / math.sqrt(x.size))
    # the standard error shrinks like 1 / sqrt(n): from 64 to 2,048 draws about 5.7 times
    social = conv[conv.scenario == "social"].set_index("draws")["se"]
    first = social.index[social.index >= 64][0]
    assert social.loc[2048] < social.loc[first]


def test_insurance_value_of_response_capability():
    res = rm.run_scenarios(rm.load_shipped("consumer_brand"))
    ins = insurance_value(res, draws=512, seed=1).set_index("scenario")
    # Expected: without response capability the events destroy more; the social plan (0.8)
    # avoids more expected loss than the status quo (0.2); the traditional plan has the
    # status quo's capability and a similar (not equal: other customers) value.
    assert (ins.loss_without >= ins.loss_with - 1e-6).all()
    assert ins.loc["social", "insurance_value"] > ins.loc["status_quo", "insurance_value"] > 0
    assert ins.loc["social", "pv_programme_cost"] > 0
    assert ins.loc["status_quo", "pv_programme_cost"] == 0


def test_no_response_capability_is_worth_nothing_as_insurance():
    raw = _raw("consumer_brand")
    raw["base"]["programme"]["response_capability"] = 0.0
    for plan in raw["scenarios"].values():
        plan.get("programme", {}).pop("response_capability", None)
    res = rm.run_scenarios(scenario_file_from_dict(raw))
    ins = insurance_value(res, draws=128, seed=1)
    assert (ins.insurance_value == 0).all()


def test_sobol_indices_on_independent_marginals(b2b):
    si = sobol_indices(b2b, "social", base_draws=128)
    assert si.attrs["independent"] is True
    assert si.attrs["evaluations"] == 128 * (len(si) + 2)
    # Expected: total-order indices are at least about the first-order ones, and the field
    # with the largest total index is among the three largest rank correlations
    assert (si.ST + si.ST_conf >= si.S1 - si.S1_conf).all()
    mc = montecarlo(b2b, draws=2048, seed=1)
    top = mc.importance().query("scenario == 'social'").head(3).input.tolist()
    assert si.input.iloc[0] in top
    # the same seed, the same indices and bootstrap intervals (SALib ignores a seed of 0)
    again = sobol_indices(b2b, "social", base_draws=128)
    assert again.equals(si)
    with pytest.raises(InputError, match="power of 2"):
        sobol_indices(b2b, "social", base_draws=100)


def test_annual_quantiles_without_uncertainty_are_the_tei_tables_net_benefits():
    # No uncertainty: every quantile of every column is the deterministic TEI table's net
    # benefits (the same columns, the same annual discounting for the Present value).
    raw = _raw("b2b_it_services")
    raw.pop("uncertainty")
    res = rm.run_scenarios(scenario_file_from_dict(raw))
    mc = montecarlo(res, draws=20, seed=1, annual=True)
    for plan in mc.names:
        q = mc.annual_quantiles(plan)
        tei = res.annual(plan).table.loc["Net benefits"]
        for row in q.index:
            np.testing.assert_allclose(q.loc[row].to_numpy(), tei.to_numpy(), rtol=1e-9,
                                       atol=1e-6)
    with pytest.raises(InputError, match="annual=True"):
        montecarlo(res, draws=20).annual_quantiles("social")
