"""The report in a real browser, offline: no requests, no errors, charts drawn, slider works."""

from __future__ import annotations

import shutil

import pytest

pytestmark = pytest.mark.browser

CHART_IDS = ("chart-cashflow", "chart-whatif", "chart-drivers", "chart-customers",
             "chart-cac-clv", "chart-cost-of-sales", "chart-stress")


@pytest.fixture
def page(browser):
    """A page that aborts and counts every non-file request and records errors."""
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    pg = context.new_page()
    pg.aborted = []
    pg.console_errors = []
    pg.page_errors = []

    def route(r):
        if r.request.url.startswith("file:"):
            r.continue_()
        else:
            pg.aborted.append(r.request.url)
            r.abort()

    pg.route("**/*", route)
    pg.on("console", lambda m: pg.console_errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: pg.page_errors.append(str(e)))
    yield pg
    context.close()


@pytest.fixture
def loaded(page, report_path):
    page.goto(report_path.resolve().as_uri())
    page.wait_for_load_state("load")
    page.wait_for_function(
        f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {len(CHART_IDS)}")
    return page


def test_offline_without_errors_and_every_chart_drawn(loaded, tmp_path):
    assert loaded.aborted == []
    assert loaded.console_errors == []
    assert loaded.page_errors == []
    for div in CHART_IDS:
        assert loaded.locator(f"#{div}.js-plotly-plot .main-svg").count() >= 1, div
    shot = tmp_path / "report.png"
    loaded.screenshot(path=str(shot), full_page=True)
    shutil.copy(shot, "/tmp/report_screenshot.png")
    assert shot.stat().st_size > 50_000


def _whatif_state(page):
    return page.evaluate("""() => {
        const gd = document.getElementById('chart-whatif');
        return {title: gd.layout.title.text, y: Array.from(gd.data[0].y).slice(0, 30),
                active: gd.layout.sliders[0].active};
    }""")


def test_whatif_slider_redraws_chart_and_npv(loaded, results):
    from roi_models.analysis.whatif import budget_share_sweep
    from roi_models.charts.style import money

    before = _whatif_state(loaded)
    grip = loaded.locator("#chart-whatif .slider-grip-rect").first
    grip.scroll_into_view_if_needed()
    box = grip.bounding_box()
    rail = loaded.locator("#chart-whatif .slider-rail-rect").first.bounding_box()
    loaded.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    loaded.mouse.down()
    loaded.mouse.move(rail["x"] + rail["width"] * 0.9, box["y"] + box["height"] / 2, steps=8)
    loaded.mouse.up()
    loaded.wait_for_function(
        f"document.getElementById('chart-whatif').layout.sliders[0].active != {before['active']}")
    after = _whatif_state(loaded)
    assert after["active"] != before["active"]
    assert after["y"] != before["y"]  # the cash-flow bars were redrawn
    assert after["title"] != before["title"]
    sweep = budget_share_sweep(results, "social")
    k = after["active"]
    assert f"NPV {money(float(sweep.case.npv[k]), results.currency)}" in after["title"]
    shown = loaded.locator("#chart-whatif .gtitle").text_content()
    assert money(float(sweep.case.npv[k]), results.currency) in shown
    assert loaded.page_errors == [] and loaded.console_errors == []


def test_kpi_cards_show_run_figures(loaded, results):
    cards = loaded.locator("#headline-kpis [data-kpi]")
    assert cards.count() == 8
    for i in range(cards.count()):
        el = cards.nth(i)
        scenario, key, value = (el.get_attribute(a) for a in ("data-scenario", "data-kpi",
                                                             "data-value"))
        expected = results.kpis(scenario)[key]
        if value == "":
            assert expected is None
            assert el.inner_text().count("n/a (") == 1
        else:
            assert float(value) == expected
    json_doc = results.to_json_dict()
    table = loaded.locator("#kpi-table td[data-kpi]")
    for i in range(table.count()):
        el = table.nth(i)
        scenario, key, value = (el.get_attribute(a) for a in ("data-scenario", "data-kpi",
                                                             "data-value"))
        expected = json_doc["scenarios"][scenario]["kpis"][key]
        assert (value == "" and expected is None) or float(value) == expected
