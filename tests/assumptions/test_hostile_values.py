"""Validation covers what the engine needs (issue 14): ``validate`` accepts only what ``run``
can run, and the bounds keep the arithmetic finite.

Decisions under test (each reason is in the field's description in ``schema.py``):

- a file needs at least one channel; ``channels: {}`` is refused by ``validate`` and by
  every command the same way (exit 2, the same message);
- market potential at least 1 customer (1e-310 turned CAC and cost of sales into inf),
  revenue per customer at least 0.01 a month (1e-310 made cost of sales inf % of revenue),
  discount rate at least 0.1 % a year (with no churn CLV's perpetuity is margin / rate,
  infinite once the monthly rate rounds to 0);
- the currency is an ISO 4217 code, three capital letters (``<b>EUR</b>`` became markup);
- text fields refuse control characters (ESC in a source broke the Excel export, ESC in a
  scenario name reached the terminal raw).
"""

from __future__ import annotations

import json
import math
import re
import string

import pytest
import yaml
from hostile import EXAMPLE_TEXT, assert_refused, replace_once, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

import roi_models as rm
from roi_models.assumptions import parse_scenario_text
from roi_models.assumptions.merge import deep_merge, nest
from roi_models.assumptions.scenario_file import scenario_file_from_dict, scenario_file_to_dict
from roi_models.assumptions.yaml_input import load_yaml
from roi_models.cli import format_summary, json_document
from roi_models.errors import InputError

SOURCE = "hostile.yaml"

def _without_scenario_channels(text: str) -> str:
    """The example with ``channels: {}`` in base and scenarios that change no channel."""
    data = load_yaml(text, SOURCE)
    for override in data["scenarios"].values():
        override.pop("channels", None)
    data["uncertainty"] = {k: v for k, v in data["uncertainty"].items()
                           if not k.startswith("channels.")}
    data["base"]["channels"] = {}
    return yaml.safe_dump(data, sort_keys=False)


NO_CHANNEL_TEXT = _without_scenario_channels(EXAMPLE_TEXT)


def refused(text: str, *needles: str) -> InputError:
    with pytest.raises(InputError) as info:
        parse_scenario_text(text, SOURCE)
    message = str(info.value)
    for needle in needles:
        assert needle in message, (needle, message[:800])
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", message)
    return info.value


# --------------------------------------------------------------------------- no channel
def test_a_file_without_channels_is_refused_at_load():
    refused(NO_CHANNEL_TEXT, "base.channels", "at least one channel")


@pytest.mark.parametrize("command", ["validate", "run", "report", "export-excel"])
def test_every_command_refuses_a_file_without_channels_the_same_way(tmp_path, command):
    path = tmp_path / "no_channels.yaml"
    path.write_text(NO_CHANNEL_TEXT, encoding="utf-8")
    args = [command, str(path)]
    if command == "report":
        args += ["-o", str(tmp_path / "r.html")]
    if command == "export-excel":
        args += ["-o", str(tmp_path / "r.xlsx")]
    run = run_cli(*args)
    assert_refused(run, "base.channels", "at least one channel")
    # Expected: the very message validate prints, and nothing written.
    assert run.stderr == run_cli("validate", str(path)).stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["no_channels.yaml"]


# --------------------------------------------------------------------------- finite arithmetic
BOUNDS = {  # field: the lower bound; anything positive below it is refused
    "market.potential_customers": 1.0,
    "channels.events.half_saturation": 1.0,
    "social.engagement_half_saturation": 1.0,
    "economics.revenue_per_customer_monthly": 0.01,
    "finance.discount_rate_annual": 0.001,
}


@settings(max_examples=40)
@given(field=st.sampled_from(sorted(BOUNDS)), share=st.floats(0.0, 1.0, exclude_max=True))
def test_values_that_would_break_the_arithmetic_are_refused(field, share):
    low = BOUNDS[field]
    value = share * low  # from 0 (or a denormal) up to just below the bound
    if value == 0.0:
        value = 5e-324
    text = EXAMPLE_TEXT.replace("initial_customers: {value: 1200,", "initial_customers: {value: 0,")
    key = field.split(".")[-1]
    text = re.sub(rf"{key}: {{value: [0-9.]+,", f"{key}: {{value: {value!r},", text, count=1)
    refused(text, f"base.{field}", f"{low:g}")


@pytest.mark.parametrize("value", ["1e-310", "0.5"])
def test_a_market_below_one_customer_is_refused_by_the_cli(tmp_path, value):
    text = EXAMPLE_TEXT.replace("initial_customers: {value: 1200,", "initial_customers: {value: 0,")
    text = replace_once(text, "potential_customers: {value: 6000,",
                        f"potential_customers: {{value: {value},")
    path = tmp_path / "tiny.yaml"
    path.write_text(text, encoding="utf-8")
    assert_refused(run_cli("run", str(path), "--json"), "base.market.potential_customers")


CHURN0 = {f"retention.churn_monthly.{s}": 0.0
          for s in ("existing", "traditional", "social", "organic", "referral")}
EXTREMES = {
    "market.potential_customers": [1.0, 1e10],
    "market.initial_customers": [0.0, 1.0],
    "economics.revenue_per_customer_monthly": [0.01, 1e8],
    "finance.discount_rate_annual": [0.001, 1.0],
    "economics.gross_margin": [0.0, 1.0],
    "social.engagement_half_saturation": [1.0, 1e10],
    "channels.events.half_saturation": [1.0, 1e10],
    "channels.events.shape": [0.3, 5.0],
    "channels.events.spend.amount": [0.0, 1e10],
    "funnel.cost_per_opportunity": [0.0, 1e8],
}


