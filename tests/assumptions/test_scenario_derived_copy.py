"""A derived copy of a scenario file resolves its scenarios from its own base.

STYLE habit 1: scenarios are derived copies (``model_copy(update=...)``), never
mutated. ``ScenarioFile.scenario`` caches resolved scenarios in a private
attribute that ``model_copy`` carries over; a copy with a new base or new
overrides must not answer with the original's cached scenarios.
"""

from __future__ import annotations

from pathlib import Path

from roi_models.assumptions import load_scenario_file

EXAMPLE = Path(__file__).resolve().parents[2] / "data" / "scenarios" / "b2b_it_services.yaml"


def test_copy_with_new_base_resolves_from_the_new_base():
    sf = load_scenario_file(EXAMPLE)
    assert sf.scenario("status_quo").economics.gross_margin == 0.35  # cached now
    economics = sf.base.economics.model_copy(update={"gross_margin": 0.5})
    derived = sf.model_copy(update={"base": sf.base.model_copy(update={"economics": economics})})
    for name in derived.scenario_names:
        assert derived.scenario(name).economics.gross_margin == 0.5, name
    # the original is untouched
    for name in sf.scenario_names:
        assert sf.scenario(name).economics.gross_margin == 0.35, name


def test_copy_with_new_overrides_resolves_the_new_overrides():
    sf = load_scenario_file(EXAMPLE)
    assert sf.scenario("blended").programme.ongoing_monthly == 10000  # cached now
    scenarios = dict(sf.scenarios)
    scenarios["blended"] = {"programme": {"ongoing_monthly": 12345}}
    derived = sf.model_copy(update={"scenarios": scenarios})
    assert derived.scenario("blended").programme.ongoing_monthly == 12345
    assert derived.scenario("social") == sf.scenario("social")
    assert sf.scenario("blended").programme.ongoing_monthly == 10000
