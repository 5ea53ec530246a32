"""The shipped data in ``data/``: scenario files load, every value states its source, the
stories run to finite figures, and the benchmark files match their published values.

Expected figures come from the files themselves (a value must have a source), from the
schema (customers never exceed market potential) and from closed forms stated next to each
assertion (the Gupta & Lehmann margin multiple r / (1 + i - r)).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Iterator, Mapping

import numpy as np
import pytest

import roi_models
from roi_models.data import data_dir, load_benchmarks

SCENARIO_FILES = sorted((data_dir() / "scenarios").glob("*.yaml"))
BENCHMARKS = ("bass_diffusion", "carryover", "clv_multiples")
REQUIRED_SCENARIOS = ("status_quo", "traditional", "social", "blended")



def _ids(paths: list[Path]) -> list[str]:
    return [p.stem for p in paths]


@pytest.fixture(scope="module", params=SCENARIO_FILES, ids=_ids(SCENARIO_FILES))
def scenario_file(request) -> roi_models.ScenarioFile:
    return roi_models.load_scenario_file(request.param)


@pytest.fixture(scope="module")
def results(scenario_file) -> roi_models.ScenarioResults:
    return roi_models.run_scenarios(scenario_file)


def _numeric_leaves(data: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Dotted paths of the numbers in a model dump; a list (explicit spend) is one leaf."""
    for key, value in data.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, Mapping):
            yield from _numeric_leaves(value, path)
        elif isinstance(value, (list, tuple)):
            yield path, value
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            yield path, value


# ------------------------------------------------------------------------------- (a) loading
def test_the_three_scenario_files_are_shipped():
    # Expected: exactly the three documented files (data/README.md).
    assert _ids(SCENARIO_FILES) == ["b2b_it_services", "consumer_brand", "small_fast_mover"]


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=_ids(SCENARIO_FILES))
def test_every_scenario_file_loads(path):
    sf = roi_models.load_scenario_file(path)  # raises InputError on any invalid field
    # Expected: a description and a currency code are set (not the defaults "" and "USD"
    # left silently in place).
    assert sf.description.strip(), f"{path.name}: description is empty"
    assert sf.currency in ("EUR", "USD", "GBP", "CHF"), f"{path.name}: currency {sf.currency!r}"


# ----------------------------------------------------------------- (b) every value has a source
@pytest.mark.parametrize(
    "path",
    SCENARIO_FILES,
    ids=_ids(SCENARIO_FILES),
)
def test_every_numeric_base_value_states_its_source(path):
    sf = roi_models.load_scenario_file(path)
    register = sf.register_for("status_quo")
    leaves = list(_numeric_leaves(sf.base.model_dump()))
    # Expected: the walk sees the channel fields and spend amounts too (a channel has at least
    # carryover, max_leads_monthly, half_saturation, shape, spend_before_plan and its spend).
    assert any(p.endswith(".spend.amount") for p, _ in leaves)
    assert sum(p.startswith("channels.") for p, _ in leaves) >= 6 * len(sf.base.channels)
    missing = []
    for leaf, _ in leaves:
        entry = register.get(leaf)
        if entry is None and leaf.endswith(".spend.amounts"):
            entry = register.get(leaf.rsplit(".", 1)[0])  # an explicit list annotated as a whole
        if entry is None or not (entry.source or "").strip():
            missing.append(leaf)
    # Expected: no numeric value of base without a non-empty source.
    assert missing == [], f"{path.name}: no source for {missing}"


@pytest.mark.parametrize("name", ["consumer_brand", "small_fast_mover"])
def test_every_base_value_states_its_confidence(name):
    sf = roi_models.load_shipped(name)
    register = sf.register_for("status_quo")
    unrated = [p for p, _ in _numeric_leaves(sf.base.model_dump())
               if register[p].confidence is None]
    # Expected: every numeric value of base is rated low, medium or high.
    assert unrated == []


# --------------------------------------------------------------------- (c) the four scenarios
def test_each_file_has_the_four_scenarios(scenario_file):
    # Expected: status_quo, traditional, social and blended in every file.
    missing = [n for n in REQUIRED_SCENARIOS if n not in scenario_file.scenario_names]
    assert missing == []


def test_status_quo_is_the_base_plan(scenario_file):
    # Expected: the status quo is the current plan, i.e. base unchanged ({}).
    assert scenario_file.scenarios["status_quo"] == {}
    assert scenario_file.scenario("status_quo") == scenario_file.base


