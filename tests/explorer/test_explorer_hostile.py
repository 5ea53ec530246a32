"""Hostile input to the explorer (issue 14): every refusal is clean, Save writes what is shown.

Generated cases (hypothesis, derandomized): any Python value handed to
:meth:`Explorer.set`, any text typed into a value box, any Save/Export file name.
The promises: no exception escapes (no TraitError, no ValueError from
``float``), a refused value shows the schema's allowed values on the lever's
row, the figures keep the last valid state, and "Save scenario" writes exactly
the settings the charts show.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import roi_models as rm
from roi_models.errors import InputError
from roi_models.explorer import LEVERS, Explorer
from roi_models.explorer.app import RESERVED_NAMES, file_name_problem

KEYS = [lever.key for lever in LEVERS]
MONTH_KEYS = ["organisation.ramp_up_months", "viral_event.month"]

NOT_A_NUMBER = st.one_of(
    st.just(float("nan")), st.just(float("inf")), st.just(float("-inf")), st.none(),
    st.booleans(), st.text(max_size=30), st.just(10 ** 5000), st.just(-(10 ** 400)),
    st.lists(st.floats(), max_size=3), st.just(complex(1, 2)), st.just(b"12"))


@pytest.fixture(scope="module")
def ex(tmp_path_factory):
    return Explorer("b2b_it_services", folder=tmp_path_factory.mktemp("hostile"), interval=0)


def message(ex, key: str) -> str:
    return ex.controls[key].message.value


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.sampled_from(KEYS), value=NOT_A_NUMBER)
def test_set_refuses_anything_but_a_finite_number_with_the_schemas_message(ex, key, value):
    before, shown = ex.values(), ex.shown_values
    ex.set(key, value)  # never raises
    spec = ex.model.spec(key)
    assert "refused: " + spec.problem(value) in message(ex, key)
    assert spec.meta.allowed() in message(ex, key)  # "a number in [0, 2] (share)"
    assert ex.values() == before and ex.shown_values is shown  # nothing recomputed
    assert ex.controls[key].text.value == ex.controls[key].fmt.text(before[key])


@pytest.mark.parametrize("key", MONTH_KEYS)
def test_true_is_not_a_month(ex, key):
    ex.set(key, True)
    assert "True refused: must be " + ex.model.spec(key).meta.allowed() in message(ex, key)
    assert ex.values()[key] == ex.model.file_values()[key]
    ex.controls[key].text.value = "True"  # typed
    assert "refused: is not a number" in message(ex, key)


def test_a_refusal_echoes_the_value_without_control_characters(ex):
    key = "economics.gross_margin"
    ex.set(key, "\x1b[2J\x1b[H" * 50)
    text = message(ex, key)
    assert "\x1b" not in text and "\\x1b[2J" in text and len(text) < 600
    ex.controls[key].text.value = "\x1b]0;owned\x07" + "9" * 10_000  # typed
    text = message(ex, key)
    assert "\x1b" not in text and "\x07" not in text and len(text) < 600


@settings(max_examples=12, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(moves=st.lists(st.tuples(
    st.sampled_from(KEYS),
    st.one_of(NOT_A_NUMBER, st.floats(-2.0, 5.0), st.integers(-5, 80))), min_size=1, max_size=5))
def test_after_any_refused_values_save_writes_what_the_charts_show(tmp_path_factory, moves):
    ex = Explorer("small_fast_mover", folder=tmp_path_factory.mktemp("save"), interval=0)
    for key, value in moves:
        ex.set(key, value)
    shown = ex.results.summary.set_index("scenario")
    path = ex.save_scenario()
    back = rm.run_scenarios(rm.load_scenario_file(path)).summary.set_index("scenario")
    for name in shown.index:
        for kpi in ("npv", "roi", "cac", "clv", "customers_end"):
            a, b = shown.loc[name, kpi], back.loc[name, kpi]
            if rm.formatting.is_missing(a):
                assert rm.formatting.is_missing(b), (name, kpi)
            else:
                assert math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-6), (name, kpi)


BAD_NAMES = st.one_of(
    # a good name with a control character somewhere (a trailing newline among them)
    st.tuples(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_-]{0,20}", fullmatch=True),
              st.characters(codec="utf-8", categories=["Cc"]),
              st.sampled_from(["start", "middle", "end"])).map(
        lambda t: {"start": t[1] + t[0], "middle": t[0][:1] + t[1] + t[0][1:],
                   "end": t[0] + t[1]}[t[2]]),
    st.from_regex(r"[A-Za-z0-9]{1,8}[/\\][A-Za-z0-9]{1,8}", fullmatch=True),  # a folder
    st.sampled_from(["..", ".", "../up", "/etc/passwd", "~", "a b", "trail.",
                     "", "x" * 101, "caf\u00e9", "\u202ereversed"]),
    st.tuples(st.sampled_from(sorted(RESERVED_NAMES)), st.sampled_from(["", ".yaml", ".txt"]),
              st.booleans()).map(lambda t: (t[0].lower() if t[2] else t[0]) + t[1]),
)


@settings(max_examples=80, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=BAD_NAMES)
def test_save_refuses_a_name_that_is_not_a_plain_file_name(ex, tmp_path_factory, name):
    folder = tmp_path_factory.mktemp("names")
    with pytest.raises(InputError) as info:
        ex.save_scenario(name, folder)
    assert info.value.problems[0].path == "name"
    assert list(folder.iterdir()) == []  # nothing written
    ex.file_name.value = name  # through the widgets: a message, no traceback
    ex.folder.value = str(folder)
    ex.save_button.click()
    assert "name" in ex.message.value and "Written" not in ex.message.value
    assert list(folder.iterdir()) == []


@given(name=st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,30}[A-Za-z0-9_-]", fullmatch=True))
def test_plain_names_are_allowed_unless_reserved(name):
    reserved = name.split(".")[0].upper() in RESERVED_NAMES
    assert (file_name_problem(name) is None) != reserved


def test_a_folder_with_a_control_character_is_refused(ex, tmp_path):
    ex.folder.value = str(tmp_path / "a\x00b")
    ex.file_name.value = "fine"
    ex.save_button.click()
    assert "folder" in ex.message.value and "control characters" in ex.message.value
    assert list(tmp_path.iterdir()) == []
