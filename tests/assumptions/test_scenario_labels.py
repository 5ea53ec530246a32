"""Scenario labels: the name a report shows for a plan (optional ``label``, else a readable key)."""

from __future__ import annotations

import pytest
import yaml

from roi_models.assumptions import (
    dump_scenario_yaml,
    parse_scenario_text,
    scenario_file_from_dict,
)
from roi_models.assumptions.scenario_file import LABEL_MAX_CHARS, default_label
from roi_models.data import scenario_path
from roi_models.errors import InputError


def _raw():
    return yaml.safe_load(scenario_path("b2b_it_services").read_text(encoding="utf-8"))


def test_default_label_is_the_readable_key():
    assert default_label("social_reallocation") == "Social reallocation"
    assert default_label("status_quo") == "Status quo"
    assert default_label("blended") == "Blended"
    assert default_label("Q3__pilot") == "Q3 pilot"


def test_label_from_the_file_else_the_default():
    raw = _raw()
    raw["scenarios"]["blended"].pop("label", None)
    raw["scenarios"]["social"]["label"] = "  LinkedIn first  "
    sf = scenario_file_from_dict(raw)
    assert sf.label("social") == "LinkedIn first"  # trimmed
    assert sf.label("blended") == "Blended"
    assert sf.label("status_quo") == "Status quo"
    assert "label" not in sf.scenarios["social"]  # not an assumption override
    with pytest.raises(InputError, match="did you mean 'social'"):
        sf.label("socail")


def test_shipped_files_label_every_plan():
    for name in ("b2b_it_services", "consumer_brand", "small_fast_mover"):
        sf = parse_scenario_text(scenario_path(name).read_text(encoding="utf-8"), name)
        for scenario in sf.scenario_names[1:]:
            assert scenario in sf.scenario_labels, (name, scenario)
            assert sf.label(scenario) != default_label(scenario)


@pytest.mark.parametrize("bad", ["", "   ", "x" * (LABEL_MAX_CHARS + 1), "two\nlines",
                                 "bell\x07", 42, None, ["a"]])
def test_bad_labels_are_refused_naming_the_field(bad):
    raw = _raw()
    raw["scenarios"]["social"]["label"] = bad
    with pytest.raises(InputError) as err:
        scenario_file_from_dict(raw, "bad.yaml")
    assert "scenarios.social.label" in str(err.value)
    assert "characters" in str(err.value)


def test_two_plans_with_one_name_are_refused():
    raw = _raw()
    raw["scenarios"]["social"]["label"] = "Blended"
    raw["scenarios"]["blended"].pop("label")
    with pytest.raises(InputError, match="the same name as scenario"):
        scenario_file_from_dict(raw, "dup.yaml")


def test_labels_survive_a_save_and_reload():
    sf = parse_scenario_text(scenario_path("consumer_brand").read_text(encoding="utf-8"))
    again = parse_scenario_text(dump_scenario_yaml(sf))
    assert again == sf
    assert again.label("social_reallocation") == sf.label("social_reallocation")


def test_labels_are_not_a_top_level_key():
    raw = _raw()
    raw["scenario_labels"] = {"social": "x"}
    with pytest.raises(InputError, match="write label: under each scenario"):
        scenario_file_from_dict(raw)