def test_the_uncertainty_section_brackets_the_base_values(scenario_file):
    from roi_models.assumptions.merge import get_path

    base = scenario_file.base.model_dump()
    # Expected: 6-10 uncertain inputs per file.
    assert 6 <= len(scenario_file.uncertainty) <= 10
    for path, spec in scenario_file.uncertainty.items():
        value = get_path(base, path)
        # Expected: the base value lies inside its own range [low, high].
        assert spec.low <= value <= spec.high, f"{path}: {value} outside [{spec.low}, {spec.high}]"


# ------------------------------------------------------------------- (d) finite, bounded runs
def test_the_key_figures_are_finite(results):
    m, c = results.metrics, results.case
    for name, values in {"npv": c.npv, "cac": m.cac, "clv": m.clv,
                         "churn_monthly_avg": m.churn_monthly_avg}.items():
        # Expected: a finite number for every scenario (no NaN, no inf).
        assert np.all(np.isfinite(values)), f"{name}: {values}"
    # Expected: the status quo is its own baseline, so its incremental NPV is 0.
    assert c.npv[0] == 0.0


def test_customers_never_exceed_market_potential(results):
    sim, sf = results.sim, results.file
    for i, name in enumerate(results.names):
        market = sf.scenario(name).market
        # Expected: active customers <= potential M in every month (the engine's capacity rule).
        assert np.all(sim.active_customers[i] <= market.potential_customers), name
        # Expected: everyone ever acquired (initial + all new customers) <= M as well.
        ever = market.initial_customers + sim.new_customers[i, 1:].sum()
        assert ever <= market.potential_customers * (1 + 1e-12), name


@pytest.mark.parametrize("name", ["consumer_brand", "small_fast_mover"])
def test_the_stories_have_believable_magnitudes(name):
    res = roi_models.run_scenarios(roi_models.load_shipped(name))
    s = res.summary.set_index("scenario")
    sf = res.file
    # Expected: customers stay well below the market (under half of M after the horizon;
    # about 5 % in both files).
    assert (s["customers_end"] < 0.5 * sf.base.market.potential_customers).all()
    # Expected: average monthly churn between 1 % and 10 % (consumer about 5.6 %,
    # start-up about 2.6 %).
    assert s["churn_monthly_avg"].between(0.01, 0.10).all()
    # Expected: cost of sales a small share of revenue (about 3 % and 5 %), below 15 %.
    assert (s["cost_of_sales_share"] < 0.15).all()
    # Expected: CLV / CAC between 1 and 10 for every plan (consumer about 1.6-2.1,
    # start-up about 4.1-5.9): neither a business that cannot pay for its customers nor a
    # rigged one.
    assert s["clv_to_cac"].between(1.0, 10.0).all()
    # Expected: not every plan wins; at least one loses money against the status quo
    # (the traditional plan: about -4.3 million EUR and -0.12 million EUR).
    assert (s["npv"].drop("status_quo") < 0).any()


def test_consumer_and_startup_cac_clv_scale():
    cb = roi_models.run_scenarios(roi_models.load_shipped("consumer_brand")).summary
    sm = roi_models.run_scenarios(roi_models.load_shipped("small_fast_mover")).summary
    # Expected: consumer CAC and CLV in the tens to hundreds of EUR (about 87 and 160),
    # start-up CLV in the thousands (about 2,300).
    assert cb["cac"].between(20, 300).all() and cb["clv"].between(50, 500).all()
    assert sm["clv"].between(1000, 10000).all()


