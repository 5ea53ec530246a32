"""One rule decides the recommended plan (analysis.decision.recommend), used everywhere."""

import datetime as dt
import re
from types import SimpleNamespace

import numpy as np
import pytest

from roi_models import load_shipped, run_scenarios
from roi_models.analysis.decision import recommend
from roi_models.analysis.sensitivity import ask, recommended_plan
from roi_models.cli import json_document
from roi_models.report import ReportOptions, render_report


def fake(npv):
    """Just what the rule reads: names (status quo first) and each plan's NPV."""
    names = ("status_quo",) + tuple(f"p{i}" for i in range(1, len(npv)))
    return SimpleNamespace(names=names, case=SimpleNamespace(npv=np.asarray(npv, float)),
                           index=names.index)


@pytest.mark.parametrize("npv, plan, ranked", [
    ([0, 5, 9, 2], "p2", ("p2", "p1", "p3")),  # the highest NPV
    ([0, 9, 9, 2], "p1", ("p1", "p2", "p3")),  # a tie: the plan first in the file
    ([0, -1, -3], "status_quo", ("p1", "p2")),  # nothing beats doing nothing
    ([0, 0.0, -3], "status_quo", ("p1", "p2")),  # an NPV of 0 does not beat it either
    ([0, np.nan, 4], "p2", ("p2", "p1")),  # a plan without an NPV ranks last
    ([0], "status_quo", ()),  # no plan at all
])
def test_the_rule(npv, plan, ranked):
    rec = recommend(fake(npv))
    assert rec.plan == plan and rec.ranked == ranked
    assert rec.best == (ranked[0] if ranked else None)


def test_among_chosen_plans_only():
    assert recommend(fake([0, 5, 9, 2]), ["p1", "p3"]).plan == "p1"


@pytest.mark.parametrize("name, expected", [("b2b_it_services", "social"),
                                            ("consumer_brand", "social_reallocation"),
                                            # the start-up's social plan loses EUR 2,802 under the
                                            # issue-11 model: doing nothing is recommended
                                            ("small_fast_mover", "status_quo")])
def test_report_cli_and_sensitivity_recommend_the_same_plan(name, expected):
    res = run_scenarios(load_shipped(name))
    assert recommend(res).plan == expected
    assert recommended_plan(res) == expected
    # sensitivity asks about the best plan when nothing beats the status quo
    assert ask(res).plan == (expected if expected != "status_quo" else recommend(res).best)
    assert json_document(res)["recommended"] == expected
    html = render_report(res, ReportOptions(date=dt.date(2026, 1, 1)))
    assert re.search(r'id="recommendation" data-scenario="([^"]+)"', html).group(1) == expected
