"""The report in a real browser, offline: no requests, no errors, charts drawn, slider works."""

from __future__ import annotations

import shutil

import pytest

pytestmark = pytest.mark.browser

CHART_IDS = ("chart-cashflow", "chart-whatif", "chart-drivers", "chart-customers",
             "chart-cac-clv", "chart-cost-of-sales", "chart-stress")


def _page(browser, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
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
    return context, pg


@pytest.fixture
def page(browser):
    """A laptop-wide page that aborts and counts every non-file request and records errors."""
    context, pg = _page(browser, 1366)
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
    from roi_models.analysis.whatif import MOVED_LABEL, budget_share_sweep
    from roi_models.formatting import money

    sweep = budget_share_sweep(results, "social")
    start = loaded.evaluate("document.getElementById('chart-whatif').layout.sliders[0].active")
    assert start == sweep.plan_index  # the recommended plan's own point: nothing moved
    shown = loaded.locator("#chart-whatif .slider-group text.slider-label").first.text_content()
    assert shown == f"{MOVED_LABEL}: 0 %"

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
    k = after["active"]
    assert f"NPV {money(float(sweep.case.npv[k]), results.currency)}" in after["title"]
    shown = loaded.locator("#chart-whatif .gtitle").text_content()
    assert money(float(sweep.case.npv[k]), results.currency) in shown
    assert loaded.page_errors == [] and loaded.console_errors == []


def test_kpi_cards_show_run_figures(loaded, results):
    from roi_models.cli import json_document
    from roi_models.report.views import KPI_KEYS

    cards = loaded.locator("#headline-kpis [data-kpi]")
    assert cards.count() == len(KPI_KEYS) == 10  # MIRR beside IRR, CAC (blended) beside (paid)
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
    json_doc = json_document(results)
    table = loaded.locator("#kpi-table td[data-kpi]")
    for i in range(table.count()):
        el = table.nth(i)
        scenario, key, value = (el.get_attribute(a) for a in ("data-scenario", "data-kpi",
                                                             "data-value"))
        expected = json_doc["scenarios"][scenario]["kpis"][key]
        assert (value == "" and expected is None) or float(value) == expected


MENU_CHARTS = ("chart-cashflow", "chart-drivers", "chart-customers")


def test_every_menu_entry_redraws_with_its_data_within_its_axes(loaded):
    """Click each button of each chart's plan menu; every visible trace lies on its axes."""
    for div in MENU_CHARTS:
        n = loaded.evaluate(
            f"document.getElementById('{div}').layout.updatemenus[0].buttons.length")
        assert n >= 2, div
        for k in range(n):
            loaded.locator(f"#{div} .updatemenu-header-group").first.click()
            loaded.locator(f"#{div} .updatemenu-dropdown-button").nth(k).click()
            loaded.wait_for_function(
                f"document.getElementById('{div}').layout.updatemenus[0].active == {k}")
            problems = loaded.evaluate("""(div) => {
                const gd = document.getElementById(div), out = [];
                const L = gd._fullLayout;
                for (const t of gd._fullData) {
                    if (t.visible !== true) continue;
                    const horizontal = t.orientation === 'h';
                    const axis = horizontal ? L[(t.xaxis || 'x').replace('x', 'xaxis')]
                                            : L[(t.yaxis || 'y').replace('y', 'yaxis')];
                    let values = Array.from(horizontal ? t.x : t.y).filter(v => v !== null);
                    if (t.type === 'waterfall') {  // the running totals the bars step to
                        let run = 0; values = [0];
                        for (let i = 0; i < t.x.length - 1; i++) {
                            run += t.x[i]; values.push(run);
                        }
                    }
                    if (t.stackgroup) continue;  // stacked areas: checked by their sum below
                    const [lo, hi] = axis.range;
                    for (const v of values) if (v < lo || v > hi) out.push([t.name, v, lo, hi]);
                }
                const stacked = gd._fullData.filter(t => t.visible === true && t.stackgroup);
                if (stacked.length) {
                    const n = stacked[0].y.length, top = L.yaxis.range[1];
                    for (let i = 0; i < n; i++) {
                        const sum = stacked.reduce((a, t) => a + t.y[i], 0);
                        if (sum > top || sum < L.yaxis.range[0]) out.push(['stack', sum, top]);
                    }
                }
                const lines = gd.querySelectorAll('.scatterlayer .trace path.js-line').length;
                return {out, title: L.title.text, lines,
                        visible: gd._fullData.filter(t => t.visible === true).length};
            }""", div)
            assert problems["out"] == [], (div, k, problems)
            assert problems["visible"] >= 1, (div, k)
            assert "_" not in problems["title"], (div, k, problems["title"])  # no raw ids
    assert loaded.page_errors == [] and loaded.console_errors == []


def test_cash_flow_menu_keeps_the_running_total_on_the_chart(loaded):
    """'More events' never pays back: its running total stays below zero and on the chart."""
    labels = loaded.evaluate(
        "document.getElementById('chart-cashflow').layout.updatemenus[0].buttons.map(b => b.label)")
    k = labels.index("More events")
    loaded.locator("#chart-cashflow .updatemenu-header-group").first.click()
    loaded.locator("#chart-cashflow .updatemenu-dropdown-button").nth(k).click()
    loaded.wait_for_function(
        f"document.getElementById('chart-cashflow').layout.updatemenus[0].active == {k}")
    state = loaded.evaluate("""() => {
        const gd = document.getElementById('chart-cashflow');
        const line = gd._fullData.find(t => t.visible === true && t.yaxis === 'y2');
        const r = gd._fullLayout.yaxis2.range, y = Array.from(line.y);
        return {lo: r[0], hi: r[1], min: Math.min(...y), max: Math.max(...y),
                ticks: Array.from(gd.querySelectorAll('.y2tick text')).map(t => t.textContent)};
    }""")
    assert state["lo"] <= state["min"] and state["max"] <= state["hi"]
    assert (state["max"] - state["min"]) / (state["hi"] - state["lo"]) > 0.5  # fills the chart
    assert len(state["ticks"]) >= 3 and all("EUR" in t for t in state["ticks"])


def test_toolbar_has_no_share_or_cloud_button_but_keeps_png_download(loaded):
    loaded.locator("#chart-cashflow").hover()
    buttons = loaded.evaluate("""() => Array.from(document.querySelectorAll(
        '#chart-cashflow .modebar-btn')).map(b => b.getAttribute('data-title') + '|' +
        (b.getAttribute('href') || ''))""")
    assert any("download plot as a png" in b.lower() for b in buttons), buttons
    for b in buttons:
        assert "cloud" not in b.lower() and "chart studio" not in b.lower() and "edit" not in \
            b.lower(), b
        assert "http" not in b, b
    links = loaded.evaluate("Array.from(document.querySelectorAll('.js-plotly-plot a'))"
                            ".map(a => a.getAttribute('href'))")
    assert all(not (h or "").startswith("http") for h in links), links


@pytest.fixture
def phone(browser):
    context, pg = _page(browser, 390)
    yield pg
    context.close()


def test_phone_no_sideways_scrolling_and_charts_fit(phone, report_path, tmp_path):
    phone.goto(report_path.resolve().as_uri())
    phone.wait_for_function(
        f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {len(CHART_IDS)}")
    phone.wait_for_timeout(500)  # the narrow-screen refit
    assert phone.evaluate("document.documentElement.scrollWidth <= innerWidth")
    assert phone.aborted == [] and phone.page_errors == [] and phone.console_errors == []
    # tables scroll inside their own box
    assert phone.evaluate("""() => Array.from(document.querySelectorAll('table')).every(
        t => t.closest('.table-scroll'))""")
    # no chart text runs out of its chart, and nothing covers a chart's title
    out = phone.evaluate("""() => { const out = [];
        for (const gd of document.querySelectorAll('.chart .js-plotly-plot')) {
            const g = gd.getBoundingClientRect();
            for (const t of gd.querySelectorAll('text')) { const r = t.getBoundingClientRect();
                if (r.width > 0 && (r.right > g.right + 1 || r.left < g.left - 1))
                    out.push(gd.id + ': ' + t.textContent); }
            const title = gd.querySelector('.g-gtitle');
            if (!title) continue;
            const tr = title.getBoundingClientRect();
            for (const sel of ['.updatemenu-container', '.legend', '.slider-container']) {
                const el = gd.querySelector(sel); if (!el) continue;
                const r = el.getBoundingClientRect();
                if (r.width && r.height && r.left < tr.right && tr.left < r.right &&
                    r.top < tr.bottom && tr.top < r.bottom) out.push(gd.id + ' covers ' + sel);
            } }
        return out; }""")
    assert out == []
    shot = tmp_path / "phone.png"
    phone.screenshot(path=str(shot), full_page=True)
    shutil.copy(shot, "/tmp/report_screenshot_390.png")