# ------------------------------------------------------------------------- (e) benchmarks
def _entries_without_source(node: Any, path: str = "") -> list[str]:
    """Paths of mappings that hold a number directly but no non-empty 'source'."""
    out: list[str] = []
    if isinstance(node, Mapping):
        holds_number = any(isinstance(v, (int, float)) and not isinstance(v, bool)
                           for v in node.values())
        source = node.get("source")
        if holds_number and not (isinstance(source, str) and source.strip()):
            out.append(path or "(top)")
        for k, v in node.items():
            out += _entries_without_source(v, f"{path}.{k}" if path else str(k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _entries_without_source(v, f"{path}[{i}]")
    return out


@pytest.mark.parametrize("name", BENCHMARKS)
def test_benchmark_file_loads_and_every_entry_has_a_source(name):
    data = load_benchmarks(name)
    # Expected: a mapping with a description and a top-level source.
    assert isinstance(data, dict) and data["description"].strip() and data["source"].strip()
    # Expected: every entry holding a number names its source.
    assert _entries_without_source(data) == []


def test_bass_averages_start_with_sultan_farley_lehmann():
    data = load_benchmarks("bass_diffusion")
    first = data["averages"][0]
    # Expected: p = 0.03, q = 0.38 per year (Sultan, Farley & Lehmann 1990).
    assert (first["p"], first["q"], first["per"]) == (0.03, 0.38, "year")
    assert "Sultan" in first["source"]
    # Expected: every category analogue has 0 < p < q (imitation dominates in all seven).
    assert len(data["categories"]) == 7
    assert all(0 < c["p"] < c["q"] for c in data["categories"])


def test_carryover_ranges_are_robyns():
    data = load_benchmarks("carryover")
    ranges = {c["channel_type"]: (c["low"], c["high"]) for c in data["channel_types"]}
    # Expected (Robyn): TV 0.3-0.8; out-of-home, print, radio 0.1-0.4; digital 0.0-0.3.
    assert ranges == {"tv": (0.3, 0.8), "out_of_home_print_radio": (0.1, 0.4),
                      "digital": (0.0, 0.3)}
    # Expected (Robyn): Hill alpha 0.5-3, gamma 0.3-1.
    assert (data["hill"]["shape"]["low"], data["hill"]["shape"]["high"]) == (0.5, 3.0)
    assert (data["hill"]["half_saturation"]["low"],
            data["hill"]["half_saturation"]["high"]) == (0.3, 1.0)


def test_clv_multiples_equal_the_gupta_lehmann_formula():
    data = load_benchmarks("clv_multiples")
    rows = data["multiples"]
    # Expected: the full grid, 8 retentions (0.60..0.95) x 4 discount rates = 32 rows.
    assert len(rows) == 32
    assert sorted({r["discount_rate"] for r in rows}) == [0.08, 0.10, 0.12, 0.15]
    assert sorted({r["retention"] for r in rows}) == [0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95]
    for row in rows:
        r, i = row["retention"], row["discount_rate"]
        # Margin multiple (Gupta & Lehmann 2003): r / (1 + i - r), rounded to 4 decimals.
        expected = r / (1 + i - r)
        assert math.isclose(row["margin_multiple"], expected, abs_tol=5e-5), (r, i)
    check = {(r["retention"], r["discount_rate"]): r["margin_multiple"] for r in rows}
    # Expected: 0.8 / (1 + 0.10 - 0.8) = 2.6667, the published 2.67 to 2 decimals.
    assert round(check[(0.8, 0.10)], 2) == 2.67
    assert data["published_check"][0]["margin_multiple"] == 2.67


def test_scenario_carryovers_lie_in_robyns_ranges():
    """The consumer brand's channels use the published carry-over of their channel type."""
    ranges = {c["channel_type"]: (c["low"], c["high"])
              for c in load_benchmarks("carryover")["channel_types"]}
    channels = roi_models.load_shipped("consumer_brand").base.channels
    types = {"tv": "tv", "print_radio": "out_of_home_print_radio",
             "paid_social": "digital", "influencer": "digital"}
    assert set(channels) == set(types)
    for name, kind in types.items():
        low, high = ranges[kind]
        # Expected: TV in 0.3-0.8, print/radio in 0.1-0.4, social in 0.0-0.3.
        assert low <= channels[name].carryover <= high, name


# ----------------------------------------------------------------- (f) the consumer brand's risk
def test_consumer_brand_carries_the_viral_event_in_every_scenario():
    sf = roi_models.load_shipped("consumer_brand")
    # Expected: enabled in base, hence in every scenario, the status quo included.
    assert sf.base.viral_event.enabled is True
    assert all(sf.scenario(n).viral_event.enabled for n in sf.scenario_names)
    # Expected: the social plan listens and answers better (0.8) than today (0.2).
    assert (sf.scenario("social").programme.response_capability
            > sf.scenario("status_quo").programme.response_capability)


def test_consumer_brand_social_plans_are_social_and_the_reallocation_budget_neutral():
    sf = roi_models.load_shipped("consumer_brand")
    kinds = {n: c.kind for n, c in sf.base.channels.items()}
    # Expected: TV and print/radio traditional, paid social and influencer social.
    assert kinds == {"tv": "traditional", "print_radio": "traditional",
                     "paid_social": "social", "influencer": "social"}

    def monthly_budget(name: str) -> float:
        plan = sf.scenario(name)
        spend = sum(c.spend.amount for c in plan.channels.values())
        return spend + plan.programme.ongoing_monthly

    # Expected: moving 100,000 EUR out of TV into paid social (60,000), creators (15,000) and
    # the programme (25,000) leaves the monthly budget at 580,000 EUR.
    assert monthly_budget("social_reallocation") == monthly_budget("status_quo") == 580_000


def test_small_fast_mover_is_small_and_fast():
    org = roi_models.load_shipped("small_fast_mover").base.organisation
    # Expected: profile small, ramp-up 1-3 months (2), implementation multiplier below 1 (0.6).
    assert org.profile == "small"
    assert 1 <= org.ramp_up_months <= 3
    assert org.implementation_cost_multiplier < 1
