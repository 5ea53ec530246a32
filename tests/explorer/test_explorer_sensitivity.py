"""The explorer's Sensitivity tab: its figures are analysis.sensitivity's for the settings shown.

Expected figures come from the public path a user would take by hand: save
the settings (:meth:`Explorer.scenario_file`, the validated file of the lever
values), run it (:func:`roi_models.run_scenarios`) and call
:func:`roi_models.analysis.sensitivity.tornado` / ``decision_margins`` and the
chart builders of :mod:`roi_models.charts.sensitivity` on it. The tab's charts
(what the browser holds, :attr:`ChartsWidget.charts`) must equal those figures,
numbers within 1e-9 relative (the explorer's batch and the validated file's
agree to rounding), texts exactly.
"""

from __future__ import annotations

import json
import math
import re
from html import unescape

import pytest

import roi_models as rm
from roi_models.analysis.sensitivity import decision_margins, tornado
from roi_models.assumptions import scenario_file_from_dict, scenario_file_to_dict
from roi_models.charts.sensitivity import decision_margin_figure, tornado_figure
from roi_models.explorer import SHARE_MOVED, Explorer
from roi_models.explorer.chartwidget import figure_json
from roi_models.explorer.coalesce import Settled
from roi_models.explorer.views import plan_labels


@pytest.fixture
def ex(tmp_path):
    ex = Explorer("b2b_it_services", folder=tmp_path, interval=0)
    ex.show_view("Sensitivity")
    return ex


def expected(ex, chart: str) -> dict:
    """The figure analysis.sensitivity and charts.sensitivity give for the settings on screen."""
    res = rm.run_scenarios(ex.scenario_file())
    q = state(ex)["charts"][chart]
    assert q["values"] == ex.shown_values  # the chart was computed from the settings shown
    if chart == "tornado":
        frame = tornado(res, plan=q["plan"], against=q["against"], kpi=q["kpi"])
        return figure_json(tornado_figure(frame, labels=plan_labels(res)))
    return figure_json(decision_margin_figure(decision_margins(res, plan=q["plan"]),
                                              labels=plan_labels(res)))


def state(ex) -> dict:
    text = re.search(r"data-state='([^']*)'", ex.sensitivity.state.value).group(1)
    return json.loads(unescape(text))


def same(shown, want, where="figure") -> None:
    """Equal JSON: numbers within 1e-9 relative (1e-6 absolute), everything else exactly."""
    if isinstance(want, dict):
        assert isinstance(shown, dict), where
        keys = set(want) | set(shown)
        keys.discard("uirevision")  # set by the widget
        for k in keys:
            assert k in shown and k in want, f"{where}.{k}"
            same(shown[k], want[k], f"{where}.{k}")
    elif isinstance(want, list):
        assert isinstance(shown, list) and len(shown) == len(want), where
        for i, (a, b) in enumerate(zip(shown, want, strict=True)):
            same(a, b, f"{where}[{i}]")
    elif isinstance(want, float) and not isinstance(want, bool):
        assert isinstance(shown, (int, float)), where
        assert math.isclose(shown, want, rel_tol=1e-9, abs_tol=1e-6), (where, shown, want)
    else:
        assert shown == want, (where, shown, want)


def assert_tab_is_the_analysis(ex) -> None:
    s = state(ex)
    assert s["updating"] == [] and s["values"] == ex.shown_values
    for chart in ("tornado", "margins"):
        same(ex.sensitivity.charts.charts[chart], expected(ex, chart), chart)


def test_the_tab_follows_the_sliders_and_equals_the_analysis(ex):
    assert_tab_is_the_analysis(ex)  # the file as loaded
    ex.controls[SHARE_MOVED].slider.value += 4  # +20 %, as the browser would
    ex.set("social.word_of_mouth_lift", 0.8)  # an uncertain field: the base moves, not its range
    ex.set("economics.revenue_per_customer_monthly", 3500)
    assert_tab_is_the_analysis(ex)
    title = ex.sensitivity.charts.layout("tornado")["title"]["text"]
    npv = ex.kpi("social", "npv")
    assert rm.formatting.money(npv, "EUR") in title  # its base is the KPI table's NPV


def test_against_another_plan_and_another_kpi(ex):
    ex.set("social.churn_reduction", 0.3)
    ex.sensitivity.against.value = "traditional"
    ex.sensitivity.kpi.value = "roi"
    s = state(ex)
    assert (s["charts"]["tornado"]["against"], s["charts"]["tornado"]["kpi"]) == (
        "traditional", "roi")
    assert_tab_is_the_analysis(ex)
    ex.sensitivity.kpi.value = "cac"  # a plan's own KPI: no "against"
    assert ex.sensitivity.against.disabled
    assert_tab_is_the_analysis(ex)
    ex.focus.value = "traditional"  # against itself is no question: back to the status quo
    assert ex.sensitivity.against.value == "status_quo"
    assert_tab_is_the_analysis(ex)


def test_after_a_file_switch_the_tab_shows_the_new_file(ex):
    ex.set("economics.gross_margin", 0.5)
    ex.picker.value = "small_fast_mover"
    assert state(ex)["file"] == "small_fast_mover"
    assert ex.shown_values == ex.model.file_values()
    assert_tab_is_the_analysis(ex)
    ex.set("social.word_of_mouth_lift", 0.6)
    assert_tab_is_the_analysis(ex)
    labels = ex.sensitivity.charts.data("tornado")[0]["y"]
    fields = {f.label for f in rm.analysis.sensitivity.uncertain_fields(ex.results)}
    assert set(labels) <= fields  # the new file's uncertain fields, none of the old one's