@settings(max_examples=30)
@given(data=st.data())
def test_no_nan_or_inf_reaches_the_json_or_the_table_at_the_bounds(data):
    """Values at the edges of their bounds, no churn included, give finite outputs."""
    sf = rm.load_shipped("b2b_it_services")
    chosen = {f: data.draw(st.sampled_from(v), label=f) for f, v in EXTREMES.items()}
    if data.draw(st.booleans(), label="no churn at all"):
        chosen |= CHURN0 | {"retention.downturn.added_churn": 0.0}
    if chosen["market.initial_customers"] > chosen["market.potential_customers"]:
        chosen["market.initial_customers"] = chosen["market.potential_customers"]
    raw = scenario_file_to_dict(sf)
    raw.pop("uncertainty")
    raw["base"] = deep_merge(sf.base.model_dump(), nest(chosen))
    res = rm.run_scenarios(scenario_file_from_dict(raw, SOURCE))
    # Expected: strict JSON (allow_nan=False raises on NaN and inf) and no "inf"/"nan" text.
    json.dumps(json_document(res, list(res.names)), allow_nan=False)
    table = format_summary(res).lower()
    assert "inf" not in table and "nan" not in table, table
    assert all(math.isfinite(v) for v in res.summary["npv"])


# --------------------------------------------------------------------------- currency
@settings(max_examples=60)
@given(code=st.text(alphabet=string.ascii_letters + string.digits + " <>/&;'$€£¥.-_",
                   min_size=0, max_size=8).filter(lambda s: not re.fullmatch("[A-Z]{3}", s)))
def test_a_currency_that_is_not_an_iso_4217_code_is_refused(code):
    quoted = json.dumps(code, ensure_ascii=False)
    text = replace_once(EXAMPLE_TEXT, "currency: EUR", f"currency: {quoted}")
    refused(text, "currency", "ISO 4217")


@pytest.mark.parametrize("code", ["EUR", "USD", "GBP", "CHF", "JPY"])
def test_iso_4217_codes_are_accepted(code):
    text = replace_once(EXAMPLE_TEXT, "currency: EUR", f"currency: {code}")
    assert parse_scenario_text(text, SOURCE).currency == code


def test_markup_as_currency_is_refused_by_the_cli(tmp_path):
    path = tmp_path / "markup.yaml"
    path.write_text(replace_once(EXAMPLE_TEXT, "currency: EUR", "currency: <b>EUR</b>"),
                    encoding="utf-8")
    assert_refused(run_cli("validate", str(path)), "currency", "ISO 4217")


# --------------------------------------------------------------------------- control characters
CONTROLS = [chr(c) for c in (*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F, *range(0x80, 0xA0))
            ] + ["\u200b", "\u202e", "\u2066", "\ufeff"]
TEXT_FIELDS = {  # where the text goes: (old, new with {s}, the field path named)
    "name": ("name: Northwind IT Services (illustrative B2B case)", "name: {s}", "name"),
    "description": ("description: >-", "description: {s}\nx_description: >-", "description"),
    "source": ('source: "Rationale: the illustrative count of active clients',
               'source: {s}, x: "', "base.market.initial_customers.source"),
    "owner": ("owner: Finance}", "owner: {s}}}", "owner"),
    "scenario name": ("  traditional:\n", "  {s}:\n", "scenarios."),
}


def _with_text(field: str, value: str) -> str:
    old, new, _ = TEXT_FIELDS[field]
    text = replace_once(EXAMPLE_TEXT, old, new.format(s=json.dumps(value)))
    if field == "description":
        text = re.sub(r"(?m)^x_description: >-\n(  .*\n)+", "", text)
    if field == "source":
        text = re.sub(r', x: "[^"]*"', "", text, count=1)
    return text


@settings(max_examples=60)
@given(field=st.sampled_from(sorted(TEXT_FIELDS)), control=st.sampled_from(CONTROLS),
       before=st.text("abc XYZ", max_size=5), after=st.text("abc XYZ", max_size=5))
def test_text_fields_refuse_control_characters(field, control, before, after):
    value = f"{before or 'x'}{control}{after}"
    err = refused(_with_text(field, value), TEXT_FIELDS[field][2], "control character",
                  f"U+{ord(control):04X}")
    assert control not in str(err)


@pytest.mark.parametrize("field", ["name", "description", "source", "owner", "scenario name"])
def test_tabs_and_plain_text_are_accepted_where_text_goes(field):
    value = "Rationale: a plain sentence, with commas and dashes - and EUR 1,000"
    assert parse_scenario_text(_with_text(field, value), SOURCE)


@pytest.mark.parametrize("command, field", [("run", "scenario name"),
                                            ("export-excel", "source")])
def test_an_escape_sequence_never_reaches_the_terminal_or_the_workbook(tmp_path, command, field):
    path = tmp_path / "escape.yaml"
    path.write_text(_with_text(field, "trad\x1b[2J\x1b[31m"), encoding="utf-8")
    args = [command, str(path)] + (["-o", str(tmp_path / "x.xlsx")] if command == "export-excel"
                                   else [])
    run = run_cli(*args)
    assert_refused(run, "U+001B", "\\x1b")
    assert "\x1b" not in run.stdout
