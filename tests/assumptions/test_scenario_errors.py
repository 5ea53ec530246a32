"""Invalid scenario files raise one exception type that explains itself.

The promise under test (project issue): invalid input raises
:class:`roi_models.errors.InputError` -- nothing else, never a traceback from
inside pydantic or numpy -- and its message names the file, the dotted field
path, the offending value and what is allowed; an unknown key suggests the
nearest valid name.

Every invalid file is the shipped example ``data/scenarios/b2b_it_services.yaml``
read with ``yaml.safe_load``, changed in exactly one place and written to
``tmp_path``.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from roi_models.assumptions import load_scenario_file, parse_scenario_text
from roi_models.errors import InputError

EXAMPLE = Path(__file__).resolve().parents[2] / "data" / "scenarios" / "b2b_it_services.yaml"
DELETE = object()
"""Marker for a change that removes a key instead of setting it."""


def _example() -> dict[str, Any]:
    return yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))


def _change(data: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = data
    for key in path[:-1]:
        node = node[key]
    if value is DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = copy.deepcopy(value)


def _write(tmp_path: Path, data: Any, name: str = "case.yaml") -> Path:
    target = tmp_path / name
    target.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return target


def _load_error(path: Path) -> InputError:
    """Load ``path``, which must fail with exactly InputError; return the error."""
    with pytest.raises(InputError) as info:
        load_scenario_file(path)
    _assert_self_explanatory(info.value, str(path))
    return info.value


def _assert_self_explanatory(exc: BaseException, source: str) -> None:
    assert type(exc) is InputError, f"expected InputError itself, got {type(exc).__name__}"
    # raised "from None": no chained pydantic/yaml/OS traceback is shown beneath it.
    assert exc.__cause__ is None
    assert exc.__context__ is None or exc.__suppress_context__
    assert exc.source == source
    assert exc.problems, "an InputError must carry at least one problem"
    message = str(exc)
    assert message.startswith(source)
    for leak in ("pydantic", "errors.pydantic.dev", "Traceback", "numpy", "[type="):
        assert leak not in message, f"internal detail {leak!r} leaks into: {message}"


def _unc(path: str, **spec: Any) -> tuple[tuple[str, ...], dict[str, Any]]:
    """A change that replaces the uncertainty entry of one field."""
    return ("uncertainty", path), spec


# (id, [(key path, new value or DELETE), ...], substrings the message must contain)
# Each expected list holds: the dotted field path, the offending value, what is allowed.
EVENTS = ("base", "channels", "events")
CASES: list[tuple[str, list[tuple[tuple[str, ...], Any]], list[str]]] = [
    # ---------------------------------------------------------------- wrong type
    ("string-for-number", [(EVENTS + ("carryover",), "0.5")],
     ["base.channels.events.carryover", "'0.5'", "valid number", "[0, 0.95]"]),
    ("bool-for-number", [(EVENTS + ("carryover",), True)],
     ["base.channels.events.carryover", "True", "valid number", "0.95"]),
    ("float-for-integer", [(("base", "finance", "horizon_months"), 60.5)],
     ["base.finance.horizon_months", "60.5", "whole number in [12, 240]"]),
    ("list-for-number", [(("base", "economics", "gross_margin"), [0.3, 0.4])],
     ["base.economics.gross_margin", "[0.3, 0.4]", "valid number", "[0, 1]"]),
    ("string-for-section", [(("base", "market"), "big")],
     ["base.market", "'big'", "dictionary"]),
    ("unknown-channel-kind", [(EVENTS + ("kind",), "tv")],
     ["base.channels.events.kind", "'tv'", "'traditional' or 'social'"]),
    ("bad-channel-name", [(("base", "channels", "trade shows"), {"kind": "traditional"})],
     ["base.channels.trade shows", "pattern"]),
    # ---------------------------------------------------------------- bounds
    ("above-bound", [(EVENTS + ("carryover",), 0.99)],
     ["base.channels.events.carryover", "0.99", "less than or equal to 0.95", "[0, 0.95]"]),
    ("above-bound-annotated", [(EVENTS + ("carryover", "value"), 0.99)],
     ["base.channels.events.carryover = 0.99", "0.95"]),
    ("negative-spend", [(EVENTS + ("spend", "amount"), -5000)],
     ["base.channels.events.spend.amount", "-5000", "greater than or equal to 0"]),
    ("negative-spend-in-scenario",
     [(("scenarios", "traditional", "channels", "events", "spend", "amount", "value"), -1)],
     ["scenarios.traditional.channels.events.spend.amount", "-1", "greater than or equal to 0"]),
    ("zero-for-exclusive-bound", [(("base", "viral_event", "half_life_months", "value"), 0)],
     ["base.viral_event.half_life_months", "= 0", "greater than 0", "(0, 60]"]),
    ("below-arithmetic-bound", [(EVENTS + ("half_saturation",), 0)],
     ["base.channels.events.half_saturation", "= 0", "greater than or equal to 1",
      "[1, 1e+10]"]),
    # ---------------------------------------------------------------- NaN / inf
    ("nan", [(EVENTS + ("carryover",), float("nan"))],
     ["base.channels.events.carryover", "nan", "finite", "0.95"]),
    ("inf", [(EVENTS + ("carryover",), float("inf"))],
     ["base.channels.events.carryover", "inf", "finite", "0.95"]),
    ("minus-inf-spend", [(EVENTS + ("spend", "amount"), float("-inf"))],
     ["base.channels.events.spend.amount", "-inf", "finite"]),
    ("nan-in-uncertainty", [_unc("market.bass_q_annual", distribution="uniform", low=0.1,
                                 high=float("nan"))],
     ["uncertainty.market.bass_q_annual.high", "nan", "finite"]),
    # ---------------------------------------------------------------- model validators
    ("win-rate-times-uplift-above-1", [(("base", "funnel", "win_rate"), 0.9)],
     ["base.funnel.social_win_rate_uplift = 0.15", "win_rate", "0.9", "1.035", "exceeds 1"]),
    ("initial-above-potential", [(("base", "market", "initial_customers"), 7000)],
     ["base.market.initial_customers = 7000", "potential_customers (6000)", "must not exceed"]),
    ("viral-event-after-horizon", [(("base", "viral_event"), {"enabled": True, "month": 100})],
     ["base.viral_event.month = 100", "horizon_months = 60"]),
    # ---------------------------------------------------------------- unknown keys
    ("unknown-top-level", [(("bsae",), {})], ["bsae", "unknown key", "did you mean 'base'?"]),
    ("unknown-in-base", [(("base", "markt"), {})],
     ["base.markt", "unknown key", "did you mean 'market'?"]),
    ("unknown-in-channel", [(EVENTS + ("carryovr",), 0.3)],
     ["base.channels.events.carryovr", "0.3", "did you mean 'carryover'?"]),
    ("unknown-in-spend", [(EVENTS + ("spend", "amout"), 1000)],
     ["base.channels.events.spend.amout", "1000", "did you mean 'amount'?"]),
    ("unknown-in-uncertainty", [(("uncertainty", "market.bass_q_annual", "moed"), 0.2)],
     ["uncertainty.market.bass_q_annual.moed", "0.2", "did you mean 'mode'?"]),
    ("unknown-register-key", [(("base", "market", "bass_p_annual"), {"value": 0.005, "sorce": "x"})],
     ["base.market.bass_p_annual.sorce", "'x'", "did you mean 'source'?"]),
    ("unknown-register-key-in-scenario",
     [(("scenarios", "social", "programme", "one_time_cost", "confidance"), "low")],
     ["scenarios.social.programme.one_time_cost.confidance", "'low'", "did you mean 'confidence'?"]),
    ("unknown-key-in-scenario-override",
     [(("scenarios", "social", "channels", "linkedin", "spend", "amout"), 5000)],
     ["scenarios.social.channels.linkedin.spend.amout", "5000", "did you mean 'amount'?"]),
    ("unknown-section-in-scenario-override", [(("scenarios", "blended", "programe"), {})],
     ["scenarios.blended.programe", "did you mean 'programme'?"]),
    ("register-as-section", [(("assumption_register",), {"base": {}})],
     ["assumption_register", "annotate each value in place"]),
    # ---------------------------------------------------------------- register values
    ("bad-confidence", [(("base", "market", "bass_p_annual", "confidence"), "sure")],
     ["base.market.bass_p_annual.confidence", "'sure'", "'low', 'medium' or 'high'"]),
    ("bad-validated-on", [(("base", "market", "bass_p_annual", "validated_on"), "2024-13-01")],
     ["base.market.bass_p_annual.validated_on", "'2024-13-01'", "valid date"]),
    # ---------------------------------------------------------------- missing keys
    ("missing-required-field", [(("base", "market", "potential_customers"), DELETE)],
     ["base.market.potential_customers", "missing", "required", "[1, 1e+10]"]),
    ("missing-base", [(("base",), DELETE)], ["base", "missing", "required"]),
    ("missing-scenarios", [(("scenarios",), DELETE)], ["scenarios", "missing", "required"]),
    ("missing-status-quo", [(("scenarios", "status_quo"), DELETE)],
     ["scenarios.status_quo", "missing", "required", "compared with"]),
    ("scenario-not-a-mapping", [(("scenarios", "social"), 5)],
     ["scenarios.social", "= 5", "dictionary"]),
    # ---------------------------------------------------------------- scenarios share finance
    ("scenario-changes-horizon", [(("scenarios", "social", "finance"), {"horizon_months": 36})],
     ["scenarios.social.finance.horizon_months", "36", "shares the base value (60)"]),
    ("scenario-changes-discount-rate",
     [(("scenarios", "traditional", "finance"), {"discount_rate_annual": 0.2})],
     ["scenarios.traditional.finance.discount_rate_annual", "0.2", "shares the base value (0.1)"]),
    # ---------------------------------------------------------------- spend schedules
    ("spend-kind-unknown", [(EVENTS + ("spend", "kind"), "constnat")],
     ["base.channels.events.spend", "constnat", "constant, linear or explicit"]),
    ("spend-kind-missing", [(EVENTS + ("spend",), {"amount": 1000})],
     ["base.channels.events.spend", "constant, linear or explicit"]),
    ("explicit-schedule-wrong-length",
     [(EVENTS + ("spend",), {"kind": "explicit", "amounts": [1000.0] * 12})],
     ["base", "channels.events.spend.amounts", "12 values", "horizon_months = 60"]),
    ("explicit-schedule-wrong-length-in-scenario",
     [(("scenarios", "social", "channels", "linkedin", "spend"),
       {"kind": "explicit", "amounts": [1000.0] * 61})],
     ["scenarios.social", "channels.linkedin.spend.amounts", "61 values", "horizon_months = 60"]),
    ("explicit-schedule-negative-month",
     [(EVENTS + ("spend",), {"kind": "explicit", "amounts": [1000.0] * 59 + [-1.0]})],
     ["base.channels.events.spend.amounts.59", "-1.0", "greater than or equal to 0"]),
    ("explicit-schedule-string-month",
     [(EVENTS + ("spend",), {"kind": "explicit", "amounts": ["1000"] + [1000.0] * 59})],
     ["base.channels.events.spend.amounts.0", "'1000'", "valid number"]),
    # ---------------------------------------------------------------- uncertainty
    ("uncertainty-unknown-path", [_unc("market.bass_q", distribution="uniform", low=0.1, high=0.2)],
     ["uncertainty.market.bass_q", "'market.bass_q'", "did you mean 'market.bass_q_annual'?"]),
    ("uncertainty-unknown-channel",
     [_unc("channels.tv.carryover", distribution="uniform", low=0.1, high=0.2)],
     ["uncertainty.channels.tv.carryover", "not a numeric field of base", "did you mean"]),
    ("uncertainty-low-equals-high",
     [_unc("market.bass_q_annual", distribution="uniform", low=0.3, high=0.3)],
     ["uncertainty.market.bass_q_annual", "low (0.3) must be below high (0.3)"]),
    ("uncertainty-low-above-high",
     [_unc("market.bass_q_annual", distribution="uniform", low=0.3, high=0.2)],
     ["uncertainty.market.bass_q_annual", "low (0.3) must be below high (0.2)"]),
    ("triangular-mode-outside",
     [_unc("funnel.social_cost_reduction", distribution="triangular", low=0.05, mode=0.5,
           high=0.4)],
     ["uncertainty.funnel.social_cost_reduction", "mode (0.5)", "[0.05, 0.4]"]),
    ("pert-without-mode", [_unc("market.bass_q_annual", distribution="pert", low=0.1, high=0.3)],
     ["uncertainty.market.bass_q_annual", "pert needs mode"]),
    ("normal-without-sd",
     [_unc("economics.revenue_per_customer_monthly", distribution="normal", mean=4000, low=3000,
           high=5000)],
     ["uncertainty.economics.revenue_per_customer_monthly", "normal needs mean and sd"]),
    ("normal-sd-zero",
     [_unc("economics.revenue_per_customer_monthly", distribution="normal", mean=4000, sd=0,
           low=3000, high=5000)],
     ["uncertainty.economics.revenue_per_customer_monthly.sd", "= 0", "greater than 0"]),
    ("lognormal-low-negative",
     [_unc("market.bass_q_annual", distribution="lognormal", mean=0.2, sd=0.05, low=-0.1,
           high=0.35)],
     ["uncertainty.market.bass_q_annual", "-0.1", "lognormal needs low >= 0"]),
    ("uniform-with-mode",
     [_unc("market.bass_q_annual", distribution="uniform", low=0.1, mode=0.2, high=0.3)],
     ["uncertainty.market.bass_q_annual", "uniform takes no mode"]),
    ("uncertainty-above-field-bound",
     [_unc("market.bass_q_annual", distribution="uniform", low=0.1, high=3.5)],
     ["uncertainty.market.bass_q_annual.high", "3.5", "[0, 3]"]),
    ("uncertainty-below-field-bound",
     [_unc("channels.events.carryover", distribution="uniform", low=-0.1, high=0.5)],
     ["uncertainty.channels.events.carryover.low", "-0.1", "[0, 0.95]"]),
    ("uncertainty-integer-field",
     [_unc("finance.horizon_months", distribution="uniform", low=24, high=36)],
     ["uncertainty.finance.horizon_months", "whole-number fields take no uncertainty"]),
    ("uncertainty-unknown-distribution",
     [_unc("market.bass_q_annual", distribution="gauss", low=0.1, high=0.3)],
     ["uncertainty.market.bass_q_annual.distribution", "'gauss'", "'triangular'", "'uniform'"]),
    ("uncertainty-string-bound",
     [_unc("market.bass_q_annual", distribution="uniform", low="0.1", high=0.3)],
     ["uncertainty.market.bass_q_annual.low", "'0.1'", "valid number"]),
]


@pytest.mark.parametrize(
    ("changes", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_invalid_field_names_file_path_value_and_allowed(tmp_path, changes, expected):
    data = _example()
    for path, value in changes:
        _change(data, path, value)
    target = _write(tmp_path, data)
    message = str(_load_error(target))
    for part in expected:
        assert part in message, f"{part!r} missing from message:\n{message}"


def test_case_ids_are_unique():
    ids = [c[0] for c in CASES]
    assert len(ids) == len(set(ids))


def test_the_unchanged_example_loads(tmp_path):
    """The cases above fail because of their change, not because of the copy."""
    sf = load_scenario_file(_write(tmp_path, _example()))
    assert sf.scenario_names == ["status_quo", "traditional", "social", "blended"]


def test_every_problem_is_listed_at_once(tmp_path):
    data = _example()
    _change(data, EVENTS + ("carryover",), 0.99)
    _change(data, ("base", "market", "bass_q_annual"), -1)
    message = str(_load_error(_write(tmp_path, data)))
    assert "2 problems" in message
    assert "base.channels.events.carryover = 0.99" in message
    assert "base.market.bass_q_annual = -1" in message


# ------------------------------------------------------------------ YAML-level values
@pytest.mark.parametrize(
    ("literal", "shown"), [(".nan", "nan"), (".NaN", "nan"), (".inf", "inf"), ("-.inf", "-inf")]
)
def test_yaml_nan_and_inf_literals_are_refused(tmp_path, literal, shown):
    text = EXAMPLE.read_text(encoding="utf-8")
    old = "carryover: {value: 0.018862,"  # the events channel, first in the file
    assert text.count(old) == 1
    target = tmp_path / "nan.yaml"
    target.write_text(text.replace(old, f"carryover: {{value: {literal},"), encoding="utf-8")
    message = str(_load_error(target))
    assert f"base.channels.events.carryover = {shown}" in message
    assert "finite" in message and "0.95" in message


# ------------------------------------------------------------------ whole-file problems
def test_invalid_yaml_syntax_gives_line_and_column(tmp_path):
    target = tmp_path / "broken.yaml"
    target.write_text("name: x\nbase:\n  market: [1, 2\n", encoding="utf-8")
    message = str(_load_error(target))
    assert "line 4, column 1" in message
    assert "not valid YAML" in message


def test_tab_indentation_gives_line_and_column(tmp_path):
    target = tmp_path / "tabs.yaml"
    target.write_text("name: x\n\tbase: 1\n", encoding="utf-8")
    message = str(_load_error(target))
    assert "line 2, column 1" in message and "not valid YAML" in message


@pytest.mark.parametrize("text", ["", "\n", "# only a comment\n", "---\n"], ids=repr)
def test_empty_file(tmp_path, text):
    target = tmp_path / "empty.yaml"
    target.write_text(text, encoding="utf-8")
    message = str(_load_error(target))
    assert "empty" in message
    assert "expected a mapping with 'base' and 'scenarios'" in message


@pytest.mark.parametrize(
    ("text", "shown"),
    [("- 1\n- 2\n", ["[1, 2]", "got list"]), ("42\n", ["42", "got int"]),
     ("3.5\n", ["3.5", "got float"]), ("hello\n", ["got str"]), ("true\n", ["True", "got bool"])],
    ids=["list", "int", "float", "string", "bool"],
)
def test_file_that_is_not_a_mapping(tmp_path, text, shown):
    target = tmp_path / "scalar.yaml"
    target.write_text(text, encoding="utf-8")
    message = str(_load_error(target))
    assert "expected a mapping with 'base' and 'scenarios'" in message
    for part in shown:
        assert part in message


def test_missing_file(tmp_path):
    message = str(_load_error(tmp_path / "nowhere.yaml"))
    assert "file not found" in message


def test_directory(tmp_path):
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    message = str(_load_error(folder))
    assert "is a directory" in message


def test_non_utf8_file(tmp_path):
    target = tmp_path / "latin1.yaml"
    target.write_bytes("name: Caf\xe9\n".encode("latin-1"))
    message = str(_load_error(target))
    assert "cannot be read" in message and "utf-8" in message


def test_parse_text_names_its_source():
    with pytest.raises(InputError) as info:
        parse_scenario_text("[1, 2]", source="pasted.yaml")
    _assert_self_explanatory(info.value, "pasted.yaml")


# ------------------------------------------------------------------ scenario names
def test_unknown_scenario_name_suggests_the_nearest():
    sf = load_scenario_file(EXAMPLE)
    with pytest.raises(InputError) as info:
        sf.scenario("socail")
    exc = info.value
    _assert_self_explanatory(exc, exc.source)
    message = str(exc)
    # The file object does not know its file name, so the source is "argument".
    assert "scenario = 'socail'" in message
    assert "did you mean 'social'?" in message
    assert "status_quo, traditional, social, blended" in message
