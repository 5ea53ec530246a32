"""`roi-models sensitivity` and `roi-models goal-seek` as a user meets them."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import roi_models as rm
from roi_models.cli import main


def _json(capsys, argv: list[str]) -> dict:
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_sensitivity_json_is_the_tornado_of_the_recommended_plan(capsys):
    doc = _json(capsys, ["sensitivity", "b2b_it_services", "--json"])
    assert (doc["kpi"], doc["plan"], doc["against"]) == ("npv", "social", "status_quo")
    res = rm.run_scenarios(rm.load_shipped("b2b_it_services"))
    assert doc["base"] == pytest.approx(res.kpis("social")["npv"], rel=1e-12)
    swings = [f["swing"] for f in doc["fields"]]
    assert swings == sorted(swings, reverse=True)
    assert {"field", "low", "high", "kpi_low", "kpi_high"} <= set(doc["fields"][0])
    assert doc["fields"][0]["field"] == "economics.revenue_per_customer_monthly"
    assert "margins" not in doc


def test_sensitivity_plan_against_plan_with_margins(capsys):
    doc = _json(capsys, ["sensitivity", "b2b_it_services", "--plan", "social", "--against",
                         "traditional", "--kpi", "roi", "--margins", "--json"])
    assert (doc["plan"], doc["against"], doc["kpi"]) == ("social", "traditional", "roi")
    assert {m["rival"] for m in doc["margins"]} == {"blended", "status_quo"}
    assert any(m["value"] is None for m in doc["margins"])  # JSON null, never NaN


def test_sensitivity_text_names_every_assumption_and_the_margins(capsys):
    assert main(["sensitivity", "b2b_it_services", "--margins"]) == 0
    out = capsys.readouterr().out
    assert "Social lift on word of mouth" in out and "EUR 4.6 m" in out
    # break-even revenue 2,652.59 (goal seek below) is 1 - 2652.59 / 4000 = 34 % lower
    assert "could be 34 % lower before the status quo wins." in out


def test_goal_seek_finds_the_break_even_revenue(capsys):
    doc = _json(capsys, ["goal-seek", "b2b_it_services", "--field",
                         "economics.revenue_per_customer_monthly", "--plan", "social", "--json"])
    # tests/analysis/test_sensitivity.py runs the edited file at this value: NPV 0
    assert doc["value"] == pytest.approx(2652.59, abs=0.01)
    assert abs(doc["kpi_at_value"]) < 1.0 and "reason" not in doc


def test_goal_seek_without_a_root_says_why_in_json_and_text(capsys):
    doc = _json(capsys, ["goal-seek", "b2b_it_services", "--field", "social.word_of_mouth_lift",
                         "--json"])
    assert doc["value"] is None and doc["reason"] == (
        "NPV stays above 0 for every value in [0, 5]")
    assert main(["goal-seek", "b2b_it_services", "--field", "social.word_of_mouth_lift"]) == 0
    assert "NPV stays above 0 for every value in [0, 5]" in capsys.readouterr().out


@pytest.mark.parametrize("argv, named", [
    (["goal-seek", "b2b_it_services", "--field", "social.word_of_mouth_lft"],
     "social.word_of_mouth_lift"),
    (["goal-seek", "b2b_it_services", "--field", "finance.horizon_months"], "whole-number"),
    (["goal-seek", "b2b_it_services", "--field", "name"], "numeric field"),
    (["sensitivity", "b2b_it_services", "--plan", "socal"], "social"),
    (["sensitivity", "b2b_it_services", "--plan", "social", "--against", "social"],
     "another plan"),
])
def test_bad_questions_exit_2_with_one_line_and_no_traceback(argv, named):
    out = subprocess.run([sys.executable, "-m", "roi_models.cli", *argv], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 2
    assert "Traceback" not in out.stderr and named in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
