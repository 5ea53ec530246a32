"""The explorer's Risk tab: its figures are risk_of_plans' for the settings shown, runs cancel,
a change during a run marks the results stale, and a hidden or idle tab runs nothing.

Expected figures come from the public path a user would take by hand: the validated
file of the settings (:meth:`Explorer.scenario_file`, what Save writes), run by
:func:`roi_models.run_scenarios` and :func:`roi_models.analysis.montecarlo.montecarlo`
with the same draws and seed. The explorer's batch and the validated file agree to
rounding, so numbers are compared within 1e-9 relative.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
from html import unescape

import pytest

import roi_models as rm
from roi_models.analysis.montecarlo import montecarlo
from roi_models.charts.risk import importance_figure, npv_distribution_figure, p_beats_figure
from roi_models.explorer import SHARE_MOVED, Explorer
from roi_models.explorer.chartwidget import figure_json
from roi_models.explorer.risk import STALE_TEXT, best_other, risk_rows

CAP = "social.participation_cap"


@pytest.fixture
def ex(tmp_path):
    ex = Explorer("b2b_it_services", folder=tmp_path, interval=0)
    ex.show_view("Risk")
    return ex


def state(view) -> dict:
    return json.loads(unescape(re.search(r"data-state='([^']*)'", view.state.value).group(1)))


def table_values(view) -> dict[str, float]:
    return {k: float(v) for k, v in re.findall(r'data-key="([^"]+)" data-value="([^"]+)"',
                                               view.table.value)}


def finished_run(view, draws: str):
    """Type a number of draws, press Run and wait for the run to end."""
    view.draws_box.value = draws
    view.start()
    view.wait()


def close(a, b, rel=1e-9) -> bool:
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(close(a[k], b[k], rel) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(close(x, y, rel) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=rel, abs_tol=1e-9)
    return a == b


def test_figures_equal_the_monte_carlo_of_the_saved_settings(ex):
    """Levers moved, 1,200 draws, seed 7: the table and the three charts equal montecarlo()
    of the file Save would write, for the same draws and seed."""
    ex.set(CAP, 0.45)
    ex.set(SHARE_MOVED, 0.2)
    ex.set("finance.discount_rate_annual", 0.15)  # the batch's rate, not the loaded file's
    view = ex.risk
    view.draws_box.value, view.seed_box.value = "1,200", "7"
    run = view.start()
    view.wait()
    assert run.status == "done" and state(view)["status"] == "done" and not state(view)["stale"]
    assert view.progress.value == view.progress.max == 1200
    mc = montecarlo(rm.run_scenarios(ex.scenario_file()), 1200, 7)
    expected = {k: v for k, _, v in risk_rows(mc, "social")}
    assert close(table_values(view), expected)
    # P(NPV > 0) is the share of the draws above 0, by hand
    assert expected["p_npv_positive"] == pytest.approx(float((mc.column("social") > 0).mean()))
    held = {k: {**f, "layout": {n: v for n, v in f["layout"].items() if n != "uirevision"}}
            for k, f in view.charts.charts.items()}  # uirevision: set by the widget
    assert close(held["distribution"], figure_json(npv_distribution_figure(mc)))
    assert close(held["p_beats"], figure_json(p_beats_figure(mc)))
    assert close(held["importance"], figure_json(importance_figure(
        mc.importance(), plan="social", labels=dict(mc.labels))))
    assert view.charts.stale == []


def test_the_plan_in_focus_changes_the_table_without_a_run(ex):
    view = ex.risk
    finished_run(view, "500")
    ex.focus.value = "blended"
    mc = view.run.mc
    assert view.runs == 1
    assert close(table_values(view), {k: v for k, _, v in risk_rows(mc, "blended")})
    # the best other option of "blended" is the plan with the higher mean NPV, "social" here
    assert best_other(mc, "blended") == "social"
    assert 'data-plan="blended"' in view.table.value


def test_cancel_stops_the_run_and_shows_nothing(ex):
    view = ex.risk
    view.draws_box.value = "20,000"
    run = view.start()
    view.stop()
    view.wait()
    assert run.status == "cancelled" and run.mc is None and run.done < 20_000
    assert view.table.value == "" and view.charts is None
    assert "Cancelled" in view.state.value and view.cancel_button.disabled


def test_a_slider_step_during_a_run_marks_its_results_stale(ex):
    """The sliders stay live during a run; the finished run is shown dimmed and labelled,
    never as current; running again gives the figures of the new settings."""
    view = ex.risk
    view.draws_box.value = "20,000"
    run = view.start()
    before = ex.kpi("social", "npv")
    ex.set(CAP, 0.5)  # computed and drawn while the worker runs
    assert run.status == "running"
    assert ex.kpi("social", "npv") != before
    assert state(view)["stale"] and "before your last change" in view.state.value
    view.wait()
    assert run.status == "done" and view.stale()
    assert STALE_TEXT in unescape(view.state.value) and "roi-stale" in view.table.value
    assert view.charts.stale == ["distribution", "p_beats", "importance"]
    assert state(view)["values"][CAP] == 0.3  # the figures' own settings, not those on screen
    finished_run(view, "500")
    assert not view.stale() and "roi-stale" not in view.table.value
    assert view.charts.stale == [] and state(view)["values"][CAP] == 0.5


def test_a_new_run_dims_the_old_results_and_a_cancelled_one_clears_them(ex):
    view = ex.risk
    finished_run(view, "500")
    view.draws_box.value = "20,000"
    run = view.start()
    assert "roi-stale" in view.table.value and view.charts.stale == list(
        ("distribution", "p_beats", "importance"))
    view.stop()
    view.wait()
    assert run.status == "cancelled" and view.table.value == "" and view.charts is None


def test_a_file_switch_cancels_the_run(ex):
    view = ex.risk
    view.draws_box.value = "20,000"
    run = view.start()
    ex.load("consumer_brand")
    view.wait()
    assert run.status == "cancelled" and view.run is None and view.table.value == ""


@pytest.mark.parametrize(("box", "typed", "field"), [
    ("draws_box", "50", "risk.draws"), ("draws_box", "20001", "risk.draws"),
    ("draws_box", "2.5", "risk.draws"), ("draws_box", "lots", "risk.draws"),
    ("seed_box", "-1", "risk.seed"), ("seed_box", "4294967296", "risk.seed")])
def test_bad_draws_or_seed_are_refused_with_the_allowed_values(ex, box, typed, field):
    view = ex.risk
    getattr(view, box).value = typed
    assert view.start() is None and view.runs == 0
    text = unescape(view.state.value)
    assert f"explorer: {field} = '{typed}'" in text and "a whole number from" in text


def test_a_hidden_or_idle_risk_tab_costs_nothing(tmp_path):
    ex = Explorer("b2b_it_services", folder=tmp_path, interval=0)
    for v in (0.2, 0.4, 0.6):
        ex.set(CAP, v)
    assert ex.risk.draws == 0 and ex.risk.runs == 0 and ex.risk.run is None
    ex.show_view("Risk")  # shown: drawn once, but no Monte Carlo until Run
    ex.set(CAP, 0.3)
    assert ex.risk.draws == 2 and ex.risk.runs == 0 and ex.risk.charts is None


def test_progress_comes_through_the_event_loop():
    """Under a running event loop (as in Jupyter and Voila) the worker posts its progress and
    its end to the loop's thread; the bar ends at the number of draws, 2,000 in 2 chunks."""
    async def main():
        ex = Explorer("b2b_it_services", interval=0)
        ex.show_view("Risk")
        view = ex.risk
        seen = []
        view.progress.observe(lambda c: seen.append(c["new"]), names="value")
        run = view.start()
        while run.status == "running":
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)
        return run, seen, view

    run, seen, view = asyncio.run(main())
    assert run.status == "done" and seen[-1] == 2000 and len(seen) >= 2
    assert "roi-current" in view.state.value
