"""Scenario files round-trip losslessly: load, save, load gives an equal object.

The promise under test (project issue): "YAML in (yaml.safe_load only) and
out, lossless (load, save, load gives an equal object)". The assumption
register (``{value: x, source: .., ...}`` annotations) must survive the trip,
and saving is deterministic: the same object always gives the same bytes.
"""

from __future__ import annotations

import copy
import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roi_models.assumptions import (
    ScenarioFile,
    dump_scenario_yaml,
    field_meta,
    load_scenario_file,
    parse_scenario_text,
    save_scenario_file,
    scenario_file_from_dict,
)

SCENARIO_DIR = Path(__file__).resolve().parents[2] / "data" / "scenarios"
SHIPPED = sorted(SCENARIO_DIR.glob("*.yaml"))
EXAMPLE = SCENARIO_DIR / "b2b_it_services.yaml"


def _round_trip(sf: ScenarioFile, folder: Path) -> tuple[ScenarioFile, bytes]:
    target = save_scenario_file(sf, folder / "saved.yaml")
    return load_scenario_file(target), target.read_bytes()


def _assert_same(a: ScenarioFile, b: ScenarioFile) -> None:
    assert b == a
    # == treats 0.0 and -0.0, 1 and 1.0 as equal; the repr of the dump does not.
    assert repr(b.model_dump()) == repr(a.model_dump())
    assert b.assumption_register == a.assumption_register
    assert b.scenario_names == a.scenario_names
    for name in a.scenario_names:
        assert b.scenario(name) == a.scenario(name)
        assert b.register_for(name) == a.register_for(name)


def test_there_are_shipped_scenario_files():
    assert EXAMPLE in SHIPPED


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_file_round_trips(tmp_path, path):
    original = load_scenario_file(path)
    reloaded, _ = _round_trip(original, tmp_path)
    _assert_same(original, reloaded)
    assert original.assumption_register, "the shipped files annotate their values"


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_saving_twice_gives_identical_bytes(tmp_path, path):
    first_dir, second_dir = tmp_path / "first", tmp_path / "second"
    first_dir.mkdir()
    second_dir.mkdir()
    reloaded, first = _round_trip(load_scenario_file(path), first_dir)
    _, second = _round_trip(reloaded, second_dir)
    assert second == first
    assert dump_scenario_yaml(reloaded).encode("utf-8") == first


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_saved_text_is_plain_safe_yaml(path):
    text = dump_scenario_yaml(load_scenario_file(path))
    assert "!!" not in text, "no python or explicit tags"
    assert "&id" not in text and "*id" not in text, "no anchors or aliases"
    assert isinstance(yaml.safe_load(text), dict)


def test_register_survives_with_every_key(tmp_path):
    original = load_scenario_file(EXAMPLE)
    reloaded, text = _round_trip(original, tmp_path)
    base = reloaded.assumption_register["base"]
    entry = base["market.potential_customers"]
    assert entry.owner == "Strategy" and entry.confidence == "low"
    assert entry.source.startswith("Rationale: the mid-market firms")
    # annotations inside a scenario stay with that scenario
    traditional = reloaded.assumption_register["scenarios.traditional"]
    assert traditional["channels.events.spend.amount"].owner == "Marketing"
    assert reloaded.register_for("traditional")["channels.events.spend.amount"].source.startswith(
        "Plan:"
    )
    # and are written back next to their values
    saved = yaml.safe_load(text)
    assert saved["base"]["market"]["potential_customers"]["value"] == 6000
    assert saved["base"]["market"]["potential_customers"]["owner"] == "Strategy"
    assert "assumption_register" not in saved


def _example_raw() -> dict[str, Any]:
    return yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))


def test_explicit_schedule_dates_and_unicode_round_trip(tmp_path):
    raw = _example_raw()
    raw["name"] = "Café Ünïcode — 東京 €"
    raw["base"]["channels"]["outbound"]["spend"] = {
        "kind": "explicit",
        "amounts": {"value": [60000.0 + 0.1 * m for m in range(60)], "source": "Budget plan",
                    "validated_on": dt.date(2024, 3, 31), "note": "month by month"},
    }
    raw["scenarios"]["social"]["channels"]["linkedin"]["spend"] = {
        "kind": "explicit", "amounts": [1e-7 * m for m in range(60)],
    }
    raw["base"]["market"]["bass_p_annual"]["validated_on"] = "2024-01-15"
    original = scenario_file_from_dict(raw, "built")
    assert original.base.channels["outbound"].spend.amounts[1] == 60000.1
    reloaded, _ = _round_trip(original, tmp_path)
    _assert_same(original, reloaded)
    assert reloaded.name == "Café Ünïcode — 東京 €"
    entry = reloaded.assumption_register["base"]["channels.outbound.spend.amounts"]
    assert entry.validated_on == dt.date(2024, 3, 31)
    assert reloaded.assumption_register["base"]["market.bass_p_annual"].validated_on == dt.date(
        2024, 1, 15
    )


# ------------------------------------------------------------------ property: perturbed values
PERTURBED = [
    "finance.discount_rate_annual",
    "market.bass_p_annual",
    "market.bass_q_annual",
    "economics.revenue_per_customer_monthly",
    "economics.gross_margin",
    "channels.events.carryover",
    "channels.events.spend.amount",
    "channels.outbound.half_saturation",
    "channels.linkedin.shape",
    "funnel.cost_per_opportunity",
    "funnel.sales_cycle_months",
    "social.word_of_mouth_lift",
    "programme.one_time_cost",
    "retention.churn_monthly.organic",
    "retention.downturn.start_month",
    "viral_event.half_life_months",
]
"""Numeric base fields that no cross-field rule ties to another (any in-bounds value is valid)."""


def _value_in_bounds(path: str) -> st.SearchStrategy[float | int]:
    meta = field_meta(path)
    assert meta.low is not None and meta.high is not None, path
    if meta.integer:
        return st.integers(int(meta.low), int(meta.high))
    return st.floats(
        meta.low, meta.high, exclude_min=not meta.low_inclusive, allow_nan=False,
        allow_infinity=False,
    )


def _set_base(raw: dict[str, Any], path: str, value: float | int) -> None:
    node = raw["base"]
    *parents, leaf = path.split(".")
    for key in parents:
        node = node[key]
    if isinstance(node[leaf], dict):  # an annotated value keeps its annotation
        node[leaf]["value"] = value
    else:
        node[leaf] = value


EXAMPLE_RAW = _example_raw()


@settings(
    max_examples=30, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.data())
def test_round_trip_stays_lossless_for_perturbed_values(data):
    raw = copy.deepcopy(EXAMPLE_RAW)
    paths = data.draw(st.lists(st.sampled_from(PERTURBED), min_size=1, max_size=6, unique=True))
    for path in paths:
        _set_base(raw, path, data.draw(_value_in_bounds(path), label=path))
    original = scenario_file_from_dict(raw, "perturbed")
    with tempfile.TemporaryDirectory() as folder:
        reloaded, saved = _round_trip(original, Path(folder))
    _assert_same(original, reloaded)
    assert dump_scenario_yaml(reloaded).encode("utf-8") == saved
    # and straight from the text, without a file
    assert parse_scenario_text(saved.decode("utf-8"), "text") == original


@pytest.mark.parametrize("path", PERTURBED)
def test_perturbed_fields_have_bounds(path):
    """The property test draws within field_meta bounds: each field must have both."""
    meta = field_meta(path)
    assert meta.low is not None and meta.high is not None and meta.low < meta.high