def test_a_lever_over_a_plans_own_override_moves_every_plan_as_the_saved_file_does(tmp_path):
    raw = scenario_file_to_dict(rm.load_shipped("b2b_it_services"))
    raw["scenarios"]["social"].setdefault("social", {})["word_of_mouth_lift"] = 0.7
    sf = scenario_file_from_dict(raw, "override.yaml")
    ex = Explorer(sf, folder=tmp_path, interval=0)
    ex.show_view("Sensitivity")
    assert_tab_is_the_analysis(ex)  # the plan's own value: the world's range leaves it alone
    ex.set("social.word_of_mouth_lift", 0.9)  # the lever sets it in every plan
    assert_tab_is_the_analysis(ex)


def test_an_invisible_tab_costs_nothing(tmp_path):
    ex = Explorer("b2b_it_services", folder=tmp_path, interval=0)
    for v in (0.6, 0.7, 0.8):
        ex.set("social.word_of_mouth_lift", v)
    assert ex.sensitivity.draws == 0 and ex.sensitivity.charts is None
    assert ex.sensitivity.tornado_runs.started == ex.sensitivity.settled.started == 0
    ex.show_view("Sensitivity")  # drawn when shown, for the settings on screen
    assert ex.sensitivity.draws == 1
    assert_tab_is_the_analysis(ex)
    sent = ex.charts.patch_state
    ex.set("social.word_of_mouth_lift", 0.9)
    assert ex.charts.patch_state is sent  # the business-case charts wait, hidden
    ex.show_view("Business case")
    from tests.explorer.test_explorer_widgets import _engine, assert_screen_equals_engine

    assert_screen_equals_engine(ex, _engine(ex))


class Loop:
    """A deterministic stand-in for the kernel's event loop and its worker thread."""

    def __init__(self):
        self.now, self.timers, self.jobs = 0.0, [], []

    def time(self):
        return self.now

    def call_later(self, delay, fn):
        handle = type("Timer", (), {})()
        handle.cancelled, handle.fn, handle.at = False, fn, self.now + delay
        handle.cancel = lambda: setattr(handle, "cancelled", True)
        self.timers.append(handle)
        return handle

    def fire(self):
        """Run the timers that are due (the settle delay passed)."""
        due, self.timers = [t for t in self.timers if not t.cancelled], []
        for t in due:
            t.fn()

    def run_in_executor(self, pool, fn):
        job = type("Job", (), {})()
        job.fn, job.callbacks = fn, []
        job.add_done_callback = job.callbacks.append
        self.jobs.append(job)
        return job

    def finish(self, job):
        """The worker ends ``job``; its callbacks run on the loop."""
        try:
            value, error = job.fn(), None
        except Exception as exc:  # handed on, as a future does
            value, error = None, exc
        job.result, job.exception = (lambda: value), (lambda: error)
        self.jobs.remove(job)
        for cb in job.callbacks:
            cb(job)


def test_settled_computes_after_the_burst_and_never_delivers_a_stale_result():
    loop, got = Loop(), []
    s = Settled(0.25, loop=loop)
    s.submit("a", lambda: "A", lambda r, e: got.append(r))
    s.submit("b", lambda: "B", lambda r, e: got.append(r))  # a burst: only the last runs
    loop.fire()
    assert len(loop.jobs) == 1 and s.started == 1
    s.submit("c", lambda: "C", lambda r, e: got.append(r))  # new inputs while "b" runs
    loop.fire()  # the worker is busy: "c" waits for it
    loop.finish(loop.jobs[0])
    assert got == [] and s.dropped == 1  # "b" ended stale: dropped, "c" started
    loop.finish(loop.jobs[0])
    assert got == ["C"] and s.wanted is None
    s.submit("d", lambda: 1 / 0, lambda r, e: got.append(type(e).__name__))
    loop.fire()
    loop.finish(loop.jobs[0])
    assert got == ["C", "ZeroDivisionError"]


def test_the_margins_show_updating_and_a_stale_result_is_never_shown(ex):
    loop = Loop()
    view = ex.sensitivity
    view.settled._loop = view.tornado_runs._loop = loop
    before = json.dumps(view.charts.charts["margins"])
    ex.set("social.word_of_mouth_lift", 0.8)
    s = state(ex)
    assert s["updating"] == ["tornado", "margins"]
    assert "roi-updating" in view.state.value and "updating" in unescape(view.state.value)
    assert view.charts.stale == ["margins"]  # drawn dimmed until it is current
    loop.fire()  # tornado and margins of 0.8 start
    first = list(loop.jobs)
    ex.set("social.word_of_mouth_lift", 0.9)  # the next step before they end
    for job in first:
        loop.finish(job)  # stale: dropped
    assert json.dumps(view.charts.charts["margins"]) == before
    assert state(ex)["updating"] == ["tornado", "margins"]
    while loop.jobs or [t for t in loop.timers if not t.cancelled]:
        loop.fire()
        for job in list(loop.jobs):
            loop.finish(job)
    assert view.charts.stale == [] and "roi-current" in view.state.value
    assert_tab_is_the_analysis(ex)
    assert ex.shown_values["social.word_of_mouth_lift"] == 0.9
